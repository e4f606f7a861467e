"""`rag bench --store milvus`: the search stores side by side on synthetic clauses, one child process per
store and scale (so each memory figure is that store's own):

    faiss-flat     FAISS exact inner product + bm25s, in process (the default store below 200k clauses)
    faiss-hnsw     FAISS HNSW (M 32, efSearch 256) + bm25s, in process (the default above it)
    milvus-lite    Milvus Lite embedded in the process (a .db directory)
    milvus-server  `milvus-lite server` on a free 127.0.0.1 port; its memory is the server's plus the client's

Per store and scale: build throughput (vectors, BM25 terms and filter fields in, searchable, in clauses/s),
the hybrid query as retrieval asks it (dense and BM25 top 60, SearchStore.ranked) unfiltered and within
one policy, p50/p95 ms, dense recall@10 against exact search, and resident memory (MB) added by the store.
Synthetic clauses: real clause vectors plus noise, 2–4 recombined real sentences, ~35 clauses per policy.
Milvus Lite is a pure-Python engine: its figures are Milvus Lite's, not Milvus Standalone's.
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import numpy as np

from .config import Settings

log = logging.getLogger(__name__)

STORES = ("faiss-flat", "faiss-hnsw", "milvus-lite", "milvus-server")
SCALES = (100_000, 1_000_000)
QUICK_SCALES = (10_000,)
CLAUSES_PER_DOC = 35  # the bundled corpus: 1265 clauses in 36 policies
REGIONS = 30
DEPTH = 60  # as retrieve.CANDIDATES
CHILD_SECONDS = 6 * 3600


@dataclass(frozen=True)
class _Row:
    """What a Scope reads of a clause (retrieve's filters), without a Clause's text."""

    doc_id: str
    region: str | None
    year: int | None


class _Synthetic:
    """Just enough of an Index for the stores: positions, tokens, filter fields, FAISS and BM25."""

    def __init__(self, n: int, tokens: list[list[str]], rng: random.Random) -> None:
        self.tokens = tokens
        self.clauses = [
            _Row(f"doc{i // CLAUSES_PER_DOC}", f"region{(i // CLAUSES_PER_DOC) % REGIONS}", 2018 + (i // CLAUSES_PER_DOC) % 7)
            for i in range(n)
        ]
        self.faiss_index: Any = None
        self._bm25: Any = None
        self.rng = rng

    def position(self, clause_id: str) -> int | None:
        return int(clause_id)

    @property
    def bm25(self) -> Any:
        return self._bm25


def store_run(job: dict[str, Any]) -> dict[str, Any]:
    """One store at one scale, in a child process (see rag/bench.py, run_child)."""
    from . import bench

    n, kind = int(job["clauses"]), str(job["store"])
    real = np.load(job["vectors.npy"])
    queries = np.load(job["queries.npy"])
    import json

    tokens = json.loads(Path(job["tokens.json"]).read_text(encoding="utf-8"))
    rng = random.Random(job["seed"])
    vectors = bench.synthetic_vectors(real, n, np.random.default_rng(job["seed"]))
    synthetic = _Synthetic(n, bench.synthetic_tokens(tokens["sentences"], n, rng), rng)
    before = bench.rss_mb()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rag-bench-store-") as tmp:
        server = _LiteServer(Path(tmp) / "server") if kind == "milvus-server" else None
        try:
            store, settings = _build(kind, synthetic, vectors, Path(tmp), server)
            build_s = time.perf_counter() - started
            out: dict[str, Any] = {"store": kind, "clauses": n, "build_s": round(build_s, 1),
                                   "build_clauses_per_s": round(n / build_s, 1)}
            out.update(_queries(store, synthetic, vectors, queries, tokens["questions"]))
            out["memory_mb"] = round(bench.rss_mb() - before + (server.rss_mb() if server else 0.0), 1)
            out["peak_rss_mb"] = round(bench.peak_rss_mb(), 1)
            if settings is not None:
                from . import milvus

                milvus.disconnect(settings)
        finally:
            if server is not None:
                server.stop()
    return out


def _build(kind: str, synthetic: _Synthetic, vectors: np.ndarray, tmp: Path, server: _LiteServer | None) -> tuple[Any, Settings | None]:
    """The store, built and ready to search; the Milvus settings when it is one."""
    from . import store as store_module
    from .search_store import FaissStore

    if kind.startswith("faiss"):
        synthetic.faiss_index = store_module.make_faiss(vectors, kind.removeprefix("faiss-"))
        synthetic._bm25 = store_module._bm25_of(synthetic.tokens)
        return FaissStore(cast(Any, synthetic)), None
    uri = server.start() if server is not None else str(tmp / "bench.db")
    settings = Settings(home=tmp, store="milvus", milvus_uri=uri, milvus_collection="bench")
    _fill(settings, synthetic, vectors)
    from .milvus import MilvusStore

    return MilvusStore(settings, cast(Any, synthetic)), settings


def _fill(settings: Settings, synthetic: _Synthetic, vectors: np.ndarray) -> None:
    """As milvus.upsert + finish do for `rag index`: create, upsert in batches, flush, load."""
    from . import milvus
    from .sparse import Lexicon

    client = milvus.connect(settings)
    milvus._create(client, settings.milvus_collection, int(vectors.shape[1]))
    mean = Lexicon.of(synthetic.tokens).mean_length
    for start in range(0, len(vectors), milvus.BATCH):
        rows = [
            {"id": str(i), "vector": vectors[i].tolist(), "lexical": Lexicon.clause_vector(synthetic.tokens[i], mean),
             "doc_id": c.doc_id, "region": c.region, "year": c.year, "digest": ""}
            for i, c in enumerate(synthetic.clauses[start : start + milvus.BATCH], start)
        ]
        client.upsert(settings.milvus_collection, rows)
    client.flush(settings.milvus_collection)
    client.load_collection(settings.milvus_collection)


def _queries(store: Any, synthetic: _Synthetic, vectors: np.ndarray, queries: np.ndarray,
             question_tokens: list[list[str]]) -> dict[str, Any]:
    """Hybrid query latency, unfiltered and within one policy, and dense recall@10 against exact search."""
    from . import bench
    from .search_store import Query, Scope

    def asked() -> list[Query]:  # new each time: a store keeps per-question work (BM25 scores) in a Query
        return [Query(v, t) for v, t in zip(queries, question_tokens, strict=True)]

    store.ranked(asked()[0], None, DEPTH)  # warm
    doc = Scope(docs=frozenset({synthetic.clauses[len(synthetic.clauses) // 2].doc_id}))
    out: dict[str, Any] = {
        "hybrid_ms": bench.stats_ms(bench.each_ms(lambda q: store.ranked(q, None, DEPTH), asked())),
        "hybrid_one_policy_ms": bench.stats_ms(bench.each_ms(lambda q: store.ranked(q, doc, DEPTH), asked())),
        "dense_ms": bench.stats_ms(bench.each_ms(lambda q: store.dense(q, None, DEPTH), asked())),
        "lexical_ms": bench.stats_ms(bench.each_ms(lambda q: store.lexical(q, None, DEPTH), asked())),
    }
    exact = np.concatenate([np.argpartition(-(queries[i : i + 16] @ vectors.T), 10, axis=1)[:, :10]
                            for i in range(0, len(queries), 16)])
    found = [[p for p, _ in store.dense(q, None, 10)] for q in asked()]
    out["dense_recall@10"] = round(float(np.mean([len(set(e) & set(f)) / 10 for e, f in zip(exact, found)])), 4)
    return out


class _LiteServer:
    """`milvus-lite server` in its own process on a free 127.0.0.1 port (it binds 0.0.0.0 unless told)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        from . import bench

        port = bench.free_port()
        command = [sys.executable, "-m", "milvus_lite", "server", "--host", "127.0.0.1", "--port", str(port),
                   "--data-dir", str(self.data_dir)]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import socket

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return f"http://127.0.0.1:{port}"
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("milvus-lite server did not start")

    def rss_mb(self) -> float:
        """The server's resident memory now."""
        if self.proc is None:
            return 0.0
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---------------------------------------------------------------- the run and its table


def run(settings: Settings, scales: tuple[int, ...], stores: tuple[str, ...], progress: Any) -> dict[str, Any]:
    """Every store at every scale, each in a fresh child process."""
    from . import bench, store

    index = store.load(replace(settings, store="faiss"), check_corpus=False)
    questions = bench.gold_questions(None)
    work = Path(tempfile.mkdtemp(prefix="rag-bench-stores-"))
    try:
        job = {"kind": "store", "seed": 7, **bench.scale_inputs(index, questions, work)}
        points = []
        for n in scales:
            for kind in stores:
                progress(f"{kind} at {n} clauses")
                points.append({"store": kind, "clauses": n,
                               **bench.run_child({**job, "store": kind, "clauses": n}, timeout=CHILD_SECONDS)})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "questions": len(questions), "points": points}


