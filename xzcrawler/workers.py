"""Child processes that take CPU work off the reactor: the page readers and the writer.

A crawl has the reactor's core and one more (docs/performance.md). Python threads share one
GIL, so work moved to a thread still slows the reactor; a child process does not. Children are
started by `spawn`, so they inherit no descriptor (the crawl's lock stays the parent's alone)
and no half-initialised reactor. They ignore SIGINT and SIGTERM: a stop is the parent's to
handle, and the parent drains them (Scrapy's graceful stop flushes the pipelines first). A
child whose parent dies (kill -9) exits within WATCHDOG_SECONDS, so it never outlives a crawl.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

WATCHDOG_SECONDS = 1.0


def child_pool(
    processes: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> ProcessPoolExecutor:
    """A pool of `processes` spawned children, each set up by `initializer(*initargs)`."""
    return ProcessPoolExecutor(
        max_workers=processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_child,
        initargs=(os.getpid(), initializer, initargs),
    )


def _start_child(
    parent: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), name="xz-watchdog", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def _exit_with(parent: int) -> None:
    """Exit when the parent is gone: a spawned child's parent is the crawl itself."""
    while os.getppid() == parent:
        time.sleep(WATCHDOG_SECONDS)
    os._exit(1)
