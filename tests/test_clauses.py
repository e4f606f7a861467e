"""clauses.split: hand-written expectations on a fixture and on documents of every numbering style."""

from __future__ import annotations

import re

import pytest
from conftest import FIXTURES, PROJECT, gold_quotes

from rag import clauses, ingest
from rag.model import Clause, Document
from rag.text import norm as squash  # quotes and clauses are compared as NFKC without whitespace

CORPUS = PROJECT / "corpus"


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    return ingest.load_many(sorted(CORPUS.glob("*")))[0]


@pytest.fixture(scope="module")
def split_all(docs: list[Document]) -> dict[str, list[Clause]]:
    return {d.id: clauses.split(d) for d in docs}


def doc_clauses(docs: list[Document], split_all: dict[str, list[Clause]], words: str) -> list[Clause]:
    return split_all[next(d.id for d in docs if words in d.title)]


def by_ref(cl: list[Clause], ref: str) -> list[Clause]:
    return [c for c in cl if c.ref == ref]


# ---------------------------------------------------------------- the four-clause fixture


def test_four_clause_fixture_by_hand() -> None:
    [doc] = ingest.load(FIXTURES / "four_clauses.txt")
    got = [(c.path, c.number, c.ref, c.title, c.text) for c in clauses.split(doc)]
    assert got == [
        (
            ("一、总体要求",),
            "（一）",
            "一（一）",
            "指导思想",
            "（一）指导思想。坚持创新驱动，推动人工智能产业高质量发展。",
        ),
        (
            ("一、总体要求",),
            "（二）",
            "一（二）",
            "发展目标",
            "（二）发展目标。到2025年，核心产业规模达到100亿元，带动相关产业规模达到500亿元。",
        ),
        (("二、支持措施",), "1", "二1", "研发补助", "1.研发补助。对企业研发投入按20%给予补助，最高500万元。"),
        (("二、支持措施",), "2", "二2", "人才奖励", "2.人才奖励。对引进的顶尖人才给予最高1000万元奖励。"),
    ]


def test_spans_index_the_document_text(split_all: dict[str, list[Clause]], docs: list[Document]) -> None:
    text = {d.id: d.text for d in docs}
    for cl in split_all.values():
        for c in cl:
            start, end = c.span
            if " | " in c.text and c.part > 1:  # table parts repeat their header row
                assert c.text.endswith(text[c.doc_id][start:end])
            else:
                assert text[c.doc_id][start:end] == c.text


def test_ids_are_unique_and_stable(docs: list[Document], split_all: dict[str, list[Clause]]) -> None:
    ids = [c.id for cl in split_all.values() for c in cl]
    assert len(ids) == len(set(ids))
    again = [c.id for d in docs for c in clauses.split(d)]
    assert again == ids
    assert all(c.id.startswith(c.doc_id + ":") for cl in split_all.values() for c in cl)


# ---------------------------------------------------------------- styles of numbering in the corpus


def test_beijing_fifteen_measures(docs: list[Document], split_all: dict[str, list[Clause]]) -> None:
    cl = doc_clauses(docs, split_all, "十五条措施")
    articles = [c for c in cl if re.fullmatch(r"第.+条", c.ref)]
    numbers = [clauses.cn_to_int(c.ref[1:-1]) for c in articles]
    assert numbers == list(range(1, 16))
    # 第二条 keeps its own text; its sub-items 1.–4. are clauses inside it, cited "第二条1"….
    second = by_ref(cl, "第二条")[0]
    assert second.title == "集中支持关键技术源头创新" and "1000万元" in second.text
    subs = [c for c in cl if c.ref.startswith("第二条") and c.ref != "第二条"]
    assert [c.number for c in subs] == ["1", "2", "3", "4"]
    assert all(c.path == ("第二条 集中支持关键技术源头创新",) for c in subs)
    assert "北京智源人工智能研究院" in by_ref(cl, "第六条")[0].text


def test_hubei_plan_hierarchy_box_and_table(docs: list[Document], split_all: dict[str, list[Clause]]) -> None:
    cl = split_all["000_bd35aee1ad441e2b"]
    [manufacturing] = by_ref(cl, "二（一）1")
    assert manufacturing.path == ("二、拓展人工智能融合应用场景", "（一）加速融合助力供给侧改革")
    assert manufacturing.number == "1" and manufacturing.title == "智能制造"
    assert "预测性维护" in manufacturing.text
    [box] = by_ref(cl, "专栏2")
    assert box.number == "专栏2" and box.title == "商贸流通智能化转型升级工程"
    assert "无人售货商店" in box.text and "智能商务" not in box.text
    [talent] = by_ref(cl, "专栏10")
    assert "1.实施青年人才扶持行动" in talent.text and "3.加快人才服务体系建设" in talent.text
    [table] = [c for c in cl if c.ref.endswith("表")]
    assert table.text.splitlines()[0].startswith("| 近期目标(到2022年)")
    assert "核心产业规模(亿元) | 200 | 600 | 1800" in table.text
    assert "一、总体要求" not in {c.ref for c in cl}  # a heading without body is no clause


