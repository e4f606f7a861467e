"""What the Gradio app shows, as HTML built only from escaped text; and the checks on uploads.

Every string that comes from a document or a person goes through `esc` before it reaches
`gr.HTML`, so a clause containing `<script>` or `<img onerror=…>` is shown literally and runs
nothing. The only markup here is our own: links for the [n] markers, <mark> for the sentences an
answer used, and buttons whose clicks the app's JavaScript turns into Gradio events.

    answer_html(Answer("北京给予最高1000万元资助[1]。", (Citation(1, clause),)), turn=0)
    -> '北京给予最高1000万元资助<a class="cite" data-clause="…" …>[1]</a>。'
"""

from __future__ import annotations

import contextlib
import html
import re
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Settings, check_question
from .errors import InputError, RagError
from .model import Answer, Citation, Clause, Document

if TYPE_CHECKING:
    from . import update
    from .store import Index

MAX_UPLOAD_MB = 20
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
UPLOAD_TYPES = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
DOC_VIEW_CHARS = 60_000  # longer documents are shown as a window around the clause
WINDOW_MARGIN = 3_000  # characters kept before the first and after the last neighbour
_MARKER = re.compile(r"\[(\d{1,3})\]")
ALL = ""  # dropdown value meaning "no filter"


def esc(text: object) -> str:
    """HTML-escaped text, quotes included (safe in element bodies and attribute values).

    Example: esc('<img src=x onerror="a()">') -> '&lt;img src=x onerror=&quot;a()&quot;&gt;'
    """
    return html.escape("" if text is None else str(text), quote=True)


# ---------------------------------------------------------------- chat


@dataclass(frozen=True)
class Turn:
    """One question and its answer as the chat shows it: streamed text until the Answer arrives."""

    question: str
    text: str = ""
    answer: Answer | None = None
    error: str | None = None


def answer_html(text: str, citations: Sequence[Citation], turn: int) -> str:
    """Answer text, escaped, with each [n] that names a citation turned into a link to its clause.

    Example: answer_html("资助[1]。", (Citation(1, c),), 0)
    -> '资助<a class="cite" href="#" data-n="1" data-turn="0" data-clause="…" title="《…》第二条">[1]</a>。'
    """
    by_n = {c.n: c.clause for c in citations}

    def link(match: re.Match[str]) -> str:
        clause = by_n.get(int(match.group(1)))
        if clause is None:
            return match.group(0)
        return (
            f'<a class="cite" href="#" data-n="{match.group(1)}" data-turn="{turn}" '
            f'data-clause="{esc(clause.id)}" title="{esc(clause.citation)}">[{match.group(1)}]</a>'
        )

    return _MARKER.sub(link, esc(text))


def copy_text(answer: Answer) -> str:
    """What "复制" puts on the clipboard: the answer, then one line per cited clause.

    Example: -> "资助1000万元[1]。\\n\\n[1] 《示例市…若干措施》第二条"
    """
    lines = [f"[{c.n}] {c.clause.citation}" for c in answer.citations]
    return answer.text + ("\n\n" + "\n".join(lines) if lines else "")


def turn_html(turn: Turn, i: int) -> str:
    user = f'<div class="msg user"><div class="bubble">{esc(turn.question)}</div></div>'
    return user + _bot_html(turn, i)


def _bot_html(turn: Turn, i: int) -> str:
    if turn.error:
        return f'<div class="msg bot error"><div class="bubble">{esc(turn.error)}</div></div>'
    answer = turn.answer
    if answer is None:
        body = esc(turn.text) + '<span class="cursor">▍</span>'
        return f'<div class="msg bot pending"><div class="bubble"><div class="answer-text">{body}</div></div></div>'
    kind = "refused" if answer.refused else "answered"
    tag = '<div class="refusal-tag">未在所收录的政策中找到依据</div>' if answer.refused else ""
    notices = "".join(
        f'<div class="notice{" expiry" if n.startswith("注：") else ""}">{esc(n)}</div>' for n in answer.notices
    )
    tools = (
        f'<div class="msg-tools"><button class="copy" type="button" data-copy="{esc(copy_text(answer))}">'
        f'复制</button><span class="mode">{esc(_mode_label(answer.mode))}</span></div>'
    )
    text = answer_html(answer.text, answer.citations, i)
    table = answer_table_html(answer, i)
    return (
        f'<div class="msg bot {kind}" data-turn="{i}"><div class="bubble">{tag}'
        f'<div class="answer-text">{text}</div>{table}{notices}{tools}</div></div>'
    )


