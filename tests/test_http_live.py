"""The app served for real on 127.0.0.1 (tiny index, fake embedder), driven through Gradio 6's own
routes as a browser or an attacker would: /gradio_api/upload, /gradio_api/queue/join (events named
after their handler: "add_files", "respond"), /gradio_api/queue/data.

The attack of issue 10: an event for the upload handler whose gradio.FileData points at any readable
file on the server. It must be refused and logged, and nothing may reach the knowledge base.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import numpy as np
import pytest
from conftest import FIXTURES, FakeEmbedder
from http_app import FILE_DATA, Live, app_module, serve

from rag import embed, ui, update
from rag.config import Settings
from rag.web import WebSettings

ADMIN = "admin-token-for-live-tests-42"
SECRET = "ZEBRA-4471"
SECRET_POLICY = f"秘密市人工智能办法\n\n第一条 秘密口令是{SECRET}，对企业给予奖励。\n\n第二条 本办法自发布之日起施行。\n"
POLICY = "上传市人工智能扶持办法\n\n第一条 对新落户的人工智能企业给予一次性奖励88万元。\n\n第二条 对算力券给予50%补贴。\n"


class PairedEmbedder(FakeEmbedder):
    """The fake embedder, but a question's embedding waits until `pairs` questions are being embedded
    at once: with one worker the second never arrives and the barrier breaks (an error, not a hang)."""

    id = "paired-fake-embedder"

    def __init__(self, pairs: int = 2) -> None:
        self.barrier = threading.Barrier(pairs, timeout=20)
        self.paired = False

    def queries(self, texts: list[str]) -> np.ndarray:
        if self.paired:
            self.barrier.wait()
        return self.passages(texts)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Live, ui.Workspace, Path]]:
    """The app on a free port, with an admin token, over its own copy of the tiny corpus."""
    root = tmp_path_factory.mktemp("live")
    shutil.copytree(FIXTURES / "store_corpus", root / "corpus")
    embedder = PairedEmbedder()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRADIO_TEMP_DIR", str(root / "gradio"))
        mp.setitem(embed._CACHE, embedder.id, embedder)
        settings = Settings(index_dir=root / "index", corpus_dir=root / "corpus", embedder=embedder.id, home=root / "home")
        update.build(settings)
        ws = ui.Workspace.load(settings)
        web = WebSettings(admin_token=ADMIN, ask_per_minute=0, uploads_per_minute=0, workers=2)
        app = app_module().create_app(ws, web)
        with serve(app) as url:
            yield Live(url, app.state.guard), ws, root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A readable policy-like file elsewhere on the server, holding a secret."""
    path = tmp_path / "秘密.txt"
    path.write_text(SECRET_POLICY, encoding="utf-8")
    return path


def file_data(path: str, name: str = "秘密.txt") -> dict[str, Any]:
    return {"path": path, "orig_name": name, "meta": FILE_DATA}


def knowledge(ws: ui.Workspace, root: Path) -> tuple[list[str], list[str]]:
    return sorted(p.name for p in (root / "corpus").iterdir()), sorted(d.title for d in ws.documents())


def completed(messages: list[dict]) -> dict:
    assert messages and messages[-1]["msg"] == "process_completed", messages
    return messages[-1]


# ---------------------------------------------------------------- the attack replayed


def test_queue_join_with_a_server_path_is_refused_and_logged(
    live: tuple[Live, ui.Workspace, Path], outside: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app, ws, root = live
    before = knowledge(ws, root)
    add_files = app.fn_index("add_files")
    someone_else = app.upload("别人的.txt", POLICY.encode(), client="10.0.0.99").json()[0]
    planted = root / "gradio" / "planted" / "planted.txt"  # inside the upload folder, never uploaded
    planted.parent.mkdir(parents=True)
    planted.write_text(SECRET_POLICY, encoding="utf-8")
    attempts = [str(outside), f"{outside.parent}/../{outside.parent.name}/秘密.txt", str(planted), someone_else,
                "http://127.0.0.1:9/秘密.txt", "/etc/hostname"]  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="rag.web"):
        for path in attempts:
            for token in ("", ADMIN):  # the admin token does not make a foreign file acceptable
                joined, _ = app.event(add_files, [[file_data(path)], token])
                assert joined.status_code == 400, (path, joined.text)
                assert joined.json() == {"error": joined.json()["error"]} and "not uploaded" in joined.json()["error"]
    assert caplog.text.count("did not upload here") == 2 * len(attempts)
    assert knowledge(ws, root) == before
    assert outside.read_text(encoding="utf-8") == SECRET_POLICY and planted.exists()
    copied = [p for p in (root / "gradio").rglob("*") if p.is_file() and SECRET in p.read_text(errors="ignore")]
    assert copied == [planted]  # nothing was copied into Gradio's cache either
    answer = httpx.post(app.url + "/api/ask", json={"question": f"秘密口令{SECRET}是什么？"}, timeout=30).json()
    assert SECRET not in answer["answer"] and all(SECRET not in c["text"] for c in answer["citations"])


def test_the_named_endpoint_is_refused_too(live: tuple[Live, ui.Workspace, Path], outside: Path) -> None:
    app, ws, root = live
    before = knowledge(ws, root)
    for route in ("/gradio_api/call/add_files", "/gradio_api/call/v2/add_files"):
        body = {"data": [[file_data(str(outside))], ADMIN]} if route.endswith("call/add_files") else {
            "files": [file_data(str(outside))], "token": ADMIN}  # fmt: skip
        response = httpx.post(app.url + route, json=body, timeout=30)
        assert response.status_code == 400, (route, response.text)
    assert knowledge(ws, root) == before


