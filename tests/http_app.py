"""Helpers for the HTTP tests: app.py loaded as a module, and the app over a tiny index served for
real on 127.0.0.1 (uvicorn in a thread), so Gradio's own routes can be driven as a browser would."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from processes import free_port

PROJECT = Path(__file__).resolve().parent.parent
FILE_DATA = {"_type": "gradio.FileData"}


def app_module() -> ModuleType:
    """app.py, imported once (it sits beside the package, not inside it)."""
    if "app" not in sys.modules:
        spec = importlib.util.spec_from_file_location("app", PROJECT / "app.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules["app"] = module
        spec.loader.exec_module(module)
    return sys.modules["app"]


@dataclass
class Live:
    """A running app: its base URL and its Guard (limits, received uploads)."""

    url: str
    guard: Any

    def fn_index(self, api_name: str) -> int:
        """The id Gradio gives the event named after a handler, e.g. "add_files" (from /config)."""
        config = httpx.get(self.url + "/config", timeout=10).json()
        return next(d["id"] for d in config["dependencies"] if d.get("api_name") == api_name)

    def upload(self, name: str, data: bytes, client: str | None = None) -> httpx.Response:
        """POST /gradio_api/upload as the page does when a file is chosen."""
        headers = {"X-Forwarded-For": client} if client else {}
        return httpx.post(self.url + "/gradio_api/upload", files={"files": (name, data)}, headers=headers,
                          timeout=30)  # fmt: skip

    def event(self, fn_index: int, data: list[Any], client: str | None = None) -> tuple[httpx.Response, list[dict]]:
        """Join the queue for one event as the page does; (join response, messages until completed)."""
        session = uuid.uuid4().hex
        headers = {"Content-Type": "application/json", **({"X-Forwarded-For": client} if client else {})}
        body = {"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None}
        content = json.dumps(body)  # ASCII, so lone surrogates travel as \ud800 escapes; NaN as a literal
        joined = httpx.post(self.url + "/gradio_api/queue/join", content=content, headers=headers, timeout=30)
        if joined.status_code != 200:
            return joined, []
        return joined, self.messages(session)

    def messages(self, session: str) -> list[dict]:
        out: list[dict] = []
        with httpx.stream("GET", self.url + "/gradio_api/queue/data", params={"session_hash": session},
                          timeout=60) as response:  # fmt: skip
            for line in response.iter_lines():
                if line.startswith("data:"):
                    out.append(json.loads(line[5:]))
                    if out[-1].get("msg") == "process_completed":
                        break
        return out


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve an ASGI app on a free 127.0.0.1 port in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
