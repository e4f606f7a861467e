"""The index on disk: FAISS vectors + BM25 over jieba tokens + the clauses, no pickle; and loading it.
Searching it is the search store's work (rag/search_store.py, RAG_STORE): FAISS in this process, or a
Milvus collection that mirrors the vectors (then the FAISS file is not read at load).

Two places hold an index (rag/config.py, "Where data lives"):

    RAG_INDEX_DIR  (index/)      the bundled index of RAG_CORPUS_DIR (corpus/). The product never writes
                                 either; `rag index --bundled` is how maintainers refresh them.
    RAG_HOME/index (data/index)  an index of the bundled corpus plus the files users added, which live
                                 in RAG_HOME/corpus. When it exists, it is the index that loads.

An index directory holds

    manifest.json              readable: format, embedder, dimension, file digests, counts, built_at
    vectors-<digest>.faiss     FAISS's own binary format
    clauses-<digest>.jsonl     one Clause per line, in vector order, with its items (rag/items.py)
    documents-<digest>.jsonl   one Document per line (its cleaned text, for showing clauses in place)
    items-<digest>.npy         the vectors of the clauses' items (rag/item_vectors.py), numpy's format

rag/update.py writes them (one writer at a time, committed by the manifest's atomic rename). Loading
checks the embedder (a mismatch names the command that fixes it) and compares the corpus files on
disk with what the index covers: a difference is a warning, and the last good index serves.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import clauses as clause_splitter
from . import dates, ingest, item_vectors, measures
from . import items as clause_items
from .config import Settings
from .errors import IndexMismatchError, InputError
from .model import Clause, Document, with_leads
from .text import tokenize

log = logging.getLogger(__name__)

# 2: clauses carry their items, whose vectors are in items-*.npy; 3: clauses carry measures and their
# policy's dates, documents carry PolicyDates
FORMAT_VERSION = 3
# Above this many clauses the vectors go into an HNSW graph instead of a flat (exact) index:
# flat search time grows linearly and passes ~10 ms near 200k clauses of 384 dimensions on 2 cores,
# while HNSW stays near 1 ms with recall@10 above 0.95 (see `rag bench`).
APPROX_THRESHOLD = 200_000
EMBED_BATCH = 32
@dataclass
class Index:
    """A loaded index. `vectors[i]` belongs to `clauses[i]`.

    `warnings` say how it disagrees with the corpus files on disk (it is served anyway); `location`
    is the directory it was loaded from. `search_store` answers retrieval's dense and lexical searches
    (FAISS over `faiss_index` unless load was told otherwise; `faiss_index` is None under Milvus).
    """

    manifest: dict[str, Any]
    clauses: list[Clause]
    documents: dict[str, Document]
    faiss_index: Any
    tokens: list[list[str]]
    _bm25: Any = field(default=None, repr=False)
    _by_id: dict[str, int] = field(default_factory=dict, repr=False)
    warnings: tuple[str, ...] = ()
    location: Path | None = None
    item_matrix: np.ndarray | None = None  # item vectors, rows as item_vectors.layout(clauses)
    item_rows: list[list[int | None]] = field(default_factory=list, repr=False)
    _catalog: Any = field(default=None, repr=False)
    _speller: Any = field(default=None, repr=False)
    _by_doc: dict[str, list[Clause]] | None = field(default=None, repr=False)
    _plain: list[str] | None = field(default=None, repr=False)
    _defined: list[tuple[str, Clause, int]] | None = field(default=None, repr=False)
    search_store: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.clauses = with_leads(self.clauses)
        self._by_id = {c.id: i for i, c in enumerate(self.clauses)}
        self.item_rows = item_vectors.layout(self.clauses)
        if self.search_store is None:
            from .search_store import FaissStore

            self.search_store = FaissStore(self)

    @property
    def bm25(self) -> Any:
        """BM25 over the clause tokens, built once per loaded index (a few ms), never per query."""
        if self._bm25 is None:
            self._bm25 = _bm25_of(self.tokens)
        return self._bm25

    @property
    def catalog(self) -> Any:
        """The regions and policies of the index, as question analysis reads them (rag/question.py)."""
        if self._catalog is None:
            from .question import Catalog

            self._catalog = Catalog.of(list(self.documents.values()), self.clauses)
        return self._catalog

    @property
    def speller(self) -> Any:
        """Homophone slips of a question, read against the policies' words (rag/typos.py)."""
        if self._speller is None:
            from .typos import Speller

            texts = [c.text for c in self.clauses] + [d.title for d in self.documents.values()]
            self._speller = Speller.of(texts)
        return self._speller

    def position(self, clause_id: str) -> int | None:
        return self._by_id.get(clause_id)

    def clause(self, clause_id: str) -> Clause | None:
        i = self._by_id.get(clause_id)
        return None if i is None else self.clauses[i]

    def clauses_of(self, doc_id: str) -> list[Clause]:
        """The clauses of one policy, in order."""
        return list(self.by_doc().get(doc_id, []))

    def by_doc(self) -> dict[str, list[Clause]]:
        """Every policy's clauses, in order, grouped once per loaded index (do not change the lists)."""
        if self._by_doc is None:
            self._by_doc = {}
            for c in self.clauses:
                self._by_doc.setdefault(c.doc_id, []).append(c)
        return self._by_doc

    def plain_texts(self) -> list[str]:
        """Every clause's text normalised and lower-cased (rag.text.norm), in clause order, made once per
        loaded index: a phrase is looked for in all of them ("哪些地方提到…")."""
        if self._plain is None:
            from .text import norm

            self._plain = [norm(c.text).lower() for c in self.clauses]
        return self._plain

    def definitions(self) -> list[tuple[str, Clause, int]]:
        """The terms the policies define ("人工智能产品包括：…"), each with its clause and defining item
        (rag.lookup.definitions), found once per loaded index."""
        if self._defined is None:
            from .lookup import definitions

            self._defined = definitions(self.clauses)
        return self._defined

    @property
    def embedder_id(self) -> str:
        return str(self.manifest["embedder"])


