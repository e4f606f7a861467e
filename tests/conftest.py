"""Shared fixtures: no network, a deterministic fake embedder, a tiny corpus, the bundled index."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

PROJECT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLD_DEV = FIXTURES.parent / "gold" / "dev.jsonl"



_DATA_DIR = PROJECT / "data"
_DATA_EXISTED = _DATA_DIR.exists()


@pytest.fixture(scope="session", autouse=True)
def checkout_data_untouched() -> Iterator[None]:
    """Tests never write the checkout's data directory: a test that forgets to give Settings a temp
    `home` errors the run instead of leaving data/ behind (which later loads in place of the bundled index)."""
    yield
    if not _DATA_EXISTED and _DATA_DIR.exists():
        raise AssertionError(f"the tests created {_DATA_DIR}: give every Settings(...) a temporary home")


def gold_quotes(files: object) -> list[tuple[str, str]]:
    """(file, quote) of every dev-set evidence quote whose file is in `files`."""
    return [
        (e["file"], e["quote"])
        for line in GOLD_DEV.read_text(encoding="utf-8").splitlines()
        for e in json.loads(line)["evidence"]
        if e["file"] in files  # type: ignore[operator]
    ]


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_local(address):
        raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def rag_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """RAG_HOME in a temp folder for every test (and its subprocesses): tests never read or write the
    project's data/ directory, whatever a developer has added there."""
    home = tmp_path / "rag-home"
    monkeypatch.setenv("RAG_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any outbound connection that is not loopback fails the test."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


class FakeEmbedder:
    """Deterministic bag-of-characters embedder: texts sharing characters get similar vectors.

    Example: FakeEmbedder().passages(["北京支持"]) -> one unit vector of 64 floats
    """

    id = "fake-embedder"
    dim = 64

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for ch in text:
            v[int(hashlib.md5(ch.encode()).hexdigest(), 16) % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def passages(self, texts: list[str]) -> np.ndarray:
        return np.array([self._vec(t) for t in texts], dtype=np.float32).reshape(len(texts), self.dim)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self.passages(texts)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.queries([text])[0].tolist()


@pytest.fixture
def fake_embedder(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeEmbedder]:
    """Register the fake embedder under its id so Settings(embedder="fake-embedder") uses it."""
    from rag import embed

    fake = FakeEmbedder()
    monkeypatch.setitem(embed._CACHE, fake.id, fake)
    yield fake


@pytest.fixture(scope="module")
def fake_embedder_module() -> Iterator[FakeEmbedder]:
    """The fake embedder registered for a whole test module (for indexes built once per module)."""
    from rag import embed

    fake = FakeEmbedder()
    embed._CACHE[fake.id] = fake
    yield fake
    embed._CACHE.pop(fake.id, None)


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """A corpus directory with the small hand-written policy of tests/fixtures/store_corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "store_corpus", target)
    return target


@pytest.fixture
def tiny_settings(tmp_path: Path, tiny_corpus: Path, fake_embedder: FakeEmbedder):  # type: ignore[no-untyped-def]
    from rag.config import Settings

    return Settings(
        index_dir=tmp_path / "index", corpus_dir=tiny_corpus, home=tmp_path / "data", embedder=fake_embedder.id
    )


@pytest.fixture
def tiny_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Evidence thresholds for a hand-made index of a few clauses and the fake embedder: the fitted ones
    hold for the bundled embedder over thousands of items, and over a dozen bag-of-characters items a
    cosine cannot stand as many deviations above the mean."""
    from rag import evidence

    monkeypatch.setattr(evidence, "EVIDENCE_MIN", 1.0)


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The committed index of the bundled corpus, loaded once (real e5 embedder for queries)."""
    from rag import store
    from rag.config import Settings

    return store.load(Settings(home=tmp_path_factory.mktemp("no-data")))


# ---------------------------------------------------------------- search stores

STORES = ("faiss", "milvus-lite", "milvus-server")  # in process; Milvus Lite embedded; `milvus-lite server`


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One `milvus-lite server` for the session, on a free 127.0.0.1 port; tests use their own collections."""
    pytest.importorskip("pymilvus")
    pytest.importorskip("milvus_lite")
    from milvus_server import MilvusServer

    with MilvusServer(tmp_path_factory.mktemp("milvus-server") / "data") as server:
        yield server


def milvus_settings(kind: str, base: Path, request: pytest.FixtureRequest, collection: str = "rag_clauses", **fields: object):  # type: ignore[no-untyped-def]
    """Settings for RAG_STORE=milvus: Milvus Lite in base/milvus.db, or the session's server."""
    from rag.config import Settings

    pytest.importorskip("pymilvus")
    pytest.importorskip("milvus_lite")
    if kind == "milvus-lite":
        uri = str(base / "milvus.db")
    else:
        uri = request.getfixturevalue("milvus_server").uri
    return Settings(store="milvus", milvus_uri=uri, milvus_collection=collection, **fields)  # type: ignore[arg-type]


def collection_for(request: pytest.FixtureRequest) -> str:
    """A collection name of one test, so tests sharing the session's server do not meet."""
    return "t_" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:16]


@pytest.fixture(scope="session", params=STORES)
def store_index(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, bundled_index):  # type: ignore[no-untyped-def]
    """The bundled index served by each search store: FAISS in process, and the same vectors in a Milvus
    collection (Milvus Lite embedded, `milvus-lite server`), filled once per session."""
    if request.param == "faiss":
        yield bundled_index
        return
    from rag import milvus, store

    home = tmp_path_factory.mktemp(f"{request.param}-home")
    settings = milvus_settings(request.param, home, request, home=home)
    plan = milvus.upsert(settings, bundled_index.clauses, store.all_vectors(bundled_index), bundled_index.embedder_id)
    milvus.finish(settings, plan, bundled_index.manifest)
    index = store.load(settings)
    assert index.search_store.kind == "milvus" and index.warnings == ()
    yield index
    milvus.disconnect(settings)
