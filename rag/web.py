"""Who may use the app over the network, and how much: tokens, rate limits, received uploads.

Settings come from the environment once (`WebSettings.from_env`), next to `config.Settings`:

    RAG_ADMIN_TOKEN          needed to add documents (UI 添加文件, POST /api/documents); unset = open on
                             loopback, and uploads switched off when listening on any other address
    RAG_READ_TOKEN           when set, /api/ask needs it (Bearer) and the UI asks for it at a login page
    RAG_RATE_LIMIT           questions per minute per client (chat and /api/ask); 0 = no limit   (60)
    RAG_UPLOAD_RATE_LIMIT    uploads and sign-in attempts per minute per client; 0 = no limit   (20)
    RAG_UPLOAD_MAX_MB        largest upload request (all its files together)                    (100)
    RAG_UPLOAD_SPACE_MB      space for received files not yet added; beyond it uploads wait      (500)
    RAG_WORKERS              questions answered at once (chat queue, and /api/ask)   (CPU count, >= 2)

Nothing here imports Gradio or FastAPI: app.py and rag/api.py translate `Refused` into HTTP
statuses and Gradio messages. Tokens are compared in constant time and never logged or repeated.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import math
import os
import shutil
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, RagError

log = logging.getLogger(__name__)

MAX_FILTER_CHARS = 200  # a region or policy name; the longest title in the corpus has 68
UPLOAD_TTL_S = 30 * 60  # a received file not added within this time is deleted
MAX_RECEIVED_FILES = 1000  # files waiting in the upload folder; Gradio takes up to 1000 in one request
MB = 1024 * 1024


class Refused(RagError):
    """A request this server will not serve. `status` is the HTTP status that says why.

    Example: Refused(429, "too many questions: wait 3 s", retry_after=3)
    """

    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def default_workers() -> int:
    """Answers computed at once: one per core, at least two so a slow answer never blocks everyone."""
    return max(2, os.cpu_count() or 1)


@dataclass(frozen=True)
class WebSettings:
    """Access and limits of the web app. `loopback` says whether it listens only on this machine.

    Example: WebSettings.from_env({"RAG_ADMIN_TOKEN": "s3cret-token-123456"}, loopback=False).uploads_open -> True
    """

    admin_token: str | None = field(default=None, repr=False)
    read_token: str | None = field(default=None, repr=False)
    ask_per_minute: int = 60
    uploads_per_minute: int = 20
    upload_max_mb: int = 100
    upload_space_mb: int = 500
    workers: int = field(default_factory=default_workers)
    loopback: bool = True

    def __post_init__(self) -> None:
        for name in ("admin_token", "read_token"):
            token = getattr(self, name)
            if token is not None and not (token.isascii() and token.isprintable() and " " not in token):
                raise InputError(f"RAG_{name.upper()} must be printable ASCII without spaces (it travels in a header)")
        for name in ("ask_per_minute", "uploads_per_minute"):
            if getattr(self, name) < 0:
                raise InputError(f"{name} must be 0 (no limit) or more, got {getattr(self, name)}")
        if not 1 <= self.upload_max_mb <= 10_000 or not 1 <= self.upload_space_mb <= 1_000_000:
            raise InputError("RAG_UPLOAD_MAX_MB and RAG_UPLOAD_SPACE_MB must be positive numbers of megabytes")
        if not 1 <= self.workers <= 256:
            raise InputError(f"RAG_WORKERS must be between 1 and 256, got {self.workers}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, loopback: bool = True) -> WebSettings:
        env = os.environ if env is None else env
        return cls(
            admin_token=env.get("RAG_ADMIN_TOKEN") or None,
            read_token=env.get("RAG_READ_TOKEN") or None,
            ask_per_minute=_int(env, "RAG_RATE_LIMIT", 60),
            uploads_per_minute=_int(env, "RAG_UPLOAD_RATE_LIMIT", 20),
            upload_max_mb=_int(env, "RAG_UPLOAD_MAX_MB", 100),
            upload_space_mb=_int(env, "RAG_UPLOAD_SPACE_MB", 500),
            workers=_int(env, "RAG_WORKERS", default_workers()),
            loopback=loopback,
        )

    def warnings(self) -> list[str]:
        """What an operator should know at start, e.g. that uploads are off; never a token."""
        out = []
        if not self.uploads_open:
            out.append(
                "uploads are off: the app listens beyond this machine and RAG_ADMIN_TOKEN is not set"
            )
        for name, token in (("RAG_ADMIN_TOKEN", self.admin_token), ("RAG_READ_TOKEN", self.read_token)):
            if token is not None and len(token) < 16:
                out.append(f"{name} is shorter than 16 characters: easy to guess")
        return out

    # ------------------------------------------------------------ who may do what

    @property
    def uploads_open(self) -> bool:
        """Uploads need a token on a network; on loopback, without one, they stay open."""
        return self.admin_token is not None or self.loopback

    @property
    def uploads_need_token(self) -> bool:
        return self.admin_token is not None

    def check_admin(self, token: str | None) -> None:
        """Refused(403) when uploads are off, Refused(401) for a missing or wrong admin token."""
        if not self.uploads_open:
            raise Refused(
                403,
                "adding documents is switched off: the app listens beyond this machine and no "
                "RAG_ADMIN_TOKEN is set",
            )
        if self.admin_token is not None and not same_secret(token, self.admin_token):
            raise Refused(401, "adding documents needs the admin token: Authorization: Bearer <RAG_ADMIN_TOKEN>")

    def check_reader(self, token: str | None) -> None:
        """Refused(401) when a read token is set and `token` is not it."""
        if self.read_token is not None and not same_secret(token, self.read_token):
            raise Refused(401, "this server needs the read token: Authorization: Bearer <RAG_READ_TOKEN>")

    @property
    def upload_max_bytes(self) -> int:
        return self.upload_max_mb * MB


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    try:
        return int(raw) if raw else default
    except ValueError:
        raise InputError(f"{name} must be a whole number, got {raw!r}") from None


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented token with the configured one.

    Example: same_secret("abc", "abc") -> True; same_secret(None, "abc") -> False
    """
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8"))


