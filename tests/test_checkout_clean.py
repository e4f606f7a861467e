"""Using the product leaves a checkout clean: in a fresh copy of the repository, starting the app,
an upload through the app's Workspace and `rag index FILE` (one missing, one real) write only the
git-ignored data/ directory, and a restart serves what was added. Real embedder, real app start."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT
from processes import free_port, page_answers, stop, wait_until

UPLOAD = "上传市人工智能扶持办法\n\n第一条 对新落户的人工智能企业给予一次性奖励88万元。\n\n第二条 对算力券给予50%补贴。\n"
INDEXED = "命令行市人工智能办法\n\n第一条 支持智能网联汽车道路测试，给予最高200万元补助。\n"

APP_UPLOAD = """
import sys
from pathlib import Path
from rag.config import Settings
from rag.ui import Workspace
[result] = Workspace.load(Settings.from_env()).add_files([(Path(sys.argv[1]), "上传市办法.txt")])
assert result.error is None and result.clauses == 2, result
"""

RESTART = """
from rag.config import Settings
from rag.ui import Workspace
ws = Workspace.load(Settings.from_env())
titles = {d.title for d in ws.documents()}
assert {"上传市人工智能扶持办法", "命令行市人工智能办法"} <= titles, titles
assert ws.index.warnings == (), ws.index.warnings
print(len(ws.documents()))
"""


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


def fresh_copy(target: Path) -> Path:
    """The repository's files (tracked, and new ones not ignored) in a new git repository: a fresh clone
    of the working tree as it will be committed."""
    try:
        files = git(PROJECT, "ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    for name in filter(None, files):
        if (PROJECT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT / name, target / name)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "copy")
    return target


def run(clone: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=clone, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def start_and_stop_app(clone: Path, env: dict[str, str]) -> None:
    port = free_port()
    log = clone.parent / "app.log"  # outside the clone, whose cleanliness is the point
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "app.py"], cwd=clone, env={**env, "GRADIO_SERVER_PORT": str(port)}, stdout=out, stderr=out
        )
        try:
            wait_until(page_answers(f"http://127.0.0.1:{port}/"), proc, log, 120, "the app")
        finally:
            stop(proc, 30)


@pytest.mark.slow
def test_using_the_product_leaves_the_checkout_clean(tmp_path: Path) -> None:
    clone = fresh_copy(tmp_path / "clone")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}  # defaults: data/ in the clone
    env.update(PYTHONPATH=str(clone), PYTHONDONTWRITEBYTECODE="1", GRADIO_SERVER_NAME="127.0.0.1")
    upload = tmp_path / "incoming-upload"
    upload.write_text(UPLOAD, encoding="utf-8")
    (tmp_path / "命令行市办法.txt").write_text(INDEXED, encoding="utf-8")

    start_and_stop_app(clone, env)
    done = run(clone, env, "-c", APP_UPLOAD, str(upload))
    assert done.returncode == 0, done.stderr
    missing = run(clone, env, "-m", "rag.cli", "index", str(tmp_path / "不存在.txt"))
    assert missing.returncode == 1 and "cannot read the file" in missing.stderr
    added = run(clone, env, "-m", "rag.cli", "index", str(tmp_path / "命令行市办法.txt"))
    assert added.returncode == 0 and "added 命令行市办法.txt: 1 clauses" in added.stdout, added.stderr

    assert git(clone, "status", "--porcelain") == ""
    assert "!! data/" in git(clone, "status", "--porcelain", "--ignored")
    assert sorted(p.name for p in (clone / "data" / "corpus").iterdir()) == ["上传市办法.txt", "命令行市办法.txt"]
    restarted = run(clone, env, "-c", RESTART)
    assert restarted.returncode == 0, restarted.stderr
    assert int(restarted.stdout) == 38  # the 36 bundled policies and the two added
