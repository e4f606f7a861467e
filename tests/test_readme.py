"""The README's examples run as written, so the README cannot drift from the code.

Every command of a ```bash block in README.md runs in bash with a temporary RAG_HOME, from a temporary
folder that mirrors the checkout (symlinks, so that `tests/gold/…` and `docs/questions.txt` resolve and
`> 赛事.csv` lands outside the checkout), with `rag` and `python` running this checkout's code. Each is
checked for its exit code and the shape of its output; where the README documents a JSON shape
(`{"question", "hits": [{"id", …}]}`, in the command's comment or in the text), the output must have
exactly those keys. The ```python example runs too. The app is started the way the README says
(`python app.py`) on a free 127.0.0.1 port, and the README's `curl` examples are sent to it.

Not run: installs (`pip install`), the test suite itself (`python -m pytest`), the full `rag bench`, and
every block that the README precedes with `<!-- test_readme: skip (why) -->` (an LLM endpoint, Milvus,
a calibration that runs for many minutes). `rag eval` and `rag bench --quick` run for a minute or more
each: they are marked slow.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from processes import free_port, page_answers, stop, wait_until

PROJECT = Path(__file__).resolve().parent.parent
README = PROJECT / "README.md"
README_PORT = "127.0.0.1:7860"  # where the README's curl examples send their requests
SKIP_MARK = re.compile(r"^<!-- test_readme: skip \((.+)\) -->$")
ENV_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")
COMMAND_TIMEOUT_S = 900
ADMIN_TOKEN = "readme-admin-token-0123456789"


# ---------------------------------------------------------------- reading the README


@dataclass(frozen=True)
class Block:
    """A fenced code block of the README: its language, first line number and text."""

    lang: str
    line: int
    text: str
    skip: str | None  # why the README says it is not run, or None


@dataclass(frozen=True)
class Command:
    """One shell command of a ```bash block (continuation lines joined), with the README line it starts on."""

    line: int
    text: str
    skip: str | None

    @property
    def argv(self) -> list[str]:
        """The words after any leading VAR=value assignments, comments dropped."""
        words = shlex.split(self.text, comments=True)
        while words and ENV_ASSIGNMENT.match(words[0]):
            words.pop(0)
        return words

    @property
    def comment(self) -> str:
        """The text after the command's trailing `#` (outside quotes), or ""."""
        position = _comment_start(self.text)
        return self.text[position + 1 :].strip() if position >= 0 else ""


def _comment_start(text: str) -> int:
    """Index of the `#` that starts a shell comment in `text` (not inside quotes), or -1."""
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1].isspace()):
            return i
    return -1


def blocks(text: str) -> list[Block]:
    """The README's fenced blocks, each with the skip reason of a `<!-- test_readme: skip (…) -->` line
    right before it."""
    lines = text.splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        fence = lines[i].strip()
        if fence.startswith("```") and not fence.startswith("````"):
            lang = fence[3:].strip()
            previous = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            mark = SKIP_MARK.match(previous.strip())
            end = i + 1
            while end < len(lines) and lines[end].strip() != "```":
                end += 1
            body = textwrap.dedent("\n".join(lines[i + 1 : end]))  # a block inside a list item is indented
            out.append(Block(lang, i + 2, body, mark.group(1) if mark else None))
            i = end + 1
        else:
            i += 1
    return out


def commands(block: Block) -> list[Command]:
    """The commands of a bash block: one per line, a trailing backslash joining the next line."""
    out: list[Command] = []
    pending, start = "", 0
    for offset, raw in enumerate(block.text.splitlines()):
        line = raw.rstrip()
        if not pending:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            start = block.line + offset
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        out.append(Command(start, pending + line, block.skip))
        pending = ""
    return out


def readme_text() -> str:
    return README.read_text(encoding="utf-8")


def all_commands() -> list[Command]:
    return [c for b in blocks(readme_text()) if b.lang == "bash" for c in commands(b)]


def not_run_reason(command: Command) -> str | None:
    """Why a command is not run by this test, or None when it is."""
    if command.skip:
        return command.skip
    argv = command.argv
    if argv[:2] == ["pip", "install"]:
        return "installs packages"
    if argv[:3] == ["python", "-m", "pytest"]:
        return "the test suite itself"
    if argv == ["python", "app.py"]:
        return "started by test_app_starts_as_the_readme_says_and_answers_its_curl_examples"
    if argv[:2] == ["rag", "bench"] and "--quick" not in argv:
        return "the full benchmark runs for many minutes (rag bench --quick is run)"
    return None


def cli_commands() -> list[Command]:
    return [c for c in all_commands() if not_run_reason(c) is None and c.argv[0] != "curl"]