def answer_table_html(answer: Answer, turn: int) -> str:
    """The compact table of a comparison or "哪些城市…" answer: place, measure, amounts, and its [n] link.

    Example: -> '<table class="answer-table">…<td>北京市</td>…<a class="cite" …>[1]</a>…</table>'
    """
    if not answer.table:
        return ""
    head = "<tr><th>地区</th><th>措施（原文）</th><th>金额/比例</th><th>条款</th></tr>"
    rows = "".join(
        f"<tr><td>{esc(r.place)}</td><td>{esc(r.measure)}</td><td>{esc('；'.join(r.amounts)) or '—'}</td>"
        f"<td>{answer_html(f'[{r.n}]', answer.citations, turn)}</td></tr>"
        for r in answer.table
    )
    return f'<table class="answer-table">{head}{rows}</table>'



def _mode_label(mode: str) -> str:
    return "大模型回答" if mode == "llm" else "抽取式回答"


def chat_html(turns: Sequence[Turn]) -> str:
    """The whole conversation; an empty chat shows what to ask."""
    if not turns:
        return (
            '<div class="chat empty"><div class="hint">用中文提问，回答中的每个 [n] 都指向政策原文的具体条款。'
            "<br>可以点击下方的示例问题开始。</div></div>"
        )
    return '<div class="chat">' + "".join(turn_html(t, i) for i, t in enumerate(turns)) + "</div>"


def answer_at(turns: Sequence[Turn], position: str | int) -> Answer | None:
    """The answer of turn `position` (as the page sent it), or None if there is no such answer.

    Example: answer_at(turns, "0") -> turns[0].answer; answer_at(turns, "x") -> None
    """
    try:
        i = int(position)
    except (TypeError, ValueError):
        return None
    return turns[i].answer if 0 <= i < len(turns) else None


def history_of(turns: Sequence[Turn]) -> list[tuple[str, str]]:
    """Earlier (question, answer text) pairs, for follow-up questions."""
    return [(t.question, t.answer.text) for t in turns if t.answer is not None]


def converse(
    ws: Workspace, question: str, turns: Sequence[Turn], region: str = ALL, doc: str = ALL
) -> Iterator[tuple[list[Turn], Answer | None]]:
    """The chat after each streamed piece of the answer to `question`, and the Answer at the end.

    Raises InputError (before yielding anything) for an empty or too long question; an error while
    answering becomes the turn's error message instead of a traceback.
    """
    question = check_question(question)
    history = history_of(turns)
    before = list(turns)
    yield [*before, Turn(question)], None
    text = ""
    try:
        for item in ws.stream(question, history, region, doc):
            if isinstance(item, Answer):
                yield [*before, Turn(question, item.text, item)], item
                return
            text += str(item)
            yield [*before, Turn(question, text)], None
    except RagError as exc:
        yield [*before, Turn(question, text, error=f"未能回答：{exc}")], None
        return
    yield [*before, Turn(question, text, error="未能回答：回答过程意外结束，请重试")], None


# ---------------------------------------------------------------- citation panel


def highlight(text: str, quotes: Iterable[str]) -> str:
    """Escaped text with each quoted sentence wrapped in <mark>.

    Example: highlight("甲。乙。", ["乙。"]) -> "甲。<mark>乙。</mark>"
    """
    spans = sorted(_find_spans(text, quotes))
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            continue
        out.append(esc(text[pos:start]) + f"<mark>{esc(text[start:end])}</mark>")
        pos = end
    return "".join(out) + esc(text[pos:])


def _find_spans(text: str, quotes: Iterable[str]) -> list[tuple[int, int]]:
    spans = []
    for quote in quotes:
        for candidate in (quote.strip(), quote.strip().rstrip("。；;，,")):
            start = text.find(candidate) if candidate else -1
            if start >= 0:
                spans.append((start, start + len(candidate)))
                break
    return spans


def clause_meta(clause: Clause) -> str:
    """Region, year, heading path and number of a clause, and its policy's term, as one line."""
    parts = [clause.region or "", f"{clause.year}年" if clause.year else "", clause.path_str]
    number = clause.ref or clause.number or "（无编号）"
    parts.append(f"条款 {number}" + (f"（第{clause.part}部分）" if clause.part else ""))
    line = " · ".join(esc(p) for p in parts if p)
    validity = validity_html(clause.effective, clause.expires, clause.expires_by, clause.status())
    return f"{line} · {validity}" if validity else line


def validity_html(effective: str | None, expires: str | None, expires_by: str | None, status: str) -> str:
    """The policy's term and status: "有效期至2023-12-31 <已失效>"; "" when nothing is known.

    Example: validity_html(None, "2023-12-31", None, "已失效")
    -> '有效期至2023-12-31 <span class="validity expired">已失效</span>'
    """
    term = f"有效期至{expires}" if expires else (f"有效期最迟至{expires_by}" if expires_by else "")
    if status == "未知":
        return esc(term) if term else ""
    kind = "expired" if status == "已失效" else "current"
    badge = f'<span class="validity {kind}">{esc(status)}</span>'
    return f"{esc(term)} {badge}" if term else badge


