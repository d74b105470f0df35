"""Several crawler processes, one frontier: scrapy-redis's scheduler and duplicate filter.

Enabled by REDIS_URL (setting, env XZCRAWLER_REDIS_URL, or `crawl --redis-url`) through a Scrapy
add-on, so `scrapy crawl` and `python -m xzcrawler crawl` share it. What scrapy-redis 0.9.1 on
Scrapy 2.19 does not do for us (docs/field-notes.md), done here:

- The start requests are pushed once per crawl: the first worker claims a start key and lets its
  spider's start requests through; the others read the spider's start (so each loads its own
  incremental frontier from the database) but drop its requests and take work from Redis.
- SCHEDULER_PERSIST is always on: a closing worker must not delete the shared queue. The last
  live worker of a finished crawl removes the crawl's keys, so the next crawl starts clean.
- Workers keep a heartbeat; when every worker of a crawl died (kill -9), the start key expires
  and the next worker starts a fresh crawl, discarding the dead crawl's duplicate filter. Requests
  that a killed worker had in flight are in that filter and lost to the crawl, but never to the
  database: the next incremental run resumes every chain from its stored neighbours.
- A worker closes when the shared queue has stayed empty for REDIS_IDLE_TIMEOUT seconds.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import BaseSettings
from twisted.internet import task

if TYPE_CHECKING:  # imported by a distributed crawl only (redis_client)
    from redis import Redis

logger = logging.getLogger(__name__)


class CrawlKeys:
    """The Redis keys of one spider's shared crawl."""

    def __init__(self, prefix: str, spider: str) -> None:
        base = f"{prefix}:{spider}"
        self.requests = f"{base}:requests"
        self.dupefilter = f"{base}:dupefilter"
        self.start = f"{base}:start"
        self.workers = f"{base}:workers"

    def crawl_state(self) -> tuple[str, ...]:
        return (self.requests, self.dupefilter, self.start, self.workers)


class SharedFrontier:
    """Scrapy add-on: when REDIS_URL is set, crawl with a frontier shared through Redis."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("REDIS_URL"):
            return
        prefix = settings["REDIS_KEY_PREFIX"]
        settings.set("SCHEDULER", "scrapy_redis.scheduler.Scheduler", "addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", "addon")
        settings.set("SCHEDULER_PERSIST", True, "addon")
        settings.set("SCHEDULER_QUEUE_KEY", f"{prefix}:%(spider)s:requests", "addon")
        settings.set("SCHEDULER_DUPEFILTER_KEY", f"{prefix}:%(spider)s:dupefilter", "addon")
        settings["EXTENSIONS"][f"{__name__}.SharedCrawl"] = 100
        settings["SPIDER_MIDDLEWARES"][f"{__name__}.StartOnce"] = 10


def redis_client(settings: BaseSettings) -> Redis[bytes]:
    """scrapy-redis's client of REDIS_URL. redis and scrapy-redis are imported here, not with
    this module (whose add-on every crawl loads): a crawl without REDIS_URL never loads them
    (~6 MB of the crawl process, docs/performance.md)."""
    from scrapy_redis import connection

    server: Redis[bytes] = connection.from_settings(settings)
    return server


def redis_errors(settings: BaseSettings) -> tuple[type[Exception], ...]:
    """What an unreachable shared frontier raises; nothing without REDIS_URL."""
    if not settings["REDIS_URL"]:
        return ()
    from redis.exceptions import RedisError

    return (RedisError,)


def ping_redis(settings: BaseSettings) -> None:
    """Raise redis' own error if the shared frontier cannot be reached, before any request."""
    server = redis_client(settings)
    try:
        server.ping()
    finally:
        server.close()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class _Shared:
    """What the middleware and the extension share: this worker, its crawl's keys, Redis."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.server = redis_client(settings)
        self.keys = CrawlKeys(settings["REDIS_KEY_PREFIX"], crawler.spidercls.name)
        self.heartbeat = settings.getfloat("REDIS_HEARTBEAT")
        self.worker = worker_name()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    @property
    def ttl(self) -> int:
        """Seconds after its last heartbeat that a worker counts as dead."""
        return max(int(self.heartbeat * 3), 1)

    def live_workers(self) -> set[str]:
        now = time.time()
        beats = self.server.hgetall(self.keys.workers)
        return {w.decode() for w, t in beats.items() if now - float(t) < self.ttl}


class StartOnce(_Shared):
    """Spider middleware: only the worker that starts the crawl pushes the start requests."""

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        leads = bool(self.server.set(self.keys.start, self.worker, nx=True, ex=self.ttl))
        if leads:
            # A start key that expired means every worker of the last crawl died: its filter
            # would hide pages this crawl has not fetched.
            self.server.delete(self.keys.dupefilter, self.keys.requests)
            logger.info("distributed: %s starts the crawl", self.worker)
        else:
            holder = self.server.get(self.keys.start)
            logger.info("distributed: %s joins the crawl started by %s", self.worker, holder)
        async for request in start:  # the spider's start also loads its frontier: always run it
            if leads:
                yield request


class SharedCrawl(_Shared):
    """Extension: heartbeat, close after REDIS_IDLE_TIMEOUT idle, last worker cleans up."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.idle_timeout = crawler.settings.getfloat("REDIS_IDLE_TIMEOUT")
        self.idle_since: float | None = None
        self.beat = task.LoopingCall(self.send_heartbeat)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.beat.start(self.heartbeat)

    def send_heartbeat(self) -> None:
        self.server.hset(self.keys.workers, self.worker, str(time.time()))
        self.server.expire(self.keys.start, self.ttl)

    def response_received(self) -> None:
        self.idle_since = None

    def spider_idle(self) -> None:
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_timeout:
            raise DontCloseSpider
        logger.info("distributed: shared queue empty for %.0fs, closing", self.idle_timeout)

    def spider_closed(self, reason: str) -> None:
        if self.beat.running:
            self.beat.stop()
        self.server.hdel(self.keys.workers, self.worker)
        # Redis drops the key of an empty queue.
        last = not self.live_workers() and not self.server.exists(self.keys.requests)
        if reason == "finished" and last:
            self.server.delete(*self.keys.crawl_state())
            logger.info("distributed: last worker of the crawl, shared state removed")
