"""Live progress of `python -m xzcrawler crawl` run by hand in a terminal (rich).

Enabled by the CLI only when stderr is a terminal and no log file is given; under cron
Scrapy's LogStats line (every LOGSTATS_INTERVAL seconds) says the same in the log instead.

What it shows, in 80 columns: pages done of those discovered so far (Scrapy's scheduler
counts: requests dequeued of those enqueued), so a bar and an ETA once there is a total;
articles the storage pipeline has accepted (STORAGE_RECEIVED, counted per item, so it moves
before a batch of STORAGE_BATCH_SIZE is written) and, of those written, how many were new or
updated; pages that failed; pages fetched per second. Log lines
(warnings: the CLI sets LOG_LEVEL=WARNING) are printed above the progress line, not into it.
The run's outcome line, printed by the runner after it, names the command that lists the
failed pages.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any, Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.progress import (
    Progress as RichProgress,
)
from scrapy import signals
from scrapy.utils.asyncio import create_looping_call

from xzcrawler.runner import failed_pages
from xzcrawler.stats_keys import STORAGE_RECEIVED

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

ENQUEUED, DEQUEUED = "scheduler/enqueued", "scheduler/dequeued"


class Progress:
    def __init__(self, stats: StatsCollector, interval: float, console: Console) -> None:
        self.stats = stats
        self.interval = interval
        self.console = console
        self.bar = RichProgress(
            BarColumn(bar_width=10),
            MofNCompleteColumn(),
            TextColumn("pages"),
            TimeRemainingColumn(compact=True, elapsed_when_finished=True),
            TextColumn("{task.fields[counts]}"),
            console=console,
            auto_refresh=False,  # redrawn by show(), on the reactor's thread
            redirect_stdout=False,
            redirect_stderr=True,
        )
        self.task: TaskID | None = None
        self.loop: Any = None
        self.moved: dict[logging.StreamHandler[Any], Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(
            crawler.stats,
            crawler.settings.getfloat("PROGRESS_INTERVAL", 0.5),
            Console(stderr=True, highlight=False),
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.bar.start()  # sys.stderr now prints above the progress line
        self.task = self.bar.add_task("crawl", total=None, counts=self.counts())
        self.loop = create_looping_call(self.show)
        self.loop.start(self.interval)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.show()
        self.bar.stop()
        for handler, stream in self.moved.items():
            handler.setStream(stream)
        self.moved.clear()

    def above_progress(self) -> None:
        """Scrapy's log handler writes to the stderr it found at start-up: point it at the
        live display's stderr, which prints each record above the progress line."""
        for handler in logging.getLogger().handlers:
            if (
                isinstance(handler, logging.StreamHandler)
                and not isinstance(handler, logging.FileHandler)
                and handler not in self.moved
                and handler.stream is sys.__stderr__
            ):
                self.moved[handler] = handler.setStream(sys.stderr)

    def counts(self) -> str:
        get = self.stats.get_value
        pages = get("response_received_count", 0)
        elapsed = self.bar.tasks[0].elapsed if self.bar.tasks else None
        rate = pages / elapsed if elapsed else 0.0
        failed = failed_pages(self.stats.get_stats())
        return (
            f"{get(STORAGE_RECEIVED, 0)} articles ({get('xz/articles/new', 0)} new, "
            f"{get('xz/articles/updated', 0)} updated), {failed} failed, {rate:.0f}/s"
        )

    def show(self) -> None:
        self.above_progress()
        if self.task is None:
            return
        total = self.stats.get_value(ENQUEUED)
        done = self.stats.get_value(DEQUEUED, 0)
        self.bar.update(self.task, total=total, completed=done, counts=self.counts())
        self.bar.refresh()
