"""How healthy a crawl was, judged from our own counts (Scrapy exits 0 even when items are lost).

The FieldFill extension counts, per stored item, which fields were filled (overall and per
template signature, so a template the parser reads badly stands out); `assess` turns a finished
crawl's stats into a status, a one-line reason and warnings, comparing article pages fetched
with items stored and fill rates with earlier runs, the way spidermon monitors do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Self

from xzcrawler.stats_keys import (
    ARTICLE_PAGES,
    ARTICLES_YIELDED,
    CANCELLED_DOWNLOADS,
    CHAIN_MAX_DEPTH,
    CHAINS_CAPPED,
    CHAINS_CAPPED_AT,
    CONTINUATION_PAGES,
    FILL_BY_TEMPLATE,
    FILL_ITEMS,
    FILL_PREFIX,
    INCOMPLETE_ARTICLES,
    ITEMS_DROPPED,
    OTHER_TEMPLATES,
    PARSE_ERROR_EXAMPLES,
    PARSE_ERRORS_PREFIX,
    SPLIT_ARTICLES,
    SPLIT_UNFINISHED,
    STORAGE_LOST,
    TEMPLATES_KEPT,
    UNPARSABLE_ARTICLES,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

FILL_FIELDS = ("published_at", "author", "source", "section", "body")


class RunStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    CUT_SHORT = "cut short"  # a limit ended it (CLOSESPIDER_*, CHAIN_MAX_DEPTH, a shutdown)
    INTERRUPTED = "interrupted"  # SIGTERM, Ctrl-C
    DIED = "died"  # set by a later run: the process vanished without recording an outcome


class FieldFill:
    """Counts filled fields of every item that reached the end of the pipelines.

    Scrapy and itemadapter are imported when the crawl builds the extension: the commands that
    only read run records import this module and must start without them (README, start-up).
    """

    def __init__(self, stats: StatsCollector) -> None:
        from itemadapter import ItemAdapter

        self.stats = stats
        self.adapter = ItemAdapter

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from scrapy import signals

        extension = cls(crawler.stats)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        return extension

    def item_scraped(self, item: Any) -> None:
        adapter = self.adapter(item)
        self.stats.inc_value(FILL_ITEMS)
        filled = [name for name in FILL_FIELDS if adapter.get(name)]
        for name in filled:
            self.stats.inc_value(f"{FILL_PREFIX}{name}")
        template = adapter.get("template")
        if template:
            by_template = self.stats.get_value(FILL_BY_TEMPLATE, {})
            if template not in by_template and len(by_template) >= TEMPLATES_KEPT:
                template = OTHER_TEMPLATES
            counts = by_template.setdefault(template, {"items": 0})
            counts["items"] += 1
            for name in filled:
                counts[name] = counts.get(name, 0) + 1
            self.stats.set_value(FILL_BY_TEMPLATE, by_template)


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
    if cancelled := stats.get(CANCELLED_DOWNLOADS):
        errors["cancelled"] = cancelled
    return errors


# Why an article page gave no stored article: stats key -> the word the run's reason uses.
LOSSES = {
    UNPARSABLE_ARTICLES: "unparsable",
    ITEMS_DROPPED: "dropped",
    INCOMPLETE_ARTICLES: "still incomplete",
    SPLIT_UNFINISHED: "split over pages with a page missing",
}


def dropped_articles(stats: dict[str, Any]) -> int:
    """Article pages that gave no stored article: unparsable, dropped by a pipeline, still cut
    after their retries, or split over pages of which one failed."""
    return sum(stats.get(key, 0) for key in LOSSES)


def article_pages(stats: dict[str, Any]) -> int:
    """Article pages read to an outcome; never fewer than the outcomes counted (a worker of a
    shared crawl may store items whose pages another worker fetched)."""
    return int(max(stats.get(ARTICLE_PAGES, 0), stats.get(FILL_ITEMS, 0) + dropped_articles(stats)))


def parse_errors(stats: dict[str, Any]) -> dict[str, int]:
    """Article pages per field whose extractor raised."""
    return {
        key.removeprefix(PARSE_ERRORS_PREFIX): value
        for key, value in sorted(stats.items())
        if key.startswith(PARSE_ERRORS_PREFIX)
    }


def fill_rates(stats: dict[str, Any]) -> dict[str, float]:
    items = stats.get(FILL_ITEMS, 0)
    if not items:
        return {}
    return {name: round(stats.get(f"{FILL_PREFIX}{name}", 0) / items, 4) for name in FILL_FIELDS}


def template_fill_rates(stats: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per template signature: stored items and the share of them with each field filled."""
    rates = {}
    for template, counts in sorted(stats.get(FILL_BY_TEMPLATE, {}).items()):
        items = counts["items"]
        rates[template] = {
            "items": items,
            **{name: round(counts.get(name, 0) / items, 4) for name in FILL_FIELDS},
        }
    return rates