def test_hubei_opinion_numbers_across_sections(split_all: dict[str, list[Clause]]) -> None:
    cl = split_all["001_a574007286141d25"]
    refs = [c.ref for c in cl if c.number]
    assert refs[:3] == ["一（一）", "一（二）", "一（三）"] and "五（十三）" in refs
    [thirteen] = by_ref(cl, "五（十三）")
    assert thirteen.title == "构建新兴产业推进机制" and "省经信厅加强统筹协调" in thirteen.text
    assert by_ref(cl, "落款")[0].text == "2025年10月13日\n(此件公开发布)"


def test_wuhan_plan_uses_one_dot_and_one_comma(split_all: dict[str, list[Clause]]) -> None:
    cl = split_all["003_7750412351cae417"]
    [first] = by_ref(cl, "二（一）1")
    assert first.text.startswith("1、人工智能技术策源先导") and first.path == (
        "二、建设目标",
        "（一）总体目标",
    )
    assert by_ref(cl, "二（一）")[0].text.startswith("(一)总体目标\n到2025年")  # heading + body is one clause


def test_changsha_chapters_and_articles(docs: list[Document], split_all: dict[str, list[Clause]]) -> None:
    cl = doc_clauses(docs, split_all, "开放创新平台认定管理暂行办法")
    ninth = [c for c in cl if c.ref.startswith("第九条")]
    assert [c.ref for c in ninth] == ["第九条（一）", "第九条（二）", "第九条（三）"]
    assert ninth[0].path == ("第三章 立项及验收", "第九条 验收管理")
    assert "必须提出验收申请" in ninth[0].text


def test_guangzhou_articles_without_titles(docs: list[Document], split_all: dict[str, list[Clause]]) -> None:
    cl = doc_clauses(docs, split_all, "产业导则")
    first = by_ref(cl, "第一条")[0]
    assert first.title == "" and first.path == ("第一章 总则",) and first.text.startswith("第一条为引导推动")


def test_shenzhen_boxes_sit_among_numbered_items(
    docs: list[Document], split_all: dict[str, list[Clause]]
) -> None:
    cl = doc_clauses(docs, split_all, "深圳市新一代人工智能发展行动计划")
    boxes = sorted(
        {c.number for c in cl if c.number and c.number.startswith("专栏")}, key=lambda n: int(n[2:])
    )
    assert boxes == [f"专栏{i}" for i in range(1, 17)]


def test_chengdu_rules_with_parenthesised_items(
    docs: list[Document], split_all: dict[str, list[Clause]]
) -> None:
    cl = doc_clauses(docs, split_all, "专项政策实施细则")
    items = [c for c in cl if c.number == "（1）"]
    assert items and all(c.path and c.ref.endswith("（1）") for c in items)


def test_preamble_clauses(split_all: dict[str, list[Clause]]) -> None:
    first = split_all["004_19fc23e80da6329a-01"][0]
    assert first.ref == "序言" and first.number is None and first.path == ()
    assert first.text.startswith("北京市加快科技创新培育人工智能产业的指导意见\n为深入贯彻落实")


def test_long_clauses_are_split_into_parts_that_keep_their_place(split_all: dict[str, list[Clause]]) -> None:
    cl = split_all["000_bd35aee1ad441e2b"]
    parts = by_ref(cl, "一（三）")
    assert [p.part for p in parts] == [1, 2, 3]
    assert len({(p.path, p.number, p.title) for p in parts}) == 1
    assert all(len(p.text) <= 400 * 1.3 for p in parts)
    assert parts[0].span[1] <= parts[1].span[0]


# ---------------------------------------------------------------- edge cases


def make_doc(text: str) -> Document:
    return Document(id="t", title="测试", text=text, source="t.txt")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("一", []),
        ("😀", []),
        ("测试政策\n一、总体要求", []),
        ("本市支持人工智能企业发展。😀对首台套产品给予奖励。", ["序言"]),
        (
            "本市支持人工智能企业发展，给予最高100万元奖励。\n各区要抓好落实，按季度报送进展。",
            ["序言", "序言"],
        ),
        ("一、目标\n二、措施。对企业给予奖励。", ["二"]),
        ("①对企业给予奖励。\n②对人才给予奖励。", ["①", "②"]),
    ],
)
def test_edge_cases(text: str, expected: list[str]) -> None:
    assert [c.ref for c in clauses.split(make_doc(text))] == expected


