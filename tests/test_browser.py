"""The app in a real browser: `python app.py` on a free port over a temp copy of the committed
index and corpus (plus a policy full of HTML injection), driven by headless Chromium.

Screenshots go to test-artifacts/. Run alone with: pytest -m browser tests/test_browser.py

With RAG_SCREENSHOTS=docs, the tests also write the README's pictures (docs/chat.png,
docs/citation-docview.png, docs/refusal.png): `RAG_SCREENSHOTS=docs python -m pytest -m browser
tests/test_browser.py` regenerates them from the running app.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from processes import free_port, page_answers, stop, wait_until

pytestmark = pytest.mark.browser

PROJECT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT / "test-artifacts"
DOCS = PROJECT / "docs"
README_SHOT_MAX_BYTES = 300_000
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY_LIMIT_S = 120.0  # a wait, not a speed check: `rag bench` measures start-up
WAIT_MS = 30_000

XSS_NAME = "xss测试市人工智能安全办法.txt"
XSS_POLICY = """xss测试市人工智能安全办法

第一条 本办法适用于测试。<script>window.__xss=1</script>脚本应当显示为文字。

第二条 图片标签<img src=x onerror="window.__xss=1">也应当显示为文字，补助标准为每家企业30万元。

第三条 本办法自2024年1月1日起施行。
"""


# Runs in the app process before app.py: any connection or name lookup that would leave the
# machine is refused and written to NET_GUARD_LOG, so the test can prove nothing tried.
NET_GUARD = """
import ipaddress, os, runpy, socket

_log = os.environ["NET_GUARD_LOG"]
_connect, _getaddrinfo = socket.socket.connect, socket.getaddrinfo

def _local(host):
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False

def _refuse(what):
    with open(_log, "a") as f:
        f.write(what + "\\n")
    raise OSError("blocked by the test's network guard: " + what)

def connect(self, address):
    if isinstance(address, tuple) and not _local(address[0]):
        _refuse("connect " + repr(address))
    return _connect(self, address)

def getaddrinfo(host, *args, **kwargs):
    if not _local(host if not isinstance(host, bytes) else host.decode()):
        _refuse("getaddrinfo " + repr(host))
    return _getaddrinfo(host, *args, **kwargs)

