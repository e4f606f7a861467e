"""Bounded load: 20 clients asking /api/ask as fast as they can for 30 s against `python app.py` on
127.0.0.1 (the bundled index, the real e5 embedder). No request may fail; throughput and latency are
printed (`pytest -s -m slow tests/test_load.py`). RAG_LOAD_SECONDS / RAG_LOAD_CLIENTS change the run.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from http_app import PROJECT, free_port
from processes import stop

pytestmark = pytest.mark.slow

CLIENTS = int(os.environ.get("RAG_LOAD_CLIENTS", "20"))
SECONDS = float(os.environ.get("RAG_LOAD_SECONDS", "30"))
QUESTIONS = (
    "北京对引进图灵奖获得者有什么支持？",
    "湖北到2025年人工智能核心产业规模目标是多少？",
    "中关村十五条措施第六条讲的是什么？",
    "上海对入驻企业的房租减免标准是多少？",
    "武汉对人工智能企业有哪些补贴？",
    "算力券怎么申请？",
)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not (PROJECT / "index" / "manifest.json").exists():
        pytest.skip("no committed index in index/")
    port = free_port()
    log = tmp_path_factory.mktemp("load") / "app.log"
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port), "RAG_RATE_LIMIT": "0",
           "GRADIO_TEMP_DIR": str(log.parent / "gradio")}  # fmt: skip
    env.pop("RAG_LLM_BASE_URL", None)
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=PROJECT, env=env, stdout=out, stderr=out)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_answering(url, proc, log)
            yield url
        finally:
            stop(proc)


def _wait_until_answering(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            if httpx.post(url + "/api/ask", json={"question": QUESTIONS[0]}, timeout=30).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"app not answering after 90 s:\n{log.read_text(errors='replace')}")


def test_twenty_clients_for_thirty_seconds_without_an_error(app_url: str) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS

    def client(number: int) -> None:
        with httpx.Client(base_url=app_url, timeout=60) as http:
            i = number
            while time.monotonic() < stop:
                question = QUESTIONS[i % len(QUESTIONS)]
                i += 1
                started = time.monotonic()
                try:
                    response = http.post("/api/ask", json={"question": question})
                    ok = response.status_code == 200 and response.json()["question"] == question
                    problem = "" if ok else f"{response.status_code} {response.text[:200]}"
                except httpx.HTTPError as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                with lock:
                    latencies.append(time.monotonic() - started)
                    if problem:
                        errors.append(problem)

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=SECONDS + 120)
    elapsed = time.monotonic() - began
    cuts = statistics.quantiles(latencies, n=20) if len(latencies) >= 2 else latencies * 19
    print(
        f"\nload: {CLIENTS} clients, {elapsed:.1f} s, {len(latencies)} requests, "
        f"{len(latencies) / elapsed:.1f} requests/s, p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {cuts[18] * 1000:.0f} ms, errors {len(errors)}"
    )
    assert not errors, errors[:5]
    assert len(latencies) >= CLIENTS
