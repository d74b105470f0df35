"""The crawl process's own runtime costs: its stats calls, its garbage collector, its log, its
item adapters.

A crawl's process runs Scrapy and routes every page and item (docs/performance.md); these
costs grow with every page and buy nothing, so a crawl of the portal turns them down.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
from collections import deque
from typing import TYPE_CHECKING, Any, ClassVar, Self, cast

from itemadapter import ItemAdapter
from itemadapter.adapter import AdapterInterface, DataclassAdapter
from scrapy import signals
from scrapy.statscollectors import MemoryStatsCollector

from xzcrawler.items import Article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class CrawlStats(MemoryStatsCollector):
    """Scrapy's MemoryStatsCollector with plain attribute lookup.

    Scrapy's StatsCollector routes every attribute access through a `__getattribute__` that
    wraps its methods for a deprecation warning about a `spider` argument; with ~30 stats calls
    a page, each also reading `_stats` through it, that cost ~0.3 ms of the crawl process's CPU
    a page (docs/performance.md). The methods are the same; a `spider` argument is accepted and
    ignored, as Scrapy ignores it."""

    __getattribute__ = object.__getattribute__


class ArticleAdapter(DataclassAdapter):
    """itemadapter's DataclassAdapter for an Article, with its table of fields built once.

    The generic adapter builds that table (dataclasses.fields) for every ItemAdapter(item),
    ~10 µs, and an article meets five a page: each pipeline, FieldFill, the storage row. Same
    fields, same values; an Article subclass keeps the generic adapter."""

    _article_fields: ClassVar[dict[str, dataclasses.Field[Any]]] = {
        field.name: field for field in dataclasses.fields(Article)
    }

    def __init__(self, item: Any) -> None:
        self.item = item
        self._fields_dict = self._article_fields

    @classmethod
    def is_item(cls, item: Any) -> bool:
        return type(item) is Article

    @classmethod
    def is_item_class(cls, item_class: type) -> bool:
        return item_class is Article


class ArticleAdapters:
    """Extension: puts ArticleAdapter first among itemadapter's adapters for the process."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        adapters = cast(deque[type[AdapterInterface]], ItemAdapter.ADAPTER_CLASSES)
        if ArticleAdapter not in adapters:
            adapters.appendleft(ArticleAdapter)
        return cls()


class GarbageCollection:
    """Freezes what the crawl built before its first request and collects less often.

    A crawl allocates container objects (requests, Deferreds, items) at a rate that runs the
    youngest generation ~300 times a second, and each older collection walks every object
    Scrapy, SQLAlchemy and the spiders built at start-up: measured, 9 % of the crawl process's
    CPU. With the start-up objects frozen and GC_THRESHOLDS, ~1 % (docs/performance.md). Memory
    is unchanged: reference counting frees what a page leaves, cycles wait a little longer."""

    def __init__(self, thresholds: tuple[int, int, int]) -> None:
        self.thresholds = thresholds
        self.before: tuple[int, int, int] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        first, second, third = (int(value) for value in crawler.settings.getlist("GC_THRESHOLDS"))
        extension = cls((first, second, third))
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_started(self, **_: Any) -> None:
        self.before = gc.get_threshold()
        gc.collect()
        gc.freeze()
        gc.set_threshold(*self.thresholds)

    def engine_stopped(self, **_: Any) -> None:
        """Hands the collector back as it was: a process may run more than one crawl."""
        if self.before is not None:
            gc.set_threshold(*self.before)
            gc.unfreeze()


def skip_unlogged_records() -> None:
    """Scrapy leaves the root logger at NOTSET and its own logger at DEBUG, and lets its
    handler drop what is below LOG_LEVEL: each page's DEBUG lines (Crawled, Scraped from) were
    built as records and thrown away. At the level of the least strict handler they are not
    built."""
    root = logging.getLogger()
    if not root.handlers:
        return
    level = min(handler.level for handler in root.handlers)
    for logger_ in (root, logging.getLogger("scrapy")):
        if logger_.level < level:
            logger_.setLevel(level)
