"""The HTTP API beside the UI, and the one error contract of everything that enters over HTTP.

    POST /api/ask        {"question": "…", "region": "北京市", "doc": "中关村十五条措施"}  -> the answer JSON
    POST /api/documents  multipart field `file` (one or more), Authorization: Bearer RAG_ADMIN_TOKEN
                         -> {"added": [{"doc", "title", "clauses"}], "errors": [{"file", "error"}]}

Every refusal is JSON `{"error": "…"}`: 400 a bad request, 401 a missing or wrong token, 403 uploads
switched off, 405 another method, 413 a body over its limit (64 KB for a question, RAG_UPLOAD_MAX_MB for
documents), 429 too many requests (with Retry-After). Never 422, never a traceback, never the input
repeated back. Bodies are read here, with their limit, not by FastAPI.

`Gate` is the ASGI middleware in front of the whole app (Gradio's routes included): it caps every body,
limits sign-in attempts and guards Gradio's upload route (uploads off -> 403, rate, upload space), and
records which client each received file belongs to (see `web.Uploads`).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartParser
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from .config import MAX_QUESTION_CHARS, check_question
from .errors import InputError, RagError
from .web import MAX_FILTER_CHARS, RateLimiter, Refused, Uploads, WebSettings, bearer, check_text

log = logging.getLogger(__name__)

ASK_BODY_LIMIT = 64 * 1024
OTHER_BODY_LIMIT = 1024 * 1024  # Gradio's own JSON routes (a question event is a few KB)
ASK_FIELDS = ("question", "region", "doc")
MAX_FILES_PER_REQUEST = 20
MAX_FILE_NAME_CHARS = 255
BUSY_WAIT_S = 30.0  # a question waits this long for a free worker before the client is told to retry
GRADIO_UPLOAD = "/gradio_api/upload"
GRADIO_LOGIN = "/login"
SELF_CAPPED = ("/api/ask", "/api/documents")  # these routes read their bodies with their own limit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass
class Guard:
    """The shared limits of one running app: one instance serves the API, the Gate and the UI handlers.

    Example: guard = Guard.create(WebSettings.from_env(), Path(gradio_upload_folder))
    """

    web: WebSettings
    received: Uploads
    asks: RateLimiter
    uploads: RateLimiter
    logins: RateLimiter
    workers: threading.BoundedSemaphore = field(repr=False)

    @classmethod
    def create(cls, web: WebSettings, upload_folder: Path) -> Guard:
        return cls(
            web=web,
            received=Uploads(upload_folder, web.upload_space_mb * 1024 * 1024),
            asks=RateLimiter(web.ask_per_minute, "questions"),
            uploads=RateLimiter(web.uploads_per_minute, "uploads"),
            logins=RateLimiter(web.uploads_per_minute, "sign-in attempts"),
            workers=threading.BoundedSemaphore(web.workers),
        )

    def body_limit(self, path: str) -> int:
        if path == "/api/ask":
            return ASK_BODY_LIMIT
        if path in ("/api/documents", GRADIO_UPLOAD):
            return self.web.upload_max_bytes
        return OTHER_BODY_LIMIT


def error_response(status: int, message: str, retry_after: int | None = None) -> JSONResponse:
    """The one shape of every refusal. Example: error_response(400, "the question is empty") -> 400 {"error": …}"""
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def refusal(exc: Refused) -> JSONResponse:
    return error_response(exc.status, str(exc), exc.retry_after)


def client_of(scope: Scope) -> str:
    """The client address (uvicorn has already applied X-Forwarded-For from trusted proxies)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


# ---------------------------------------------------------------- reading bodies


def content_length(headers: Headers) -> int | None:
    """The declared body length; Refused(400) for a malformed one."""
    raw = headers.get("content-length")
    if raw is None:
        return None
    if not raw.strip().isdigit() or len(raw) > 18:
        raise Refused(400, "malformed Content-Length header")
    return int(raw)


