"""Changes to the knowledge base: add files, rebuild the index over bundled + added files, recover.

    update.add(settings, [(Path("/tmp/upload-1"), "措施.docx")], budget=600)   # an app upload
    update.build(settings, [Path("措施.docx")])                                # `rag index 措施.docx`
    update.build(settings)                                                     # `rag index`
    update.build_bundled(settings)                                             # `rag index --bundled`
    update.remove(settings, ["措施.docx"])                                      # `rag remove 措施.docx`
    update.recover(settings)                                                   # the app's start

Every change holds one cross-process lock (rag/lock.py, RAG_HOME/.lock) and commits in this order:
new files are staged in RAG_HOME/corpus/.build-*; data files are written under new names; manifest.json
is replaced by one atomic rename, the commit point; the staged files move into RAG_HOME/corpus; data
files no manifest names are deleted. Killed before the rename, a change leaves the previous index and
corpus as they were; killed after it, the next writer (or the app's start, `recover`) moves in the
staged files the manifest lists. Either way the index loads and serves.

A build reuses every vector of the data or bundled index whose embedded text is unchanged, and the
parse of every file whose bytes and splitter are unchanged, so an upload reads and embeds only its
own files. New files are checked against the limits of rag/config.py (characters, unzipped size)
and an upload's work against its time budget; past it nothing changes.

Under RAG_STORE=milvus a change also brings the Milvus collection in step with the index that serves
(rag/milvus.py), around the commit point: new and changed rows are upserted before the manifest swap
(readers of the previous index skip rows they do not know), rows of removed clauses are deleted after
it. A collection of another embedder is refused before anything is embedded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from . import clauses as clause_splitter
from . import dates, embed, ingest, item_vectors, lock, measures
from .config import Settings
from .errors import BusyError, IndexMismatchError, InputError, LoaderError
from .model import Clause, Document
from .store import (
    APPROX_THRESHOLD,
    EMBED_BATCH,
    FORMAT_VERSION,
    active_dir,
    corpus_digest,
    corpus_files,
    file_digest,
    make_faiss,
    passage_text,
    read_data,
    read_manifest,
    splitter_digest,
    vectors_of,
)

log = logging.getLogger(__name__)

LOCK_FILE = ".lock"
STAGING_PREFIX = ".build-"
STALE_UPLOAD_SECONDS = 3600  # a system-temp `rag-upload-*` folder older than this belongs to no live upload

Progress = Callable[[int, int], None]  # (done, total)

# Tests set this to pause or die at the named points of a change: "staged", "embedded",
# "data-written", "manifest-swapped", "corpus-moved".
on_checkpoint: Callable[[str], None] | None = None


def _reached(point: str) -> None:
    if on_checkpoint is not None:
        on_checkpoint(point)


# ---------------------------------------------------------------- the outcome of a change


@dataclass(frozen=True)
class FileOutcome:
    """What became of one file given to `add`.

    Example: FileOutcome("措施.docx", stored_as="措施-2.docx", clauses=12) (renamed: the name was taken);
    FileOutcome("a.txt", duplicate_of="a.txt") (same bytes already there); FileOutcome("b.pdf", error="…").
    """

    name: str
    stored_as: str | None = None
    clauses: int = 0
    duplicate_of: str | None = None
    error: str | None = None
    empty: bool = False  # read fine but held no clause (scanned, blank)


@dataclass(frozen=True)
class BuildReport:
    """What `build`/`add` did. Example: added 1 file, 42 clauses embedded, 2801 reused, 0 failed.

    `built` is False when nothing was written (every given file was a duplicate or failed).
    """

    files: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]
    clauses_total: int
    clauses_embedded: int
    seconds: float
    added: tuple[FileOutcome, ...] = ()
    built: bool = True
    index_dir: Path | None = None
    store: Any = None  # milvus.SyncReport when RAG_STORE=milvus brought a collection in step


# ---------------------------------------------------------------- public entry points


def build(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    progress: Progress | None = None,
    *,
    recreate: bool = False,
    store_progress: Progress | None = None,
) -> BuildReport:
    """`rag index [PATHS]`: add PATHS to RAG_HOME/corpus and update RAG_HOME/index; with no paths,
    rebuild RAG_HOME/index from the bundled corpus and every added file. `recreate` (RAG_STORE=milvus)
    drops the Milvus collection first and fills it again.

    Example: build(settings, [Path("措施.docx")]) -> BuildReport(files=("措施.docx",), clauses_embedded=12, …)
    """
    files = [(Path(p), Path(p).name) for p in paths or []]
    return add(settings, files, progress, recreate=recreate, store_progress=store_progress)


def add(
    settings: Settings,
    files: Sequence[tuple[Path, str]],
    progress: Progress | None = None,
    budget: float | None = None,
    *,
    recreate: bool = False,
    store_progress: Progress | None = None,
) -> BuildReport:
    """Add (path, name) files to the knowledge base in RAG_HOME and commit a new index over bundled +
    added files; with no files, rebuild that index. One writer at a time across processes (waits up to
    RAG_LOCK_TIMEOUT). `budget` seconds bound the work (RAG_UPLOAD_SECONDS for uploads): past it,
    BudgetError and nothing changes. A file that fails is reported in `added`/`failed`; the rest go in.
    Under RAG_STORE=milvus the collection follows (see the module docstring).
    """
    started = time.perf_counter()
    purpose = f"adding {len(files)} file(s)" if files else "rebuilding the index"
    _check_recreate(settings, recreate)
    with lock.exclusive(settings.home / LOCK_FILE, settings.lock_timeout, purpose):
        _recover_locked(settings)
        deadline = ingest.Deadline(budget) if budget else None
        settings.added_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=settings.added_dir))
        try:
            outcomes, staged = _accept(settings, files, staging, deadline)
            _reached("staged")
            if files and not staged and not _unindexed(settings, outcomes):
                return _nothing_built(files, outcomes, started)
            _check_store(settings, recreate)
            priors = [p for p in (_read_prior(settings.data_index_dir), _read_prior(settings.index_dir)) if p]
            sources = _sources(settings, staging, set(staged))
            built = _build_from(settings, sources, staged, priors, deadline, progress)
            mirror = _mirror_upsert(settings, built, recreate, store_progress)
            if deadline is not None:
                deadline.check("the upload")
            manifest = _commit(settings.data_index_dir, built, moves=[(staging / n, settings.added_dir / n) for n in staged])
            synced = _mirror_finish(settings, mirror, manifest)
        finally:
            _settle(staging, settings.added_dir, _manifest_or_empty(settings.data_index_dir))
    return replace(_report(built, outcomes, files, started, settings.data_index_dir), store=synced)


def build_bundled(settings: Settings, progress: Progress | None = None) -> BuildReport:
    """`rag index --bundled`, for maintainers: rebuild the bundled index (RAG_INDEX_DIR) from the bundled
    corpus alone. It rewrites files that ship with the product, so it is never run by the app. A Milvus
    collection follows it only while it is the index that serves (no RAG_HOME/index)."""
    started = time.perf_counter()
    with lock.exclusive(settings.home / LOCK_FILE, settings.lock_timeout, "rebuilding the bundled index"):
        serving = active_dir(settings) == settings.index_dir
        if serving:
            _check_store(settings, False)
        prior = _read_prior(settings.index_dir)
        sources = [_Source(p.name, p, added=False) for p in corpus_files(settings.corpus_dir)]
        built = _build_from(settings, sources, {}, [prior] if prior else [], None, progress)
        mirror = _mirror_upsert(settings, built, False, None) if serving else None
        manifest = _commit(settings.index_dir, built, moves=[])
        synced = _mirror_finish(settings, mirror, manifest)
    return replace(_report(built, [], [], started, settings.index_dir), store=synced)


# ---------------------------------------------------------------- the Milvus collection, when RAG_STORE=milvus


def _check_recreate(settings: Settings, recreate: bool) -> None:
    if recreate and settings.store != "milvus":
        raise InputError("--recreate drops and refills the Milvus collection: it needs RAG_STORE=milvus")


def _check_store(settings: Settings, recreate: bool) -> None:
    """Refuse, before anything is embedded, a collection that holds another embedder's vectors."""
    if settings.store == "milvus" and not recreate:
        from . import milvus

        milvus.check_embedder(settings, settings.embedder, int(embed.get(settings.embedder).dim))


