"""Errors at the edges come at once and say one thing: a bad question before anything loads, a
half-configured LLM as a warning at start, a taken port as one line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from rag import cli
from rag.config import Settings

LLM_WARNING = "RAG_LLM_BASE_URL is set but RAG_LLM_MODEL is not"


@pytest.fixture
def no_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings pointing at an index that does not exist: loading anything would fail with exit 1."""
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "missing-index"))
    monkeypatch.setenv("RAG_CORPUS_DIR", str(tmp_path / "missing-corpus"))
    monkeypatch.delenv("RAG_LLM_BASE_URL", raising=False)
    return tmp_path


@pytest.mark.parametrize("command", ["ask", "search"])
@pytest.mark.parametrize(("question", "message"), [("", "empty"), ("   ", "empty"), ("问" * 2001, "2000")])
def test_a_bad_question_is_rejected_before_the_index_loads(
    no_index: Path, capsys: pytest.CaptureFixture[str], command: str, question: str, message: str
) -> None:
    assert cli.main([command, question]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("rag: the question") and message in err


def test_the_missing_index_is_what_a_good_question_meets(no_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The check above is meaningful: with a valid question, the same settings do try to load."""
    assert cli.main(["search", "北京对引进图灵奖获得者有什么支持"]) == cli.EXIT_ERROR
    assert "the question" not in capsys.readouterr().err


def test_an_llm_endpoint_without_a_model_is_warned_about(
    no_index: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("RAG_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.delenv("RAG_LLM_MODEL", raising=False)
    with caplog.at_level(logging.WARNING):
        cli.main(["ask", ""])
    assert LLM_WARNING in caplog.text and "RAG_LLM_MODEL" in caplog.text


def test_complete_llm_settings_give_no_warning() -> None:
    assert Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="qwen-plus").warnings() == []
    assert Settings().warnings() == []
    assert LLM_WARNING in Settings(llm_base_url="http://127.0.0.1:9/v1").warnings()[0]
