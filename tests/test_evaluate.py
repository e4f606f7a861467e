"""`rag eval` metrics on a hand-checkable example, the gold file format, and the team's gold set."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import pytest

from rag import evaluate as ev
from rag.errors import InputError, RagError
from rag.model import Answer, Citation, Clause, Hit
from rag.text import norm

GOLD_DIR = Path(__file__).resolve().parent / "gold"
PROJECT = GOLD_DIR.parent.parent


def clause(cid: str, text: str, title: str = "示例市人工智能若干措施") -> Clause:
    return Clause(id=cid, doc_id="doc", doc_title=title, path=("一、总体要求",), number=None, text=text, span=(0, 1))


def hits(*clauses: Clause) -> tuple[Hit, ...]:
    return tuple(Hit(c, 1.0 / rank) for rank, c in enumerate(clauses, 1))


def answer(text: str, *cited: Clause, refused: bool = False) -> Answer:
    return Answer(text, tuple(Citation(n, c) for n, c in enumerate(cited, 1)), refused)


C1 = clause("c1", "（一）到2025年，培育30家以上领军企业。")
C2 = clause("c2", "第六条 对引进的图灵奖获得者给予最高1000万元支持。")
C3 = clause("c3", "建设 人工智能\n算力中心，服务全市企业。")  # whitespace inside: matched after norm
C4 = clause("c4", "设立专项基金，不存在的句子在这里。")
FILLER = [clause(f"f{i}", f"无关条款第{i}项。") for i in range(1, 11)]
F = FILLER

ITEM_A = ev.GoldItem("A", "到2025年培育多少家领军企业？", "number", "",
                     (ev.Evidence("x.txt", "d", "培育30家以上领军企业"), ev.Evidence("x.txt", "d", "建设人工智能算力中心")))
ITEM_B = ev.GoldItem("B", "对图灵奖获得者有什么支持？", "support_measure", "",
                     (ev.Evidence("x.txt", "d", "图灵奖获得者给予最高1000万元支持"),))
ITEM_C = ev.GoldItem("C", "专项基金怎么设？", "fact", "", (ev.Evidence("x.txt", "d", "不存在的句子"),))
ITEM_U1 = ev.GoldItem("U1", "厦门有什么补贴？", "unanswerable", "无法回答")
ITEM_U2 = ev.GoldItem("U2", "上海房租减免多少？", "unanswerable", "无法回答")

# Ranks by construction: A's quotes at 1 and 7, B's at 3, C's nowhere; U items are not retrieval-scored.
OUTCOMES = [
    ev.Outcome(ITEM_A, hits(C1, F[0], F[1], F[2], F[3], F[4], C3, F[5], F[6], F[7]),
               answer("到2025年培育30家以上领军企业[1]。", C1, F[0]), 10.0, 100.0),
    ev.Outcome(ITEM_B, hits(F[0], F[1], C2, F[2]),
               answer("给予最高2000万元支持[1]。", C2), 20.0, 200.0),
    ev.Outcome(ITEM_C, hits(*F), answer("未在所收录的政策中找到。", C4, refused=True), 30.0, 300.0),
    ev.Outcome(ITEM_U1, hits(F[0], C2), answer("未在所收录的政策中找到。", refused=True), 40.0, 400.0),
    ev.Outcome(ITEM_U2, hits(F[0]), answer("房租减免50%[1]。", F[0]), 50.0, 500.0),
]


# ---------------------------------------------------------------- retrieval metrics


def test_quote_ranks_follow_construction() -> None:
    a, b, c = OUTCOMES[:3]
    assert [ev.quote_rank(q, a.hits) for q in ITEM_A.quotes] == [1, 7]
    assert ev.quote_rank(ITEM_B.quotes[0], b.hits) == 3
    assert ev.quote_rank(ITEM_C.quotes[0], c.hits) is None
    assert [ev.first_relevant_rank(o) for o in (a, b, c)] == [1, 3, None]


@pytest.mark.parametrize(("k", "expected"), [(1, 1 / 4), (3, 2 / 4), (5, 2 / 4), (7, 3 / 4), (10, 3 / 4)])
def test_quote_recall_at_k(k: int, expected: float) -> None:
    # 4 gold quotes (unanswerable items excluded): ranks 1, 7, 3 and never.
    assert ev.quote_recall(OUTCOMES, k) == pytest.approx(expected)


def test_all_evidence_at_5() -> None:
    # A misses its rank-7 quote, B has its only quote at 3, C finds nothing -> 1 of 3.
    assert ev.all_evidence(OUTCOMES, 5) == pytest.approx(1 / 3)
    assert ev.all_evidence(OUTCOMES, 7) == pytest.approx(2 / 3)


def test_mrr_at_10() -> None:
    assert ev.mrr(OUTCOMES, 10) == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert ev.mrr(OUTCOMES, 2) == pytest.approx((1 + 0 + 0) / 3)  # B's rank 3 is beyond the cut


def test_unanswerable_items_do_not_count_for_retrieval() -> None:
    assert ev.quote_recall(OUTCOMES[3:], 5) is None
    assert ev.mrr(OUTCOMES[3:]) is None


# ---------------------------------------------------------------- answer metrics


def test_cited_recall_ignores_a_refusals_citations() -> None:
    # q1 cited by A; q2 not cited; q3 cited by B; q4 sits in C4 but C's answer is a refusal.
    assert ev.cited_recall(OUTCOMES) == pytest.approx(2 / 4)


def test_a_quote_across_the_cut_between_two_cited_parts_of_a_clause_counts_as_cited() -> None:
    from dataclasses import replace

    first = replace(clause("p1", "专栏10 信息基础设施。城市大数据中心。"), ref="专栏10", part=1)
    second = replace(clause("p2", "构建统一高效的市级大数据中心。"), ref="专栏10", part=2)
    other = replace(clause("p3", "构建统一高效的市级大数据中心。"), ref="专栏11", part=2)
    item = ev.GoldItem("S", "专栏10讲了啥", "clause_lookup", "", (ev.Evidence("f", "d", "城市大数据中心。构建统一高效"),))
    assert ev.cited_recall([ev.Outcome(item, answer=answer("…[1]…[2]", first, second))]) == 1.0
    assert ev.cited_recall([ev.Outcome(item, answer=answer("…[1]…[2]", first, other))]) == 0.0


def test_refusal_rates() -> None:
    assert ev.refusal_rate(OUTCOMES, answerable=False) == pytest.approx(1 / 2)  # U1 refused, U2 answered
    assert ev.refusal_rate(OUTCOMES, answerable=True) == pytest.approx(1 / 3)  # C refused


def test_number_fidelity() -> None:
    # Non-refused answers: A (2025, 30: in C1) ok; B says 2000 but C2 says 1000; U2 says 50, F[0] has no 50.
    assert ev.unsupported_numbers(OUTCOMES[0].answer, ITEM_A.question) == []  # type: ignore[arg-type]
    assert ev.unsupported_numbers(OUTCOMES[1].answer, ITEM_B.question) == ["2000"]  # type: ignore[arg-type]
    assert ev.unsupported_numbers(OUTCOMES[4].answer, ITEM_U2.question) == ["50"]  # type: ignore[arg-type]
    assert ev.number_fidelity(OUTCOMES) == pytest.approx(1 / 3)
    # a policy named by its title states no figure; a figure outside the title still counts
    named = Answer("【《某市行动计划（2020—2022年）》】未涉及这一方面。", ())
    assert ev.unsupported_numbers(named, "某市补多少") == []
    assert ev.unsupported_numbers(Answer("《某市办法》给予30万元。", ()), "某市补多少") == ["30"]


def test_numbers_from_the_question_and_title_are_supported() -> None:
    titled = clause("t", "支持企业发展。", title="某市2023年人工智能措施")
    a = answer("2023年措施规定，三年内达到5家[1]。", titled)
    assert ev.unsupported_numbers(a, "近5年怎么支持？") == []
    assert ev.unsupported_numbers(a, "怎么支持？") == ["5"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("到２０２５年培育1,000家[1]，占比1.5%", {"2025", "1000", "1.5"}),
        ("见[1][2]和［3］", set()),
        ("1.智能制造", {"1"}),
        ("", set()),
        ("🚀 没有数字", set()),
    ],
)
def test_numbers_in(text: str, expected: set[str]) -> None:
    assert ev.numbers_in(text) == expected


def test_contains_normalises_width_and_whitespace() -> None:
    assert ev.contains("到 2025 年，\n培育", "到２０２５年,培育")
    assert not ev.contains("培育30家", "培育300家")


def test_contains_reads_a_table_row_as_its_cells_whatever_joins_them() -> None:
    # a clause joins a row's cells by " | ", a quote copied from the source file by tabs
    row = "人工智能+新业态 | 智能物流增加值 | 亿元 | 11.4 | — | 25 | 35"
    assert ev.contains(row, "智能物流增加值\t亿元\t11.4\t—\t25\t35")
    assert not ev.contains(row, "智能物流增加值\t亿元\t11.4\t—\t25\t36")


# ---------------------------------------------------------------- latency, misses, summary


def test_percentile_matches_linear_interpolation() -> None:
    assert ev.percentile([10, 20, 30, 40, 50], 50) == 30
    assert ev.percentile([10, 20, 30, 40, 50], 95) == pytest.approx(48.0)
    assert ev.percentile([7.0], 95) == 7.0
    assert ev.percentile([], 50) is None


def test_misses_list_what_came_back_instead() -> None:
    found = ev.misses(OUTCOMES, k=5)
    assert [(m.id, m.quote, m.rank) for m in found] == [
        ("A", "建设人工智能算力中心", 7),
        ("C", "不存在的句子", None),
    ]
    assert found[0].returned == (C1.citation, F[0].citation, F[1].citation)


def test_summary_overall_and_per_type() -> None:
    report = ev.summarize(OUTCOMES, k=5)
    overall = report["overall"]
    assert (overall["questions"], overall["answerable"], overall["quotes"]) == (5, 3, 4)
    assert overall["recall@1"] == pytest.approx(0.25)
    assert overall["recall@5"] == pytest.approx(0.5)
    assert overall["recall@10"] == pytest.approx(0.75)
    assert overall["all_evidence@5"] == pytest.approx(1 / 3)
    assert overall["mrr@10"] == pytest.approx(4 / 9)
    assert overall["number_fidelity"] == pytest.approx(1 / 3)
    number = report["by_type"]["number"]
    assert (number["recall@5"], number["recall@10"], number["mrr@10"]) == (0.5, 1.0, 1.0)
    unanswerable = report["by_type"]["unanswerable"]
    assert unanswerable["recall@5"] is None and unanswerable["refused_unanswerable"] == 0.5
    assert report["latency_ms"]["search"] == {"p50": 30.0, "p95": pytest.approx(48.0), "n": 5}
    assert report["latency_ms"]["answer"]["p50"] == 300.0
    assert {r["id"] for r in report["refused"]} == {"C", "U2"}
    assert [u["id"] for u in report["unsupported_numbers"]] == ["B", "U2"]
    json.dumps(report, ensure_ascii=False)  # JSON-able as it is


def test_retrieval_only_outcomes_have_no_answer_metrics() -> None:
    bare = [replace(o, answer=None, answer_ms=None) for o in OUTCOMES]
    overall = ev.summarize(bare)["overall"]
    assert overall["cited_recall"] is None and overall["number_fidelity"] is None
    assert overall["recall@10"] == pytest.approx(0.75)


def test_report_text_names_every_type_and_miss() -> None:
    text = ev.format_report({"meta": {}, **ev.summarize(OUTCOMES, k=5)})
    for needle in ("overall", "number", "support_measure", "unanswerable", "建设人工智能算力中心", "R@5", "50.0%"):
        assert needle in text


# ---------------------------------------------------------------- running


def test_run_times_each_question_and_records_errors() -> None:
    table = {ITEM_A.question: list(OUTCOMES[0].hits)}

    def search(question: str) -> list[Hit]:
        if question not in table:
            raise RagError("no such region")
        return table[question]

    out = ev.run([ITEM_A, ITEM_B], search, lambda q: answer("好[1]", C1))
    assert out[0].hits == OUTCOMES[0].hits and out[0].answer is not None
    assert out[0].search_ms is not None and out[0].search_ms >= 0 and out[0].answer_ms is not None
    assert out[1].error == "no such region" and out[1].hits == ()
    assert ev.quote_recall(out, 10) == pytest.approx(2 / 3)  # A: 2 of 2 found; B: its quote counts as missed


# ---------------------------------------------------------------- gold files and the command


def test_load_gold_reads_the_dev_format(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    rows = [
        {"id": "x1", "question": "问？", "type": "fact", "answer": "答", "evidence": [{"file": "f", "doc": "d", "quote": "引"}]},
        {"id": "x2", "question": "问2？", "type": "unanswerable", "answer": "无", "evidence": []},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8")
    items = ev.load_gold(path)
    assert [i.id for i in items] == ["x1", "x2"]
    assert items[0].quotes == ("引",) and items[0].answerable and not items[1].answerable


@pytest.mark.parametrize(
    "line",
    [
        '{"id": "x"}',
        "not json",
        '{"id": "x", "question": "q", "evidence": [{"quote": " "}]}',
        '{"id": "x", "question": "q", "facts": "500万元"}',  # a string, not a list: not read as 5 facts
    ],
)
def test_load_gold_names_the_bad_line(tmp_path: Path, line: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.jsonl:1"):
        ev.load_gold(path)


def test_load_gold_missing_or_empty(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        ev.load_gold(tmp_path / "nope.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="no items"):
        ev.load_gold(tmp_path / "empty.jsonl")


def test_register_adds_eval_with_its_options() -> None:
    parser = argparse.ArgumentParser()
    ev.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["eval", "g.jsonl", "--k", "3", "--json", "--no-answers"])
    assert (args.gold, args.k, args.json, args.no_answers, args.func) == (Path("g.jsonl"), 3, True, True, ev.command)
    defaults = parser.parse_args(["eval", "g.jsonl"])
    assert (defaults.k, defaults.json, defaults.no_answers) == (5, False, False)


GOLD_SETS = ["gold", "dev", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8", "fresh9", "fresh10", "fresh11", "fresh12", "fresh13", "fresh14", "fresh15", "fresh16", "fresh17", "fresh18", "fresh19", "fresh20", "fresh21", "fresh22", "fresh23", "fresh24", "fresh25", "fresh26", "fresh27", "fresh28", "fresh29", "fresh30", "fresh31", "dev_swaps", "perturbed", "cross_train"]
PROBES = ["units_probe", "cmp_probe"]  # one type of question each, all answerable


@pytest.mark.parametrize("name", GOLD_SETS + PROBES)
def test_gold_quotes_are_verbatim_in_the_bundled_corpus(name: str) -> None:
    items = ev.load_gold(GOLD_DIR / f"{name}.jsonl")
    assert len(items) >= 5 and (name in PROBES or any(not i.answerable for i in items))
    for item in items:
        for e in item.evidence:
            source = norm((PROJECT / "corpus" / e.file).read_text(encoding="utf-8"))
            assert norm(e.quote) in source, (item.id, e.quote)


# ---------------------------------------------------------------- bench's pure helpers (figures, never times)


def test_bench_stats_and_ratio() -> None:
    from rag import bench

    assert bench.stats_ms([1.0, 2.0, 3.0]) == {"p50": 2.0, "p95": 2.9, "n": 3}
    assert bench.stats_ms([]) == {"p50": None, "p95": None, "n": 0}
    assert bench.ratio(3.0, 2.0) == 1.5 and bench.ratio(1.0, 0.0) is None and bench.ratio(None, 1.0) is None


def _point(clauses: int, flat_p50: float, recall: float = 0.99) -> dict[str, object]:
    return {"clauses": clauses, "flat_ms": {"p50": flat_p50}, "flat_1thread_ms": {"p50": flat_p50 / 2},
            "hnsw_recall@10": recall}


def test_bench_threshold_verdict() -> None:
    from rag import bench

    points = [_point(10_000, 1.0), _point(100_000, 10.0)]
    assert bench.flat_crossing(points) == 100_000
    assert bench.flat_crossing(points, "flat_1thread_ms") == 200_000
    ok = bench.threshold_verdict(points, 150_000)
    assert ok["supports"] is True and ok["suggested"] == 150_000
    off = bench.threshold_verdict(points, 1_000_000)
    assert off["supports"] is False and off["suggested"] == 100_000
    poor = _point(100_000, 10.0, 0.9) | {"hnsw_ef": {"64": {"recall@10": 0.9}, "256": {"recall@10": 0.97}}}
    poor_recall = bench.threshold_verdict([_point(10_000, 1.0), poor], 100_000)
    assert (poor_recall["supports"], poor_recall["threshold_ok"], poor_recall["recall_ok"]) == (False, True, False)
    assert poor_recall["ef_for_recall"] == 256
    assert bench.threshold_verdict(points[:1], 100_000)["supports"] is None


def test_bench_synthetic_data_keeps_real_shape() -> None:
    import random

    import numpy as np

    from rag import bench

    rng = np.random.default_rng(0)
    real = rng.standard_normal((5, 16)).astype(np.float32)
    real /= np.linalg.norm(real, axis=1, keepdims=True)
    synth = bench.synthetic_vectors(real, 50, rng)
    assert synth.shape == (50, 16) and np.allclose(np.linalg.norm(synth, axis=1), 1.0, atol=1e-5)
    assert float(np.max(synth @ real.T, axis=1).mean()) > 0.8  # each stays near its source clause
    sentences = [["北京", "支持"], ["算力", "补助"], ["人才"], ["场景"]]
    docs = bench.synthetic_tokens(sentences, 20, random.Random(1))
    assert len(docs) == 20 and all(2 <= len(d) <= 8 for d in docs)
    assert {t for d in docs for t in d} <= {t for s in sentences for t in s}


def test_bench_hnsw_recall_of_an_exact_index_is_one() -> None:
    import numpy as np

    from rag import bench, store

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((200, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    flat = store.make_faiss(vectors, "flat")
    assert bench.hnsw_recall(flat, store.make_faiss(vectors, "flat"), vectors[:5], 10) == 1.0


def test_bench_register_and_plans() -> None:
    from rag import bench

    parser = argparse.ArgumentParser()
    bench.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["bench", "--quick", "--json"])
    assert (args.quick, args.json, args.func) == (True, True, bench.command)
    assert bench.Plan.of(quick=True).scales == (1, 10) and bench.Plan.of(quick=False).scales == (1, 10, 100)
    assert bench.bench_app(Path("/nonexistent/app.py"))["ready_s"] is None


# ---------------------------------------------------------------- facts, units, places, refusals by kind


def _clause(text: str, region: str = "某市") -> Clause:
    return Clause("c", "d", "某市措施", (), None, text, (0, len(text)), region=region)


def test_fact_recall_counts_gold_amounts_the_answer_states() -> None:
    from rag.model import Answer

    item = ev.GoldItem("F", "补多少", "number", "按30%给予补助，最高500万元。", (ev.Evidence("f", "d", "最高500万元"),))
    assert ev.gold_facts(item) == ("30%", "500万元")
    said = ev.Outcome(item, answer=Answer("最高500万元[1]。"))
    assert ev.fact_recall([said]) == pytest.approx(0.5)
    assert ev.fact_recall([ev.Outcome(item, answer=Answer("最高500万元，30%", refused=True))]) == 0.0
    assert ev.states_fact("1,000万元", "1000万元") and not ev.states_fact("最高50万元", "500万元")
    assert ev.states_fact("最高1,000万元[1]", "1,000万元") and ev.states_fact("最高1000万元", "1,000万元")


def test_units_named_reads_unit_names_from_the_gold_answer() -> None:
    from rag.model import Answer

    item = ev.GoldItem("R", "谁牵头", "responsible_unit", "由杭州市科技局牵头，市财政局配合。", (ev.Evidence("f", "d", "q"),))
    assert ev.gold_units(item) == ("杭州市科技局", "市财政局")
    ok = ev.Outcome(item, answer=Answer("牵头单位：市科技局；配合单位：市财政局[1]。"))
    missing = ev.Outcome(item, answer=Answer("牵头单位：市科技局[1]。"))
    assert ev.units_named([ok]) == 1.0 and ev.units_named([missing]) == 0.0


def test_units_named_prefers_the_items_unit_facts_to_parsing_its_answer() -> None:
    from rag.model import Answer

    answer = "该项的责任单位为：市经信委、市财政局。前几项的责任单位还包括市科委。咨询电话61884658。"
    item = ev.GoldItem("R", "谁负责", "responsible_unit", answer, (ev.Evidence("f", "d", "q"),),
                       facts=("市经信委", "市财政局", "61884658"))  # fmt: skip
    assert ev.gold_units(item) == ("市经信委", "市财政局")
    assert ev.units_named([ev.Outcome(item, answer=Answer("责任单位：市经信委、市财政局[1]。"))]) == 1.0


def test_places_covered_needs_every_place_cited_or_named() -> None:
    from rag.model import Answer, Citation

    item = ev.GoldItem("C", "成渝一样吗", "comparison", "", (ev.Evidence("f", "d", "q"),), places=("成都", "重庆"))
    both = Answer("…[1]…[2]", (Citation(1, _clause("a", "成都市")), Citation(2, _clause("b", "重庆市"))))
    one = Answer("…[1]", (Citation(1, _clause("a", "成都市")),))
    assert ev.places_covered([ev.Outcome(item, answer=both)]) == 1.0
    assert ev.places_covered([ev.Outcome(item, answer=one)]) == 0.0


def test_refusals_are_broken_down_by_kind() -> None:
    from rag.model import Answer

    place = ev.GoldItem("P", "厦门", "unanswerable", "", kind="place")
    year = ev.GoldItem("Y", "2045", "unanswerable", "", kind="year")
    out = ev.refused_by_kind([ev.Outcome(place, answer=Answer("无", refused=True)), ev.Outcome(year, answer=Answer("有"))])
    assert out == {"place": 1.0, "year": 0.0}


def test_a_heading_without_text_of_its_own_is_cited_by_a_clause_under_it() -> None:
    # "（一）建立人工智能创新体系" heads numbered clauses and has no text of its own: a citation shows it above
    # its clauses, so a gold quote of the heading counts as cited; a clause under another heading does not cite it
    under = replace(clause("h1", "1.强化基础理论研究。"), path=("二、主要任务", "（一）建立人工智能创新体系"))
    elsewhere = replace(clause("h2", "1.培育新兴产业。"), path=("二、主要任务", "（二）打造人工智能产业集群"))
    item = ev.GoldItem("H", "主要任务拆成几块", "number", "", (ev.Evidence("f", "d", "（一）建立人工智能创新体系"),))
    assert ev.cited_recall([ev.Outcome(item, answer=answer("…[1]", under))]) == 1.0
    assert ev.cited_recall([ev.Outcome(item, answer=answer("…[1]", elsewhere))]) == 0.0
