"""What every spider of the portal does with an article page, whatever led it there."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from xzcrawler import parsing
from xzcrawler.items import Article
from xzcrawler.models import SHANGHAI
from xzcrawler.urls import canonical

# Stats key of the list of pages that could not be used, with URL and reason, for run records.
PROBLEM_PAGES = "xz/problem_pages"
PROBLEM_PAGES_KEPT = 200
GONE_STATUSES = (404, 410)
# Stats key: article pages still cut or garbled after their retries (not stored).
INCOMPLETE_ARTICLES = "xz/articles/incomplete"


class PortalSpider(scrapy.Spider):
    """A spider of one portal host, set by PORTAL_URL (or -a portal_url=...)."""

    portal_url: str

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.portal_url = kwargs.get("portal_url") or crawler.settings["PORTAL_URL"]
        spider.allowed_domains = [urlsplit(spider.portal_url).hostname]
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        return spider

    def article(self, response: Response) -> Article | None:
        """The article on a page, or None (recorded, and fetched again) when the page is cut."""
        reason = parsing.incomplete_reason(response)
        if reason is not None:
            if not self.unusable(response, f"incomplete article page: {reason}"):
                self.crawler.stats.inc_value(INCOMPLETE_ARTICLES)
            return None
        article = parsing.parse_article(response, fetched_at=datetime.now(SHANGHAI))
        article.url = canonical(article.url)
        article.prev_url = article.prev_url and canonical(article.prev_url)
        article.next_url = article.next_url and canonical(article.next_url)
        return article

    def unusable(self, response: Response, reason: str) -> bool:
        """Fetch a page that came back unusable (cut, garbage, empty) again, as Scrapy retries
        a 503; once retries run out, record it. True while a retry is on its way."""
        retry = get_retry_request(response.request, spider=self, reason=reason)
        if retry is None:
            self.record_problem(response.url, response.status, reason)
            return False
        self.crawler.engine.crawl(retry)
        return True

    def request(self, url: str, callback: Callable[..., Any]) -> scrapy.Request:
        """A request for the canonical URL whose failure (after Scrapy's retries) is recorded,
        not only logged."""
        return scrapy.Request(canonical(url), callback=callback, errback=self.request_failed)

    def request_dropped(self, request: scrapy.Request) -> None:
        """Scrapy drops the last hop of a redirect loop (a -> b -> a) as a duplicate, with no
        callback and no errback: record the page that could not be fetched."""
        hops = request.meta.get("redirect_urls") or []
        if request.url in hops:
            status = (request.meta.get("redirect_reasons") or [None])[-1]
            self.crawler.stats.inc_value("xz/pages/redirect_loop")
            self.record_problem(
                hops[0], status if isinstance(status, int) else None, "redirect loop"
            )

    def request_failed(self, failure: Failure) -> None:
        url = failure.request.url
        if failure.check(HttpError):
            status = failure.value.response.status
            self.record_problem(url, status, f"HTTP {status}")
            if status in GONE_STATUSES:
                self.unfetchable(url, f"HTTP {status}")
        elif failure.check(IgnoreRequest):  # robots.txt or offsite: policy, not a failure
            self.unfetchable(url, str(failure.value)[:200] or "ignored")
        else:
            self.record_problem(url, None, type(failure.value).__name__)

    def unfetchable(self, url: str, reason: str) -> None:
        """A link that leads to no article (gone, or refused by policy); a hook for spiders
        that remember such links."""

    def record_problem(self, url: str, status: int | None, reason: str) -> None:
        """Log and count a page we could not use, keeping its URL for the run record."""
        self.logger.warning("unusable page %s: %s", url, reason)
        stats = self.crawler.stats
        stats.inc_value("xz/pages/unusable")
        stats.inc_value(f"xz/pages/unusable/{reason.split(':')[0]}")
        problems = stats.get_value(PROBLEM_PAGES, [])
        if len(problems) < PROBLEM_PAGES_KEPT:
            problems.append({"url": url, "status": status, "reason": reason})
        stats.set_value(PROBLEM_PAGES, problems)

    def chain_links(self, article: Article, directions: tuple[str, ...]) -> Iterator[str]:
        """The 上一篇/下一篇 URLs of an article, in the directions asked for."""
        for direction in directions:
            url = getattr(article, f"{direction}_url")
            if url:
                yield url
