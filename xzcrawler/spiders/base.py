"""What every spider of the portal does with an article page, whatever led it there.

Every page is read once, through xzcrawler.reading (in a child process when PARSE_PROCESSES
allows), and every outcome of an article page is counted (see
xzcrawler.stats_keys), so health.assess can compare article pages fetched with items stored: a
parser that raises, fields whose extractors raise, pages still cut and split articles whose
further pages failed all show in the run record instead of only in the log.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from xzcrawler.items import Article
from xzcrawler.models import SHANGHAI
from xzcrawler.reading import PageReader, PageReading
from xzcrawler.stats_keys import (
    ARTICLE_PAGES,
    ARTICLES_YIELDED,
    CANCELLED_DOWNLOADS,
    CONTINUATION_PAGES,
    INCOMPLETE_ARTICLES,
    INVALID_LINKS,
    PARSE_ERROR_EXAMPLES,
    PARSE_ERRORS_PREFIX,
    PROBLEM_PAGES,
    PROBLEM_PAGES_KEPT,
    SPLIT_ARTICLES,
    SPLIT_UNFINISHED,
    UNPARSABLE_ARTICLES,
)
from xzcrawler.urls import canonical, is_page_url, is_policy

__all__ = ["INCOMPLETE_ARTICLES", "PROBLEM_PAGES", "PROBLEM_PAGES_KEPT", "PortalSpider"]

GONE_STATUSES = (404, 410)
# A split article longer than this is not fetched on (a pager that never ends is a trap).
MAX_ARTICLE_PAGES = 100
# What a split article takes from its further pages (their pager included); an extractor
# error in one of them there would store the article half.
CONTINUED_FIELDS = ("body", "body_html", "images", "page_urls")


class PortalSpider(scrapy.Spider):
    """A spider of one portal host, set by PORTAL_URL (or -a portal_url=...).

    Subclasses define `parse_article(response, reading, whole=None)`: it gets the article of
    each article page from `article(response, reading)`, and is called again with `whole=` the
    finished article when that article was split over several pages.
    """

    portal_url: str
    allowed_domains: list[str]
    reader: PageReader
    # Every page URL this spider has asked for: a page links its neighbours back, and a link
    # met again is dropped here rather than by Scrapy's duplicate filter, which would drop it
    # only after the spider middlewares and its fingerprint (1.5 links a page; bench).
    requested: set[str]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.portal_url = kwargs.get("portal_url") or crawler.settings["PORTAL_URL"]
        spider.allowed_domains = [urlsplit(spider.portal_url).hostname or ""]
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.item_dropped, signal=signals.item_dropped)
        spider.reader = PageReader.from_crawler(crawler)
        spider.requested = set()
        crawler.signals.connect(spider.reader.close, signal=signals.spider_closed)
        return spider

    def parse_article(
        self, response: Response, reading: PageReading | None, whole: Article | None = None
    ) -> Iterator[Article | scrapy.Request]:
        raise NotImplementedError

    async def read(self, response: Response, *, article_only: bool = False) -> PageReading:
        """The page's reading (xzcrawler.reading); `article_only` for a known article page."""
        assert isinstance(response, TextResponse)  # the downloader's pages are HTML
        return await self.reader.read(response, datetime.now(SHANGHAI), article_only=article_only)

    # --- article pages -----------------------------------------------------------------

    def article_of(
        self, response: Response, reading: PageReading | None, whole: Article | None
    ) -> Article | None:
        """`whole`, a split article after its last page; else the article of this reading."""
        if whole is not None:
            return whole
        assert reading is not None
        return self.article(response, reading)

    def article(self, response: Response, reading: PageReading) -> Article | None:
        """The article on a page, or None: when the page is cut (recorded, and fetched again),
        cannot be parsed (recorded), or is the first of several pages (those are fetched in
        order, and the whole article comes back through `parse_article(whole=...)`)."""
        reason = reading.incomplete
        if reason is not None:
            if not self.unusable(response, f"incomplete article page: {reason}"):
                self.crawler.stats.inc_value(ARTICLE_PAGES)
                self.crawler.stats.inc_value(INCOMPLETE_ARTICLES)
            return None
        self.crawler.stats.inc_value(ARTICLE_PAGES)
        article = self.article_read(response, reading)
        if article is None:
            self.crawler.stats.inc_value(UNPARSABLE_ARTICLES)
            return None
        self.count_parse_errors(article, article.parse_errors)
        pending = self.further_pages(article.page_urls, done=[article.url])
        if pending:
            self.crawler.stats.inc_value(SPLIT_ARTICLES)
            chained = bool(article.prev_url or article.next_url)
            self.crawler.engine.crawl(
                self.continuation(article, [article.url], pending, chained=chained)
            )
            return None
        self.crawler.stats.inc_value(ARTICLES_YIELDED)
        return article

    def article_read(self, response: Response, reading: PageReading) -> Article | None:
        """parse_article's article with canonical URLs, or None (logged and recorded) when the
        parser raised: a parser bug must fail the run's health, not only print a traceback
        (the traceback once per kind of error, not once per page)."""
        article, error = reading.article, reading.error
        if article is None:
            error = error or "no article read"
            first = f"xz/articles/unparsable/{error.split(':')[0]}"
            trace = "" if self.crawler.stats.get_value(first) else f"\n{reading.trace or ''}"
            self.logger.error("unparsable article page %s: %s%s", response.url, error, trace)
            self.crawler.stats.inc_value(first)
            self.record_problem(response.url, response.status, f"unparsable article page: {error}")
            return None
        article.url = canonical(article.url)
        article.prev_url = article.prev_url and canonical(article.prev_url)
        article.next_url = article.next_url and canonical(article.next_url)
        return article

    def count_parse_errors(self, article: Article, errors: dict[str, str]) -> None:
        """Count each field whose extractor raised, keeping the first page and error of each
        for the run record (the field names the extractor to look at)."""
        stats = self.crawler.stats
        examples = stats.get_value(PARSE_ERROR_EXAMPLES, {})
        for name, error in errors.items():
            stats.inc_value(f"{PARSE_ERRORS_PREFIX}{name}")
            examples.setdefault(name, {"url": article.url, "error": error})
        if errors:
            stats.set_value(PARSE_ERROR_EXAMPLES, examples)

    # --- articles split over several pages --------------------------------------------

    @staticmethod
    def further_pages(
        urls: Sequence[str], *, done: Sequence[str], pending: Sequence[str] = ()
    ) -> list[str]:
        """`pending` followed by the pages of `urls` neither fetched nor pending, in order."""
        further = list(pending)
        for url in urls:
            url = canonical(url)
            if url not in done and url not in further:
                further.append(url)
        return further

    def continuation(
        self, article: Article, done: list[str], pending: list[str], *, chained: bool
    ) -> scrapy.Request:
        """The request for the next page of a split article, carrying the article so far (in
        cb_kwargs, so a shared Redis queue can hand it to any worker)."""
        return scrapy.Request(
            pending[0],
            callback=self.continue_article,
            errback=self.continuation_failed,
            cb_kwargs={
                "article": article,
                "done": done,
                "pending": pending[1:],
                "chained": chained,
            },
        )

    async def continue_article(
        self,
        response: Response,
        article: Article,
        done: list[str],
        pending: list[str],
        chained: bool,
    ) -> AsyncIterator[Article | scrapy.Request]:
        """One further page of a split article: its body, body_html and images are appended;
        page 1's other fields stay. After the last page the whole article goes to the spider."""
        reading = await self.read(response, article_only=True)
        reason = reading.incomplete
        if reason is not None:
            if not self.unusable(response, f"incomplete article page: {reason}"):
                self.unfinished(article, response.url)
            return
        self.crawler.stats.inc_value(CONTINUATION_PAGES)
        page = self.article_read(response, reading)
        if page is None:
            self.unfinished(article, response.url)
            return
        self.count_parse_errors(article, page.parse_errors)
        broken = [name for name in CONTINUED_FIELDS if name in page.parse_errors]
        if broken:
            error = page.parse_errors[broken[0]]
            self.record_problem(
                response.url, response.status, f"unparsable article page: {broken[0]}: {error}"
            )
            self.unfinished(article, response.url)
            return
        article.body = "\n".join(text for text in (article.body, page.body) if text) or None
        article.body_html = (
            "\n".join(html for html in (article.body_html, page.body_html) if html) or None
        )
        article.images.extend(src for src in page.images if src not in article.images)
        article.notes.clear()  # normalised from page 1 alone: the pipelines read the whole
        if not chained and (page.prev_url or page.next_url):
            # Some templates print 上一篇/下一篇 on the last page only.
            article.prev_url, article.prev_title = page.prev_url, page.prev_title
            article.next_url, article.next_title = page.next_url, page.next_title
        done = [*done, canonical(response.url)]
        pending = self.further_pages(page.page_urls, done=done, pending=pending)
        if pending and len(done) >= MAX_ARTICLE_PAGES:
            self.record_problem(
                article.url, None, f"split article: more than {MAX_ARTICLE_PAGES} pages"
            )
            self.unfinished(article, pending[0])
            return
        if pending:
            yield self.continuation(article, done, pending, chained=chained)
            return
        self.crawler.stats.inc_value(ARTICLES_YIELDED)
        for output in self.parse_article(response, None, whole=article):
            yield output

    def continuation_failed(self, failure: Failure) -> None:
        """A further page that could not be fetched: recorded, and its article not stored, so
        the next run fetches the article again."""
        self.request_failed(failure, gone_is_unfetchable=False)
        request = failed_request(failure)
        self.unfinished(request.cb_kwargs["article"], request.url)

    def unfinished(self, article: Article, page_url: str) -> None:
        self.crawler.stats.inc_value(SPLIT_UNFINISHED)
        self.logger.warning(
            "split article %s not stored: its page %s could not be used", article.url, page_url
        )

    # --- pages we could not use ------------------------------------------------------------

    def unusable(self, response: Response, reason: str) -> bool:
        """Fetch a page that came back unusable (cut, garbage, empty) again, as Scrapy retries
        a 503; once retries run out, record it. True while a retry is on its way."""
        assert response.request is not None  # a downloaded response knows its request
        retry = get_retry_request(response.request, spider=self, reason=reason)
        if retry is None:
            self.record_problem(response.url, response.status, reason)
            return False
        self.crawler.engine.crawl(retry)
        return True

    def fetch(self, url: str, callback: Callable[..., Any]) -> Iterator[scrapy.Request]:
        """The request for the canonical URL, whose failure (after Scrapy's retries) is
        recorded, not only logged; none for a link that is no web page (a:b, javascript:,
        mailto:): that is recorded, never raised, so one bad link stops nothing else. None
        either for a page already asked for: Scrapy's duplicate filter would drop it."""
        page_url = canonical(url)
        if page_url in self.requested:
            return
        if not is_page_url(page_url):
            self.crawler.stats.inc_value(INVALID_LINKS)
            self.record_problem(url, None, "invalid link: not an http(s) URL")
            return
        self.requested.add(page_url)
        yield scrapy.Request(page_url, callback=callback, errback=self.request_failed)

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

    def item_dropped(self, item: Any, response: Response, exception: BaseException) -> None:
        """An article a pipeline dropped is a page that could not be stored: into the run
        record's failed_pages with the pipeline's reason."""
        url = getattr(item, "url", None) or response.url
        self.record_problem(url, response.status, f"dropped: {exception}")

    def request_failed(self, failure: Failure, *, gone_is_unfetchable: bool = True) -> None:
        url = failed_request(failure).url
        error = failure.value
        if isinstance(error, HttpError):
            status = error.response.status
            self.record_problem(url, status, f"HTTP {status}")
            if status in GONE_STATUSES and gone_is_unfetchable:
                self.unfetchable(url, f"HTTP {status}")
        elif isinstance(error, IgnoreRequest) and is_policy(error):
            # robots.txt or offsite: not a failure; a gzip bomb past DOWNLOAD_MAXSIZE or a
            # redirect chain too long are (below)
            if gone_is_unfetchable:
                self.unfetchable(url, str(error)[:200] or "ignored")
            else:  # a page of a split article: the article cannot be whole
                self.record_problem(url, None, str(error)[:200] or "ignored")
        else:
            detail = f": {str(error)[:200]}" if isinstance(error, IgnoreRequest) else ""
            if isinstance(error, IgnoreRequest | DownloadCancelledError):  # never retried
                self.crawler.stats.inc_value(CANCELLED_DOWNLOADS)
            self.record_problem(url, None, f"{type(error).__name__}{detail}")

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


def failed_request(failure: Failure) -> scrapy.Request:
    """The request of an errback's failure: Scrapy sets it on the Failure, untyped."""
    request = getattr(failure, "request", None)
    assert isinstance(request, scrapy.Request)
    return request
