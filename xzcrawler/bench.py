"""`python -m xzcrawler bench`: our crawl against Scrapy's own ceiling on the replica portal.

The replica is served from its own process, so its page rendering does not share the crawler's
event loop; each crawl runs in a fresh child process, so its peak RSS is its own (os.wait4).
Three crawls, each `--repeat` times, medians reported:
(a) the ceiling: a bare spider following the same links (nav, list pages, 上一篇/下一篇) with a
    regex, parsing and storing nothing; (b) the full crawl into a fresh SQLite database, every
    pipeline on; (c) a no-change incremental rerun of (b). Same settings for (a) and (b).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response

from xzcrawler.demo import LOOPBACK_SETTINGS
from xzcrawler.runner import project_settings

HELP = "crawl a replica portal three ways: Scrapy's ceiling, a full crawl, a no-change rerun"
# The crawl at INFO, as cron runs it; the settings (a) and (b) share.
# A benchmark walks the whole replica in one run: no run limits, no chain cap.
BENCH_SETTINGS = {
    **LOOPBACK_SETTINGS,
    "LOG_LEVEL": "INFO",
    "CLOSESPIDER_TIMEOUT": 0,
    "CLOSESPIDER_PAGECOUNT": 0,
    "CHAIN_MAX_DEPTH": 0,
}
# Which links the ceiling follows: 上一篇/下一篇 on an article, every link elsewhere (the
# duplicate filter, robots.txt and the offsite filter cut them down as in the full crawl).
CHAIN_LINK_RE = re.compile(
    r'(?:上一篇|下一篇|上一条|下一条)[:：]?\s*(?:</span>)?\s*<a href="([^"]+)"'
)
HREF_RE = re.compile(r'<a\s[^>]*?href="([^"#]+)"')
SERVING_RE = re.compile(r"serving (http://\S+)")
STAT_RE = r"'{}': ([0-9.]+)"
ARTICLE_FETCHES = "bench/articles"
CRAWLS = ("ceiling", "full", "rerun")


class CeilingSpider(scrapy.Spider):
    """The cheapest spider that walks the portal the way the sections spider does."""

    name = "bench_ceiling"

    def __init__(self, portal_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.portal_url = portal_url
        self.allowed_domains = ["127.0.0.1"]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self.portal_url)

    def parse(self, response: Response) -> Iterator[scrapy.Request]:
        text = response.text
        chain = CHAIN_LINK_RE.findall(text)
        if chain:
            self.crawler.stats.inc_value(ARTICLE_FETCHES)
        for href in chain or HREF_RE.findall(text):
            yield response.follow(href)


@dataclass(frozen=True)
class CrawlFigures:
    pages: int
    article_fetches: int
    crawl_seconds: float  # spider open to close, from Scrapy's stats
    wall_seconds: float  # the whole process, start-up and schema checks included
    cpu_seconds: float  # the crawler's own, so a busy machine shows less in it than in time
    peak_rss_mb: float

    @property
    def pps(self) -> float:
        return self.pages / self.crawl_seconds if self.crawl_seconds else 0.0


def _stat(log: str, name: str) -> float:
    found = re.findall(STAT_RE.format(re.escape(name)), log)
    return float(found[-1]) if found else 0.0


def run_child(argv: Sequence[str], log_file: Path, article_stat: str) -> CrawlFigures:
    """One crawl in a fresh process; its peak RSS from the kernel's accounting of that child."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert child.stderr is not None
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
    if child.returncode != 0 or "Dumping Scrapy stats" not in log:
        raise RuntimeError(
            f"{' '.join(argv[:3])} exited {child.returncode}: {stderr.decode()[-2000:]}"
        )
    return CrawlFigures(
        pages=int(_stat(log, "response_received_count")),
        article_fetches=int(_stat(log, article_stat)),
        crawl_seconds=_stat(log, "elapsed_time_seconds"),
        wall_seconds=wall,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,
    )


def _settings_args(settings: dict[str, Any]) -> list[str]:
    return [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]


