"""Sources and authors: the meta line's 来源/作者/编辑 texts as canonical publishers and names.

Users group and filter by source and author, so both are reduced to one exact form, as three
modules do: source_cleaning (the source text without label, markup and glued fields),
publishers (the alias table that folds spellings into one publisher) and authors (names with
their roles, the editor apart). This module is the pipeline that applies them, and the names
docs/interface.md gives.
"""

from __future__ import annotations

from typing import Any, Self

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from pipelines.authors import Credit, Role, normalize_author, parse_authors, parse_editor
from pipelines.normalise import SOURCES, SourceNormaliser, source_normaliser
from pipelines.publishers import (
    PUBLISHERS_FILE,
    Publisher,
    Publishers,
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


class SourcesPipeline(StatsPipeline):
    """Fills source, authors, author and editor from the raw meta-line texts, counting what it
    could not place (unknown sources, anonymous bylines) in the crawl stats."""

    prefix = SOURCES

    def __init__(self, stats: StatsCollector, normalise: SourceNormaliser) -> None:
        super().__init__(stats)
        self.normalise = normalise

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        normalise = source_normaliser(settings["SOURCE_ALIASES_FILE"], settings["PORTAL_NAME"])
        return cls(crawler.stats, normalise)

    def process_item(self, item: Any) -> Any:
        notes = self.notes_of(item)
        self.record(self.normalise(ItemAdapter(item)) if notes is None else notes)
        return item