def format_table(report: dict[str, Any]) -> str:
    """The side-by-side table, one row per store and scale."""
    head = (f"{'store':<14} {'clauses':>9} {'build clauses/s':>16} {'hybrid p50/p95 ms':>18} "
            f"{'one policy p50/p95':>19} {'dense p50':>9} {'BM25 p50':>9} {'recall@10':>9} {'RSS MB':>8}")
    lines = [f"search stores on synthetic clauses ({report['questions']} questions, {report['machine']})", head]
    for p in report["points"]:
        if "error" in p:
            lines.append(f"{p['store']:<14} {p['clauses']:>9} error: {p['error'][-300:]}")
            continue
        lines.append(
            f"{p['store']:<14} {p['clauses']:>9} {p['build_clauses_per_s']:>16.0f} {_pair(p['hybrid_ms']):>18} "
            f"{_pair(p['hybrid_one_policy_ms']):>19} {_p50(p.get('dense_ms')):>9} {_p50(p.get('lexical_ms')):>9} "
            f"{p['dense_recall@10']:>9.3f} {p['memory_mb']:>8.0f}"
        )
    return "\n".join(lines)


def _pair(s: dict[str, Any]) -> str:
    return f"{s['p50']:.1f}/{s['p95']:.1f}"


def _p50(s: dict[str, Any] | None) -> str:
    return "-" if not s else f"{s['p50']:.1f}"