def clause_card(clause: Clause, quotes: Sequence[str] = (), n: int | None = None) -> str:
    """One clause: policy title, meta line, full text with the used sentences highlighted, 查看原文."""
    badge = f'<span class="n">[{n}]</span>' if n is not None else ""
    anchor = f' id="cite-{n}"' if n is not None else ""
    return (
        f'<div class="card"{anchor} data-clause="{esc(clause.id)}">'
        f'<div class="card-head">{badge}<span class="doc-title">《{esc(clause.doc_title)}》</span></div>'
        f'<div class="meta">{clause_meta(clause)}</div>'
        f'<div class="clause-text">{highlight(clause.text, quotes)}</div>'
        f'<button class="open" type="button" data-clause="{esc(clause.id)}">查看原文</button></div>'
    )


def citations_html(answer: Answer | None) -> str:
    """The panel beside the chat: the clauses an answer cites, or for a refusal the closest ones."""
    if answer is None:
        return '<div class="cites empty"><div class="hint">回答引用的条款会显示在这里。</div></div>'
    if answer.refused:
        head = "可能相关的条款（仅供参考，并未回答该问题）" if answer.citations else "没有找到相近的条款"
        cards = "".join(clause_card(c.clause, (), c.n) for c in answer.citations)
        return f'<div class="cites refused"><div class="cites-head">{head}</div>{cards}</div>'
    head = f"引用条款（{len(answer.citations)}）" if answer.citations else "这个回答没有引用条款"
    cards = "".join(clause_card(c.clause, c.quotes, c.n) for c in answer.citations)
    return f'<div class="cites"><div class="cites-head">{head}</div>{cards}</div>'


def lookup_html(found: Sequence[Clause], query: str = "") -> str:
    """Result of typing a reference in 条款查询: the clause(s) it names, or what to try instead."""
    if not found:
        return (
            f'<div class="cites refused"><div class="cites-head">没有找到“{esc(query)}”</div>'
            '<div class="hint">请写出政策名称和条款编号，例如 “中关村十五条措施 第六条”、'
            "“湖北省总体规划 二（一）1”；或在上方选择政策后浏览条款。</div></div>"
        )
    cards = "".join(clause_card(c) for c in found)
    head = f"{esc(query)}：找到 {len(found)} 条" if query else esc(found[0].citation)
    return f'<div class="cites"><div class="cites-head">{head}</div>{cards}</div>'


# ---------------------------------------------------------------- document view


def extent(doc_clauses: Sequence[Clause], clause: Clause) -> tuple[int, int]:
    """Span of a clause with all its parts (a clause too long to embed is stored in parts)."""
    if not clause.part:
        return clause.span
    same = [c.span for c in doc_clauses if c.ref == clause.ref and c.path == clause.path and c.part]
    return min(s for s, _ in same), max(e for _, e in same)


def document_html(
    doc: Document,
    target: Clause | None,
    neighbours: Sequence[Clause] = (),
    doc_clauses: Sequence[Clause] = (),
) -> str:
    """The policy's cleaned text with the target clause highlighted in place and its neighbours shaded.

    Long documents are cut to a window around the clause, with the cut marked.
    """
    marks = [(s, e, "neighbour") for s, e in (c.span for c in neighbours)]
    if target is not None:
        marks.append((*extent(doc_clauses or [target], target), "target"))
    start, end = _window(len(doc.text), marks)
    body = _marked_text(doc.text, sorted(marks), start, end)
    before = '<div class="cut">……（前文略）</div>' if start > 0 else ""
    after = '<div class="cut">……（后文略）</div>' if end < len(doc.text) else ""
    return (
        f'<div class="docview"><div class="doc-head"><div class="doc-title">{esc(doc.title)}</div>'
        f'<div class="meta">{_doc_meta(doc)}</div></div>'
        f'<div class="doc-text">{before}{body}{after}</div></div>'
    )


def _doc_meta(doc: Document) -> str:
    parts = [
        doc.region or "",
        doc.issuer or "",
        f"{doc.year}年" if doc.year else "",
        f"印发 {doc.dates.value('issued')}" if doc.dates.value("issued") else "",
        f"施行 {doc.dates.value('effective')}" if doc.dates.value("effective") else "",
        f"来源文件 {doc.source}",
    ]
    line = " · ".join(esc(p) for p in parts if p)
    fact = doc.dates.expires
    validity = validity_html(
        doc.dates.value("effective"), doc.dates.value("expires"), fact.latest if fact else None, doc.dates.status()
    )
    return f"{line} · {validity}" if validity else line