socket.socket.connect, socket.getaddrinfo = connect, getaddrinfo
runpy.run_path("app.py", run_name="__main__")
"""


@dataclass(frozen=True)
class Server:
    url: str
    index_dir: Path
    corpus_dir: Path
    home: Path  # RAG_HOME: uploads and the index built with them
    ready_seconds: float
    net_log: Path


def _prepare_data(root: Path) -> tuple[Path, Path]:
    """A copy of the committed index and corpus, with the injection policy indexed beside them."""
    from rag import update
    from rag.config import Settings

    if not (PROJECT / "index" / "manifest.json").exists():
        pytest.skip("no committed index in index/: run `rag index` first")
    index_dir, corpus_dir = root / "index", root / "corpus"
    shutil.copytree(PROJECT / "index", index_dir)
    shutil.copytree(PROJECT / "corpus", corpus_dir)
    (corpus_dir / XSS_NAME).write_text(XSS_POLICY, encoding="utf-8")
    settings = Settings.from_env(
        {"RAG_INDEX_DIR": str(index_dir), "RAG_CORPUS_DIR": str(corpus_dir), "RAG_HOME": str(root / "data")}
    )
    update.build(settings)  # reuses the committed vectors; embeds only the three new clauses
    return index_dir, corpus_dir


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("app")
    index_dir, corpus_dir = _prepare_data(root)
    port = free_port()
    env = {
        **os.environ,
        "RAG_INDEX_DIR": str(index_dir),
        "RAG_CORPUS_DIR": str(corpus_dir),
        "RAG_HOME": str(root / "data"),
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_SERVER_PORT": str(port),
        "NET_GUARD_LOG": str(root / "net-guard.log"),
    }
    env.pop("RAG_LLM_BASE_URL", None)
    log = root / "app.log"
    with open(log, "wb") as out:
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", NET_GUARD], cwd=PROJECT, env=env, stdout=out, stderr=out
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until(page_answers(url + "/"), proc, log, 120, "the app")
            ready = time.monotonic() - started
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / "ready-seconds.txt").write_text(f"{ready:.2f}\n")
            yield Server(url, index_dir, corpus_dir, root / "data", ready, root / "net-guard.log")
        finally:
            stop(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh page on the app; fails the test if the page asked anything of another host."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page = context.new_page()
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(server.url + "/")
    page.locator("#question textarea").wait_for(timeout=WAIT_MS)
    yield page
    context.close()
    assert hosts <= {server.url.split("/")[2]}, f"requests left the machine: {sorted(hosts)}"


def ask(page: Any, question: str) -> Any:
    """Type a question, send it, and return the locator of the finished answer bubble."""
    before = page.locator("#chat .msg.bot").count()
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    answer = page.locator("#chat .msg.bot").nth(before)
    answer.and_(page.locator(".answered, .refused, .error")).wait_for(timeout=WAIT_MS)
    return answer


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def readme_shot(page: Any, name: str) -> None:
    """With RAG_SCREENSHOTS=docs, the README's picture docs/<name>.png: the visible page, reduced to a
    256-colour palette so that it stays small in the repository."""
    if os.environ.get("RAG_SCREENSHOTS") != "docs":
        return
    from PIL import Image

    path = DOCS / f"{name}.png"
    page.screenshot(path=str(path))
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
    assert path.stat().st_size < README_SHOT_MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes"


# ---------------------------------------------------------------- tests


def test_app_becomes_ready(server: Server) -> None:
    """The app answers within the start-up wait (its start-up time is a figure of `rag bench`, not a test:
    a shared CI machine can take several times as long)."""
    assert 0 < server.ready_seconds <= READY_LIMIT_S, f"ready after {server.ready_seconds:.1f} s"


def test_chat_answer_cites_and_opens_the_clause_in_place(page: Any) -> None:
    answer = ask(page, "北京对引进图灵奖获得者有什么支持？")
    assert "answered" in (answer.get_attribute("class") or "")
    assert "[1]" in answer.inner_text()
    card = page.locator("#cites .card").first
    assert "十五条措施" in card.inner_text() and "北京市" in card.inner_text()
    assert "图灵奖" in card.locator("mark").first.inner_text()
    readme_shot(page, "chat")
    page.locator("#question textarea").click()  # the copy button needs a focused page for the clipboard
    answer.locator("button.copy").click()
    page.wait_for_function("() => document.querySelector('#chat button.copy').textContent === '已复制'")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "[1]" in copied and "《北京市关于加快中关村科学城人工智能创新引领发展的十五条措施》" in copied

    answer.locator("a.cite").first.click()
    target = page.locator("#docview .target")
    target.wait_for(timeout=WAIT_MS)
    assert "图灵奖" in target.inner_text()
    assert page.locator("#docview .neighbour").count() >= 2
    assert target.is_visible()
    shot(page, "chat-citation-docview")
    target.scroll_into_view_if_needed()
    readme_shot(page, "citation-docview")


def test_refusal_looks_different_and_shows_related_clauses(page: Any) -> None:
    page.locator("#examples button", has_text="上海对入驻企业的房租减免标准是多少？").click()
    answer = page.locator("#chat .msg.bot").first
    answer.and_(page.locator(".answered, .refused")).wait_for(timeout=WAIT_MS)
    assert "refused" in (answer.get_attribute("class") or "")
    assert "未在所收录的政策中找到" in answer.inner_text()
    panel = page.locator("#cites .cites.refused")
    assert "可能相关" in panel.inner_text() and panel.locator(".card").count() >= 1
    shot(page, "refusal")
    readme_shot(page, "refusal")
    page.locator("#new-chat").click()
    page.locator("#chat .chat.empty").wait_for(timeout=WAIT_MS)


def test_region_filter_narrows_the_chat(page: Any) -> None:
    page.locator("#region input").click()
    page.get_by_role("option", name="湖北省", exact=True).click()
    ask(page, "人工智能核心产业规模目标是多少？")
    metas = page.locator("#cites .card .meta").all_inner_texts()
    assert metas and all("湖北省" in m for m in metas), metas


def test_lookup_by_reference_and_clause_tree(page: Any) -> None:
    page.get_by_role("tab", name="条款查询").click()
    ref = page.locator("#ref textarea")
    ref.fill("中关村十五条措施 第六条")
    page.locator("#find").click()
    page.locator("#lk-docview .target").wait_for(timeout=WAIT_MS)
    assert "早期和长期投资" in page.locator("#found .card").first.inner_text()
    assert "早期和长期投资" in page.locator("#lk-docview .target").inner_text()
    assert page.locator("#tree .item.selected").inner_text().startswith("第六条")

    page.locator("#tree .item", has_text="第七条").first.click()
    page.wait_for_function(
        "() => document.querySelector('#lk-docview .target')?.textContent.includes('第七条')"
    )

    ref.fill("湖北省总体规划 二（一）1")
    page.locator("#find").click()
    page.wait_for_function(
        "() => document.querySelector('#lk-docview .target')?.textContent.includes('智能制造')"
    )
    assert "二（一）1" in page.locator("#found .card .meta").first.inner_text()
    shot(page, "lookup")


def test_injected_html_in_clauses_and_questions_shows_as_text(page: Any) -> None:
    answer = ask(page, 'xss测试市的补助标准是多少？<img src=x onerror="window.__xss=1">')
    assert '<img src=x onerror="window.__xss=1">' in page.locator("#chat .msg.user").first.inner_text()
    assert "[1]" in answer.inner_text()
    cites = page.locator("#cites").inner_text()
    assert "<script>window.__xss=1</script>" in cites or '<img src=x onerror="window.__xss=1">' in cites
    page.locator("#cites .card button.open").first.click()
    page.locator("#docview .target").wait_for(timeout=WAIT_MS)
    doc_text = page.locator("#docview .doc-text").inner_text()
    assert (
        "<script>window.__xss=1</script>" in doc_text and '<img src=x onerror="window.__xss=1">' in doc_text
    )

    page.get_by_role("tab", name="条款查询").click()
    page.locator("#ref textarea").fill("xss测试市人工智能安全办法 第一条")
    page.locator("#find").click()
    page.locator("#lk-docview .target").wait_for(timeout=WAIT_MS)
    assert "<script>window.__xss=1</script>" in page.locator("#found").inner_text()
    assert page.locator("#tree .item", has_text="onerror").count() == 1
    assert page.evaluate("window.__xss") is None
    assert page.locator("#docview script, #cites img, #chat img, #found script, #tree img").count() == 0
    shot(page, "xss-as-text")


def test_failed_upload_names_the_error_and_keeps_the_index(page: Any, server: Server, tmp_path: Path) -> None:
    manifest = (server.home / "index" / "manifest.json").read_bytes()
    broken = tmp_path / "损坏的文件.pdf"
    broken.write_bytes(b"this is not a pdf")
    page.get_by_role("tab", name="添加文件").click()
    page.locator("#files input[type=file]").set_input_files(str(broken))
    page.locator("#add").click()
    row = page.locator("#upload-report tr.failed")
    row.wait_for(timeout=WAIT_MS)
    assert "损坏的文件.pdf" in row.inner_text()
    assert (server.home / "index" / "manifest.json").read_bytes() == manifest
    assert not (server.home / "corpus" / broken.name).exists()


def test_uploaded_docx_becomes_searchable_and_citable(page: Any, tmp_path: Path) -> None:
    import docx

    path = tmp_path / "上传市人工智能扶持办法.docx"
    document = docx.Document()
    for line in (
        "上传市人工智能扶持办法",
        "第一条 对新落户上传市的人工智能企业给予一次性奖励88万元。",
        "第二条 对购买算力的企业按费用的50%给予补贴。",
    ):
        document.add_paragraph(line)
    document.save(str(path))

    page.get_by_role("tab", name="添加文件").click()
    page.locator("#files input[type=file]").set_input_files(str(path))
    page.locator("#add").click()
    row = page.locator("#upload-report tr.ok")
    row.wait_for(timeout=60_000)
    assert path.name in row.inner_text() and "找到 2 个条款" in row.inner_text()
    shot(page, "upload")

    page.get_by_role("tab", name="问答").click()
    answer = ask(page, "上传市对新落户的人工智能企业奖励多少？")
    assert "88万元" in answer.inner_text() and "[1]" in answer.inner_text()
    assert "上传市人工智能扶持办法" in page.locator("#cites .card").first.inner_text()
    shot(page, "upload-answer")


def test_compare_tab_sorts_opens_citations_in_place_and_downloads_csv(page: Any) -> None:
    import csv
    import io

    page.get_by_role("tab", name="政策对比").click()
    page.locator("#cmp-topic textarea").fill("赛事/挑战赛")
    for region in ("北京市", "成都市"):
        page.locator("#cmp-regions input").click()
        page.get_by_role("option", name=region, exact=True).click()
    page.locator("#cmp-run").click()
    rows = page.locator("#cmp-table tbody tr")
    rows.first.wait_for(timeout=WAIT_MS)
    regions = page.locator("#cmp-table tbody tr td:first-child").all_inner_texts()
    assert len(regions) >= 3 and set(regions) == {"北京市", "成都市"}, regions
    shot(page, "compare-table")

    top = "#cmp-table tbody tr td:nth-child(5)"
    page.locator("#cmp-table button.sort", has_text="最高金额").click()
    ascending = [float(v or 0) for v in page.locator(top).evaluate_all("cells => cells.map(c => c.dataset.value)")]
    assert ascending == sorted(ascending)
    page.locator("#cmp-table button.sort", has_text="最高金额").click()
    descending = [float(v or 0) for v in page.locator(top).evaluate_all("cells => cells.map(c => c.dataset.value)")]
    assert descending == sorted(ascending, reverse=True) and descending[0] > 0

    first = rows.first
    citation = first.locator("button.cite-open").inner_text()
    measure = first.locator("td").nth(2).inner_text()
    first.locator("button.cite-open").click()
    target = page.locator("#cmp-docview .target")
    target.wait_for(timeout=WAIT_MS)
    policy = citation[1 : citation.index("》")]
    assert policy in page.locator("#cmp-docview .doc-title").inner_text()
    assert any(piece and piece in target.inner_text() for piece in measure.split(" … ")[0].split("，")[1:3])
    assert "opened" in (first.get_attribute("class") or "")
    shot(page, "compare-citation")

    with page.expect_download(timeout=WAIT_MS) as download:
        page.locator("#cmp-download").click()
    data = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(data)))
    assert table[0][:3] == ["地区", "政策", "条款"]
    assert len(table) - 1 == rows.count() and {line[0] for line in table[1:]} == {"北京市", "成都市"}


def test_an_expired_policy_is_flagged_in_the_answer_and_the_citation_panel(page: Any) -> None:
    answer = ask(page, "杭州对人工智能应用场景项目的资助标准是多少？")
    assert "有效期至2023年12月31日，已失效" in answer.locator(".notice").all_inner_texts()[-1]
    badge = page.locator("#cites .card .validity.expired").first
    assert badge.inner_text() == "已失效" and "有效期至2023-12-31" in page.locator("#cites .card .meta").first.inner_text()
    shot(page, "expired-notice")


def test_http_api_answers_with_the_cli_json(server: Server) -> None:
    body = json.dumps({"question": "中关村十五条措施第六条讲的是什么？", "region": "北京市"}).encode()
    request = urllib.request.Request(server.url + "/api/ask", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        data = json.loads(response.read())
    assert set(data) == {"question", "answer", "refused", "mode", "citations", "notice"}
    assert data["citations"][0]["number"] == "第六条" and "[1]" in data["answer"] and data["notice"] is None

    bad = urllib.request.Request(
        server.url + "/api/ask", b'{"question": ""}', {"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(bad, timeout=30)
    assert error.value.code == 400 and "empty" in json.loads(error.value.read())["error"]


def test_app_never_reached_off_machine(server: Server) -> None:
    """Runs last (pytest keeps file order): after every other test has used the app, its process tried no outside host."""
    attempts = server.net_log.read_text() if server.net_log.exists() else ""
    assert attempts == "", f"the app tried to leave the machine:\n{attempts}"


# ---------------------------------------------------------------- LLM mode (a real local OpenAI-compatible server)

LLM_KEY = "sk-test-NEVER-SHOWN"
LLM_REPLY = "对于图灵奖、菲尔兹奖等国际顶级奖项获得者及其团队，可参照第一条给予支持[1]。" * 3


@pytest.fixture
def llm_page(browser: Any, server: Server, tmp_path: Path) -> Iterator[Any]:
    """A second app process in LLM mode over the same data, talking to tests/llm_server.py."""
    from llm_server import FakeLLM

    port = free_port()
    env = {
        **os.environ,
        "RAG_INDEX_DIR": str(server.index_dir),
        "RAG_CORPUS_DIR": str(server.corpus_dir),
        "RAG_HOME": str(server.home),
        "GRADIO_SERVER_PORT": str(port),
        "RAG_LLM_BASE_URL": "",
        "RAG_LLM_MODEL": "fake-qwen",
        "RAG_LLM_API_KEY": LLM_KEY,
        "NET_GUARD_LOG": str(tmp_path / "net-guard.log"),
    }
    log = tmp_path / "app.log"
    with FakeLLM(reply=LLM_REPLY, chunk=2) as llm, open(log, "wb") as out:
        env["RAG_LLM_BASE_URL"] = llm.base_url
        proc = subprocess.Popen(
            [sys.executable, "-c", NET_GUARD], cwd=PROJECT, env=env, stdout=out, stderr=out
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until(page_answers(url + "/"), proc, log, 120, "the app")
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page = context.new_page()
            page.goto(url + "/")
            page.locator("#question textarea").wait_for(timeout=WAIT_MS)
            yield page
            context.close()
            assert llm.requests, "the app never asked the LLM"
        finally:
            stop(proc)


def test_llm_mode_streams_and_names_the_model_but_not_the_key(llm_page: Any) -> None:
    page = llm_page
    assert "fake-qwen" in page.locator("#status").inner_text()
    page.evaluate(
        """() => {
          window.__partials = new Set();
          new MutationObserver(() => {
            const pending = document.querySelector('#chat .msg.bot.pending .answer-text');
            if (pending) window.__partials.add(pending.textContent);
          }).observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true});
        }"""
    )
    answer = ask(page, "北京对引进图灵奖获得者有什么支持？")
    assert "大模型回答" in answer.inner_text() and "[1]" in answer.inner_text()
    partials = page.evaluate("Array.from(window.__partials)")
    assert len(partials) >= 2, f"no streaming seen: {partials}"
    assert LLM_KEY not in page.content()
    shot(page, "llm-mode")


# ---------------------------------------------------------------- access: tokens and uploads off (in-process apps)

ADMIN = "admin-token-browser-0123456"
READER = "read-token-browser-0123456"
SMALL_POLICY = "浏览器市人工智能办法\n\n第一条 对企业给予奖励12万元。\n\n第二条 本办法自发布之日起施行。\n"


@pytest.fixture
def tiny_app(tmp_path: Path, tiny_settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A function serving the app over the tiny index with the given WebSettings; yields its URL."""
    from contextlib import ExitStack

    from http_app import app_module, serve

    from rag import ui, update
    from rag.web import WebSettings

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    update.build(tiny_settings)
    with ExitStack() as stack:

        def start(**web: Any) -> str:
            app = app_module().create_app(ui.Workspace.load(tiny_settings), WebSettings(**web))
            return stack.enter_context(serve(app))

        yield start


