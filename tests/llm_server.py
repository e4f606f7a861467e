"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests: /v1/chat/completions, plain and SSE.

    with FakeLLM(reply="规模达到3500亿元[1]。") as llm:
        settings = Settings(llm_base_url=llm.base_url, llm_model="fake", llm_api_key="sk-test")
        ...
        llm.requests[-1]["messages"]   # what the client sent

`reply` may be a string or a function of the request body (to answer like a model would, e.g. echo
the first clause); `mode` makes it fail: "401", "429", "500", "malformed" (a broken SSE stream),
"slow" (answers after `delay` seconds), "drop" (closes the connection mid-stream).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

Reply = str | Callable[[dict[str, Any]], str]


class FakeLLM:
    """The server, its scripted behaviour and the requests it received."""

    def __init__(self, reply: Reply = "", mode: str = "ok", delay: float = 2.0, chunk: int = 4) -> None:
        self.reply = reply
        self.mode = mode
        self.delay = delay
        self.chunk = chunk
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def text_for(self, body: dict[str, Any]) -> str:
        return self.reply(body) if callable(self.reply) else self.reply

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class _QuietServer(ThreadingHTTPServer):
    """A client that gives up mid-stream (the timeout tests) is expected, not an error to print."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def _handler_for(llm: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            return

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            llm.requests.append(body)
            llm.headers.append(dict(self.headers.items()))
            if self.path.rstrip("/") != "/v1/chat/completions":
                return self._json(404, {"error": {"message": "not found"}})
            if llm.mode in ("401", "429", "500"):
                return self._json(int(llm.mode), {"error": {"message": f"scripted {llm.mode}", "type": "x"}})
            if llm.mode == "slow":
                time.sleep(llm.delay)
            text = llm.text_for(body)
            if body.get("stream"):
                return self._stream(text, body)
            return self._json(200, _completion(text, body))

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, text: str, body: dict[str, Any]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            pieces = [text[i : i + llm.chunk] for i in range(0, len(text), llm.chunk)] or [""]
            for i, piece in enumerate(pieces):
                if llm.mode == "malformed" and i == 1:
                    self._event("{not json at all")
                    break
                if llm.mode == "drop" and i == 1:
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self._event(json.dumps(_chunk(piece, body, None), ensure_ascii=False))
            else:
                self._event(json.dumps(_chunk("", body, "stop")))
                self._event("[DONE]")
            self.wfile.flush()
            self.close_connection = True

        def _event(self, data: str) -> None:
            self.wfile.write(f"data: {data}\n\n".encode())
            self.wfile.flush()

    return Handler


def _chunk(piece: str, body: dict[str, Any], finish: str | None) -> dict[str, Any]:
    delta = {"role": "assistant", "content": piece} if piece else {}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _completion(text: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
