"""Milvus as the search store (RAG_STORE=milvus): Milvus Lite embedded in this process (RAG_MILVUS_URI
ending in .db, by default $RAG_HOME/milvus.db) or a Milvus server (http(s)://host:port: Standalone,
Distributed, or `milvus-lite server`), one collection per index (RAG_MILVUS_COLLECTION).

The collection holds one row per clause of the local index, keyed by the clause id:

    vector    FLOAT_VECTOR(dim)     the clause vector of the local index (HNSW, inner product)
    lexical   SPARSE_FLOAT_VECTOR   BM25 weights of the clause's jieba tokens (rag/sparse.py, inner product)
    doc_id, region, year            filter fields: a Scope becomes a filter expression
    digest                          what the row was made from, so a sync rewrites changed rows only

and, as collection properties, what it was built from: rag.embedder and rag.dimension (a collection of
another embedder is refused), rag.stamp (the version of the local index it mirrors) and rag.mean_length
(the mean clause length its BM25 weights assume). Clause texts, documents and item vectors stay in the
local index directory: Milvus answers "which clauses", the local index says what they are.

`rag index` fills the collection from the index it builds, in two steps around the local commit point
(rag/update.py), so a failure or a kill never leaves readers with rows they cannot resolve:

    plan = upsert(settings, clauses, vectors, embedder_id)   # before: new and changed rows written
    finish(settings, plan, manifest)                         # after: rows of removed clauses deleted, stamp set

    store = open_store(settings, index)                      # at load: embedder and dimension checked
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import IndexMismatchError, StoreError
from .model import Clause
from .search_store import Query, Ranked, Scope
from .sparse import Lexicon
from .store import passage_text
from .text import tokenize

if TYPE_CHECKING:
    from .config import Settings
    from .store import Index

log = logging.getLogger(__name__)

FORMAT = "1"  # of the collection's rows and properties
HNSW = {"M": 32, "efConstruction": 80}  # as store.make_faiss
EF_SEARCH = 256  # as store.make_faiss: recall@10 0.97 at 126k clauses
BATCH = 500  # rows per upsert or delete request (well under Milvus's 64 MB message limit at 1024 dims)
MEAN_DRIFT = 0.02  # the BM25 mean clause length is kept until the real one moves this much (see _mean_length)
TEXT_LIMIT = 1024  # max_length of the id, doc_id and region fields (bytes)
CONNECT_SECONDS = 20.0
RECONNECT_PAUSE = 1.0  # seconds before the one more try at a server that dropped a new connection

Progress = Callable[[int, int], None]


# ---------------------------------------------------------------- connections


_clients: dict[tuple[str, str], Any] = {}
_clients_lock = threading.Lock()


def connect(settings: Settings) -> Any:
    """The MilvusClient for RAG_MILVUS_URI and RAG_MILVUS_TOKEN, opened once per process (embedded Milvus
    Lite allows one process per .db, so the app and its uploads share one client)."""
    key = (settings.milvus_target, settings.milvus_token or "")
    with _clients_lock:
        if key not in _clients:
            _clients[key] = _open_client(settings)
        return _clients[key]


def _open_client(settings: Settings) -> Any:
    try:
        from pymilvus import MilvusClient
        from pymilvus.exceptions import MilvusException
    except ImportError as exc:
        raise StoreError(
            "RAG_STORE=milvus needs pymilvus and milvus-lite: pip install -e \".[milvus]\" (or unset RAG_STORE "
            "to search with FAISS in this process)"
        ) from exc

    uri = settings.milvus_target
    embedded = uri.endswith(".db")
    if embedded:
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    try:
        with _quiet("milvus_lite.server_manager"):  # it logs a traceback, then pymilvus raises without a message
            try:
                return MilvusClient(uri=uri, token=settings.milvus_token or "", timeout=CONNECT_SECONDS)
            except MilvusException:
                if embedded:
                    raise
                # a server may drop a new connection once ("GOAWAY too_many_pings" from a busy server): one
                # more try, after a pause, before saying it cannot be reached
                time.sleep(RECONNECT_PAUSE)
                return MilvusClient(uri=uri, token=settings.milvus_token or "", timeout=CONNECT_SECONDS)
    except MilvusException as exc:
        if embedded:
            raise StoreError(
                f"cannot open Milvus Lite at {uri}: embedded Milvus Lite serves one process, and another one "
                "(the app, or another `rag` command) probably has it open. Stop that process, or serve the "
                f"data to every process with `milvus-lite server --host 127.0.0.1 --port 19530 --data-dir {uri}` "
                "and set RAG_MILVUS_URI=http://127.0.0.1:19530"
            ) from exc
        raise StoreError(
            f"cannot reach Milvus at {uri} ({exc.message or exc}): check that it is running and that "
            "RAG_MILVUS_URI and RAG_MILVUS_TOKEN are right"
        ) from exc


def disconnect(settings: Settings) -> None:
    """Close this process's client for the configured URI (and stop its embedded Milvus Lite)."""
    key = (settings.milvus_target, settings.milvus_token or "")
    with _clients_lock:
        client = _clients.pop(key, None)
    if client is not None:
        client.close()
    if settings.milvus_target.endswith(".db"):
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(settings.milvus_target)