class Bench:
    """The three crawls against one served replica, in a scratch directory."""

    def __init__(self, portal_url: str, workdir: Path) -> None:
        self.portal_url = portal_url
        self.workdir = workdir
        self.runs = 0

    def ceiling(self) -> CrawlFigures:
        log = self._log("ceiling")
        argv = ["-m", "xzcrawler.bench", "ceiling", "--portal-url", self.portal_url]
        return run_child([*argv, "--log-file", str(log)], log, ARTICLE_FETCHES)

    def crawl(self, database: Path, *, full: bool) -> CrawlFigures:
        log = self._log("full" if full else "rerun")
        argv = ["-m", "xzcrawler", "crawl", *(["--full"] if full else [])]
        argv += ["--portal-url", self.portal_url, "--database-url", f"sqlite:///{database}"]
        argv += ["--log-file", str(log)]
        scratch = {"LOCK_DIR": self.workdir / "locks", "STORAGE_SPOOL_DIR": self.workdir / "spool"}
        argv += _settings_args({**BENCH_SETTINGS, **scratch})
        return run_child(argv, log, "xz/pages/article")

    def fresh_database(self) -> Path:
        database = self.workdir / f"bench-{self.runs}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        return database

    def _log(self, crawl: str) -> Path:
        self.runs += 1
        log = self.workdir / f"{self.runs:02d}-{crawl}.log"
        log.unlink(missing_ok=True)
        return log


def database_bytes(database: Path) -> int:
    return sum(
        Path(f"{database}{suffix}").stat().st_size
        for suffix in ("", "-wal")
        if Path(f"{database}{suffix}").exists()
    )


@contextmanager
def served_replica(articles: int, list_page_size: int, list_page_cap: int) -> Iterator[str]:
    """The replica portal in its own process; yields its base URL."""
    argv = [sys.executable, "-m", "xzcrawler.replica", "serve", "--articles", str(articles)]
    argv += ["--list-page-size", str(list_page_size), "--list-page-cap", str(list_page_cap)]
    server = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        match = SERVING_RE.search(server.stdout.readline())
        if match is None:
            raise RuntimeError("the replica server did not start")
        yield match[1]
    finally:
        server.terminate()
        server.wait()


@dataclass(frozen=True)
class Summary:
    articles: int
    ceiling: CrawlFigures
    full: CrawlFigures
    rerun: CrawlFigures
    bytes_per_article: float

    @property
    def ratio(self) -> float:
        return self.full.pps / self.ceiling.pps if self.ceiling.pps else 0.0

    @property
    def rerun_share(self) -> float:
        """The no-change rerun's wall time over the full crawl's: what a cron run pays."""
        return self.rerun.wall_seconds / self.full.wall_seconds

    def line(self) -> str:
        return (
            f"bench: articles={self.articles} ceiling_pps={self.ceiling.pps:.1f} "
            f"full_pps={self.full.pps:.1f} ratio={self.ratio:.3f} "
            f"peak_rss_mb={self.full.peak_rss_mb:.0f} rerun_share={self.rerun_share:.3f} "
            f"rerun_article_fetches={self.rerun.article_fetches}"
        )


def median_figures(runs: Sequence[CrawlFigures]) -> CrawlFigures:
    return CrawlFigures(
        pages=round(statistics.median(r.pages for r in runs)),
        article_fetches=max(r.article_fetches for r in runs),  # the worst run, not the middle
        crawl_seconds=statistics.median(r.crawl_seconds for r in runs),
        wall_seconds=statistics.median(r.wall_seconds for r in runs),
        cpu_seconds=statistics.median(r.cpu_seconds for r in runs),
        peak_rss_mb=max(r.peak_rss_mb for r in runs),  # the worst run, not the middle
    )


def _row(crawl: str, figures: CrawlFigures) -> str:
    return (
        f"{crawl:8} {figures.pages:>8} {figures.article_fetches:>8} {figures.crawl_seconds:>9.2f} "
        f"{figures.wall_seconds:>9.2f} {figures.cpu_seconds:>9.2f} {figures.pps:>8.1f} "
        f"{figures.peak_rss_mb:>8.0f}"
    )


