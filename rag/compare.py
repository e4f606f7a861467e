"""Compare what places provide on one topic: one row per (region, clause) that states a measure on it.

    rows(index, "算力")                       -> [Row(region="北京市", citation="《…十五条措施》第三条",
                                                   amounts=("最高1000万元",), status="未知", …), …]
    rows(index, "赛事/挑战赛", ["北京", "成都"])  -> the rows of those two regions only
    to_csv(rows(index, "上市"))               -> "地区,政策,条款,…\\r\\n北京市,…"

Each region is searched on its own (dense and BM25 retrieval restricted to its clauses, fused as
rag.retrieve fuses them), so a region is never crowded out by another's better matches. Every clause of the region that
carries a measure (rag.measures) whose sentence — or the text leading up to it, or the clause's
heading — names the topic becomes a row; retrieval only orders the rows. A row's amounts are the
measure's quantities as written, so each stands verbatim in the row's clause text.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from . import retrieve
from .errors import InputError
from .model import Clause, Measure
from .search_store import Scope
from .store import Index
from .text import tokenize

log = logging.getLogger(__name__)

MAX_TOPIC_CHARS = 60
# Words policies use for a topic people name differently. General usage, applied to topics only.
TOPIC_SYNONYMS: dict[str, tuple[str, ...]] = {
    "算力": ("智算", "超算", "计算资源", "计算能力", "计算中心", "计算平台"),
    "赛事": ("大赛", "挑战赛", "竞赛", "比赛"),
    "挑战赛": ("赛事", "大赛", "竞赛"),
    "租金": ("房租", "办公用房", "场地", "租赁住房"),
    "房租": ("租金", "办公用房", "租赁住房"),
    "场地": ("租金", "房租", "办公用房", "场所"),
    "上市": ("挂牌",),
    "首版次软件": ("首版次",),
    "首台套": ("首台（套）", "首台(套)", "首台"),
    "贷款": ("贴息", "融资"),
    "标准": ("国际标准", "国家标准", "行业标准"),
    "孵化": ("孵化器", "众创空间"),
}
_BOUNDARY = "。；;！？!?\n"
_REFERS_BACK = re.compile(
    r"\s*(?:[(（]?\d{1,2}[)）.、．]|[(（][一二三四五六七八九十]+[)）])?\s*(?:对于|对|经|凡|该|上述|此类|以上|符合)"
)
_TOPIC_SPLIT = re.compile(r"[/、，,；;|\s]+|或")
CSV_HEADER = ("地区", "政策", "条款", "措施", "金额与比例", "有效期至", "状态", "条款原文", "条款id")


@dataclass(frozen=True)
class Row:
    """One clause of one region providing a measure on the topic."""

    region: str
    doc: str
    doc_id: str
    id: str
    citation: str
    measure: str  # the sentence(s) stating the measure, verbatim from `text`
    kinds: tuple[str, ...]  # 补助, 奖励, 基金…
    amounts: tuple[str, ...]  # as written: "最高500万元", "不高于实际投入30%"
    top: float | None  # the largest money amount in 元, for sorting; None without one
    text: str
    expires: str | None
    status: str
    score: float  # retrieval score within its region: higher is more on topic
    expires_by: str | None = None  # the latest the term can end when `expires` is not stated

    def to_json(self) -> dict[str, Any]:
        """The `rag compare --json` row (a contract)."""
        return {
            "region": self.region,
            "doc": self.doc,
            "doc_id": self.doc_id,
            "id": self.id,
            "citation": self.citation,
            "measure": self.measure,
            "kinds": list(self.kinds),
            "amounts": list(self.amounts),
            "text": self.text,
            "expires": self.expires,
            "expires_by": self.expires_by,
            "status": self.status,
        }


def rows(
    index: Index, topic: str, regions: Sequence[str] | None = None, today: date | None = None
) -> list[Row]:
    """Every (region, clause) with a measure on `topic`, region by region, best first within each.

    `regions` are names as people write them ("北京" or "北京市"); none means every region.
    Raises InputError for an empty or over-long topic, or a region the index does not have.
    """
    topic = check_topic(topic)
    terms = topic_terms(topic)
    scorer = _Scorer(index, topic)
    out: list[Row] = []
    of_region: dict[str | None, list[int]] = {}  # one pass over the clauses, not one per region
    for i, c in enumerate(index.clauses):
        of_region.setdefault(c.region, []).append(i)
    for region in resolve_regions(index, regions):
        matched = _matches(index, of_region.get(region, []), terms)
        scores = scorer.scores(region) if matched else {}
        found = [_row(index.clauses[i], ms, scores.get(i, 0.0), today) for i, ms in matched]
        found.sort(key=lambda r: (-r.score, -(r.top or 0.0)))
        out.extend(found)
    log.debug("compare %r: %d rows", topic, len(out))
    return out


def table_for(index: Index, topic: str, regions: Sequence[str], per_region: int = 3) -> list[Row]:
    """A compact table for an answer ("哪些城市…", "A和B…分别…"): the best rows of each region.

    Example: table_for(index, "赛事", ["北京", "成都"]) -> up to 3 rows of 北京市, then of 成都市
    """
    kept: list[Row] = []
    counts: dict[str, int] = {}
    for row in rows(index, topic, regions):
        if counts.get(row.region, 0) < per_region:
            kept.append(row)
            counts[row.region] = counts.get(row.region, 0) + 1
    return kept


def to_csv(table: Sequence[Row]) -> str:
    """The rows as CSV with a Chinese header (RFC 4180 quoting; amounts joined by "；")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for r in table:
        writer.writerow(
            [
                r.region,
                r.doc,
                r.citation,
                r.measure,
                "；".join(r.amounts),
                r.expires or "",
                r.status,
                r.text,
                r.id,
            ]
        )
    return buffer.getvalue()