def curl_commands() -> list[Command]:
    return [c for c in all_commands() if not_run_reason(c) is None and c.argv[0] == "curl"]


# ---------------------------------------------------------------- documented JSON shapes


Shape = dict[str, Any] | list[Any] | None  # {key: shape of its value or None}, [shape of each element]


def parse_shape(text: str) -> Shape:
    """The keys a README shape names: `{"question", "hits": [{"id", "doc"}]}` ->
    {"question": None, "hits": [{"id": None, "doc": None}]}; `[...]` is a list of anything."""
    tokens = re.findall(r'"[^"]*"|\.\.\.|…|[{}\[\]:,]', text)
    shape, rest = _shape(tokens)
    assert not rest, f"unparsed shape tail {rest} in {text!r}"
    return shape


def _shape(tokens: list[str]) -> tuple[Shape, list[str]]:
    head, rest = tokens[0], tokens[1:]
    if head == "{":
        keys: dict[str, Any] = {}
        while rest[0] != "}":
            key, rest = rest[0], rest[1:]
            if key in (",",):
                continue
            assert key.startswith('"'), f"expected a key, got {key!r}"
            value: Shape = None
            if rest[0] == ":":
                value, rest = _shape(rest[1:])
            keys[key.strip('"')] = value
        return keys, rest[1:]
    if head == "[":
        if rest[0] in ("...", "…"):
            return [], rest[2:]
        element, rest = _shape(rest)
        assert rest[0] == "]", f"expected ], got {rest[0]!r}"
        return [element], rest[1:]
    if head in ("...", "…"):
        return None, rest
    raise AssertionError(f"unexpected token {head!r}")


def check_shape(value: Any, shape: Shape, where: str = "$") -> None:
    """`value` has exactly the keys `shape` names, recursively."""
    if shape is None:
        return
    if isinstance(shape, dict):
        assert isinstance(value, dict), f"{where}: expected an object, got {type(value).__name__}"
        assert set(value) == set(shape), f"{where}: keys {sorted(value)} but the README says {sorted(shape)}"
        for key, sub in shape.items():
            check_shape(value[key], sub, f"{where}.{key}")
    else:
        assert isinstance(value, list), f"{where}: expected a list, got {type(value).__name__}"
        for i, item in enumerate(value):
            check_shape(item, shape[0] if shape else None, f"{where}[{i}]")


def documented_shape(after: str) -> Shape:
    """The first backquoted `{…}` shape in the README after the phrase `after` (line breaks ignored)."""
    flat = re.sub(r"\s*\n\s*", " ", readme_text())
    start = flat.index(after) + len(after)
    found = re.search(r"`(\{[^`]*\})`", flat[start:])
    assert found, f"no shape after {after!r} in the README"
    return parse_shape(found.group(1))


def comment_shape(command: Command) -> Shape:
    """The JSON shape a command's comment documents (`# {"topic", "rows": […]}`), or None."""
    comment = command.comment
    return parse_shape(comment) if comment.startswith(("{", "[")) else None


# ---------------------------------------------------------------- running commands


@pytest.fixture
def shell(tmp_path: Path, rag_home: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A working folder mirroring the checkout, and an environment where `rag` and `python` are this
    checkout's, RAG_HOME is temporary and no LLM is configured."""
    work = tmp_path / "work"
    work.mkdir()
    for entry in PROJECT.iterdir():
        if entry.name not in (".git", "data", "test-artifacts") and not entry.name.startswith("."):
            (work / entry.name).symlink_to(entry)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, line in (("rag", f'exec "{sys.executable}" -m rag.cli "$@"'), ("python", f'exec "{sys.executable}" "$@"')):
        script = bin_dir / name
        script.write_text(f"#!/bin/sh\n{line}\n")
        script.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_LLM_")}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=os.pathsep.join(p for p in (str(PROJECT), env.get("PYTHONPATH", "")) if p),
        RAG_HOME=str(rag_home),
        RAG_ADMIN_TOKEN=ADMIN_TOKEN,
    )
    yield work, env


def run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command], check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S
    )


def _param(command: Command) -> Any:
    slow = command.argv[:2] in (["rag", "bench"], ["rag", "eval"])  # tens of seconds to minutes
    ident = f"L{command.line}-" + " ".join(command.argv[:4])
    return pytest.param(command, id=ident, marks=[pytest.mark.slow] if slow else [])


# ---------------------------------------------------------------- the tests


def test_readme_gives_the_install_start_and_test_commands() -> None:
    texts = [c.text.split("#")[0].strip() for c in all_commands()]
    for wanted in ('pip install -e ".[test]"', "python app.py", "python -m pytest"):
        assert wanted in texts, f"the README no longer shows `{wanted}`"


