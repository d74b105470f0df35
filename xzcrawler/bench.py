"""`python -m xzcrawler bench`: our crawl against Scrapy's own ceiling on the replica portal.

The replica is served from its own process, its pages rendered before the first crawl (a real
portal's server does not run on the crawler's two cores); each crawl runs in a fresh child
process. Its peak RSS is summed over its whole process tree (the page readers and the writer
included), sampled from /proc; its CPU is the tree's (os.wait4 counts the children it waited
for). Crawl time ends when the last row is written: Scrapy's elapsed time includes closing the
pipelines, the writer's drain with them.
Three crawls, each `--repeat` times, medians reported:
(a) the ceiling: a bare spider following the same links (nav, list pages, 上一篇/下一篇) with a
    regex, parsing and storing nothing; (b) the full crawl into a fresh SQLite database, every
    pipeline on; (c) a no-change incremental rerun of (b). Same settings for (a) and (b).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
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
SAMPLE_SECONDS = 0.1
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


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
    process_cpu: dict[int, float] = field(default_factory=dict, compare=False)

    @property
    def pps(self) -> float:
        return self.pages / self.crawl_seconds if self.crawl_seconds else 0.0


def _stat(log: str, name: str) -> float:
    found = re.findall(STAT_RE.format(re.escape(name)), log)
    return float(found[-1]) if found else 0.0


class TreeSampler(threading.Thread):
    """Samples a process tree from /proc every SAMPLE_SECONDS: the peak of its summed RSS, and
    each process's CPU seconds (utime + stime) at its last sample, by pid."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak_rss_bytes = 0
        self.cpu_seconds: dict[int, float] = {}
        self.stopped = threading.Event()
        self.start()

    def run(self) -> None:
        while not self.stopped.wait(SAMPLE_SECONDS):
            rss = 0
            for pid, (cpu, resident) in process_tree(self.root).items():
                self.cpu_seconds[pid] = cpu
                rss += resident
            self.peak_rss_bytes = max(self.peak_rss_bytes, rss)

    def stop(self) -> None:
        self.stopped.set()
        self.join()


def process_tree(root: int) -> dict[int, tuple[float, int]]:
    """pid -> (CPU seconds, RSS bytes) of `root` and its descendants, from /proc."""
    found: dict[int, tuple[int, float, int]] = {}  # pid -> (parent, cpu, rss)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        found[int(entry.name)] = (int(fields[1]), cpu, int(fields[21]) * PAGE_BYTES)
    tree = {root} if root in found else set()
    grew = True
    while grew:
        children = {pid for pid, (parent, _, _) in found.items() if parent in tree} - tree
        tree |= children
        grew = bool(children)
    return {pid: (found[pid][1], found[pid][2]) for pid in tree}


