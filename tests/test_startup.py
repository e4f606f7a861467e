"""Errors at the edges come at once and say one thing: a bad question before anything loads, a
half-configured LLM as a warning at start, a taken port as one line."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from rag import cli
from rag.config import Settings

LLM_WARNING = "RAG_LLM_BASE_URL is set but RAG_LLM_MODEL is not"
PROJECT = Path(__file__).resolve().parent.parent


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


# ---------------------------------------------------------------- app.py


def run_app(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "GRADIO_SERVER"))}
    base.update({"GRADIO_TEMP_DIR": str(tmp_path / "gradio"), "PYTHONPATH": str(PROJECT)}, **env)
    return subprocess.run([sys.executable, "app.py"], cwd=PROJECT, env=base, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


def test_a_taken_port_is_one_line_and_exit_1(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run_app(tmp_path, GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(port))
    assert proc.returncode == 1
    assert proc.stdout == ""  # no URL that would not work
    assert proc.stderr.strip().splitlines() == [
        f"app: port {port} on 127.0.0.1 is taken: stop the program using it or set GRADIO_SERVER_PORT"
    ]


def test_the_app_warns_about_an_llm_endpoint_without_a_model(tmp_path: Path) -> None:
    from http_app import free_port

    proc = run_app(tmp_path, GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(free_port()),
                   RAG_LLM_BASE_URL="http://127.0.0.1:9/v1", RAG_WORKERS="0")  # fmt: skip
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    warning, error = proc.stderr.strip().splitlines()  # warned at start, then stopped on the bad RAG_WORKERS
    assert LLM_WARNING in warning and "RAG_WORKERS must be between 1 and 256" in error