@dataclass(frozen=True)
class _Mirror:
    plan: Any  # milvus.Plan
    started: float


def _mirror_upsert(settings: Settings, built: _Built, recreate: bool, progress: Progress | None) -> _Mirror | None:
    """Before the commit point: the new and changed rows into the collection."""
    if settings.store != "milvus":
        return None
    from . import milvus

    started = time.perf_counter()
    plan = milvus.upsert(settings, built.clauses, built.vectors, built.manifest["embedder"], progress, recreate)
    _reached("store-upserted")
    return _Mirror(plan, started)


def _mirror_finish(settings: Settings, mirror: _Mirror | None, manifest: dict[str, Any]) -> Any:
    """After the commit point: stale rows deleted and the collection marked as mirroring this index. The
    index is committed whatever happens here; a failure is logged and left for the next `rag index`."""
    if mirror is None:
        return None
    from . import milvus
    from .errors import StoreError

    try:
        return milvus.finish(settings, mirror.plan, manifest, time.perf_counter() - mirror.started)
    except StoreError as exc:
        log.warning("the index is updated, but the Milvus collection could not be finished (%s): run `rag index`", exc)
        return None


def remove(
    settings: Settings, names: Sequence[str], progress: Progress | None = None, *, store_progress: Progress | None = None
) -> BuildReport:
    """`rag remove NAME…`: take files added to RAG_HOME/corpus out of the knowledge base; their clauses
    leave the index (and, under RAG_STORE=milvus, the collection). Bundled files cannot be removed.

    The files wait in a staging folder until the new index is committed, so a change that fails or is
    killed before the commit point puts them back (`_settle`), and one killed after it deletes them.
    Example: remove(settings, ["措施.docx"]) -> BuildReport(clauses_total=1265, …)
    """
    started = time.perf_counter()
    names = list(dict.fromkeys(names))
    with lock.exclusive(settings.home / LOCK_FILE, settings.lock_timeout, f"removing {len(names)} file(s)"):
        _recover_locked(settings)
        added = {p.name for p in corpus_files(settings.added_dir)} if settings.added_dir.is_dir() else set()
        if unknown := [n for n in names if n not in added]:
            raise InputError(
                f"not a file added to the knowledge base: {', '.join(unknown)} (added files are in "
                f"{settings.added_dir}; the bundled corpus cannot be removed)"
            )
        _check_store(settings, False)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=settings.added_dir))
        try:
            for name in names:
                os.replace(settings.added_dir / name, staging / name)
            _reached("staged")
            priors = [p for p in (_read_prior(settings.data_index_dir), _read_prior(settings.index_dir)) if p]
            built = _build_from(settings, _sources(settings, staging, set()), {}, priors, None, progress)
            mirror = _mirror_upsert(settings, built, False, store_progress)
            manifest = _commit(settings.data_index_dir, built, moves=[])
            synced = _mirror_finish(settings, mirror, manifest)
        finally:
            _settle(staging, settings.added_dir, _manifest_or_empty(settings.data_index_dir))
    return replace(_report(built, [], [], started, settings.data_index_dir), store=synced)


