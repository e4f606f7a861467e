"""The search store under retrieval (RAG_STORE): the dense and the lexical top-k among the clauses a Scope
admits, as (clause position, score) lists in index.clauses order. rag/retrieve.py fuses the two lists by
reciprocal rank; everything above it (clause lookup, the answer layer) reads the local index directory
and does not know which store answered.

    faiss   FaissStore, the default: FAISS (flat or HNSW) for the dense list and bm25s over jieba tokens
            for the lexical one, in this process
    milvus  rag/milvus.py: one Milvus collection with a dense vector field, a sparse BM25 field built
            here from the same jieba tokens (rag/sparse.py) and the filter fields doc_id, region, year

    store = open_store(settings, index)
    dense, lexical = store.ranked(Query(vector, tokens), Scope(docs=frozenset({"004_…-02"})), 60)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .model import Clause

if TYPE_CHECKING:
    from .config import Settings
    from .store import Index

Ranked = list[tuple[int, float]]  # (position in index.clauses, score), best first


@dataclass(frozen=True)
class Scope:
    """Which clauses a search may return: every condition set holds (None sets no condition).

    Example: Scope(docs=frozenset({"a", "b"})) & Scope(regions=frozenset({"北京市"})) -> the clauses of
    policies a and b that are from 北京市; Scope(not_docs=frozenset({"a"})) -> every clause outside policy a.
    Milvus receives it as a filter expression (doc_id in [...] and region in [...]), FAISS as a mask.
    """

    docs: frozenset[str] | None = None
    regions: frozenset[str] | None = None
    years: frozenset[int] | None = None
    not_docs: frozenset[str] = frozenset()

    def __and__(self, other: Scope) -> Scope:
        return Scope(
            _meet(self.docs, other.docs),
            _meet(self.regions, other.regions),
            _meet(self.years, other.years),
            self.not_docs | other.not_docs,
        )

    @property
    def empty(self) -> bool:
        """Whether no clause can match: a condition with no value, or every allowed policy excluded."""
        if any(values is not None and not values for values in (self.docs, self.regions, self.years)):
            return True
        return self.docs is not None and self.docs <= self.not_docs

    def admits(self, clause: Clause) -> bool:
        return self.admits_fields(clause.doc_id, clause.region, clause.year)

    def admits_fields(self, doc_id: str, region: str | None, year: int | None) -> bool:
        return (
            (self.docs is None or doc_id in self.docs)
            and (self.regions is None or region in self.regions)
            and (self.years is None or year in self.years)
            and doc_id not in self.not_docs
        )

    def mask(self, clauses: Sequence[Clause]) -> np.ndarray:
        """The clauses it admits, as a boolean array in clause order."""
        return np.fromiter((self.admits(c) for c in clauses), dtype=bool, count=len(clauses))


def _meet(a: frozenset[Any] | None, b: frozenset[Any] | None) -> frozenset[Any] | None:
    if a is None or b is None:
        return a if b is None else b
    return a & b


class Query:
    """One question as a store sees it: its vector, (1, dim), and its tokens (rag.text.query_tokens).
    `memo` keeps a store's per-question work (the in-process BM25 scores of every clause) across the
    several scopes one question is searched in."""

    __slots__ = ("memo", "tokens", "vector")

    def __init__(self, vector: np.ndarray, tokens: Sequence[str]) -> None:
        self.vector = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        self.tokens = list(tokens)
        self.memo: dict[str, Any] = {}


class SearchStore(Protocol):
    """What retrieval asks of a store. Positions index the loaded index's clauses; a store never
    returns a clause the scope does not admit, nor one the local index does not hold."""

    kind: str

    def dense(self, query: Query, scope: Scope | None, depth: int) -> Ranked: ...

    def lexical(self, query: Query, scope: Scope | None, depth: int) -> Ranked: ...

    def ranked(self, query: Query, scope: Scope | None, depth: int) -> tuple[Ranked, Ranked]:
        """Both lists in one call (a remote store may send both requests at once)."""
        ...


class FaissStore:
    """Dense search in the index's FAISS vectors, BM25 with bm25s over its clause tokens, in this process."""

    kind = "faiss"

    def __init__(self, index: Index) -> None:
        self.index = index
        self._groups: list[tuple[str, str | None, int | None, np.ndarray]] | None = None
        self._scoped: dict[Scope, np.ndarray] = {}

    def positions(self, scope: Scope) -> np.ndarray:
        """Positions of the clauses a scope admits, in order: decided once per (policy, region, year)
        group rather than once per clause, so a search within one policy costs the same at any size.

        Example: positions(Scope(docs=frozenset({"a"}))) -> array([0, 1, 2]) when policy a has clauses 0-2
        """
        if self._groups is None:
            grouped: dict[tuple[str, str | None, int | None], list[int]] = {}
            for i, c in enumerate(self.index.clauses):
                grouped.setdefault((c.doc_id, c.region, c.year), []).append(i)
            self._groups = [(d, r, y, np.asarray(p, dtype=np.int64)) for (d, r, y), p in grouped.items()]
        if scope not in self._scoped:  # a question searches its scopes with both lists; scopes recur
            if len(self._scoped) >= 256:
                self._scoped.clear()
            kept = [p for d, r, y, p in self._groups if scope.admits_fields(d, r, y)]
            self._scoped[scope] = np.sort(np.concatenate(kept)) if kept else np.zeros(0, dtype=np.int64)
        return self._scoped[scope]

    def dense(self, query: Query, scope: Scope | None, depth: int) -> Ranked:
        import faiss

        vectors = self.index.faiss_index
        depth = min(depth, vectors.ntotal)
        params = None
        if scope is not None:
            ids = self.positions(scope)
            if not len(ids):
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(ids))  # type: ignore[call-arg]
            depth = min(depth, len(ids))
        if depth == 0:
            return []
        scores, positions = vectors.search(query.vector, depth, params=params)
        return [(int(p), float(s)) for p, s in zip(positions[0], scores[0]) if p >= 0]

    def lexical(self, query: Query, scope: Scope | None, depth: int) -> Ranked:
        every = self._bm25(query)
        ids = self.positions(scope) if scope is not None else None
        scores = every if ids is None else every[ids]
        depth = min(depth, len(scores))
        if depth == 0:
            return []
        top = np.argpartition(-scores, depth - 1)[:depth]
        top = top[np.argsort(-scores[top], kind="stable")]
        at = top if ids is None else ids[top]
        return [(int(p), float(s)) for p, s in zip(at, scores[top]) if s > 0]

    def ranked(self, query: Query, scope: Scope | None, depth: int) -> tuple[Ranked, Ranked]:
        return self.dense(query, scope, depth), self.lexical(query, scope, depth)

    def _bm25(self, query: Query) -> np.ndarray:
        """BM25 scores of every clause, once per question."""
        if "bm25" not in query.memo:
            bm25 = self.index.bm25
            tokens = [t for t in query.tokens if t in bm25.vocab_dict]
            n = len(self.index.clauses)
            query.memo["bm25"] = (
                np.asarray(bm25.get_scores(tokens), dtype=np.float32) if tokens else np.zeros(n, np.float32)
            )
        scores: np.ndarray = query.memo["bm25"]
        return scores


def open_store(settings: Settings, index: Index) -> SearchStore:
    """The store RAG_STORE names, over a loaded index. Milvus is imported only when it is the one chosen."""
    if settings.store == "milvus":
        from . import milvus

        return milvus.open_store(settings, index)
    return FaissStore(index)
