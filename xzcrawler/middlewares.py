"""Downloader middlewares: what Scrapy 2.19 lacks for a portal that misbehaves."""

from __future__ import annotations

import asyncio
import codecs
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares import robotstxt
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from w3lib.encoding import html_body_declared_encoding


class BackoffRetryMiddleware:
    """Scrapy's retries, spaced out: RETRY_BACKOFF_BASE * 2**(n-1) seconds before retry n,
    at most RETRY_BACKOFF_MAX, or what the server's Retry-After asks within that bound.

    A burst of 503s from a struggling portal is met by waiting, not by hammering it again
    at once (Scrapy itself retries immediately and ignores Retry-After). Scrapy's own
    RetryMiddleware decides what is retried; this one only waits before handing it on.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.retry = RetryMiddleware.from_crawler(crawler)
        self.base: float = crawler.settings.getfloat("RETRY_BACKOFF_BASE")
        self.ceiling: float = crawler.settings.getfloat("RETRY_BACKOFF_MAX")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        result = self.retry.process_response(request, response)
        if isinstance(result, Request):
            await asyncio.sleep(self.delay(result, response.headers.get(b"Retry-After")))
        return result

    async def process_exception(
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        result = self.retry.process_exception(request, exception)
        if isinstance(result, Request):
            await asyncio.sleep(self.delay(result, None))
        return result

    def delay(self, retry: Request, retry_after: bytes | None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), self.ceiling)
        retries = int(retry.meta.get("retry_times", 1))
        return min(self.base * 2.0 ** (retries - 1), self.ceiling)


class DeclaredCharsetMiddleware:
    """A page whose HTTP header names another charset than its own <meta> (GBK bytes sent as
    UTF-8, or the reverse) is decoded by the charset its bytes prove, instead of turning into
    mojibake (docs/field-notes.md): bytes that are not valid UTF-8 are not UTF-8, and a page whose
    <meta> says UTF-8 and whose bytes are valid UTF-8 is UTF-8."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls()

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse):
            return response
        declared = html_body_declared_encoding(response.body)
        if not declared or codecs.lookup(declared).name == codecs.lookup(response.encoding).name:
            return response
        header_is_utf8 = codecs.lookup(response.encoding).name == "utf-8"
        if header_is_utf8 != _is_utf8(response.body):
            return response.replace(encoding=declared)
        return response


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class RobotsTxtMiddleware(robotstxt.RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, safe when several requests wait for the first robots.txt.

    Scrapy 2.19 hands the parsed robots.txt to waiting requests through one Deferred: the first
    waiter takes its result and the others get None, which means "allow everything". A worker
    that joins a shared (Redis) crawl pops several requests at once, so a page robots.txt forbids
    was fetched and stored (seen in tests/test_distributed.py). The parser is kept per host once
    parsed: read it from there.
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        kept = self._parsers.get(urlparse_cached(request).netloc)
        return kept if isinstance(kept, RobotParser) else parser