@pytest.fixture
def plain_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    yield context.new_page()
    context.close()


def test_uploads_off_beyond_loopback_say_why(plain_page: Any, tiny_app: Any) -> None:
    page = plain_page
    page.goto(tiny_app(loopback=False) + "/")
    page.get_by_role("tab", name="添加文件").click()
    assert "上传已关闭" in page.locator("#uploads-off").inner_text(timeout=WAIT_MS)
    assert "RAG_ADMIN_TOKEN" in page.locator("#uploads-off").inner_text()
    assert page.locator("#add").is_disabled() and page.locator("#files input[type=file]").count() == 0
    shot(page, "uploads-off")


def chosen(page: Any, path: Path) -> None:
    """Wait until the file component lists the chosen file (it shows the name's stem and suffix apart)."""
    page.wait_for_function("stem => document.querySelector('#files').innerText.includes(stem)", arg=path.stem,
                           timeout=WAIT_MS)  # fmt: skip


def test_the_upload_tab_asks_for_the_admin_token(plain_page: Any, tiny_app: Any, tmp_path: Path) -> None:
    page = plain_page
    page.goto(tiny_app(admin_token=ADMIN, loopback=False) + "/")
    page.get_by_role("tab", name="添加文件").click()
    path = tmp_path / "浏览器市办法.txt"
    path.write_text(SMALL_POLICY, encoding="utf-8")
    token = page.locator("#admin-token input")
    token.fill("wrong-token")
    page.locator("#files input[type=file]").set_input_files(str(path))
    chosen(page, path)
    page.locator("#add").click()
    page.get_by_text("管理令牌不正确").first.wait_for(timeout=WAIT_MS)
    page.locator("#files button.icon-button").last.click()  # clear: the refused file was deleted
    token.fill(ADMIN)
    page.locator("#files input[type=file]").set_input_files(str(path))
    chosen(page, path)
    page.locator("#add").click()
    page.locator("#upload-report tr.ok").wait_for(timeout=WAIT_MS)
    assert "找到 2 个条款" in page.locator("#upload-report").inner_text()
    assert ADMIN not in page.content()
    shot(page, "upload-token")


def test_a_read_token_puts_a_login_in_front_of_the_page(plain_page: Any, tiny_app: Any) -> None:
    page = plain_page
    page.goto(tiny_app(read_token=READER) + "/")
    password = page.locator("input[type=password]")
    password.wait_for(timeout=WAIT_MS)
    assert "RAG_READ_TOKEN" in page.locator("body").inner_text()
    login = page.get_by_role("button", name=re.compile("^(Login|登录)$"))
    user = page.locator("input[type=text]").first
    with page.expect_response(lambda r: r.url.endswith("/login")) as wrong:
        user.fill("任何人")
        password.fill("wrong")
        login.click()
    assert wrong.value.status == 400 and page.locator("#question").count() == 0
    user.fill("任何人")  # the form empties itself after a failed attempt
    password.fill(READER)
    login.click()
    page.locator("#question textarea").wait_for(timeout=WAIT_MS)
    answer = ask(page, "对图灵奖获得者来示例市创业的给予多少资助？")
    assert "1000万元" in answer.inner_text()
