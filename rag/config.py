"""Settings, read from the environment once and passed explicitly.

Environment variables (all optional):

    RAG_HOME           the data directory: files users add and the index built with them
                       (default: data/ beside the project, git-ignored); see "Where data lives" below
    RAG_INDEX_DIR      the bundled index, read-only to the product (default: index/ beside the project)
    RAG_CORPUS_DIR     the bundled corpus, read-only to the product (default: corpus/ beside the project)
    RAG_EMBEDDER       "e5-small-bundled" or a sentence-transformers model name or local path
    RAG_TOP_K          clauses retrieved per question        (default 6)
    RAG_LLM_BASE_URL   OpenAI-compatible endpoint; unset = extractive answers
    RAG_LLM_MODEL      model name at that endpoint
    RAG_LLM_API_KEY    its key (never logged or shown)
    RAG_LLM_TIMEOUT    seconds per request                   (default 60)

Where the vectors are searched (rag/search_store.py):

    RAG_STORE              faiss (default): FAISS and BM25 in this process;
                           milvus: a Milvus collection holds the vectors, sparse terms and filter fields
    RAG_MILVUS_URI         a path ending in .db: Milvus Lite embedded in this process (default
                           $RAG_HOME/milvus.db); http(s)://host:port: a Milvus server (Standalone,
                           Distributed, or `milvus-lite server`)
    RAG_MILVUS_TOKEN       "user:password" or an API key, when the server asks for one (never logged)
    RAG_MILVUS_COLLECTION  the collection's name                 (default rag_clauses)

Limits on adding documents (an over-limit file is refused with a message naming the file and the limit):

    RAG_MAX_FILE_CHARS     characters of text extracted from one file      (default 500000)
    RAG_MAX_UNZIPPED_MB    decompressed size of a .docx (any zip-based file), read from its
                           zip directory before parsing                    (default 64)
    RAG_CLAUSE_CHARS       target clause length; no clause exceeds 1.3x it,
                           even in text without punctuation                (default 400)
    RAG_UPLOAD_SECONDS     time budget of one upload, after which it is abandoned and the
                           previous index keeps serving                    (default 600)
    RAG_LOCK_TIMEOUT       seconds a change waits for another one (another upload, `rag index`)
                           before giving up                                (default 600)

Where data lives:

    $RAG_INDEX_DIR, $RAG_CORPUS_DIR   the bundled index and corpus; nothing the product does writes there
                                      (`rag index --bundled`, for maintainers, rebuilds them)
    $RAG_HOME/corpus                  files added with `rag index FILE` or an upload
    $RAG_HOME/index                   when present, a complete index of bundled + added files, and the one
                                      that loads; otherwise the bundled index loads
    $RAG_HOME/.lock                   one writer at a time, across processes
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_EMBEDDER = "e5-small-bundled"
MAX_QUESTION_CHARS = 2000
STORES = ("faiss", "milvus")
DEFAULT_COLLECTION = "rag_clauses"
_SERVER_URI = re.compile(r"^https?://[A-Za-z0-9.\-]+:\d{1,5}/?$")  # no user:password@: the token is its own setting
_COLLECTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,254}$")  # Milvus's rule for collection names


@dataclass(frozen=True)
class Settings:
    index_dir: Path = PROJECT_DIR / "index"  # the bundled index (read-only)
    corpus_dir: Path = PROJECT_DIR / "corpus"  # the bundled corpus (read-only)
    prompts_dir: Path = PROJECT_DIR / "prompts"
    home: Path = PROJECT_DIR / "data"  # added files and the index built with them
    embedder: str = DEFAULT_EMBEDDER
    top_k: int = 6
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 60.0
    max_file_chars: int = 500_000
    max_unzipped_mb: int = 64
    clause_chars: int = 400
    upload_seconds: float = 600.0
    lock_timeout: float = 600.0
    store: str = "faiss"
    milvus_uri: str | None = None  # None: Milvus Lite in $RAG_HOME/milvus.db
    milvus_token: str | None = None
    milvus_collection: str = DEFAULT_COLLECTION

    def __post_init__(self) -> None:
        for name in ("index_dir", "corpus_dir", "prompts_dir", "home"):  # accept str paths from callers
            object.__setattr__(self, name, Path(getattr(self, name)))
        if not 1 <= self.top_k <= 50:
            raise InputError(f"top_k must be between 1 and 50, got {self.top_k}")
        if self.llm_timeout <= 0:
            raise InputError(f"RAG_LLM_TIMEOUT must be positive, got {self.llm_timeout}")
        _check_range("RAG_MAX_FILE_CHARS", self.max_file_chars, 1_000, 100_000_000)
        _check_range("RAG_MAX_UNZIPPED_MB", self.max_unzipped_mb, 1, 10_000)
        _check_range("RAG_CLAUSE_CHARS", self.clause_chars, 100, 2_000)
        _check_range("RAG_UPLOAD_SECONDS", self.upload_seconds, 1, 86_400)
        _check_range("RAG_LOCK_TIMEOUT", self.lock_timeout, 0, 86_400)
        _check_store(self.store, self.milvus_uri, self.milvus_collection)

    @property
    def added_dir(self) -> Path:
        """Where files users add are kept: $RAG_HOME/corpus."""
        return self.home / "corpus"

    @property
    def data_index_dir(self) -> Path:
        """The index of bundled + added files: $RAG_HOME/index (loaded instead of the bundled one)."""
        return self.home / "index"

    @property
    def milvus_target(self) -> str:
        """The Milvus URI in use: RAG_MILVUS_URI, or Milvus Lite in $RAG_HOME/milvus.db."""
        return self.milvus_uri or str(self.home / "milvus.db")

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)

    def warnings(self) -> list[str]:
        """Settings that will not work the way they were probably meant; the CLI and app log them at start.

        Example: Settings(llm_base_url="https://api.deepseek.com/v1").warnings()
        -> ["RAG_LLM_BASE_URL is set but RAG_LLM_MODEL is not: …"]
        """
        warnings = []
        if self.llm_base_url and not self.llm_model:
            warnings.append(
                "RAG_LLM_BASE_URL is set but RAG_LLM_MODEL is not: the endpoint will be asked for a model "
                "named 'default', which most servers reject (answers then fall back to extractive); "
                "set RAG_LLM_MODEL to a model name that endpoint serves (see the README's LLM examples)"
            )
        return warnings

    def __repr__(self) -> str:  # keep the key out of logs and tracebacks
        key = "set" if self.llm_api_key else "unset"
        where = f", milvus_uri={self.milvus_target!r}, milvus_collection={self.milvus_collection!r}, " \
            f"milvus_token={'set' if self.milvus_token else 'unset'}" if self.store == "milvus" else ""
        return (
            f"Settings(index_dir={str(self.index_dir)!r}, home={str(self.home)!r}, embedder={self.embedder!r}, top_k={self.top_k}, "
            f"llm_base_url={self.llm_base_url!r}, llm_model={self.llm_model!r}, llm_api_key={key}, "
            f"store={self.store!r}{where})"
        )

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        return cls(
            index_dir=Path(env.get("RAG_INDEX_DIR") or cls.index_dir),
            corpus_dir=Path(env.get("RAG_CORPUS_DIR") or cls.corpus_dir),
            home=Path(env.get("RAG_HOME") or cls.home),
            embedder=env.get("RAG_EMBEDDER") or DEFAULT_EMBEDDER,
            top_k=_int(env, "RAG_TOP_K", 6),
            llm_base_url=env.get("RAG_LLM_BASE_URL") or None,
            llm_model=env.get("RAG_LLM_MODEL") or None,
            llm_api_key=env.get("RAG_LLM_API_KEY") or None,
            llm_timeout=_float(env, "RAG_LLM_TIMEOUT", 60.0),
            max_file_chars=_int(env, "RAG_MAX_FILE_CHARS", cls.max_file_chars),
            max_unzipped_mb=_int(env, "RAG_MAX_UNZIPPED_MB", cls.max_unzipped_mb),
            clause_chars=_int(env, "RAG_CLAUSE_CHARS", cls.clause_chars),
            upload_seconds=_float(env, "RAG_UPLOAD_SECONDS", cls.upload_seconds),
            lock_timeout=_float(env, "RAG_LOCK_TIMEOUT", cls.lock_timeout),
            store=(env.get("RAG_STORE") or cls.store).strip().lower(),
            milvus_uri=env.get("RAG_MILVUS_URI") or None,
            milvus_token=env.get("RAG_MILVUS_TOKEN") or None,
            milvus_collection=env.get("RAG_MILVUS_COLLECTION") or DEFAULT_COLLECTION,
        )


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise InputError(f"{name} must be between {low:g} and {high:g}, got {value:g}")


def _check_store(store: str, uri: str | None, collection: str) -> None:
    """RAG_STORE, RAG_MILVUS_URI and RAG_MILVUS_COLLECTION, or InputError saying what they may be."""
    if store not in STORES:
        raise InputError(f"RAG_STORE must be one of {', '.join(STORES)}, got {store!r}")
    if uri is not None and not (uri.endswith(".db") or _SERVER_URI.match(uri)):
        raise InputError(
            f"RAG_MILVUS_URI must be a path ending in .db (Milvus Lite) or http(s)://host:port (a Milvus "
            f"server), e.g. http://127.0.0.1:19530; got {uri!r}"
        )
    if not _COLLECTION.match(collection):
        raise InputError(
            "RAG_MILVUS_COLLECTION must start with a letter or _ and hold only letters, digits and _ "
            f"(at most 255), got {collection!r}"
        )


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    try:
        return int(raw) if raw else default
    except ValueError:
        raise InputError(f"{name} must be a whole number, got {raw!r}") from None


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    try:
        return float(raw) if raw else default
    except ValueError:
        raise InputError(f"{name} must be a number, got {raw!r}") from None


def check_question(question: str) -> str:
    """The question stripped, or InputError saying what is wrong with it.

    Example: "  北京对图灵奖获得者有什么支持？ " -> "北京对图灵奖获得者有什么支持？"
    """
    if not isinstance(question, str):
        raise InputError("the question must be text")
    q = question.strip()
    if not q:
        raise InputError("the question is empty: type a question, e.g. 北京对引进图灵奖获得者有什么支持？")
    if len(q) > MAX_QUESTION_CHARS:
        raise InputError(f"the question is {len(q)} characters; the limit is {MAX_QUESTION_CHARS}")
    return q
