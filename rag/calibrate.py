"""Fit the answerer's evidence weights and thresholds by k-fold cross-validation on a gold set.

    python -m rag.calibrate tests/gold/dev.jsonl tests/gold/dev_swaps.jsonl [--folds 5] [--json] [--with-weights]

What is fitted (rag/evidence.py): COVER_WEIGHT and KIND_BONUS (how an item's score adds word overlap and
kind fit to its cosine), EVIDENCE_MIN (the score below which the policies in scope do not answer),
KEEP_WITHIN (how far below the best item an item may score and still be used), ELSEWHERE_GAP, COVER_GAP,
MAX_CLAUSES and OTHER_CLAUSE_COVER (rag/compose.py: how many clauses an answer's items come from, and how
much less of the question an item of another clause than the best's may spell out). Every combination on a grid
is run through the real answerer on every question (retrieval is done once per question and reused);
a fold's parameters are those that do best on the other folds, and the figures reported for it are on
the fold itself, which took no part in choosing them.

The questions: the gold set's own (answerable and unanswerable), plus unanswerable questions made from
its answerable ones (`perturbed`): another indexed place put in place of the one named, kept only where
that place's policies do not contain the gold evidence (no clause of theirs shares most of the evidence's
rare character pairs) — the "a known place lacks the measure" questions a threshold must refuse; a place
with no policy in the index; a year no policy speaks of; an article past the last one.

    python -m rag.calibrate tests/gold/dev.jsonl --write-perturbed tests/gold/perturbed.jsonl

tests/gold/dev_swaps.jsonl holds dev questions with another place put in, each labelled by a reader
(answerable, with the evidence from that place's own policies, or not).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import compose, evidence
from .config import Settings
from .evaluate import GoldItem, cited_texts, contains, load_gold
from .model import Answer

GRID = {
    "COVER_WEIGHT": (4.0, 5.0, 6.0, 7.0),
    "KIND_BONUS": (0.5,),
    "FOCUS_WEIGHT": (0.0, 1.0),
    "RANK_WEIGHT": (0.0, 0.5, 1.0, 2.0),
    "EVIDENCE_MIN": tuple(round(3.0 + 0.2 * i, 1) for i in range(21)),
    "KEEP_WITHIN": (1.5, 2.0, 2.5, 3.0),
    "ELSEWHERE_GAP": (1.5, 2.0, 2.5),
    "COVER_GAP": (0.3, 0.4, 0.5, 1.1),  # 1.1: never (a cover is at most 1)
    "MAX_CLAUSES": (2, 3),  # rag/compose.py: clauses an answer's supporting items come from
    "OTHER_CLAUSE_COVER": (0.0, 0.1, 0.2, 1.1),  # rag/compose.py; 1.1: any cover
}
_COMPOSE = ("MAX_CLAUSES", "OTHER_CLAUSE_COVER")  # constants of rag/compose.py, not of rag/evidence.py
_EVIDENCE_AT = list(GRID).index("EVIDENCE_MIN")  # on a tie, the lower threshold (fewer refusals) wins
SWAPS_PER_QUESTION = 2
EVIDENCE_SHARED = 0.5  # a swapped-in place whose clause shares this much of the evidence may answer it


@dataclass(frozen=True)
class Case:
    """A question to calibrate on: its gold item and whether it is one made by swapping the place."""

    item: GoldItem
    made: bool = False


@dataclass(frozen=True)
class Result:
    """How the answerer did on one case with one parameter set."""

    answerable: bool
    refused: bool
    cited: float  # share of gold quotes inside cited clauses (0 when refused)
    stray: float  # share of cited clauses holding no gold quote (answered, answerable cases)


# ---------------------------------------------------------------- questions


ABSENT_YEAR = 2045  # later than any policy of the bundled corpus speaks of
ARTICLE_SHIFT = 30  # articles past the last of any bundled policy


def perturbed(items: Sequence[GoldItem], index: Any, seed: int = 0, swaps: bool = False) -> list[GoldItem]:
    """Unanswerable questions made from the answerable ones (see the module docstring). Place swaps need
    a reader to tell which swapped places do provide the measure, so by default they come from a labelled
    file (tests/gold/dev_swaps.jsonl) given as a gold file, and `swaps` only adds unchecked ones."""
    made = unknown_places(items, index, seed) + absent_years(items) + absent_articles(items, index)
    return (swapped(items, index, seed) if swaps else []) + made


def unknown_places(items: Sequence[GoldItem], index: Any, seed: int = 0) -> list[GoldItem]:
    """The named place replaced by a prefecture-level city that has no policy in the index."""
    from . import places
    from .question import analyse

    rng = random.Random(seed)
    pool = sorted(n for n in places.all_cities() if n not in index.catalog.regions and not index.catalog.of_region(n))
    out = []
    for item in items:
        q = analyse(item.question, index.catalog)
        if item.answerable and len(q.known_places) == 1 and not q.policies:
            city = rng.choice(pool)
            question = item.question.replace(q.known_places[0].text, places.short(city), 1)
            out.append(GoldItem(f"{item.id}-place", question, "unanswerable", "", (), kind="place"))
    return out


def absent_years(items: Sequence[GoldItem]) -> list[GoldItem]:
    """Each year a question names replaced by ABSENT_YEAR."""
    import re

    out = []
    for item in items:
        if item.answerable and re.search(r"(?<!\d)20\d\d(?!\d)", item.question):
            question = re.sub(r"(?<!\d)20\d\d(?!\d)", str(ABSENT_YEAR), item.question)
            out.append(GoldItem(f"{item.id}-year", question, "unanswerable", "", (), kind="year"))
    return out


def absent_articles(items: Sequence[GoldItem], index: Any) -> list[GoldItem]:
    """第N条 replaced by an article past the last one of the policy it names."""
    import re

    from .clauses import cn_to_int, int_to_cn

    out = []
    for item in items:
        m = re.search(r"第([一二三四五六七八九十百]+|\d+)条", item.question)
        value = cn_to_int(m.group(1)) if m else None
        if item.answerable and m and value is not None:
            question = item.question.replace(m.group(0), f"第{int_to_cn(value + ARTICLE_SHIFT)}条", 1)
            out.append(GoldItem(f"{item.id}-article", question, "unanswerable", "", (), kind="article"))
    return out


def swapped(items: Sequence[GoldItem], index: Any, seed: int = 0) -> list[GoldItem]:
    """Unanswerable questions made by naming another indexed place (see the module docstring)."""
    from .question import analyse

    rng = random.Random(seed)
    regions = sorted(index.catalog.regions)
    weights = evidence.pair_weights(index)
    out = []
    for item in items:
        q = analyse(item.question, index.catalog)
        if not item.answerable or len(q.known_places) != 1 or q.ref or q.policies:
            continue
        place = q.known_places[0]
        others = [r for r in regions if r != place.region and r not in (index.catalog.policy(d).region for d in place.docs)]
        for region in rng.sample(others, min(SWAPS_PER_QUESTION, len(others))):
            if _shares_evidence(item, region, index, weights):
                continue
            short = region[:-1] if region.endswith(("市", "省", "县")) else region
            question = item.question.replace(place.text, short, 1)
            out.append(GoldItem(f"{item.id}-{short}", question, "unanswerable", "", (), kind="measure"))
    return out


def _shares_evidence(item: GoldItem, region: str, index: Any, weights: evidence.PairWeights) -> bool:
    docs = {p.id for p in index.catalog.of_region(region)}
    texts = [c.text for c in index.clauses if c.doc_id in docs]
    for quote in item.quotes:
        topic = {p: w for p in evidence.pairs(quote) if (w := weights.weight(p)) > 0}
        if any(evidence.cover(topic, t) >= EVIDENCE_SHARED for t in texts):
            return True
    return False


# ---------------------------------------------------------------- running


@contextmanager
def parameters(values: dict[str, float]) -> Iterator[None]:
    """Set evidence.* (and compose.MAX_CLAUSES) constants for the duration of a block."""

    def module(name: str) -> Any:
        return compose if name in _COMPOSE else evidence

    old = {k: getattr(module(k), k) for k in values}
    try:
        for k, v in values.items():
            setattr(module(k), k, int(v) if k in _COMPOSE else v)
        yield
    finally:
        for k, v in old.items():
            setattr(module(k), k, v)


def result(item: GoldItem, answer: Answer) -> Result:
    cited = cited_texts(answer) if not answer.refused else []
    if not item.answerable:
        return Result(False, answer.refused, 0.0, 0.0)
    found = [any(contains(t, q) for t in cited) for q in item.quotes]
    stray = [not any(contains(t, q) for q in item.quotes) for t in cited[: len(answer.citations)]]
    return Result(True, answer.refused, sum(found) / len(found), sum(stray) / len(stray) if stray else 0.0)


def run_grid(cases: Sequence[Case], pipeline: Any) -> dict[tuple[float, ...], list[Result]]:
    """Every grid point's results on every case. Retrieval runs once per case, and item scoring once per
    case and weighting (thresholds do not change scores)."""
    states = [pipeline._retrieve({"question": c.item.question, "standalone": c.item.question}) for c in cases]
    names = list(GRID)
    weights = [n for n in names if n in SCORING]
    out: dict[tuple[float, ...], list[Result]] = {}
    for scoring in itertools.product(*(GRID[n] for n in weights)):
        with parameters(dict(zip(weights, scoring))), _memoized_scoring():
            rest = [n for n in names if n not in SCORING]
            for thresholds in itertools.product(*(GRID[n] for n in rest)):
                values = {**dict(zip(weights, scoring)), **dict(zip(rest, thresholds))}
                with parameters(values):
                    point = tuple(values[n] for n in names)
                    out[point] = [result(c.item, pipeline.extractive.answer(s.retrieved)) for c, s in zip(cases, states)]
    return out


SCORING = ("COVER_WEIGHT", "KIND_BONUS", "FOCUS_WEIGHT", "RANK_WEIGHT")  # the parameters that change item scores


@contextmanager
def _memoized_scoring() -> Iterator[None]:
    """evidence.score_items remembered per (question, hits) while the weights stay the same."""
    original = evidence.score_items
    memo: dict[tuple[str, tuple[str, ...], str | None], list[evidence.Scored]] = {}

    def remembered(index: Any, q: Any, vector: Any, hits: Sequence[Any], within: str | None = None) -> list[evidence.Scored]:
        key = (q.text, tuple(h.clause.id for h in hits), within)
        if key not in memo:
            memo[key] = original(index, q, vector, hits, within)
        return memo[key]

    evidence.score_items = remembered  # type: ignore[assignment]
    try:
        yield
    finally:
        evidence.score_items = original  # type: ignore[assignment]


# ---------------------------------------------------------------- scoring and folds


def summary(results: Sequence[Result]) -> dict[str, float | None]:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    answered = [r for r in answerable if not r.refused]
    return {
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "refused_answerable": _mean([r.refused for r in answerable]),
        "refused_unanswerable": _mean([r.refused for r in unanswerable]),
        "cited_recall": _mean([r.cited for r in answerable]),
        "stray_citations": _mean([r.stray for r in answered]),
    }


def objective(results: Sequence[Result]) -> float:
    """Higher is better: cited evidence on answerable questions, refusals on unanswerable ones, few
    citations that hold no evidence. Refusing an answerable question costs the most: users met a product
    that refused real questions, and a refusal shows no evidence at all, while an answer shows its clauses."""
    s = summary(results)
    return (
        0.40 * (s["cited_recall"] or 0.0)
        - 0.50 * (s["refused_answerable"] or 0.0)
        + 0.30 * (s["refused_unanswerable"] or 0.0)
        - 0.10 * (s["stray_citations"] or 0.0)
    )


def folds(n: int, k: int, seed: int = 0) -> list[list[int]]:
    """k disjoint folds covering range(n), shuffled. Example: folds(5, 2) -> [[3, 0, 4], [1, 2]] (some order)"""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


def cross_validate(grid: dict[tuple[float, ...], list[Result]], k: int) -> dict[str, Any]:
    """Per fold: the point best on the other folds, and its figures on the held-out fold."""
    n = len(next(iter(grid.values())))
    held: list[dict[str, Any]] = []
    all_held: list[Result] = []
    for fold in folds(n, k):
        inside = set(fold)
        best = max(grid, key=lambda p: (objective([r for i, r in enumerate(grid[p]) if i not in inside]), -p[_EVIDENCE_AT]))
        out_results = [grid[best][i] for i in fold]
        all_held.extend(out_results)
        held.append({"point": dict(zip(GRID, best)), **summary(out_results)})
    final = max(grid, key=lambda p: (objective(grid[p]), -p[_EVIDENCE_AT]))
    return {"folds": held, "held_out": summary(all_held), "fitted": dict(zip(GRID, final)), "fitted_all": summary(grid[final])}


def _mean(values: Sequence[float] | Sequence[bool]) -> float | None:
    return sum(float(v) for v in values) / len(values) if values else None


# ---------------------------------------------------------------- the command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", type=Path, nargs="+", help="gold JSONL files to calibrate on")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--write-perturbed", type=Path, help="write the made unanswerable questions to this JSONL and stop")
    parser.add_argument("--auto-swaps", action="store_true", help="add unchecked place swaps (labels from the evidence only)")
    parser.add_argument("--with-weights", action="store_true",
                        help="fit the scoring weights (COVER_WEIGHT, KIND_BONUS, FOCUS_WEIGHT, RANK_WEIGHT) too: "
                             "32 times the grid, hours instead of minutes")  # fmt: skip
    args = parser.parse_args(argv)
    if not args.with_weights:  # the weights as set in rag/evidence.py; the thresholds are fitted
        GRID.update({name: (float(getattr(evidence, name)),) for name in SCORING})
    from .pipeline import Pipeline

    pipeline = Pipeline(replace(Settings.from_env(), llm_base_url=None))
    items = [i for path in args.gold for i in load_gold(path)]
    made = perturbed([i for i in items if i.type != "swapped"], pipeline.index, swaps=args.auto_swaps)
    if args.write_perturbed:
        lines = [json.dumps({"id": i.id, "question": i.question, "type": i.type, "kind": i.kind, "answer": "", "evidence": []},
                            ensure_ascii=False) for i in made]  # fmt: skip
        args.write_perturbed.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {len(made)} questions to {args.write_perturbed}", file=sys.stderr)
        return 0
    cases = [Case(i) for i in items] + [Case(i, made=True) for i in made]
    print(f"calibrating on {len(cases)} questions ({sum(c.made for c in cases)} made unanswerable)…", file=sys.stderr)
    report = cross_validate(run_grid(cases, pipeline), args.folds)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else _format(report))
    return 0


def _format(report: dict[str, Any]) -> str:
    lines = ["fold  " + "  ".join(GRID) + "   refused-A  refused-U  cited  stray"]
    for n, f in enumerate(report["folds"], 1):
        point = "  ".join(f"{f['point'][k]:>{len(k)}}" for k in GRID)
        lines.append(f"{n:>4}  {point}   {_pct(f['refused_answerable']):>9}  {_pct(f['refused_unanswerable']):>9}  "
                     f"{_pct(f['cited_recall']):>5}  {_pct(f['stray_citations']):>5}")  # fmt: skip
    h = report["held_out"]
    lines.append(f"held-out folds together: refused answerable {_pct(h['refused_answerable'])}, refused unanswerable "
                 f"{_pct(h['refused_unanswerable'])}, cited recall {_pct(h['cited_recall'])}, stray {_pct(h['stray_citations'])}")  # fmt: skip
    lines.append(f"fitted on all: {report['fitted']}")
    return "\n".join(lines)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.1f}%"


if __name__ == "__main__":
    sys.exit(main())
