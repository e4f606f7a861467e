"""lookup: typed references -> clauses, on the bundled corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import clauses, ingest, lookup
from rag.model import Clause, Document

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
PLAN, OPINION = "000_bd35aee1ad441e2b", "001_a574007286141d25"
BEIJING_15, CHANGSHA_PLATFORM = "004_19fc23e80da6329a-02", "004_19fc23e80da6329a-28"


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    return ingest.load_many(sorted(CORPUS.glob("*")))[0]


@pytest.fixture(scope="module")
def all_clauses(docs: list[Document]) -> list[Clause]:
    return [c for d in docs for c in clauses.split(d)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中关村十五条措施 第六条", ("中关村十五条措施", "第六条")),
        ("湖北省总体规划 二（一）1", ("湖北省总体规划", "二（一）1")),
        ("湖北省总体规划 二(一)1", ("湖北省总体规划", "二（一）1")),
        ("总体规划专栏10", ("总体规划", "专栏10")),
        ("湖北AI总体规划 专栏 2", ("湖北AI总体规划", "专栏2")),
        (
            "长沙新一代人工智能开放创新平台认定管理暂行办法第九条",
            ("长沙新一代人工智能开放创新平台认定管理暂行办法", "第九条"),
        ),
        ("第6条", (None, "第六条")),
        ("苏州试验区实施方案第12项讲啥", ("苏州试验区实施方案", "第十二项")),
        # 一共 and 两个 are words, no box's number; 一 before 的 numbers one
        ("鹏城的AI行动计划 核心关键技术攻关那个专栏 一共点了几门技术", (None, None)),
        ("专栏两个都讲啥", (None, None)),
        ("德清规划专栏一的内容", ("德清规划", "专栏1")),
        ("第3点", (None, "第三点")),
        ("天津智能制造政策第8部分讲的啥", ("天津智能制造政策", "第八部分")),
        ("第 12 条", (None, "第十二条")),
        ("中关村十五条措施第六条讲的是什么？", ("中关村十五条措施", "第六条")),
        ("湖北实施意见第十三条“构建新兴产业推进机制”具体有哪些安排？", ("湖北实施意见", "第十三条")),
        ("请问《总体规划》中的专栏3", ("总体规划", "专栏3")),
        ("实施意见（十三）", ("实施意见", "（十三）")),
        ("北京对引进图灵奖获得者有什么支持？", (None, None)),
        ("中关村十五条措施", (None, None)),
        # digits side by side are no numeral: "第四五七条" names a policy by its articles 四、五、七
        ("武汉第四五七条政策的实施细则 有哪些服务", (None, None)),
        ("四五七条细则 第3条", ("四五七条细则", "第三条")),
        ("第一百零五条", (None, "第一百零五条")),
        ("", (None, None)),
    ],
)
def test_parse_ref(text: str, expected: tuple[str | None, str | None]) -> None:
    assert lookup.parse_ref(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("沈阳规划专栏16第1项讲啥", 1),
        ("企业培育的专栏7 第三项讲双创那块", 3),
        ("专栏五里的第2个", 2),
        ("专栏16讲啥", None),
        ("第3项和专栏2", None),  # the item is no entry of the box
    ],
)
def test_box_entry(text: str, expected: int | None) -> None:
    assert lookup.box_entry(text) == expected


@pytest.mark.parametrize(
    ("name", "doc_id"),
    [
        ("中关村十五条措施", BEIJING_15),
        ("湖北省总体规划", PLAN),
        ("总体规划", PLAN),
        ("湖北AI总体规划", PLAN),
        ("湖北实施意见", OPINION),
        ("长沙新一代人工智能开放创新平台认定管理暂行办法", CHANGSHA_PLATFORM),
        ("武汉先导区实施方案", "003_7750412351cae417"),
        ("杭州若干政策", "004_19fc23e80da6329a-09"),
    ],
)
def test_match_docs_best_first(docs: list[Document], name: str, doc_id: str) -> None:
    assert lookup.match_docs(docs, name)[0] == doc_id


def test_match_docs_accepts_titles_and_is_deterministic(docs: list[Document]) -> None:
    titles = {d.id: d.title for d in docs}
    assert lookup.match_docs(titles, "湖北实施意见") == lookup.match_docs(docs, "湖北实施意见")
    assert lookup.match_docs(docs, "厦门市鼓浪屿条例") == []


@pytest.mark.parametrize(
    ("text", "doc_id", "refs"),
    [
        ("中关村十五条措施 第六条", BEIJING_15, ["第六条"]),
        ("中关村十五条措施第十条", BEIJING_15, ["第十条"]),
        ("中关村十五条措施第二条", BEIJING_15, ["第二条", "第二条1", "第二条2", "第二条3", "第二条4"]),
        ("湖北省总体规划 二（一）1", PLAN, ["二（一）1"]),
        ("总体规划专栏10", PLAN, ["专栏10"]),
        ("湖北AI总体规划 专栏2", PLAN, ["专栏2"]),
        (
            "长沙新一代人工智能开放创新平台认定管理暂行办法第九条",
            CHANGSHA_PLATFORM,
            ["第九条（一）", "第九条（二）", "第九条（三）"],
        ),
        ("湖北实施意见第十三条“构建新兴产业推进机制”具体有哪些安排？", OPINION, ["五（十三）"]),
        ("湖北实施意见（十三）", OPINION, ["五（十三）"]),
        ("武汉试验区建设若干政策第四条", "004_19fc23e80da6329a-23", ["四"]),
        ("湖北实施意见第13点", OPINION, ["五（十三）"]),  # the 13th item of its main list
        ("中关村十五条措施第6项", BEIJING_15, ["第六条"]),  # a policy of articles: its articles are its list
        # measures numbered 1.…24. under headings （一）…（四）: 第4项 is the measure numbered 4, not （四）
        ("广州推进新一代AI产业的行动计划(2020-2022) 第4项讲啥", "004_19fc23e80da6329a-21", ["二（二）4"]),
        ("武汉试验区建设若干政策第4部分", "004_19fc23e80da6329a-23", ["四"]),  # the part numbered 四、
        # （二） of a plan with three: the one whose heading the question writes a run of; its item numbered 3
        ("合肥试验区实施方案 （二）关键核心技术那部分", "004_19fc23e80da6329a-10", ["三（二）", "三（二）1", "三（二）2", "三（二）3", "三（二）4", "三（二）5", "三（二）6"]),
        ("合肥试验区实施方案 （二）关键核心技术里的第3项", "004_19fc23e80da6329a-10", ["三（二）3"]),
    ],
)
def test_find(
    all_clauses: list[Clause], docs: list[Document], text: str, doc_id: str, refs: list[str]
) -> None:
    found = lookup.find(all_clauses, docs, text)
    assert {c.doc_id for c in found} == {doc_id}
    assert list(dict.fromkeys(c.ref for c in found)) == refs


def test_find_returns_every_part_in_order(all_clauses: list[Clause], docs: list[Document]) -> None:
    found = lookup.find(all_clauses, docs, "湖北省总体规划 一（三）")
    assert [c.part for c in found if c.ref == "一（三）"] == [1, 2, 3]


@pytest.mark.parametrize(
    "text",
    [
        "北京对引进图灵奖获得者有什么支持？",
        "中关村十五条措施第九十九条",
        "厦门条例第一条",
        "第6条",
        "总体规划专栏99",
        "武汉试验区建设若干政策第九部分",
    ],
)
def test_find_nothing(all_clauses: list[Clause], docs: list[Document], text: str) -> None:
    assert lookup.find(all_clauses, docs, text) == []


def test_neighbours(all_clauses: list[Clause], docs: list[Document]) -> None:
    [sixth] = lookup.find(all_clauses, docs, "中关村十五条措施第六条")
    before, after = lookup.neighbours(all_clauses, sixth)
    assert [c.ref for c in before] == ["第五条"] and [c.ref for c in after] == ["第七条"]
    before, after = lookup.neighbours(all_clauses, sixth, n=2)
    assert [c.ref for c in before] == ["第四条", "第五条"] and [c.ref for c in after] == ["第七条", "第八条"]


def test_neighbours_skip_the_clauses_own_parts(all_clauses: list[Clause], docs: list[Document]) -> None:
    parts = lookup.find(all_clauses, docs, "湖北省总体规划 一（三）")
    before, after = lookup.neighbours(all_clauses, parts[1])
    assert [c.ref for c in before] == ["一（二）"] and after[0].ref == "一（三）表"


def test_neighbours_at_the_edges(all_clauses: list[Clause]) -> None:
    first = next(c for c in all_clauses if c.doc_id == BEIJING_15)
    before, after = lookup.neighbours(all_clauses, first)
    assert before == [] and len(after) == 1


def test_a_heading_is_named_by_the_longest_run_the_question_writes_of_it_and_of_no_other() -> None:
    headings = {1: "四、保障措施", 2: "三、主要任务", 3: "（一）加强组织协调"}
    assert lookup.named_heading("深圳行动计划最后那部分保障措施 有几条", headings) == 1
    assert lookup.named_heading("组织协调怎么做", headings) is None  # 4 characters, less than half of its heading
    assert lookup.named_heading("加强组织协调怎么做", headings) == 3
    # a run inside the policy's own title names no heading of it
    assert lookup.named_heading("保障措施行动计划 几条", {1: "四、保障措施"}, besides="保障措施行动计划") is None
    assert lookup.named_heading("主要任务和保障措施", {1: "保障措施", 2: "主要任务"}) is None  # as long a run of both


def test_the_terms_a_policy_defines_are_found_with_their_defining_items(all_clauses: list[Clause]) -> None:
    defined = {(term, c.ref): c.item_text(c.items[n]) for term, c, n in lookup.definitions(all_clauses)}
    # a term named in an entry's heading, then defined by 指; a term followed by 包括：; one after 所称
    assert defined[("人工智能企业", "一（三）2")].startswith("指以拥有自主知识产权")
    assert defined[("人工智能产品", "一（三）2")].startswith("人工智能产品包括：人工智能芯片")
    assert defined[("新一代人工智能开放创新平台", "第二条")].startswith("第二条本办法所称")
    # "成立专家咨询委员会，指导…": 指导 defines nothing
    assert not [term for term, _ in defined if "专家咨询委员会" in term]


@pytest.mark.parametrize(
    ("question", "term_item"),
    [
        ("武汉细则 人工智能产品具体指哪些", "人工智能产品包括"),
        ("武汉 AI服务包括哪些", "人工智能服务包括"),
        ("细则说的人工智能企业是指啥", "指以拥有自主知识产权"),
        ("黄埔 实际投产时间是什么意思", "实际投产时间，是指"),
    ],
)
def test_a_question_asking_what_a_defined_term_means_gets_its_definition(
    all_clauses: list[Clause], question: str, term_item: str
) -> None:
    found = lookup.defined_asked(question, lookup.definitions(all_clauses))
    assert [term_item in c.item_text(c.items[n]) for c, n in found] == [True], found


@pytest.mark.parametrize(
    "question",
    [
        "武汉 对人工智能企业有哪些补贴",  # what the companies get, not what they are
        "武汉 人工智能企业是什么时候认定的",
        "人工智能产品首购 武汉怎么支持",
    ],
)
def test_a_question_naming_a_defined_term_without_asking_its_meaning_gets_no_definition(
    all_clauses: list[Clause], question: str
) -> None:
    assert lookup.defined_asked(question, lookup.definitions(all_clauses)) == []
