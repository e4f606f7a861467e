"""Build, save and load the index: FAISS vectors + BM25 over jieba tokens + the clauses, no pickle.

index/ holds

    manifest.json              readable: format, embedder, dimension, corpus hash, counts, files, built_at
    vectors-<digest>.faiss     FAISS's own binary format
    clauses-<digest>.jsonl     one Clause per line, in vector order
    documents-<digest>.jsonl   one Document per line (its cleaned text, for showing clauses in place)

A build writes the data files under new names, then replaces manifest.json with one atomic rename,
then deletes files no manifest names. An interrupted build leaves the previous manifest pointing at
complete files, so the previous index still loads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import clauses as clause_splitter
from . import dates, embed, ingest, measures
from .config import Settings
from .errors import IndexMismatchError, InputError, LoaderError
from .model import Clause, Document
from .text import tokenize

log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: clauses carry measures and their policy's dates; documents carry PolicyDates
# Above this many clauses the vectors go into an HNSW graph instead of a flat (exact) index:
# flat search time grows linearly and passes ~10 ms near 200k clauses of 384 dimensions on 2 cores,
# while HNSW stays near 1 ms with recall@10 above 0.95 (see `rag bench`).
APPROX_THRESHOLD = 200_000
EMBED_BATCH = 32

Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class Index:
    """A loaded index. `vectors[i]` belongs to `clauses[i]`."""

    manifest: dict[str, Any]
    clauses: list[Clause]
    documents: dict[str, Document]
    faiss_index: Any
    tokens: list[list[str]]
    _bm25: Any = field(default=None, repr=False)
    _by_id: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {c.id: i for i, c in enumerate(self.clauses)}

    @property
    def bm25(self) -> Any:
        """BM25 over the clause tokens, built once per loaded index (a few ms), never per query."""
        if self._bm25 is None:
            self._bm25 = _bm25_of(self.tokens)
        return self._bm25

    def position(self, clause_id: str) -> int | None:
        return self._by_id.get(clause_id)

    def clause(self, clause_id: str) -> Clause | None:
        i = self._by_id.get(clause_id)
        return None if i is None else self.clauses[i]

    def clauses_of(self, doc_id: str) -> list[Clause]:
        return [c for c in self.clauses if c.doc_id == doc_id]

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
    for module in (ingest, clause_splitter, dates, measures):
        h.update(Path(module.__file__ or "").read_bytes())
    return h.hexdigest()[:16]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def corpus_digest(files: dict[str, str]) -> str:
    """One hash over {file name: sha256}. Example: corpus_digest({"a.txt": "ab12…"}) -> "9f…" """
    return hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Supported files directly in corpus_dir, sorted by name."""
    if not corpus_dir.is_dir():
        raise InputError(f"corpus directory {corpus_dir} does not exist")
    return sorted(p for p in corpus_dir.iterdir() if p.is_file() and p.suffix.lower() in ingest.SUPPORTED)


# ---------------------------------------------------------------- build


@dataclass(frozen=True)
class BuildReport:
    """What `build`/`add` did. Example: added 1 file, 42 clauses embedded, 2801 reused, 0 failed."""

    files: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]
    clauses_total: int
    clauses_embedded: int
    seconds: float


def build(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """(Re)build the index at settings.index_dir from the corpus directory, incrementally.

    With `paths`, those files are first copied into the corpus directory (so a later full rebuild
    keeps them) and indexed beside what is there. Clauses whose text is already in the index with
    the same embedder reuse their vectors: adding one file embeds only its clauses. A file that
    cannot be read is reported in `failed`; every other file is still indexed.
    """
    started = time.perf_counter()
    added = _copy_into_corpus(settings.corpus_dir, paths or [])
    files = corpus_files(settings.corpus_dir)
    documents, failed = ingest.load_many(files)
    failed += added.failed
    if not documents:
        raise LoaderError("no document could be read: " + "; ".join(f"{n}: {e}" for n, e in failed))
    clause_list = [c for doc in documents for c in clause_splitter.split(doc)]
    documents, clause_list = dates.annotate(documents, clause_list)
    clause_list = measures.annotate(clause_list)
    embedder = embed.get(settings.embedder)
    vectors, embedded = _vectors_for(clause_list, embedder, _reusable(settings), progress)
    ok_files = {d.source for d in documents}
    manifest = _manifest(settings, embedder, clause_list, documents, files, ok_files)
    _write(settings.index_dir, manifest, clause_list, documents, vectors)
    return BuildReport(
        files=tuple(added.copied) or tuple(sorted(ok_files)),
        failed=tuple((str(n), e) for n, e in failed),
        clauses_total=len(clause_list),
        clauses_embedded=embedded,
        seconds=time.perf_counter() - started,
    )


@dataclass
class _Copied:
    copied: list[str] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)


