"""The writer process: an ArticleStore in a child (xzcrawler/workers.py), and how the pipeline
judges what a write raised, here or there.

The child imports SQLAlchemy and the store, never Scrapy: it costs its own memory only
(docs/performance.md).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

from xzcrawler import workers
from xzcrawler.storage import ArticleStore, DatabaseLost, WriteCounts, engine_for

# PostgreSQL error classes a row causes, not the server: 22 data exception (a value the column
# cannot take), 23 integrity, 54 program limit exceeded (an index entry or a tsvector too big).
_ROW_SQLSTATE_CLASSES = ("22", "23", "54")


def describe(exc: BaseException) -> str:
    """One line: the exception type and the first line of the database's message."""
    if isinstance(exc, WriteFailed):
        return exc.description
    detail = getattr(exc, "orig", None) or exc
    first = (str(detail).strip().splitlines() or [""])[0]
    return f"{type(detail).__name__}: {first}"[:500]


def lost_database(exc: BaseException) -> bool:
    return isinstance(exc, DatabaseLost) or (isinstance(exc, WriteFailed) and exc.lost)


def row_error(exc: BaseException) -> bool:
    """Whether an exception is the row's fault (written alone it fails again) rather than the
    database's (gone, locked, its file deleted): those are retried and spooled."""
    if isinstance(exc, WriteFailed):
        return exc.row_fault
    if isinstance(exc, DatabaseLost | DisconnectionError | OSError):
        return False
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return False
        sqlstate = getattr(exc.orig, "sqlstate", None) or ""
        if sqlstate[:2] in _ROW_SQLSTATE_CLASSES:
            return True
        return not isinstance(exc, OperationalError)
    return True


class WriteFailed(Exception):
    """A write that failed in the writer process, as the pipeline needs to judge it: the
    database's exception itself may not survive pickling (SQLAlchemy's often do not)."""

    def __init__(self, description: str, row_fault: bool, lost: bool) -> None:
        super().__init__(description)
        self.description, self.row_fault, self.lost = description, row_fault, lost

    def __reduce__(self) -> tuple[type[WriteFailed], tuple[str, bool, bool]]:
        return type(self), (self.description, self.row_fault, self.lost)


class WriterProcess:
    """An ArticleStore in a child process (xzcrawler.workers): upserts, search tokens and
    SQLAlchemy's statement building then cost the reactor's thread nothing, not even the GIL.
    Calls block the pipeline's writer thread, one at a time, in the order made. A writer that
    dies (the OOM killer) fails its call as the database's fault, so the batch is retried by a
    new writer and, failing that, spooled."""

    def __init__(self, database_url: str, *, idle: bool = False) -> None:
        self.database_url = database_url
        self.idle = idle  # on CPU time nothing else wants (workers.run_on_idle_cpu)
        self.pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return workers.child_pool(1, _open_store, (self.database_url, self.idle))

    def _call(self, method: str, *args: Any) -> Any:
        try:
            return self.pool.submit(_store_call, method, *args).result()
        except BrokenProcessPool as exc:
            self.pool.shutdown(wait=False)
            self.pool = self._start()
            raise WriteFailed(f"the writer process died ({exc})", False, False) from None

    def write(self, rows: list[dict[str, Any]], written_at: datetime | None = None) -> WriteCounts:
        counts = self._call("write", rows, written_at)
        assert isinstance(counts, WriteCounts)
        return counts

    def quarantine(self, url: str | None, reason: str, row: dict[str, Any]) -> None:
        self._call("quarantine", url, reason, row)

    def healthy(self) -> bool:
        try:
            return bool(self._call("healthy"))
        except Exception:  # a writer that cannot even answer this (dead, not started) is not
            return False

    def close(self) -> None:
        self.pool.shutdown(wait=True)


_child_store: ArticleStore | None = None


def _open_store(database_url: str, idle: bool) -> None:
    global _child_store
    if idle:
        workers.run_on_idle_cpu()
    _child_store = ArticleStore(engine_for(database_url))


def _store_call(method: str, *args: Any) -> Any:
    """In the writer process: one ArticleStore call, its failure as a WriteFailed."""
    assert _child_store is not None
    try:
        return getattr(_child_store, method)(*args)
    except Exception as exc:
        raise WriteFailed(describe(exc), row_error(exc), isinstance(exc, DatabaseLost)) from None
