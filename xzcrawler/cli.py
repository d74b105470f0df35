"""`python -m xzcrawler COMMAND`: the crawl for cron, and the commands that read the database.

Thin on purpose: it parses arguments and calls the functions the tests call.
Exit codes: 0 ok, 1 the crawl failed, was unhealthy, cut short by a limit or interrupted,
130 stopped by a second Ctrl-C, 2 usage or configuration error, 75 (EX_TEMPFAIL) another crawl
holds the lock.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The top-level `pipelines` package sits beside the Scrapy project, as under `scrapy crawl`.
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "xzcrawler.settings")

from redis.exceptions import RedisError  # noqa: E402
from scrapy.crawler import CrawlerProcess  # noqa: E402
from scrapy.settings import Settings  # noqa: E402
from scrapy.utils.project import get_project_settings  # noqa: E402
from scrapy_redis import connection  # noqa: E402
from sqlalchemy import Engine  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.exc import ArgumentError, SQLAlchemyError  # noqa: E402

from xzcrawler import export, runs  # noqa: E402
from xzcrawler.distributed import CrawlKeys, ping_redis, worker_name  # noqa: E402
from xzcrawler.frontier import CrawlMode  # noqa: E402
from xzcrawler.health import RunStatus, Thresholds, assess  # noqa: E402
from xzcrawler.lock import CrawlLock, LockHeld, lock_path  # noqa: E402
from xzcrawler.models import SHANGHAI  # noqa: E402
from xzcrawler.query_cli import add_query_commands  # noqa: E402
from xzcrawler.storage import (  # noqa: E402
    SchemaBehind,
    engine_for,
    ensure_schema,
    mask_url,
    upgrade_schema,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75
EXIT_SECOND_CTRL_C = 128 + signal.SIGINT  # 130, as a shell reports a process Ctrl-C ended

logger = logging.getLogger("xzcrawler")
SPIDER = "sections"


class UsageError(Exception):
    """A bad argument or setting: exit 2 with one line."""


def project_settings(args: argparse.Namespace) -> Settings:
    settings = get_project_settings()
    for assignment in getattr(args, "set", None) or []:
        name, sep, value = assignment.partition("=")
        if not sep:
            raise UsageError(f"-s takes NAME=VALUE, got {assignment!r}")
        settings.set(name, value, priority="cmdline")
    for option, name in (
        ("portal_url", "PORTAL_URL"),
        ("database_url", "DATABASE_URL"),
        ("redis_url", "REDIS_URL"),
    ):
        if getattr(args, option, None):
            settings.set(name, getattr(args, option), priority="cmdline")
    try:
        make_url(settings["DATABASE_URL"])
    except ArgumentError as exc:
        raise UsageError(f"DATABASE_URL is not a database URL: {exc}") from None
    return settings


def cmd_crawl(args: argparse.Namespace) -> int:
    settings = project_settings(args)
    if args.recheck_days is not None:
        settings.set("RECHECK_DAYS", args.recheck_days, priority="cmdline")
    if args.log_file:
        Path(args.log_file).parent.mkdir(parents=True, exist_ok=True)
        settings.set("LOG_FILE", args.log_file, priority="cmdline")
    if sys.stderr.isatty() and not args.log_file:
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
        settings.set(
            "EXTENSIONS", {**settings.getdict("EXTENSIONS"), "xzcrawler.progress.Progress": 900}
        )
    return run_crawl(
        settings,
        mode=CrawlMode.FULL if args.full else CrawlMode.INCREMENTAL,
        sections=args.section or [],
    )


class _CrawlerProcess(CrawlerProcess):
    """Scrapy's process, remembering the shutdown signals it gets: the run record tells a
    signal from a limit (both close with `shutdown`), and a second Ctrl-C (Scrapy then stops
    without closing the spider) from a crash."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.signals_received: list[int] = []

    def _signal_shutdown(self, signum: int, frame: object) -> None:
        self.signals_received.append(signum)
        super()._signal_shutdown(signum, frame)

    def _signal_kill(self, signum: int, frame: object) -> None:
        self.signals_received.append(signum)
        super()._signal_kill(signum, frame)


def exit_code_of(status: RunStatus, signals_received: Sequence[int]) -> int:
    """ok 0; a run stopped at once by a second Ctrl-C 130; any other outcome 1."""
    if status is RunStatus.OK:
        return EXIT_OK
    if (
        status is RunStatus.INTERRUPTED
        and len(signals_received) >= 2
        and signals_received[-1] == signal.SIGINT
    ):
        return EXIT_SECOND_CTRL_C
    return EXIT_FAILED


