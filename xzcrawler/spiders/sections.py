"""The portal's map: home page -> navigation menu -> sections' list pages -> articles -> chains.

Pages are told apart by their content (xzcrawler.parsing.page_kind), not by URL patterns, so a
template or URL change does not blind the crawl. Incremental by default: list pages are always
read, stored articles are not fetched again, chains stop at stored articles and resume where a
stored article names a neighbour that is not stored.

A chain walk is bounded (CHAIN_MAX_DEPTH): every request for a 上一篇/下一篇 carries how many
articles it is beyond the last article a list page showed or a resumed chain started from; an
article at the bound is stored but its new neighbours are left to the next run, which resumes
from it. A legitimate long chain completes over several runs; a portal whose every 下一篇 is a
fresh URL cannot hold a run for ever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from xzcrawler import parsing
from xzcrawler.frontier import CrawlMode, Frontier
from xzcrawler.items import Article
from xzcrawler.reading import PageReading
from xzcrawler.spiders.base import PortalSpider
from xzcrawler.stats_keys import (
    CHAIN_MAX_DEPTH,
    CHAINS_CAPPED,
    CHAINS_CAPPED_AT,
    CHAINS_CAPPED_KEPT,
)
from xzcrawler.urls import canonical

BOTH_DIRECTIONS = ("prev", "next")
# Request meta: articles between this request and the chain's anchor (a listed article, or
# where a stored chain resumes). In meta, so a shared Redis queue hands it to any worker.
CHAIN_DEPTH = "chain_depth"


class SectionsSpider(PortalSpider):
    name = "sections"

    def __init__(
        self, mode: str = CrawlMode.INCREMENTAL, section: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.mode = CrawlMode(mode)
        self.sections = {name.strip() for name in section.split(",")} if section else set()
        self.frontier = Frontier(self.mode)
        # For the run record's chain health: what list pages showed, what chains linked to.
        self.listed: set[str] = set()
        self.chained: set[str] = set()
        self.articles: set[str] = set()
        # First page URL -> chain depth, for articles split over pages (their whole comes back
        # through the last page's response, which carries no depth).
        self.split_depths: dict[str, int] = {}

    @property
    def max_chain_depth(self) -> int:
        return self.settings.getint("CHAIN_MAX_DEPTH")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.frontier = Frontier.load(self.settings, self.mode)
        for request in self.fetch(self.portal_url, self.parse_home):
            yield request
        for url in self.frontier.resume + self.frontier.recheck:
            for request in self.fetch(url, self.parse_page):  # a bad stored link is skipped
                yield request

    def parse_home(self, response: Response) -> Iterator[scrapy.Request]:
        assert isinstance(response, TextResponse)  # the downloader's pages are HTML
        sections = parsing.navigation_sections(response)
        self.crawler.stats.set_value("xz/sections/found", len(sections))
        if self.sections:
            sections = [s for s in sections if s.name in self.sections]
            if not sections:
                self.logger.error("no section named %s in the navigation menu", self.sections)
        for section in sections:
            yield from self.fetch(section.url, self.parse_page)

    async def parse_page(self, response: Response) -> AsyncIterator[Article | scrapy.Request]:
        reading = await self.read(response)
        self.crawler.stats.inc_value(f"xz/pages/{reading.kind}")
        if reading.kind is parsing.PageKind.ARTICLE:
            outputs = self.parse_article(response, reading)
        elif reading.kind is parsing.PageKind.LIST:
            outputs = self.parse_list(response, reading)
        else:
            self.unusable(response, "unclassified page")
            return
        for output in outputs:
            yield output

    def parse_list(
        self, response: Response, reading: PageReading
    ) -> Iterator[Article | scrapy.Request]:
        # url -> the title the list shows; the first showing wins, as in listed_articles.
        shown: dict[str, str] = {}
        for listed in reading.listed:
            shown.setdefault(canonical(listed.url), listed.title)
        stats = self.crawler.stats
        stats.inc_value("xz/list/article_links", len(shown))
        self.listed.update(shown)
        new = [url for url in shown if self.frontier.wants(url)]
        # A stored article listed under another title was edited: fetch it again (storage keeps
        # the revision). Unchanged titles, shortened or not, cost no request.
        retitled = [url for url, title in shown.items() if self.frontier.retitled(url, title)]
        if retitled:
            stats.inc_value("xz/list/retitled", len(retitled))
            self.logger.info(
                "list page %s shows %d stored articles retitled", response.url, len(retitled)
            )
        for url in new + retitled:
            yield from self.fetch(url, self.parse_page)
        # Older list pages only matter while this one still shows articles we lack; an edit of
        # an old article says nothing about older pages.
        if new or self.mode is CrawlMode.FULL:
            for url in reading.pagination:
                yield from self.fetch(url, self.parse_page)

    def parse_article(
        self, response: Response, reading: PageReading | None, whole: Article | None = None
    ) -> Iterator[Article | scrapy.Request]:
        if whole is None:
            depth = response.meta.get(CHAIN_DEPTH, 0)
        else:
            depth = self.split_depths.pop(whole.url, 0)
        article = self.article_of(response, reading, whole)
        if article is None:
            if depth and whole is None:  # maybe the first page of a split article
                self.split_depths[canonical(response.url)] = depth
            return
        yield article
        neighbours = list(self.chain_links(article, BOTH_DIRECTIONS))
        self.articles.add(article.url)
        self.chained.update(neighbours)
        if article.url in self.listed:
            depth = 0
        # A stored chain end is fetched again whatever the depth: it only gains a link to this
        # article, the chain goes no further through it.
        new = [url for url in neighbours if self.frontier.wants(url)]
        capped = bool(new) and 0 < self.max_chain_depth <= depth
        if capped:
            self.chain_capped(article.url)
        for url in neighbours:
            if url not in new:
                if self.frontier.wants_neighbour(url):
                    yield from self.fetch(url, self.parse_page)
            elif not capped:
                for request in self.fetch(url, self.parse_page):
                    request.meta[CHAIN_DEPTH] = depth + 1
                    yield request

    def chain_capped(self, url: str) -> None:
        """A chain walk stopped at CHAIN_MAX_DEPTH: the article is stored, so the next run
        resumes from its neighbours that are not."""
        stats = self.crawler.stats
        stats.inc_value(CHAINS_CAPPED)
        stats.set_value(CHAIN_MAX_DEPTH, self.max_chain_depth)
        capped_at = stats.get_value(CHAINS_CAPPED_AT, [])
        if len(capped_at) < CHAINS_CAPPED_KEPT:
            capped_at.append(url)
        stats.set_value(CHAINS_CAPPED_AT, capped_at)
        self.logger.info(
            "chain stopped at %s, %d articles beyond the last listed or stored one "
            "(CHAIN_MAX_DEPTH); the next run continues it",
            url,
            self.max_chain_depth,
        )

    def unfetchable(self, url: str, reason: str) -> None:
        self.frontier.unfetchable[url] = reason

    def closed(self, reason: str) -> None:
        self.frontier.save()
        stats = self.crawler.stats
        stats.set_value("xz/chains/listed_not_linked", len(self.listed - self.chained))
        stats.set_value("xz/chains/linked_not_listed", len(self.articles - self.listed))
