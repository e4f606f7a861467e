"""The public API over a tiny hand-made index: ask, stream, the chain, history, filters, input checks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from langchain_core.runnables import Runnable

from rag import pipeline as rag
from rag.config import Settings
from rag.errors import InputError
from rag.model import Answer, Clause, Document
from rag.pipeline import Pipeline, normalize_history, resolve_followup
from rag.store import Index, in_memory

DOCS = {
    "bj": ("北京市关于加快中关村科学城人工智能创新引领发展的十五条措施", "北京市", [
        ("第六条", "第六条 鼓励发展早期和长期投资。联合社会资本设立人工智能早期投资基金。"),
        ("第十二条", "第十二条 加大顶尖人才引进力度。对引进图灵奖获得者等顶尖人才的，给予最高1000万元支持。"),
    ]),
    "wh": ("武汉国家新一代人工智能创新发展试验区建设若干政策", "武汉市", [
        ("三", "三、支持引进顶尖人才。对引进图灵奖获得者等顶尖人才的，给予最高500万元支持。"),
        ("五", "五、支持算力建设。对新建智能算力中心的企业，按设备投资额的20%给予补助，最高300万元。"),
    ]),
    "cq": ("重庆市建设国家新一代人工智能创新发展试验区实施方案", "重庆市", [
        ("一", "一、发展目标。到2022年，人工智能核心产业规模超过500亿元，带动相关产业规模超过2000亿元。"),
    ]),
    "cd": ("成都建设国家新一代人工智能创新发展试验区实施方案", "成都市", [
        ("一", "一、发展目标。到2022年，人工智能核心产业规模突破500亿元，关联产业规模突破5000亿元。"),
    ]),
}


def tiny_clauses() -> tuple[list[Clause], list[Document]]:
    clauses, docs = [], []
    for doc_id, (title, region, items) in DOCS.items():
        text = "\n".join(t for _, t in items)
        docs.append(Document(id=doc_id, title=title, text=text, source=f"{doc_id}.txt", region=region))
        start = 0
        for ref, body in items:
            clauses.append(Clause(
                id=f"{doc_id}-{ref}", doc_id=doc_id, doc_title=title, path=(), number=ref, text=body,
                span=(start, start + len(body)), source=f"{doc_id}.txt", region=region, ref=ref,
            ))
            start += len(body) + 1
    return clauses, docs


def tiny_index(embedder) -> Index:  # type: ignore[no-untyped-def]
    """An Index built in memory from the clauses above with the fake embedder (no files, no model)."""
    clauses, docs = tiny_clauses()
    return in_memory(clauses, docs, embedder)


pytestmark = pytest.mark.usefixtures("tiny_thresholds")


@pytest.fixture
def index(fake_embedder):  # type: ignore[no-untyped-def]
    return tiny_index(fake_embedder)


@pytest.fixture
def pipe(index: Index, tmp_path) -> Pipeline:  # type: ignore[no-untyped-def]
    return Pipeline(Settings(index_dir=tmp_path, embedder="fake-embedder"), index)


def cited_ids(answer: Answer) -> list[str]:
    return [c.clause.id for c in answer.citations]


# ---------------------------------------------------------------- ask and the chain


def test_ask_answers_with_cited_clauses(pipe: Pipeline) -> None:
    answer = pipe.ask("北京对引进图灵奖获得者有什么支持？")
    assert not answer.refused and answer.mode == "extractive"
    assert cited_ids(answer)[0] == "bj-第十二条"
    assert "1000万元" in answer.text and "[1]" in answer.text


def test_chain_is_a_runnable_taking_question_history_filters(pipe: Pipeline) -> None:
    assert isinstance(pipe.chain, Runnable)
    answer = pipe.chain.invoke({"question": "重庆到2022年人工智能核心产业规模是多少？", "history": [], "filters": None})
    assert isinstance(answer, Answer)
    assert cited_ids(answer) == ["cq-一"]
    first, *items = answer.text.splitlines()
    assert first.startswith("到2022年") and "500亿元" in first  # the figure with its period, first
    assert items[0].startswith("· 《重庆市")


def test_comparison_answers_for_both_places(pipe: Pipeline) -> None:
    answer = pipe.ask("成渝两地2022年的人工智能核心产业规模目标一样吗？")
    assert {"cq-一", "cd-一"} <= set(cited_ids(answer))


def test_clause_lookup_returns_the_clause(pipe: Pipeline) -> None:
    answer = pipe.ask("中关村十五条措施第六条讲的是什么？")
    assert cited_ids(answer)[0] == "bj-第六条"
    assert "联合社会资本设立人工智能早期投资基金" in answer.text


def test_unknown_city_is_refused_with_its_name(pipe: Pipeline) -> None:
    answer = pipe.ask("厦门的人工智能创新发展试验区有什么补贴政策？")
    assert answer.refused and "厦门" in answer.text
    assert answer.text.startswith("所收录的政策中没有厦门市的文件")


def test_filters_narrow_the_evidence(pipe: Pipeline) -> None:
    answer = pipe.ask("对引进图灵奖获得者有什么支持？", filters={"region": "武汉市", "doc": None})
    assert cited_ids(answer) == ["wh-三"]


@pytest.mark.parametrize("question", ["", "   ", "问" * 2001])
def test_bad_questions_raise_input_error(pipe: Pipeline, question: str) -> None:
    with pytest.raises(InputError):
        pipe.ask(question)
    with pytest.raises(InputError):
        list(pipe.stream(question))


@pytest.mark.parametrize("question", ["图", "😀😀", "北京" * 900])
def test_odd_but_valid_questions_get_an_answer(pipe: Pipeline, question: str) -> None:
    assert isinstance(pipe.ask(question), Answer)


def test_stream_yields_text_then_the_final_answer(pipe: Pipeline) -> None:
    parts = list(pipe.stream("北京对引进图灵奖获得者有什么支持？"))
    assert isinstance(parts[-1], Answer)
    assert all(isinstance(p, str) for p in parts[:-1])
    assert "".join(p for p in parts[:-1] if isinstance(p, str)) == parts[-1].text


def test_module_level_api_uses_the_default_pipeline(pipe: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rag, "_default", pipe)
    assert cited_ids(rag.answer("北京对引进图灵奖获得者有什么支持？"))[0] == "bj-第十二条"
    parts: Iterator[str | Answer] = rag.answer_stream("北京对引进图灵奖获得者有什么支持？")
    assert isinstance(list(parts)[-1], Answer)


# ---------------------------------------------------------------- conversation


def test_followup_carries_over_the_question_with_a_new_city(pipe: Pipeline) -> None:
    history = [
        {"role": "user", "content": "北京对引进图灵奖获得者有什么支持？"},
        {"role": "assistant", "content": "《北京市关于加快中关村科学城人工智能创新引领发展的十五条措施》：…[1]。"},
    ]
    answer = pipe.ask("那武汉呢？", history=history)
    assert cited_ids(answer)[0] == "wh-三"


def test_followup_clause_number_uses_the_previous_policy_with_pair_history(pipe: Pipeline) -> None:
    history = [("中关村十五条措施第十二条讲的是什么？", "《北京市关于加快中关村科学城人工智能创新引领发展的十五条措施》第十二条：…[1]")]
    answer = pipe.ask("第六条呢？", history=history)
    assert cited_ids(answer)[0] == "bj-第六条"


def test_resolve_followup_rules() -> None:
    turns = [("user", "北京对引进图灵奖获得者有什么支持？"), ("assistant", "《北京市十五条措施》：…[1]")]
    assert resolve_followup("那武汉呢？", turns) == "武汉对引进图灵奖获得者有什么支持？"
    assert resolve_followup("第二条呢？", turns) == "《北京市十五条措施》第二条"
    assert resolve_followup("湖北到2027年产业规模要做到多少？", turns) == "湖北到2027年产业规模要做到多少？"
    assert resolve_followup("那武汉呢？", []) == "那武汉呢？"


def test_normalize_history_accepts_messages_and_pairs() -> None:
    assert normalize_history([{"role": "user", "content": "问"}, {"role": "assistant", "content": "答"}]) == [
        ("user", "问"), ("assistant", "答"),
    ]
    assert normalize_history([("问", "答"), ["问2", None]]) == [("user", "问"), ("assistant", "答"), ("user", "问2")]
    assert normalize_history(None) == []
    with pytest.raises(InputError):
        normalize_history(["not a turn"])


# ---------------------------------------------------------------- the real index (skipped when absent)


def test_dev_questions_on_the_bundled_index(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path)  # the bundled index, never a data directory of this checkout
    if not (settings.index_dir / "manifest.json").exists():
        pytest.skip("no bundled index")
    p = Pipeline(settings)
    assert p.ask("厦门的人工智能创新发展试验区有什么补贴政策？").refused
    answer = p.ask("北京对引进图灵奖获得者有什么支持？")
    assert not answer.refused and "第十二条" in {c.clause.ref for c in answer.citations}


def test_a_policys_dates_are_answered_from_the_clause_that_states_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(home=tmp_path)
    if not (settings.index_dir / "manifest.json").exists():
        pytest.skip("no bundled index")
    p = Pipeline(settings)
    answer = p.ask("杭州AI试验区若干政策有效期到啥时候")
    assert answer.text.startswith("有效期至2023年12月31日[1]"), answer.text
    assert answer.citations[0].clause.ref == "十三" and any("已失效" in n for n in answer.notices)
    answer = p.ask("湖北省政府办公厅加快推进人工智能产业发展的实施意见是哪天印发的")
    assert answer.text.startswith("印发（落款）日期：2025年10月13日[1]"), answer.text
    assert "2025年10月13日" in answer.citations[0].clause.text
    for question in ("杭州的政策还有效吗", "杭州若干政策的有效期到什么时候？"):  # the evidence check refused these
        answer = p.ask(question)
        assert not answer.refused and answer.text.startswith("有效期至2023年12月31日[1]"), (question, answer.text)
    assert p.ask("中关村十五条措施什么时候生效").text.startswith("自发布之日起实施[1]")
    # a question that asks no date, though it says 出台, gets the usual answer
    assert not p.ask("上海出台了哪些措施支持算力").text.startswith("印发")


def test_a_homophone_slip_is_answered_as_the_word_and_the_user_told(pipe: Pipeline) -> None:
    answer = pipe.ask("重庆到2022年人工智能核心产叶规模多少")
    assert not answer.refused and "500亿元" in answer.text and cited_ids(answer)[0] == "cq-一"
    assert "已将问题中的“产叶”按“产业”理解。" in answer.notices
    assert not any("理解" in n for n in pipe.ask("重庆到2022年人工智能核心产业规模多少").notices)


def test_a_comparison_no_place_answers_is_refused_with_each_places_nearest_item(
    pipe: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rag import evidence

    monkeypatch.setattr(evidence, "EVIDENCE_MIN", 99.0)  # no item of either place answers
    answer = pipe.ask("成渝两地2022年的人工智能核心产业规模目标一样吗？")
    assert answer.refused and answer.text.splitlines()[0].endswith("。") and "未涉及" in answer.text.splitlines()[0]
    assert "【成都市】未找到直接规定" in answer.text and "【重庆市】未找到直接规定" in answer.text
    assert {"cq-一", "cd-一"} <= set(cited_ids(answer)) and not answer.table


