"""Benchmarks on this machine: `rag bench [--json] [--quick]`; `rag bench --store milvus` compares the search
stores instead (rag/bench_stores.py).

Sections, each a dict in the report (None figures mean "not measured", with a note saying why):

    build     index build throughput through update.build (temp dir) vs the bare embedder on the same texts
    add       incremental add of one document (tests/gold/评测市…txt): seconds, clauses embedded
    latency   search and extractive-answer p50/p95 over the gold questions vs bare query embedding
    app       `python app.py` ready time (HTTP 200 on / of a free 127.0.0.1 port)
    memory    peak RSS of a fresh process: imports only, and with the bundled index loaded and searched
    scale     1×, 10×, 100× the bundled clause count: FAISS flat vs HNSW (latency, build, recall@10),
              BM25 latency, memory; and what the figures say about store.APPROX_THRESHOLD

Memory and scale figures come from child processes (`python -c … bench.child(job)`), so each number
is that of a clean process. Nothing here asserts a time: benchmarks print figures.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import itertools
import json
import logging
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .config import PROJECT_DIR, Settings
from .evaluate import load_gold, percentile

log = logging.getLogger(__name__)

GOLD_FILES = (PROJECT_DIR / "tests" / "gold" / "dev.jsonl", PROJECT_DIR / "tests" / "gold" / "gold.jsonl")
ADD_FIXTURE = PROJECT_DIR / "tests" / "gold" / "评测市人工智能产业发展若干措施.txt"
FLAT_BUDGET_MS = 10.0  # the dense-search time per question above which an approximate index pays off
MIN_HNSW_RECALL = 0.95
NOISE = 0.48  # synthetic vector = real clause vector + this much noise: cosine ≈ 0.9 to its source
APP_TIMEOUT_S = 180.0
EF_SWEEP = (128, 256)  # efSearch values tried beside the product's own (store.make_faiss)
CANDIDATES = 60  # depth each list is searched to, as retrieve.CANDIDATES


@dataclass(frozen=True)
class Plan:
    """Sample sizes. Example: Plan.of(quick=True).scales -> (1, 10)"""

    quick: bool
    questions: int | None  # None = every gold question
    scales: tuple[int, ...]
    seed: int = 7

    @classmethod
    def of(cls, quick: bool) -> Plan:
        return cls(quick=True, questions=20, scales=(1, 10)) if quick else cls(False, None, (1, 10, 100))


Progress = Callable[[str], None]
T = TypeVar("T")


# ---------------------------------------------------------------- small helpers


def stats_ms(values: Sequence[float]) -> dict[str, float | int | None]:
    """p50/p95 (ms) and count. Example: stats_ms([1, 2, 3]) -> {"p50": 2.0, "p95": 2.9, "n": 3}"""
    return {"p50": _round(percentile(values, 50)), "p95": _round(percentile(values, 95)), "n": len(values)}


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def timed_ms(fn: Callable[[], Any]) -> float:
    """Milliseconds one call of fn takes."""
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def each_ms(fn: Callable[[T], Any], items: Sequence[T]) -> list[float]:
    """Milliseconds of fn(item) for each item. Example: each_ms(embedder.queries, [["问"]]) -> [8.1]"""
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b rounded, None when either is missing or b is 0. Example: ratio(3, 2) -> 1.5"""
    return None if a is None or not b else round(a / b, 2)


