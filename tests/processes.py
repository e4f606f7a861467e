"""Servers the tests start on this machine (the app, milvus-lite server): a free 127.0.0.1 port, a wait
until the server answers, and a stop that never leaves a process behind.

    port = free_port()
    proc = subprocess.Popen([...], env={..., "GRADIO_SERVER_PORT": str(port)}, stdout=out, stderr=out)
    try:
        wait_until(page_answers(f"http://127.0.0.1:{port}/"), proc, log, 120, "the app")
        ...
    finally:
        stop(proc)
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def page_answers(url: str, text: str | None = None) -> Callable[[], bool]:
    """A probe: whether GET url answers 200 (and its body holds `text`, when given)."""

    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return bool(response.status == 200 and (text is None or text in response.read().decode("utf-8", "replace")))
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    return probe


def wait_until(probe: Callable[[], bool], proc: subprocess.Popen[Any], log: Path | None, seconds: float, what: str) -> None:
    """Return once `probe()` is true; fail with the log's end if the process exits or `seconds` pass.
    A wait, not a speed check: `seconds` only bounds a hung start."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited with {proc.returncode}:\n{_tail(log)}")
        if probe():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not answer within {seconds:.0f} s:\n{_tail(log)}")
        time.sleep(0.1)


def stop(proc: subprocess.Popen[Any], seconds: float = 15) -> None:
    """Terminate, and kill what does not end within `seconds`."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _tail(log: Path | None) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-5000:] if log is not None and log.exists() else ""
