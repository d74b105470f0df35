"""Sources and authors: the meta line's 来源/作者/编辑 texts as canonical publishers and names.

Users group and filter by source and author, so both are reduced to one exact form, as three
modules do: source_cleaning (the source text without label, markup and glued fields),
publishers (the alias table that folds spellings into one publisher) and authors (names with
their roles, the editor apart). This module is the pipeline that applies them, and the names
docs/interface.md gives.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Self
from urllib.parse import urljoin

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from pipelines.authors import (
    NOT_AUTHOR_ROLES,
    Credit,
    Role,
    normalize_author,
    parse_authors,
    parse_editor,
)
from pipelines.publishers import (
    PUBLISHERS_FILE,
    Publisher,
    Publishers,
    classify_source,
    default_publishers,
    normalize_source,
    publisher_key,
)
from pipelines.source_cleaning import clean_source, source_link
from pipelines.stats import StatsPipeline
from xzcrawler.settings import PORTAL_NAME

__all__ = [
    "PORTAL_NAME",
    "PUBLISHERS_FILE",
    "Credit",
    "Publisher",
    "Publishers",
    "Role",
    "SourcesPipeline",
    "clean_source",
    "default_publishers",
    "normalize_author",
    "normalize_source",
    "parse_authors",
    "parse_editor",
    "publisher_key",
    "source_link",
]


# Source texts whose reading a crawl keeps.
SOURCE_CACHE = 4096


def _text(value: Any) -> str | None:
    """A raw field as text; a spider bug (a list, a number) counts as absent, not a crash."""
    return value if isinstance(value, str) else None


class SourcesPipeline(StatsPipeline):
    """Fills source, authors, author and editor from the raw meta-line texts, counting what it
    could not place (unknown sources, anonymous bylines) in the crawl stats."""

    prefix = "xz/sources"

    def __init__(self, stats: StatsCollector, publishers: Publishers, portal: str) -> None:
        super().__init__(stats)
        self.publishers = publishers
        self.portal = portal
        # A portal prints a few dozen sources over thousands of articles: each read once.
        self.classify = lru_cache(maxsize=SOURCE_CACHE)(self._classify)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """The shipped alias table, extended by SOURCE_ALIASES_FILE; the portal as PORTAL_NAME
        names it."""
        settings = crawler.settings
        publishers = Publishers.load(PUBLISHERS_FILE)
        if extra := settings.get("SOURCE_ALIASES_FILE"):
            publishers.extend(extra)
        portal = clean_source(settings.get("PORTAL_NAME")) or PORTAL_NAME
        return cls(crawler.stats, publishers, portal)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        self._source(adapter)
        self._authors(adapter)
        return item

    def _classify(self, raw: str | None) -> tuple[str | None, str]:
        return classify_source(raw, self.portal, self.publishers)

    def _source(self, adapter: ItemAdapter) -> None:
        raw = _text(adapter.get("source_raw"))
        source, how = self.classify(raw)
        adapter["source"] = source
        self.count(how, raw if how == "unknown" else None)
        if not adapter.get("source_url") and (link := source_link(raw)):
            adapter["source_url"] = urljoin(_text(adapter.get("url")) or "", link)

    def _authors(self, adapter: ItemAdapter) -> None:
        """The meta line's named author; where it names nobody, the credit of a byline or
        dateline in the body; photographers and editors never (docs/interface.md)."""
        raw = _text(adapter.get("author_raw"))
        credits, editor = parse_authors(raw)
        if not credits:
            credits = [
                credit
                for credit in parse_authors(_text(adapter.get("byline_raw")))[0]
                if credit.role not in NOT_AUTHOR_ROLES
            ] or [Credit(name, Role.REPORTER) for name in adapter.get("reporters") or []]
            if credits:
                self.count("authors_from_body")
        names = [credit.name for credit in credits]
        adapter["authors"] = names
        adapter["author_roles"] = [credit.role and str(credit.role) for credit in credits]
        adapter["author"] = "、".join(names) or None
        adapter["editor"] = parse_editor(_text(adapter.get("editor_raw"))) or editor
        if names:
            self.count("authors_named")
        elif raw and raw.strip():
            self.count("authors_anonymous", raw)
        else:
            self.count("authors_missing")
        if adapter["editor"]:
            self.count("editor")