def _proc_status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def rss_mb() -> float:
    """Current resident memory of this process in MB, after handing freed heap back to the OS
    (so a delta between two readings is what the structure built in between holds)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    current = _proc_status_mb("VmRSS")
    return peak_rss_mb() if current is None else current


def peak_rss_mb() -> float:
    """Peak resident memory in MB. VmHWM on Linux: ru_maxrss survives exec, so a child started by
    fork+exec would report its parent's size."""
    peak = _proc_status_mb("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if peak is None else peak


def gold_questions(limit: int | None) -> list[str]:
    """Questions of the dev and team gold sets that exist here, first `limit` of them."""
    questions = [i.question for path in GOLD_FILES if path.is_file() for i in load_gold(path)]
    return questions[:limit] if limit else questions


# ---------------------------------------------------------------- build and incremental add


def _bench_corpus(corpus_dir: Path, target: Path, quick: bool) -> list[Path]:
    """Copy the corpus (quick: every file but the largest) into target; return the copies."""
    from . import store

    files = store.corpus_files(corpus_dir)
    if quick and len(files) > 1:
        files = sorted(files, key=lambda p: p.stat().st_size)[:-1]
    target.mkdir(parents=True)
    return [Path(shutil.copy2(f, target / f.name)) for f in files]


def bench_build(settings: Settings, plan: Plan, work: Path) -> tuple[dict[str, Any], Settings]:
    """update.build into work/ and the bare embedder on the same passage texts, in clauses/s."""
    from . import embed, store, update

    files = _bench_corpus(settings.corpus_dir, work / "corpus", plan.quick)
    temp = replace(settings, index_dir=work / "index", corpus_dir=work / "corpus", home=work / "data")
    embedder = embed.get(settings.embedder)
    embedder.passages(["预热"])  # model load is not throughput
    report = update.build(temp)
    texts = [store.passage_text(c) for c in store.load(temp).clauses]
    bare_s = timed_ms(lambda: _embed_batches(embedder, texts)) / 1000
    build_rate, bare_rate = report.clauses_total / report.seconds, len(texts) / bare_s
    return {
        "files": [f.name for f in files],
        "clauses": report.clauses_total,
        "build_s": round(report.seconds, 2),
        "build_clauses_per_s": round(build_rate, 2),
        "bare_embed_s": round(bare_s, 2),
        "bare_clauses_per_s": round(bare_rate, 2),
        "build_vs_bare": ratio(build_rate, bare_rate),
        "mean_passage_chars": round(sum(map(len, texts)) / max(1, len(texts))),
    }, temp


def _embed_batches(embedder: Any, texts: list[str]) -> None:
    from .store import EMBED_BATCH

    for start in range(0, len(texts), EMBED_BATCH):
        embedder.passages(texts[start : start + EMBED_BATCH])


def bench_add(temp: Settings, path: Path = ADD_FIXTURE) -> dict[str, Any]:
    """Add one document to the index built by bench_build: seconds and clauses embedded."""
    from . import update

    report = update.build(temp, paths=[path])
    return {
        "file": path.name,
        "seconds": round(report.seconds, 2),
        "clauses_embedded": report.clauses_embedded,
        "clauses_total": report.clauses_total,
        "failed": [list(f) for f in report.failed],
    }


# ---------------------------------------------------------------- latency on the bundled index


def bench_latency(settings: Settings, index: Any, questions: list[str]) -> dict[str, Any]:
    """Search and extractive answer per question vs the bare query embedding of the same question."""
    from . import embed, retrieve
    from .pipeline import Pipeline

    embedder = embed.get(index.embedder_id)
    pipeline = Pipeline(replace(settings, llm_base_url=None), index)
    pipeline.ask(questions[0])  # warm: embedder, BM25, answer vocabulary
    bare = stats_ms(each_ms(lambda q: embedder.queries([q]), questions))
    search = stats_ms(each_ms(lambda q: retrieve.search(index, q, settings.top_k), questions))
    answer = stats_ms(each_ms(pipeline.ask, questions))
    worst = worst_question(index)
    heavy = stats_ms(each_ms(pipeline.ask, [worst] * 5))
    return {
        "questions": len(questions),
        "query_embed_ms": bare,
        "search_ms": search,
        "answer_ms": answer,
        "search_vs_embed_p50": ratio(search["p50"], bare["p50"]),
        "answer_vs_embed_p50": ratio(answer["p50"], bare["p50"]),
        "worst_question": {"chars": len(worst), "answer_ms": heavy, "vs_normal_p50": ratio(heavy["p50"], answer["p50"])},
    }


def worst_question(index: Any, limit: int = 2000) -> str:
    """A question of the longest accepted length naming every region of the index (again and again): the
    most places, comparisons and scope checks one question can ask for."""
    from .retrieve import regions

    names = "和".join(regions(index)) or "北京"
    tail = "分别对人工智能企业租用办公场地有什么补贴？"
    body = (names + "和") * (limit // (len(names) + 1) + 1)
    return body[: limit - len(tail)] + tail


# ---------------------------------------------------------------- the app


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_app(app: Path = PROJECT_DIR / "app.py", timeout: float = APP_TIMEOUT_S) -> dict[str, Any]:
    """Seconds from starting `python app.py` to HTTP 200 on / (then the app is stopped)."""
    if not app.is_file():
        return {"ready_s": None, "note": f"{app.name} is absent: skipped"}
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1",
           "GRADIO_ANALYTICS_ENABLED": "False"}
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, str(app)], cwd=app.parent, env=env, stdout=out, stderr=out)
        try:
            ready = _wait_http(f"http://127.0.0.1:{port}/", proc, started + timeout)
            elapsed = time.perf_counter() - started
        finally:
            _stop(proc)
        out.seek(0)
        tail = out.read().decode("utf-8", "replace")[-400:]
    if not ready:
        return {"ready_s": None, "port": port, "note": f"no HTTP 200 within {timeout:.0f}s; output: {tail}"}
    return {"ready_s": round(elapsed, 2), "port": port}