# ---------------------------------------------------------------- what goes into vectors and BM25


def passage_text(clause: Clause) -> str:
    """What is embedded and BM25-indexed for a clause: policy title, region and heading path give
    context a bare clause lacks ("第六条" alone does not say which city).

    Example: -> "《北京市关于…十五条措施》北京市\\n第六条 鼓励发展早期和长期投资。联合…"
    """
    head = f"《{clause.doc_title}》{clause.region or ''}"
    path = " ".join(clause.path)
    return "\n".join(part for part in (head, path, clause.text) if part)


def splitter_digest() -> str:
    """Hash of the ingest and clause-splitting code: a changed splitter makes the index stale."""
    h = hashlib.sha256()
    for module in (ingest, clause_splitter, clause_items, dates, measures):
        h.update(Path(module.__file__ or "").read_bytes())
    return h.hexdigest()[:16]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corpus_digest(files: dict[str, str]) -> str:
    """One hash over {file name: sha256}. Example: corpus_digest({"a.txt": "ab12…"}) -> "9f…" """
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Supported files directly in corpus_dir, sorted by name; hidden names (staging) excluded."""
    if not corpus_dir.is_dir():
        raise InputError(f"corpus directory {corpus_dir} does not exist")
    return sorted(
        p
        for p in corpus_dir.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in ingest.SUPPORTED
    )


def active_dir(settings: Settings) -> Path:
    """The index that loads: RAG_HOME/index when it has a manifest, else the bundled RAG_INDEX_DIR."""
    data = settings.data_index_dir
    return data if (data / "manifest.json").is_file() else settings.index_dir


# ---------------------------------------------------------------- FAISS, and load


def in_memory(clause_list: Sequence[Clause], documents: Sequence[Document], embedder: Any) -> Index:
    """An Index built in memory, without files: for tests, benchmarks and tools.

    Clauses made by hand get their items parsed here. Example: in_memory(clauses, docs, FakeEmbedder())
    """
    from dataclasses import replace as with_fields

    from . import items as clause_items

    clause_list = [c if c.items else with_fields(c, items=clause_items.split(c.text, c.title)) for c in clause_list]
    vectors = embedder.passages([passage_text(c) for c in clause_list])
    item_matrix, _ = item_vectors.embed_items(clause_list, embedder, {})
    manifest = {"embedder": embedder.id, "dimension": int(embedder.dim), "format_version": FORMAT_VERSION}
    tokens = [tokenize(passage_text(c)) for c in clause_list]
    faiss_index = make_faiss(np.asarray(vectors, dtype=np.float32), "flat")
    return Index(manifest, list(clause_list), {d.id: d for d in documents}, faiss_index, tokens, item_matrix=item_matrix)


def make_faiss(vectors: np.ndarray, kind: str) -> Any:
    """Inner-product FAISS index over unit vectors: flat (exact) or HNSW (approximate)."""
    import faiss

    dim = vectors.shape[1]
    index: Any
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 256  # recall@10 at 126k clauses: 64 -> 0.87, 128 -> 0.94, 256 -> 0.97 (`rag bench`)
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def read_manifest(index_dir: Path, any_format: bool = False) -> dict[str, Any]:
    """The manifest of an index directory; IndexMismatchError for another format unless `any_format`
    (a rebuild may still reuse an older index's vectors)."""
    path = index_dir / "manifest.json"
    if not path.exists():
        raise FileNotFoundError(f"no index at {index_dir}: run `rag index` to build it")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexMismatchError(f"{path} is not a valid manifest ({exc}): run `rag index` to rebuild") from exc
    if manifest.get("format_version") != FORMAT_VERSION and not any_format:
        raise IndexMismatchError(
            f"{index_dir} has index format {manifest.get('format_version')}, this version reads "
            f"{FORMAT_VERSION}: run `rag index` to rebuild"
        )
    return dict(manifest)


def load(settings: Settings, check_corpus: bool = True) -> Index:
    """The index that serves: RAG_HOME/index when it exists, else the bundled index.

    Raises IndexMismatchError, with the command that fixes it, when it was built by another embedder
    or cannot be read; FileNotFoundError when there is none. Files on disk that it does not match
    (changed, removed or not indexed) are logged as warnings and kept in `Index.warnings`: the last
    good index keeps serving until `rag index` updates it.
    """
    index_dir = active_dir(settings)
    manifest = read_manifest(index_dir)
    if manifest["embedder"] != settings.embedder:
        raise IndexMismatchError(
            f"{index_dir} was built with {manifest['embedder']} but RAG_EMBEDDER is {settings.embedder}: "
            f"run `rag index` to rebuild it with {settings.embedder}"
        )
    local = settings.store == "faiss"  # under Milvus the vectors are searched there: the FAISS file is not read
    try:
        clause_list, documents, vectors, items = read_data(index_dir, manifest, local)
    except FileNotFoundError:  # a writer replaced the index between our two reads: read the new one
        manifest = read_manifest(index_dir)
        clause_list, documents, vectors, items = read_data(index_dir, manifest, local)
    warnings = tuple(corpus_warnings(settings, manifest, index_dir)) if check_corpus else ()
    # One question at a time: extra OpenMP threads only contend on a small or busy machine
    # (flat search at 128k clauses: 9 ms on one thread, 37-47 ms on two under load; `rag bench`).
    import faiss

    faiss.omp_set_num_threads(1)
    tokens = [tokenize(passage_text(c)) for c in clause_list]
    index = Index(manifest, clause_list, {d.id: d for d in documents}, vectors, tokens,
                  warnings=warnings, location=index_dir, item_matrix=items)
    if not local:
        from .search_store import open_store

        index.search_store = open_store(settings, index)
        index.warnings += tuple(getattr(index.search_store, "warnings", ()))
    for warning in index.warnings:
        log.warning("%s", warning)
    return index


def read_data(
    index_dir: Path, manifest: dict[str, Any], vectors_too: bool = True
) -> tuple[list[Clause], list[Document], Any, np.ndarray]:
    """Clauses, documents, FAISS index (None unless `vectors_too`) and item vectors named by a manifest,
    checked against each other."""
    import faiss

    names = manifest["data"]
    clause_list = [Clause.from_json(json.loads(line)) for line in _lines(index_dir / names["clauses"])]
    documents = [Document.from_json(json.loads(line)) for line in _lines(index_dir / names["documents"])]
    path = index_dir / names["vectors"]
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing")
    vectors = faiss.read_index(str(path)) if vectors_too else None
    count, dim = (vectors.ntotal, vectors.d) if vectors is not None else (manifest["clause_count"], manifest["dimension"])
    if count != len(clause_list) or dim != manifest["dimension"]:
        raise IndexMismatchError(f"{index_dir} is inconsistent (vectors vs clauses): run `rag index` to rebuild")
    if "items" not in names:  # an index of format 1: no item vectors (only a rebuild reads one)
        return clause_list, documents, vectors, np.zeros((0, dim), dtype=np.float32)
    items = np.load(index_dir / names["items"], allow_pickle=False)
    rows = sum(r is not None for c in item_vectors.layout(clause_list) for r in c)
    if items.shape != (rows, dim):
        raise IndexMismatchError(f"{index_dir} is inconsistent (item vectors vs clauses): run `rag index` to rebuild")
    return clause_list, documents, vectors, items


def corpus_warnings(settings: Settings, manifest: dict[str, Any], index_dir: Path) -> list[str]:
    """How the corpus files on disk differ from what an index covers, one sentence per place, each
    naming the fix. Example: ["data/index does not match data/corpus (not indexed: 新.txt): it serves
    as it is; run `rag index` to update it"]"""
    indexed: dict[str, str] = manifest.get("files", {})
    added = set(manifest.get("added_files", []))
    places = [
        (settings.corpus_dir, {n: d for n, d in indexed.items() if n not in added}),
        (settings.added_dir, {n: d for n, d in indexed.items() if n in added}),
    ]
    out = []
    for folder, covered in places:
        if not folder.is_dir():
            continue  # an index shipped without its corpus, or nothing added yet
        if detail := _difference(covered, {p.name: p for p in corpus_files(folder)}):
            out.append(
                f"{index_dir} does not match {folder} ({detail}): it serves as it is; "
                "run `rag index` to update it"
            )
    return out


def _difference(indexed: dict[str, str], current: dict[str, Path]) -> str:
    """"changed: a; removed: b; not indexed: c" or "" when they agree."""
    changed = [n for n, d in indexed.items() if n in current and file_digest(current[n]) != d]
    removed = [n for n in indexed if n not in current]
    new = [n for n in current if n not in indexed]
    return "; ".join(
        f"{label}: {', '.join(sorted(names))}"
        for label, names in (("changed", changed), ("removed", removed), ("not indexed", new))
        if names
    )


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def vectors_of(faiss_index: Any) -> np.ndarray:
    """Every stored vector as an (n, dim) array, in one call."""
    n = faiss_index.ntotal
    if n == 0:
        return np.zeros((0, faiss_index.d), dtype=np.float32)
    return np.asarray(faiss_index.reconstruct_n(0, n), dtype=np.float32).reshape(n, faiss_index.d)


def _bm25_of(tokens: list[list[str]]) -> Any:
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)

    model = bm25s.BM25(k1=1.2, b=0.75)
    model.index([t or ["<empty>"] for t in tokens], show_progress=False)
    return model


def all_vectors(index: Index) -> np.ndarray:
    """All clause vectors as an (n, dim) array, read from the index directory when the FAISS index is not
    loaded (under Milvus)."""
    if index.faiss_index is None:
        import faiss

        if index.location is None:
            raise ValueError("an index without a directory and without FAISS vectors has no vectors to give")
        return vectors_of(faiss.read_index(str(index.location / index.manifest["data"]["vectors"])))
    return vectors_of(index.faiss_index)
