"""The measure extractor: hand-labelled gold clauses (tests/gold/measures.jsonl, see measures.md),
small worked cases, and every span verbatim across the bundled index."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from rag import measures, store
from rag.model import Clause, Measure

GOLD = Path(__file__).resolve().parent / "gold" / "measures.jsonl"
TARGET_PRECISION, TARGET_RECALL = 0.95, 0.90


def clause(text: str, title: str = "") -> Clause:
    return Clause(id="c", doc_id="d", doc_title="示例市若干措施", path=(), number=None, text=text,
                  span=(0, len(text)), region="示例市", title=title)  # fmt: skip


def _gold() -> list[dict[str, object]]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def _extracted(found: tuple[Measure, ...]) -> dict[str, list[str]]:
    return {
        "amounts": [q.span.text for m in found for q in m.amounts],
        "caps": [q.span.text for m in found for q in (*m.amounts, *m.ratios) if q.cap],
    }


def _labelled(record: dict[str, object]) -> dict[str, list[str]]:
    amounts: list[dict[str, object]] = record["amounts"]  # type: ignore[assignment]
    ratios: list[dict[str, object]] = record["ratios"]  # type: ignore[assignment]
    return {
        "amounts": [str(a["text"]) for a in amounts],
        "caps": [str(a["text"]) for a in (*amounts, *ratios) if a["cap"]],
    }


def score(split: str) -> dict[str, tuple[float, float]]:
    """(precision, recall) of amounts and caps over one part of the gold set, as multisets per clause."""
    hit = Counter[str]()
    got = Counter[str]()
    want = Counter[str]()
    for record in _gold():
        if record["split"] != split:
            continue
        found = _extracted(measures.extract(clause(str(record["text"]), str(record["title"]))))
        gold = _labelled(record)
        for key in ("amounts", "caps"):
            hit[key] += sum((Counter(found[key]) & Counter(gold[key])).values())
            got[key] += len(found[key])
            want[key] += len(gold[key])
    return {k: (hit[k] / max(got[k], 1), hit[k] / max(want[k], 1)) for k in ("amounts", "caps")}


def test_gold_set_is_what_its_readme_says() -> None:
    records = _gold()
    assert len(records) >= 60 and len({r["region"] for r in records}) >= 8
    assert Counter(str(r["split"]) for r in records) == {"tune": 42, "heldout": 30, "heldout2": 29}
    for r in records:  # every label is a piece of its clause
        for a in (*r["amounts"], *r["ratios"]):  # type: ignore[misc]
            assert a["text"] in r["text"]


@pytest.mark.parametrize("split", ["tune", "heldout", "heldout2"])
def test_amounts_and_caps_meet_the_targets(split: str) -> None:
    for key, (precision, recall) in score(split).items():
        assert precision >= TARGET_PRECISION, f"{split} {key} precision {precision:.3f}"
        assert recall >= TARGET_RECALL, f"{split} {key} recall {recall:.3f}"


# ---------------------------------------------------------------- worked cases


def test_the_docstring_example() -> None:
    text = (
        "对于区域内创新主体举办赛事活动成效显著的，可按照不高于实际投入30%的比例，给予最高500万元资金支持。"
    )
    (m,) = measures.extract(clause(text))
    assert (
        m.kind == "资金支持"
        and m.purpose is not None
        and m.purpose.text == "区域内创新主体举办赛事活动成效显著的"
    )
    (amount,) = m.amounts
    assert (amount.span.text, amount.unit, amount.value, amount.cap, amount.shown) == (
        "500万元",
        "万元",
        5e6,
        True,
        "最高500万元",
    )
    (ratio,) = m.ratios
    assert (ratio.span.text, ratio.value, ratio.cap, ratio.shown) == ("30%", 30.0, True, "不高于实际投入30%")


@pytest.mark.parametrize(
    ("text", "amounts", "caps", "thresholds"),
    [
        # a condition on the applicant is a threshold, a limit on the payment a cap
        (
            "对年销售收入不超过2000万元的企业，给予不超过实际投资额5%的补助，单个项目最高不超过50万元。",
            ["50万元"],
            ["5%", "50万元"],
            ["2000万元"],
        ),
        (
            "对实缴注册资本1000万元以上的企业，按实际租金的50%给予补贴，每家企业每年最高补贴100万元。",
            ["100万元"],
            ["100万元"],
            ["1000万元"],
        ),
        # targets and statistics give nothing
        ("到2025年，人工智能核心产业规模达到3500亿元，带动相关产业规模超过1万亿元。", [], [], []),
        ("2020年我国人工智能市场规模达990亿元，对经济增加值的贡献最高接近40%。", [], [], []),
        # a fund's size is what it gives; a list after 最高 is capped throughout
        ("设立人工智能产业投资基金，首期规模达200亿元，总规模1000亿元。", ["200亿元", "1000亿元"], [], []),
        (
            "分别给予最高100万元、50万元、30万元奖励。",
            ["100万元", "50万元", "30万元"],
            ["100万元", "50万元", "30万元"],
            [],
        ),
        ("每年根据孵化情况给予基地500—1000万元资金补助。", ["500—1000万元"], [], []),
        (
            "对投资达到5000万元、1亿元的项目，分别给予500万元、1000万元奖励。",
            ["500万元", "1000万元"],
            [],
            ["5000万元", "1亿元"],
        ),
        (
            "年单笔贷款额不低于50万元（含50万元）的，按利息的40%给予贴息，每年最高30万元。",
            ["30万元"],
            ["30万元"],
            ["50万元", "50万元"],
        ),
        ("按实际融资额的2‰给予补助，每家企业每年补助额最高100万元。", ["100万元"], ["100万元"], []),
    ],
)
def test_amounts_caps_and_thresholds(
    text: str, amounts: list[str], caps: list[str], thresholds: list[str]
) -> None:
    found = measures.extract(clause(text))
    assert [q.span.text for m in found for q in m.amounts] == amounts
    assert sorted(q.span.text for m in found for q in (*m.amounts, *m.ratios) if q.cap) == sorted(caps)
    assert [q.span.text for m in found for q in m.thresholds] == thresholds


def test_kinds_without_amounts_need_something_given() -> None:
    assert [m.kind for m in measures.extract(clause("对顶尖人才和团队的重大项目实行“一事一议”。"))] == [
        "一事一议"
    ]
    assert [m.kind for m in measures.extract(clause("设立人工智能产业发展基金。"))] == ["基金"]
    assert [m.kind for m in measures.extract(clause("给予本市装备首台套、软件首版次相关政策支持。"))] == [
        "支持"
    ]
    assert measures.extract(clause("企业申请展会补贴，需提交展位照片及发票。")) == ()
    assert measures.extract(clause("加快建设人工智能计算中心，推动算力开放共享。")) == ()


def test_responsible_units_with_nested_brackets_and_several_labels() -> None:
    text = ("对上云企业给予最高50万元补助。（牵头单位：市科技局；配合单位：市经济信息委、各县（市）区政府）"
            "[责任部门:沈阳广播电视台、沈阳日报社]")  # fmt: skip
    (m,) = measures.extract(clause(text))
    assert [s.text for s in m.responsible] == [
        "市科技局",
        "市经济信息委",
        "各县（市）区政府",
        "沈阳广播电视台",
        "沈阳日报社",
    ]
    assert [s.text for s in measures.responsible_units("（市委网信办、市财政局等按职责分工负责）")] == [
        "市委网信办",
        "市财政局",
    ]
    assert [
        s.text for s in measures.responsible_units("（政策咨询部门：市科技局高新处，咨询电话：61886241）")
    ] == ["市科技局高新处"]


@pytest.mark.parametrize(
    "text", ["", "。", "😀", "第一条", "给予" * 2000, "（责任单位：" * 50, "最高" + "万元" * 100]
)
def test_odd_text_gives_well_formed_measures(text: str) -> None:
    for m in measures.extract(clause(text)):
        for span in (m.sentence, *(q.span for q in (*m.amounts, *m.ratios, *m.thresholds))):
            assert text[span.start : span.end] == span.text


def test_every_value_in_the_bundled_index_is_a_span_of_its_clause(bundled_index: store.Index) -> None:
    checked = 0
    for c in bundled_index.clauses:
        assert c.measures == measures.extract(c)  # the index holds what the extractor says now
        for m in c.measures:
            quantities = (*m.amounts, *m.ratios, *m.thresholds)
            spans = [m.sentence, m.kind_span, m.purpose, m.beneficiary, *m.responsible,
                     *(q.span for q in quantities), *(q.phrase for q in quantities)]  # fmt: skip
            for span in spans:
                if span is not None:
                    assert c.text[span.start : span.end] == span.text, c.id
                    checked += 1
    assert checked > 1000