def recover(settings: Settings) -> None:
    """At start: finish or discard what a killed change left in RAG_HOME and remove stale build and
    upload folders. Skipped (logged) while another process is changing the knowledge base; never raises."""
    if not settings.home.is_dir():
        return
    try:
        with lock.exclusive(settings.home / LOCK_FILE, 0, "cleaning up"):
            _recover_locked(settings)
    except BusyError:
        log.info("another process is changing the knowledge base; leaving its files alone")
    except OSError as exc:
        log.warning("could not clean up %s: %s", settings.home, exc)


# ---------------------------------------------------------------- accepting new files


@dataclass(frozen=True)
class _Parsed:
    """One file's documents and clauses, and the digest of the bytes they came from."""

    digest: str
    documents: list[Document]
    clauses: list[Clause]


def _accept(
    settings: Settings, files: Sequence[tuple[Path, str]], staging: Path, deadline: ingest.Deadline | None
) -> tuple[list[FileOutcome], dict[str, _Parsed]]:
    """Check, name, copy into `staging` and parse each new file; one outcome per file, in order."""
    limits = ingest.Limits(settings.max_file_chars, settings.max_unzipped_mb << 20, deadline)
    present = _present_files(settings)
    outcomes: list[FileOutcome] = []
    staged: dict[str, _Parsed] = {}
    for path, name in files:
        outcome, parsed = _accept_one(settings, Path(path), name, present, staging, limits)
        outcomes.append(outcome)
        if parsed is not None and outcome.stored_as:
            staged[outcome.stored_as] = parsed
            present[outcome.stored_as] = parsed.digest
    return outcomes, staged


