"""The app's HTML and upload handling, without a browser: escaping, citation links, highlighting,
document view, clause tree, upload checks and the Workspace's incremental add."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag import ui, update
from rag.config import Settings
from rag.errors import InputError, RagError
from rag.model import Answer, Citation, Clause, Document

PROJECT = Path(__file__).resolve().parent.parent
XSS_SCRIPT = "<script>window.__xss=1</script>"
XSS_IMG = '<img src=x onerror="window.__xss=1">'


def make_clause(text: str = "第二条 对图灵奖获得者给予最高1000万元资助。", **kw: Any) -> Clause:
    fields: dict[str, Any] = {
        "id": "doc1:abc",
        "doc_id": "doc1",
        "doc_title": "示例市若干措施",
        "path": (),
        "number": "第二条",
        "text": text,
        "span": (10, 10 + len(text)),
        "region": "示例市",
        "year": 2024,
        "ref": "第二条",
    }
    fields.update(kw)
    return Clause(**fields)


def no_raw_markup(html_text: str) -> None:
    """The dangerous markup never appears unescaped."""
    assert "<script" not in html_text
    assert "<img" not in html_text
    assert 'onerror="' not in html_text


# ---------------------------------------------------------------- escaping and citation links


@pytest.mark.parametrize("text", ["", "一", "😀", XSS_SCRIPT, XSS_IMG, "a & b < c > d \" '", "${value}{{x}}"])
def test_esc_round_trips_as_text(text: str) -> None:
    import html

    assert html.unescape(ui.esc(text)) == text
    no_raw_markup(ui.esc(text))


def test_answer_markers_become_links_to_their_clauses() -> None:
    clause = make_clause()
    out = ui.answer_html("给予最高1000万元资助[1]。另见[7]。", (Citation(1, clause),), turn=3)
    link = re.search(r'<a class="cite"[^>]*>\[1\]</a>', out)
    assert link, out
    assert 'data-clause="doc1:abc"' in link.group(0)
    assert 'data-turn="3"' in link.group(0)
    assert 'title="《示例市若干措施》第二条"' in link.group(0)
    assert "另见[7]" in out  # a marker with no citation stays text


def test_answer_text_and_clause_ids_are_escaped() -> None:
    clause = make_clause(id='x"><img src=x onerror=alert(1)>')
    out = ui.answer_html(f"{XSS_SCRIPT}[1]{XSS_IMG}", (Citation(1, clause),), turn=0)
    no_raw_markup(out)
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in out
    assert 'data-clause="x&quot;&gt;&lt;img' in out


def test_chat_shows_question_answer_refusal_and_copy_text() -> None:
    clause = make_clause()
    answered = ui.Turn(
        "北京对图灵奖获得者有什么支持？" + XSS_IMG, "x", Answer("资助[1]。", (Citation(1, clause),))
    )
    refused = ui.Turn("上海房租减免？", "x", Answer("未在所收录的政策中找到。", refused=True))
    pending = ui.Turn("还在写", "部分文字")
    out = ui.chat_html([answered, refused, pending])
    no_raw_markup(out)
    assert out.count('class="msg user"') == 3
    assert 'class="msg bot answered"' in out and 'class="msg bot refused"' in out
    assert "refusal-tag" in out and 'class="msg bot pending"' in out
    assert 'data-copy="资助[1]。\n\n[1] 《示例市若干措施》第二条"' in out


def test_empty_chat_has_a_hint() -> None:
    assert "hint" in ui.chat_html([])


# ---------------------------------------------------------------- citation panel


def test_highlight_marks_used_sentences_and_escapes_the_rest() -> None:
    text = f"第一句{XSS_SCRIPT}。对图灵奖获得者给予资助。第三句。"
    out = ui.highlight(text, ["对图灵奖获得者给予资助。", "不在文中的句子。"])
    assert out.count("<mark>") == 1
    assert "<mark>对图灵奖获得者给予资助。</mark>" in out
    no_raw_markup(out)


def test_highlight_tolerates_a_quote_without_its_final_punctuation() -> None:
    assert "<mark>给予资助</mark>" in ui.highlight("给予资助；其他。", ["给予资助。"])


def test_citation_panel_lists_title_region_year_path_number_and_full_text() -> None:
    clause = make_clause(
        path=("二、重点任务", "（一）智能制造"), ref="二（一）1", number="1", text="1.智能制造。推动上云。"
    )
    out = ui.citations_html(Answer("推动上云[1]。", (Citation(1, clause, ("推动上云。",)),)))
    for part in ("《示例市若干措施》", "示例市", "2024年", "二、重点任务 &gt; （一）智能制造", "二（一）1"):
        assert part in out
    assert "<mark>推动上云。</mark>" in out
    assert 'class="open"' in out and "查看原文" in out


def test_refusal_panel_shows_related_clauses_differently() -> None:
    out = ui.citations_html(Answer("未找到。可能相关：[1]", (Citation(1, make_clause()),), refused=True))
    assert 'class="cites refused"' in out and "可能相关" in out and "《示例市若干措施》" in out


def test_document_and_user_text_in_cards_is_escaped() -> None:
    clause = make_clause(text=XSS_SCRIPT + XSS_IMG, doc_title=XSS_IMG, path=(XSS_SCRIPT,))
    no_raw_markup(ui.clause_card(clause, [XSS_SCRIPT]))
    no_raw_markup(ui.lookup_html([], XSS_IMG))
    no_raw_markup(ui.lookup_html([clause], XSS_IMG))


# ---------------------------------------------------------------- document view


def test_document_view_highlights_the_clause_in_place_with_neighbours() -> None:
    text = "标题\n第一条 甲。\n第二条 乙。\n第三条 丙。"
    c1 = make_clause("第一条 甲。", id="d:1", span=(3, 9))
    c2 = make_clause("第二条 乙。", id="d:2", span=(10, 16))
    c3 = make_clause("第三条 丙。", id="d:3", span=(17, 23))
    doc = Document(id="doc1", title="示例市若干措施", text=text, source="a.txt", region="示例市", year=2024)
    out = ui.document_html(doc, c2, [c1, c3], [c1, c2, c3])
    assert '<span class="target">第二条 乙。</span>' in out
    assert (
        '<span class="neighbour">第一条 甲。</span>' in out
        and '<span class="neighbour">第三条 丙。</span>' in out
    )
    assert "标题\n" in out and "前文略" not in out


def test_long_document_is_cut_to_a_window_around_the_clause() -> None:
    text = "甲" * 100_000 + "第九条 目标条款。" + "乙" * 100_000
    start = 100_000
    clause = make_clause("第九条 目标条款。", span=(start, start + 9))
    out = ui.document_html(Document("doc1", "长文", text, "a.txt"), clause)
    assert "前文略" in out and "后文略" in out and '<span class="target">第九条 目标条款。</span>' in out
    assert len(out) < 20_000


def test_split_clause_is_highlighted_across_all_its_parts() -> None:
    parts = [
        make_clause("前半", id="d:a", span=(0, 2), part=1),
        make_clause("后半", id="d:b", span=(2, 4), part=2),
    ]
    out = ui.document_html(Document("doc1", "t", "前半后半。", "a.txt"), parts[1], (), parts)
    assert '<span class="target">前半后半</span>' in out


def test_document_view_escapes_document_text() -> None:
    text = XSS_SCRIPT + XSS_IMG
    doc = Document("doc1", XSS_IMG, text, XSS_SCRIPT, region=XSS_IMG)
    no_raw_markup(ui.document_html(doc, make_clause(text, span=(0, len(text)))))
    no_raw_markup(ui.document_html(doc, None))


# ---------------------------------------------------------------- clause tree and choices


def test_tree_lists_clauses_under_their_headings_once() -> None:
    clauses = [
        make_clause("一、目标", id="d:1", path=(), ref="一", number="一", title="发展目标"),
        make_clause("1.工业互联网。", id="d:2", path=("二、重点任务", "（一）智能制造"), ref="二（一）1"),
        make_clause("2.智能工厂。", id="d:3", path=("二、重点任务", "（一）智能制造"), ref="二（一）2"),
        make_clause(XSS_IMG, id="d:4", path=("二、重点任务", "（二）智慧农业"), ref="二（二）1"),
    ]
    out = ui.tree_html(clauses, selected="d:3")
    assert out.count("二、重点任务") == 1 and out.count("（一）智能制造") == 1
    assert (
        out.count('class="item') == 4 and 'class="item selected" style="--depth:2" data-clause="d:3"' in out
    )
    no_raw_markup(out)


def test_doc_choices_filter_by_region() -> None:
    docs = [
        Document("a", "北京措施", "", "a.txt", region="北京市"),
        Document("b", "湖北规划", "", "b.txt", "湖北省"),
    ]
    assert ui.doc_choices(docs, "湖北省") == [("全部政策", ui.ALL), ("湖北省 · 湖北规划", "b")]
    assert len(ui.doc_choices(docs)) == 3


def test_status_names_embedder_and_model_but_never_the_key() -> None:
    settings = Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="qwen-plus", llm_api_key="sk-SECRET")
    line = ui.status_text(settings, "e5-small-bundled", 36, 1278)
    assert "e5-small-bundled" in line and "qwen-plus" in line and "SECRET" not in line
    assert "抽取式" in ui.status_text(Settings(), "e5-small-bundled", 1, 1)


# ---------------------------------------------------------------- conversation


class FakeWorkspace:
    def __init__(self, parts: list[Any], error: RagError | None = None) -> None:
        self.parts, self.error, self.calls = parts, error, []  # type: ignore[var-annotated]

    def stream(self, question: str, history: Any, region: str, doc: str) -> Iterator[Any]:
        self.calls.append((question, history, region, doc))
        yield from self.parts
        if self.error:
            raise self.error


def test_converse_streams_text_then_the_final_answer() -> None:
    final = Answer("最终[1]", (Citation(1, make_clause()),))
    ws = FakeWorkspace(["最", "终"], None)
    ws.parts.append(final)
    earlier = [ui.Turn("上一问", "x", Answer("上一答"))]
    steps = list(ui.converse(ws, "  新问题 ", earlier, "北京市", ""))  # type: ignore[arg-type]
    assert [s[0][-1].text for s in steps] == ["", "最", "最终", "最终[1]"]
    assert steps[-1][1] is final and all(s[1] is None for s in steps[:-1])
    assert ws.calls == [("新问题", [("上一问", "上一答")], "北京市", "")]
    assert len(earlier) == 1  # the caller's list is not changed


def test_converse_rejects_an_empty_question_before_answering() -> None:
    with pytest.raises(InputError):
        next(ui.converse(FakeWorkspace([]), "   ", []))  # type: ignore[arg-type]


def test_converse_turns_an_error_into_a_message() -> None:
    steps = list(ui.converse(FakeWorkspace(["部分"], RagError("服务不可用")), "问题", []))  # type: ignore[arg-type]
    assert steps[-1][0][-1].error and "服务不可用" in steps[-1][0][-1].error


# ---------------------------------------------------------------- uploads


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("policy.exe", 10, "不支持的文件类型 .exe"),
        ("noext", 10, "不支持的文件类型"),
        ("empty.txt", 0, "文件是空的"),
        ("huge.pdf", ui.MAX_UPLOAD_BYTES + 1, "超过 20 MB"),
    ],
)
def test_check_upload_rejects_with_a_named_reason(tmp_path: Path, name: str, size: int, message: str) -> None:
    path = tmp_path / "upload"
    with open(path, "wb") as f:
        f.truncate(size)
    with pytest.raises(InputError, match=message):
        ui.check_upload(path, name)


@pytest.mark.parametrize("name", ["a.txt", "a.MD", "a.docx", "a.pdf", "a.html", "a.htm"])
def test_check_upload_accepts_whitelisted_types_up_to_the_limit(tmp_path: Path, name: str) -> None:
    path = tmp_path / "upload"
    with open(path, "wb") as f:
        f.truncate(ui.MAX_UPLOAD_BYTES)
    ui.check_upload(path, name)


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/措施.txt", "措施.txt"),
        ("..\\..\\a.md", "a.md"),
        (".hidden.txt", "hidden.txt"),
        ("", "upload.txt"),
    ],
)
def test_safe_name_keeps_uploads_inside_the_corpus(name: str, safe: str) -> None:
    assert ui.safe_name(name) == safe


POLICY = "上传市人工智能扶持办法\n\n第一条 对新落户的人工智能企业给予一次性奖励88万元。\n\n第二条 对算力券给予50%补贴。\n"


@pytest.fixture
def workspace(tiny_settings: Settings) -> ui.Workspace:
    update.build(tiny_settings)
    return ui.Workspace.load(tiny_settings)


def test_upload_adds_a_policy_and_reports_its_clauses(workspace: ui.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "incoming"
    path.write_text(POLICY, encoding="utf-8")
    seen: list[tuple[int, int]] = []
    [result] = workspace.add_files([(path, "上传市办法.txt")], lambda done, total: seen.append((done, total)))
    assert result == ui.FileResult("上传市办法.txt", clauses=2)
    assert seen and seen[-1][0] == seen[-1][1]
    assert (workspace.settings.added_dir / "上传市办法.txt").exists()
    assert not (workspace.settings.corpus_dir / "上传市办法.txt").exists()
    titles = [d.title for d in workspace.documents()]
    assert "上传市人工智能扶持办法" in titles
    assert any("88万元" in c.text for c in workspace.lookup("上传市人工智能扶持办法 第一条"))
    again = workspace.add_files([(path, "上传市办法.txt")])
    assert again[0].error is None and "已有" in again[0].notes[0]


def test_failed_uploads_leave_corpus_and_index_untouched(workspace: ui.Workspace, tmp_path: Path) -> None:
    corpus = sorted(p.name for p in workspace.settings.corpus_dir.iterdir())
    manifest = (workspace.settings.data_index_dir / "manifest.json").read_bytes()
    bad_pdf, blank, exe = tmp_path / "bad.pdf", tmp_path / "blank.txt", tmp_path / "x.exe"
    bad_pdf.write_bytes(b"not a pdf at all")
    blank.write_text("\n\n  \n", encoding="utf-8")
    exe.write_bytes(b"MZ")
    results = workspace.add_files([(bad_pdf, "bad.pdf"), (blank, "blank.txt"), (exe, "x.exe")])
    assert [r.name for r in results] == ["bad.pdf", "blank.txt", "x.exe"]
    assert all(r.error for r in results), results
    assert "不支持的文件类型" in (results[2].error or "")
    assert sorted(p.name for p in workspace.settings.corpus_dir.iterdir()) == corpus
    assert list(workspace.settings.added_dir.iterdir()) == []
    assert (workspace.settings.data_index_dir / "manifest.json").read_bytes() == manifest


def test_upload_with_a_taken_name_is_saved_beside_it(workspace: ui.Workspace, tmp_path: Path) -> None:
    existing = next(p for p in workspace.settings.corpus_dir.iterdir() if p.suffix == ".txt")
    path = tmp_path / "incoming"
    path.write_text(POLICY, encoding="utf-8")
    [result] = workspace.add_files([(path, existing.name)])
    assert result.name == f"{existing.stem}-2.txt" and result.clauses == 2 and result.notes


def test_upload_report_escapes_file_names_and_errors() -> None:
    out = ui.upload_report_html([ui.FileResult(XSS_IMG, error=XSS_SCRIPT), ui.FileResult("ok.txt", 3)])
    no_raw_markup(out)
    assert "已加入，找到 3 个条款" in out and 'class="failed"' in out


# ---------------------------------------------------------------- app.py


def test_app_turns_analytics_off_before_importing_gradio() -> None:
    source = (PROJECT / "app.py").read_text(encoding="utf-8")
    assert source.index('os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"') < source.index("import gradio")


def test_tree_does_not_repeat_a_heading_that_is_itself_a_clause() -> None:
    clauses = [
        make_clause("二、重点任务\n围绕以下方面推进。", id="d:1", path=(), ref="二", number="二"),
        make_clause(
            "（一）智能制造。推动上云。", id="d:2", path=("二、重点任务",), ref="二（一）", number="（一）"
        ),
    ]
    out = ui.tree_html(clauses)
    assert 'class="heading"' not in out and out.count('class="item') == 2


@pytest.mark.parametrize(
    ("position", "found"), [("0", True), (1, True), ("2", False), ("-1", False), ("x", False)]
)
def test_answer_at_reads_the_turn_the_page_sent(position: object, found: bool) -> None:
    turns = [ui.Turn("问", "答", Answer("答")), ui.Turn("问2", "答2", Answer("答2"))]
    assert (ui.answer_at(turns, position) is not None) == found  # type: ignore[arg-type]


def test_an_answer_table_links_its_citations_and_escapes_its_cells() -> None:
    from rag.model import TableRow

    clause = make_clause()
    answer = Answer("【示例市】…[1]", (Citation(1, clause),), table=(TableRow(XSS_IMG, 1, XSS_SCRIPT, ("1000万元",)),))
    out = ui.answer_table_html(answer, 0)
    no_raw_markup(out)
    assert 'class="cite"' in out and "1000万元" in out and "<th>地区</th>" in out
    assert ui.answer_table_html(Answer("无表格"), 0) == ""