# ---------------------------------------------------------------- topic and regions


def check_topic(topic: str) -> str:
    """The topic stripped; InputError when empty or longer than MAX_TOPIC_CHARS."""
    if not isinstance(topic, str) or not topic.strip():
        raise InputError("请给出对比的主题，例如：算力、首版次软件、赛事")
    topic = topic.strip()
    if len(topic) > MAX_TOPIC_CHARS:
        raise InputError(f"主题最多 {MAX_TOPIC_CHARS} 个字，收到 {len(topic)} 个字")
    return topic


def topic_terms(topic: str) -> tuple[tuple[str, ...], ...]:
    """Alternatives of the topic, each a tuple of words that must all appear.

    Example: "赛事/挑战赛" -> (("赛事",), ("大赛",), ("挑战赛",), ("竞赛",), ("比赛",));
    "智能网联汽车测试" (no synonyms, not found whole) also gives its words ("智能", "网联", "汽车", "测试").
    """
    alternatives: list[tuple[str, ...]] = []
    for part in (p for p in _TOPIC_SPLIT.split(topic) if p):
        for word in (part, *TOPIC_SYNONYMS.get(part, ())):
            if (word,) not in alternatives:
                alternatives.append((word,))
        words = tuple(dict.fromkeys(t for t in tokenize(part) if len(t) >= 2 and t != part))
        if len(words) >= 2 and words not in alternatives:
            alternatives.append(words)
    return tuple(alternatives)


def resolve_regions(index: Index, regions: Sequence[str] | None) -> list[str]:
    """Index regions for names as written. Example: ["北京", "成都市"] -> ["北京市", "成都市"]"""
    known = retrieve.regions(index)
    if not regions:
        return known
    out: list[str] = []
    for name in regions:
        match = retrieve.match_regions(index, name)
        if not match:
            raise InputError(f"索引中没有“{name}”的政策；可选地区：{'、'.join(known)}")
        out.extend(r for r in match if r not in out)
    return out


# ---------------------------------------------------------------- rows