def _window(length: int, marks: Sequence[tuple[int, int, str]]) -> tuple[int, int]:
    if not marks:
        return 0, min(length, DOC_VIEW_CHARS)
    if length <= DOC_VIEW_CHARS:
        return 0, length
    lo = max(0, min(s for s, _, _ in marks) - WINDOW_MARGIN)
    hi = min(length, max(e for _, e, _ in marks) + WINDOW_MARGIN)
    return lo, hi


def _marked_text(text: str, marks: Sequence[tuple[int, int, str]], start: int, end: int) -> str:
    out, pos = [], start
    for s, e, kind in marks:
        s, e = max(s, pos), min(e, end)
        if s >= e:
            continue
        out.append(esc(text[pos:s]))
        out.append(f'<span class="{kind}">{esc(text[s:e])}</span>')
        pos = e
    out.append(esc(text[pos:end]))
    return "".join(out)


def empty_document_html(
    message: str = "点击回答中的 [n] 或条款的“查看原文”，这里会显示政策原文并定位到该条款。",
) -> str:
    return f'<div class="docview empty"><div class="hint">{esc(message)}</div></div>'


# ---------------------------------------------------------------- clause tree


def tree_html(doc_clauses: Sequence[Clause], selected: str | None = None) -> str:
    """A policy's clauses under their headings, in document order; clicking one opens it.

    Example: a clause with path ("二、重点任务", "（一）智能制造") is listed under those two headings.
    """
    if not doc_clauses:
        return '<div class="tree empty"><div class="hint">选择一项政策，浏览它的条款。</div></div>'
    rows: list[str] = []
    shown: tuple[str, ...] = ()
    previous = ""
    for clause in doc_clauses:
        if clause.part > 1:
            continue  # later parts of a long clause open with the first
        for depth in range(_common_prefix(shown, clause.path), len(clause.path)):
            if not _squash(previous).startswith(_squash(clause.path[depth])):  # else the item above is it
                rows.append(f'<div class="heading" style="--depth:{depth}">{esc(clause.path[depth])}</div>')
        shown, previous = clause.path, clause.text
        rows.append(_tree_item(clause, len(clause.path), clause.id == selected))
    return '<div class="tree">' + "".join(rows) + "</div>"


