"""One page read once: everything the spiders ask of a response, in this process or a child.

The spiders route requests and items; reading a page (the walk, the fields, the links) is the
crawl's main CPU cost, so `PageReader` does it in child processes (xzcrawler/workers.py) when
PARSE_PROCESSES allows, and the reactor only sends the page's bytes and receives a
`PageReading`. In this process or in a child, the reading is the same call of xzcrawler.parsing,
so `parse_article` -> ITEM_PIPELINES stays the one path of an article (docs/performance.md).
"""

from __future__ import annotations

import logging
import os
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property, partial
from typing import TYPE_CHECKING, Self

from w3lib.encoding import html_to_unicode

from pipelines.normalise import SourceNormaliser, normalise_article, source_normaliser
from xzcrawler import parsing, workers
from xzcrawler.items import Article
from xzcrawler.parsing import ListedArticle, PageKind, Source

if TYPE_CHECKING:  # the readers' processes import no Scrapy
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


@dataclass
class PageReading:
    """What a page is and holds. An article page: `incomplete` (why it looks cut) or `article`,
    or `error` when the parser raised (with `trace`, its traceback). A list page: its listed
    articles and the pages of its pager."""

    kind: PageKind
    incomplete: str | None = None
    article: Article | None = None
    error: str | None = None
    trace: str | None = None
    listed: list[ListedArticle] = field(default_factory=list)
    pagination: list[str] = field(default_factory=list)


# The item pipelines whose work a reading does ahead of them, when the crawl runs both.
NORMALISED_FOR = ("pipelines.dates.DatesPipeline", "pipelines.sources.SourcesPipeline")


@dataclass(frozen=True)
class Normalising:
    """The settings the sources pipeline reads, so that a reading normalises the article as the
    pipelines would (pipelines/normalise.py)."""

    aliases_file: str
    portal_name: str

    @classmethod
    def of(cls, crawler: Crawler) -> Normalising | None:
        """None when the crawl runs without the dates or the sources pipeline."""
        pipelines = crawler.settings.getwithbase("ITEM_PIPELINES")
        if any(pipelines.get(path) is None for path in NORMALISED_FOR):
            return None
        settings = crawler.settings
        return cls(settings.get("SOURCE_ALIASES_FILE") or "", settings.get("PORTAL_NAME") or "")


@cache
def _sources(normalising: Normalising) -> SourceNormaliser:
    """One alias table per process, loaded on its first article."""
    return source_normaliser(normalising.aliases_file, normalising.portal_name)


def read_page(
    response: Source,
    fetched_at: datetime,
    *,
    article_only: bool,
    normalising: Normalising | None = None,
) -> PageReading:
    """The reading of one response; `article_only` for a page known to be an article (a
    further page of a split article), whose kind is not asked. With `normalising`, an article
    page's article comes normalised, as ITEM_PIPELINES would leave it, with the counts for them
    in `notes`; a normaliser that raises leaves it to the pipelines, which raise as they would
    have."""
    kind = PageKind.ARTICLE if article_only else parsing.page_kind(response)
    reading = PageReading(kind)
    if kind is PageKind.LIST:
        reading.listed = parsing.listed_articles(response)
        reading.pagination = parsing.pagination_links(response)
    elif kind is PageKind.ARTICLE:
        reading.incomplete = parsing.incomplete_reason(response)
        if reading.incomplete is None:
            try:
                reading.article = parsing.parse_article(response, fetched_at=fetched_at)
            except Exception as exc:  # any parser bug is a page we could not use
                reading.error = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
                reading.trace = traceback.format_exc()
    if reading.article is not None and normalising is not None and not article_only:
        try:
            normalise_article(reading.article, _sources(normalising))
        except Exception:
            reading.article.notes = {}
    return reading


@dataclass(eq=False)  # by identity: the parser caches its walk of a page weakly, per page
class PageBytes:
    """A page as it crossed the pipe: its text decoded as Scrapy's TextResponse decodes it,
    with the encoding the crawl already settled on."""

    url: str
    body: bytes
    encoding: str

    @cached_property
    def text(self) -> str:
        return html_to_unicode(f"charset={self.encoding}", self.body)[1]


def _read_bytes(
    url: str,
    body: bytes,
    encoding: str,
    fetched_at: datetime,
    article_only: bool,
    *,
    normalising: Normalising | None,
) -> PageReading:
    """In a child: the page from what crossed the pipe, then read."""
    page = PageBytes(url, body, encoding)
    return read_page(page, fetched_at, article_only=article_only, normalising=normalising)


class PageReader:
    """Reads pages in PARSE_PROCESSES child processes (0: in this process; unset: one per core
    beyond the reactor's), each page going to the least busy reader. A reading costs the
    reactor a pickle of the page's bytes and one of the result, ~0.05 ms against ~1 ms of
    reading (docs/performance.md).

    A reader that dies (a page that crashes lxml, the OOM killer) fails every reading in flight
    on it: it is started again, and each of those pages is read once more, alone; a page that
    kills its reader then too is an article page that could not be read."""

    def __init__(self, processes: int, normalising: Normalising | None = None) -> None:
        self.normalising = normalising
        self.read_bytes = partial(_read_bytes, normalising=normalising)
        self.readers = [workers.PipeWorker(self.read_bytes) for _ in range(processes)]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        configured = crawler.settings.get("PARSE_PROCESSES")
        if configured is None or configured == "":
            processes = max(1, (os.cpu_count() or 1) - 1)
        else:
            processes = crawler.settings.getint("PARSE_PROCESSES")
        return cls(processes, Normalising.of(crawler))

    async def read(
        self, response: Source, fetched_at: datetime, *, article_only: bool = False
    ) -> PageReading:
        if not self.readers:
            return read_page(
                response, fetched_at, article_only=article_only, normalising=self.normalising
            )
        call = (response.url, response.body, response.encoding, fetched_at, article_only)
        reader = min(self.readers, key=lambda worker: worker.load)
        try:
            reading: PageReading = await reader.call(*call)
            return reading
        except workers.WorkerDied as exc:
            if reader in self.readers:  # the first reading to see it starts a new reader
                logger.error("a page reader died (%s): restarted; its pages read again", exc)
                self.readers[self.readers.index(reader)] = workers.PipeWorker(self.read_bytes)
                reader.close()
        # Every reading in flight failed with the child: read this page alone, so a page
        # that kills its reader again takes no other page with it.
        alone = workers.PipeWorker(self.read_bytes)
        try:
            reading = await alone.call(*call)
            return reading
        except workers.WorkerDied:
            error = "ReaderDied: the page reader died reading this page, twice"
            return PageReading(PageKind.ARTICLE, error=error)
        finally:
            alone.close()

    def close(self) -> None:
        for reader in self.readers:
            reader.close()
