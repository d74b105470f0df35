"""Responses built from strings and saved pages, with a real Request attached so urljoin works."""

from __future__ import annotations

from pathlib import Path

from scrapy.http import HtmlResponse, Request

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