def mark_dead_runs(engine: Engine, settings: Settings) -> list[int]:
    """Before a run opens: earlier runs still `running` that are gone become `died`. On one
    machine we hold the database's lock, so any earlier single-machine run is gone; a run of a
    shared Redis crawl is gone when its worker's heartbeat has expired."""
    if not settings["REDIS_URL"]:
        return runs.mark_dead_runs(engine, distributed=False, alive=lambda run: False)
    server = connection.from_settings(settings)
    try:
        keys = CrawlKeys(settings["REDIS_KEY_PREFIX"], SPIDER)
        beats = {w.decode(): float(t) for w, t in server.hgetall(keys.workers).items()}
    finally:
        server.close()
    ttl = max(int(settings.getfloat("REDIS_HEARTBEAT") * 3), 1)  # as distributed.SharedCrawl
    now = datetime.fromtimestamp(time.time(), SHANGHAI)
    alive = runs.heartbeat_alive(beats, ttl=ttl, now=now)
    return runs.mark_dead_runs(engine, distributed=True, alive=alive)


def run_crawl(settings: Settings, *, mode: CrawlMode, sections: Sequence[str]) -> int:
    """The sections spider in this process, wrapped in a lock and a run record."""
    if settings["REDIS_URL"]:
        # Workers of a distributed crawl share its frontier; a second one joins, not overlaps.
        return _crawl_locked(settings, mode=mode, sections=sections)
    try:
        with CrawlLock(lock_path(Path(settings["LOCK_DIR"]), settings["DATABASE_URL"])):
            return _crawl_locked(settings, mode=mode, sections=sections)
    except LockHeld as exc:
        print(f"xzcrawler: {exc}", file=sys.stderr)
        return EXIT_LOCKED


