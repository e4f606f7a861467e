"""The HTTP API's one error contract, tokens and limits, in process over a tiny index (fake embedder).

Every bad request to /api/ask or /api/documents is 400 {"error"} (or 401/403/405/413/429 where those
apply), never 422 or 500, and never repeats the input. Hypothesis throws random JSON values, odd
strings and sizes at both; the counts of what was tried are printed at the end of the module
(`pytest -s tests/test_http.py`).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from http_app import app_module
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from rag import ui, update
from rag.config import Settings
from rag.web import WebSettings

ECHO = "Zq9echoQz"  # planted in fuzzed input; a refusal that contains it repeated the input back
POLICY = "上传市人工智能扶持办法\n\n第一条 对新落户的人工智能企业给予一次性奖励88万元。\n\n第二条 对算力券给予50%补贴。\n"
ADMIN = "admin-token-for-tests-0123"
READER = "read-token-for-tests-4567"
TRIED: Counter[str] = Counter()  # (endpoint, status) -> requests, printed at teardown


def teardown_module() -> None:
    if TRIED:
        print("\nHTTP requests tried, by endpoint and status:")
        for key, n in sorted(TRIED.items()):
            print(f"  {key}: {n}")


@pytest.fixture
def workspace(tiny_settings: Settings) -> ui.Workspace:
    update.build(tiny_settings)
    return ui.Workspace.load(tiny_settings)


@pytest.fixture
def client_for(workspace: ui.Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A function making a TestClient for the app with the given WebSettings (no rate limits by default)."""
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    clients: list[TestClient] = []

    def make(**web: Any) -> TestClient:
        web = {"ask_per_minute": 0, "uploads_per_minute": 0, **web}
        client = TestClient(app_module().create_app(workspace, WebSettings(**web)))
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app over its own tiny index for the tests that only read: built once, it keeps this file fast."""
    from conftest import FIXTURES, FakeEmbedder

    from rag import embed

    root = tmp_path_factory.mktemp("shared")
    shutil.copytree(FIXTURES / "store_corpus", root / "corpus")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRADIO_TEMP_DIR", str(root / "gradio"))
        mp.setitem(embed._CACHE, FakeEmbedder.id, FakeEmbedder())
        settings = Settings(index_dir=root / "index", corpus_dir=root / "corpus", embedder=FakeEmbedder.id, home=root / "home")
        update.build(settings)
        app = app_module().create_app(ui.Workspace.load(settings), WebSettings(ask_per_minute=0, uploads_per_minute=0))
        with TestClient(app) as shared:
            yield shared


def ask(client: TestClient, body: bytes | str, content_type: str | None = "application/json", **headers: str) -> Any:
    if content_type:
        headers["content-type"] = content_type
    response = client.post("/api/ask", content=body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body,
                           headers=headers)  # fmt: skip
    TRIED[f"/api/ask {response.status_code}"] += 1
    return response


def assert_refused(response: Any, status: int = 400) -> str:
    """A refusal in the contract's shape; returns its message."""
    assert response.status_code == status, response.text[:300]
    data = response.json()
    assert set(data) == {"error"} and isinstance(data["error"], str) and data["error"]
    assert len(response.content) < 4000
    return str(data["error"])


# ---------------------------------------------------------------- /api/ask


def test_ask_answers_with_the_cli_json_and_a_notice_field(client: TestClient) -> None:
    response = ask(client, json.dumps({"question": "对图灵奖获得者来示例市创业的给予多少资助？"}))
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"question", "answer", "refused", "mode", "citations", "notice"}
    assert data["notice"] is None and "1000万元" in data["answer"] and data["citations"]


def test_ask_carries_the_llm_fallback_notice(tiny_settings: Settings, client_for: Any) -> None:
    """An LLM endpoint that does not answer: the JSON says so, as the chat does under the answer."""
    from http_app import free_port

    from rag import ui as rag_ui

    dead = Settings(
        index_dir=tiny_settings.index_dir, corpus_dir=tiny_settings.corpus_dir, embedder=tiny_settings.embedder,
        home=tiny_settings.home, llm_base_url=f"http://127.0.0.1:{free_port()}/v1", llm_model="qwen-plus", llm_timeout=5,
    )  # fmt: skip
    ws = rag_ui.Workspace.load(dead)
    with TestClient(app_module().create_app(ws, WebSettings(ask_per_minute=0))) as c:
        data = ask(c, json.dumps({"question": "对图灵奖获得者来示例市创业的给予多少资助？"})).json()
    assert data["mode"] == "extractive" and "大模型服务不可用" in (data["notice"] or "")