def _accept_one(
    settings: Settings, path: Path, name: str, present: dict[str, str], staging: Path, limits: ingest.Limits
) -> tuple[FileOutcome, _Parsed | None]:
    if problem := _name_problem(name):
        return FileOutcome(name, error=f"{name}: {problem}"), None
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileOutcome(name, error=f"{name}: cannot read the file ({exc.strerror or exc})"), None
    digest = hashlib.sha256(data).hexdigest()
    same = next((n for n, d in present.items() if d == digest), None)
    if same is not None:
        return FileOutcome(name, duplicate_of=same), None
    final = free_name(name, present)
    target = staging / final
    target.write_bytes(data)
    try:
        docs = ingest.load(target, limits)
    except LoaderError as exc:
        target.unlink()
        return FileOutcome(name, error=str(exc).replace(final, name, 1)), None
    found = [c for d in docs for c in clause_splitter.split(d, settings.clause_chars)]
    if not found:
        target.unlink()
        return FileOutcome(name, error=f"{name}: no clause found (scanned, blank, or no body text?)", empty=True), None
    return FileOutcome(name, stored_as=final, clauses=_whole_clauses(found)), _Parsed(digest, docs, found)


def _unindexed(settings: Settings, outcomes: list[FileOutcome]) -> bool:
    """Whether a file given again is in the corpus but not in the index that serves (copied there by
    hand): then the change goes on and indexes it."""
    indexed = _manifest_or_empty(active_dir(settings)).get("files", {})
    return any(o.duplicate_of and o.duplicate_of not in indexed for o in outcomes)


def _name_problem(name: str) -> str | None:
    """Why `name` cannot be a corpus file name, or None. Example: "../a.txt" -> "not a plain file name" """
    if not name or name != Path(name).name or "\\" in name or any(ord(ch) < 32 for ch in name):
        return "not a plain file name"
    if name.startswith("."):
        return "a file name may not start with '.'"
    if Path(name).suffix.lower() not in ingest.SUPPORTED:
        suffix = Path(name).suffix or "(none)"
        return f"unsupported file type {suffix}; use one of {sorted(ingest.SUPPORTED)}"
    return None


def free_name(name: str, taken: Iterable[str]) -> str:
    """`name`, or `stem-2.ext`, `stem-3.ext`… while a corpus file has its stem in any case or extension
    (document ids are file stems, so stems stay unique). Example: free_name("a.txt", {"A.md"}) -> "a-2.txt" """
    stems = {Path(n).stem.casefold() for n in taken}
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, n = name, 1
    while Path(candidate).stem.casefold() in stems:
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    return candidate


