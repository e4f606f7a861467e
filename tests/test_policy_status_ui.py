"""Dates and comparisons where people see them: expiry notices on answers, the status in the
citation panel and document view, and the 政策对比 table and CSV (escaped, sortable, citable)."""

from __future__ import annotations

import csv
import html
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from rag import compare, pipeline, store, ui
from rag.model import Answer, Citation, Clause, DateFact, Document, PolicyDates

XSS = '<img src=x onerror="window.__xss=1">'


def clause(**kw: Any) -> Clause:
    fields: dict[str, Any] = {
        "id": "d1:abc",
        "doc_id": "d1",
        "doc_title": "示例市若干措施",
        "path": (),
        "number": "第二条",
        "text": "第二条 对企业给予最高100万元补助。",
        "span": (0, 20),
        "region": "示例市",
        "ref": "第二条",
    }
    fields.update(kw)
    return Clause(**fields)


# ---------------------------------------------------------------- answers


def test_an_answer_citing_an_expired_policy_says_so_once_per_policy() -> None:
    old = clause(expires="2023-12-31")
    answer = Answer(
        "给予最高100万元补助[1][2]。",
        (Citation(1, old), Citation(2, clause(id="d1:def", expires="2023-12-31"))),
    )
    noted = pipeline.with_expiry_notes(answer, date(2026, 11, 30))
    assert noted.notices == ("注：《示例市若干措施》有效期至2023年12月31日，已失效。",)
    assert pipeline.with_expiry_notes(answer, date(2023, 1, 1)) == answer
    assert (
        pipeline.with_expiry_notes(Answer("x[1]", (Citation(1, clause()),)), date(2026, 11, 30)).notices == ()
    )
    refused = Answer("未在所收录的政策中找到", (Citation(1, old),), refused=True)
    assert pipeline.with_expiry_notes(refused, date(2026, 11, 30)) == refused


def test_the_pipeline_notes_expired_policies_in_both_ask_and_stream(bundled_index: store.Index) -> None:
    from rag.config import Settings

    pipe = pipeline.Pipeline(Settings(), index=bundled_index)
    question = "杭州对人工智能应用场景项目的资助标准是多少？"
    asked = pipe.ask(question)
    streamed = [p for p in pipe.stream(question) if isinstance(p, Answer)][-1]
    for answer in (asked, streamed):
        cited = {c.clause.doc_title for c in answer.citations if c.clause.status() == "已失效"}
        assert cited, "the question is about a policy that expired in 2023"
        for title in cited:
            assert any(n.startswith(f"注：《{title}》") and n.endswith("已失效。") for n in answer.notices)
    json_citation = asked.to_json(question)["citations"][0]
    assert json_citation["expires"] == "2023-12-31" and json_citation["status"] == "已失效"


# ---------------------------------------------------------------- citation panel and document view


def test_citation_card_shows_the_term_and_an_expired_badge() -> None:
    card = ui.clause_card(clause(expires="2023-12-31"), n=1)
    assert "有效期至2023-12-31" in card and '<span class="validity expired">已失效</span>' in card
    assert "validity" not in ui.clause_card(clause())  # nothing known, nothing shown
    bounded = ui.clause_meta(clause(expires_by="2024-01-29"))
    assert "有效期最迟至2024-01-29" in bounded and "已失效" in bounded
    future = ui.clause_meta(clause(expires="2999-12-31"))
    assert '<span class="validity current">现行</span>' in future


def test_document_view_names_the_policys_dates() -> None:
    fact = DateFact("2023-12-31", "有效期至2023年12月31日。", (0, 13))
    policy = Document("d1", "示例市若干措施", "有效期至2023年12月31日。", "a.txt", region="示例市",
                      dates=PolicyDates(effective=DateFact("2020-01-13", "x", (0, 1)), expires=fact))  # fmt: skip
    out = ui.document_html(policy, None)
    assert "施行 2020-01-13" in out and "有效期至2023-12-31" in out and "已失效" in out


# ---------------------------------------------------------------- the comparison table


def _row(**kw: Any) -> compare.Row:
    fields: dict[str, Any] = {
        "region": "示例市",
        "doc": "示例市若干措施",
        "doc_id": "d1",
        "id": "d1:abc",
        "citation": "《示例市若干措施》第二条",
        "measure": "对企业给予最高100万元补助。",
        "kinds": ("补助",),
        "amounts": ("最高100万元",),
        "top": 1e6,
        "text": "第二条 对企业给予最高100万元补助。",
        "expires": "2023-12-31",
        "status": "已失效",
        "score": 0.1,
    }
    fields.update(kw)
    return compare.Row(**fields)


def test_compare_table_is_escaped_sortable_and_citable() -> None:
    out = ui.compare_html([_row(), _row(region=XSS, measure=XSS, citation=XSS, id=XSS)], XSS)
    assert "<img" not in out and 'onerror="' not in out
    assert html.escape(XSS, quote=True) in out
    assert out.count('class="sort"') == len(ui.COMPARE_COLUMNS)
    assert out.count('class="cite-open"') == 2 and 'data-clause="d1:abc"' in out
    assert 'data-value="1000000.0"' in out and ">100<" in out  # sorted by 元, shown in 万元
    assert "已失效" in out and "2 条措施" in out


def test_compare_table_before_and_without_results() -> None:
    assert "输入主题" in ui.compare_html([])
    assert "没有找到" in ui.compare_html([], "火星")


def test_compare_csv_opens_in_a_spreadsheet(tmp_path: Path) -> None:
    path = ui.write_compare_csv([_row(), _row(measure='含"引号",逗号\n换行')], "赛事/挑战赛", tmp_path)
    assert path.parent == tmp_path and path.name == "政策对比-赛事_挑战赛.csv"
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode())  # BOM: spreadsheet programs then read the Chinese
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(compare.CSV_HEADER) and len(rows) == 3
    assert rows[2][3] == '含"引号",逗号\n换行' and rows[1][4] == "最高100万元"


@pytest.mark.parametrize("regions", [None, [], ["北京", "成都市"]])
def test_workspace_compare_uses_the_loaded_index(
    bundled_index: store.Index, regions: list[str] | None
) -> None:
    from rag.config import Settings

    ws = ui.Workspace(Settings(), bundled_index)
    rows = ws.compare("赛事/挑战赛", regions)
    assert rows and (not regions or {r.region for r in rows} == {"北京市", "成都市"})
