"""One writer at a time, across processes: an flock on a lock file in the data directory.

    with lock.exclusive(settings.home / ".lock", timeout=600, purpose="rag index"):
        ...  # stage, build and commit a change to the knowledge base

A second writer (another upload, another `rag index`) logs who holds the lock and waits; after
`timeout` seconds (RAG_LOCK_TIMEOUT) it gives up with BusyError. The kernel releases an flock when
its holder exits, even by kill -9, so a lock is never left stale. Threads of one process exclude
each other too: every `exclusive` opens the file anew, and flock locks belong to the open file.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import BusyError

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2


@contextmanager
def exclusive(path: Path, timeout: float, purpose: str = "") -> Iterator[None]:
    """Hold the lock at `path` for the body; wait up to `timeout` s for it (0: try once).

    Example: with exclusive(Path("data/.lock"), 600, "upload"): ...  # BusyError after 600 s
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, timeout)
        _describe_holder(fd, purpose)
        yield
    finally:
        os.close(fd)  # releases the lock


def _acquire(fd: int, path: Path, timeout: float) -> None:
    end = time.monotonic() + timeout
    waiting = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= end:
                raise BusyError(
                    f"another process ({holder(path)}) is changing the knowledge base in {path.parent}; "
                    f"gave up after waiting {timeout:g} s (RAG_LOCK_TIMEOUT): try again when it has finished"
                ) from None
            if not waiting:
                log.warning(
                    "another process (%s) is changing the knowledge base in %s; waiting up to %g s "
                    "(RAG_LOCK_TIMEOUT)…", holder(path), path.parent, timeout,
                )
                waiting = True
            time.sleep(max(0.0, min(POLL_SECONDS, end - time.monotonic())))
        else:
            if waiting:
                log.warning("the other change finished; going ahead")
            return


def _describe_holder(fd: int, purpose: str) -> None:
    """Write who holds the lock into the lock file, for the message a waiting writer shows."""
    note = f"pid {os.getpid()}{', ' + purpose if purpose else ''}, since {time.strftime('%H:%M:%S')}"
    os.ftruncate(fd, 0)
    os.pwrite(fd, note.encode(), 0)


def holder(path: Path) -> str:
    """Who holds (or last held) the lock. Example: -> "pid 4242, rag index, since 10:31:07" """
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()[:200] or "unknown"
    except OSError:
        return "unknown"
