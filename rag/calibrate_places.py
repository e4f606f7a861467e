"""Fit which regions a "哪些城市…" answer lists (evidence.PLACE_Z, evidence.PLACE_GAP) by k-fold
cross-validation on gold questions that name the places providing a measure.

    python -m rag.calibrate_places tests/gold/cross_train.jsonl [--folds 5] [--json]

The questions are those the answerer treats as "哪些城市…" (no place named, retrieval searched region by
region) whose gold item lists `places`: the regions whose policies provide the measure. Retrieval and item
scoring run once per question (the two constants do not change scores); every grid point then decides
which regions to list. A point is judged by how many of the gold regions the answers list and how many
listed regions are gold, weighted towards the first (F with beta 1.5): a city missing from the list
misleads the user, while a city listed too shows its own clause, which the user can read and dismiss.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import evidence
from . import places as gazetteer
from .calibrate import _pct, folds, parameters
from .config import Settings
from .evaluate import load_gold

GRID = {
    "PLACE_Z": (0.6, 0.8, 1.0, 1.2, 1.4, float("inf")),  # inf: standing out never suffices (the gap alone)
    "PLACE_GAP": (0.0, 0.5, 1.0, 1.5, 2.0, 2.5),
}
BETA = 1.5  # recall counts this much more than precision


@dataclass(frozen=True)
class Case:
    """One "哪些城市…" question: each region's best item score, and the regions the gold answer lists."""

    id: str
    bests: dict[str, float]
    gold: frozenset[str]


def cases(items: Sequence[Any], pipeline: Any) -> list[Case]:
    out = []
    for item in items:
        if not item.answerable and item.kind not in ("measure", ""):
            continue
        r = pipeline._retrieve({"question": item.question, "standalone": item.question}).retrieved
        q = r.question
        if not (q.cross and not q.known_places and r.by_region):
            continue
        measure = evidence.named_measure(q)  # as the answerer scores places (rag/extractive.py)
        bests = {
            region: evidence.best(evidence.score_items(pipeline.index, measure, r.vector, hits))
            for region, hits in r.by_region.items()
        }
        gold = frozenset(region for place in item.places for region in gazetteer.names(place) if region in bests)
        out.append(Case(item.id, bests, gold))
    return out


def counts(point: dict[str, float], chosen: Sequence[Case]) -> tuple[int, int, int, int]:
    """(gold regions listed, regions listed that are not gold, gold regions missed, questions whose list
    holds every gold region and no other)."""
    hit = extra = missed = exact = 0
    with parameters(point):
        for case in chosen:
            listed = set(evidence.providing(case.bests))
            hit += len(listed & case.gold)
            extra += len(listed - case.gold)
            missed += len(case.gold - listed)
            exact += listed == case.gold
    return hit, extra, missed, exact


def summary(point: dict[str, float], chosen: Sequence[Case]) -> dict[str, float | int | None]:
    return figures(counts(point, chosen), len(chosen))


def figures(totals: Sequence[int], questions: int) -> dict[str, float | int | None]:
    """Precision, recall, F and exact lists from counts() totals."""
    hit, extra, missed, exact = totals
    precision = hit / (hit + extra) if hit + extra else None
    recall = hit / (hit + missed) if hit + missed else None
    return {"questions": questions, "precision": precision, "recall": recall, "f": f_beta(hit, extra, missed), "exact": exact}


def f_beta(hit: int, extra: int, missed: int) -> float:
    """F with beta = BETA over region decisions. Example: f_beta(3, 1, 1) -> 0.75"""
    b2 = BETA * BETA
    return (1 + b2) * hit / ((1 + b2) * hit + b2 * missed + extra) if hit else 0.0


def cross_validate(chosen: Sequence[Case], k: int) -> dict[str, Any]:
    points = [dict(zip(GRID, values)) for values in itertools.product(*GRID.values())]

    def best(train: Sequence[Case]) -> dict[str, float]:  # on a tie the lower PLACE_Z (more places) wins
        return max(points, key=lambda p: (f_beta(*counts(p, train)[:3]), -p["PLACE_Z"], -p["PLACE_GAP"]))

    held, totals = [], [0, 0, 0, 0]
    for fold in folds(len(chosen), k):
        inside = set(fold)
        point = best([c for i, c in enumerate(chosen) if i not in inside])
        out = [chosen[i] for i in fold]
        totals = [a + b for a, b in zip(totals, counts(point, out))]
        held.append({"point": point, **summary(point, out)})
    final = best(chosen)
    return {
        "folds": held,
        "held_out": figures(totals, len(chosen)),
        "fitted": final,
        "fitted_all": summary(final, chosen),
        "current": summary({"PLACE_Z": evidence.PLACE_Z, "PLACE_GAP": evidence.PLACE_GAP}, chosen),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.calibrate_places", description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", type=Path, nargs="+", help="gold JSONL files with places-listing questions")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from .pipeline import Pipeline

    pipeline = Pipeline(replace(Settings.from_env(), llm_base_url=None))
    chosen = cases([i for path in args.gold for i in load_gold(path)], pipeline)
    if len(chosen) < args.folds:
        print(f"only {len(chosen)} questions list places; need at least {args.folds}", file=sys.stderr)
        return 2
    print(f"calibrating on {len(chosen)} questions…", file=sys.stderr)
    report = cross_validate(chosen, args.folds)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else _format(report))
    return 0


def _format(report: dict[str, Any]) -> str:
    lines = ["fold  PLACE_Z  PLACE_GAP  precision  recall  exact"]
    for n, f in enumerate(report["folds"], 1):
        lines.append(f"{n:>4}  {f['point']['PLACE_Z']:>7}  {f['point']['PLACE_GAP']:>9}  {_pct(f['precision']):>9}  "
                     f"{_pct(f['recall']):>6}  {f['exact']:>5}/{f['questions']}")  # fmt: skip
    for name in ("held_out", "fitted_all", "current"):
        s = report[name]
        lines.append(f"{name.replace('_', ' ')}: precision {_pct(s['precision'])}, recall {_pct(s['recall'])}, "
                     f"F{BETA} {s['f']:.3f}, exact lists {s['exact']}/{s['questions']}")  # fmt: skip
    lines.append(f"fitted on all: {report['fitted']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
