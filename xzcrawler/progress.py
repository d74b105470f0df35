"""Live progress on one terminal line, for `python -m xzcrawler crawl` run by hand.

Enabled by the CLI only when stderr is a terminal; under cron Scrapy's LogStats line (every
LOGSTATS_INTERVAL seconds) says the same thing in the log instead.
"""

from __future__ import annotations

import sys
import time
from typing import Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from twisted.internet import task


class Progress:
    def __init__(self, stats: StatsCollector, interval: float) -> None:
        self.stats = stats
        self.interval = interval
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.show)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler.stats, crawler.settings.getfloat("PROGRESS_INTERVAL", 1.0))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.loop.start(self.interval)

    def spider_closed(self) -> None:
        if self.loop.running:
            self.loop.stop()
        self.show()
        sys.stderr.write("\n")

    def show(self) -> None:
        get = self.stats.get_value
        pages = get("response_received_count", 0)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        errors = get("retry/max_reached", 0) + get("xz/pages/unusable", 0)
        sys.stderr.write(
            f"\r{pages} pages, {get('xz/articles/new', 0)} new, "
            f"{get('xz/articles/updated', 0)} updated, {errors} errors, "
            f"{pages / elapsed:.1f} pages/s "
        )
        sys.stderr.flush()
