"""What tests share: responses built from strings and saved pages (with a real Request attached
so urljoin works), and a crawl's stored records against the replica's truth."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.http import HtmlResponse, Request
from sqlalchemy.exc import OperationalError, ProgrammingError

from tests.conftest import PROJECT_ROOT
from xzcrawler.export import RECORD_FIELDS

if TYPE_CHECKING:
    from tests.conftest import CrawlEnv

FIXTURES = Path(__file__).parent / "fixtures"
# How often a bounded poll looks again: short beside any event a test waits for.
POLL_INTERVAL = 0.02


def html_response(body: str | bytes, url: str, encoding: str | None = None) -> HtmlResponse:
    """A page as Scrapy would hand it over; no encoding means the page's own <meta> decides."""
    if isinstance(body, str):
        encoding = encoding or "utf-8"
        body = body.encode(encoding)
    return HtmlResponse(url=url, body=body, encoding=encoding, request=Request(url=url))


def fixture_response(name: str, url: str) -> HtmlResponse:
    """A saved page from tests/fixtures, decoded as the real server's bytes would be."""
    return html_response((FIXTURES / name).read_bytes(), url)


def interface_view(records: dict[str, dict]) -> dict[str, dict]:
    """Stored records cut to the export record's interface keys."""
    return {url: {key: r[key] for key in RECORD_FIELDS} for url, r in records.items()}


def expected(env: CrawlEnv) -> dict[str, dict]:
    """The replica's truth as export records, by URL."""
    return {r["url"]: r for r in env.portal.expected_records(env.server.base_url)}


def full_crawl(env: CrawlEnv) -> tuple[dict[str, dict], dict[str, dict]]:
    """A full crawl that must exit 0: (what it stored, what the replica holds), by URL."""
    result = env.crawl("--full")
    assert result.returncode == 0, result.stderr[-3000:]
    return interface_view(env.records()), expected(env)


def stored_count(env: CrawlEnv) -> int:
    """Articles a running crawl has stored so far; 0 before it has created its schema."""
    try:
        return len(env.records())
    except (OperationalError, ProgrammingError):  # no articles table yet (SQLite, PostgreSQL)
        return 0


def wait_for(what: str, condition: Callable[[], object], seconds: float = 60) -> None:
    """Poll until `condition` holds: the event a test acts on, never a fixed sleep.

    The bound only turns a hang into a failure that names `what` was awaited; on a loaded
    machine the event comes late, not never.
    """
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {seconds} s waiting for {what}"
        time.sleep(POLL_INTERVAL)


class Background(threading.Thread):
    """An action on a thread whose failure fails the test: `finish` joins and re-raises it.

    (A plain thread's exception is only printed, so a failed wait inside it would pass.)
    """

    def __init__(self, action: Callable[[], None]) -> None:
        super().__init__(daemon=True)
        self.action = action
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.action()
        except BaseException as error:  # handed to the test thread by finish()
            self.error = error

    def finish(self, timeout: float = 120) -> None:
        self.join(timeout)
        assert not self.is_alive(), f"the background action still runs after {timeout} s"
        if self.error is not None:
            raise self.error


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: bound, then let go."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def fresh_python(code: str) -> str:
    """What `python -c code` prints in a fresh interpreter, from the project's folder."""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def patched_crawl(
    env: CrawlEnv, patch: str, *options: str, settings: Iterable[str] = ()
) -> subprocess.CompletedProcess[str]:
    """The crawl as cron runs it, with `patch` run first in every process of the crawl (a
    sitecustomize module on PYTHONPATH), the page readers and the writer included."""
    folder = env.tmp_path / "patch"
    folder.mkdir(exist_ok=True)
    (folder / "sitecustomize.py").write_text(patch, encoding="utf-8")
    return subprocess.run(
        [sys.executable, *env.crawl_argv(*options, settings=settings)],
        cwd=PROJECT_ROOT,
        env={**env.environ(), "PYTHONPATH": os.pathsep.join([str(folder), str(PROJECT_ROOT)])},
        capture_output=True,
        text=True,
        timeout=120,
    )
