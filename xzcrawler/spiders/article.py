"""One article by hand, or one chain: `scrapy crawl article -a url=URL -a follow=both`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from enum import StrEnum
from typing import Any, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response

from xzcrawler.items import Article
from xzcrawler.reading import PageReading
from xzcrawler.spiders.base import PortalSpider


class Follow(StrEnum):
    NONE = "none"
    PREV = "prev"
    NEXT = "next"
    BOTH = "both"

    @property
    def directions(self) -> tuple[str, ...]:
        return {"none": (), "prev": ("prev",), "next": ("next",), "both": ("prev", "next")}[self]


class ArticleSpider(PortalSpider):
    name = "article"

    def __init__(self, url: str | None = None, follow: str = Follow.NONE, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not url:
            raise ValueError("the article spider needs -a url=URL")
        self.url = url
        self.follow = Follow(follow)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        kwargs.setdefault("portal_url", kwargs.get("url"))
        return super().from_crawler(crawler, *args, **kwargs)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.fetch(self.url, self.parse_page):
            yield request

    async def parse_page(self, response: Response) -> AsyncIterator[Article | scrapy.Request]:
        reading = await self.read(response, article_only=True)
        for output in self.parse_article(response, reading):
            yield output

    def parse_article(
        self, response: Response, reading: PageReading | None, whole: Article | None = None
    ) -> Iterator[Article | scrapy.Request]:
        """The article (or, for a split one, the whole article after its last page), then its
        chain in the directions asked for."""
        article = self.article_of(response, reading, whole)
        if article is None:
            return
        yield article
        for url in self.chain_links(article, self.follow.directions):
            yield from self.fetch(url, self.parse_page)
