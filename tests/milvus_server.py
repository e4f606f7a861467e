"""`milvus-lite server` for tests: a Milvus gRPC server in its own process, on a free 127.0.0.1 port
(it binds 0.0.0.0 unless told otherwise), with its data in a temp folder, stopped on exit.

    with MilvusServer(tmp_path / "milvus") as server:
        settings = Settings(store="milvus", milvus_uri=server.uri, …)
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Self

from processes import free_port, stop

START_SECONDS = 60.0


class MilvusServer:
    """The server process; `uri` is what RAG_MILVUS_URI takes."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.log = data_dir.parent / f"{data_dir.name}.log"
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "milvus_lite", "server", "--host", "127.0.0.1", "--port", str(self.port),
                   "--data-dir", str(self.data_dir), "--max-workers", "4"]
        with open(self.log, "wb") as out:
            self._proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=dict(os.environ))
        self._wait()
        return self

    def _wait(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"milvus-lite server exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"milvus-lite server did not listen on {self.port} within {START_SECONDS:.0f}s")

    def stop(self) -> None:
        if self._proc is not None:
            stop(self._proc)

    def __exit__(self, *exc: object) -> None:
        self.stop()