def _squash(text: str) -> str:
    """Text compared loosely: "(一) 加速" and "（一）加速" are the same heading."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _tree_item(clause: Clause, depth: int, selected: bool) -> str:
    label = clause.ref or clause.number or "·"
    text = clause.text
    if clause.number and text.startswith(clause.number):
        text = text[len(clause.number) :].lstrip("、.．: ：")
    words = clause.title or text[:36] + ("…" if len(text) > 36 else "")
    cls = "item selected" if selected else "item"
    return (
        f'<button type="button" class="{cls}" style="--depth:{depth}" data-clause="{esc(clause.id)}">'
        f'<span class="ref">{esc(label)}</span> {esc(words)}</button>'
    )


# ---------------------------------------------------------------- status and choices


def status_text(settings: Settings, embedder: str, documents: int, clauses: int) -> str:
    """The status line: embedder, answer mode and index size; never the API key.

    Example: -> "嵌入模型 e5-small-bundled · 回答方式 抽取式（未配置大模型） · 36 项政策 · 2801 个条款"
    """
    mode = (
        f"大模型 {settings.llm_model or '（未指定模型名）'}"
        if settings.llm_enabled
        else "抽取式（未配置大模型）"
    )
    return f"嵌入模型 {embedder} · 回答方式 {mode} · {documents} 项政策 · {clauses} 个条款"


def doc_label(doc: Document) -> str:
    """How a policy is listed in a dropdown. Example: -> "北京市 · 2019 · 北京市关于…十五条措施" """
    return " · ".join(p for p in (doc.region or "", str(doc.year or ""), doc.title) if p)


def doc_choices(docs: Iterable[Document], region: str | None = None) -> list[tuple[str, str]]:
    """(label, id) pairs for the policy dropdown, sorted by region and title, optionally one region."""
    chosen = [d for d in docs if not region or d.region == region]
    chosen.sort(key=lambda d: (d.region or "~", d.title))
    return [("全部政策", ALL)] + [(doc_label(d), d.id) for d in chosen]


def region_choices(regions: Iterable[str]) -> list[tuple[str, str]]:
    return [("全部地区", ALL)] + [(r, r) for r in regions]


# ---------------------------------------------------------------- policy comparison


COMPARE_COLUMNS = ("地区", "政策与条款", "措施", "金额与比例", "最高金额（万元）", "有效期至", "状态")  # 最高金额 sorts by number


def compare_html(rows: Sequence[Any], topic: str = "") -> str:
    """The 政策对比 table (rows of rag.compare): sortable by any column, each citation opens its clause.

    Example: compare_html(rag.compare.rows(index, "算力"), "算力") -> '<div class="compare">…<table>…'
    """
    if not topic:
        return '<div class="compare empty"><div class="hint">输入主题（如 算力、首版次软件、赛事/挑战赛），选择地区后点击“对比”。</div></div>'
    if not rows:
        return f'<div class="compare empty"><div class="hint">没有找到关于“{esc(topic)}”的支持措施。</div></div>'
    head = "".join(
        f'<th><button type="button" class="sort" data-col="{i}" data-kind="{"num" if i == 4 else "text"}">{esc(c)}</button></th>'
        for i, c in enumerate(COMPARE_COLUMNS)
    )
    body = "".join(_compare_row(r) for r in rows)
    regions = len({r.region for r in rows})
    summary = f"“{esc(topic)}”：{regions} 个地区，{len(rows)} 条措施。点击表头排序，点击条款查看原文。"
    return (
        f'<div class="compare"><div class="cmp-summary">{summary}</div>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _compare_row(r: Any) -> str:
    top = f"{r.top / 10000:g}" if r.top else ""
    kinds = "、".join(r.kinds)
    validity = validity_html(None, None, None, r.status)
    term = r.expires or (f"最迟{r.expires_by}" if r.expires_by else "")
    cells = [
        (r.region, esc(r.region)),
        (r.citation, f'<button type="button" class="cite-open" data-clause="{esc(r.id)}">{esc(r.citation)}</button>'),
        (r.measure, (f'<span class="kinds">{esc(kinds)}</span> ' if kinds else "") + esc(r.measure)),
        ("；".join(r.amounts), esc("；".join(r.amounts)) or '<span class="hint">未写明</span>'),
        (str(r.top or 0), esc(top)),
        (r.expires or r.expires_by or "", esc(term)),
        (r.status, validity or esc(r.status)),
    ]
    return "<tr>" + "".join(f'<td data-value="{esc(v)}">{html_}</td>' for v, html_ in cells) + "</tr>"


def write_compare_csv(rows: Sequence[Any], topic: str, directory: Path | None = None, max_age: float | None = None) -> Path:
    """The table as a UTF-8 CSV (with BOM, so spreadsheet programs read the Chinese) in `directory` (a
    new temp dir when None); CSVs there older than `max_age` seconds are deleted first."""
    from . import compare

    folder = directory or Path(tempfile.mkdtemp(prefix="rag-compare-"))
    if max_age is not None:
        for old in folder.glob("*.csv"):
            with contextlib.suppress(OSError):
                if time.time() - old.stat().st_mtime > max_age:
                    old.unlink()
    name = re.sub(r"[^\w\u4e00-\u9fff-]+", "_", topic).strip("_")[:30] or "topic"
    path = folder / f"政策对比-{name}.csv"
    path.write_text(compare.to_csv(rows), encoding="utf-8-sig")
    return path


# ---------------------------------------------------------------- uploads


@dataclass(frozen=True)
class FileResult:
    """What became of one uploaded file. Example: FileResult("措施.docx", clauses=12)."""

    name: str
    clauses: int = 0
    error: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    source: str | None = None  # the corpus file that holds it, when not `name` (the same bytes under another name)


def check_upload(path: Path, name: str | None = None) -> None:
    """InputError, in words a user can act on, when a file is not one we accept.

    Example: check_upload(Path("a.exe")) -> InputError("a.exe：不支持的文件类型 .exe；…")
    """
    name = name or path.name
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_TYPES:
        raise InputError(
            f"{name}：不支持的文件类型 {suffix or '（无扩展名）'}；可上传 {' '.join(UPLOAD_TYPES)}"
        )
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{name}：文件是空的")
    if size > MAX_UPLOAD_BYTES:
        raise InputError(f"{name}：文件有 {size / 1024 / 1024:.1f} MB，超过 {MAX_UPLOAD_MB} MB 的上限")


def safe_name(name: str) -> str:
    """A file name safe to place in the corpus directory: no directories, no leading dots.

    Example: safe_name("../../etc/措施.txt") -> "措施.txt"
    """
    base = Path(name.replace("\\", "/")).name.strip().lstrip(".")
    base = re.sub(r"[\x00-\x1f]", "", base)
    return base or "upload.txt"


def upload_report_html(results: Sequence[FileResult]) -> str:
    """One row per uploaded file: clauses found, or the named error."""
    if not results:
        return '<div class="uploads empty"><div class="hint">没有选择文件。</div></div>'
    rows = "".join(_upload_row(r) for r in results)
    return f'<div class="uploads"><table><tr><th>文件</th><th>结果</th></tr>{rows}</table></div>'


def _upload_row(r: FileResult) -> str:
    notes = "".join(f'<div class="note">{esc(n)}</div>' for n in r.notes)
    if r.error:
        return f'<tr class="failed"><td>{esc(r.name)}</td><td>失败：{esc(r.error)}{notes}</td></tr>'
    return f'<tr class="ok"><td>{esc(r.name)}</td><td>已加入，找到 {r.clauses} 个条款{notes}</td></tr>'


# ---------------------------------------------------------------- the app's state


Progress = Callable[[int, int], None]  # (done, total), as update.add reports it
_EMPTY = "没有读出任何条款（文件可能是扫描件、空白或没有正文）"


class Workspace:
    """The loaded index and the answering pipeline the app serves, replaced whole after an upload.

    Example: ws = Workspace.load(Settings.from_env()); ws.ask_json("中关村十五条措施第六条讲的是什么？")
    """

    def __init__(self, settings: Settings, index: Index) -> None:
        self.settings = settings
        self.index = index
        self._pipeline: Any = None
        self._pipeline_lock = threading.Lock()
        self._build_lock = threading.Lock()

    @classmethod
    def load(cls, settings: Settings) -> Workspace:
        """The app's start: finish or clean up what a killed change left in RAG_HOME, then load."""
        from . import store, update

        update.recover(settings)
        return cls(settings, store.load(settings))

    @property
    def pipeline(self) -> Any:
        """The Pipeline over the current index, created on first use (it imports the answerer)."""
        with self._pipeline_lock:
            if self._pipeline is None:
                from .pipeline import Pipeline

                self._pipeline = Pipeline(self.settings, index=self.index)
            return self._pipeline

    def warm_up(self) -> None:
        """Create the pipeline and load the query embedder and the typing-slip reader, so the first
        question is not slow."""
        from . import embed

        embed.get(self.index.embedder_id)
        _ = self.index.speller
        _ = self.pipeline

    # ------------------------------------------------------------ questions

    def stream(
        self, question: str, history: Sequence[tuple[str, str]], region: str, doc: str
    ) -> Iterator[Any]:
        """Text deltas, then the final Answer (see Pipeline.stream)."""
        return iter(self.pipeline.stream(question, history=list(history), filters=self.filters(region, doc)))

    def ask_json(self, question: str, region: str | None = None, doc: str | None = None) -> dict[str, Any]:
        """The `rag ask --json` object for a question, plus `notice`: what the chat shows under the answer
        (e.g. that the LLM was unreachable and the answer is extractive), or None.
        Raises InputError for a bad question or filter."""
        question = check_question(question)
        answer = self.pipeline.ask(question, filters=self.filters(region, doc))
        return {**answer.to_json(question), "notice": " ".join(answer.notices) or None}

    @staticmethod
    def filters(region: str | None, doc: str | None) -> dict[str, str] | None:
        """Pipeline filters for the region and policy dropdowns; None when both say "all"."""
        chosen = {k: v for k, v in (("region", region), ("doc", doc)) if v}
        return chosen or None

    # ------------------------------------------------------------ clauses and documents

    def regions(self) -> list[str]:
        return sorted({d.region for d in self.index.documents.values() if d.region})

    def documents(self) -> list[Document]:
        return list(self.index.documents.values())

    def document_view(self, clause_id: str) -> str:
        """The policy text scrolled to a clause, highlighted with its neighbours."""
        from . import lookup

        clause = self.index.clause(clause_id)
        doc = self.index.documents.get(clause.doc_id) if clause else None
        if clause is None or doc is None:
            raise InputError(f"条款 {clause_id} 不在当前索引中（知识库可能刚刚更新），请重新提问或查询")
        before, after = lookup.neighbours(self.index.clauses, clause, 2)
        return document_html(doc, clause, before + after, self.index.clauses_of(doc.id))

    def document_start(self, doc_id: str) -> str:
        """A policy's text from its beginning; the placeholder when no policy is chosen."""
        doc = self.index.documents.get(doc_id)
        return document_html(doc, None) if doc else empty_document_html()

    def tree(self, doc_id: str, selected: str | None = None) -> str:
        return tree_html(self.index.clauses_of(doc_id) if doc_id else [], selected)

    def lookup(self, ref: str) -> list[Clause]:
        """Clauses a typed reference names: "中关村十五条措施 第六条", "湖北省总体规划 二（一）1", or an id."""
        from . import lookup

        ref = ref.strip()
        if not ref:
            raise InputError("请输入条款引用，例如：中关村十五条措施 第六条")
        direct = self.index.clause(ref)
        return [direct] if direct else lookup.find(self.index.clauses, self.documents(), ref)

    def compare(self, topic: str, regions: Sequence[str] | None = None) -> list[Any]:
        """rag.compare rows for the 政策对比 tab. Raises InputError for a bad topic or region."""
        from . import compare

        return compare.rows(self.index, topic, list(regions or ()) or None)

    def status_html(self) -> str:
        text = status_text(
            self.settings, self.index.embedder_id, len(self.index.documents), len(self.index.clauses)
        )
        return f'<div class="status">{esc(text)}</div>'

    # ------------------------------------------------------------ uploads

    def add_files(
        self, uploads: Sequence[tuple[Path, str]], progress: Progress | None = None
    ) -> list[FileResult]:
        """Check uploaded (path, original name) pairs and add them to the knowledge base in RAG_HOME;
        one FileResult per upload, in order.

        A file that fails a check is never stored. The change takes the knowledge base's lock (waiting
        for another upload or `rag index` up to RAG_LOCK_TIMEOUT) and has RAG_UPLOAD_SECONDS to finish;
        if it fails or runs out of time, nothing is stored and the previous index keeps serving.
        """
        results: list[FileResult | None] = []
        accepted: list[tuple[Path, str]] = []
        for path, name in uploads:
            name = safe_name(name)
            try:
                check_upload(Path(path), name)
            except (RagError, OSError) as exc:
                results.append(FileResult(name, error=str(exc)))
                continue
            results.append(None)
            accepted.append((Path(path), name))
        with self._build_lock:
            done = self._add(accepted, progress) if accepted else []
        filled = iter(done)
        return [r if r is not None else next(filled) for r in results]

    def _add(self, accepted: list[tuple[Path, str]], progress: Progress | None) -> list[FileResult]:
        """update.add the checked uploads and serve the new index; a failed change fails every file."""
        from . import store, update

        try:
            report = update.add(self.settings, accepted, progress, budget=self.settings.upload_seconds)
            if report.built:
                self._replace(store.load(self.settings))
        except (RagError, OSError) as exc:
            return [FileResult(name, error=f"建立索引失败，知识库保持原样：{exc}") for _, name in accepted]
        return [self._result(o) for o in report.added]

    def _result(self, o: update.FileOutcome) -> FileResult:
        if o.error:
            return FileResult(o.name, error=_EMPTY if o.empty else o.error)
        if o.duplicate_of:
            note = "知识库中已有这个文件，未重复加入" if o.duplicate_of == o.name else (
                f"知识库中已有内容相同的文件 {o.duplicate_of}，未重复加入"
            )
            return FileResult(o.name, self._clause_count(o.duplicate_of), notes=(note,), source=o.duplicate_of)
        renamed = (f"知识库中已有同名文件，新文件保存为 {o.stored_as}",) if o.stored_as != o.name else ()
        return FileResult(o.stored_as or o.name, o.clauses, notes=renamed)

    def _replace(self, index: Index) -> None:
        with self._pipeline_lock:
            self.index = index
            self._pipeline = None

    def _clause_count(self, source: str) -> int:
        return sum(1 for c in self.index.clauses if c.source == source and c.part <= 1)


