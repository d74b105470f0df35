"""Drops article items that lack what makes an article: a title and a body."""

from __future__ import annotations

import logging
from typing import Any, Self

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

REQUIRED_FIELDS = ("title", "body")


class RequiredFieldsPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        for name in REQUIRED_FIELDS:
            if not adapter.get(name):
                self.stats.inc_value("xz/dropped")
                self.stats.inc_value(f"xz/dropped/no_{name}")
                raise DropItem(f"article without a {name}: {adapter.get('url')}")
        return item
