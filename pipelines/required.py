"""Drops article items that lack what makes an article: a title and a body."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from pipelines.stats import StatsPipeline

REQUIRED_FIELDS = ("title", "body")


class RequiredFieldsPipeline(StatsPipeline):
    """Counts every drop under xz/dropped and its reason under xz/dropped/no_<field>."""

    prefix = "xz/dropped"

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        for name in REQUIRED_FIELDS:
            if not adapter.get(name):
                self.count()
                self.count(f"no_{name}")
                raise DropItem(f"article without a {name}: {adapter.get('url')}")
        return item
