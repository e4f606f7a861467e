"""Choosing a sentence-transformers embedder: a model that is not on this machine fails at once, with
the message that says what to do, before sentence-transformers (and torch) is even imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rag import embed
from rag.errors import RagError

PROJECT = Path(__file__).resolve().parent.parent


class FakeModel:
    def get_embedding_dimension(self) -> int:
        return 8


@pytest.fixture
def hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Hugging Face cache, and a loader that records how it was called."""
    cache = tmp_path / "hub"
    cache.mkdir()
    monkeypatch.setattr(embed, "_hub_cache", lambda: cache)
    monkeypatch.setattr(embed, "_CACHE", {})
    return cache


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    calls: list[tuple[str, bool]] = []

    def load(name: str, local_only: bool = True) -> Any:
        calls.append((name, local_only))
        return FakeModel()

    monkeypatch.setattr(embed, "_load_sentence_transformer", load)
    return calls


def cache_model(cache: Path, repo: str) -> None:
    """Lay out `repo` in the cache the way huggingface_hub's snapshot_download does."""
    root = cache / ("models--" + repo.replace("/", "--"))
    (root / "refs").mkdir(parents=True)
    (root / "refs" / "main").write_text("abc123")
    snapshot = root / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    (snapshot / "modules.json").write_text("[]")


@pytest.mark.parametrize("offline", [None, "1"])
def test_a_model_missing_from_the_cache_fails_before_loading_anything(
    hub_cache: Path, loads: list[tuple[str, bool]], monkeypatch: pytest.MonkeyPatch, offline: str | None
) -> None:
    if offline is None:
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # even without the app's offline switch
    else:
        monkeypatch.setenv("HF_HUB_OFFLINE", offline)
    with pytest.raises(RagError, match="not in the local Hugging Face cache") as error:
        embed.get("BAAI/bge-small-zh-v1.5")
    assert "unset RAG_EMBEDDER" in str(error.value) and "BAAI/bge-small-zh-v1.5" in str(error.value)
    assert loads == []


@pytest.mark.parametrize("name", ["./no/such/model", "/no/such/model-dir", "~/no-such-model-dir"])
def test_a_missing_model_directory_is_named(hub_cache: Path, loads: list[tuple[str, bool]], name: str) -> None:
    with pytest.raises(RagError, match="no model directory"):
        embed.get(name)
    assert loads == []


def test_a_cached_model_loads_offline(hub_cache: Path, loads: list[tuple[str, bool]]) -> None:
    cache_model(hub_cache, "BAAI/bge-small-zh-v1.5")
    assert embed.get("BAAI/bge-small-zh-v1.5").dim == 8
    assert loads == [("BAAI/bge-small-zh-v1.5", True)]


def test_a_short_name_is_found_under_sentence_transformers(hub_cache: Path, loads: list[tuple[str, bool]]) -> None:
    cache_model(hub_cache, "sentence-transformers/all-MiniLM-L6-v2")
    embed.get("all-MiniLM-L6-v2")
    assert loads == [("all-MiniLM-L6-v2", True)]


def test_a_local_directory_loads_offline(hub_cache: Path, loads: list[tuple[str, bool]], tmp_path: Path) -> None:
    model_dir = tmp_path / "bge-small-zh"
    model_dir.mkdir()
    embed.get(str(model_dir))
    assert loads == [(str(model_dir), True)]


def test_hub_downloads_only_when_asked_for(
    hub_cache: Path, loads: list[tuple[str, bool]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    embed.get("BAAI/bge-m3")
    assert loads == [("BAAI/bge-m3", False)]


def test_failing_fast_never_imports_sentence_transformers(tmp_path: Path) -> None:
    """In a fresh process, as `rag index` would meet it: the error comes before the ~10 s import."""
    code = (
        "import sys\n"
        "from rag import embed\n"
        "from rag.errors import RagError\n"
        "try:\n"
        "    embed.get('no-such-org/no-such-model')\n"
        "except RagError as exc:\n"
        "    print('error:', exc)\n"
        "print('imported:', 'sentence_transformers' in sys.modules or 'torch' in sys.modules)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_CACHE": str(tmp_path), "PYTHONPATH": str(PROJECT)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=PROJECT, timeout=60, check=False
    )
    assert "error: cannot load embedding model 'no-such-org/no-such-model'" in proc.stdout, proc.stderr
    assert "imported: False" in proc.stdout
