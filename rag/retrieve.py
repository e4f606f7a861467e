"""Hybrid retrieval: dense + BM25 (jieba), fused by reciprocal rank, with filters,
region awareness, clause-number lookup and near-duplicate suppression. The two ranked lists come from
the index's search store (rag/search_store.py: FAISS in process, or Milvus), asked for the clauses a
Scope admits: filters and the question's scope become Scopes, which Milvus receives as filter expressions.

    search(index, "中关村十五条措施第六条讲的是什么？")      -> [Hit(第六条, why="lookup"), …]
    search(index, "北京对引进图灵奖获得者有什么支持", k=5)  -> the 十五条措施 第十二条 first
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from . import embed, lookup, places
from .config import check_question
from .errors import InputError
from .model import Clause, Hit
from .question import Question, analyse
from .search_store import Query, Scope
from .store import Index
from .text import norm, query_tokens, tokenize_exact

RRF_K = 60  # the usual reciprocal-rank constant: flattens the head so both lists matter
CANDIDATES = 60  # depth taken from each list before fusion
DENSE_WEIGHT = 1.0
BM25_WEIGHT = 1.3  # policy questions reuse the policies' own terms; 1.3-1.6 is a plateau on dev (R@5 .889 -> .935)
QUERY_EMBED_CHARS = 160  # questions people type are under 100 characters
MAX_REGIONS = 8  # places searched one by one for a comparison; a question naming more is searched for these
DUPLICATE_JACCARD = 0.85


@dataclass(frozen=True)
class Filters:
    """Narrow retrieval to a region ("北京市" or "北京"), a policy (id or name) and/or the policies issued
    in a year."""

    region: str | None = None
    doc: str | None = None
    year: int | None = None

    @classmethod
    def of(cls, value: Filters | dict[str, Any] | None) -> Filters:
        if value is None:
            return cls()
        if isinstance(value, Filters):
            return value
        unknown = set(value) - {"region", "doc", "year"}
        if unknown:
            raise InputError(f"unknown filter(s) {sorted(unknown)}: use region, doc and/or year")
        return cls(region=value.get("region") or None, doc=value.get("doc") or None, year=_year(value.get("year")))


def _year(value: Any) -> int | None:
    """A year filter as an int. Example: "2022" -> 2022; None or "" -> None; "明年" -> InputError"""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        raise InputError(f"the year filter must be a year such as 2022, got {value!r}")
    return int(text)


def search(
    index: Index,
    question: str,
    k: int = 6,
    filters: Filters | dict[str, Any] | None = None,
    *,
    analysis: Question | None = None,
    scores: Scores | None = None,
) -> list[Hit]:
    """The k clauses that best answer `question`, best first, from the policies it names.

    A question that names places or policies is searched within them (each named place on its own for a
    comparison); a clause it names comes first. The question is embedded once, whatever it names; a
    caller that searches it elsewhere too passes its `scores` (the vector and the BM25 scores, once).
    """
    question = check_question(question)
    if not 1 <= k <= 50:
        raise InputError(f"k must be between 1 and 50, got {k}")
    allowed = _allowed(index, Filters.of(filters))
    q = analysis if analysis is not None else analyse(question, index.catalog)
    scores = scores if scores is not None else Scores(index, question, query_vector(index, question))
    looked_up = _lookup(index, q, allowed)
    if _regions_unfiltered(filters) and (len(q.regions) >= 2 or q.comparison and len(q.policies) >= 2):
        hits = _per_region(scores, q, allowed)
    else:
        scope = allowed if not _regions_unfiltered(filters) else _and(allowed, scope_of(q.scope))
        hits = fused(scores, scope)
    looked_up += _openings(index, q, allowed)
    if not looked_up:
        looked_up = _definitions(index, q, allowed)
    seen = {h.clause.id for h in looked_up}
    return _dedupe(looked_up + [h for h in hits if h.clause.id not in seen], k)


def _openings(index: Index, q: Question, allowed: Scope | None) -> list[Hit]:
    """For a question asking how a policy it names opens ("那份总规 开篇怎么说"), that policy's opening, as a
    clause named is looked up: its last preamble (序言), the plan's own after the notice that issues it
    ("…关于印发…的通知"); [] for other questions, or a policy with no preamble."""
    if not q.asks_opening or len(q.policies) != 1:
        return []
    preambles = [c for c in index.clauses_of(q.policies[0]) if c.ref == "序言" and (allowed is None or allowed.admits(c))]
    return [Hit(max(preambles, key=lambda c: c.span[0]), 1.0, "lookup")] if preambles else []


def _definitions(index: Index, q: Question, allowed: Scope | None) -> list[Hit]:
    """For a question asking what a term means that a policy in its scope defines ("武汉细则 人工智能产品具体
    指哪些"), the clause defining it, as a clause named is looked up; [] for other questions."""
    scope = set(q.scope)
    defined = [d for d in index.definitions() if (not scope or d[1].doc_id in scope) and (allowed is None or allowed.admits(d[1]))]
    found = dict.fromkeys(clause.id for clause, _ in lookup.defined_asked(q.text, defined))
    return [Hit(c, 1.0, "definition") for cid in found if (c := index.clause(cid)) is not None]


def query_vector(index: Index, question: str) -> np.ndarray:
    """The question's one embedding, (1, dim), of at most QUERY_EMBED_CHARS characters (see `embedded`)."""
    return np.asarray(embed.get(index.embedder_id).queries([embedded(question)]), dtype=np.float32).reshape(1, -1)


def embedded(question: str) -> str:
    """What is embedded for a question: itself (a city's other name written as its usual one: 蓉城 -> 成都),
    or for a long one its words each once, cut to
    QUERY_EMBED_CHARS (embedding time grows with length: a 2,000-character question took ~100 times a
    normal one, all of it in the embedder).

    Example: embedded("北京和上海和北京和上海……（2,000字）有什么补贴？") -> "北京和上海有什么补贴？"
    """
    question = places.usual_names(question)
    if len(question) <= QUERY_EMBED_CHARS:
        return question
    words = dict.fromkeys(tokenize_exact(question))
    return "".join(words)[:QUERY_EMBED_CHARS]


class Scores:
    """One question against the index, shared by every place it is searched in: the query vector and
    tokens, with what the search store keeps per question (the in-process BM25 scores of all clauses).

    Example: s = Scores(index, "算力补贴", v); fused(s, scope_of_beijing); fused(s, scope_of_shanghai)
    """

    def __init__(self, index: Index, question: str, vector: np.ndarray) -> None:
        self.index = index
        self.question = question
        self.query = Query(vector, query_tokens(places.usual_names(question)))
        self.vector = self.query.vector


def _regions_unfiltered(filters: Filters | dict[str, Any] | None) -> bool:
    f = Filters.of(filters)
    return f.region is None and f.doc is None


def _and(a: Scope | None, b: Scope | None) -> Scope | None:
    if a is None or b is None:
        return a if b is None else b
    return a & b


def scope_of(doc_ids: Iterable[str]) -> Scope | None:
    """Clauses of the given policies; None (everything) for no policies."""
    wanted = frozenset(doc_ids)
    return Scope(docs=wanted) if wanted else None


def fused(scores: Scores, allowed: Scope | None) -> list[Hit]:
    """Dense and BM25 ranks fused by reciprocal rank, among the allowed clauses (all when None)."""
    index = scores.index
    if allowed is not None and allowed.empty:
        return []
    dense, lexical = index.search_store.ranked(scores.query, allowed, CANDIDATES)
    fusion: dict[int, float] = {}
    for weight, ranked in ((DENSE_WEIGHT, dense), (BM25_WEIGHT, lexical)):
        for rank, (pos, _) in enumerate(ranked):
            fusion[pos] = fusion.get(pos, 0.0) + weight / (RRF_K + rank + 1)
    dense_of, lexical_of = dict(dense), dict(lexical)
    order = sorted(fusion, key=lambda p: -fusion[p])
    return [
        Hit(index.clauses[p], fusion[p], _why(p, dense_of, lexical_of), dense_of.get(p, 0.0), lexical_of.get(p, 0.0))
        for p in order
    ]


def _why(pos: int, dense: dict[int, float], lexical: dict[int, float]) -> str:
    return "+".join(name for name, found in (("dense", pos in dense), ("bm25", pos in lexical)) if found)


def _per_region(scores: Scores, q: Question, allowed: Scope | None) -> list[Hit]:
    """Comparison questions ("成渝两地…一样吗", "湖北规划和实施意见分别…") get evidence from each place (or each
    policy of one place) named, interleaved; every one reuses the one query vector, and at most MAX_REGIONS
    are searched."""
    if len(q.regions) >= 2:
        # a place's own named policies ("长沙的三年行动计划跟郑州的产业规划"), else all its policies
        groups = [tuple(d for d in q.policies if d in p.docs) or p.docs for p in q.known_places]
    else:
        groups = [(d,) for d in q.policies]
    per = []
    for docs in groups[:MAX_REGIONS]:
        per.append(fused(scores, _and(allowed, scope_of(docs))))
    out: list[Hit] = []
    for rank in range(max((len(p) for p in per), default=0)):
        out.extend(p[rank] for p in per if rank < len(p))
    return out


def outside(scores: Scores, doc_ids: Sequence[str], k: int) -> list[Hit]:
    """The k best clauses outside the given policies: what other places provide."""
    excluded = frozenset(doc_ids)
    return fused(scores, Scope(not_docs=excluded) if excluded else None)[:k]


def by_region(scores: Scores, regions: Sequence[str], depth: int, written: str = "") -> dict[str, list[Hit]]:
    """The best `depth` clauses of each region, for questions that ask which places provide something.
    `written`: the phrase the question is most specifically about (`written_phrase`); a region's best ranked
    clauses that write it come too (`depth` more at most), when no more than half the regions write it. A long clause naming
    机器翻译 among a dozen techniques ranks below a region's short clauses that share the question's other
    words.

    Example: by_region(scores, ["北京市", "上海市"], 3) -> {"北京市": [Hit…], "上海市": [Hit…]}
    """
    index = scores.index
    plain = index.plain_texts() if written else []
    if written and 2 * len({c.region for c, text in zip(index.clauses, plain) if written in text}) > len(regions):
        written = ""  # a word most places write (团队, 电力) says nothing of which ones provide what is asked
    out = {}
    for region in regions:
        ranked = fused(scores, _region_scope(index, region))
        writing = [h for h in ranked[depth:] if (at := index.position(h.clause.id)) is not None and written in plain[at]] if written else []
        out[region] = ranked[:depth] + writing[:depth]
    return out


PHRASE_WORDS = 3  # topic words a phrase around the most specific one may join


def written_phrase(index: Index, q: Question, word: str) -> str:
    """The longest phrase of the question's topic words around `word` (its most specific), as the question
    writes them together, that some clause writes: "机器阅读" for "哪些地方在做机器阅读", whose most
    specific word 阅读 alone is written by 智慧阅读 too. `word` itself when no longer phrase is written; ""
    for a single character, which every policy writes.

    Example: written_phrase(index, analyse("哪些地方在做机器阅读", catalog), "阅读") -> "机器阅读"
    """
    word = word.lower()
    if len(word) < 2:
        return ""
    words = [w.lower() for w in q.topic.split()]
    said = re.sub(r"\s+", "", norm(q.text)).lower()
    plain = index.plain_texts()
    found = word
    for at in (n for n, w in enumerate(words) if w == word):
        for start in range(max(0, at - PHRASE_WORDS + 1), at + 1):
            for end in range(at + 1, min(len(words), start + PHRASE_WORDS) + 1):
                phrase = "".join(words[start:end])
                if len(phrase) > len(found) and phrase in said and any(phrase in text for text in plain):
                    found = phrase
    return found


def _lookup(index: Index, q: Question, allowed: Scope | None) -> list[Hit]:
    """A question that names a clause ("中关村十五条措施第六条") gets that clause first."""
    positions = [index.position(c.id) for c in resolve_ref(index, q)]
    return [
        Hit(index.clauses[p], 1.0, "lookup")
        for p in positions
        if p is not None and (allowed is None or allowed.admits(index.clauses[p]))
    ]


def resolve_ref(index: Index, q: Question) -> list[Clause]:
    """The clauses a question's clause reference names, within the policies it names; [] when it names
    none or the reference does not resolve (第十六条 of a fifteen-article policy)."""
    if q.ref is None:
        return []
    if q.scope:
        for doc_id in q.scope:
            if found := lookup.resolve(index.clauses_of(doc_id), q.ref, q.text):
                return found
        return []
    return lookup.find(index.clauses, list(index.documents.values()), q.text)


# ---------------------------------------------------------------- regions and filters


def match_regions(index: Index, name: str) -> list[str]:
    """The index's regions a name as written stands for, in `regions` order; [] when none.

    Example: "北京" -> ["北京市"]; "厦门" -> []
    """
    names = places.aliases(name.strip())
    return [r for r in regions(index) if names & places.aliases(r)]


def _region_scope(index: Index, region: str) -> Scope:
    match = match_regions(index, region)
    if not match:  # the input is not repeated back: the caller knows it, and it may be anything
        raise InputError(f"no policy in the index is from that region; known regions: {'、'.join(regions(index))}")
    return Scope(regions=frozenset(match))


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
    wanted = lookup.bigrams(name)
    strong = [d for d in docs if wanted and len(wanted & lookup.bigrams(d.title)) >= 0.75 * len(wanted)]
    ranked = sorted(((lookup.score(name, d.title, d.region), d.id) for d in strong), reverse=True)
    if len(ranked) == 1 or (len(ranked) > 1 and ranked[0][0] >= ranked[1][0] + 0.25):
        return ranked[0][1]
    shown = [index.documents[i] for _, i in ranked] or docs
    titles = "；".join(f"《{d.title}》" for d in shown[:40]) + ("；…" if len(shown) > 40 else "")
    what = "fits several policies" if ranked else "matches no policy"
    raise InputError(f"that policy name {what}; give its id or full title (`rag docs` lists them): {titles}")


def _allowed(index: Index, filters: Filters) -> Scope | None:
    scope: Scope | None = None
    if filters.region:
        scope = _region_scope(index, filters.region)
    if filters.doc:
        scope = _and(scope, Scope(docs=frozenset({resolve_doc(index, filters.doc)})))
    if filters.year:
        scope = _and(scope, Scope(years=frozenset({filters.year})))
    return scope


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