def _present_files(settings: Settings) -> dict[str, str]:
    """{name: sha256} of every bundled and added corpus file now on disk."""
    files: dict[str, str] = {}
    for folder in (settings.corpus_dir, settings.added_dir):
        if folder.is_dir():
            files.update({p.name: file_digest(p) for p in corpus_files(folder)})
    return files


def _whole_clauses(found: Iterable[Clause]) -> int:
    return sum(1 for c in found if c.part <= 1)


# ---------------------------------------------------------------- building from sources


@dataclass(frozen=True)
class _Source:
    """A corpus file an index is built from."""

    name: str
    path: Path
    added: bool


@dataclass
class _Prior:
    """A committed index whose parses and vectors a build may reuse."""

    manifest: dict[str, Any]
    documents: list[Document]
    clauses: list[Clause]
    faiss_index: Any
    items: np.ndarray | None = None


@dataclass
class _Built:
    manifest: dict[str, Any]
    clauses: list[Clause]
    documents: list[Document]
    vectors: np.ndarray
    embedded: int
    failed: list[tuple[str, str]]
    items: np.ndarray


def _sources(settings: Settings, staging: Path, staged: set[str]) -> list[_Source]:
    """Bundled files, added files and the staged new ones, by name. An added file whose stem a bundled
    file already has is left out (with a warning): document ids are stems."""
    bundled = corpus_files(settings.corpus_dir) if settings.corpus_dir.is_dir() else []
    if not bundled:
        log.warning("no bundled corpus at %s: the index covers added files only", settings.corpus_dir)
    added = corpus_files(settings.added_dir) + [staging / n for n in sorted(staged)]
    stems = {p.stem.casefold() for p in bundled}
    kept = [_Source(p.name, p, added=False) for p in bundled]
    for p in added:
        if p.stem.casefold() in stems:
            log.warning("%s in %s has the name of a bundled file; rename it to index it", p.name, settings.added_dir)
            continue
        kept.append(_Source(p.name, p, added=True))
    return sorted(kept, key=lambda s: s.name)


def _build_from(
    settings: Settings,
    sources: list[_Source],
    staged: dict[str, _Parsed],
    priors: list[_Prior],
    deadline: ingest.Deadline | None,
    progress: Progress | None,
) -> _Built:
    """Parse (or reuse) every source, embed what no prior index has, and describe it in a manifest."""
    parses, failed = _parse_all(settings, sources, staged, priors, deadline)
    documents = [d for _, p in parses for d in p.documents]
    clause_list = [c for _, p in parses for c in p.clauses]
    documents, clause_list = dates.annotate(documents, clause_list)  # across policies: 与《…》保持一致
    clause_list = measures.annotate(clause_list)
    if not documents:
        raise LoaderError("no document could be read: " + "; ".join(f"{n}: {e}" for n, e in failed))
    embedder = embed.get(settings.embedder)
    reusable = _reusable(priors, embedder.id)
    vectors, embedded = _vectors_for(clause_list, embedder, reusable, progress, deadline)
    items = _item_vectors(priors, clause_list, embedder, progress, deadline)
    _reached("embedded")
    if deadline is not None:
        deadline.check("the upload")
    files = {src.name: p.digest for src, p in parses}
    added = sorted(src.name for src, _ in parses if src.added)
    manifest = _manifest(settings, embedder, clause_list, documents, files, added)
    return _Built(manifest, clause_list, documents, vectors, embedded, failed, items)


