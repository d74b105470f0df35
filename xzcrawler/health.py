"""How healthy a crawl was, judged from our own counts (Scrapy exits 0 even when items are lost).

The FieldFill extension counts, per stored item, which fields were filled; `assess` turns a
finished crawl's stats into a status, a one-line reason and warnings, comparing fill rates with
earlier runs the way spidermon monitors do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Self

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector

from xzcrawler.spiders.base import INCOMPLETE_ARTICLES

FILL_FIELDS = ("published_at", "author", "source", "section", "body")


class RunStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class FieldFill:
    """Counts filled fields of every item that reached the end of the pipelines."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        return extension

    def item_scraped(self, item: Any) -> None:
        adapter = ItemAdapter(item)
        self.stats.inc_value("xz/fill/items")
        for name in FILL_FIELDS:
            if adapter.get(name):
                self.stats.inc_value(f"xz/fill/{name}")


@dataclass
class Thresholds:
    max_error_rate: float
    max_drop_rate: float
    fill_drop_warning: float

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(
            max_error_rate=settings.getfloat("HEALTH_MAX_ERROR_RATE"),
            max_drop_rate=settings.getfloat("HEALTH_MAX_DROP_RATE"),
            fill_drop_warning=settings.getfloat("HEALTH_FILL_DROP_WARNING"),
        )


@dataclass
class Assessment:
    status: RunStatus
    reason: str | None
    fill: dict[str, float]
    http_errors: dict[str, int]
    warnings: list[str] = field(default_factory=list)


def http_errors(stats: dict[str, Any]) -> dict[str, int]:
    """Responses by error status, and requests that failed without a response, by exception."""
    errors = {}
    for key, value in stats.items():
        if key.startswith("downloader/response_status_count/"):
            status = key.rsplit("/", 1)[1]
            if int(status) >= 400:
                errors[status] = value
        elif key.startswith("retry/max_reached"):
            errors["retries_exhausted"] = errors.get("retries_exhausted", 0) + value
    return errors


def dropped_articles(stats: dict[str, Any]) -> int:
    """Article pages that gave no stored article: dropped items and pages still cut."""
    return stats.get("item_dropped_count", 0) + stats.get(INCOMPLETE_ARTICLES, 0)


def fill_rates(stats: dict[str, Any]) -> dict[str, float]:
    items = stats.get("xz/fill/items", 0)
    if not items:
        return {}
    return {name: round(stats.get(f"xz/fill/{name}", 0) / items, 4) for name in FILL_FIELDS}


def assess(
    stats: dict[str, Any],
    *,
    thresholds: Thresholds,
    stored_before: int,
    previous_fill: Sequence[dict[str, float]],
    shared_frontier: bool = False,
) -> Assessment:
    """Judge a finished crawl. A worker of a shared (distributed) crawl may see no list page
    because another worker fetched them all, so that rule applies to whole crawls only."""
    fill = fill_rates(stats)
    errors = http_errors(stats)
    assessment = Assessment(RunStatus.OK, None, fill, errors)
    for name, rate in fill.items():
        earlier = [run[name] for run in previous_fill if name in run]
        if earlier:
            usual = sum(earlier) / len(earlier)
            if usual - rate > thresholds.fill_drop_warning:
                assessment.warnings.append(
                    f"fill rate of {name} fell to {rate:.0%} from {usual:.0%} in earlier runs"
                )

    responses = stats.get("response_received_count", 0)
    failed_requests = errors.get("retries_exhausted", 0) + sum(
        count for status, count in errors.items() if status.isdigit() and int(status) >= 500
    )
    items = stats.get("xz/fill/items", 0)
    dropped = dropped_articles(stats)
    reasons = []
    if not stats.get("finish_reason"):
        reasons.append("the crawl did not run to an end (see the log)")
    if stats.get("finish_reason") == "shutdown":
        assessment.status = RunStatus.INTERRUPTED
        reasons.append("stopped by a signal before the crawl finished")
    if stats.get("xz/storage/spooled"):
        reasons.append(
            f"{stats['xz/storage/spooled']} articles could not be written and were spooled"
        )
    if not stats.get("xz/pages/list") and not shared_frontier:
        reasons.append("no list page was fetched (portal down, blocking us, or redesigned)")
    elif stored_before and not stats.get("xz/list/article_links"):
        reasons.append("list pages showed no article links (the markup may have changed)")
    if responses and failed_requests / responses > thresholds.max_error_rate:
        reasons.append(f"error rate {failed_requests / responses:.0%} of {responses} responses")
    if items + dropped and dropped / (items + dropped) > thresholds.max_drop_rate:
        reasons.append(f"{dropped} of {items + dropped} article pages were unusable or dropped")
    if reasons and assessment.status is RunStatus.OK:
        assessment.status = RunStatus.FAILED
    assessment.reason = "; ".join(reasons) or None
    return assessment