BAD_ASKS: list[tuple[str, bytes | str, str | None]] = [
    ("malformed JSON", '{"question": "北京', "application/json"),
    ("empty body", "", "application/json"),
    ("whitespace body", "  \n ", "application/json"),
    ("no content type", '{"question": "北京"}', None),
    ("form content type", "question=北京", "application/x-www-form-urlencoded"),
    ("text content type", '{"question": "北京"}', "text/plain"),
    ("latin-1 charset", '{"question": "北京"}', "application/json; charset=latin-1"),
    ("question a number", '{"question": 42}', "application/json"),
    ("question a list", '{"question": ["北京"]}', "application/json"),
    ("question null", '{"question": null}', "application/json"),
    ("question an object", '{"question": {"q": 1}}', "application/json"),
    ("question true", '{"question": true}', "application/json"),
    ("no question", '{"region": "示例市"}', "application/json"),
    ("lone surrogate escaped", '{"question": "北京\\ud800"}', "application/json"),
    ("lone low surrogate", '{"question": "\\udfff问"}', "application/json"),
    ("raw invalid UTF-8", b'{"question": "\xff\xfe\xfa"}', "application/json"),
    ("UTF-8 BOM", b'\xef\xbb\xbf{"question": "q"}', "application/json"),
    ("NaN literal", '{"question": NaN}', "application/json"),
    ("Infinity literal", '{"question": "q", "region": Infinity}', "application/json"),
    ("-Infinity literal", '{"question": -Infinity}', "application/json"),
    ("NUL character", '{"question": "北京\\u0000"}', "application/json"),
    ("bell character", '{"question": "北\\u0007京"}', "application/json"),
    ("escape character", '{"question": "\\u001b[31m北京"}', "application/json"),
    ("DEL character", '{"question": "北京\\u007f"}', "application/json"),
    ("C1 control", '{"question": "北京\\u0085"}', "application/json"),
    ("empty question", '{"question": ""}', "application/json"),
    ("blank question", '{"question": " \\n\\t "}', "application/json"),
    ("over-long question", json.dumps({"question": "问" * 2001}), "application/json"),
    ("over-long padded question", json.dumps({"question": "问" * 3500}), "application/json"),
    ("unknown field", '{"question": "q", "city": "北京"}', "application/json"),
    ("history field", '{"question": "q", "history": []}', "application/json"),
    ("duplicate field", '{"question": "a", "question": "b"}', "application/json"),
    ("region a number", '{"question": "q", "region": 1}', "application/json"),
    ("doc a list", '{"question": "q", "doc": ["a"]}', "application/json"),
    ("region over-long", json.dumps({"question": "q", "region": "市" * 201}), "application/json"),
    ("region with control", '{"question": "q", "region": "示例\\u0001市"}', "application/json"),
    ("unknown region", '{"question": "补助", "region": "火星市"}', "application/json"),
    ("unknown doc", '{"question": "补助", "doc": "完全不存在的某某办法"}', "application/json"),
    ("ambiguous doc", '{"question": "补助", "doc": "人工智能"}', "application/json"),
    ("top-level array", '["question"]', "application/json"),
    ("top-level string", '"question"', "application/json"),
    ("top-level null", "null", "application/json"),
    ("top-level number", "1e999", "application/json"),
    ("deep nesting", "[" * 50_000 + "]" * 50_000, "application/json"),  # 100 KB: 413 first
    ("deep nesting under the limit", "[" * 30_000 + "]" * 30_000, "application/json"),
    ("trailing garbage", '{"question": "q"} x', "application/json"),
]


@pytest.mark.parametrize(("case", "body", "content_type"), BAD_ASKS, ids=[c[0] for c in BAD_ASKS])
def test_bad_asks_get_400_or_413_without_the_input(
    client: TestClient, case: str, body: bytes | str, content_type: str | None
) -> None:
    response = ask(client, body, content_type)
    status = 413 if len(body) > 64 * 1024 else 400
    message = assert_refused(response, status)
    for planted in ("火星市", "完全不存在的某某办法", "问问问问", "city", "history"):
        assert planted not in message, (case, message)