def _parse_all(
    settings: Settings,
    sources: list[_Source],
    staged: dict[str, _Parsed],
    priors: list[_Prior],
    deadline: ingest.Deadline | None,
) -> tuple[list[tuple[_Source, _Parsed]], list[tuple[str, str]]]:
    """Each source's parse: staged, reused from a prior index (same bytes, same splitter), or read now.
    Files already in the corpus were accepted under the limits of their day, so only time bounds them."""
    limits = ingest.Limits(1 << 62, 1 << 62, deadline)
    reuse = _ParseCache(priors, settings.clause_chars)
    parses: list[tuple[_Source, _Parsed]] = []
    failed: list[tuple[str, str]] = []
    for src in sources:
        limits.check_time(src.name)
        if src.name in staged:
            parses.append((src, staged[src.name]))
            continue
        digest = file_digest(src.path)
        parsed = reuse.get(src.name, digest)
        if parsed is None:
            try:
                docs = ingest.load(src.path, limits)
            except LoaderError as exc:
                failed.append((src.name, str(exc)))
                continue
            parsed = _Parsed(digest, docs, [c for d in docs for c in clause_splitter.split(d, settings.clause_chars)])
        if parsed.documents:
            parses.append((src, parsed))
    return parses, failed


class _ParseCache:
    """Documents and clauses of files a prior index parsed from the same bytes with the same splitter."""

    def __init__(self, priors: list[_Prior], clause_chars: int) -> None:
        key = splitter_digest()
        self._priors = [
            p for p in priors
            if p.manifest.get("splitter_hash") == key and p.manifest.get("clause_chars", 400) == clause_chars
        ]
        self._docs = [_group(p.documents) for p in self._priors]
        self._clauses = [_group(p.clauses) for p in self._priors]

    def get(self, name: str, digest: str) -> _Parsed | None:
        for prior, docs, found in zip(self._priors, self._docs, self._clauses, strict=True):
            if prior.manifest.get("files", {}).get(name) == digest and name in docs:
                return _Parsed(digest, docs[name], found.get(name, []))
        return None


def _group(items: Iterable[Any]) -> dict[str, list[Any]]:
    """Documents or clauses by their source file name, in order."""
    out: dict[str, list[Any]] = {}
    for item in items:
        out.setdefault(item.source, []).append(item)
    return out


def _read_prior(index_dir: Path) -> _Prior | None:
    """The committed index in index_dir for reuse, or None (missing or unreadable: nothing to reuse)."""
    try:
        manifest = read_manifest(index_dir, any_format=True)  # vectors outlive a format change
        clause_list, documents, faiss_index, items = read_data(index_dir, manifest)
    except (IndexMismatchError, FileNotFoundError, OSError, ValueError, KeyError, TypeError) as exc:
        log.info("not reusing %s: %s", index_dir, exc)
        return None
    return _Prior(manifest, documents, clause_list, faiss_index, items)


def _reusable(priors: list[_Prior], embedder_id: str) -> dict[str, np.ndarray]:
    """Vectors of prior indexes built by this embedder, by the text they embed."""
    out: dict[str, np.ndarray] = {}
    for prior in reversed(priors):  # the first prior (the data index) wins
        if prior.manifest.get("embedder") != embedder_id or not prior.clauses:
            continue
        vectors = vectors_of(prior.faiss_index)
        out.update({_passage_key(c): vectors[i] for i, c in enumerate(prior.clauses)})
    return out


def _item_vectors(
    priors: list[_Prior], clause_list: list[Clause], embedder: Any, progress: Progress | None,
    deadline: ingest.Deadline | None,
) -> np.ndarray:
    """Item vectors in layout order; items whose embedded text a prior index has keep their vectors."""
    reused: dict[str, np.ndarray] = {}
    for prior in reversed(priors):
        if prior.manifest.get("embedder") == embedder.id:
            reused.update(item_vectors.reusable(prior.clauses, prior.items))
    matrix, _ = item_vectors.embed_items(clause_list, embedder, reused, progress, deadline)
    return matrix


def _passage_key(clause: Clause) -> str:
    """Vectors are reused by what was embedded, so a changed title or path is embedded again."""
    return hashlib.sha256(passage_text(clause).encode()).hexdigest()