def bearer(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer TOKEN` header. Example: bearer("Bearer abc") -> "abc" """
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def is_loopback(host: str) -> bool:
    """Whether a listening address is this machine only. Example: "127.0.0.1" -> True; "0.0.0.0" -> False"""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------- input text


def check_text(value: object, name: str, limit: int) -> str:
    """`value` if it is text a person could have typed: a str, valid Unicode, no control characters
    other than tab and newlines, at most `limit` characters. The InputError never repeats the value.

    Example: check_text("北京市", "region", 200) -> "北京市"; check_text("\\ud800", "question", 10) -> InputError
    """
    if not isinstance(value, str):
        raise InputError(f"{name} must be a string")
    if len(value) > limit:
        raise InputError(f"{name} is {len(value)} characters; the limit is {limit}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{name} contains an unpaired surrogate (not valid Unicode text)") from None
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in value):
        raise InputError(f"{name} contains control characters")
    return value


# ---------------------------------------------------------------- rate limits


class RateLimiter:
    """At most `per_minute` events per client, refilled smoothly (a token bucket); 0 means no limit.

    Example: limiter = RateLimiter(60); limiter.check("10.0.0.7")  # raises Refused(429) when spent
    """

    MAX_CLIENTS = 10_000  # beyond this, idle clients are forgotten so memory stays bounded

    def __init__(self, per_minute: int, what: str = "requests", clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.what = what
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, at)
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        if self.per_minute <= 0:
            return
        rate = self.per_minute / 60.0
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.get(client, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - at) * rate)
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                wait = max(1, math.ceil((1.0 - tokens) / rate))
                raise Refused(429, f"too many {self.what}: at most {self.per_minute} a minute; retry in {wait} s", wait)
            self._buckets[client] = (tokens - 1.0, now)
            if len(self._buckets) > self.MAX_CLIENTS:
                self._forget_idle(now, rate)

    def _forget_idle(self, now: float, rate: float) -> None:
        full = [c for c, (tokens, at) in self._buckets.items() if tokens + (now - at) * rate >= self.per_minute]
        for client in full or sorted(self._buckets, key=lambda c: self._buckets[c][1])[: len(self._buckets) // 2]:
            del self._buckets[client]


# ---------------------------------------------------------------- received uploads


class Uploads:
    """The files Gradio's upload route received, and from which client; the app adds only these.

    Gradio writes each upload to `folder`/<content hash>/<name> and answers with that path; the browser
    then sends the path back in the event that adds the file. A path that this server did not hand out
    to that client (a file elsewhere on the server, another client's upload, a URL) is refused. Received
    files are deleted once added, or after `ttl` seconds; new uploads wait while `space` bytes are in use.

    Example: u = Uploads(Path("/tmp/gradio"), 500 * MB); u.record("10.0.0.7", [path]); u.claim("10.0.0.7", path)
    """

    def __init__(self, folder: Path, space: int, ttl: float = UPLOAD_TTL_S, clock: Callable[[], float] = time.time):
        self.folder = Path(os.path.realpath(folder))
        self.space = space
        self.ttl = ttl
        self._clock = clock
        self._owners: dict[Path, set[str]] = {}
        self._lock = threading.Lock()
        self._swept = 0.0

    def admit(self, client: str, length: int) -> None:
        """Refused(429) when `length` more bytes would not fit in the upload space, or the folder already
        holds MAX_RECEIVED_FILES files (after expiring old files)."""
        self.sweep()
        files = self._files()
        used = sum(_size(p) for p in files)
        if used + length > self.space or len(files) >= MAX_RECEIVED_FILES:
            log.warning("upload from %s refused: %d files, %d of %d bytes in use", client, len(files), used, self.space)
            raise Refused(429, "the upload space is full; retry in a few minutes", retry_after=60)

    def record(self, client: str, paths: Iterable[str]) -> None:
        """Remember what the upload route handed to `client`."""
        with self._lock:
            for raw in paths:
                path = Path(os.path.realpath(raw))
                if path.is_relative_to(self.folder):
                    self._owners.setdefault(path, set()).add(client)

    def holds(self, client: str, raw: object) -> Path | None:
        """The received file at path `raw` if this client uploaded it here and it is still there."""
        if not isinstance(raw, str) or not raw or "\x00" in raw:
            return None
        path = Path(os.path.realpath(raw))
        with self._lock:
            owners = self._owners.get(path, ())
        return path if client in owners and path.is_file() else None

    def claim(self, client: str, raw: object) -> Path:
        """The received file at `raw`, or Refused(400) (logged) when it is not one this client uploaded."""
        path = self.holds(client, raw)
        if path is None:
            raise self.refuse(client, raw)
        return path

    @staticmethod
    def refuse(client: str, raw: object) -> Refused:
        log.warning("refused a file that %s did not upload here: %.200r", client, raw)
        return Refused(400, "that file was not uploaded through this page (or has expired): choose it again")

    def release(self, client: str, raw: object) -> None:
        """Forget that `client` holds the file at `raw`; delete it when nobody else does."""
        if not isinstance(raw, (str, Path)) or not str(raw) or "\x00" in str(raw):
            return
        path = Path(os.path.realpath(raw))
        with self._lock:
            owners = self._owners.get(path)
            if owners is None or client not in owners:
                return  # never delete what this client was not handed
            owners.discard(client)
            if owners:
                return
            del self._owners[path]
        self._delete(path)

    def sweep(self) -> None:
        """Delete files older than the TTL (at most once a minute), whoever wrote them."""
        now = self._clock()
        if now - self._swept < 60:
            return
        self._swept = now
        for path in self._files():
            try:
                old = now - path.stat().st_mtime > self.ttl
            except OSError:
                continue
            if old:
                with self._lock:
                    self._owners.pop(Path(os.path.realpath(path)), None)
                self._delete(path)

    def _files(self) -> list[Path]:
        return [p for p in self.folder.rglob("*") if p.is_file()] if self.folder.is_dir() else []

    def _delete(self, path: Path) -> None:
        if not path.is_relative_to(self.folder):
            return
        try:
            path.unlink(missing_ok=True)
            parent = path.parent
            if parent != self.folder and parent.is_relative_to(self.folder) and not any(parent.iterdir()):
                shutil.rmtree(parent, ignore_errors=True)
        except OSError as exc:
            log.warning("could not delete the received upload %s: %s", path.name, exc)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
