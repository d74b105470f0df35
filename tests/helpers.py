"""What tests share: responses built from strings and saved pages (with a real Request attached
so urljoin works), and a crawl's stored records against the replica's truth."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.http import HtmlResponse, Request

from xzcrawler.export import RECORD_FIELDS

if TYPE_CHECKING:
    from tests.conftest import CrawlEnv

FIXTURES = Path(__file__).parent / "fixtures"


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