def _vectors_for(
    clause_list: list[Clause],
    embedder: Any,
    reusable: dict[str, np.ndarray],
    progress: Progress | None,
    deadline: ingest.Deadline | None = None,
) -> tuple[np.ndarray, int]:
    """Vectors in clause order; only clauses not in `reusable` are embedded, in batches."""
    keys = [_passage_key(c) for c in clause_list]
    todo = [i for i, key in enumerate(keys) if key not in reusable]
    out = np.zeros((len(clause_list), embedder.dim), dtype=np.float32)
    for i, key in enumerate(keys):
        if key in reusable:
            out[i] = reusable[key]
    for start in range(0, len(todo), EMBED_BATCH):
        if deadline is not None:
            deadline.check(clause_list[todo[start]].source)
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
    files: dict[str, str],
    added: list[str],
) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "embedder": embedder.id,
        "dimension": int(embedder.dim),
        "corpus_hash": corpus_digest(files),
        "splitter_hash": splitter_digest(),
        "clause_chars": settings.clause_chars,
        "files": files,
        "added_files": added,
        "document_count": len(documents),
        "clause_count": len(clause_list),
        "faiss_type": "hnsw" if len(clause_list) > APPROX_THRESHOLD else "flat",
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _report(
    built: _Built, outcomes: list[FileOutcome], files: Sequence[tuple[Path, str]], started: float, where: Path
) -> BuildReport:
    rejected = [(str(path), o.error) for (path, _), o in zip(files, outcomes, strict=True) if o.error]
    stored = tuple(o.stored_as for o in outcomes if o.stored_as)
    return BuildReport(
        files=stored if files else tuple(sorted(built.manifest["files"])),
        failed=tuple(rejected) + tuple(built.failed),
        clauses_total=len(built.clauses),
        clauses_embedded=built.embedded,
        seconds=time.perf_counter() - started,
        added=tuple(outcomes),
        index_dir=where,
    )


def _nothing_built(files: Sequence[tuple[Path, str]], outcomes: list[FileOutcome], started: float) -> BuildReport:
    rejected = [(str(path), o.error) for (path, _), o in zip(files, outcomes, strict=True) if o.error]
    return BuildReport((), tuple(rejected), 0, 0, time.perf_counter() - started, tuple(outcomes), built=False)


# ---------------------------------------------------------------- commit (atomic) and recovery


def _commit(index_dir: Path, built: _Built, moves: list[tuple[Path, Path]]) -> dict[str, Any]:
    """Data files under new names, then the manifest swap (the commit point), then the staged corpus
    files into place, then old data files deleted; the manifest written. See the module docstring for
    what a kill leaves."""
    names = _write_data(index_dir, built)
    _reached("data-written")
    manifest = {**built.manifest, "data": names}
    _atomic_write_bytes(index_dir / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2).encode())
    _fsync_dir(index_dir)
    _reached("manifest-swapped")
    for staged, final in moves:
        os.replace(staged, final)
    if moves:
        _fsync_dir(moves[0][1].parent)
    _reached("corpus-moved")
    _remove_unreferenced(index_dir, set(names.values()))
    return manifest