def test_an_unknown_doc_or_region_lists_what_exists(client: TestClient) -> None:
    doc = assert_refused(ask(client, '{"question": "补助", "doc": "完全不存在的某某办法"}'))
    assert "《示例市支持人工智能产业发展的若干措施》" in doc and "《样本省新一代人工智能发展规划》" in doc
    region = assert_refused(ask(client, '{"question": "补助", "region": "火星市"}'))
    assert "示例市" in region and "样本省" in region


@pytest.mark.parametrize(
    "doc", ["示例市支持人工智能产业发展的若干措施", "《示例市支持人工智能产业发展的若干措施》", "示例市若干措施"]
)
def test_a_policy_is_named_by_id_exact_title_or_clear_abbreviation(client: TestClient, doc: str) -> None:
    for name in (doc, "示例市人工智能若干措施"):  # the second is the policy's id (its file name)
        response = ask(client, json.dumps({"question": "给予多少资助？", "doc": name}))
        assert response.status_code == 200, response.text
        assert all(c["doc"].startswith("示例市") for c in response.json()["citations"])


def test_bodies_over_64_kb_are_413_declared_or_streamed(client: TestClient) -> None:
    big = json.dumps({"question": "问" * 40_000})
    assert_refused(ask(client, big), 413)

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b" " * 1024  # no Content-Length: counted as it arrives

    response = post(client, "/api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert_refused(response, 413)


def test_other_methods_are_405_in_the_same_shape(client: TestClient) -> None:
    for method in ("GET", "PUT", "DELETE"):
        response = client.request(method, "/api/ask")
        assert_refused(response, 405)
        assert response.headers["allow"] == "POST"


# ---------------------------------------------------------------- fuzzing /api/ask

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
odd_text = st.builds(
    lambda a, b: a + ECHO + b,
    st.text(max_size=30),
    st.text(st.characters(codec=None), max_size=30),  # any code point, lone surrogates included
)
json_values = st.recursive(json_scalars | odd_text, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)  # fmt: skip
ask_bodies = st.dictionaries(
    st.sampled_from(["question", "region", "doc"]) | st.text(max_size=12),
    json_values | st.text(max_size=2500) | odd_text,
    max_size=5,
)


def fuzz(examples: int) -> Any:
    """Hypothesis settings for a fuzz test: no deadline, no example database in the checkout."""
    return settings(max_examples=examples, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


FUZZ = fuzz(300)


def _encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def check_contract(response: Any, sent: bytes) -> None:
    """200 for a valid question, else a refusal in the contract's shape that repeats nothing."""
    assert response.status_code in (200, 400, 413), response.text[:300]
    if response.status_code == 200:
        assert set(response.json()) >= {"question", "answer", "citations", "notice"}
        return
    assert set(response.json()) == {"error"}
    assert ECHO not in response.text and len(response.content) < 4000


@FUZZ
@given(body=ask_bodies)
def test_fuzz_ask_with_json_objects(client: TestClient, body: dict[str, Any]) -> None:
    sent = _encode(body)
    check_contract(ask(client, sent), sent)


@FUZZ
@given(value=json_values)
def test_fuzz_ask_with_any_json_value(client: TestClient, value: Any) -> None:
    sent = _encode(value)
    check_contract(ask(client, sent), sent)


@FUZZ
@given(raw=st.binary(max_size=300).map(lambda b: b + ECHO.encode()),
       content_type=st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", "",
                                     "multipart/form-data; boundary=x", "application/json; charset=gbk"]))  # fmt: skip
def test_fuzz_ask_with_raw_bytes(client: TestClient, raw: bytes, content_type: str) -> None:
    check_contract(ask(client, raw, content_type or None), raw)


@fuzz(25)
@given(size=st.integers(min_value=64 * 1024, max_value=3 * 1024 * 1024))
def test_fuzz_ask_body_sizes(client: TestClient, size: int) -> None:
    sent = _encode({"question": "问" + ECHO + " " * size})
    response = ask(client, sent)
    assert response.status_code == 413 and ECHO not in response.text