def _copy_into_corpus(corpus_dir: Path, paths: Iterable[Path]) -> _Copied:
    """Copy new files into the corpus directory; reject unsupported or unreadable ones by name."""
    result = _Copied()
    corpus_dir.mkdir(parents=True, exist_ok=True)
    for path in map(Path, paths):
        try:
            ingest.load(path)  # fail early, before the file joins the corpus
        except LoaderError as exc:
            result.failed.append((path, str(exc)))
            continue
        target = corpus_dir / path.name
        if path.resolve() != target.resolve():
            _atomic_write_bytes(target, path.read_bytes())
        result.copied.append(path.name)
    return result


def _reusable(settings: Settings) -> dict[str, np.ndarray]:
    """Vectors of the current index by embedded text, when it was built by the same embedder."""
    try:
        old = load(settings, check_corpus=False)
    except (IndexMismatchError, FileNotFoundError, OSError, ValueError) as exc:
        log.info("not reusing vectors: %s", exc)
        return {}
    return {_passage_key(c): _reconstruct(old.faiss_index, i) for i, c in enumerate(old.clauses)}


def _passage_key(clause: Clause) -> str:
    """Vectors are reused by what was embedded, so a changed title or path is embedded again."""
    return hashlib.sha256(passage_text(clause).encode()).hexdigest()


def _vectors_for(
    clause_list: list[Clause],
    embedder: Any,
    reusable: dict[str, np.ndarray],
    progress: Progress | None,
) -> tuple[np.ndarray, int]:
    """Vectors in clause order; only clauses not in `reusable` are embedded, in batches."""
    keys = [_passage_key(c) for c in clause_list]
    todo = [i for i, key in enumerate(keys) if key not in reusable]
    out = np.zeros((len(clause_list), embedder.dim), dtype=np.float32)
    for i, key in enumerate(keys):
        if key in reusable:
            out[i] = reusable[key]
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        out[batch] = embedder.passages([passage_text(clause_list[i]) for i in batch])
        if progress:
            progress(min(start + EMBED_BATCH, len(todo)), len(todo))
    if progress and not todo:
        progress(0, 0)
    return out, len(todo)