def extraction_summary(stats: dict[str, Any]) -> dict[str, Any]:
    """What the run record keeps of extraction: article pages fetched against items stored
    and lost (and why), parse errors per field with an example, fill rates per template."""
    examples = stats.get(PARSE_ERROR_EXAMPLES, {})
    return {
        "article_pages": article_pages(stats),
        "items_yielded": stats.get(ARTICLES_YIELDED, 0),
        "stored": stats.get(FILL_ITEMS, 0),
        "dropped": stats.get(ITEMS_DROPPED, 0),
        "unparsable": stats.get(UNPARSABLE_ARTICLES, 0),
        "incomplete": stats.get(INCOMPLETE_ARTICLES, 0),
        "split_articles": stats.get(SPLIT_ARTICLES, 0),
        "continuation_pages": stats.get(CONTINUATION_PAGES, 0),
        "split_unfinished": stats.get(SPLIT_UNFINISHED, 0),
        "parse_errors": {
            name: {"count": count, **examples.get(name, {})}
            for name, count in parse_errors(stats).items()
        },
        "fill_by_template": template_fill_rates(stats),
    }


def assess(
    stats: dict[str, Any],
    *,
    thresholds: Thresholds,
    stored_before: int,
    previous_fill: Sequence[dict[str, float]],
    shared_frontier: bool = False,
    signals_received: int = 0,
) -> Assessment:
    """Judge a finished crawl. A worker of a shared (distributed) crawl may see no list page
    because another worker fetched them all, so that rule applies to whole crawls only.
    `signals_received` counts the shutdown signals (SIGTERM, SIGINT) the process got: Scrapy
    closes with `shutdown` after one, and stops without closing after a second."""
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
    failed_requests = (
        errors.get("retries_exhausted", 0)
        + errors.get("cancelled", 0)
        + sum(count for status, count in errors.items() if status.isdigit() and int(status) >= 500)
    )
    pages = article_pages(stats)
    lost = dropped_articles(stats)
    examples = stats.get(PARSE_ERROR_EXAMPLES, {})
    for name, count in parse_errors(stats).items():
        if count / pages > thresholds.max_drop_rate:
            error = examples.get(name, {}).get("error")
            assessment.warnings.append(
                f"parse errors in {name} on {count} of {pages} article pages"
                + (f" ({error})" if error else "")
            )
    reasons = []
    finish_reason = stats.get("finish_reason")
    if not finish_reason and signals_received >= 2:
        assessment.status = RunStatus.INTERRUPTED
        reasons.append("stopped at once by a second signal; pending writes were not finished")
    elif not finish_reason:
        reasons.append("the crawl did not run to an end (see the log)")
    elif finish_reason == "shutdown" and signals_received:
        assessment.status = RunStatus.INTERRUPTED
        reasons.append("stopped by a signal before the crawl finished")
    elif finish_reason != "finished":
        assessment.status = RunStatus.CUT_SHORT
        reasons.append(f"cut short by {finish_reason}; the next run continues")
    if stats.get(CHAINS_CAPPED):
        if assessment.status is RunStatus.OK:
            assessment.status = RunStatus.CUT_SHORT
        first = stats.get(CHAINS_CAPPED_AT) or ["?"]
        reasons.append(
            f"{stats[CHAINS_CAPPED]} chain walks stopped {stats.get(CHAIN_MAX_DEPTH)} articles "
            f"beyond the last listed or stored article (CHAIN_MAX_DEPTH), first at {first[0]}; "
            "the next run continues them"
        )
    if stats.get("xz/storage/spooled"):
        reasons.append(
            f"{stats['xz/storage/spooled']} articles could not be written and were spooled"
        )
    if stats.get(STORAGE_LOST):
        reasons.append(f"{stats[STORAGE_LOST]} articles lost: neither written nor spooled")
    if not stats.get("xz/pages/list") and not shared_frontier:
        reasons.append("no list page was fetched (portal down, blocking us, or redesigned)")
    elif stored_before and not stats.get("xz/list/article_links"):
        reasons.append("list pages showed no article links (the markup may have changed)")
    if responses and failed_requests / responses > thresholds.max_error_rate:
        reasons.append(f"error rate {failed_requests / responses:.0%} of {responses} responses")
    if pages and lost / pages > thresholds.max_drop_rate:
        why = ", ".join(f"{stats[key]} {word}" for key, word in LOSSES.items() if stats.get(key))
        reasons.append(f"{lost} of {pages} article pages gave no stored article ({why})")
    if reasons and assessment.status is RunStatus.OK:
        assessment.status = RunStatus.FAILED
    assessment.reason = "; ".join(reasons) or None
    return assessment