# ---------------------------------------------------------------- /api/documents


def post(client: TestClient, path: str, **kwargs: Any) -> Any:
    response = client.post(path, **kwargs)
    TRIED[f"{path} {response.status_code}"] += 1
    return response


def post_files(client: TestClient, files: list[tuple[str, tuple[str, bytes]]], token: str | None = None,
               **kwargs: Any) -> Any:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return post(client, "/api/documents", files=files, headers=headers, **kwargs)


@pytest.mark.usefixtures("tiny_thresholds")
def test_documents_adds_files_and_names_the_ones_that_failed(client_for: Any, workspace: ui.Workspace) -> None:
    client = client_for(admin_token=ADMIN)
    files = [("file", ("上传市办法.txt", POLICY.encode())), ("file", ("slides.pptx", b"not supported"))]
    response = post_files(client, files, ADMIN)
    assert response.status_code == 200, response.text
    data = response.json()
    [added] = data["added"]
    assert added["title"] == "上传市人工智能扶持办法" and added["clauses"] == 2 and added["doc"] in workspace.index.documents
    assert data["errors"] == [{"file": "slides.pptx", "error": data["errors"][0]["error"]}]
    assert "不支持的文件类型" in data["errors"][0]["error"]
    answer = ask(client, json.dumps({"question": "上传市对新落户的人工智能企业奖励多少？"})).json()
    assert "88万元" in answer["answer"]


@pytest.mark.parametrize("token", [None, "wrong-token", ADMIN + "x", ADMIN[:-1]])
def test_documents_without_the_admin_token_is_401(client_for: Any, workspace: ui.Workspace, token: str | None) -> None:
    before = len(workspace.documents())
    response = post_files(client_for(admin_token=ADMIN), [("file", ("a.txt", POLICY.encode()))], token)
    assert "admin token" in assert_refused(response, 401)
    assert len(workspace.documents()) == before


def test_a_token_in_another_scheme_is_not_accepted(client_for: Any) -> None:
    client = client_for(admin_token=ADMIN)
    for header in (f"Basic {ADMIN}", ADMIN, f"Bearer{ADMIN}", "Bearer "):
        response = post(client, "/api/documents", files=[("file", ("a.txt", POLICY.encode()))],
                        headers={"Authorization": header})  # fmt: skip
        assert_refused(response, 401)


def test_uploads_are_off_on_a_network_address_without_a_token(client_for: Any) -> None:
    client = client_for(loopback=False)
    message = assert_refused(post_files(client, [("file", ("a.txt", POLICY.encode()))], "anything"), 403)
    assert "RAG_ADMIN_TOKEN" in message
    assert_refused(client.post("/gradio_api/upload", files={"files": ("a.txt", POLICY.encode())}), 403)


def test_uploads_stay_open_on_loopback_without_a_token(client_for: Any) -> None:
    response = post_files(client_for(), [("file", ("上传市办法.txt", POLICY.encode()))])
    assert response.status_code == 200 and response.json()["added"]


def test_the_same_file_under_another_name_is_listed_with_what_it_holds(client_for: Any) -> None:
    client = client_for()
    first = post_files(client, [("file", ("上传市办法.txt", POLICY.encode()))]).json()["added"]
    again = post_files(client, [("file", ("另一个名字.txt", POLICY.encode()))])
    assert again.status_code == 200 and again.json() == {"added": first, "errors": []}


def test_a_network_address_with_a_token_accepts_uploads(client_for: Any) -> None:
    response = post_files(client_for(loopback=False, admin_token=ADMIN), [("file", ("b.txt", POLICY.encode()))], ADMIN)
    assert response.status_code == 200 and response.json()["added"]


