"""What the normalising pipelines share: the crawl's stats, one key prefix, the first example.

Each pipeline counts what it could not place under its own prefix (xz/dates, xz/sources,
xz/dropped), and keeps the first raw text of each kind as `<key>_example`, so the crawl stats
show a case to look at, not only a number.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Self

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector


class StatsPipeline:
    """A pipeline that counts under `prefix` in the crawl stats."""

    prefix: ClassVar[str]

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats)

    def count(self, name: str | None = None, example: object = None) -> None:
        """Add one to `<prefix>/<name>` (the prefix itself for None); keep the first example."""
        key = self.prefix if name is None else f"{self.prefix}/{name}"
        self.stats.inc_value(key)
        if example is not None and self.stats.get_value(f"{key}_example") is None:
            self.stats.set_value(f"{key}_example", example)

    def record(self, notes: Iterable[tuple[str | None, object]]) -> None:
        for name, example in notes:
            self.count(name, example)

    def notes_of(self, item: Any) -> list[tuple[str | None, object]] | None:
        """What a page reader that normalised the item left for this pipeline to count (taken:
        an item normalised again after a change counts again); None if it did not."""
        notes = getattr(item, "notes", None)
        return notes.pop(self.prefix, None) if isinstance(notes, dict) else None