def _crawl_locked(settings: Settings, *, mode: CrawlMode, sections: Sequence[str]) -> int:
    database_url = settings["DATABASE_URL"]
    try:
        if settings["REDIS_URL"]:
            ping_redis(settings)
        engine = engine_for(database_url)
        ensure_schema(engine)
        stored_before = runs.stored_article_count(engine)
        previous_fill = [run.field_fill for run in runs.recent_runs(engine, 5) if run.field_fill]
        mark_dead_runs(engine, settings)
        run_mode = f"{mode}{runs.DISTRIBUTED_SUFFIX}" if settings["REDIS_URL"] else str(mode)
        run_id = runs.open_run(
            engine, mode=run_mode, portal_url=settings["PORTAL_URL"], worker=worker_name()
        )
    except SchemaBehind as exc:
        raise UsageError(str(exc)) from None
    except RedisError as exc:
        print(
            f"xzcrawler: redis {mask_url(settings['REDIS_URL'])} unreachable: "
            f"{type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except (SQLAlchemyError, OSError) as exc:
        print(
            f"xzcrawler: database {mask_url(database_url)} unreachable: "
            f"{type(exc).__name__}: {str(getattr(exc, 'orig', exc)).strip().splitlines()[0]}",
            file=sys.stderr,
        )
        return EXIT_FAILED

    process = _CrawlerProcess(settings)
    crawler = process.create_crawler(SPIDER)
    spider_args = {"mode": str(mode)}
    if sections:
        spider_args["section"] = ",".join(sections)
    process.crawl(crawler, **spider_args)
    process.start()

    stats = crawler.stats.get_stats()
    assessment = assess(
        stats,
        thresholds=Thresholds.from_settings(settings),
        stored_before=stored_before,
        previous_fill=previous_fill,
        shared_frontier=bool(settings["REDIS_URL"]),
        signals_received=len(process.signals_received),
    )
    exit_code = exit_code_of(assessment.status, process.signals_received)
    runs.close_run(engine, run_id, stats, assessment, exit_code)
    for warning in assessment.warnings:
        logger.warning("run %d: %s", run_id, warning)
    summary = (
        f"run {run_id} {assessment.status}: {stats.get('response_received_count', 0)} pages, "
        f"{stats.get('xz/articles/new', 0)} new, {stats.get('xz/articles/updated', 0)} updated, "
        f"{stats.get('xz/articles/unchanged', 0)} unchanged"
    )
    if assessment.reason:
        summary += f"; {assessment.reason}"
    print(summary, file=sys.stderr)
    return exit_code


def cmd_runs(args: argparse.Namespace) -> int:
    settings = project_settings(args)
    engine = engine_for(settings["DATABASE_URL"])
    ensure_schema(engine)
    header = f"{'id':>4}  {'started':19}  {'secs':>6}  {'mode':11}  {'status':11}  "
    print(header + f"{'pages':>6}  {'new':>5}  {'upd':>5}  {'same':>5}  {'drop':>4}  exit  reason")
    for run in runs.recent_runs(engine, args.limit):
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
        print(
            f"{run.id:>4}  {run.started_at:%Y-%m-%d %H:%M:%S}  "
            f"{'' if seconds is None else f'{seconds:.0f}':>6}  {run.mode:11}  {run.status:11}  "
            f"{run.pages_fetched:>6}  {run.articles_new:>5}  {run.articles_updated:>5}  "
            f"{run.articles_unchanged:>5}  {run.articles_dropped:>4}  "
            f"{'' if run.exit_code is None else run.exit_code:>4}  {run.reason or ''}"
        )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    settings = project_settings(args)
    engine = engine_for(settings["DATABASE_URL"])
    ensure_schema(engine)
    with contextlib.ExitStack() as stack:
        out = (
            stack.enter_context(open(args.output, "w", encoding="utf-8", newline=""))
            if args.output
            else sys.stdout
        )
        count = export.write_records(export.export_records(engine), out, args.format)
    print(f"exported {count} articles", file=sys.stderr)
    return EXIT_OK


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = project_settings(args)
    before, after = upgrade_schema(engine_for(settings["DATABASE_URL"]))
    if before == after:
        print(f"schema is current ({after})", file=sys.stderr)
    else:
        print(f"schema upgraded from {before or 'none'} to {after}", file=sys.stderr)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from xzcrawler.demo import run_demo

    return run_demo(project_settings(args), articles=args.articles)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m xzcrawler", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--database-url", help="SQLAlchemy URL (default: DATABASE_URL)")
        return sub

    crawl = command("crawl", "crawl the portal (incremental unless --full); for cron")
    crawl.add_argument("--full", action="store_true", help="walk everything again")
    crawl.add_argument("--section", action="append", metavar="NAME", help="only this section")
    crawl.add_argument("--portal-url", help="portal home page (default: PORTAL_URL)")
    crawl.add_argument("--log-file", help="write the crawl log here instead of stderr")
    crawl.add_argument(
        "--redis-url", help="share the frontier with other workers through Redis (REDIS_URL)"
    )
    crawl.add_argument(
        "--recheck-days",
        type=int,
        metavar="N",
        help="fetch again the articles published in the last N days (default: RECHECK_DAYS)",
    )
    crawl.add_argument(
        "-s", "--set", action="append", metavar="NAME=VALUE", help="any Scrapy setting"
    )
    crawl.set_defaults(func=cmd_crawl)

    runs_cmd = command("runs", "list the recent crawl runs")
    runs_cmd.add_argument("--limit", type=int, default=10)
    runs_cmd.set_defaults(func=cmd_runs)

    export_cmd = command("export", "every stored article as JSON lines or CSV")
    export_cmd.add_argument("--format", choices=export.FORMATS, default="jsonl")
    export_cmd.add_argument("--output", "-o", help="file to write (default: standard output)")
    export_cmd.set_defaults(func=cmd_export)

    demo = command("demo", "serve the bundled replica portal, crawl it, show what was stored")
    demo.add_argument("--articles", type=int, default=300)
    demo.set_defaults(func=cmd_demo)

    from xzcrawler import bench

    bench_cmd = commands.add_parser("bench", help=bench.HELP, description=bench.__doc__)
    bench.add_arguments(bench_cmd)
    bench_cmd.set_defaults(func=bench.cmd_bench)

    db_commands = add_query_commands(commands, command)
    upgrade = db_commands.add_parser(
        "upgrade",
        help="migrate the database to this version's schema",
        description="migrate the database to this version's schema (Alembic); a database "
        "created before migrations existed is adopted",
    )
    upgrade.add_argument("--database-url", help="SQLAlchemy URL (default: DATABASE_URL)")
    upgrade.set_defaults(func=cmd_db_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"xzcrawler: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SQLAlchemyError as exc:
        print(f"xzcrawler: database error: {type(exc).__name__}", file=sys.stderr)
        return EXIT_FAILED
