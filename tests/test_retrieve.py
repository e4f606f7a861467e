"""Hybrid retrieval on the bundled index (real e5 query embeddings), in every search store."""

from __future__ import annotations

import pytest

from rag import retrieve
from rag.errors import InputError
from rag.text import norm


def test_turing_award_question_finds_the_zhongguancun_clause(store_index) -> None:  # type: ignore[no-untyped-def]
    hits = retrieve.search(store_index, "北京对引进图灵奖获得者有什么支持", k=5)
    top = hits[0].clause
    assert "十五条措施" in top.doc_title and top.number == "第十二条"
    assert "图灵奖" in top.text
    assert hits[0].why in {"dense+bm25", "bm25", "dense"}


def test_clause_reference_goes_straight_to_the_clause(store_index) -> None:  # type: ignore[no-untyped-def]
    hits = retrieve.search(store_index, "中关村十五条措施第六条讲的是什么？", k=3)
    assert hits[0].why == "lookup"
    assert hits[0].clause.number == "第六条" and "十五条措施" in hits[0].clause.doc_title


def test_region_filter_keeps_only_that_region(store_index) -> None:  # type: ignore[no-untyped-def]
    hits = retrieve.search(store_index, "人工智能产业规模目标", k=8, filters={"region": "成都"})
    assert hits and {h.clause.region for h in hits} == {"成都市"}


def test_doc_filter_by_abbreviated_name(store_index) -> None:  # type: ignore[no-untyped-def]
    hits = retrieve.search(store_index, "人才", k=5, filters={"doc": "中关村十五条措施"})
    assert hits and all("十五条措施" in h.clause.doc_title for h in hits)


def test_year_filter_keeps_only_policies_of_that_year(store_index) -> None:  # type: ignore[no-untyped-def]
    hits = retrieve.search(store_index, "人工智能产业规模目标", k=8, filters={"year": "2021", "region": None})
    assert hits and {h.clause.year for h in hits} == {2021}
    both = retrieve.search(store_index, "人工智能", k=8, filters={"year": 2020, "region": "湖北"})
    assert both and {(h.clause.year, h.clause.region) for h in both} == {(2020, "湖北省")}


def test_comparison_gets_evidence_from_each_place(store_index) -> None:  # type: ignore[no-untyped-def]
    hits = retrieve.search(store_index, "成渝两地试验区2022年的人工智能核心产业规模目标一样吗？", k=6)
    assert {h.clause.region for h in hits[:2]} == {"成都市", "重庆市"}


def test_a_comparison_naming_each_place_s_policy_searches_each_place_in_its_own(store_index) -> None:  # type: ignore[no-untyped-def]
    # one named policy per place: each place is searched in its own, not in both (长沙's clauses took all)
    hits = retrieve.search(store_index, "长沙的三年行动计划跟郑州的产业规划 产学研各怎么写的", k=10)
    assert {h.clause.region for h in hits[:2]} == {"长沙市", "郑州市"}
    assert all("三年行动计划" in h.clause.doc_title for h in hits if h.clause.region == "长沙市")


def test_no_two_near_identical_clauses(store_index) -> None:  # type: ignore[no-untyped-def]
    hits = retrieve.search(store_index, "成都人工智能产业发展专项政策 对新落户企业的支持", k=10)
    texts = [norm(h.clause.text) for h in hits]
    assert len(set(texts)) == len(texts)


def test_scores_are_best_first(store_index) -> None:  # type: ignore[no-untyped-def]
    hits = retrieve.search(store_index, "智能网联汽车测试", k=10)
    fused = [h.score for h in hits if h.why != "lookup"]
    assert fused == sorted(fused, reverse=True) and len(hits) == 10


@pytest.mark.parametrize("question", ["", "   ", "问" * 2001])
def test_bad_questions_are_rejected(store_index, question: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        retrieve.search(store_index, question)


@pytest.mark.parametrize(
    "filters", [{"region": "厦门"}, {"doc": "完全不存在的某某办法"}, {"city": "北京"}, {"year": "明年"}, {"year": 1066}]
)
def test_unknown_filters_say_so(store_index, filters: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        retrieve.search(store_index, "人工智能", filters=filters)


@pytest.mark.parametrize("question", ["北", "🤖人工智能🚗", "AI"])
def test_odd_but_valid_questions_return_hits(store_index, question: str) -> None:  # type: ignore[no-untyped-def]
    assert len(retrieve.search(store_index, question, k=3)) == 3


def test_langchain_retriever_round_trips_hits(store_index) -> None:  # type: ignore[no-untyped-def]
    docs = retrieve.PolicyRetriever(index=store_index, k=4).invoke("北京对引进图灵奖获得者有什么支持")
    assert len(docs) == 4
    hit = retrieve.from_langchain(docs[0])
    assert hit.clause == store_index.clause(docs[0].id)