def test_very_long_paragraph_becomes_parts() -> None:
    text = "一、措施\n" + "对企业给予奖励。" * 300
    cl = clauses.split(make_doc(text), max_chars=200)
    assert (
        len(cl) > 5 and {c.ref for c in cl} == {"一"} and [c.part for c in cl] == list(range(1, len(cl) + 1))
    )


def test_max_chars_is_checked() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        clauses.split(make_doc("x"), max_chars=3)


@pytest.mark.parametrize(
    ("line", "number"),
    [
        ("（三）强化政策支持。", "（三）"),
        ("(三) 强化政策支持。", "（三）"),
        ("第十二条 以多种方式", "第十二条"),
        ("第12条 以多种方式", "第十二条"),
        ("专栏 2 商贸流通", "专栏2"),
        ("专栏三：智能农业", "专栏3"),
        ("1.智能制造", "1"),
        ("1、智能制造", "1"),
        ("1．智能制造", "1"),
        ("（1）申报条件", "（1）"),
        ("②对人才", "②"),
        ("二十一、附则", "二十一"),
        ("1.5倍的奖励", None),
        ("2022年目标", None),
    ],
)
def test_clause_number(line: str, number: str | None) -> None:
    marker = clauses.clause_number(line)
    assert (marker.number if marker else None) == number


@pytest.mark.parametrize(
    ("cn", "n"), [("一", 1), ("十", 10), ("十三", 13), ("二十", 20), ("二十一", 21), ("一百零五", 105)]
)
def test_numerals_round_trip(cn: str, n: int) -> None:
    assert clauses.cn_to_int(cn) == n and clauses.int_to_cn(n) == cn


@pytest.mark.parametrize("text", ["四五七", "三五", "二十三四"])
def test_digits_side_by_side_are_no_numeral(text: str) -> None:
    # "第四五七条" names a policy by its articles 四、五、七; "三五年" is a range: neither is one number
    assert clauses.cn_to_int(text) is None


# ---------------------------------------------------------------- corpus-wide


def test_gold_quotes_each_fit_in_one_clause(docs: list[Document], split_all: dict[str, list[Clause]]) -> None:
    texts: dict[str, list[str]] = {}
    for d in docs:
        texts.setdefault(d.source, []).extend(squash(c.text) for c in split_all[d.id])
    quotes = gold_quotes(texts)
    missing = [q for f, q in quotes if not any(squash(q) in t for t in texts[f])]
    assert len(quotes) == 108 and missing == []


def test_the_whole_corpus_splits(docs: list[Document]) -> None:
    # how long it takes is a benchmark's figure (tests/bench_ingest.py), not a test's
    assert sum(len(clauses.split(d)) for d in docs) > 1000


def test_no_fragments(split_all: dict[str, list[Clause]]) -> None:
    for cl in split_all.values():
        for c in cl:
            assert sum(ch.isalnum() for ch in c.text) >= clauses.MIN_CHARS, c


def test_a_policy_consulting_entry_is_read_as_the_office_and_number_to_ask() -> None:
    text = (
        "一、支持融合应用\n（一）支持行业融合应用创新\n1.申报条件\n在本市登记注册的企业。\n2.支持标准\n按照项目投入的20%给予补贴。\n"
        "3.申报材料\n（1）补助资金申报书；\n（2）营业执照复印件。\n4.政策咨询\n市经信局信息化推进处；咨询电话：61885818。\n"
        "（二）支持上云\n1.政策咨询\n市经信局信息化推进处，咨询电话：61885818市科技局高新处，咨询电话：61886241\n"
    )
    doc = Document(id="d", title="示例市人工智能政策实施细则", text=text, source="d.txt")
    by_ref = {c.ref: c for c in clauses.split(doc)}
    entry = by_ref["一（一）4"]
    assert clauses.consulting(entry) and not clauses.consulting(by_ref["一（一）1"])
    assert {i.units for i in entry.items} == {(("政策咨询部门", "市经信局信息化推进处"), ("咨询电话", "61885818"))}
    assert all(not i.units for i in by_ref["一（一）3（1）"].items)  # the answerer cites the entry beside it
    two = {u for i in by_ref["一（二）1"].items for u in i.units}  # two offices run together on one line
    assert ("政策咨询部门", "市科技局高新处") in two and ("咨询电话", "61886241") in two
