"""One crawl per database at a time: an OS file lock, released by the kernel if we are killed."""

from __future__ import annotations

import fcntl
import os
import socket
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from xzcrawler.models import SHANGHAI
from xzcrawler.storage import database_digest


class LockHeld(Exception):
    """Another crawl holds the lock; the message names it."""


def lock_path(lock_dir: Path, database_url: str) -> Path:
    """One lock per database, however its URL is spelt (storage.database_key: the resolved
    SQLite file; backend, host, port and database of a server), named without the password."""
    return lock_dir / f"crawl-{database_digest(database_url)}.lock"


class CrawlLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def __enter__(self) -> CrawlLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown process"
            handle.close()
            raise LockHeld(f"another crawl holds {self.path}: {holder}") from None
        handle.seek(0)
        handle.truncate()
        started = datetime.now(SHANGHAI).isoformat(timespec="seconds")
        handle.write(f"pid {os.getpid()} on {socket.gethostname()} since {started}\n")
        handle.flush()
        self._file = handle
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._file is not None:
            self._file.truncate(0)
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
