"""Evaluate retrieval and answers against a gold set: `rag eval GOLD.jsonl [--k 5] [--json] [--no-answers]`.

A gold line (the format of tests/gold/dev.jsonl):

    {"id": "d003", "question": "湖北规划里个性化精准教学要在多少所学校试点？", "type": "number",
     "answer": "在100所学校开展个性化精准化教学试验。",
     "evidence": [{"file": "000_….txt", "doc": "湖北省…总体规划", "quote": "在100所学校开展个性化精准化教学试验"}]}

A quote is *found* in a clause when, both put through `text.norm` (NFKC, no whitespace), the quote is a
substring of the clause text. Items of type "unanswerable" (no evidence) are left out of retrieval recall
and used for refusals. Running the system (`run`) is kept apart from the metrics (`summarize` and the
small functions it calls), which are pure: they take `Outcome`s and return numbers.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import InputError, RagError
from .model import Answer, Hit
from .text import norm

log = logging.getLogger(__name__)

UNANSWERABLE = "unanswerable"
RECALL_KS = (1, 5, 10)
SEARCH_DEPTH = 10  # hits kept per question: enough for recall@10 and MRR@10
MISS_SHOWN = 3  # returned citations shown beside a missed quote


# ---------------------------------------------------------------- gold set


@dataclass(frozen=True)
class Evidence:
    """One verbatim quote that answers a gold question, and the policy it comes from."""

    file: str
    doc: str
    quote: str


@dataclass(frozen=True)
class GoldItem:
    """One gold question. Example: GoldItem("d003", "湖北…多少所学校试点？", "number", "在100所…", (Evidence(…),))"""

    id: str
    question: str
    type: str
    answer: str
    evidence: tuple[Evidence, ...] = ()
    facts: tuple[str, ...] = ()  # amounts a right answer states ("500万元"); read from `answer` when not given
    places: tuple[str, ...] = ()  # places a comparison or "哪些城市" answer must cover
    units: tuple[str, ...] = ()  # units a 责任单位 answer must name; read from `answer` when not given
    kind: str = ""  # for unanswerable items: "place", "measure", "article" or "year"

    @property
    def answerable(self) -> bool:
        return self.type != UNANSWERABLE and bool(self.evidence)

    @property
    def quotes(self) -> tuple[str, ...]:
        return tuple(e.quote for e in self.evidence)


def load_gold(path: Path) -> list[GoldItem]:
    """Gold items from a JSONL file; InputError naming the line when one is malformed.

    Example: load_gold(Path("tests/gold/gold.jsonl"))[0].id -> "g001"
    """
    if not path.is_file():
        raise InputError(f"gold file {path} does not exist")
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            items.append(_gold_item(line, f"{path}:{number}"))
    if not items:
        raise InputError(f"gold file {path} has no items")
    return items


def _strings(values: Any, name: str) -> tuple[str, ...]:
    """A gold field that lists strings. Example: ["500万元"] -> ("500万元",); "500万元" -> TypeError"""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise TypeError(f"{name!r} must be a list of strings")
    return tuple(values)


def _gold_item(line: str, where: str) -> GoldItem:
    try:
        data = json.loads(line)
        evidence = tuple(Evidence(e.get("file", ""), e.get("doc", ""), e["quote"]) for e in data.get("evidence", []))
        extra = {name: _strings(data.get(name, []), name) for name in ("facts", "places", "units")}
        item = GoldItem(str(data["id"]), data["question"], data.get("type", "other"), data.get("answer", ""), evidence,
                        kind=str(data.get("kind", "")), **extra)  # fmt: skip
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{where}: not a gold item ({exc!r}); need id, question, type, evidence[{{quote}}]") from None
    if any(not norm(q) for q in item.quotes):
        raise InputError(f"{where}: an evidence quote is empty")
    return item


# ---------------------------------------------------------------- what the system returned


@dataclass(frozen=True)
class Outcome:
    """What the system returned for one gold item: hits best first, and the answer if answers were run."""

    item: GoldItem
    hits: tuple[Hit, ...] = ()
    answer: Answer | None = None
    search_ms: float | None = None
    answer_ms: float | None = None
    error: str | None = None


# ---------------------------------------------------------------- metrics (pure)


def contains(text: str, quote: str) -> bool:
    """Whether `quote` occurs in `text` after `norm` on both, table cells read as one run: a clause writes a
    table row's cells joined by " | " (rag/ingest.py), a quote copied from the source file by tabs.

    Example: contains("到 2025 年，培育", "到2025年,培育") -> True
    Example: contains("智能物流增加值 | 亿元 | 25", "智能物流增加值\\t亿元\\t25") -> True
    """
    return _cells(quote) in _cells(text)


def _cells(text: str) -> str:
    return norm(text).replace("|", "")


def quote_rank(quote: str, hits: Sequence[Hit]) -> int | None:
    """1-based rank of the first hit whose clause text contains the quote, None if none does.

    Example: hits whose texts are ["甲", "乙丙"] -> quote_rank("丙", hits) == 2
    """
    return next((rank for rank, h in enumerate(hits, 1) if contains(h.clause.text, quote)), None)


def first_relevant_rank(outcome: Outcome, k: int = SEARCH_DEPTH) -> int | None:
    """Rank (within the top k) of the first hit containing any of the item's quotes."""
    ranks = [r for r in (quote_rank(q, outcome.hits[:k]) for q in outcome.item.quotes) if r is not None]
    return min(ranks) if ranks else None