async def capped_stream(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    """The body in chunks; Refused(413) as soon as it passes `limit` bytes (declared or sent)."""
    declared = content_length(request.headers)
    if declared is not None and declared > limit:
        raise _too_large(limit)
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit:
            raise _too_large(limit)
        yield chunk


async def read_body(request: Request, limit: int) -> bytes:
    return b"".join([chunk async for chunk in capped_stream(request, limit)])


def _too_large(limit: int) -> Refused:
    size = f"{limit // 1024} KB" if limit < 1024 * 1024 else f"{limit // (1024 * 1024)} MB"
    return Refused(413, f"the request body is over its limit of {size}")


# ---------------------------------------------------------------- /api/ask


@dataclass(frozen=True)
class AskRequest:
    """A checked /api/ask body. Example: AskRequest("北京对引进图灵奖获得者有什么支持？", "北京市", None)"""

    question: str
    region: str | None = None
    doc: str | None = None


def parse_ask(body: bytes, content_type: str | None) -> AskRequest:
    """The question of a POST /api/ask body, or InputError saying (without repeating it) what is wrong.

    Example: parse_ask(b'{"question": "北京对引进图灵奖获得者有什么支持？"}', "application/json")
    -> AskRequest("北京对引进图灵奖获得者有什么支持？")
    """
    media, _, params = (content_type or "").partition(";")
    if media.strip().lower() != "application/json":
        raise InputError("send the question as JSON with Content-Type: application/json")
    if "charset" in params.lower() and "utf-8" not in params.lower().replace("utf8", "utf-8"):
        raise InputError("the JSON body must be UTF-8")
    if not body.strip():
        raise InputError('the body is empty: send {"question": "…"}')
    data = _json(body)
    if not isinstance(data, dict):
        raise InputError('the body must be a JSON object: {"question": "…", "region": "…", "doc": "…"}')
    unknown = set(data) - set(ASK_FIELDS)
    if unknown:
        raise InputError(f"unknown field(s) in the body; the fields are {', '.join(ASK_FIELDS)}")
    if "question" not in data:
        raise InputError('the body has no "question"')
    question = check_question(check_text(data["question"], "question", MAX_QUESTION_CHARS + 1000))
    return AskRequest(question, _filter(data.get("region"), "region"), _filter(data.get("doc"), "doc"))


def _json(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("the body is not valid UTF-8") from None
    try:
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except (json.JSONDecodeError, RecursionError):
        raise InputError("the body is not valid JSON") from None


def _no_constant(name: str) -> Any:
    raise InputError("NaN and Infinity are not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise InputError("a field appears twice in the body")
    return dict(pairs)


def _filter(value: object, name: str) -> str | None:
    """An optional region or policy name: null or "" means no filter."""
    if value is None:
        return None
    text = check_text(value, name, MAX_FILTER_CHARS).strip()
    return text or None


# ---------------------------------------------------------------- the routes


class Api:
    """POST /api/ask and POST /api/documents over a Workspace (see rag.ui.Workspace)."""

    def __init__(self, ws: Any, guard: Guard) -> None:
        self.ws = ws
        self.guard = guard

    async def ask(self, request: Request) -> Response:
        async def answer() -> Response:
            self.guard.asks.check(client_of(request.scope))
            self.guard.web.check_reader(bearer(request.headers.get("authorization")))
            asked = parse_ask(await read_body(request, ASK_BODY_LIMIT), request.headers.get("content-type"))
            return JSONResponse(await run_in_threadpool(self._answer, asked))

        return await _in_contract(answer, "answer")

    def _answer(self, asked: AskRequest) -> dict[str, Any]:
        if not self.guard.workers.acquire(timeout=BUSY_WAIT_S):
            raise Refused(429, "the server is busy answering other questions; retry shortly", retry_after=5)
        try:
            return dict(self.ws.ask_json(asked.question, asked.region, asked.doc))
        finally:
            self.guard.workers.release()

    async def documents(self, request: Request) -> Response:
        async def add() -> Response:
            self.guard.uploads.check(client_of(request.scope))
            self.guard.web.check_admin(bearer(request.headers.get("authorization")))
            with tempfile.TemporaryDirectory(prefix="rag-api-upload-") as tmp:
                files = await self._receive_files(request, Path(tmp))
                results = await run_in_threadpool(self.ws.add_files, files)
                return JSONResponse(self._report(results))

        return await _in_contract(add, "add documents")

    async def _receive_files(self, request: Request, tmp: Path) -> list[tuple[Path, str]]:
        """The uploaded files, saved under `tmp`, with their names; InputError for a malformed form."""
        media = (request.headers.get("content-type") or "").partition(";")[0].strip().lower()
        if media != "multipart/form-data":
            raise InputError("send the files as multipart/form-data, in the field `file`")
        parser = MultiPartParser(
            request.headers,
            capped_stream(request, self.guard.web.upload_max_bytes),
            max_files=MAX_FILES_PER_REQUEST,
            max_fields=MAX_FILES_PER_REQUEST,
        )
        try:
            form = await parser.parse()
        except Refused:
            raise
        except Exception:  # python-multipart reports a malformed body in several ways
            log.debug("malformed multipart body", exc_info=True)
            raise InputError(f"malformed multipart/form-data body (at most {MAX_FILES_PER_REQUEST} files)") from None
        try:
            return [self._save(value, tmp / str(i)) for i, value in enumerate(_file_fields(form.multi_items()))]
        finally:
            await form.close()

    @staticmethod
    def _save(upload: UploadFile, target: Path) -> tuple[Path, str]:
        name = upload.filename or ""
        if len(name) > MAX_FILE_NAME_CHARS:
            raise InputError(f"a file name is longer than {MAX_FILE_NAME_CHARS} characters")
        check_text(name, "the file name", MAX_FILE_NAME_CHARS)
        upload.file.seek(0)
        with open(target, "wb") as out:
            shutil.copyfileobj(upload.file, out)
        return target, name

    def _report(self, results: list[Any]) -> dict[str, list[dict[str, Any]]]:
        """{"added": one entry per policy the files hold, "errors": one per file that failed}."""
        index = self.ws.index
        counts: dict[str, int] = {}
        for clause in index.clauses:
            if clause.part <= 1:
                counts[clause.doc_id] = counts.get(clause.doc_id, 0) + 1
        added, errors = [], []
        for result in results:
            if result.error:
                errors.append({"file": result.name, "error": result.error})
                continue
            docs = [d for d in index.documents.values() if d.source == (result.source or result.name)]
            added += [{"doc": d.id, "title": d.title, "clauses": counts.get(d.id, 0)} for d in docs]
        return {"added": added, "errors": errors}


async def _in_contract(work: Callable[[], Awaitable[Response]], what: str) -> Response:
    """The response of `work`, with every failure turned into the contract's {"error"} shape."""
    try:
        return await work()
    except Refused as exc:
        return refusal(exc)
    except InputError as exc:
        return error_response(400, str(exc))
    except RagError as exc:  # a valid request the server cannot serve now (e.g. an unreadable index)
        log.warning("could not %s: %s", what, exc)
        return error_response(503, f"the server cannot {what} now: {exc}")
    except ClientDisconnect:
        return error_response(400, "the client disconnected before sending the whole body")
    except Exception:  # a bug, not the request: logged in full, answered in the same shape
        log.exception("could not %s", what)
        return error_response(500, f"internal error (could not {what}); the server log has the details")


def _file_fields(items: list[tuple[str, str | UploadFile]]) -> list[UploadFile]:
    if not items:
        raise InputError("no files: send them in the multipart field `file`")
    if any(name != "file" for name, _ in items):
        raise InputError("unknown field(s) in the form; send files in the field `file` only")
    files = [value for _, value in items if isinstance(value, UploadFile)]
    if len(files) != len(items):
        raise InputError("the field `file` must hold files (with a file name), not text")
    return files


def add_routes(app: Any, api: Api) -> None:
    """Register the API on a FastAPI/Starlette app, before Gradio is mounted at "/"."""

    async def wrong_method(request: Request) -> Response:
        response = error_response(405, f"use POST for {request.url.path}")
        response.headers["Allow"] = "POST"
        return response

    others = ["GET", "PUT", "PATCH", "DELETE"]
    app.add_api_route("/api/ask", api.ask, methods=["POST"], include_in_schema=False)
    app.add_api_route("/api/documents", api.documents, methods=["POST"], include_in_schema=False)
    for path in ("/api/ask", "/api/documents"):
        app.add_api_route(path, wrong_method, methods=others, include_in_schema=False)


# ---------------------------------------------------------------- the gate in front of everything


class Gate:
    """ASGI middleware: body limits for every route, and the guard on Gradio's upload and login routes."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        limit = self.guard.body_limit(path)
        upload = method == "POST" and path == GRADIO_UPLOAD
        try:
            body = await self._admit(scope, receive, method, path, limit)
        except Refused as exc:
            await refusal(exc)(scope, receive, send)
            return
        if body is not None:
            await self.app(scope, _replay(body, receive), send)
        elif upload:
            await self._capped_upload(scope, receive, send, limit)
        else:
            await self.app(scope, receive, send)

    async def _admit(self, scope: Scope, receive: Receive, method: str, path: str, limit: int) -> bytes | None:
        """Refused for what can be refused before the app runs. Other routes' bodies (small: at most
        `limit`) are read here and returned; those of Gradio's routes checked for files this client did
        not upload. Gradio's upload route and /api/* read their own (large, or self-capped) bodies."""
        length = content_length(Headers(scope=scope))
        if length is not None and length > limit:
            raise _too_large(limit)
        if method == "POST" and path == GRADIO_LOGIN:
            self.guard.logins.check(client_of(scope))
        if method == "POST" and path == GRADIO_UPLOAD:
            await self._admit_upload(scope, length or limit)
            return None
        if method in ("GET", "HEAD", "OPTIONS") or path in SELF_CAPPED:
            return None
        body = await _read_all(receive, limit)
        if path.startswith("/gradio_api/"):
            self._check_files(client_of(scope), body)
        return body

    async def _capped_upload(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Gradio's upload route on a body that stops at `limit` (sent without Content-Length, 413 if it
        did), remembering which files the route handed to this client."""
        seen, over, started = 0, False, False

        async def capped_receive() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if over:
                return  # whatever the route makes of the cut-off body, the client gets the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped_receive, self._recording(scope, watched_send))
        except Exception:
            if not over:
                raise
            log.debug("a body over its limit ended the request", exc_info=True)
        if over and not started:
            await refusal(_too_large(limit))(scope, receive, send)

    def _check_files(self, client: str, body: bytes) -> None:
        """Refused(400), logged, when a Gradio event names a file this client did not upload here:
        checked before Gradio would copy (or download) it. Gradio itself answers malformed bodies."""
        try:
            data = json.loads(body)
        except ValueError:
            return
        except RecursionError:
            raise Refused(400, "the request body is nested too deeply") from None
        for path in _file_paths(data):
            if self.guard.received.holds(client, path) is None:
                raise self.guard.received.refuse(client, path)

    async def _admit_upload(self, scope: Scope, length: int) -> None:
        client = client_of(scope)
        if not self.guard.web.uploads_open:
            self.guard.web.check_admin(None)  # raises the 403 that says why
        self.guard.uploads.check(client)
        await run_in_threadpool(self.guard.received.admit, client, length)

    def _recording(self, scope: Scope, send: Send) -> Send:
        """A send that remembers which paths Gradio's upload route handed to this client."""
        status = 0
        chunks: list[bytes] = []

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and status == 200:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self._record(client_of(scope), b"".join(chunks))
            await send(message)

        return recording_send

    def _record(self, client: str, body: bytes) -> None:
        try:
            paths = json.loads(body)
        except ValueError:
            return
        if isinstance(paths, list):
            self.guard.received.record(client, [p for p in paths if isinstance(p, str)])


def _file_paths(data: Any) -> list[object]:
    """The `path` of every Gradio FileData in a decoded JSON body (as Gradio recognises them)."""
    found, stack = [], [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            meta = item.get("meta")
            if "path" in item and isinstance(meta, dict) and meta.get("_type") == "gradio.FileData":
                found.append(item["path"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


async def _read_all(receive: Receive, limit: int) -> bytes:
    """A whole (small) request body, or Refused(413) past `limit` bytes."""
    chunks, seen = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive() that hands the app a body already read, then passes on what the client does next."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