def _write_data(index_dir: Path, built: _Built) -> dict[str, str]:
    import faiss

    index_dir.mkdir(parents=True, exist_ok=True)
    clauses_blob = "".join(json.dumps(c.to_json(), ensure_ascii=False) + "\n" for c in built.clauses).encode()
    docs_blob = "".join(json.dumps(d.to_json(), ensure_ascii=False) + "\n" for d in built.documents).encode()
    digest = hashlib.sha256(clauses_blob + docs_blob + built.vectors.tobytes()).hexdigest()[:12]
    names = {
        "vectors": f"vectors-{digest}.faiss",
        "clauses": f"clauses-{digest}.jsonl",
        "documents": f"documents-{digest}.jsonl",
        "items": f"items-{digest}.npy",
    }
    with tempfile.TemporaryDirectory(dir=index_dir, prefix=STAGING_PREFIX) as tmp:
        faiss_index = make_faiss(built.vectors, built.manifest["faiss_type"])
        faiss.write_index(faiss_index, str(Path(tmp) / names["vectors"]))
        (Path(tmp) / names["clauses"]).write_bytes(clauses_blob)
        (Path(tmp) / names["documents"]).write_bytes(docs_blob)
        np.save(Path(tmp) / names["items"], np.ascontiguousarray(built.items, dtype=np.float32), allow_pickle=False)
        for name in names.values():
            _fsync(Path(tmp) / name)
            os.replace(Path(tmp) / name, index_dir / name)
    return names


def _recover_locked(settings: Settings) -> None:
    """Settle staged files a killed change left (moved in if the manifest lists them, else deleted),
    delete stale build folders and unreferenced data files. Runs under the lock."""
    manifest = _manifest_or_empty(settings.data_index_dir)
    for staging in _children(settings.added_dir, STAGING_PREFIX):
        _settle(staging, settings.added_dir, manifest)
    for folder in (settings.data_index_dir, settings.index_dir):  # index/ only ever holds old versions' leftovers
        for stale in _children(folder, STAGING_PREFIX) + _children(folder, ".manifest.json."):
            log.info("removing %s, left by an interrupted build", stale)
            _remove(stale)
    # Without a manifest every data file there is an orphan; with one that cannot be read, none is known
    # to be, and the next `rag index` replaces them.
    unreadable = not manifest and (settings.data_index_dir / "manifest.json").exists()
    if settings.data_index_dir.is_dir() and not unreadable:
        _remove_unreferenced(settings.data_index_dir, set(manifest.get("data", {}).values()))
    _remove_stale_uploads(Path(tempfile.gettempdir()))


def _settle(staging: Path, added_dir: Path, manifest: dict[str, Any]) -> None:
    """Finish or discard one staging folder: a file the committed manifest lists as added, with these
    bytes, completes its move (the kill came after the commit point); anything else is deleted."""
    if not staging.is_dir():
        return
    listed, added = manifest.get("files", {}), set(manifest.get("added_files", []))
    for path in staging.iterdir():
        if path.name in added and listed.get(path.name) == file_digest(path):
            os.replace(path, added_dir / path.name)
            log.warning("finished adding %s, which an interrupted change had committed", path.name)
    shutil.rmtree(staging, ignore_errors=True)


def _remove_stale_uploads(tmp: Path) -> None:
    """`rag-upload-*` folders older versions left in the system temp folder (uploads now stage in RAG_HOME)."""
    cutoff = time.time() - STALE_UPLOAD_SECONDS
    for folder in _children(tmp, "rag-upload-"):
        try:
            info = folder.stat()
        except OSError:
            continue
        if info.st_uid == os.getuid() and info.st_mtime < cutoff:
            _remove(folder)


def _children(folder: Path, prefix: str) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return []


def _remove(path: Path) -> None:
    try:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    except OSError as exc:
        log.warning("could not remove %s: %s", path, exc)


def _manifest_or_empty(index_dir: Path) -> dict[str, Any]:
    """The committed manifest, of any format (an older index's files are still its own), or {}."""
    try:
        return read_manifest(index_dir, any_format=True)
    except (FileNotFoundError, IndexMismatchError, OSError):
        return {}


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


def _fsync_dir(path: Path) -> None:
    """Make renames inside `path` durable (a power cut, not a kill, could otherwise undo them)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_unreferenced(index_dir: Path, keep: set[str]) -> None:
    for path in index_dir.iterdir():
        stale_data = path.name.startswith(("vectors-", "clauses-", "documents-", "items-")) and path.name not in keep
        if stale_data and path.is_file():
            path.unlink()