def run_child(
    argv: Sequence[str], log_file: Path, article_stat: str, *, wrapper: Sequence[str] = ()
) -> CrawlFigures:
    """One crawl in a fresh process (under `wrapper`, a profiler, if given)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [*wrapper, sys.executable, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    sampler = TreeSampler(child.pid)
    assert child.stderr is not None
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    sampler.stop()
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
        peak_rss_mb=max(sampler.peak_rss_bytes, usage.ru_maxrss * 1024) / 2**20,
        process_cpu=dict(sampler.cpu_seconds),
    )


# --- the per-stage profile ---------------------------------------------------------------------

PROFILE_RATE = 250  # samples a second per thread
# Innermost frames of a thread that waits (py-spy cannot always tell): their samples cost no CPU.
IDLE_FRAMES = re.compile(
    r"^(?:\S+\.)?(?:select|poll|wait|_wait|sleep|get|_recv|recv_bytes|_send|_worker"
    r"|untilConcludes|_exit_with) \("
)
# The stage of a sample: by its innermost frame of ours (then of the pools' plumbing); the
# rest (Scrapy, Twisted, asyncio, under our runner) is Scrapy's own work.
STAGES = (
    ("page walk", ("xzcrawler/parsing/page.py",)),
    ("field extraction", ("xzcrawler/parsing/",)),
    ("search index", ("xzcrawler/search.py",)),
    ("storage", ("xzcrawler/storage.py", "pipelines/storage.py", "xzcrawler/models.py")),
    ("pool plumbing", ("xzcrawler/reading.py", "xzcrawler/workers.py", "pipelines/writer.py")),
    ("normalisation", ("pipelines/",)),
    ("navigation", ("xzcrawler/spiders/", "xzcrawler/frontier.py", "xzcrawler/urls.py")),
)
SCRAPY = "download/Scrapy"
OUR_FRAME = re.compile(r"\(((?:xzcrawler|pipelines)/[^:]+):\d+\)")
PROCESS_FRAME = re.compile(r"^process (\d+):")


@dataclass(frozen=True)
class StageCost:
    stage: str
    process: str  # crawl, reader, writer
    cpu_seconds: float
    pages: int


def stage_of(frames: Sequence[str]) -> str:
    for frame in reversed(frames):
        found = OUR_FRAME.search(frame)
        if found:
            return next((name for name, paths in STAGES if found[1].startswith(paths)), SCRAPY)
        if "multiprocessing/" in frame or "concurrent/futures/" in frame:
            return "pool plumbing"
    return SCRAPY


def stage_costs(raw: str, figures: CrawlFigures) -> list[StageCost]:
    """py-spy's raw samples (one stack a line, `;`-separated, then a count) as CPU seconds per
    stage and process: each process's CPU (from /proc) shared out by its busy samples."""
    busy: dict[tuple[int, str], int] = {}
    roles: dict[int, str] = {}
    for line in raw.splitlines():
        stack, _, samples = line.rpartition(" ")
        frames = stack.split(";")
        pids = [int(m[1]) for m in map(PROCESS_FRAME.match, frames) if m]
        if not pids or not samples.isdigit() or IDLE_FRAMES.match(frames[-1]):
            continue
        pid = pids[-1]
        if "_read_bytes" in stack:
            roles[pid] = "reader"
        elif "_store_call" in stack:
            roles[pid] = "writer"
        stage = stage_of(frames)
        busy[pid, stage] = busy.get((pid, stage), 0) + int(samples)
    per_process: dict[int, int] = {}
    for (pid, _), count in busy.items():
        per_process[pid] = per_process.get(pid, 0) + count
    costs: dict[tuple[str, str], float] = {}
    for (pid, stage), count in busy.items():
        cpu = figures.process_cpu.get(pid, 0.0) * count / per_process[pid]
        role = roles.get(pid, "crawl")
        costs[stage, role] = costs.get((stage, role), 0.0) + cpu
    return [
        StageCost(stage, process, cpu, figures.pages)
        for (stage, process), cpu in sorted(costs.items(), key=lambda kv: -kv[1])
    ]


def print_profile(costs: Sequence[StageCost]) -> None:
    total = sum(cost.cpu_seconds for cost in costs) or 1.0
    print(f"profile of a full crawl: each process's CPU split by its samples ({PROFILE_RATE}/s)")
    print(f"    {'stage':18} {'process':8} {'cpu_s':>8} {'ms/page':>8} {'share':>6}")
    for cost in costs:
        print(
            f"    {cost.stage:18} {cost.process:8} {cost.cpu_seconds:>8.2f} "
            f"{1000 * cost.cpu_seconds / max(cost.pages, 1):>8.3f} {cost.cpu_seconds / total:>6.1%}"
        )


def py_spy() -> str:
    found = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if found is None:
        raise RuntimeError("--profile needs py-spy (pip install -r requirements.txt)")
    return found


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

    def crawl(self, database: Path, *, full: bool, wrapper: Sequence[str] = ()) -> CrawlFigures:
        log = self._log("full" if full else "rerun")
        argv = ["-m", "xzcrawler", "crawl", *(["--full"] if full else [])]
        argv += ["--portal-url", self.portal_url, "--database-url", f"sqlite:///{database}"]
        argv += ["--log-file", str(log)]
        scratch = {"LOCK_DIR": self.workdir / "locks", "STORAGE_SPOOL_DIR": self.workdir / "spool"}
        argv += _settings_args({**BENCH_SETTINGS, **scratch})
        return run_child(argv, log, "xz/pages/article", wrapper=wrapper)

    def profile(self) -> list[StageCost]:
        """A full crawl into a fresh database under py-spy (every process of it sampled):
        CPU seconds per stage, each process's measured CPU split by where its samples fell."""
        samples = self.workdir / "profile.txt"
        wrapper = [py_spy(), "record", "--subprocesses", "--gil", "--rate", str(PROFILE_RATE)]
        wrapper += ["--format", "raw", "--output", str(samples), "--"]
        figures = self.crawl(self.fresh_database(), full=True, wrapper=wrapper)
        return stage_costs(samples.read_text(encoding="utf-8"), figures)

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
    argv += ["--prerender"]
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
    profile: bool = False,
) -> Summary:
    """Serve the replica, run (a), (b) and (c) `repeat` times in turn, print every run; with
    `profile`, then one more full crawl under py-spy, and its CPU per stage."""
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
        costs = bench.profile() if profile else []
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
    if costs:
        print_profile(costs)
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