def _answerable(outcomes: Iterable[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.item.answerable]


def quote_recall(outcomes: Iterable[Outcome], k: int) -> float | None:
    """Fraction of gold quotes (answerable items) found in the top-k hits; None if there are none.

    Example: quotes found at ranks 1, 3 and never -> quote_recall(…, 1) == 1/3, quote_recall(…, 5) == 2/3
    """
    found = [quote_rank(q, o.hits[:k]) is not None for o in _answerable(outcomes) for q in o.item.quotes]
    return _mean(found)


def all_evidence(outcomes: Iterable[Outcome], k: int = 5) -> float | None:
    """Fraction of answerable questions all of whose quotes are in the top k."""
    complete = [all(quote_rank(q, o.hits[:k]) is not None for q in o.item.quotes) for o in _answerable(outcomes)]
    return _mean(complete)


def mrr(outcomes: Iterable[Outcome], k: int = SEARCH_DEPTH) -> float | None:
    """Mean reciprocal rank of the first hit containing any quote (0 when none is in the top k).

    Example: first relevant hits at ranks 1 and 4, and one question with none -> (1 + 1/4 + 0) / 3
    """
    ranks = [first_relevant_rank(o, k) for o in _answerable(outcomes)]
    return _mean([1.0 / r if r else 0.0 for r in ranks])


def _answered(outcomes: Iterable[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.answer is not None]


def cited_recall(outcomes: Iterable[Outcome]) -> float | None:
    """Fraction of gold quotes (answerable items with an answer) inside a clause the answer cites.

    A refused answer cites nothing in support, so its quotes count as not cited even when it shows
    the closest clauses.
    """
    found: list[bool] = []
    for o in _answerable(_answered(outcomes)):
        assert o.answer is not None
        cited = [] if o.answer.refused else cited_texts(o.answer)
        found.extend(any(contains(t, q) for t in cited) for q in o.item.quotes)
    return _mean(found)


def cited_texts(answer: Answer) -> list[str]:
    """What a reader sees of each clause an answer cites: the headings above it (a citation shows them, in
    the app and in `rag ask --json`'s "path"), then its text; the cited parts of a clause too long to embed
    whole are also read as one text, so that a quote running across the cut between two parts counts as
    cited. A section's heading with no text of its own ("（一）建立人工智能创新体系") is cited by a clause
    under it.

    Example: a citation of 二（一）1 under "二、主要任务 > （一）建立人工智能创新体系" -> ["二、主要任务\n（一）建立…\n1.强化…"]
    """
    by_clause: dict[tuple[str, str], list[Any]] = {}
    for c in answer.citations:
        if c.clause.part:
            by_clause.setdefault((c.clause.doc_id, c.clause.ref), []).append(c.clause)
    joined = ["".join(p.text for p in sorted(parts, key=lambda p: p.part)) for parts in by_clause.values() if len(parts) > 1]
    return ["\n".join((*c.clause.path, c.clause.text)) for c in answer.citations] + joined


def refusal_rate(outcomes: Iterable[Outcome], answerable: bool) -> float | None:
    """Fraction of answered items (answerable or not, as asked) whose answer is a refusal."""
    answers = [o.answer.refused for o in _answered(outcomes) if o.item.answerable == answerable and o.answer]
    return _mean(answers)


_MARKER = re.compile(r"\[\d+(?:\s*[,，、]\s*\d+)*\]")  # the answer's own [1] [2, 3] citation markers
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def numbers_in(text: str) -> set[str]:
    """Digit sequences (decimals kept whole) in a text, after NFKC, without [n] markers or 1,000 commas.

    Example: numbers_in("到２０２５年培育1,000家[1]，占比1.5%") -> {"2025", "1000", "1.5"}
    """
    text = _MARKER.sub(" ", unicodedata.normalize("NFKC", text))
    return set(_NUMBER.findall(_THOUSANDS.sub("", text)))


def unsupported_numbers(answer: Answer, question: str) -> list[str]:
    """Numbers of an answer that appear in none of its cited clauses (text, heading path, policy title, and
    for a later part of a long clause the period leading the clause, which the clause's view shows) nor in
    the question. A policy's title in 《》 is a name, not a claim: "【《…行动计划（2020—2022年）》】未涉及这一
    方面" states no figure. Example: answer "培育30家[1]" citing a clause saying 50家 -> ["30"]
    """
    sources = [question] + [
        f"{c.clause.citation}\n{c.clause.path_str}\n{c.clause.lead}\n{c.clause.text}" for c in answer.citations
    ]
    allowed = set().union(*(numbers_in(s) for s in sources))
    return sorted(numbers_in(_TITLE.sub("", answer.text)) - allowed)


_TITLE = re.compile(r"《[^《》\n]{1,120}》")


def number_fidelity(outcomes: Iterable[Outcome]) -> float | None:
    """Fraction of non-refused answers every number of which is supported (see `unsupported_numbers`)."""
    kept = [o for o in _answered(outcomes) if o.answer and not o.answer.refused]
    return _mean([not unsupported_numbers(o.answer, o.item.question) for o in kept if o.answer])


_UNIT_NAME = re.compile(r"[\u4e00-\u9fff（）()]{2,24}?(?:人民政府|政府|管委会|委员会|办公室|办公厅|集团|中心|分行|局|厅|委|办|处|室)$")
_UNIT_SPLIT = re.compile(r"[、，,；;。：:\s]|以及|及|和|与|由|为|负责|牵头|配合|（[^）]*）")


def gold_facts(item: GoldItem) -> tuple[str, ...]:
    """The amounts a right answer states: the item's `facts`, else the amounts of its gold answer.

    Example: an answer "给予最高1亿元的综合资助。" -> ("1亿元",)
    """
    from .checks import amounts

    return item.facts or tuple(dict.fromkeys(amounts(item.answer)))


def states_fact(answer_text: str, fact: str) -> bool:
    """Whether an answer states an amount: its number followed by its unit's first character.

    Example: states_fact("最高500万元[1]", "500万元") -> True; states_fact("最高50万元", "500万元") -> False
    """
    fact = unicodedata.normalize("NFKC", norm(fact)).replace(",", "")  # "1,000万元" is "1000万元"
    value = re.match(r"[\d.]+", fact)
    text = _MARKER.sub("", unicodedata.normalize("NFKC", norm(answer_text)).replace(",", ""))
    if value is None:
        return fact in text
    unit = fact[len(value.group(0)) :][:1]
    return re.search(rf"(?<![\d.]){re.escape(value.group(0))}{re.escape(unit)}", text) is not None


def fact_recall(outcomes: Iterable[Outcome]) -> float | None:
    """Share of the gold answers' amounts (answerable items) that the answers state; a refusal states none."""
    found: list[bool] = []
    for o in _answerable(_answered(outcomes)):
        assert o.answer is not None
        text = "" if o.answer.refused else o.answer.text
        found.extend(states_fact(text, f) for f in gold_facts(o.item))
    return _mean(found)


def gold_units(item: GoldItem) -> tuple[str, ...]:
    """Units a 责任单位 answer must name: the item's `units`, else its `facts` without digits (a 责任单位
    item's facts are the units it names, and perhaps a phone number), else the unit names in its gold answer.

    Example: "智慧交通任务由市公安局牵头，市科技局、市交通局配合。" -> ("市公安局", "市科技局", "市交通局")
    """
    if item.units:
        return item.units
    named = tuple(f for f in item.facts if not re.search(r"\d", f))
    if named:
        return named
    parts = (p.strip() for p in _UNIT_SPLIT.split(item.answer))
    return tuple(dict.fromkeys(p for p in parts if p and _UNIT_NAME.fullmatch(p)))


def units_named(outcomes: Iterable[Outcome]) -> float | None:
    """Share of 责任单位 questions whose answer names every unit of the gold answer."""
    named = []
    for o in _answerable(_answered(outcomes)):
        assert o.answer is not None
        units = gold_units(o.item)
        if o.item.type != "responsible_unit" or not units:
            continue
        text = "" if o.answer.refused else norm(o.answer.text)
        named.append(all(norm(u) in text or norm(_without_place(u)) in text for u in units))
    return _mean(named)


def _without_place(unit: str) -> str:
    """A unit name without the city that gold answers often add: "杭州市科技局" -> "市科技局"."""
    from . import places as gazetteer

    found = gazetteer.find(unit)
    short = gazetteer.short(found[0].name) if found and found[0].start == 0 else ""
    rest = unit[len(short) :] if short and unit.startswith(short) else unit
    return rest if rest.startswith(("市", "省", "区", "县")) else unit


def places_covered(outcomes: Iterable[Outcome]) -> float | None:
    """Share of comparison and "哪些城市" questions (with `places`) whose answer cites a clause of every
    place, or names it in a non-refused answer."""
    from . import places as gazetteer

    covered = []
    for o in _answerable(_answered(outcomes)):
        assert o.answer is not None
        if not o.item.places:
            continue
        cited = " ".join(f"{c.clause.region or ''}{c.clause.doc_title}" for c in o.answer.citations)
        text = "" if o.answer.refused else o.answer.text + cited
        covered.append(all(any(a in text for a in gazetteer.aliases(gazetteer.names(p)[0] if gazetteer.names(p) else p)) for p in o.item.places))
    return _mean(covered)


def refused_by_kind(outcomes: Iterable[Outcome]) -> dict[str, float | None]:
    """Refusal rate of unanswerable items by kind (place, measure, article, year; "" when not given)."""
    unanswered = [o for o in _answered(outcomes) if not o.item.answerable]
    kinds = sorted({o.item.kind for o in unanswered})
    return {k or "unspecified": _mean([bool(o.answer and o.answer.refused) for o in unanswered if o.item.kind == k]) for k in kinds}


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation between closest ranks, as numpy's default.

    Example: percentile([10, 20, 30, 40], 50) -> 25.0; percentile([10, 20, 30, 40], 95) -> 38.5
    """
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def _mean(flags: Sequence[bool] | Sequence[float]) -> float | None:
    return sum(float(f) for f in flags) / len(flags) if flags else None


# ---------------------------------------------------------------- misses and the summary


@dataclass(frozen=True)
class Miss:
    """A gold quote not in the top k, with what came back instead."""

    id: str
    question: str
    quote: str
    rank: int | None  # where it was found beyond k (up to SEARCH_DEPTH), else None
    returned: tuple[str, ...]  # citations of the top hits, e.g. "《湖北省…总体规划》二（一）1"


def misses(outcomes: Iterable[Outcome], k: int) -> list[Miss]:
    """Every gold quote of an answerable item not found in the top k hits.

    Example: a quote found at rank 7 with k=5 -> Miss(rank=7, returned=(top-3 citations))
    """
    out = []
    for o in _answerable(outcomes):
        returned = tuple(h.clause.citation for h in o.hits[:MISS_SHOWN])
        for quote in o.item.quotes:
            rank = quote_rank(quote, o.hits)
            if rank is None or rank > k:
                out.append(Miss(o.item.id, o.item.question, quote, rank, returned))
    return out


def metrics(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """All quality metrics of a group of outcomes; a metric with nothing to measure is None."""
    answerable = _answerable(outcomes)
    result: dict[str, Any] = {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "quotes": sum(len(o.item.quotes) for o in answerable),
    }
    result.update({f"recall@{k}": quote_recall(outcomes, k) for k in RECALL_KS})
    result["all_evidence@5"] = all_evidence(outcomes, 5)
    result["mrr@10"] = mrr(outcomes, 10)
    result["cited_recall"] = cited_recall(outcomes)
    result["refused_unanswerable"] = refusal_rate(outcomes, answerable=False)
    result["refused_answerable"] = refusal_rate(outcomes, answerable=True)
    result["number_fidelity"] = number_fidelity(outcomes)
    result["fact_recall"] = fact_recall(outcomes)
    result["units_named"] = units_named(outcomes)
    result["places_covered"] = places_covered(outcomes)
    result["refused_by_kind"] = refused_by_kind(outcomes)
    return result


def latency(outcomes: Sequence[Outcome]) -> dict[str, dict[str, float | None]]:
    """p50/p95 milliseconds of search and of answering. Example: {"search": {"p50": 41.2, "p95": 88.0}, …}"""
    out = {}
    for name in ("search", "answer"):
        values = [v for o in outcomes if (v := getattr(o, f"{name}_ms")) is not None]
        out[name] = {"p50": percentile(values, 50), "p95": percentile(values, 95), "n": len(values)}
    return out


def summarize(outcomes: Sequence[Outcome], k: int = 5) -> dict[str, Any]:
    """The whole report as one JSON-able object: overall and per-type metrics, latency, misses."""
    types = sorted({o.item.type for o in outcomes})
    return {
        "overall": metrics(outcomes),
        "by_type": {t: metrics([o for o in outcomes if o.item.type == t]) for t in types},
        "latency_ms": latency(outcomes),
        "k": k,
        "misses": [asdict(m) for m in misses(outcomes, k)],
        "unsupported_numbers": _unsupported_list(outcomes),
        "refused": _refused_list(outcomes),
        "errors": [{"id": o.item.id, "error": o.error} for o in outcomes if o.error],
    }


def _unsupported_list(outcomes: Iterable[Outcome]) -> list[dict[str, Any]]:
    out = []
    for o in outcomes:
        if o.answer and not o.answer.refused and (bad := unsupported_numbers(o.answer, o.item.question)):
            out.append({"id": o.item.id, "question": o.item.question, "numbers": bad, "answer": o.answer.text})
    return out


def _refused_list(outcomes: Iterable[Outcome]) -> list[dict[str, Any]]:
    """Answerable items refused and unanswerable items answered: the refusal mistakes."""
    return [
        {"id": o.item.id, "question": o.item.question, "type": o.item.type, "refused": o.answer.refused}
        for o in outcomes
        if o.answer and o.answer.refused == o.item.answerable
    ]


# ---------------------------------------------------------------- running the system


Search = Callable[[str], list[Hit]]
Ask = Callable[[str], Answer]


def run(items: Sequence[GoldItem], search: Search, ask: Ask | None = None) -> list[Outcome]:
    """Each gold question through `search` (and `ask`, when given), timed; a RagError is recorded, not raised.

    Example: run(items, lambda q: retrieve.search(index, q, 10), Pipeline(settings, index).ask)
    """
    outcomes = []
    for number, item in enumerate(items, 1):
        log.info("eval %d/%d %s", number, len(items), item.id)
        outcomes.append(_run_one(item, search, ask))
    return outcomes


def _run_one(item: GoldItem, search: Search, ask: Ask | None) -> Outcome:
    try:
        started = time.perf_counter()
        hits = tuple(search(item.question))
        search_ms = (time.perf_counter() - started) * 1000
        if ask is None:
            return Outcome(item, hits, None, search_ms)
        started = time.perf_counter()
        answer = ask(item.question)
        return Outcome(item, hits, answer, search_ms, (time.perf_counter() - started) * 1000)
    except RagError as exc:
        log.warning("eval %s failed: %s", item.id, exc)
        return Outcome(item, error=str(exc))


def evaluate(settings: Settings, gold: Path, k: int = 5, answers: bool = True) -> dict[str, Any]:
    """Load the index at settings.index_dir, run the gold set through it and summarize.

    Example: evaluate(Settings(), Path("tests/gold/dev.jsonl"))["overall"]["recall@5"] -> 0.83
    """
    from . import retrieve, store

    if not 1 <= k <= 50:
        raise InputError(f"--k must be between 1 and 50, got {k}")
    items = load_gold(gold)
    index = store.load(settings)
    depth = max(k, SEARCH_DEPTH)

    def search(question: str) -> list[Hit]:
        return retrieve.search(index, question, depth)

    ask = _pipeline_ask(settings, index) if answers else None
    _warm_up(search, ask)  # loading the embedder and BM25 is not per-question latency
    report = summarize(run(items, search, ask), k)
    mode = ("llm" if settings.llm_enabled else "extractive") if answers else None
    meta = {"gold": str(gold), "index_dir": str(settings.index_dir), "embedder": index.embedder_id,
            "clauses": len(index.clauses), "answer_mode": mode}
    return {"meta": meta, **report}


def _pipeline_ask(settings: Settings, index: Any) -> Ask:
    from .pipeline import Pipeline

    pipeline = Pipeline(settings, index)
    return lambda question: pipeline.ask(question)


def _warm_up(search: Search, ask: Ask | None) -> None:
    search("人工智能产业发展目标")
    if ask:
        ask("人工智能产业发展目标")


# ---------------------------------------------------------------- the command


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `rag eval GOLD.jsonl [--k 5] [--json] [--no-answers]`."""
    p = subparsers.add_parser(
        "eval",
        help="measure retrieval and answers against a gold set",
        description="Quote recall@1/5/10, all-evidence@5, MRR@10, cited-evidence recall, refusals, number "
        "fidelity and latency, overall and per question type, and the quotes that were missed.",
    )
    p.add_argument("gold", type=Path, help="gold JSONL (id, question, type, answer, evidence[{file, doc, quote}])")
    p.add_argument("--k", type=int, default=5, help="a quote not in the top k is listed as a miss (default 5)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.add_argument("--no-answers", action="store_true", help="retrieval only: skip the answer pipeline")
    p.set_defaults(func=command)


def command(args: argparse.Namespace, settings: Settings) -> int:
    """Run `rag eval` and print its report; exit code 0."""
    report = evaluate(settings, args.gold, args.k, answers=not args.no_answers)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else format_report(report))
    return 0


# ---------------------------------------------------------------- the human-readable report

_COLUMNS = (
    ("n", "questions", "d"), ("quotes", "quotes", "d"), ("R@1", "recall@1", "%"), ("R@5", "recall@5", "%"),
    ("R@10", "recall@10", "%"), ("AllEv@5", "all_evidence@5", "%"), ("MRR@10", "mrr@10", "f"),
    ("cited", "cited_recall", "%"), ("refuse-U", "refused_unanswerable", "%"),
    ("refuse-A", "refused_answerable", "%"), ("numbers", "number_fidelity", "%"), ("facts", "fact_recall", "%"),
    ("units", "units_named", "%"), ("places", "places_covered", "%"),
)


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return "-"
    return {"d": f"{value}", "%": f"{100 * value:.1f}%", "f": f"{value:.3f}"}[kind]


def format_table(rows: dict[str, dict[str, Any]]) -> str:
    """Metrics as a fixed-width table, one row per group. Example row: "overall  70  108  52.8% …" """
    width = max(len(name) for name in rows) + 2
    lines = ["".ljust(width) + "".join(h.rjust(9) for h, _, _ in _COLUMNS)]
    for name, m in rows.items():
        lines.append(name.ljust(width) + "".join(_cell(m[key], kind).rjust(9) for _, key, kind in _COLUMNS))
    return "\n".join(lines)


_LEGEND = (
    "R@k: gold quotes in the top k (answerable items) · AllEv@5: questions with every quote in the top 5 · "
    "cited: quotes inside a clause the answer cites · refuse-U/-A: refusals on unanswerable/answerable "
    "items · numbers: answers whose every number is in their cited clauses or the question · facts: gold "
    "amounts the answers state · units: 责任单位 answers naming every gold unit · places: comparisons and "
    "\"哪些城市\" answers covering every place"
)


def format_report(report: dict[str, Any]) -> str:
    """The `rag eval` report for people: table, latency, refusal mistakes, unsupported numbers, misses."""
    meta = report.get("meta", {})
    parts = [
        (
            f"gold {meta.get('gold')} · index {meta.get('clauses')} clauses · {meta.get('embedder')} · "
            f"answers: {meta.get('answer_mode') or 'skipped'}"
        ),
        "",
        format_table({"overall": report["overall"], **report["by_type"]}),
        "",
        _LEGEND,
        "",
        _format_latency(report["latency_ms"]),
    ]
    parts += _format_lists(report)
    return "\n".join(parts)


def _format_latency(lat: dict[str, dict[str, Any]]) -> str:
    def ms(v: float | None) -> str:
        return "-" if v is None else f"{v:.0f} ms"

    return "latency  " + "   ".join(f"{n}: p50 {ms(v['p50'])}, p95 {ms(v['p95'])} (n={v['n']})" for n, v in lat.items())


def _format_lists(report: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    if report["refused"]:
        lines += ["", "refusal mistakes:"]
        lines += [f"  {r['id']} [{r['type']}] {'refused' if r['refused'] else 'answered'}: {r['question']}"
                  for r in report["refused"]]
    if report["unsupported_numbers"]:
        lines += ["", "numbers not in the cited clauses:"]
        lines += [f"  {u['id']} {u['numbers']}: {u['question']}" for u in report["unsupported_numbers"]]
    if report["errors"]:
        lines += ["", "errors:"] + [f"  {e['id']}: {e['error']}" for e in report["errors"]]
    lines += ["", f"misses (quote not in the top {report['k']}): {len(report['misses'])}"]
    return lines + _format_misses(report["misses"])


def _format_misses(missed: list[dict[str, Any]]) -> list[str]:
    """Misses grouped by question: the question, each missing quote with its rank, then the top 3 returned."""
    lines: list[str] = []
    for n, m in enumerate(missed):
        if n == 0 or missed[n - 1]["id"] != m["id"]:
            lines.append(f"  {m['id']} {m['question']}")
        where = f"rank {m['rank']}" if m["rank"] else f"not in top {SEARCH_DEPTH}"
        lines.append(f"      missing ({where}): {m['quote']}")
        if n + 1 == len(missed) or missed[n + 1]["id"] != m["id"]:
            lines += [f"      got {i}. {c}" for i, c in enumerate(m["returned"], 1)]
    return lines
