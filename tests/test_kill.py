"""A change killed (SIGKILL, from outside) at any point leaves an index that loads and serves, and the
next start cleans up; an app upload and `rag index FILE` in two processes at once both land.

The writer runs in a subprocess with the fake embedder. A hook on store's named checkpoints prints
the point and sleeps there; the test then kills it with SIGKILL (or, for the race, lets it go on).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import FIXTURES, PROJECT

from rag import retrieve, store, ui, update
from rag.config import Settings

WRITER = """
import json, os, sys, time
from dataclasses import asdict
from pathlib import Path
sys.path[:0] = [{tests!r}, {project!r}]
from conftest import FakeEmbedder
from rag import embed, update
from rag.config import Settings

embed._CACHE["fake-embedder"] = FakeEmbedder()
stop_at, pause = os.environ.get("STOP_AT"), float(os.environ.get("PAUSE_SECONDS", "60"))

release = os.environ.get("RELEASE_FILE")

def hook(point):
    if point == stop_at:
        print(point, flush=True)
        until = time.monotonic() + pause  # killed here, or holding the lock while another writer starts
        while time.monotonic() < until and not (release and os.path.exists(release)):
            time.sleep(0.05)

update.on_checkpoint = hook
mode, paths = sys.argv[1], sys.argv[2:]
if mode == "cli":
    from rag.cli import main
    sys.exit(main(["index", *paths]))
from rag.ui import Workspace
results = Workspace.load(Settings.from_env()).add_files([(Path(p), Path(p).name) for p in paths])
print(json.dumps([asdict(r) for r in results], ensure_ascii=False), flush=True)
sys.exit(1 if any(r.error for r in results) else 0)
"""

POLICY_A = "甲市人工智能扶持办法\n\n第一条 对新落户的人工智能企业给予一次性奖励88万元。\n\n第二条 对算力券给予50%补贴。\n"
POLICY_B = "乙市智能网联汽车办法\n\n第一条 支持智能网联汽车道路测试，给予最高200万元补助。\n"
POINTS = ["staged", "embedded", "data-written", "manifest-swapped", "corpus-moved"]
COMMITTED = {"manifest-swapped", "corpus-moved"}


@pytest.fixture
def shipped(tiny_settings: Settings) -> Settings:
    update.build_bundled(tiny_settings)
    return tiny_settings


def writer(
    settings: Settings, mode: str, paths: list[Path], stop_at: str = "", pause: float = 60, release: Path | None = None
) -> subprocess.Popen[str]:
    """A process that changes the knowledge base, stopping at `stop_at` for `pause` seconds or until the
    file `release` exists."""
    env = {
        **os.environ,
        "RAG_HOME": str(settings.home),
        "RAG_INDEX_DIR": str(settings.index_dir),
        "RAG_CORPUS_DIR": str(settings.corpus_dir),
        "RAG_EMBEDDER": "fake-embedder",
        "STOP_AT": stop_at,
        "PAUSE_SECONDS": str(pause),
        "RELEASE_FILE": str(release or ""),
    }
    code = WRITER.format(tests=str(FIXTURES.parent), project=str(PROJECT))
    return subprocess.Popen(
        [sys.executable, "-c", code, mode, *map(str, paths)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def policy(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def assert_consistent(settings: Settings) -> store.Index:
    """Loads without warnings; the manifest lists exactly the corpus files on disk; nothing stale."""
    index = store.load(settings)
    assert index.warnings == ()
    manifest = index.manifest
    on_disk = {p.name for d in (settings.corpus_dir, settings.added_dir) for p in store.corpus_files(d)}
    assert set(manifest["files"]) == on_disk
    assert manifest["added_files"] == sorted(p.name for p in store.corpus_files(settings.added_dir))
    leftovers = [p for p in settings.home.rglob(".build-*")]
    assert leftovers == []
    data = {p.name for p in settings.data_index_dir.iterdir()} if settings.data_index_dir.is_dir() else set()
    if index.location == settings.data_index_dir:
        assert data == {"manifest.json", *manifest["data"].values()}
    else:
        assert data == set()  # no orphan data files beside the bundled index that serves
    assert retrieve.search(index, "人工智能企业奖励", 3)  # it serves
    return index


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("first", [False, True], ids=["over-a-data-index", "first-add"])
def test_kill_at_any_point_leaves_an_index_that_loads_and_serves(
    shipped: Settings, tmp_path: Path, point: str, first: bool
) -> None:
    if not first:
        update.build(shipped, [policy(tmp_path / "in", "甲市办法.txt", POLICY_A)])
    before = store.load(shipped)
    proc = writer(shipped, "cli", [policy(tmp_path / "in", "乙市办法.txt", POLICY_B)], stop_at=point)
    assert proc.stdout is not None and proc.stdout.readline().strip() == point, proc.stderr
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL

    served = store.load(shipped)  # loads and serves before anyone cleans up
    assert retrieve.search(served, "智能网联汽车道路测试", 3)
    titles = {d.title for d in served.documents.values()}
    assert ("乙市智能网联汽车办法" in titles) is (point in COMMITTED)
    if point not in COMMITTED:
        assert [c.id for c in served.clauses] == [c.id for c in before.clauses]

    ui.Workspace.load(shipped)  # the app's start finishes or discards the interrupted change
    index = assert_consistent(shipped)
    assert ("乙市办法.txt" in index.manifest["added_files"]) is (point in COMMITTED)

    again = update.build(shipped, [policy(tmp_path / "in", "丙市办法.txt", POLICY_B.replace("乙", "丙"))])
    assert again.built  # the lock died with the process
    assert_consistent(shipped)


def test_upload_and_rag_index_at_the_same_time_both_land(shipped: Settings, tmp_path: Path) -> None:
    a = policy(tmp_path / "in", "甲市办法.txt", POLICY_A)
    b = policy(tmp_path / "in", "乙市办法.txt", POLICY_B)
    release = tmp_path / "release"
    upload = writer(shipped, "app", [a], stop_at="embedded", release=release)  # holds the lock until released
    assert upload.stdout is not None and upload.stdout.readline().strip() == "embedded"
    cli = writer(shipped, "cli", [b])
    waiting = threading.Event()
    err_lines: list[str] = []

    def read_err() -> None:  # the CLI says it waits for the lock; only then is the lock let go
        assert cli.stderr is not None
        for line in cli.stderr:
            err_lines.append(line)
            if "waiting up to" in line:
                waiting.set()

    reader = threading.Thread(target=read_err, daemon=True)
    reader.start()
    said = waiting.wait(timeout=60)
    release.touch()
    cli_out = cli.stdout.read() if cli.stdout is not None else ""
    assert cli.wait(timeout=60) == 0, "".join(err_lines)
    reader.join(timeout=10)
    up_out, up_err = upload.communicate(timeout=60)
    assert upload.returncode == 0, up_err
    assert said, "".join(err_lines)
    assert "added 乙市办法.txt: 1 clauses" in cli_out
    assert json.loads(up_out)[0]["clauses"] == 2
    index = assert_consistent(shipped)
    assert index.manifest["added_files"] == ["乙市办法.txt", "甲市办法.txt"]
    assert {"甲市人工智能扶持办法", "乙市智能网联汽车办法"} <= {d.title for d in index.documents.values()}
