"""Scrapy settings. Our own settings also read the environment variable beside them."""

import os
from pathlib import Path

BOT_NAME = "xzcrawler"
SPIDER_MODULES = ["xzcrawler.spiders"]
NEWSPIDER_MODULE = "xzcrawler.spiders"

PROJECT_ROOT = Path(__file__).resolve().parent.parent

PORTAL_URL = os.environ.get("XZCRAWLER_PORTAL_URL", "http://www.xzspw.org.cn/")
PORTAL_NAME = "乡镇时评网"
DATABASE_URL = os.environ.get(
    "XZCRAWLER_DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'data' / 'xzcrawler.db'}"
)
# Articles are written in transactions of this many rows (and whenever the spider closes).
STORAGE_BATCH_SIZE = 200
# Writes that fail (database locked, gone) are retried with backoff this many times, then kept
# in a JSON-lines spool file under STORAGE_SPOOL_DIR that the next run writes first.
STORAGE_RETRIES = 5
# Batches are written by a child process (xzcrawler/workers.py), so storage and search
# indexing never hold the reactor's GIL; False writes from a thread of the crawl's own process.
STORAGE_PROCESS = True
# True: the writer process takes only CPU time nothing else wants (Linux SCHED_IDLE, else nice
# 19), so a page's way to the next request never waits for it: ~8 % more pages a second on two
# cores, but a writer that falls behind holds up to STORAGE_BACKLOG rows and the pages waiting
# for it (docs/performance.md: past 300 MB at 100,000 articles), and any other busy process on
# the machine (a second crawl, a backup) all but stops it, the crawl waiting with it. Off.
STORAGE_PROCESS_IDLE = False
# Articles handed to the writer and not yet written (at least two batches), past which the
# crawl waits for the writer: what the crawl holds in memory stays bounded.
STORAGE_BACKLOG = 2000
# Pages are read (walked, their fields and links extracted) by this many child processes;
# unset: one per core beyond the reactor's; 0: in the crawl's own process.
PARSE_PROCESSES = None
STORAGE_SPOOL_DIR = os.environ.get("XZCRAWLER_SPOOL_DIR", str(PROJECT_ROOT / "data" / "spool"))
# `python -m xzcrawler crawl` holds an OS file lock here, one per database URL.
LOCK_DIR = os.environ.get("XZCRAWLER_LOCK_DIR", str(PROJECT_ROOT / "data" / "locks"))
# A run fails (exit 1) above these shares of failed requests / unusable or dropped articles,
# and warns when a field's fill rate falls this far below the mean of the last runs.
HEALTH_MAX_ERROR_RATE = 0.2
HEALTH_MAX_DROP_RATE = 0.2
HEALTH_FILL_DROP_WARNING = 0.3
# An extra publisher alias file (same format as pipelines/publishers.json), optional.
SOURCE_ALIASES_FILE = os.environ.get("XZCRAWLER_SOURCE_ALIASES_FILE", "")
# Incremental runs fetch again the articles published in the last N days (change detection).
RECHECK_DAYS = 0
# A link that led to no article (404/410, robots.txt) is not tried by incremental runs for
# this long.
UNFETCHABLE_RETRY_DAYS = 7

# Bounds of one run, sized for the real portal (a run stopped by one is recorded `cut short`,
# exit 1, and the next run continues from what was stored). At the polite defaults below the
# crawl fetches at most ~2 pages/s, so an hour is at most ~7,200 pages: an incremental run needs
# a few dozen; a first crawl of the whole portal takes several runs. The page limit is the
# backstop when politeness is lowered (-s DOWNLOAD_DELAY=0). 0 turns either off.
CLOSESPIDER_TIMEOUT = 3600
CLOSESPIDER_PAGECOUNT = 50_000
# A prev/next chain is walked at most this many articles beyond the last article a list page
# showed or the database held (per run): old articles are reached only through chains, so a
# longer chain is not lost but continued by the next run, while a portal whose every 下一篇 is
# a fresh URL cannot keep a run going. Counted and named in the run's reason; 0 turns it off.
CHAIN_MAX_DEPTH = 1000

# Order matters: a page must be complete before it is normalised, dates before sources (the
# dateline's reporters feed nothing else), storage last. Spaced so others can slot in.
ITEM_PIPELINES = {
    "pipelines.required.RequiredFieldsPipeline": 100,
    "pipelines.dates.DatesPipeline": 300,
    "pipelines.sources.SourcesPipeline": 400,
    "pipelines.storage.StoragePipeline": 900,
}

EXTENSIONS = {
    "xzcrawler.health.FieldFill": 500,
    "xzcrawler.tuning.GarbageCollection": 0,
    "xzcrawler.tuning.ArticleAdapters": 0,
}
# The crawl process's collector from its first request (xzcrawler/tuning.py): the youngest
# generation collected every this many allocations, the older ones every this many of the one
# before.
GC_THRESHOLDS = [20_000, 50, 100]
# Scrapy's stats without its per-call deprecation shim (xzcrawler/tuning.py).
STATS_CLASS = "xzcrawler.tuning.CrawlStats"

# Distributed crawling: with REDIS_URL set, every crawler process shares one frontier in Redis
# (scrapy-redis), see xzcrawler/distributed.py. Workers close after the shared queue has been
# empty for REDIS_IDLE_TIMEOUT seconds and count as dead 3 heartbeats after their last one.
REDIS_URL = os.environ.get("XZCRAWLER_REDIS_URL", "")
REDIS_KEY_PREFIX = "xzcrawler"
REDIS_IDLE_TIMEOUT = 30.0
REDIS_HEARTBEAT = 5.0
ADDONS = {"xzcrawler.distributed.SharedFrontier": 0}

# Polite by default for the real portal: robots.txt, a descriptive User-Agent, throttled.
ROBOTSTXT_OBEY = True
USER_AGENT = "xzcrawler/0.1 (+https://github.com/xzcrawler; news archive crawler)"
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
# Scrapy starts this many tasks for every response's output; a page of ours yields at most
# one article (its requests take no time to hand over), and each task costs: the default 100
# ~0.3 ms a page, 16 ~0.2 ms, 4 ~0.07 ms (docs/performance.md).
CONCURRENT_ITEMS = 4
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Retry n waits RETRY_BACKOFF_BASE * 2**(n-1) seconds (or Retry-After), at most RETRY_BACKOFF_MAX.
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "xzcrawler.middlewares.RobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "xzcrawler.middlewares.BackoffRetryMiddleware": 550,
    "xzcrawler.middlewares.DeclaredCharsetMiddleware": 560,
}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
# A crawl's --log-file past this size is rotated before the next run appends to it (.1 … .5).
LOG_FILE_MAX_BYTES = 10 * 1024 * 1024
LOG_FILE_BACKUPS = 5
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control serves, on a localhost port, an endpoint that runs Python code in
# the crawl, and writes its token to a job file in the user's state folder (left behind by a
# kill -9): a scheduled crawl wants neither.
REMOTE_CONTROL_ENABLED = False
