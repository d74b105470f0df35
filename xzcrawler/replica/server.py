"""Serving a Portal on 127.0.0.1 over HTTP, with a log of what was asked for.

One asyncio event loop in a daemon thread answers every connection. A benchmark's server answers
from pages rendered beforehand (`rendered_site`): it shares the machine's two cores with the crawl
it measures, which a real portal's server does not (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import html
import re
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formatdate
from functools import lru_cache
from http import HTTPStatus
from types import TracebackType
from urllib.parse import urljoin, urlsplit

from xzcrawler.replica.faults import Fault, FaultPlan
from xzcrawler.replica.portal import Page, Portal

# As the real portal's IIS answers: keep-alive, every response with Content-Length.
SERVER_NAME = "Microsoft-IIS/6.0"
MAX_HEAD_BYTES = 64 * 1024  # a request head longer than this is refused
METHODS = ("GET", "HEAD")
# The links a prerendering follows: every href, and a meta refresh's target.
LINK_RE = re.compile(rb"""(?:href=|url=)["']?([^"'#\s>]+)""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    method: str
    path: str  # the request target, query included
    status: int
    fault: Fault | None = None


@dataclass(frozen=True, slots=True)
class _Request:
    method: str
    target: str
    keep_alive: bool


def _parse_head(head: bytes) -> _Request | None:
    """The request line and Connection header of one request head; None if malformed."""
    lines = head.decode("iso-8859-1").split("\r\n")
    words = lines[0].split()
    if len(words) != 3 or not words[2].startswith("HTTP/"):
        return None
    method, target, version = words
    connection = ""
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "connection":
            connection = value.strip().lower()
    keep_alive = connection != "close" and (version != "HTTP/1.0" or connection == "keep-alive")
    return _Request(method, target, keep_alive)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


@lru_cache(maxsize=1)
def _date(second: int) -> str:
    return formatdate(second, usegmt=True)


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_reason(status)}", f"Server: {SERVER_NAME}"]
    lines.append(f"Date: {_date(int(time.time()))}")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class _Connection(asyncio.Protocol):
    """One client connection: its requests answered in order, one at a time."""

    def __init__(self, server: _PortalServer) -> None:
        self.server = server
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.stalled = False  # a TIMEOUT fault holds the connection: no further answers

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server.connections.discard(self)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while not self.stalled and self.transport is not None and not self.transport.is_closing():
            head, found, rest = self.buffer.partition(b"\r\n\r\n")
            if not found:
                if len(self.buffer) > MAX_HEAD_BYTES:
                    self._refuse(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
                return
            self.buffer = rest
            request = _parse_head(head)
            if request is None:
                self._refuse(HTTPStatus.BAD_REQUEST)
                return
            if request.method not in METHODS:
                self._refuse(HTTPStatus.NOT_IMPLEMENTED)
                return
            self._answer(request)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def _refuse(self, status: HTTPStatus) -> None:
        assert self.transport is not None
        body = f"{status.value} {status.phrase}".encode()
        headers = {"Content-Type": "text/plain", "Content-Length": str(len(body))}
        self.transport.write(_head(status, {**headers, "Connection": "close"}) + body)
        self.transport.close()

    def _answer(self, request: _Request) -> None:
        assert self.transport is not None
        page, fault = self.server.page(request)
        if fault is Fault.TIMEOUT and self.server.faults:
            self.stalled = True
            asyncio.get_running_loop().call_later(self.server.faults.stall_seconds, self.close)
            return
        closing = {} if request.keep_alive else {"Connection": "close"}
        head = _head(page.status, {**page.headers, **closing})
        if request.method == "HEAD":
            self.transport.write(head)
        elif fault is Fault.RESET:
            self.transport.write(head + page.body[: len(page.body) // 2])
            # Linger 0: closing sends a TCP reset instead of an orderly FIN.
            sock = self.transport.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.transport.abort()
            return
        else:
            # Headers and body in one send: two small sends stall on delayed ACKs.
            self.transport.write(head + page.body)
        if not request.keep_alive:
            self.transport.close()


def rendered_site(portal: Portal, limit: int) -> dict[str, Page]:
    """The pages reachable from the home page by links, each rendered once (at most `limit`),
    by request target; only those served as 200, so an error page still heals. A benchmark's
    server answers from them as a static file server would, so the crawl it measures keeps the
    cores (docs/performance.md); the portal must not change meanwhile."""
    pages: dict[str, Page] = {}
    seen: set[str] = set()
    waiting = deque(["/"])
    while waiting and len(pages) < limit:
        target = waiting.popleft()
        if target in seen:
            continue
        seen.add(target)
        page = portal.render(target)
        if page.status != 200:  # not kept: an error page may heal (the portal's transient 503)
            continue
        pages[target] = page
        for link in (link.decode("latin-1") for link in LINK_RE.findall(page.body)):
            url = urlsplit(urljoin(f"http://replica{target}", html.unescape(link)))
            if url.netloc == "replica":
                waiting.append(url.path + (f"?{url.query}" if url.query else ""))
    return pages


class _PortalServer:
    """What every connection shares: the portal, the fault plan and the request log."""

    def __init__(
        self,
        portal: Portal,
        keep_log: bool,
        faults: FaultPlan | None,
        rendered: Mapping[str, Page],
    ) -> None:
        self.portal = portal
        self.rendered = rendered
        self.faults = faults
        self.keep_log = keep_log
        self.log: list[RequestRecord] = []
        self.log_lock = threading.Lock()
        self.connections: set[_Connection] = set()

    def page(self, request: _Request) -> tuple[Page, Fault | None]:
        page = self.rendered.get(request.target) or self.portal.render(request.target)
        faults = self.faults
        fault = faults.pick(request.target) if faults else None
        if faults:
            page = faults.page(request.target, page, fault)
        if self.keep_log:
            with self.log_lock:
                self.log.append(RequestRecord(request.method, request.target, page.status, fault))
        return page, fault


class ReplicaServer:
    """A Portal on 127.0.0.1 (port 0: any free port) in a daemon thread; use it as a context."""

    def __init__(
        self,
        portal: Portal,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        keep_log: bool = True,
        faults: FaultPlan | None = None,
        rendered: Mapping[str, Page] | None = None,
    ) -> None:
        """`rendered`: pages answered as they are (rendered_site), the rest rendered per
        request."""
        self.portal = portal
        self.faults = faults
        self._shared = _PortalServer(portal, keep_log, faults, rendered or {})
        # Bound here, so the address is known before the loop runs.
        self._socket = socket.create_server((host, port), backlog=128)
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="replica-server", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._socket.getsockname()[:2]
        return f"http://{host}:{port}/"

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the requests served so far, in the order they were answered."""
        with self._shared.log_lock:
            return list(self._shared.log)

    def start(self) -> None:
        self._thread.start()
        self._started.wait()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
        self._loop.close()
        self._socket.close()

    def _serve(self) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(
            loop.create_server(lambda: _Connection(self._shared), sock=self._socket)
        )
        loop.call_soon(self._started.set)
        try:
            loop.run_forever()
        finally:
            server.close()
            for connection in list(self._shared.connections):
                connection.close()
            loop.run_until_complete(server.wait_closed())
            loop.run_until_complete(asyncio.sleep(0))

    def __enter__(self) -> ReplicaServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
