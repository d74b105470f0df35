"""Child processes that take CPU work off the reactor: the page readers and the writer.

A crawl has the reactor's core and one more (docs/performance.md). Python threads share one
GIL, so work moved to a thread still slows the reactor; a child process does not. Children are
started by `spawn`, so they inherit no descriptor (the crawl's lock stays the parent's alone)
and no half-initialised reactor. They ignore SIGINT and SIGTERM: a stop is the parent's to
handle, and the parent drains them (Scrapy's graceful stop flushes the pipelines first). A
child whose parent dies (kill -9) exits within WATCHDOG_SECONDS, so it never outlives a crawl.
"""

from __future__ import annotations

import asyncio
import atexit
import gc
import itertools
import multiprocessing
import os
import pickle
import signal
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

WATCHDOG_SECONDS = 1.0
# Calls a PipeWorker has sent and not had back; the rest wait in the worker, in order, so that
# a page goes to whichever reader frees up first.
IN_FLIGHT = 3


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
    # What the child imported and built lives as long as it does: no collection walks it again.
    gc.freeze()


def run_on_idle_cpu() -> None:
    """Run this process only on CPU time no other process wants (Linux's SCHED_IDLE; nice 19
    where that is refused). For a child off the crawl's critical path, the writer: a page's way
    (download, reading, the next request) never waits for it, and it writes in the gaps.
    Measured on two cores: the crawl process on CPU 0.92 of the time, against 0.85 with the
    writer at normal priority and 0.89 at nice 19 (docs/performance.md)."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux, or refused
        os.nice(19)


def _exit_with(parent: int) -> None:
    """Exit when the parent is gone: a spawned child's parent is the crawl itself."""
    while os.getppid() == parent:
        time.sleep(WATCHDOG_SECONDS)
    os._exit(1)


# Sends that return at once when the pipe is full, and fail with EPIPE, not SIGPIPE, when the
# child is gone.
SEND_FLAGS = socket.MSG_DONTWAIT | socket.MSG_NOSIGNAL


def _frame_header(size: int) -> bytes:
    """A message's header as Connection.send_bytes writes it, for the child's recv_bytes."""
    if size > 0x7FFFFFFF:
        return struct.pack("!i", -1) + struct.pack("!Q", size)
    return struct.pack("!i", size)


class WorkerDied(Exception):
    """The child died (killed, crashed) before answering a call."""


class PipeWorker:
    """One spawned child serving calls of `function` over a pipe, whose answers the event loop
    reads as they come (`loop.add_reader`).

    No thread of this process takes part: a ProcessPoolExecutor hands every call and result
    through two threads of its own, and each hand-over waits for the GIL the reactor holds
    (measured: the reactor then idles a quarter of the time; docs/performance.md). Calls are
    written without blocking (what the pipe cannot take yet goes out when the loop finds it
    writable), so the child needs no thread to take them off the pipe either: it reads a call
    when it is done with the last one."""

    def __init__(self, function: Callable[..., Any]) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child_end = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child_end, os.getpid(), function), name="xz-reader"
        )
        self.process.start()
        child_end.close()
        # The same socket, for sends that never block (MSG_DONTWAIT), while the Connection
        # reads answers as a whole, blocking until the rest of one has come.
        self.socket = socket.socket(fileno=os.dup(self.conn.fileno()))
        self.socket.setblocking(True)  # whatever socket.setdefaulttimeout says: reads block
        self.outgoing = bytearray()  # written calls the pipe has not taken yet
        # A crawl stopped at once (a second Ctrl-C) never closes its spider: the child is still
        # stopped before the interpreter exits (the child ignores the SIGTERM multiprocessing
        # would send a daemon child).
        atexit.register(self.close)
        self.counter = itertools.count()
        self.sent: dict[int, asyncio.Future[Any]] = {}
        self.waiting: deque[tuple[int, bytes]] = deque()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.dead = False
        self.writing = False  # the loop watches the pipe for room to write

    @property
    def load(self) -> int:
        return len(self.sent) + len(self.waiting)

    def call(self, *args: Any) -> asyncio.Future[Any]:
        """The answer of `function(*args)` in the child, or WorkerDied."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if self.dead:  # it died while idle: no call in flight saw it
            future.set_exception(WorkerDied(f"the child exited ({self.process.exitcode})"))
            return future
        if self.loop is None:
            self.loop = loop
            loop.add_reader(self.conn.fileno(), self._answers)
        number = next(self.counter)
        message = pickle.dumps((number, args), pickle.HIGHEST_PROTOCOL)  # may raise: nothing kept
        self.sent[number] = future
        self.waiting.append((number, message))
        self._send()
        return future

    def _send(self) -> None:
        in_flight = len(self.sent) - len(self.waiting)
        while self.waiting and in_flight < IN_FLIGHT and not self.dead:
            _, message = self.waiting.popleft()
            self.outgoing += _frame_header(len(message))
            self.outgoing += message
            in_flight += 1
        self._write()

    def _write(self) -> None:
        """Write what the pipe takes now; the loop calls again for the rest when it can. A
        child that is gone is the reader's to see (its answers already sent come first, then
        the end of the pipe): what it could not take is dropped here."""
        try:
            while self.outgoing:
                del self.outgoing[: self.socket.send(self.outgoing, SEND_FLAGS)]
        except BlockingIOError:
            pass
        except OSError:
            self.outgoing.clear()
        self._watch_writable(bool(self.outgoing))

    def _watch_writable(self, wanted: bool) -> None:
        if wanted != self.writing and self.loop is not None:
            if wanted:
                self.loop.add_writer(self.socket.fileno(), self._write)
            else:
                self.loop.remove_writer(self.socket.fileno())
            self.writing = wanted

    def _answers(self) -> None:
        """One answer each time the pipe is readable: the loop calls again while more wait
        (Connection.poll would build a selector per call, ~0.03 ms a page)."""
        try:
            number, ok, value = pickle.loads(self.conn.recv_bytes())
        except (EOFError, OSError):
            self._died()
            return
        future = self.sent.pop(number)
        if not future.done():  # else cancelled meanwhile
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        self._send()

    def _died(self) -> None:
        if self.dead:
            return
        self.dead = True
        self._stop_reading()
        code = self.process.exitcode
        for future in self.sent.values():
            if not future.done():
                future.set_exception(WorkerDied(f"the child exited ({code})"))
        self.sent.clear()
        self.waiting.clear()

    def _stop_reading(self) -> None:
        if self.loop is not None and not self.loop.is_closed() and not self.conn.closed:
            self._watch_writable(False)
            self.loop.remove_reader(self.conn.fileno())
        self.loop = None
        self.outgoing.clear()

    def close(self) -> None:
        """Stop the child once it has answered what it was sent (its pipe's end closes)."""
        atexit.unregister(self.close)
        if self.conn.closed:
            return
        self._stop_reading()
        self.socket.close()
        self.conn.close()
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _serve(conn: Connection, parent: int, function: Callable[..., Any]) -> None:
    """In the child: answer calls, one at a time, until the parent closes its end."""
    _start_child(parent, None, ())
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return
        number, args = pickle.loads(message)
        try:
            reply = pickle.dumps((number, True, function(*args)), pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # the call's own failure, or an answer that cannot be sent
            error = RuntimeError(f"{type(exc).__name__}: {exc}")
            reply = pickle.dumps((number, False, error), pickle.HIGHEST_PROTOCOL)
        try:
            conn.send_bytes(reply)
        except OSError:  # the parent closed its end: nobody waits for the answer
            return
