"""What tests share: responses built from strings and saved pages (with a real Request attached
so urljoin works), and a crawl's stored records against the replica's truth."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from pipelines.dates import DatesPipeline
from pipelines.required import RequiredFieldsPipeline
from pipelines.sources import SourcesPipeline
from pipelines.storage import StoragePipeline, article_row
from tests.conftest import PROJECT_ROOT, make_article
from xzcrawler.export import RECORD_FIELDS, interface_record
from xzcrawler.items import Article
from xzcrawler.models import SHANGHAI
from xzcrawler.parsing import parse_article
from xzcrawler.query import QueryResult
from xzcrawler.replica.variants import FETCHED_AT as VARIANT_FETCHED_AT
from xzcrawler.storage import ArticleStore, engine_for, ensure_schema

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


# --- a small stored corpus (query, search, browse) and the storage pipeline run alone ----------

HOSTILE_TITLE = "<script>alert('x')</script>\x1b[2J\x1b]0;owned\x07标题\u202e"


def corpus() -> list[Article]:
    """Five articles covering sections (one nested), publishers and aliases, authors, dates
    around month and year ends in Shanghai time, and hostile text."""
    return [
        make_article(
            1,
            title="新一轮中央巡视各组全部进驻",
            body="十九届中央第六轮巡视全面展开。\n巡视组完成进驻。",
            source="七一网",
            source_raw="来源：七一网",
            author="张三",
            authors=["张三"],
            published_at=datetime(2020, 11, 12, tzinfo=SHANGHAI),
        ),
        make_article(
            2,
            title="脱贫攻坚成果巩固",
            body="扶贫工作队驻村，巡视一次。",
            section="三农时评",
            section_path=["时评", "三农时评"],
            source="人民网",
            source_raw="人民网",
            author="李四、王五",
            authors=["李四", "王五"],
            published_at=datetime(2021, 3, 4, 10, 0, tzinfo=SHANGHAI),
        ),
        make_article(
            3,
            title="乡村振兴的G20峰会观察",
            body='50% 的村民说 "好" * AND OR NEAR 讨论扶贫',
            section="三农时评",
            section_path=["时评", "三农时评"],
            source="新华社",
            source_raw="新华社",
            author=None,
            authors=[],
            published_at=datetime(2021, 6, 15, 8, 0, tzinfo=SHANGHAI),
        ),
        make_article(
            4,
            title="扶贫扶贫扶贫",
            body="扶贫",
            author="赵六",
            authors=["赵六"],
            # 2020-12-31 16:30 UTC: January 2021 in Shanghai.
            published_at=datetime(2021, 1, 1, 0, 30, tzinfo=SHANGHAI),
        ),
        make_article(
            5,
            title=HOSTILE_TITLE,
            body="正文\x07第二句",
            source=None,
            source_raw=None,
            author=None,
            authors=[],
            published_at=None,
        ),
    ]


def build(database_url: str) -> Engine:
    engine = engine_for(database_url)
    ensure_schema(engine)
    ArticleStore(engine).write([article_row(a) for a in corpus()])
    return engine


def numbers(result: QueryResult) -> list[int]:
    """The make_article numbers of the hits, in order."""
    return [int(h.article.url.rsplit("/", 1)[1].removesuffix(".html")) for h in result.hits]


def run_pipeline(pipeline: StoragePipeline, items: list[Article]) -> None:
    async def go() -> None:
        pipeline.open_spider()
        for item in items:
            await pipeline.process_item(item)
        await pipeline.close_spider()

    asyncio.run(go())


def storage_pipeline(database_url: str, tmp_path: Path, **settings: Any) -> StoragePipeline:
    crawler = get_crawler(
        settings_dict={
            "DATABASE_URL": database_url,
            "STORAGE_SPOOL_DIR": str(tmp_path / "spool"),
            "STORAGE_BATCH_SIZE": 3,
            **settings,
        }
    )
    crawler.stats.open_spider()
    return StoragePipeline.from_crawler(crawler)


# --- one page through the parser and the pipelines, as an export record ---------------------


class Pipelines:
    """The item pipelines a crawl runs before storage, built once: a crawler is not free."""

    def __init__(self) -> None:
        crawler = get_crawler(settings_dict={})
        crawler.stats.open_spider()
        self.chain = [
            RequiredFieldsPipeline.from_crawler(crawler),
            DatesPipeline.from_crawler(crawler),
            SourcesPipeline.from_crawler(crawler),
        ]

    def record(self, html: str | bytes, url: str, encoding: str | None = None) -> dict[str, Any]:
        """The export record a crawl would store for this page (docs/interface.md's keys)."""
        item = parse_article(html_response(html, url, encoding), fetched_at=VARIANT_FETCHED_AT)
        for pipeline in self.chain:
            item = pipeline.process_item(item)
        return interface_record(item)


@cache
def pipelines() -> Pipelines:
    """The pipelines, built on first use (not when a test module imports these helpers)."""
    return Pipelines()


def differences(want: dict[str, Any], got: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {k: (want[k], got.get(k)) for k in RECORD_FIELDS if want[k] != got.get(k)}