@pytest.mark.parametrize(
    ("case", "kwargs"),
    [
        ("wrong field name", {"files": [("files", ("a.txt", POLICY.encode()))]}),
        ("an extra field", {"files": [("file", ("a.txt", POLICY.encode()))], "data": {"note": "x"}}),
        ("text instead of a file", {"data": {"file": "上传市办法"}}),
        ("no fields", {"data": {}}),
        ("too many files", {"files": [("file", (f"{i}.txt", b"x")) for i in range(21)]}),
        ("file name too long", {"files": [("file", ("长" * 300 + ".txt", b"x"))]}),
    ],
)
def test_bad_document_forms_are_400(client: TestClient, case: str, kwargs: dict[str, Any]) -> None:
    response = post(client, "/api/documents", **kwargs)
    assert_refused(response, 400)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", None),
        (b'{"file": "a"}', "application/json"),
        (b"file=a", "application/x-www-form-urlencoded"),
        (b"garbage", "multipart/form-data"),
        (b"garbage", "multipart/form-data; boundary=xyz"),
        (b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nabc", "multipart/form-data; boundary=xyz"),
        (b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\x07.txt\"\r\n\r\nabc\r\n--xyz--\r\n",
         "multipart/form-data; boundary=xyz"),
    ],
)
def test_malformed_document_bodies_are_400(client: TestClient, body: bytes, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    assert_refused(post(client, "/api/documents", content=body, headers=headers), 400)


def test_documents_over_the_configured_limit_are_413(client_for: Any, workspace: ui.Workspace) -> None:
    client = client_for(upload_max_mb=1)
    before = len(workspace.documents())
    message = assert_refused(post_files(client, [("file", ("big.txt", b"x" * (1024 * 1024 + 10)))]), 413)
    assert "1 MB" in message and len(workspace.documents()) == before

    def streamed() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
        for _ in range(1100):
            yield b"x" * 1024

    response = post(client, "/api/documents", content=streamed(), headers={"content-type": "multipart/form-data; boundary=b"})
    assert "1 MB" in assert_refused(response, 413) and len(workspace.documents()) == before


@fuzz(60)
@given(
    fields=st.lists(
        st.tuples(
            st.sampled_from(["file", "file", "files", ""]) | st.text(max_size=6),
            st.text(max_size=20).map(lambda t: t + ECHO),
            st.binary(max_size=200) | st.sampled_from([POLICY.encode(), b"", "第一条 测试。".encode("gbk")]),
            st.booleans(),
        ),
        max_size=4,
    )
)
def test_fuzz_documents(client: TestClient, fields: list[tuple[str, str, bytes, bool]]) -> None:
    """Random field names, file names (odd Unicode included) and contents: a report or a refusal."""
    files, data = [], {}
    for name, filename, content, as_file in fields:
        if as_file:
            files.append((name, (filename, content)))
        else:
            data[name] = content.decode("latin-1")
    response = post(client, "/api/documents", files=files or None, data=data or None)
    assert response.status_code in (200, 400), response.text[:300]
    if response.status_code == 400:
        assert set(response.json()) == {"error"} and ECHO not in response.text
    else:
        assert set(response.json()) == {"added", "errors"}


@fuzz(120)
@given(raw=st.binary(max_size=400), content_type=st.sampled_from(
    ["multipart/form-data; boundary=----b", "multipart/form-data", "application/json", "", "text/plain"]))  # fmt: skip
def test_fuzz_documents_raw_bodies(client: TestClient, raw: bytes, content_type: str) -> None:
    body = b"------b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n" + raw
    headers = {"content-type": content_type} if content_type else {}
    response = post(client, "/api/documents", content=body + ECHO.encode(), headers=headers)
    assert response.status_code in (200, 400), response.text[:300]
    assert ECHO not in response.text or response.status_code == 200


# ---------------------------------------------------------------- tokens, rate limits, other routes


def test_read_token_guards_the_api_and_the_page(client_for: Any) -> None:
    client = client_for(read_token=READER)
    body = json.dumps({"question": "图灵奖获得者资助多少？"})
    assert_refused(ask(client, body), 401)
    assert_refused(ask(client, body, authorization="Bearer wrong"), 401)
    assert ask(client, body, authorization=f"Bearer {READER}").status_code == 200
    assert client.get("/config").status_code == 401  # the page itself asks for a login
    assert client.post("/login", data={"username": "x", "password": "wrong"}).status_code == 400
    assert client.post("/login", data={"username": "任何人", "password": READER}).status_code == 200
    assert client.get("/config").status_code == 200


def test_questions_are_rate_limited_per_client_with_retry_after(client_for: Any) -> None:
    client = client_for(ask_per_minute=2)
    body = json.dumps({"question": ""})  # even refused questions count: they cost a request
    assert [ask(client, body).status_code for _ in range(2)] == [400, 400]
    response = ask(client, body)
    assert "at most 2 a minute" in assert_refused(response, 429)
    assert int(response.headers["retry-after"]) >= 1


def test_uploads_are_rate_limited(client_for: Any) -> None:
    client = client_for(uploads_per_minute=1)
    assert post_files(client, [("file", ("a.txt", POLICY.encode()))]).status_code == 200
    response = post_files(client, [("file", ("b.txt", POLICY.encode()))])
    assert_refused(response, 429) and response.headers["retry-after"]
    assert_refused(client.post("/gradio_api/upload", files={"files": ("c.txt", b"x")}), 429)


def test_sign_in_attempts_are_rate_limited(client_for: Any) -> None:
    client = client_for(read_token=READER, uploads_per_minute=3)
    codes = [client.post("/login", data={"username": "x", "password": f"guess{i}"}).status_code for i in range(4)]
    assert codes == [400, 400, 400, 429]


def test_gradio_routes_have_a_body_limit_too(client: TestClient) -> None:
    response = client.post("/gradio_api/queue/join", content=b"[" + b" " * (2 * 1024 * 1024) + b"]",
                           headers={"content-type": "application/json"})  # fmt: skip
    assert_refused(response, 413)


def test_streamed_bodies_over_the_limit_are_413_on_every_route(client_for: Any) -> None:
    client = client_for(upload_max_mb=1)

    def chunks(n: int) -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(n):
            yield b"x" * 1024

    for path, kib in (("/login", 1100), ("/gradio_api/queue/join", 1100), ("/gradio_api/upload", 1100)):
        response = post(client, path, content=chunks(kib), headers={"content-type": "multipart/form-data; boundary=b"})
        assert_refused(response, 413)


def test_gradio_upload_waits_when_the_upload_space_is_full(client_for: Any) -> None:
    client = client_for(upload_space_mb=1)
    first = client.post("/gradio_api/upload", files={"files": ("a.txt", b"x" * 700_000)})
    assert first.status_code == 200
    response = client.post("/gradio_api/upload", files={"files": ("b.txt", b"y" * 700_000)})
    assert "upload space is full" in assert_refused(response, 429)


def test_malformed_content_length_is_400(client: TestClient) -> None:
    response = post(client, "/api/ask", content=b"{}", headers={"content-type": "application/json",
                                                                "content-length": "2x"})  # fmt: skip
    assert response.status_code == 400


def test_the_compare_tab_counts_against_the_question_limit_and_checks_its_input(workspace: ui.Workspace, tmp_path: Path) -> None:
    import gradio as gr

    from rag.api import Guard

    app = app_module()
    handlers = app.make_handlers(workspace, Guard.create(WebSettings(ask_per_minute=2), tmp_path))
    request = type("Request", (), {"client": type("Client", (), {"host": "10.0.0.7"})()})()
    table, _ = handlers["run_compare"]("补贴", None, request)
    assert "<table" in table or "没有" in table
    with pytest.raises(gr.Error, match="control characters|控制字符"):
        handlers["run_compare"]("补\x00贴", None, request)
    with pytest.raises(gr.Error, match="请求过于频繁"):  # the third request of the minute
        handlers["run_compare"]("补贴", None, request)
    other = type("Request", (), {"client": type("Client", (), {"host": "10.0.0.8"})()})()
    with pytest.raises(gr.Error, match="at most 50 regions"):
        handlers["run_compare"]("补贴", ["甲"] * 51, other)


def test_the_compare_tab_s_csv_folder_is_made_for_a_table_and_goes_with_its_handlers(workspace: ui.Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    import tempfile

    from rag.api import Guard

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    handlers = app_module().make_handlers(workspace, Guard.create(WebSettings(), tmp_path))
    assert not list(scratch.glob("rag-compare-*"))  # an app that never exports a table makes no folder
    request = type("Request", (), {"client": type("Client", (), {"host": "10.0.0.9"})()})()
    handlers["run_compare"]("补贴", None, request)
    handlers["run_compare"]("人才", None, request)
    made = list(scratch.glob("rag-compare-*"))
    assert len(made) == 1 and list(made[0].glob("*.csv"))  # one folder for all its tables
    del handlers
    gc.collect()
    assert not made[0].exists()
