"""The `rag` command-line contract (other tooling parses this output)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from rag import cli

HIT_KEYS = {"id", "doc", "path", "number", "region", "text", "score", "source"}


def run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], input=stdin, capture_output=True, text=True, check=False,
                          timeout=120)


def test_search_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["search", "--json", "-k", "3", "北京对引进图灵奖获得者有什么支持"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["question"] == "北京对引进图灵奖获得者有什么支持"
    assert len(out["hits"]) == 3 and set(out["hits"][0]) == HIT_KEYS
    assert out["hits"][0]["number"] == "第十二条" and out["hits"][0]["region"] == "北京市"


def test_search_stdin_mode_one_object_per_line(monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("中关村十五条措施第六条\n   \n" + "长" * 2001 + "\n湖北要不要建数据交易所？\n"))
    assert cli.main(["search", "-k", "2", "-"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(lines) == 4
    assert lines[0]["hits"][0]["number"] == "第六条"
    assert "empty" in lines[1]["error"] and "2000" in lines[2]["error"]
    assert len(lines[3]["hits"]) == 2


def test_ask_stdin_mode_contract(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("湖北到2027年人工智能产业规模要做到多少？\n\n"))
    assert cli.main(["ask", "-"]) == 0
    first, second = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert set(first) == {"question", "answer", "refused", "mode", "citations"}
    assert first["mode"] == "extractive" and not first["refused"] and "[1]" in first["answer"]
    assert {c["n"] for c in first["citations"]} == {int(n) for n in __import__("re").findall(r"\[(\d+)\]", first["answer"])}
    assert "error" in second


@pytest.mark.parametrize("question", ["", "  ", "问" * 2001])
def test_bad_question_exits_2_with_a_message(question: str) -> None:
    proc = run(["search", question])
    assert proc.returncode == 2
    assert proc.stderr.startswith("rag: the question") and "Traceback" not in proc.stderr


def test_docs_lists_36_policies(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["docs", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 36
    assert sum(r["region"] == "湖北省" for r in rows) == 2
    assert all(r["clauses"] > 0 for r in rows)


def test_cite_by_typed_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["cite", "湖北省总体规划", "二（一）1"]) == 0
    out = capsys.readouterr().out
    assert "预测性维护" in out and "二、" in out and "—— 下一条 ——" in out


def test_cite_unknown_reference_is_a_usage_error() -> None:
    proc = run(["cite", "不存在的办法 第九十九条"])
    assert proc.returncode == 2 and "no clause matches" in proc.stderr


def test_index_reports_unsupported_file_and_keeps_going(tmp_path, fake_embedder, tiny_corpus,  # type: ignore[no-untyped-def]
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(tiny_corpus))
    monkeypatch.setenv("RAG_EMBEDDER", fake_embedder.id)
    bad, good = tmp_path / "slides.pptx", tmp_path / "新办法.txt"
    bad.write_bytes(b"not supported")
    good.write_text("新办法\n\n第一条 对人工智能企业给予奖励。\n", encoding="utf-8")
    assert cli.main(["index", str(bad), str(good)]) == 1
    captured = capsys.readouterr()
    assert "slides.pptx" in captured.err and "added 新办法.txt: 1 clauses" in captured.out
    assert "indexed" in captured.out