HEADER = (
    f"{'crawl':8} {'pages':>8} {'articles':>8} {'crawl_s':>9} {'wall_s':>9} {'cpu_s':>9} "
    f"{'pps':>8} {'rss_mb':>8}"
)


def run_bench(
    *,
    articles: int,
    repeat: int = 3,
    list_page_size: int = 20,
    list_page_cap: int = 10,
    workdir: Path | None = None,
) -> Summary:
    """Serve the replica, run (a), (b) and (c) `repeat` times in turn, print every run."""
    with (
        scratch_dir(workdir) as scratch,
        served_replica(articles, list_page_size, list_page_cap) as portal_url,
    ):
        bench = Bench(portal_url, scratch)
        print(f"replica: {articles} articles at {portal_url}; scratch: {scratch}", flush=True)
        print(f"run {HEADER}", flush=True)
        results: dict[str, list[CrawlFigures]] = {crawl: [] for crawl in CRAWLS}
        sizes = []
        for n in range(1, repeat + 1):
            database = bench.fresh_database()
            for crawl, measure in (
                ("ceiling", bench.ceiling),
                ("full", partial(bench.crawl, database, full=True)),
                ("rerun", partial(bench.crawl, database, full=False)),
            ):
                figures = measure()
                results[crawl].append(figures)
                print(f"{n:>3} {_row(crawl, figures)}", flush=True)
                if crawl == "full":
                    sizes.append(database_bytes(database) / max(figures.article_fetches, 1))
    medians = {crawl: median_figures(runs) for crawl, runs in results.items()}
    summary = Summary(articles, **medians, bytes_per_article=statistics.median(sizes))
    print(f"median of {repeat} (articles, rss: the worst run)")
    print(f"    {HEADER}")
    for crawl in CRAWLS:
        print(f"    {_row(crawl, medians[crawl])}")
    print(
        f"full/ceiling pages per second: {summary.ratio:.3f}; rerun: "
        f"{summary.rerun.pages} requests ({summary.rerun.pages / max(summary.full.pages, 1):.2%}"
        f" of the full crawl's), {summary.rerun_share:.2%} of its wall time, "
        f"{summary.rerun.crawl_seconds / summary.full.crawl_seconds:.2%} of its crawl time; "
        f"database: {summary.bytes_per_article / 1024:.1f} KiB per article"
    )
    print(summary.line(), flush=True)
    return summary


@contextmanager
def scratch_dir(workdir: Path | None) -> Iterator[Path]:
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        yield workdir
        return
    with tempfile.TemporaryDirectory(prefix="xzcrawler-bench-") as scratch:
        yield Path(scratch)


def run_ceiling(portal_url: str, log_file: str) -> None:
    """(a) in this process: the bare spider, with the settings the full crawl runs with."""
    from scrapy.crawler import CrawlerProcess

    settings = project_settings(portal_url=portal_url)
    settings.setdict({**BENCH_SETTINGS, "LOG_FILE": log_file}, priority="cmdline")
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    process = CrawlerProcess(settings)
    process.crawl(CeilingSpider, portal_url=portal_url)
    process.start()


def cmd_bench(
    *, articles: int, repeat: int, list_page_size: int, list_page_cap: int, workdir: Path | None
) -> int:
    """`python -m xzcrawler bench` (its options are parsed in xzcrawler.cli)."""
    try:
        run_bench(
            articles=articles,
            repeat=repeat,
            list_page_size=list_page_size,
            list_page_cap=list_page_cap,
            workdir=workdir,
        )
    except RuntimeError as exc:  # a crawl that failed, or a replica that did not start
        print(f"xzcrawler: bench: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m xzcrawler.bench ceiling`: the child process of crawl (a)."""
    parser = argparse.ArgumentParser(prog="python -m xzcrawler.bench")
    commands = parser.add_subparsers(dest="command", required=True)
    ceiling = commands.add_parser("ceiling")
    ceiling.add_argument("--portal-url", required=True)
    ceiling.add_argument("--log-file", required=True)
    args = parser.parse_args(argv)
    run_ceiling(args.portal_url, args.log_file)


if __name__ == "__main__":
    main()