def on_topic(clause: Clause, terms: Sequence[tuple[str, ...]], lead: str = "") -> list[Measure]:
    """The clause's measures on the topic: named in the measure's sentence (or the one before it, when
    the measure's sentence points back at it: "支持建设计算平台。对于…的平台，给予…"), or — for all its
    measures — in the clause's heading.
    `lead` is the text before the clause when it is a later part of a long clause."""

    def names(text: str) -> bool:
        return any(all(w in text for w in alt) for alt in terms)

    providing = [m for m in clause.measures if m.provides]
    heading = " ".join((clause.title, clause.path[-1] if clause.path else ""))
    if names(heading):
        return providing
    text = lead + clause.text
    return [
        m
        for m in providing
        if names(text[_context_start(text, len(lead) + m.sentence.start) : len(lead) + m.sentence.end])
    ]


def _context_start(text: str, start: int) -> int:
    """Where a measure's context starts: the sentence before it when the measure's own sentence opens
    with what that sentence set out ("支持建设计算平台。对于…的平台，给予…": the 平台 of the sentence
    before), else its own start."""
    opening = _REFERS_BACK.match(text, start)
    if opening is None:
        return start
    before = _sentence_before(text, start)
    subject = re.match(r"[^，,。；;]*", text[opening.end() :])
    head = subject.group(0).rstrip("的")[-2:] if subject else ""
    return before if len(head) == 2 and head in text[before:start] else start


def _sentence_before(text: str, start: int) -> int:
    """Start of the sentence before the one starting at `start` (0 if none).

    Example: _sentence_before("甲。乙。丙。", 4) -> 2
    """
    end = start
    while end > 0 and text[end - 1] in _BOUNDARY + " ":
        end -= 1
    cut = max(text.rfind(ch, 0, end) for ch in _BOUNDARY)
    return cut + 1 if cut >= 0 else 0


def _row(clause: Clause, matched: list[Measure], score: float, today: date | None) -> Row:
    quantities = [q for m in matched for q in (*m.amounts, *m.ratios)]
    money = [q.value for m in matched for q in m.amounts if q.unit.endswith("元")]
    return Row(
        region=clause.region or "",
        doc=clause.doc_title,
        doc_id=clause.doc_id,
        id=clause.id,
        citation=clause.citation,
        measure=" … ".join(m.sentence.text.strip() for m in matched),
        kinds=tuple(dict.fromkeys(m.kind for m in matched if m.kind)),
        amounts=tuple(q.shown for q in sorted(quantities, key=lambda q: q.span.start)),
        top=max(money) if money else None,
        text=clause.text,
        expires=clause.expires,
        status=clause.status(today),
        score=score,
        expires_by=clause.expires_by,
    )


def _matches(
    index: Index, positions: list[int], terms: Sequence[tuple[str, ...]]
) -> list[tuple[int, list[Measure]]]:
    """(position, measures on the topic) of the clauses at `positions` that have any."""
    out = []
    for n, i in enumerate(positions):
        clause = index.clauses[i]
        if not clause.measures:
            continue
        before = index.clauses[positions[n - 1]] if n else None
        lead = before.text + "\n" if before and clause.part > 1 and before.ref == clause.ref else ""
        if measures := on_topic(clause, terms, lead):
            out.append((i, measures))
    return out


class _Scorer:
    """Retrieval restricted to one region at a time (rag.retrieve's fusion over an allowed set); the
    topic is embedded and BM25-scored once for all regions."""

    def __init__(self, index: Index, topic: str) -> None:
        self.index = index
        self.shared = retrieve.Scores(index, topic, retrieve.query_vector(index, topic))

    def scores(self, region: str) -> dict[int, float]:
        """Fused score of each clause of `region` among that region's clauses (higher is better; clauses
        past retrieval's depth get none)."""
        allowed = Scope(regions=frozenset({region}))
        return {p: h.score for h in retrieve.fused(self.shared, allowed) if (p := self.index.position(h.clause.id)) is not None}