def _wait_http(url: str, proc: subprocess.Popen[bytes], deadline: float) -> bool:
    while time.perf_counter() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------- child processes


def run_child(job: dict[str, Any], timeout: float = 900) -> dict[str, Any]:
    """Run `child(job)` in a fresh interpreter and return its JSON result."""
    code = "import json, sys; from rag import bench; print(json.dumps(bench.child(json.loads(sys.argv[1]))))"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_DIR), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code, json.dumps(job)], capture_output=True, text=True,
                          env=env, cwd=PROJECT_DIR, timeout=timeout, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-600:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def child(job: dict[str, Any]) -> dict[str, Any]:
    """What a child process does: {"kind": "rss", …}, {"kind": "scale", …} or {"kind": "store", …}."""
    logging.basicConfig(level=logging.WARNING)
    if job["kind"] == "rss":
        return _rss_child(job)
    if job["kind"] == "store":
        from .bench_stores import store_run

        return store_run(job)
    return scale_run(job)


def _rss_child(job: dict[str, Any]) -> dict[str, Any]:
    from . import retrieve, store

    out = {"imports_mb": round(rss_mb(), 1)}
    if job["stage"] == "index":
        settings = replace(Settings.from_env(), index_dir=Path(job["index_dir"]))
        index = store.load(settings, check_corpus=False)
        out["loaded_mb"] = round(rss_mb(), 1)
        retrieve.search(index, "北京对引进图灵奖获得者有什么支持？", settings.top_k)  # + embedder and BM25
        out["searched_mb"] = round(rss_mb(), 1)
    return {**out, "peak_mb": round(peak_rss_mb(), 1)}


def bench_memory(settings: Settings) -> dict[str, Any]:
    """RSS of a fresh process: after importing rag, with the bundled index loaded, after one search
    (embedder and BM25 loaded), and its peak."""
    result = run_child({"kind": "rss", "stage": "index", "index_dir": str(settings.index_dir)})
    if "error" in result:
        return {"note": f"the memory child failed: {result['error']}"}
    return result


# ---------------------------------------------------------------- scale


_SENTENCE_END = re.compile(r"(?<=[。；！？;!?])")


def scale_inputs(index: Any, questions: list[str], work: Path) -> dict[str, str]:
    """Files a scale child reads: clause vectors, question vectors, sentence tokens, question tokens."""
    from . import embed, store
    from .text import query_tokens, tokenize

    sentences = [s for c in index.clauses for s in _SENTENCE_END.split(store.passage_text(c)) if s.strip()]
    paths = {name: str(work / f"scale-{name}") for name in ("vectors.npy", "queries.npy", "tokens.json")}
    np.save(paths["vectors.npy"], store.all_vectors(index))
    np.save(paths["queries.npy"], embed.get(index.embedder_id).queries(questions))
    tokens = {"clauses": index.tokens, "sentences": [t for s in sentences if (t := tokenize(s))],
              "questions": [query_tokens(q) for q in questions]}
    Path(paths["tokens.json"]).write_text(json.dumps(tokens, ensure_ascii=False), encoding="utf-8")
    return paths