def _manifest(
    settings: Settings,
    embedder: Any,
    clause_list: list[Clause],
    documents: list[Document],
    files: list[Path],
    ok_files: set[str],
) -> dict[str, Any]:
    digests = {p.name: file_digest(p) for p in files if p.name in ok_files}
    return {
        "format_version": FORMAT_VERSION,
        "embedder": embedder.id,
        "dimension": int(embedder.dim),
        "corpus_hash": corpus_digest(digests),
        "splitter_hash": splitter_digest(),
        "files": digests,
        "document_count": len(documents),
        "clause_count": len(clause_list),
        "faiss_type": "hnsw" if len(clause_list) > APPROX_THRESHOLD else "flat",
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


# ---------------------------------------------------------------- write (atomic) and load


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


def _write(
    index_dir: Path,
    manifest: dict[str, Any],
    clause_list: list[Clause],
    documents: list[Document],
    vectors: np.ndarray,
) -> None:
    import faiss

    index_dir.mkdir(parents=True, exist_ok=True)
    clauses_blob = "".join(json.dumps(c.to_json(), ensure_ascii=False) + "\n" for c in clause_list)
    docs_blob = "".join(json.dumps(d.to_json(), ensure_ascii=False) + "\n" for d in documents)
    digest = hashlib.sha256(clauses_blob.encode() + vectors.tobytes()).hexdigest()[:12]
    names = {
        "vectors": f"vectors-{digest}.faiss",
        "clauses": f"clauses-{digest}.jsonl",
        "documents": f"documents-{digest}.jsonl",
    }
    with tempfile.TemporaryDirectory(dir=index_dir, prefix=".build-") as tmp:
        faiss.write_index(make_faiss(vectors, manifest["faiss_type"]), str(Path(tmp) / names["vectors"]))
        (Path(tmp) / names["clauses"]).write_text(clauses_blob, encoding="utf-8")
        (Path(tmp) / names["documents"]).write_text(docs_blob, encoding="utf-8")
        for name in names.values():
            _fsync(Path(tmp) / name)
            os.replace(Path(tmp) / name, index_dir / name)
    manifest = {**manifest, "data": names}
    _atomic_write_bytes(index_dir / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    _remove_unreferenced(index_dir, set(names.values()))


def _atomic_write_bytes(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _fsync(path: Path) -> None:
    with open(path, "rb") as f:
        os.fsync(f.fileno())


def _remove_unreferenced(index_dir: Path, keep: set[str]) -> None:
    for path in index_dir.iterdir():
        stale_data = path.name.startswith(("vectors-", "clauses-", "documents-")) and path.name not in keep
        if stale_data and path.is_file():
            path.unlink()


def read_manifest(index_dir: Path) -> dict[str, Any]:
    path = index_dir / "manifest.json"
    if not path.exists():
        raise FileNotFoundError(f"no index at {index_dir}: run `rag index` to build it")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexMismatchError(f"{path} is not a valid manifest ({exc}): run `rag index` to rebuild") from exc
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatchError(
            f"{index_dir} has index format {manifest.get('format_version')}, this version reads "
            f"{FORMAT_VERSION}: run `rag index` to rebuild"
        )
    return dict(manifest)


def load(settings: Settings, check_corpus: bool = True) -> Index:
    """The index at settings.index_dir, validated against the embedder and (optionally) the corpus.

    Raises IndexMismatchError, with the command that fixes it, when the index was built by another
    embedder or from other corpus files; FileNotFoundError when there is no index.
    """
    import faiss

    index_dir = settings.index_dir
    manifest = read_manifest(index_dir)
    if manifest["embedder"] != settings.embedder:
        raise IndexMismatchError(
            f"{index_dir} was built with {manifest['embedder']} but RAG_EMBEDDER is {settings.embedder}: "
            f"run `rag index` to rebuild it with {settings.embedder}"
        )
    if check_corpus:
        check_corpus_matches(manifest, settings.corpus_dir)
    names = manifest["data"]
    clause_list = [Clause.from_json(json.loads(line)) for line in _lines(index_dir / names["clauses"])]
    documents = [Document.from_json(json.loads(line)) for line in _lines(index_dir / names["documents"])]
    vectors = faiss.read_index(str(index_dir / names["vectors"]))
    # One question at a time: extra OpenMP threads only contend on a small or busy machine
    # (flat search at 128k clauses: 9 ms on one thread, 37-47 ms on two under load; `rag bench`).
    faiss.omp_set_num_threads(1)
    if vectors.ntotal != len(clause_list) or vectors.d != manifest["dimension"]:
        raise IndexMismatchError(f"{index_dir} is inconsistent (vectors vs clauses): run `rag index` to rebuild")
    tokens = [tokenize(passage_text(c)) for c in clause_list]
    return Index(manifest, clause_list, {d.id: d for d in documents}, vectors, tokens)


def check_corpus_matches(manifest: dict[str, Any], corpus_dir: Path) -> None:
    """IndexMismatchError naming the files that changed since the index was built."""
    if not corpus_dir.is_dir():
        return  # an index shipped without its corpus can still be searched
    indexed: dict[str, str] = manifest.get("files", {})
    current = {p.name: p for p in corpus_files(corpus_dir)}
    changed = [n for n, d in indexed.items() if n in current and file_digest(current[n]) != d]
    removed = [n for n in indexed if n not in current]
    new = [n for n in current if n not in indexed]
    if changed or removed or new:
        detail = "; ".join(
            f"{label}: {', '.join(sorted(names))}"
            for label, names in (("changed", changed), ("removed", removed), ("not indexed", new))
            if names
        )
        raise IndexMismatchError(f"the index is out of date with {corpus_dir} ({detail}): run `rag index`")


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _reconstruct(faiss_index: Any, i: int) -> np.ndarray:
    return np.asarray(faiss_index.reconstruct(i), dtype=np.float32)


def _bm25_of(tokens: list[list[str]]) -> Any:
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)

    model = bm25s.BM25(k1=1.2, b=0.75)
    model.index([t or ["<empty>"] for t in tokens], show_progress=False)
    return model


def all_vectors(index: Index) -> np.ndarray:
    """All clause vectors as an (n, dim) array (flat indexes only hold them directly)."""
    return np.vstack([_reconstruct(index.faiss_index, i) for i in range(index.faiss_index.ntotal)])