def test_every_bash_command_is_run_or_says_why_not() -> None:
    commands_ = all_commands()
    assert len(cli_commands()) >= 15 and len(curl_commands()) == 2
    for c in commands_:
        assert c.argv, f"README line {c.line}: an empty command"
        if not_run_reason(c) is None and c.argv[0] not in ("rag", "curl") and c.argv[:3] != ["python", "-m", "rag.calibrate_places"]:
            pytest.fail(f"README line {c.line}: `{c.text}` is neither a rag command nor curl; teach this test to check it")


@pytest.mark.parametrize("command", [_param(c) for c in cli_commands()])
def test_cli_example_runs_as_documented(command: Command, shell: tuple[Path, dict[str, str]]) -> None:
    work, env = shell
    argv = command.argv
    if argv[1] == "remove":  # what it removes must have been added first, as the README shows above it
        added = run(f"rag index tests/gold/{argv[2]}", work, env)
        assert added.returncode == 0, added.stderr[-2000:]
    result = run(command.text, work, env)
    assert result.returncode == 0, f"`{command.text}` exited {result.returncode}:\n{result.stderr[-3000:]}"
    out = result.stdout
    sub = argv[1]
    shape = comment_shape(command)
    if "--csv" in argv:
        target = work / argv[argv.index(">") + 1] if ">" in argv else None
        text = target.read_text(encoding="utf-8-sig") if target else out
        header = text.splitlines()[0].split(",")
        assert header[:3] == ["地区", "政策", "条款"] and len(text.splitlines()) >= 2, text[:500]
    elif shape is not None:
        data = json.loads(out)
        check_shape(data, shape)
        assert data, f"`{command.text}` printed an empty result"
        first = data[0] if isinstance(data, list) else next(v for v in data.values() if isinstance(v, list))
        assert first, f"`{command.text}` found nothing"
    elif sub == "ask" and "-" in argv:
        shape = documented_shape("`rag ask --json` prints")
        questions = Path(work / argv[argv.index("<") + 1]).read_text(encoding="utf-8").splitlines()
        answers = [json.loads(line) for line in out.splitlines()]
        assert [a["question"] for a in answers] == questions
        for a in answers:
            check_shape(a, shape)
            assert a["mode"] == "extractive" and a["citations"], a
        # the README says the third question of docs/questions.txt is refused, the others answered
        assert [a["refused"] for a in answers] == [False, False, True], [a["answer"][:80] for a in answers]
    elif sub == "ask":
        assert "[1]" in out and re.search(r"^\[1\] 《", out, re.MULTILINE), out
    elif sub == "search":
        assert out.startswith("1. 《") and "score" in out, out[:500]
    elif sub == "docs":
        assert re.search(r"^36 documents \(\d+ with a stated date\), \d+ clauses", out.splitlines()[-1]), out[-300:]
    elif sub == "cite":
        assert out.startswith("《") and "\nid: " in out, out[:300]
    elif sub == "compare":
        assert re.search(r"“.+”：\d+ 个地区，\d+ 条措施$", out.strip()), out[-300:]
    elif sub == "index":
        paths = [a for a in argv[2:] if not a.startswith("-")]
        for p in paths:
            assert f"added {Path(p).name}: " in out, out
        assert re.search(r"^indexed \d+ clauses \(\d+ embedded, \d+ reused\)", out, re.MULTILINE), out
        assert (Path(env["RAG_HOME"]) / "index" / "manifest.json").exists()
    elif sub == "remove":
        assert out.splitlines()[0] == f"removed {argv[2]}", out
        assert re.search(r"^indexed \d+ clauses", out, re.MULTILINE), out
        home = Path(env["RAG_HOME"])
        assert not (home / "corpus" / argv[2]).exists()
        manifest = json.loads((home / "index" / "manifest.json").read_text(encoding="utf-8"))
        assert argv[2] not in manifest["files"], sorted(manifest["files"])[:5]
    elif sub == "eval":
        if "--json" in argv:
            report = json.loads(out)
            assert report, out[:300]
        else:
            assert re.search(r"^overall +\d+", out, re.MULTILINE), out[:500]
    elif sub == "bench":
        for section in ("build", "latency", "app", "memory", "scale"):
            assert re.search(rf"^{section}\b", out, re.MULTILINE), f"no {section} section:\n{out}"
    elif argv[1:3] == ["-m", "rag.calibrate_places"]:
        assert re.search(r"^held out: precision \d+\.\d%, recall \d+\.\d%", out, re.MULTILINE), out
        assert "fitted on all: {'PLACE_Z'" in out, out
    else:
        pytest.fail(f"README line {command.line}: no check for `{command.text}`; add one here")