def synthetic_vectors(real: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n unit vectors, each a random real clause vector plus Gaussian noise (cosine ≈ 0.9 to it).

    Example: synthetic_vectors(real (1278, 384), 12780, rng).shape -> (12780, 384)
    """
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for start in range(0, n, 50_000):  # chunks keep the float64 noise small
        stop = min(n, start + 50_000)
        noise = rng.standard_normal((stop - start, real.shape[1])).astype(np.float32) / np.sqrt(real.shape[1])
        chunk = real[rng.integers(len(real), size=stop - start)] + NOISE * noise
        out[start:stop] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    return out


def synthetic_tokens(sentences: list[list[str]], n: int, rng: random.Random) -> list[list[str]]:
    """n token lists, each 2–4 real sentences recombined in random order (real-looking BM25 text)."""
    return [[t for s in rng.sample(sentences, rng.randint(2, 4)) for t in s] for _ in range(n)]


def scale_run(job: dict[str, Any]) -> dict[str, Any]:
    """One scale point (in a child process): vectors, FAISS flat and HNSW, BM25; latency and memory."""
    import faiss

    from . import store

    real = np.load(job["vectors.npy"])
    queries = np.load(job["queries.npy"])
    tokens = json.loads(Path(job["tokens.json"]).read_text(encoding="utf-8"))
    n = len(real) * job["factor"]
    rss: dict[str, float] = {"start": rss_mb()}
    vectors = real if job["factor"] == 1 else synthetic_vectors(real, n, np.random.default_rng(job["seed"]))
    rss["vectors"] = rss_mb()
    out: dict[str, Any] = {"factor": job["factor"], "clauses": n}
    flat, out["flat_build_s"] = _built(lambda: store.make_faiss(vectors, "flat"))
    rss["flat"] = rss_mb()
    out["flat_ms"] = _search_stats(flat, queries)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    out["flat_1thread_ms"] = _search_stats(flat, queries)
    faiss.omp_set_num_threads(threads)
    hnsw, out["hnsw_build_s"] = _built(lambda: store.make_faiss(vectors, "hnsw"))
    rss["hnsw"] = rss_mb()
    out["hnsw_ms"] = _search_stats(hnsw, queries)
    out["hnsw_recall@10"] = hnsw_recall(flat, hnsw, queries, 10)
    out["hnsw_ef"] = ef_sweep(flat, hnsw, queries)
    docs = tokens["clauses"] if job["factor"] == 1 else synthetic_tokens(tokens["sentences"], n, random.Random(job["seed"]))
    bm25, out["bm25_build_s"] = _built(lambda: store._bm25_of(docs))
    rss["bm25"] = rss_mb()
    out["bm25_ms"] = stats_ms(each_ms(lambda t: _bm25_top(bm25, t), tokens["questions"]))
    out["memory_mb"] = _memory_deltas(rss)
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out


def _built(make: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    made = make()
    return made, round(time.perf_counter() - started, 2)


def _search_stats(faiss_index: Any, queries: np.ndarray) -> dict[str, Any]:
    faiss_index.search(queries[:1], CANDIDATES)
    return stats_ms(each_ms(lambda q: faiss_index.search(q[None, :], CANDIDATES), list(queries)))


def ef_sweep(flat: Any, hnsw: Any, queries: np.ndarray) -> dict[str, dict[str, Any]]:
    """HNSW latency and recall@10 at the product's efSearch and at larger ones; efSearch is restored."""
    default = int(hnsw.hnsw.efSearch)
    out = {}
    for ef in sorted({default, *EF_SWEEP}):
        hnsw.hnsw.efSearch = ef
        out[str(ef)] = {"ms": _search_stats(hnsw, queries), "recall@10": hnsw_recall(flat, hnsw, queries, 10)}
    hnsw.hnsw.efSearch = default
    return out


def hnsw_recall(flat: Any, approx: Any, queries: np.ndarray, k: int = 10) -> float:
    """Mean fraction of the exact top k that the approximate index also returns in its top k."""
    _, exact = flat.search(queries, k)
    _, found = approx.search(queries, k)
    return round(float(np.mean([len(set(e) & set(f)) / k for e, f in zip(exact, found)])), 4)


def _bm25_top(bm25: Any, tokens: list[str]) -> list[int]:
    """As retrieve._bm25: scores for the known tokens, then the top CANDIDATES positions."""
    known = [t for t in tokens if t in bm25.vocab_dict]
    if not known:
        return []
    scores = np.asarray(bm25.get_scores(known), dtype=np.float32)
    depth = min(CANDIDATES, len(scores))
    top = np.argpartition(-scores, depth - 1)[:depth]
    return [int(p) for p in top[np.argsort(-scores[top])]]


def _memory_deltas(rss: dict[str, float]) -> dict[str, float]:
    stages = list(rss)
    deltas = {s: round(rss[s] - rss[p], 1) for p, s in itertools.pairwise(stages)}
    return {**deltas, "total": round(rss[stages[-1]] - rss["start"], 1)}


def bench_scale(index: Any, questions: list[str], plan: Plan, work: Path, progress: Progress) -> dict[str, Any]:
    """Every scale point in its own child process, and the threshold verdict."""
    from . import store

    job = {"kind": "scale", "seed": plan.seed, **scale_inputs(index, questions, work)}
    points = []
    for factor in plan.scales:
        progress(f"scale {factor}× ({len(index.clauses) * factor} clauses)")
        points.append({"factor": factor, **run_child({**job, "factor": factor})})
    good = [p for p in points if "error" not in p]
    return {"points": points, "threshold": threshold_verdict(good, store.APPROX_THRESHOLD)}


def flat_crossing(points: Sequence[dict[str, Any]], key: str = "flat_ms", budget: float = FLAT_BUDGET_MS) -> int | None:
    """Clause count at which flat search p50 reaches `budget` ms, from a least-squares line through the points.

    Example: p50 1 ms at 10k and 10 ms at 100k clauses -> 100000
    """
    xs = np.array([p["clauses"] for p in points], dtype=float)
    ys = np.array([p[key]["p50"] for p in points], dtype=float)
    if len(xs) < 2:
        return None
    slope, intercept = np.polyfit(xs, ys, 1)
    # round, not int(): a least-squares fit gives 99999.99999999997 for 100000 on some BLAS builds
    return None if slope <= 0 else round(max(0.0, (budget - intercept) / slope))


def threshold_verdict(points: Sequence[dict[str, Any]], threshold: int) -> dict[str, Any]:
    """Whether the measured figures support switching to HNSW above `threshold` clauses.

    Supported when flat search reaches FLAT_BUDGET_MS within 2× of the threshold and HNSW, as the
    product configures it, keeps recall@10 ≥ MIN_HNSW_RECALL at the largest scale measured.
    """
    crossing, crossing_1t = flat_crossing(points), flat_crossing(points, "flat_1thread_ms")
    largest = max(points, key=lambda p: p["clauses"], default=None)
    verdict: dict[str, Any] = {
        "APPROX_THRESHOLD": threshold, "flat_budget_ms": FLAT_BUDGET_MS, "flat_reaches_budget_at": crossing,
        "flat_1thread_reaches_budget_at": crossing_1t,
        "hnsw_recall@10_at_largest": None if largest is None else largest["hnsw_recall@10"],
        "ef_for_recall": None if largest is None else _ef_for_recall(largest.get("hnsw_ef", {})),
    }
    if crossing is None or largest is None:
        return {**verdict, "supports": None, "note": "too few scale points to judge"}
    verdict["threshold_ok"] = crossing / 2 <= threshold <= crossing * 2
    verdict["recall_ok"] = largest["hnsw_recall@10"] >= MIN_HNSW_RECALL
    verdict["supports"] = verdict["threshold_ok"] and verdict["recall_ok"]
    verdict["suggested"] = threshold if verdict["threshold_ok"] else _round_clauses(crossing)
    return verdict


def _ef_for_recall(sweep: dict[str, dict[str, Any]]) -> int | None:
    """Smallest efSearch of the sweep whose recall@10 reaches MIN_HNSW_RECALL."""
    good = [int(ef) for ef, r in sweep.items() if r["recall@10"] >= MIN_HNSW_RECALL]
    return min(good) if good else None


def _round_clauses(n: int) -> int:
    """Two significant figures. Example: 43871 -> 44000"""
    if n < 100:
        return n
    digits = len(str(n)) - 2
    return int(round(n, -digits))


# ---------------------------------------------------------------- the whole run


def run(settings: Settings, plan: Plan, progress: Progress) -> dict[str, Any]:
    """Every section; one that cannot run here says why instead of failing the whole bench."""
    from . import store

    report: dict[str, Any] = {"plan": {"quick": plan.quick, "scales": list(plan.scales)}, "machine": _machine()}
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        work = Path(tmp)
        progress("build")
        report["build"], temp = bench_build(settings, plan, work)
        progress("incremental add")
        report["add"] = bench_add(temp)
        try:
            index = store.load(settings)
        except (FileNotFoundError, OSError, ValueError) as exc:
            note = f"no bundled index at {settings.index_dir} ({exc}): run `rag index`"
            report.update({k: {"note": note} for k in ("latency", "memory", "scale")})
        else:
            questions = gold_questions(plan.questions)
            progress(f"latency over {len(questions)} questions")
            report["latency"] = bench_latency(settings, index, questions)
            progress("memory")
            report["memory"] = bench_memory(settings)
            report["scale"] = bench_scale(index, questions, plan, work, progress)
    progress("app")
    report["app"] = bench_app()
    return report


def _machine() -> dict[str, Any]:
    import faiss

    return {"cpus": os.cpu_count(), "faiss_threads": faiss.omp_get_max_threads(), "python": sys.version.split()[0]}


# ---------------------------------------------------------------- the command


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `rag bench [--json] [--quick]`."""
    p = subparsers.add_parser(
        "bench",
        help="measure build, search, answer, app start, memory and scaling on this machine",
        description="Index build and incremental add throughput, search/answer latency, app ready time, "
        "peak memory, and a 10×/100× synthetic scale run comparing FAISS flat and HNSW.",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--quick", action="store_true", help="small samples (a few files, 20 questions, 10× only)")
    p.add_argument(
        "--store", choices=("milvus",),
        help="compare the search stores instead: FAISS flat and HNSW, Milvus Lite embedded and milvus-lite server, "
        "at 100k and 1M synthetic clauses (--quick: 10k); long, and not part of CI",
    )
    p.add_argument("--scales", help="with --store: clause counts, comma-separated (default 100000,1000000)")
    p.add_argument("--stores", help="with --store: which of faiss-flat,faiss-hnsw,milvus-lite,milvus-server (default all)")
    p.set_defaults(func=command)


def command(args: argparse.Namespace, settings: Settings) -> int:
    """Run `rag bench`; progress goes to stderr, the report to stdout."""
    started = time.perf_counter()
    if args.store:
        return _command_stores(args, settings, started)
    report = run(settings, Plan.of(args.quick), lambda stage: print(f"bench: {stage}…", file=sys.stderr))
    report["total_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else format_report(report))
    return 0


def _command_stores(args: argparse.Namespace, settings: Settings, started: float) -> int:
    from . import bench_stores
    from .errors import InputError

    try:
        scales = tuple(int(x) for x in args.scales.split(",")) if args.scales else (
            bench_stores.QUICK_SCALES if args.quick else bench_stores.SCALES)
    except ValueError:
        raise InputError(f"--scales takes clause counts such as 100000,1000000, got {args.scales!r}") from None
    if not all(1000 <= n <= 10_000_000 for n in scales):
        raise InputError("--scales: each count must be between 1000 and 10000000")
    stores = tuple(args.stores.split(",")) if args.stores else bench_stores.STORES
    if unknown := set(stores) - set(bench_stores.STORES):
        raise InputError(f"--stores: unknown {sorted(unknown)}; choose from {','.join(bench_stores.STORES)}")
    report = bench_stores.run(settings, scales, stores,
                              lambda stage: print(f"bench: {stage}…", file=sys.stderr, flush=True))
    report["total_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else bench_stores.format_table(report))
    return 0


# ---------------------------------------------------------------- the human-readable report


def _ms(s: dict[str, Any] | None) -> str:
    return "-" if not s or s.get("p50") is None else f"p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms"


def format_report(r: dict[str, Any]) -> str:
    """The bench report for people, one block per section."""
    lines = [f"rag bench ({'quick' if r['plan']['quick'] else 'full'}) · {r['machine']} · {r.get('total_s')} s"]
    lines += _format_build(r["build"], r["add"])
    lines += _format_latency(r["latency"])
    lines += _format_app_memory(r["app"], r["memory"])
    lines += _format_scale(r["scale"])
    return "\n".join(lines)


def _format_build(b: dict[str, Any], a: dict[str, Any]) -> list[str]:
    return [
        "",
        (
            f"build    {b['clauses']} clauses from {len(b['files'])} files in {b['build_s']} s = "
            f"{b['build_clauses_per_s']} clauses/s; bare embedder on the same texts {b['bare_clauses_per_s']} "
            f"clauses/s (build/bare {b['build_vs_bare']}; mean passage {b['mean_passage_chars']} chars)"
        ),
        f"add      {a['file']}: {a['seconds']} s, {a['clauses_embedded']} clauses embedded "
        f"({a['clauses_total']} in the index)" + (f"; failed {a['failed']}" if a["failed"] else ""),
    ]


def _format_latency(lat: dict[str, Any]) -> list[str]:
    if "note" in lat:
        return ["", f"latency  {lat['note']}"]
    return [
        "",
        f"latency  over {lat['questions']} questions: query embedding {_ms(lat['query_embed_ms'])}",
        f"         search {_ms(lat['search_ms'])} ({lat['search_vs_embed_p50']}× embedding)",
        f"         extractive answer {_ms(lat['answer_ms'])} ({lat['answer_vs_embed_p50']}× embedding)",
    ]


def _format_app_memory(app: dict[str, Any], mem: dict[str, Any]) -> list[str]:
    ready = f"ready in {app['ready_s']} s (HTTP 200 on /)" if app.get("ready_s") else app.get("note", "")
    lines = ["", f"app      {ready}"]
    if "note" in mem:
        return lines + [f"memory   {mem['note']}"]
    lines.append(f"memory   fresh process RSS: rag imported {mem['imports_mb']} MB → bundled index loaded "
                 f"{mem['loaded_mb']} MB → after a search (embedder, BM25) {mem['searched_mb']} MB; "
                 f"peak {mem['peak_mb']} MB")
    return lines


def _format_scale(scale: dict[str, Any]) -> list[str]:
    if "note" in scale:
        return ["", f"scale    {scale['note']}"]
    head = (f"{'clauses':>9} {'flat p50/p95 ms':>16} {'1-thread':>12} {'HNSW p50/p95':>13} {'recall@10':>9} "
            f"{'HNSW build':>10} {'BM25 p50/p95':>13} {'+vec/+flat/+hnsw/+bm25 MB':>26} {'peak MB':>8}")
    lines = ["", "scale    (synthetic: real vectors + noise, recombined real sentences; one child per row)", head]
    lines += [_scale_row(p) for p in scale["points"]]
    lines += [_ef_row(p) for p in scale["points"] if p.get("hnsw_ef")]
    return lines + _format_verdict(scale["threshold"])


def _ef_row(p: dict[str, Any]) -> str:
    cells = [f"efSearch {ef}: recall@10 {r['recall@10']:.3f}, p50 {r['ms']['p50']:.2f} ms"
             for ef, r in p["hnsw_ef"].items()]
    return f"{p['clauses']:>9} HNSW " + " · ".join(cells)


def _scale_row(p: dict[str, Any]) -> str:
    if "error" in p:
        return f"{p['factor']:>8}× error: {p['error']}"

    def pair(s: dict[str, Any]) -> str:
        return f"{s['p50']:.2f}/{s['p95']:.2f}"

    m = p["memory_mb"]
    mem = f"{m['vectors']:.0f}/{m['flat']:.0f}/{m['hnsw']:.0f}/{m['bm25']:.0f}"
    return (f"{p['clauses']:>9} {pair(p['flat_ms']):>16} {pair(p['flat_1thread_ms']):>12} {pair(p['hnsw_ms']):>13} "
            f"{p['hnsw_recall@10']:>9.3f} {p['hnsw_build_s']:>9.1f}s {pair(p['bm25_ms']):>13} {mem:>26} "
            f"{p['peak_rss_mb']:>8.0f}")


def _format_verdict(v: dict[str, Any]) -> list[str]:
    head = f"threshold store.APPROX_THRESHOLD = {v['APPROX_THRESHOLD']} clauses"
    if v.get("supports") is None:
        return [f"{head}: {v.get('note', '')}"]
    where = (f"flat search p50 reaches {v['flat_budget_ms']:.0f} ms near {v['flat_reaches_budget_at']} clauses "
             f"(single-threaded FAISS near {v['flat_1thread_reaches_budget_at']})")
    size = ("so the switch point is about right" if v["threshold_ok"]
            else f"so the switch point should be about {v['suggested']}")
    ef = v["ef_for_recall"]
    recall = (f"HNSW recall@10 at the largest scale is {v['hnsw_recall@10_at_largest']:.3f}"
              + ("" if v["recall_ok"] else
                 f", below {MIN_HNSW_RECALL}: " + (f"efSearch {ef} reaches it" if ef else
                                                   f"no efSearch up to {max(EF_SWEEP)} reaches it")))
    said = "the figures support it" if v["supports"] else "the figures do not fully support it"
    return [f"{head}: {where}, {size}; {recall}. Verdict: {said}."]