@contextmanager
def _speaking(settings: Settings, doing: str) -> Iterator[None]:
    """A pymilvus error inside becomes a StoreError naming the URI and the collection (never the token)."""
    from pymilvus.exceptions import MilvusException

    try:
        yield
    except MilvusException as exc:
        raise StoreError(
            f"Milvus at {settings.milvus_target} failed while {doing} collection {settings.milvus_collection}: "
            f"{exc.message or exc}"
        ) from exc


# ---------------------------------------------------------------- the collection


def _create(client: Any, name: str, dim: int) -> None:
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=TEXT_LIMIT)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("lexical", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=TEXT_LIMIT)
    schema.add_field("region", DataType.VARCHAR, max_length=TEXT_LIMIT)
    schema.add_field("year", DataType.INT64)
    schema.add_field("digest", DataType.VARCHAR, max_length=64)
    indexes = client.prepare_index_params()
    indexes.add_index(field_name="vector", index_type="HNSW", metric_type="IP", params=HNSW)
    indexes.add_index(field_name="lexical", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    with _quiet("grpc._server"):  # Milvus Lite lacks the timestamp call pymilvus waits for indexes with; it logs a traceback
        client.create_collection(name, schema=schema, index_params=indexes, consistency_level="Strong")


def _properties(client: Any, name: str) -> dict[str, str] | None:
    """The collection's rag.* properties and its vector dimension, or None when there is no collection."""
    if not client.has_collection(name):
        return None
    info = client.describe_collection(name)
    props = {k: str(v) for k, v in (info.get("properties") or {}).items() if k.startswith("rag.")}
    dims = [f.get("params", {}).get("dim") for f in info.get("fields", []) if f.get("name") == "vector"]
    props["schema.dimension"] = str(dims[0]) if dims else ""
    return props


def _check(settings: Settings, props: dict[str, str], embedder: str, dim: int) -> None:
    """Refuse a collection built with another embedder or dimension, saying what to do."""
    theirs = props.get("rag.embedder")
    their_dim = props.get("rag.dimension") or props.get("schema.dimension")
    if theirs == embedder and their_dim == props.get("schema.dimension") == str(dim):
        return
    what = f"{theirs or 'another program'} ({their_dim or '?'} dimensions)"
    raise IndexMismatchError(
        f"Milvus collection {settings.milvus_collection} at {settings.milvus_target} holds vectors of {what}, "
        f"but this index uses {embedder} ({dim} dimensions): run `rag index --recreate` to drop and refill it, "
        "or set RAG_MILVUS_COLLECTION to a new name and run `rag index`"
    )


def check_embedder(settings: Settings, embedder: str, dim: int) -> None:
    """Before a build embeds anything: refuse a collection (if there is one) of another embedder or dimension."""
    with _speaking(settings, "checking"):
        props = _properties(connect(settings), settings.milvus_collection)
    if props is not None:
        _check(settings, props, embedder, dim)


def stamp(manifest: dict[str, Any]) -> str:
    """Which version of a local index a collection mirrors: a digest of the data files its manifest names."""
    return hashlib.sha256(json.dumps(manifest.get("data", {}), sort_keys=True).encode()).hexdigest()[:16]


# ---------------------------------------------------------------- searching


def expression(scope: Scope | None) -> str:
    """A Scope as a Milvus filter expression; "" for everything.

    Example: Scope(docs=frozenset({"a"}), years=frozenset({2022})) -> 'doc_id in ["a"] and year in [2022]'
    """
    if scope is None:
        return ""
    parts = []
    if scope.docs is not None:
        parts.append(f"doc_id in {_strings(scope.docs)}")
    if scope.regions is not None:
        parts.append(f"region in {_strings(scope.regions)}")
    if scope.years is not None:
        parts.append(f"year in [{', '.join(str(int(y)) for y in sorted(scope.years))}]")
    if scope.not_docs:
        parts.append(f"doc_id not in {_strings(scope.not_docs)}")
    return " and ".join(parts)


def _strings(values: frozenset[str]) -> str:
    """A list literal of string literals, escaped. Example: {'a"b'} -> '["a\\\\"b"]'"""
    return "[" + ", ".join(_quote(v) for v in sorted(values)) + "]"


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{escaped}"'


class MilvusStore:
    """Dense and sparse (BM25) search in a Milvus collection; scopes go to Milvus as filter expressions.

    The BM25 query weights need the document frequencies of the clauses, which the local index has (its
    tokens), so a question's sparse vector is made here and Milvus only multiplies.
    """

    kind = "milvus"

    def __init__(self, settings: Settings, index: Index, warnings: Sequence[str] = ()) -> None:
        self.settings = settings
        self.index = index
        self.client = connect(settings)
        self.name = settings.milvus_collection
        self.lexicon = Lexicon.of(index.tokens)
        self.warnings = tuple(warnings)

    def dense(self, query: Query, scope: Scope | None, depth: int) -> Ranked:
        if scope is not None and scope.empty:
            return []
        params = {"metric_type": "IP", "params": {"ef": max(EF_SEARCH, depth)}}
        return self._search([query.vector[0].tolist()], "vector", params, scope, depth)

    def lexical(self, query: Query, scope: Scope | None, depth: int) -> Ranked:
        weights = query.memo.get("sparse")
        if weights is None:
            weights = query.memo["sparse"] = self.lexicon.query_vector(query.tokens)
        if not weights or (scope is not None and scope.empty):
            return []
        return self._search([weights], "lexical", {"metric_type": "IP"}, scope, depth)

    def ranked(self, query: Query, scope: Scope | None, depth: int) -> tuple[Ranked, Ranked]:
        """Two requests with the same filter. Not hybrid_search: its RRFRanker sums 1/(k + rank) with equal
        weights, and retrieval weighs BM25 ranks 1.3 to dense 1.0 (rag/retrieve.py), so both lists come
        back and are fused there, as for FAISS."""
        return self.dense(query, scope, depth), self.lexical(query, scope, depth)

    def _search(self, data: list[Any], field: str, params: dict[str, Any], scope: Scope | None, depth: int) -> Ranked:
        with _speaking(self.settings, "searching"):
            found = self.client.search(
                self.name, data=data, anns_field=field, limit=depth, filter=expression(scope),
                search_params=params, output_fields=["id"],
            )
        out: Ranked = []
        for hit in found[0] if found else []:
            pos = self.index.position(str(hit["id"]))
            if pos is not None:  # a row the local index does not have (a writer is mid-change): skipped
                out.append((pos, float(hit["distance"])))
        return out


def open_store(settings: Settings, index: Index) -> MilvusStore:
    """The collection that mirrors a loaded index, checked: it must exist and hold vectors of the index's
    embedder and dimension (IndexMismatchError says what to do); one that mirrors another version of the
    index serves with a warning, like an index that does not match its corpus files."""
    client = connect(settings)
    name = settings.milvus_collection
    with _speaking(settings, "opening"):
        props = _properties(client, name)
        if props is None:
            raise IndexMismatchError(
                f"there is no Milvus collection {name} at {settings.milvus_target}: run `rag index` "
                "(with RAG_STORE=milvus) to fill it from the local index"
            )
        _check(settings, props, index.embedder_id, int(index.manifest["dimension"]))
        client.load_collection(name)
    warnings = []
    if props.get("rag.stamp") != stamp(index.manifest):
        warnings.append(
            f"Milvus collection {name} does not mirror {index.location} (a change was interrupted, or the index "
            "was rebuilt without Milvus): it serves as it is; run `rag index` to update it"
        )
    return MilvusStore(settings, index, warnings)


# ---------------------------------------------------------------- filling


@dataclass(frozen=True)
class Plan:
    """What `upsert` wrote and what `finish` must remove. Example: Plan(upserted=12, unchanged=1253, stale=(…,))"""

    upserted: int
    unchanged: int
    stale: tuple[str, ...]
    mean_length: float


@dataclass(frozen=True)
class SyncReport:
    """What a change did to the collection. Example: SyncReport("rag_clauses", 12, 0, 1253, 0.8)"""

    collection: str
    upserted: int
    deleted: int
    unchanged: int
    seconds: float


def upsert(
    settings: Settings,
    clause_list: Sequence[Clause],
    vectors: np.ndarray,
    embedder: str,
    progress: Progress | None = None,
    recreate: bool = False,
) -> Plan:
    """Write the rows of every new or changed clause (by digest) into the collection, creating it if need
    be; rows already as they should be are not sent again, so running it twice writes nothing the second
    time. Rows of clauses that are gone are listed in the plan for `finish` (after the local commit)."""
    client = connect(settings)
    name, dim = settings.milvus_collection, int(vectors.shape[1])
    tokens = [tokenize(passage_text(c)) for c in clause_list]
    with _speaking(settings, "filling"):
        if recreate and client.has_collection(name):
            log.warning("dropping Milvus collection %s to refill it", name)
            client.drop_collection(name)
        props = _properties(client, name)
        if props is None:
            _create(client, name, dim)
            client.alter_collection_properties(
                name, properties={"rag.embedder": embedder, "rag.dimension": str(dim), "rag.format": FORMAT}
            )
            props = {}
        else:
            _check(settings, props, embedder, dim)
        mean = _mean_length(props, Lexicon.of(tokens).mean_length)
        present = dict(_digests(client, name))
        todo = []
        for i, (clause, clause_tokens) in enumerate(zip(clause_list, tokens, strict=True)):
            digest = _digest(clause, vectors[i], clause_tokens, mean)
            if present.get(clause.id) != digest:
                todo.append((i, digest))
        for start in range(0, len(todo), BATCH):
            rows = [_row(clause_list[i], vectors[i], tokens[i], mean, digest) for i, digest in todo[start : start + BATCH]]
            client.upsert(name, rows)
            if progress:
                progress(min(start + BATCH, len(todo)), len(todo))
        client.alter_collection_properties(name, properties={"rag.mean_length": repr(mean)})
    current = {c.id for c in clause_list}
    stale = tuple(sorted(i for i in present if i not in current))
    return Plan(len(todo), len(clause_list) - len(todo), stale, mean)


def finish(settings: Settings, plan: Plan, manifest: dict[str, Any], seconds: float = 0.0) -> SyncReport:
    """After the local index is committed: delete the rows of clauses it no longer has, flush, record which
    index version the collection now mirrors, and load it for search."""
    client = connect(settings)
    name = settings.milvus_collection
    with _speaking(settings, "updating"):
        for start in range(0, len(plan.stale), BATCH):
            client.delete(name, ids=list(plan.stale[start : start + BATCH]))
        client.flush(name)  # Milvus Lite searches unflushed rows without their index, 10-50x slower
        client.alter_collection_properties(name, properties={"rag.stamp": stamp(manifest)})
        client.load_collection(name)
    return SyncReport(name, plan.upserted, len(plan.stale), plan.unchanged, seconds)


def _mean_length(props: dict[str, str], actual: float) -> float:
    """The mean clause length the BM25 weights assume: the collection's, while the real mean is within
    MEAN_DRIFT of it, so adding a document rewrites its own rows and not every row (every weight depends on
    the mean). Within 2% of the real mean, BM25 scores move by well under 1%; past it, every row is rewritten."""
    try:
        pinned = float(props.get("rag.mean_length", ""))
    except ValueError:
        return actual
    return pinned if pinned > 0 and abs(actual - pinned) <= MEAN_DRIFT * pinned else actual


def _digest(clause: Clause, vector: np.ndarray, tokens: Sequence[str], mean: float) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in (clause.id, clause.doc_id, clause.region or "", str(clause.year or 0), "\x1f".join(tokens), repr(mean)):
        h.update(part.encode("utf-8") + b"\x1e")
    h.update(np.ascontiguousarray(vector, dtype=np.float32).tobytes())
    return h.hexdigest()


def _row(clause: Clause, vector: np.ndarray, tokens: Sequence[str], mean: float, digest: str) -> dict[str, Any]:
    return {
        "id": clause.id,
        "vector": np.asarray(vector, dtype=np.float32).tolist(),
        "lexical": Lexicon.clause_vector(tokens, mean),
        "doc_id": clause.doc_id,
        "region": clause.region or "",
        "year": int(clause.year or 0),
        "digest": digest,
    }


def _digests(client: Any, name: str) -> Iterator[tuple[str, str]]:
    """(id, digest) of every row of the collection, a batch at a time."""
    client.load_collection(name)
    # Milvus Lite lacks the timestamp call the iterator starts with: its server logs a traceback and pymilvus
    # a warning before falling back to a client-side timestamp, which is right for one writer.
    with _quiet("grpc._server", "pymilvus.client.iterator.query_iterator"):
        it = client.query_iterator(name, batch_size=2000, filter="", output_fields=["id", "digest"])
    try:
        while batch := it.next():
            for row in batch:
                yield str(row["id"]), str(row.get("digest", ""))
    finally:
        it.close()


@contextmanager
def _quiet(*names: str) -> Iterator[None]:
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
