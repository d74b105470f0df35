"""Serving a Portal on 127.0.0.1 over HTTP, with a log of what was asked for."""

from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from xzcrawler.replica.faults import Fault, FaultPlan
from xzcrawler.replica.portal import Portal


@dataclass(frozen=True, slots=True)
class RequestRecord:
    method: str
    path: str  # the request target, query included
    status: int
    fault: Fault | None = None


class _Handler(BaseHTTPRequestHandler):
    # Keep-alive, as the real portal's IIS does; every response carries Content-Length.
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-IIS/6.0"
    sys_version = ""
    timeout = 30
    # Headers and body in one send: with keep-alive, two small sends stall on delayed ACKs.
    wbufsize = 256 * 1024
    disable_nagle_algorithm = True
    server: _PortalHTTPServer

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, *, send_body: bool) -> None:
        page = self.server.portal.render(self.path)
        faults = self.server.faults
        fault = faults.pick(self.path) if faults else None
        if faults:
            page = faults.page(self.path, page, fault)
        self.server.record(RequestRecord(self.command, self.path, page.status, fault))
        if fault is Fault.TIMEOUT and faults:
            time.sleep(faults.stall_seconds)
            self.close_connection = True
            return
        self.send_response(page.status)
        for name, value in page.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not send_body:
            return
        if fault is Fault.RESET:
            self.wfile.write(page.body[: len(page.body) // 2])
            self.wfile.flush()
            # Linger 0: close() sends a TCP reset instead of an orderly FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        self.wfile.write(page.body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is kept in memory, not on stderr."""


class _PortalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], portal: Portal, keep_log: bool, faults: FaultPlan | None
    ) -> None:
        super().__init__(address, _Handler)
        self.portal = portal
        self.faults = faults
        self.keep_log = keep_log
        self.log: list[RequestRecord] = []
        self.log_lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet about clients that hang up (a crawler giving up on an oversized page)."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def record(self, entry: RequestRecord) -> None:
        if self.keep_log:
            with self.log_lock:
                self.log.append(entry)


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
    ) -> None:
        self.portal = portal
        self.faults = faults
        self._httpd = _PortalHTTPServer((host, port), portal, keep_log, faults)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="replica-server", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        assert isinstance(host, str)  # an AF_INET server's address
        return f"http://{host}:{port}/"

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the requests served so far, in the order they were answered."""
        with self._httpd.log_lock:
            return list(self._httpd.log)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

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
