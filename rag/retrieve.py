"""Hybrid retrieval: dense (FAISS) + BM25 (jieba), fused by reciprocal rank, with filters,
region awareness, clause-number lookup and near-duplicate suppression.

    search(index, "中关村十五条措施第六条讲的是什么？")      -> [Hit(第六条, why="lookup"), …]
    search(index, "北京对引进图灵奖获得者有什么支持", k=5)  -> the 十五条措施 第十二条 first
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from . import embed, lookup
from .config import check_question
from .errors import InputError
from .model import Clause, Hit
from .store import Index
from .text import expand_region_groups, norm, query_tokens

RRF_K = 60  # the usual reciprocal-rank constant: flattens the head so both lists matter
CANDIDATES = 60  # depth taken from each list before fusion
DENSE_WEIGHT = 1.0
BM25_WEIGHT = 1.3  # policy questions reuse the policies' own terms; 1.3-1.6 is a plateau on dev (R@5 .889 -> .935)
REGION_BOOST = 1.0 / RRF_K  # worth a top-rank vote: a question naming a city prefers that city's policies
DUPLICATE_JACCARD = 0.85

_REGION_SUFFIX = re.compile(r"(省|市|县|区|自治区|特别行政区)$")


@dataclass(frozen=True)
class Filters:
    """Narrow retrieval to a region ("北京市" or "北京") and/or a policy (id or name)."""

    region: str | None = None
    doc: str | None = None

    @classmethod
    def of(cls, value: Filters | dict[str, str | None] | None) -> Filters:
        if value is None:
            return cls()
        if isinstance(value, Filters):
            return value
        unknown = set(value) - {"region", "doc"}
        if unknown:
            raise InputError(f"unknown filter(s) {sorted(unknown)}: use region and/or doc")
        return cls(region=value.get("region") or None, doc=value.get("doc") or None)


def search(index: Index, question: str, k: int = 6, filters: Filters | dict[str, Any] | None = None) -> list[Hit]:
    """The k clauses that best answer `question`, best first."""
    question = check_question(question)
    if not 1 <= k <= 50:
        raise InputError(f"k must be between 1 and 50, got {k}")
    allowed = _allowed(index, Filters.of(filters))
    looked_up = _lookup(index, question, allowed)
    regions = mentioned_regions(index, question)
    if len(regions) >= 2 and _regions_unfiltered(filters):
        hits = _per_region(index, question, regions, k, allowed)
    else:
        hits = _fused(index, question, allowed, regions)
    return _dedupe(looked_up + [h for h in hits if h.clause.id not in {x.clause.id for x in looked_up}], k)


def _regions_unfiltered(filters: Filters | dict[str, Any] | None) -> bool:
    f = Filters.of(filters)
    return f.region is None and f.doc is None


def _fused(index: Index, question: str, allowed: np.ndarray | None, regions: list[str]) -> list[Hit]:
    dense = _dense(index, question, allowed)
    lexical = _bm25(index, question, allowed)
    boosted = _region_positions(index, regions)
    scores: dict[int, float] = {}
    for weight, ranked in ((DENSE_WEIGHT, dense), (BM25_WEIGHT, lexical)):
        for rank, (pos, _) in enumerate(ranked):
            scores[pos] = scores.get(pos, 0.0) + weight / (RRF_K + rank + 1)
    for pos in scores:
        if pos in boosted:
            scores[pos] += REGION_BOOST
    dense_of, lexical_of = dict(dense), dict(lexical)
    order = sorted(scores, key=lambda p: -scores[p])
    return [
        Hit(index.clauses[p], scores[p], _why(p, dense_of, lexical_of), dense_of.get(p, 0.0), lexical_of.get(p, 0.0))
        for p in order
    ]


def _why(pos: int, dense: dict[int, float], lexical: dict[int, float]) -> str:
    return "+".join(name for name, found in (("dense", pos in dense), ("bm25", pos in lexical)) if found)


def _per_region(index: Index, question: str, regions: list[str], k: int, allowed: np.ndarray | None) -> list[Hit]:
    """Comparison questions ("成渝两地…一样吗") get evidence from each place, interleaved."""
    per = []
    for region in regions:
        mask = _region_mask(index, region)
        if allowed is not None:
            mask &= allowed
        per.append(_fused(index, question, mask, [region]))
    out: list[Hit] = []
    for rank in range(max(len(p) for p in per)):
        out.extend(p[rank] for p in per if rank < len(p))
    return out


def _dense(index: Index, question: str, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    import faiss

    embedder = embed.get(index.embedder_id)
    vector = embedder.queries([question])
    depth = min(CANDIDATES, index.faiss_index.ntotal)
    params = None
    if allowed is not None:
        ids = np.flatnonzero(allowed).astype(np.int64)
        if not len(ids):
            return []
        params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(ids))  # type: ignore[call-arg]
        depth = min(depth, len(ids))
    if depth == 0:
        return []
    scores, positions = index.faiss_index.search(vector, depth, params=params)
    return [(int(p), float(s)) for p, s in zip(positions[0], scores[0]) if p >= 0]


def _bm25(index: Index, question: str, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    tokens = [t for t in query_tokens(question) if t in index.bm25.vocab_dict]
    if not tokens:
        return []
    scores = np.asarray(index.bm25.get_scores(tokens), dtype=np.float32)
    if allowed is not None:
        scores = np.where(allowed, scores, 0.0)
    depth = min(CANDIDATES, len(scores))
    top = np.argpartition(-scores, depth - 1)[:depth]
    top = top[np.argsort(-scores[top])]
    return [(int(p), float(scores[p])) for p in top if scores[p] > 0]


def _lookup(index: Index, question: str, allowed: np.ndarray | None) -> list[Hit]:
    """A question that names a clause ("中关村十五条措施第六条") gets that clause first."""
    _, ref = lookup.parse_ref(question)
    if ref is None:
        return []
    found = lookup.find(index.clauses, list(index.documents.values()), question)
    positions = [index.position(c.id) for c in found]
    return [
        Hit(index.clauses[p], 1.0, "lookup")
        for p in positions
        if p is not None and (allowed is None or allowed[p])
    ]


# ---------------------------------------------------------------- regions and filters


def region_aliases(region: str) -> set[str]:
    """Ways people name a region. Example: "北京市" -> {"北京市", "北京"}"""
    short = _REGION_SUFFIX.sub("", region)
    return {region, short} if len(short) >= 2 else {region}


def mentioned_regions(index: Index, question: str) -> list[str]:
    """Regions of the index the question names, in order of mention.

    Example: "成渝两地试验区2022年的目标一样吗" -> ["成都市", "重庆市"]
    """
    question = expand_region_groups(question)
    found: list[tuple[int, str]] = []
    for region in {d.region for d in index.documents.values() if d.region}:
        places = [question.find(a) for a in region_aliases(region) if a in question]
        if places:
            found.append((min(places), region))
    return [r for _, r in sorted(found)]


def _region_positions(index: Index, regions: Iterable[str]) -> set[int]:
    wanted = set(regions)
    return {i for i, c in enumerate(index.clauses) if c.region in wanted}


def _region_mask(index: Index, region: str) -> np.ndarray:
    names = region_aliases(region)
    match = {r for r in {d.region for d in index.documents.values() if d.region} if names & region_aliases(r)}
    if not match:  # the input is not repeated back: the caller knows it, and it may be anything
        raise InputError(f"no policy in the index is from that region; known regions: {'、'.join(regions(index))}")
    return np.array([c.region in match for c in index.clauses], dtype=bool)


def regions(index: Index) -> list[str]:
    """Regions present in the index, sorted."""
    return sorted({d.region for d in index.documents.values() if d.region})


def resolve_doc(index: Index, name: str) -> str:
    """Document id for an id, an exact title, or an abbreviation that fits one policy clearly: at least
    75% of its character pairs in that title, and a clear lead over any other title that fits as well.
    InputError, listing the candidates (or every policy), when none or several fit.

    Example: "中关村十五条措施" -> the 十五条措施's id; "人工智能" (fits every title) -> InputError
    """
    if name in index.documents:
        return name
    docs = list(index.documents.values())
    exact = [d.id for d in docs if re.sub("[《》]", "", norm(d.title)) == re.sub("[《》]", "", norm(name))]
    if len(exact) == 1:
        return exact[0]
    wanted = lookup._bigrams(name)
    strong = [d for d in docs if wanted and len(wanted & lookup._bigrams(d.title)) >= 0.75 * len(wanted)]
    ranked = sorted(((lookup._score(name, d.title, d.region), d.id) for d in strong), reverse=True)
    if len(ranked) == 1 or (len(ranked) > 1 and ranked[0][0] >= ranked[1][0] + 0.25):
        return ranked[0][1]
    shown = [index.documents[i] for _, i in ranked] or docs
    titles = "；".join(f"《{d.title}》" for d in shown[:40]) + ("；…" if len(shown) > 40 else "")
    what = "fits several policies" if ranked else "matches no policy"
    raise InputError(f"that policy name {what}; give its id or full title (`rag docs` lists them): {titles}")


def _allowed(index: Index, filters: Filters) -> np.ndarray | None:
    mask: np.ndarray | None = None
    if filters.region:
        mask = _region_mask(index, filters.region)
    if filters.doc:
        doc_id = resolve_doc(index, filters.doc)
        doc_mask = np.array([c.doc_id == doc_id for c in index.clauses], dtype=bool)
        mask = doc_mask if mask is None else mask & doc_mask
    return mask


# ---------------------------------------------------------------- duplicates


def _shingles(text: str, n: int = 4) -> set[str]:
    t = norm(text)
    return {t[i : i + n] for i in range(max(1, len(t) - n + 1))}


def _dedupe(hits: list[Hit], k: int) -> list[Hit]:
    """Best-first hits without near-copies (a policy and its 实施细则 repeat some texts)."""
    kept: list[Hit] = []
    seen: list[set[str]] = []
    for hit in hits:
        sh = _shingles(hit.clause.text)
        if any(len(sh & s) / max(1, len(sh | s)) >= DUPLICATE_JACCARD for s in seen):
            continue
        kept.append(hit)
        seen.append(sh)
        if len(kept) == k:
            break
    return kept


# ---------------------------------------------------------------- LangChain retriever


class PolicyRetriever(BaseRetriever):
    """LangChain retriever over the index: `PolicyRetriever(index=idx).invoke("问题")`.

    Each LangChain Document carries the clause text as page_content and, in metadata, the clause
    (as JSON), its citation and the scores.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)
    index: Any
    k: int = 6
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [to_langchain(h) for h in search(self.index, query, self.k, self.filters)]


def to_langchain(hit: Hit) -> LCDocument:
    c = hit.clause
    meta = {"clause": c.to_json(), "citation": c.citation, "score": hit.score, "why": hit.why,
            "dense": hit.dense, "lexical": hit.lexical}
    return LCDocument(page_content=c.text, metadata=meta, id=c.id)


def from_langchain(doc: LCDocument) -> Hit:
    m = doc.metadata
    return Hit(Clause.from_json(m["clause"]), m["score"], m.get("why", ""), m.get("dense", 0.0), m.get("lexical", 0.0))
