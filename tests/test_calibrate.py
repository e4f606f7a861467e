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


# ---------------------------------------------------------------- which regions a "哪些城市…" answer lists


@pytest.fixture
def place_constants(monkeypatch: pytest.MonkeyPatch) -> None:
    """The constants the examples below are written for (a refit may move the fitted ones)."""
    from rag import evidence

    for name, value in (("EVIDENCE_MIN", 6.0), ("PLACE_Z", 0.8), ("PLACE_GAP", 1.5)):
        monkeypatch.setattr(evidence, name, value)


@pytest.mark.usefixtures("place_constants")
def test_a_region_that_stands_out_is_listed_though_far_below_the_best() -> None:
    from rag import evidence

    bests = {"甲市": 11.0, "乙市": 8.2, "丙市": 6.3, "丁市": 5.0, "戊市": 4.8, "己市": 4.7, "庚市": 4.5, "辛市": float("-inf")}
    # 乙市 is 2.8 below the best, but stands well above the regions' mean: it has the measure
    assert evidence.providing(bests) == ["甲市", "乙市"]
    # 丙市 passes EVIDENCE_MIN but sits among the many regions that only share the question's words
    assert "丙市" not in evidence.providing(bests)


@pytest.mark.usefixtures("place_constants")
def test_regions_below_the_evidence_threshold_are_never_listed() -> None:
    from rag import evidence

    assert evidence.providing({"甲市": 5.9, "乙市": 2.0, "丙市": 1.0}) == []
    assert evidence.providing({}) == [] and evidence.providing({"甲市": float("-inf")}) == []
    # regions that all score alike do not stand out; the gap to the best still lists them
    assert evidence.providing({"甲市": 7.0, "乙市": 7.0, "丙市": 7.0}) == ["甲市", "乙市", "丙市"]


@pytest.mark.usefixtures("place_constants")
def test_places_calibration_counts_listed_regions_and_picks_on_the_other_folds() -> None:
    from rag import calibrate_places as cp

    assert cp.f_beta(3, 1, 1) == pytest.approx(0.75, abs=0.02) and cp.f_beta(0, 2, 2) == 0.0
    # the second region of each question stands out (z about 1.9) but is 3 below the best: only a point
    # that lists regions standing out gets it
    bests = {"甲市": 12.0, "乙市": 9.0, **{f"{i}市": 5.0 for i in "丙丁戊己庚辛壬癸"}}
    cases = [cp.Case(f"q{n}", bests, frozenset({"甲市", "乙市"})) for n in range(10)]
    report = cp.cross_validate(cases, 5)
    assert all(f["point"]["PLACE_Z"] < float("inf") for f in report["folds"])
    assert report["held_out"]["recall"] == pytest.approx(1.0) and report["held_out"]["precision"] == pytest.approx(1.0)
    assert report["held_out"]["exact"] == 10
