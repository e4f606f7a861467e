"""Calibration's pure parts: folds, the objective, cross-validation over a made-up grid, made questions."""

from __future__ import annotations

import pytest

from rag import calibrate as cal
from rag.evaluate import Evidence, GoldItem
from rag.model import Answer, Citation, Clause

A = GoldItem("a", "北京对图灵奖获得者有什么支持？", "support_measure", "", (Evidence("f", "d", "最高1000万元"),))
U = GoldItem("u", "厦门有什么补贴？", "unanswerable", "", (), kind="place")


def clause(text: str) -> Clause:
    return Clause("c", "d", "某市措施", (), None, text, (0, len(text)))


def test_folds_partition_every_index_once() -> None:
    folds = cal.folds(23, 5)
    assert len(folds) == 5 and sorted(i for f in folds for i in f) == list(range(23))
    assert cal.folds(23, 5) == folds  # seeded: the same folds every run


def test_result_of_an_answer_and_of_a_refusal() -> None:
    cited = Answer("给予最高1000万元支持[1]。", (Citation(1, clause("给予最高1000万元支持")), Citation(2, clause("无关"))))
    r = cal.result(A, cited)
    assert (r.refused, r.cited, r.stray) == (False, 1.0, 0.5)
    assert cal.result(A, Answer("未找到", refused=True)).cited == 0.0
    assert cal.result(U, Answer("未找到", refused=True)) == cal.Result(False, True, 0.0, 0.0)


def test_cross_validation_picks_on_the_other_folds_and_reports_the_held_out_one() -> None:
    good = [cal.Result(True, False, 1.0, 0.0)] * 6 + [cal.Result(False, True, 0.0, 0.0)] * 4
    bad = [cal.Result(True, True, 0.0, 0.0)] * 6 + [cal.Result(False, False, 0.0, 0.0)] * 4
    names = list(cal.GRID)
    point_good = tuple(cal.GRID[n][0] for n in names)
    point_bad = tuple(cal.GRID[n][-1] for n in names)
    report = cal.cross_validate({point_good: good, point_bad: bad}, 5)
    assert all(f["point"] == dict(zip(names, point_good)) for f in report["folds"])
    assert report["held_out"]["refused_answerable"] == 0.0 and report["held_out"]["refused_unanswerable"] == 1.0
    assert report["held_out"]["cited_recall"] == pytest.approx(1.0)


def test_made_questions_name_an_absent_year_or_article() -> None:
    year = GoldItem("y", "湖北到2025年产业规模多少？", "target", "", (Evidence("f", "d", "q"),))
    assert [i.question for i in cal.absent_years([year])] == [f"湖北到{cal.ABSENT_YEAR}年产业规模多少？"]
    article = GoldItem("r", "中关村十五条措施第十条", "clause_lookup", "", (Evidence("f", "d", "q"),))
    made = cal.absent_articles([article], index=None)
    assert made[0].question == "中关村十五条措施第四十条" and made[0].kind == "article"