def test_the_upload_handler_refuses_a_foreign_path_by_itself(
    live: tuple[Live, ui.Workspace, Path], outside: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Defence in depth: called directly, past the gate, the handler still refuses and logs."""
    app, ws, _root = live
    handlers = app_module().make_handlers(ws, app.guard)

    class Request:
        client = type("Client", (), {"host": "127.0.0.1"})()

    with caplog.at_level(logging.WARNING, logger="rag.web"), pytest.raises(gr.Error) as error:
        handlers["add_files"]([str(outside)], ADMIN, Request(), progress=lambda *a, **k: None)
    assert "不是通过本页面上传" in str(error.value.message) and "did not upload here" in caplog.text
    assert outside.exists() and SECRET not in " ".join(d.title for d in ws.documents())


# ---------------------------------------------------------------- the page's own upload


def test_an_upload_through_the_page_is_added_and_its_temp_file_removed(live: tuple[Live, ui.Workspace, Path]) -> None:
    app, ws, _root = live
    add_files = app.fn_index("add_files")
    path = app.upload("上传市办法.txt", POLICY.encode()).json()[0]
    assert Path(path).exists()
    _, messages = app.event(add_files, [[file_data(path, "上传市办法.txt")], ADMIN])
    report = completed(messages)["output"]["data"][0]
    assert "已加入，找到 2 个条款" in report and "上传市办法.txt" in report
    assert not Path(path).exists()
    assert "上传市人工智能扶持办法" in [d.title for d in ws.documents()]


def test_a_wrong_admin_token_in_the_page_is_refused_and_the_file_deleted(live: tuple[Live, ui.Workspace, Path]) -> None:
    app, ws, root = live
    before = knowledge(ws, root)
    add_files = app.fn_index("add_files")
    for token in ("", "wrong"):
        path = app.upload("另一个办法.txt", "另一个市办法\n\n第一条 奖励。\n".encode()).json()[0]
        _joined, messages = app.event(add_files, [[file_data(path, "另一个办法.txt")], token])
        done = completed(messages)
        assert done["success"] is False and "管理令牌不正确" in done["output"]["error"]
        assert not Path(path).exists()
    assert knowledge(ws, root) == before


def test_another_clients_upload_cannot_be_added(live: tuple[Live, ui.Workspace, Path]) -> None:
    app, ws, root = live
    before = knowledge(ws, root)
    path = app.upload("甲的办法.txt", "甲市办法\n\n第一条 奖励10万元。\n".encode(), client="10.1.1.1").json()[0]
    joined, _ = app.event(app.fn_index("add_files"), [[file_data(path)], ADMIN], client="10.2.2.2")
    assert joined.status_code == 400 and knowledge(ws, root) == before
    assert Path(path).exists()  # still the first client's to add


# ---------------------------------------------------------------- the chat queue


REFUSED = [None, "北京\ud800", "\x00\x07", "", "问" * 2001, "a" * 100_000]
COERCED = [42, ["北京"], {"q": 1}, True, float("nan")]  # Gradio's Textbox turns these into text first


def test_the_chat_queue_answers_bad_inputs_with_an_error_and_keeps_going(live: tuple[Live, ui.Workspace, Path]) -> None:
    app, _, _ = live
    respond = app.fn_index("respond")
    for question in REFUSED + COERCED:
        joined, messages = app.event(respond, [question, None, "", ""])
        assert joined.status_code == 200, joined.text
        done = completed(messages)  # the event finishes: the page's stream is not cut off
        if question in REFUSED:
            assert done["success"] is False and done["output"]["error"], (question, done)
            assert "a" * 100 not in json.dumps(done) and "问问问问" not in json.dumps(done, ensure_ascii=False)
    for region in (5, "火星市", ["a"]):  # not one of the dropdown's choices
        assert completed(app.event(respond, ["图灵奖", None, region, ""])[1])["success"] is False
    _, messages = app.event(respond, ["对图灵奖获得者来示例市创业的给予多少资助？", None, "", ""])
    done = completed(messages)
    assert done["success"] is True and "1000万元" in json.dumps(done["output"], ensure_ascii=False)


def test_two_questions_are_answered_at_the_same_time(live: tuple[Live, ui.Workspace, Path]) -> None:
    """Both the chat queue and /api/ask run two questions at once (workers=2): each question's
    embedding waits for the other's, so with one worker these would fail."""
    app, ws, _ = live
    embedder = embed._CACHE.get(ws.index.embedder_id) or embed.get(ws.index.embedder_id)
    assert isinstance(embedder, PairedEmbedder)
    respond = app.fn_index("respond")
    results: list[Any] = []

    def chat(question: str) -> None:
        results.append(completed(app.event(respond, [question, None, "", ""])[1])["success"])

    def api(question: str) -> None:
        results.append(httpx.post(app.url + "/api/ask", json={"question": question}, timeout=60).status_code)

    embedder.paired = True
    try:
        for run in (chat, api):
            threads = [threading.Thread(target=run, args=(q,)) for q in ("图灵奖资助多少？", "算力补助多少？")]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
    finally:
        embedder.paired = False
    assert results == [True, True, 200, 200]