def test_python_example_runs(shell: tuple[Path, dict[str, str]]) -> None:
    work, env = shell
    examples = [b for b in blocks(readme_text()) if b.lang == "python" and not b.skip]
    assert examples, "the README has no Python example"
    for block in examples:
        assert "Settings.from_env()" in block.text
        result = subprocess.run(
            [sys.executable, "-c", block.text], check=False, cwd=work, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"README line {block.line}:\n{result.stderr[-3000:]}"
        assert re.search(r"^\[1\] 《", result.stdout, re.MULTILINE), result.stdout[-1000:]


@pytest.fixture
def app_url(shell: tuple[Path, dict[str, str]], tmp_path: Path) -> Iterator[str]:
    """`python app.py`, the README's start command, on a free port; its URL once the page answers."""
    _, env = shell
    start = next(c for c in all_commands() if c.argv == ["python", "app.py"])
    port = free_port()
    env = {**env, "GRADIO_SERVER_PORT": str(port), "GRADIO_TEMP_DIR": str(tmp_path / "gradio")}
    log = tmp_path / "app.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(["bash", "-c", start.text], cwd=PROJECT, env=env, stdout=out, stderr=out)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until(page_answers(url + "/", "政策问答"), proc, log, 180, "the app")
            yield url
        finally:
            stop(proc)


def test_app_starts_as_the_readme_says_and_answers_its_curl_examples(
    app_url: str, shell: tuple[Path, dict[str, str]]
) -> None:
    work, env = shell
    shapes = {
        "/api/ask": documented_shape("The answer is the `rag ask --json` object plus `notice`:"),
        "/api/documents": documented_shape("It answers"),
    }
    for command in curl_commands():
        assert README_PORT in command.text, f"README line {command.line}: the curl example is not aimed at {README_PORT}"
        route = next(r for r in shapes if r in command.text)
        result = run(command.text.replace(f"http://{README_PORT}", app_url), work, env)
        assert result.returncode == 0, f"`{command.text}` exited {result.returncode}: {result.stderr}"
        data = json.loads(result.stdout)
        check_shape(data, shapes[route])
        if route == "/api/ask":
            assert data["citations"] and "[1]" in data["answer"] and not data["refused"], data
        else:
            assert data["added"] and not data["errors"], data


def test_configuration_table_names_every_variable_the_code_reads() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in [*sorted((PROJECT / "rag").glob("*.py")), PROJECT / "app.py"])
    read = set(re.findall(r'"(RAG_[A-Z0-9_]+)"', code))
    assert {"RAG_HOME", "RAG_LLM_BASE_URL", "RAG_ADMIN_TOKEN"} <= read  # the search finds what it should
    text = readme_text()
    table = text[text.index("## Configuration") :]
    table = table[: table.index("\n## ")]
    listed = set(re.findall(r"^\| `(RAG_[A-Z0-9_]+)`", table, re.MULTILINE))
    assert read - listed == set(), f"read by the code but not in the README's table: {sorted(read - listed)}"
    assert listed - read == set(), f"in the README's table but read nowhere: {sorted(listed - read)}"


def test_readme_pictures_exist_and_are_small() -> None:
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme_text())
    assert {"docs/chat.png", "docs/citation-docview.png", "docs/refusal.png"} <= set(pictures)
    for picture in pictures:
        path = PROJECT / picture
        assert path.exists(), picture
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size < 300_000, picture


def test_shape_parser() -> None:
    assert parse_shape('{"question", "hits": [{"id", "doc"}]}') == {"question": None, "hits": [{"id": None, "doc": None}]}
    assert parse_shape('{"clauses": [...], "after": [...]}') == {"clauses": [], "after": []}
    assert parse_shape('[{"id", "title"}]') == [{"id": None, "title": None}]
    check_shape({"question": "q", "hits": [{"id": 1, "doc": 2}]}, parse_shape('{"question", "hits": [{"id", "doc"}]}'))
    with pytest.raises(AssertionError):
        check_shape({"question": "q", "hits": [{"id": 1}]}, parse_shape('{"question", "hits": [{"id", "doc"}]}'))
    with pytest.raises(AssertionError):
        check_shape({"question": "q"}, parse_shape('{"question", "hits"}'))
    c = Command(1, 'A=1 rag compare 上市 --json   # {"topic", "rows": [{"region"}]}', None)
    assert c.argv == ["rag", "compare", "上市", "--json"] and comment_shape(c) == {"topic": None, "rows": [{"region": None}]}
    assert _comment_start('rag search "a # b"  # c') == 20
