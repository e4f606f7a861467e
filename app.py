"""政策问答 web app: chat with clause citations, clause lookup, uploads, POST /api/ask and /api/documents.

    python app.py            # http://127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT override)

    curl -s http://127.0.0.1:7860/api/ask -H 'Content-Type: application/json' \\
         -d '{"question": "中关村十五条措施第六条讲的是什么？", "region": "北京市"}'

Thin on purpose: layout and wiring only. What is shown is built by rag/ui.py from escaped text;
answering, lookup and indexing are rag/ functions; the HTTP API and its limits are rag/api.py and
rag/web.py (tokens, rate limits, which uploaded files a client may add).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref

# Before gradio is imported: no analytics and no model hub, so no request leaves the machine.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Gradio's upload folder is the app's own, since old files in it are deleted (rag.web.Uploads).
os.environ.setdefault("GRADIO_TEMP_DIR", os.path.join(tempfile.gettempdir(), "rag-gradio"))
if not (
    os.environ.get("GRADIO_SERVER_PORT") or "7860"
).isdigit():  # gradio's own import would fail with a traceback
    raise SystemExit(
        f"app: GRADIO_SERVER_PORT must be a port number (1-65535), got {os.environ['GRADIO_SERVER_PORT']!r}"
    )

import errno
import functools
import inspect
import logging
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI

from rag import ui
from rag.api import Api, Gate, Guard, add_routes
from rag.config import MAX_QUESTION_CHARS, Settings
from rag.errors import InputError, RagError
from rag.web import MAX_FILTER_CHARS, UPLOAD_TTL_S, Refused, WebSettings, check_text, is_loopback, same_secret

log = logging.getLogger("rag.app")

EXAMPLES = (
    "北京对引进图灵奖获得者有什么支持？",
    "湖北到2025年人工智能核心产业规模目标是多少？",
    "成渝两地2022年的核心产业目标一样吗？",
    "中关村十五条措施第六条讲的是什么？",
    "上海对入驻企业的房租减免标准是多少？",
)

# Clicks inside our HTML become Gradio events; everything else in that HTML is inert escaped text.
CHAT_JS = """
const copyText = (text, button) => {
  const done = () => { button.textContent = '已复制'; setTimeout(() => { button.textContent = '复制'; }, 1500); };
  const fallback = () => {
    const area = document.createElement('textarea');
    area.value = text; area.style.position = 'fixed'; area.style.opacity = '0';
    document.body.appendChild(area); area.select();
    try { document.execCommand('copy'); done(); } finally { area.remove(); }
  };
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
  else fallback();
};
element.addEventListener('click', (event) => {
  const cite = event.target.closest('a.cite');
  if (cite) {
    event.preventDefault();
    trigger('cite', {clause: cite.dataset.clause, turn: Number(cite.dataset.turn), n: Number(cite.dataset.n)});
    return;
  }
  const copy = event.target.closest('button.copy');
  if (copy) copyText(copy.dataset.copy || '', copy);
});
watch('value', () => {
  const chat = element.querySelector('.chat');
  if (chat) chat.scrollTop = chat.scrollHeight;
});
"""
OPEN_JS = """
element.addEventListener('click', (event) => {
  const target = event.target.closest('button[data-clause]');
  if (target) trigger('open', {clause: target.dataset.clause});
});
"""
DOC_JS = """
const focus = () => {
  const target = element.querySelector('.target');
  const box = element.querySelector('.doc-text');
  if (!target || !box) return;
  box.scrollTop = target.offsetTop - box.offsetTop - box.clientHeight / 4;
  const rect = element.getBoundingClientRect();
  if (rect.top < 0 || rect.top > window.innerHeight - 80) element.scrollIntoView({block: 'start'});
};
watch('value', focus);
focus();
"""

# The 政策对比 table: header buttons sort the rows in place; a citation opens its clause beside the table.
COMPARE_JS = """
element.addEventListener('click', (event) => {
  const open = event.target.closest('button.cite-open');
  if (open) {
    element.querySelectorAll('tr.opened').forEach((tr) => tr.classList.remove('opened'));
    open.closest('tr').classList.add('opened');
    trigger('open', {clause: open.dataset.clause});
    return;
  }
  const sort = event.target.closest('button.sort');
  if (!sort) return;
  const table = sort.closest('table');
  const col = Number(sort.dataset.col);
  const dir = sort.dataset.dir === 'asc' ? 'desc' : 'asc';
  table.querySelectorAll('button.sort').forEach((b) => b.removeAttribute('data-dir'));
  sort.dataset.dir = dir;
  const numeric = sort.dataset.kind === 'num';
  const value = (tr) => tr.cells[col].dataset.value || '';
  const rows = Array.from(table.tBodies[0].rows);
  rows.sort((a, b) => {
    const order = numeric ? Number(value(a)) - Number(value(b)) : value(a).localeCompare(value(b), 'zh-CN');
    return dir === 'asc' ? order : -order;
  });
  rows.forEach((tr) => table.tBodies[0].appendChild(tr));
});
"""

PROGRESS = gr.Progress()  # Gradio fills a handler's progress bar through a default of this type
QUEUE_SIZE = 200  # events waiting beyond the running ones; more are refused ("queue full") rather than piled up
MAX_COMPARE_REGIONS = 50  # regions one 政策对比 request may name (the bundled index has 18)


# ---------------------------------------------------------------- event handlers (thin)


def user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Show a domain error (bad reference, stale clause id…) as a Gradio error toast, not a traceback."""

    def shown(exc: RagError) -> gr.Error:
        return gr.Error(refused_text(exc) if isinstance(exc, Refused) else str(exc), print_exception=False)

    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from fn(*args, **kwargs)
            except RagError as exc:
                raise shown(exc) from None

        return generator

    @functools.wraps(fn)
    def function(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RagError as exc:
            raise shown(exc) from None

    return function


def refused_text(exc: Refused) -> str:
    """What the page says when the server refuses (the API says the same in English)."""
    if exc.status == 429:
        return f"请求过于频繁或服务器繁忙，请 {exc.retry_after or 5} 秒后再试"
    if exc.status == 401:
        return "管理令牌不正确：请在上方填写 RAG_ADMIN_TOKEN 的值"
    if exc.status == 403:
        return UPLOADS_OFF
    return "文件不是通过本页面上传的（或已过期），请重新选择文件"


UPLOADS_OFF = "上传已关闭：应用监听在本机以外的地址，且没有设置管理令牌 RAG_ADMIN_TOKEN。设置后重启应用即可上传。"


def _client(request: gr.Request | None) -> str:
    client = getattr(request, "client", None)
    return str(getattr(client, "host", None) or "unknown")


def _sent(evt: gr.EventData, key: str) -> str:
    """A value our JavaScript sent with a custom event, e.g. the clause id of a clicked [n]."""
    return str((evt._data or {}).get(key, ""))


def make_handlers(ws: ui.Workspace, guard: Guard) -> dict[str, Callable[..., Any]]:
    """The functions the Blocks call, closed over one Workspace and the app's limits."""

    def respond(
        question: str, turns: list[ui.Turn], region: str, doc: str, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        guard.asks.check(_client(request))
        question = check_text(question, "the question", MAX_QUESTION_CHARS + 1000)
        region, doc = (check_text(v or ui.ALL, "the filter", MAX_FILTER_CHARS) for v in (region, doc))
        for shown, answer in ui.converse(ws, question, turns, region, doc):
            panel = ui.citations_html(answer) if answer is not None else gr.skip()
            yield ui.chat_html(shown), panel, shown, ""

    def new_chat() -> tuple[Any, ...]:
        return [], ui.chat_html([]), ui.citations_html(None), ui.empty_document_html()

    def open_citation(turns: list[ui.Turn], evt: gr.EventData) -> tuple[str, str]:
        answer = ui.answer_at(turns, _sent(evt, "turn"))
        return ui.citations_html(answer) if answer else gr.skip(), ws.document_view(_sent(evt, "clause"))

    def open_clause(evt: gr.EventData) -> str:
        return ws.document_view(_sent(evt, "clause"))

    def pick_region(region: str) -> gr.Dropdown:
        return gr.Dropdown(choices=ui.doc_choices(ws.documents(), region), value=ui.ALL)

    def pick_doc(doc_id: str) -> tuple[str, str]:
        return ws.tree(doc_id), ws.document_start(doc_id)

    def open_in_tree(doc_id: str, evt: gr.EventData) -> tuple[str, str, str]:
        clause_id = _sent(evt, "clause")
        return ws.tree(doc_id, clause_id), ui.lookup_html(ws.lookup(clause_id)), ws.document_view(clause_id)

    def look_up(ref: str) -> tuple[Any, ...]:
        found = ws.lookup(check_text(ref, "the reference", MAX_FILTER_CHARS))
        if not found:
            return ui.lookup_html([], ref), gr.skip(), gr.skip(), gr.skip()
        first = found[0]
        doc = gr.Dropdown(choices=ui.doc_choices(ws.documents()), value=first.doc_id)
        return ui.lookup_html(found, ref), ws.document_view(first.id), ws.tree(first.doc_id, first.id), doc

    exports: list[Path] = []  # the folder of 政策对比's CSVs, swept as uploads are: made for the first table

    def export_folder() -> Path:
        if not exports:
            exports.append(Path(tempfile.mkdtemp(prefix="rag-compare-")))
            # it goes with the handlers that write into it (the app, or at the latest the process, when it
            # exits normally): Gradio serves a download from its own copy
            weakref.finalize(run_compare, shutil.rmtree, exports[0], ignore_errors=True)
        return exports[0]

    def run_compare(topic: str, regions: list[str] | None, request: gr.Request) -> tuple[str, Any]:
        """The table for a topic and regions, and its CSV to download; a question's limits apply."""
        guard.asks.check(_client(request))
        topic = check_text(topic, "the topic", MAX_FILTER_CHARS)
        if regions is not None and (not isinstance(regions, list) or len(regions) > MAX_COMPARE_REGIONS):
            raise InputError(f"choose at most {MAX_COMPARE_REGIONS} regions")
        regions = [check_text(r, "a region", MAX_FILTER_CHARS) for r in regions or []]
        rows = ws.compare(topic, regions)
        path = ui.write_compare_csv(rows, topic.strip(), export_folder(), max_age=UPLOAD_TTL_S) if rows else None
        return ui.compare_html(rows, topic.strip()), gr.DownloadButton(value=str(path) if path else None, visible=bool(rows))

    def add_files(
        files: list[str] | None, token: str | None, request: gr.Request, progress: gr.Progress = PROGRESS
    ) -> tuple[Any, ...]:
        if not files:
            raise gr.Error(f"请先选择要上传的文件（{' '.join(ui.UPLOAD_TYPES)}）", print_exception=False)
        paths = _claim(guard, _client(request), files, token)
        progress(0, desc="正在解析文件…")
        try:
            results = ws.add_files(
                [(path, path.name) for path in paths],
                lambda done, total: progress((done, total) if total else 1.0, desc="正在嵌入新条款", unit="条款"),
            )
        finally:
            for path in paths:
                guard.received.release(_client(request), path)
        if any(r.error for r in results):
            gr.Warning("有文件未能加入知识库，原因见结果表")
        regions = gr.Dropdown(choices=ui.region_choices(ws.regions()), value=ui.ALL)
        docs = gr.Dropdown(choices=ui.doc_choices(ws.documents()), value=ui.ALL)
        compared = gr.Dropdown(choices=ws.regions())  # 政策对比's regions, with any the files added
        return ui.upload_report_html(results), ws.status_html(), regions, docs, regions, docs, compared, None

    handlers = (
        respond,
        new_chat,
        open_citation,
        open_clause,
        pick_region,
        pick_doc,
        open_in_tree,
        look_up,
        run_compare,
        add_files,
    )
    return {fn.__name__: user_errors(fn) for fn in handlers}



def _claim(guard: Guard, client: str, files: list[Any], token: str | None) -> list[Path]:
    """The received files a request may add: the admin token checked, each path one that this client
    uploaded here (anything else is refused and logged); on refusal the client's files are deleted."""
    try:
        guard.web.check_admin(token or None)
        return [guard.received.claim(client, f) for f in files]
    except Refused:
        for f in files:
            guard.received.release(client, f)
        raise


# ---------------------------------------------------------------- layout

HIDDEN_API: dict[str, Any] = {"api_visibility": "undocumented"}  # UI events; integrations use /api/ask


@dataclass
class ChatTab:
    chat: gr.HTML
    box: gr.Textbox
    send: gr.Button
    examples: list[gr.Button]
    region: gr.Dropdown
    doc: gr.Dropdown
    new: gr.Button
    cites: gr.HTML
    docview: gr.HTML


@dataclass
class LookupTab:
    ref: gr.Textbox
    find: gr.Button
    region: gr.Dropdown
    doc: gr.Dropdown
    tree: gr.HTML
    found: gr.HTML
    docview: gr.HTML


@dataclass
class CompareTab:
    topic: gr.Textbox
    regions: gr.Dropdown
    run: gr.Button
    table: gr.HTML
    download: gr.DownloadButton
    docview: gr.HTML


@dataclass
class UploadTab:
    files: gr.File
    token: gr.Textbox
    add: gr.Button
    report: gr.HTML


def _filters(ws: ui.Workspace, prefix: str, scale: bool) -> tuple[gr.Dropdown, gr.Dropdown]:
    """Region and policy dropdowns; elem ids "<prefix>region" and "<prefix>doc"."""
    regions, docs = ui.region_choices(ws.regions()), ui.doc_choices(ws.documents())
    region = gr.Dropdown(
        regions, value=ui.ALL, label="地区", scale=1 if scale else None, elem_id=f"{prefix}region"
    )
    doc = gr.Dropdown(docs, value=ui.ALL, label="政策", scale=3 if scale else None, elem_id=f"{prefix}doc")
    return region, doc


def _chat_tab(ws: ui.Workspace) -> ChatTab:
    with gr.Tab("问答", id="chat"), gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chat = gr.HTML(ui.chat_html([]), js_on_load=CHAT_JS, elem_id="chat")
            with gr.Row():
                box = gr.Textbox(placeholder=f"用中文提问，例如：{EXAMPLES[0]}", show_label=False, scale=6,
                                 elem_id="question", max_length=2000)  # fmt: skip
                send = gr.Button("发送", variant="primary", scale=1, elem_id="send")
            with gr.Row(elem_id="examples"):
                examples = [gr.Button(q, size="sm") for q in EXAMPLES]
            with gr.Row(elem_id="chat-filters"):
                region, doc = _filters(ws, "", scale=True)
                new = gr.Button("新对话", scale=0, elem_id="new-chat")
        with gr.Column(scale=2):
            cites = gr.HTML(ui.citations_html(None), js_on_load=OPEN_JS, elem_id="cites")
            docview = gr.HTML(ui.empty_document_html(), js_on_load=DOC_JS, elem_id="docview")
    return ChatTab(chat, box, send, examples, region, doc, new, cites, docview)


def _lookup_tab(ws: ui.Workspace) -> LookupTab:
    with gr.Tab("条款查询", id="lookup"), gr.Row(equal_height=False):
        with gr.Column(scale=2):
            with gr.Row():
                ref = gr.Textbox(
                    placeholder="中关村十五条措施 第六条", label="按引用查找条款", scale=4, elem_id="ref"
                )
                find = gr.Button("查找", scale=1, elem_id="find")
            with gr.Column():
                region, doc = _filters(ws, "lk-", scale=False)
            tree = gr.HTML(ui.tree_html([]), js_on_load=OPEN_JS, elem_id="tree")
        with gr.Column(scale=3):
            found = gr.HTML("", js_on_load=OPEN_JS, elem_id="found")
            hint = "选择条款后，这里显示政策原文并定位到该条款。"
            docview = gr.HTML(ui.empty_document_html(hint), js_on_load=DOC_JS, elem_id="lk-docview")
    return LookupTab(ref, find, region, doc, tree, found, docview)


def _compare_tab(ws: ui.Workspace) -> CompareTab:
    with gr.Tab("政策对比", id="compare"), gr.Row(equal_height=False):
        with gr.Column(scale=3):
            with gr.Row():
                topic = gr.Textbox(placeholder="算力、首版次软件、赛事/挑战赛、人才、上市…", label="对比主题", scale=3,
                                   elem_id="cmp-topic", max_length=60)  # fmt: skip
                regions = gr.Dropdown(ws.regions(), value=[], multiselect=True, label="地区（不选为全部）", scale=3,
                                      elem_id="cmp-regions")  # fmt: skip
                run = gr.Button("对比", variant="primary", scale=1, elem_id="cmp-run")
            table = gr.HTML(ui.compare_html([]), js_on_load=COMPARE_JS, elem_id="cmp-table")
            download = gr.DownloadButton("下载 CSV", visible=False, elem_id="cmp-download")
        with gr.Column(scale=2):
            docview = gr.HTML(ui.empty_document_html("点击表中的条款，这里显示政策原文并定位到该条款。"),
                              js_on_load=DOC_JS, elem_id="cmp-docview")  # fmt: skip
    return CompareTab(topic, regions, run, table, download, docview)


def _wire_compare(h: dict[str, Any], cmp: CompareTab) -> None:
    for trigger in (cmp.run.click, cmp.topic.submit):
        trigger(h["run_compare"], inputs=[cmp.topic, cmp.regions], outputs=[cmp.table, cmp.download],
                show_progress_on=[cmp.table], **HIDDEN_API)  # fmt: skip
    cmp.table.open(h["open_clause"], outputs=[cmp.docview], **HIDDEN_API)


def _upload_tab(web: WebSettings) -> UploadTab:
    """Uploads as today on loopback; a token box when RAG_ADMIN_TOKEN is set; switched off, saying
    why, on a network address without a token."""
    with gr.Tab("添加文件", id="upload"):
        gr.Markdown(
            f"上传政策文件（{' '.join(ui.UPLOAD_TYPES)}，每个不超过 {ui.MAX_UPLOAD_MB} MB）。"
            "解析并嵌入后即可提问和引用；未能读取的文件不会改动现有知识库。"
        )
        if not web.uploads_open:
            gr.HTML(f'<div class="uploads-off">{ui.esc(UPLOADS_OFF)}</div>', elem_id="uploads-off")
        token = gr.Textbox(label="管理令牌（RAG_ADMIN_TOKEN）", type="password", visible=web.uploads_need_token,
                           elem_id="admin-token", max_length=1000)  # fmt: skip
        files = gr.File(file_count="multiple", file_types=list(ui.UPLOAD_TYPES), label="政策文件",
                        elem_id="files", interactive=web.uploads_open)  # fmt: skip
        add = gr.Button("加入知识库", variant="primary", elem_id="add", interactive=web.uploads_open)
        report = gr.HTML("", elem_id="upload-report", min_height=80)
    return UploadTab(files, token, add, report)


def _wire_chat(h: dict[str, Any], c: ChatTab, turns: gr.State) -> None:
    outputs = [c.chat, c.cites, turns, c.box]
    for trigger, question in [(c.send.click, c.box), (c.box.submit, c.box)] + [
        (b.click, b) for b in c.examples
    ]:
        trigger(h["respond"], inputs=[question, turns, c.region, c.doc], outputs=outputs, show_progress="minimal",
                show_progress_on=[c.chat], **HIDDEN_API)  # fmt: skip
    c.new.click(h["new_chat"], outputs=[turns, c.chat, c.cites, c.docview], **HIDDEN_API)
    c.chat.cite(h["open_citation"], inputs=[turns], outputs=[c.cites, c.docview], **HIDDEN_API)
    c.cites.open(h["open_clause"], outputs=[c.docview], **HIDDEN_API)
    c.region.input(h["pick_region"], inputs=[c.region], outputs=[c.doc], **HIDDEN_API)


def _wire_lookup(h: dict[str, Any], lk: LookupTab) -> None:
    lk.region.input(h["pick_region"], inputs=[lk.region], outputs=[lk.doc], **HIDDEN_API)
    lk.doc.input(h["pick_doc"], inputs=[lk.doc], outputs=[lk.tree, lk.docview], **HIDDEN_API)
    lk.tree.open(h["open_in_tree"], inputs=[lk.doc], outputs=[lk.tree, lk.found, lk.docview], **HIDDEN_API)
    lk.found.open(h["open_clause"], outputs=[lk.docview], **HIDDEN_API)
    for trigger in (lk.find.click, lk.ref.submit):
        trigger(h["look_up"], inputs=[lk.ref], outputs=[lk.found, lk.docview, lk.tree, lk.doc], **HIDDEN_API)


def build_blocks(ws: ui.Workspace, guard: Guard) -> gr.Blocks:
    """The page: a status line and four tabs (问答, 条款查询, 政策对比, 添加文件)."""
    h = make_handlers(ws, guard)
    # Gradio's own clean-up as well: every 10 min it deletes received files older than the upload TTL,
    # and all of them when the server stops.
    with gr.Blocks(title="政策问答", delete_cache=(600, UPLOAD_TTL_S)) as demo:
        gr.HTML(
            '<div class="app-head"><h1>政策问答</h1><span>人工智能产业政策 · 回答逐句注明出处条款</span></div>'
        )
        status = gr.HTML(ws.status_html(), elem_id="status")
        turns = gr.State([])
        with gr.Tabs():
            chat, lookup, compared, upload = _chat_tab(ws), _lookup_tab(ws), _compare_tab(ws), _upload_tab(guard.web)
        _wire_chat(h, chat, turns)
        _wire_lookup(h, lookup)
        _wire_compare(h, compared)
        outputs = [upload.report, status, chat.region, chat.doc, lookup.region, lookup.doc, compared.regions, upload.files]
        upload.add.click(
            h["add_files"],
            inputs=[upload.files, upload.token],
            outputs=outputs,
            show_progress_on=[upload.report],
            concurrency_limit=1,  # one index build at a time; the others wait their turn in the queue
            **HIDDEN_API,
        )
    # Answers run side by side, as many as the machine has cores (RAG_WORKERS); the rest wait in line.
    demo.queue(default_concurrency_limit=guard.web.workers, max_size=QUEUE_SIZE)
    return demo


# ---------------------------------------------------------------- HTTP API and serving


def create_app(ws: ui.Workspace, web: WebSettings | None = None) -> FastAPI:
    """FastAPI app: POST /api/ask and /api/documents, and the Gradio UI mounted at /, behind the Gate.

    `web` says who may do what (tokens, limits, whether the app listens on loopback only).
    """
    web = web or WebSettings.from_env()
    guard = Guard.create(web, Path(gr.utils.get_upload_folder()))
    guard.received.sweep()  # files left from an earlier run
    api = FastAPI(title="政策问答", docs_url=None, redoc_url=None, openapi_url=None)
    api.state.guard = guard
    add_routes(api, Api(ws, guard))
    blocks = build_blocks(ws, guard)
    app = gr.mount_gradio_app(
        api,
        blocks,
        path="/",
        footer_links=[],
        run_history=False,
        max_file_size=f"{ui.MAX_UPLOAD_MB}mb",
        css=ui.CSS,
        show_error=True,
        auth=_reader_login(web) if web.read_token else None,
        auth_message="请输入访问令牌（RAG_READ_TOKEN）作为密码，用户名任意。" if web.read_token else None,
    )
    # mount_gradio_app leaves this False, which skips Gradio's own check that an event's files were
    # uploaded (it would copy any server file named in an event into its cache).
    blocks.has_launched = True
    app.add_middleware(Gate, guard=guard)
    return app


def _reader_login(web: WebSettings) -> Callable[[str, str], bool]:
    """Gradio's login page as the read-token prompt: any user name, the token as password."""
    token = web.read_token or ""

    def login(username: str, password: str) -> bool:
        return same_secret(password, token)

    return login


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    host = os.environ.get("GRADIO_SERVER_NAME") or "127.0.0.1"
    try:
        port = _port(os.environ.get("GRADIO_SERVER_PORT") or "7860")
        listener = listen(host, port)  # first: a taken port is the only thing said
        settings = Settings.from_env()
        for warning in settings.warnings():
            log.warning("%s", warning)
        web = WebSettings.from_env(loopback=is_loopback(listener.getsockname()[0]))
        for warning in web.warnings():
            log.warning("%s", warning)
        ws = ui.Workspace.load(settings)
    except (RagError, FileNotFoundError) as exc:
        print(f"app: {exc}", file=sys.stderr)
        return 1
    threading.Thread(target=_warm_up, args=(ws,), daemon=True).start()
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(create_app(ws, web), log_level="warning"))
    print(f"政策问答: http://{host}:{port}", flush=True)
    server.run(sockets=[listener])
    return 0


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, or RagError in one line (a taken port says so and nothing else).

    Example: listen("127.0.0.1", 7860) -> a bound socket; the same again -> RagError("port 7860 … is taken …")
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError):
        raise RagError(f"GRADIO_SERVER_NAME {host!r} is not an address of this machine") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise RagError(
                f"port {port} on {host} is taken: stop the program using it or set GRADIO_SERVER_PORT"
            ) from None
        raise RagError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock


def _port(raw: str) -> int:
    """GRADIO_SERVER_PORT as a port number. Example: _port("7861") -> 7861"""
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise InputError(f"GRADIO_SERVER_PORT must be a port number (1-65535), got {raw!r}")
    return int(raw)


def _warm_up(ws: ui.Workspace) -> None:
    try:
        ws.warm_up()
    except (RagError, ImportError, OSError) as exc:  # the first question will report it properly
        log.warning("warm-up failed: %s", exc)


if __name__ == "__main__":
    sys.exit(main())