# ---------------------------------------------------------------- style


CSS = """
.app-head { display: flex; align-items: baseline; gap: 1rem; }
.app-head h1 { margin: 0; font-size: 1.6rem; }
.app-head span { color: var(--body-text-color-subdued); }
.status { font-size: 0.85rem; color: var(--body-text-color-subdued); }
.hint { color: var(--body-text-color-subdued); padding: 0.75rem; }
#chat .chat { display: flex; flex-direction: column; gap: 0.6rem; min-height: 420px; max-height: 62vh;
  overflow-y: auto; padding: 0.5rem; border: 1px solid var(--border-color-primary); border-radius: 8px; }
#chat .chat.empty { justify-content: center; align-items: center; }
.msg { display: flex; }
.msg.user { justify-content: flex-end; }
.msg .bubble { max-width: 88%; padding: 0.6rem 0.8rem; border-radius: 10px; white-space: pre-wrap;
  word-break: break-word; line-height: 1.7; }
.msg.user .bubble { background: var(--color-accent-soft); }
.msg.bot .bubble { background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
.msg.bot.refused .bubble { background: #fff8e6; border: 1px dashed #d69e2e; color: #5c4813; }
.msg.bot.error .bubble { background: #fdecec; border: 1px solid #e0a0a0; color: #7a1f1f; }
.refusal-tag { font-weight: 600; color: #a16207; margin-bottom: 0.3rem; }
.refusal-tag::before { content: "⚠ "; }
a.cite { display: inline-block; padding: 0 0.25rem; margin: 0 0.1rem; border-radius: 4px; font-size: 0.85em;
  background: #dbeafe; color: #1e40af !important; text-decoration: none; cursor: pointer; }
a.cite:hover, a.cite:focus { background: #bfdbfe; outline: 1px solid #1e40af; }
.answer-table { border-collapse: collapse; margin: 0.4rem 0; font-size: 0.85rem; white-space: normal; }
.answer-table th, .answer-table td { border: 1px solid var(--border-color-primary); padding: 0.15rem 0.4rem;
  text-align: left; vertical-align: top; }
.msg-tools { display: flex; gap: 0.6rem; align-items: center; margin-top: 0.4rem; font-size: 0.8rem;
  white-space: normal; }
.msg-tools .copy { border: 1px solid var(--border-color-primary); border-radius: 4px; padding: 0 0.5rem;
  background: var(--background-fill-primary); cursor: pointer; }
.msg-tools .mode { color: var(--body-text-color-subdued); }
.notice { font-size: 0.8rem; color: var(--body-text-color-subdued); margin-top: 0.3rem; }
.cursor { animation: blink 1s steps(2) infinite; }
@keyframes blink { to { opacity: 0; } }
.cites { display: flex; flex-direction: column; gap: 0.5rem; max-height: 48vh; overflow-y: auto; }
.cites-head { font-weight: 600; }
.cites.refused .cites-head { color: #a16207; }
.card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.5rem 0.7rem; }
.cites.refused .card { border-style: dashed; }
.card .n { font-weight: 700; color: #1e40af; margin-right: 0.3rem; }
.card .doc-title { font-weight: 600; }
.meta { font-size: 0.8rem; color: var(--body-text-color-subdued); margin: 0.2rem 0; }
.clause-text { white-space: pre-wrap; word-break: break-word; line-height: 1.7; }
mark { background: #fde68a; color: inherit; padding: 0 1px; }
.card .open { margin-top: 0.3rem; font-size: 0.8rem; border: 1px solid var(--border-color-primary);
  border-radius: 4px; padding: 0 0.5rem; background: var(--background-fill-primary); cursor: pointer; }
.docview { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.5rem 0.7rem; }
.doc-head .doc-title { font-weight: 600; }
.doc-text { white-space: pre-wrap; word-break: break-word; line-height: 1.8; max-height: 56vh;
  overflow-y: auto; position: relative; }
.doc-text .target { background: #fde68a; outline: 2px solid #d69e2e; border-radius: 2px; }
.doc-text .neighbour { background: var(--background-fill-secondary); }
.cut { color: var(--body-text-color-subdued); font-size: 0.8rem; }
.tree { display: flex; flex-direction: column; max-height: 60vh; overflow-y: auto; }
.tree .heading { padding-left: calc(var(--depth) * 1rem); font-weight: 600; margin-top: 0.3rem; }
.tree .item { text-align: left; font-size: 0.9rem; font-weight: normal; line-height: 1.5; padding: 0.15rem 0.3rem 0.15rem calc(var(--depth) * 1rem + 0.3rem);
  border: none; background: none; cursor: pointer; border-radius: 4px; }
.tree .item:hover, .tree .item.selected { background: #dbeafe; }
.tree .ref { color: #1e40af; font-weight: 600; }
.notice.expiry { color: #991b1b; }
.validity { font-weight: 600; padding: 0 0.3rem; border-radius: 4px; }
.validity.expired { color: #991b1b; background: #fee2e2; }
.validity.current { color: #166534; background: #dcfce7; }
.compare table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
.compare th, .compare td { border-bottom: 1px solid var(--border-color-primary); padding: 0.35rem; vertical-align: top;
  text-align: left; }
.compare th button.sort { border: none; background: none; font-weight: 600; cursor: pointer; padding: 0; }
.compare th button.sort[data-dir="asc"]::after { content: " ▲"; }
.compare th button.sort[data-dir="desc"]::after { content: " ▼"; }
.compare button.cite-open { border: none; background: none; color: #1e40af; cursor: pointer; text-align: left;
  padding: 0; text-decoration: underline; }
.compare tr.opened td { background: #fef9c3; }
.compare .kinds { font-weight: 600; }
.compare td:nth-child(1), .compare td:nth-child(6), .compare td:nth-child(7) { white-space: nowrap; }
.compare td:nth-child(2) { min-width: 9em; }
.compare td:nth-child(3) { min-width: 16em; }
.cmp-summary { margin-bottom: 0.4rem; color: var(--body-text-color-subdued); }
.uploads table { width: 100%; }
.uploads tr.failed td { color: #7a1f1f; }
.uploads .note { font-size: 0.8rem; color: var(--body-text-color-subdued); }
.uploads-off { background: #fff8e6; border: 1px dashed #d69e2e; color: #5c4813; padding: 0.6rem 0.8rem;
  border-radius: 8px; }
"""
