"""What the commands share: exit codes, settings and database checks, and the crawl itself.

`xzcrawler.cli`, `xzcrawler.demo` and `xzcrawler.bench` import this module, never each other.
Its top level imports nothing heavy: the commands that only read the database use the checks
here without loading Scrapy; the crawl's imports happen inside the functions that crawl.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from scrapy.crawler import Crawler, CrawlerProcess
    from scrapy.http import Response
    from scrapy.settings import Settings
    from sqlalchemy import Engine

    from xzcrawler.frontier import CrawlMode
    from xzcrawler.health import Assessment, RunStatus

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'xzcrawler.db'}"
DEFAULT_PORTAL_URL = "http://www.xzspw.org.cn/"
DATABASE_ENV, PORTAL_ENV, REDIS_ENV = (
    "XZCRAWLER_DATABASE_URL",
    "XZCRAWLER_PORTAL_URL",
    "XZCRAWLER_REDIS_URL",
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 75
EXIT_SECOND_CTRL_C = 128 + signal.SIGINT  # 130, as a shell reports a process Ctrl-C ended
SPIDER = "sections"
SQL_INT_MAX = 2**63 - 1  # the largest id or LIMIT SQLite and PostgreSQL take
# What the spiders count per page they could not use (spiders/base.py, record_problem).
UNUSABLE_PAGES = "xz/pages/unusable"

logger = logging.getLogger("xzcrawler")


class UsageError(Exception):
    """A bad argument or setting, found before any work: exit 2 with one line."""


class Unavailable(Exception):
    """What the command needs is not there (a database's folder is a file): exit 1, one line."""


def _scrapy_project() -> None:
    # The top-level `pipelines` package sits beside the Scrapy project, as under `scrapy crawl`.
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "xzcrawler.settings")


# The database ------------------------------------------------------------------------------


def database_url_or_default(database_url: str | None) -> str:
    return database_url or os.environ.get(DATABASE_ENV) or DEFAULT_DATABASE_URL


def check_database_url(database_url: str, *, create: bool) -> None:
    """A URL SQLAlchemy can open with an installed driver, and for SQLite a file that exists
    (or, with `create`, can be created). UsageError otherwise, naming what is wrong."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(database_url)
        dialect = url.get_dialect()
    except ArgumentError as exc:  # NoSuchModuleError (an unknown backend) is one too
        raise UsageError(f"DATABASE_URL is not a database URL: {exc}") from None
    except ValueError as exc:  # a port that is not a number
        raise UsageError(f"DATABASE_URL is not a database URL: {exc}") from None
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        raise UsageError(
            f"DATABASE_URL {url.render_as_string(hide_password=True)}: its driver "
            f"{exc.name or url.get_driver_name()!r} is not installed (SQLite and PostgreSQL "
            "through postgresql+psycopg:// work as installed)"
        ) from None
    if url.get_backend_name() != "sqlite":
        return
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    for folder in reversed(path.parents):
        if folder.exists() and not folder.is_dir():
            raise Unavailable(f"database {path} unreachable: {folder} is a file, not a folder")
    if path.is_dir():
        raise UsageError(f"database {path} is a folder, not an SQLite file")
    if not create and not path.exists():
        raise UsageError(
            f"no database at {os.path.abspath(path)} (the default is {DEFAULT_DATABASE_URL}; "
            f"choose one with --database-url or {DATABASE_ENV}; `crawl` and `db upgrade` "
            "create a database)"
        )


def open_database(database_url: str | None, *, create: bool = False) -> Engine:
    """The engine of a checked database with a current schema; a read never creates one."""
    url = database_url_or_default(database_url)
    check_database_url(url, create=create)
    from xzcrawler.storage import SchemaBehind, engine_for, ensure_schema

    engine = engine_for(url)
    try:
        ensure_schema(engine)
    except SchemaBehind as exc:
        raise UsageError(str(exc)) from None
    return engine


def database_error(database_url: str, exc: BaseException) -> str:
    """One line for a database that cannot be reached or used."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""]
    try:
        from xzcrawler.storage import mask_url

        where = mask_url(database_url)
    except Exception:  # the message must not fail on a URL it cannot parse
        where = "(unreadable URL)"
    return f"database {where} unreachable: {type(exc).__name__}: {reason[0]}"


# Settings ----------------------------------------------------------------------------------


def check_portal_url(url: str) -> None:
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - a port that is not a number raises
    except ValueError:
        raise UsageError(f"--portal-url {url!r} has a port that is not a number") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UsageError(
            f"--portal-url {url!r} is not a web address (like {DEFAULT_PORTAL_URL}; "
            f"or set {PORTAL_ENV})"
        )


def _check_typed(settings: Settings, name: str, default: Any) -> None:
    """A value given with -s that the setting's type cannot take (DOWNLOAD_DELAY=fast)."""
    getter = {bool: settings.getbool, int: settings.getint, float: settings.getfloat}
    for kind in (bool, int, float):  # bool first: it is an int too
        if isinstance(default, kind):
            try:
                getter[kind](name)
            except (TypeError, ValueError):
                expected = {bool: "true or false", int: "a whole number", float: "a number"}
                raise UsageError(
                    f"-s {name}={settings[name]!r}: {name} takes {expected[kind]} "
                    f"(default {default!r})"
                ) from None
            return


def project_settings(
    *,
    assignments: Iterable[str] = (),
    portal_url: str | None = None,
    database_url: str | None = None,
    redis_url: str | None = None,
    create: bool = True,
) -> Settings:
    """The Scrapy project's settings with the command line's on top, checked: UsageError on a
    malformed assignment, typed value, database or portal URL."""
    _scrapy_project()
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep or not name:
            raise UsageError(f"-s takes NAME=VALUE, got {assignment!r}")
        default = settings.get(name)
        settings.set(name, value, priority="cmdline")
        _check_typed(settings, name, default)
    for setting, option in (
        ("PORTAL_URL", portal_url),
        ("DATABASE_URL", database_url),
        ("REDIS_URL", redis_url),
    ):
        if option:
            settings.set(setting, option, priority="cmdline")
    check_database_url(settings["DATABASE_URL"], create=create)
    check_portal_url(settings["PORTAL_URL"])
    return settings


# The crawl ---------------------------------------------------------------------------------


def exit_code_of(status: RunStatus, signals_received: Sequence[int]) -> int:
    """ok 0; a run stopped at once by a second Ctrl-C 130; any other outcome 1."""
    from xzcrawler.health import RunStatus

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
    from xzcrawler import runs
    from xzcrawler.distributed import CrawlKeys, redis_client
    from xzcrawler.models import SHANGHAI

    if not settings["REDIS_URL"]:
        return runs.mark_dead_runs(engine, distributed=False, alive=lambda run: False)
    server = redis_client(settings)
    try:
        keys = CrawlKeys(settings["REDIS_KEY_PREFIX"], SPIDER)
        beats = {w.decode(): float(t) for w, t in server.hgetall(keys.workers).items()}
    finally:
        server.close()
    ttl = max(int(settings.getfloat("REDIS_HEARTBEAT") * 3), 1)  # as distributed.SharedCrawl
    now = datetime.fromtimestamp(time.time(), SHANGHAI)
    alive = runs.heartbeat_alive(beats, ttl=ttl, now=now)
    return runs.mark_dead_runs(engine, distributed=True, alive=alive)


def _crawler_process(settings: Settings) -> tuple[CrawlerProcess, list[int]]:
    """Scrapy's process, and the shutdown signals it gets as they come: the run record tells a
    signal from a limit (both close with `shutdown`), and a second Ctrl-C (Scrapy then stops
    without closing the spider) from a crash."""
    from scrapy.crawler import CrawlerProcess

    received: list[int] = []

    class _CrawlerProcess(CrawlerProcess):
        def _signal_shutdown(self, signum: int, frame: object) -> None:
            received.append(signum)
            super()._signal_shutdown(signum, frame)

        def _signal_kill(self, signum: int, frame: object) -> None:
            received.append(signum)
            super()._signal_kill(signum, frame)

    return _CrawlerProcess(settings), received


class SectionCheck:
    """Reads the navigation menu the spider reads; an asked-for section it does not list
    closes the spider at once (a usage error, exit 2, naming the closest sections)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.unknown: str | None = None

    def response_received(self, response: Response, request: Any, spider: Any) -> None:
        wanted = getattr(spider, "sections", None)
        callback = getattr(request, "callback", None)
        from scrapy.http import TextResponse

        if not wanted or getattr(callback, "__name__", "") != "parse_home":
            return
        if not isinstance(response, TextResponse):  # no page the menu could be read from
            return
        from xzcrawler import parsing

        try:
            names = [section.name for section in parsing.navigation_sections(response)]
        except Exception:  # the spider reports a page it cannot read
            return
        if not names:
            return
        missing = sorted(name for name in wanted if name not in names)
        if not missing:
            return
        import difflib

        hints = []
        for name in missing:
            close = difflib.get_close_matches(name, names, n=3, cutoff=0.3)
            close += [n for n in names if (name in n or n in name) and n not in close]
            hint = f"; closest: {', '.join(close[:3])}" if close else ""
            hints.append(f"no section named {name!r} in the portal's menu{hint}")
        self.unknown = "; ".join(hints) + f" (the menu lists {len(names)} sections)"
        self.crawler.engine.close_spider(spider, "unknown_section")


_NETWORK_MODULES = ("twisted.internet.error", "twisted.web._newclient", "twisted.names.error")


def _network_failure(exc: BaseException | None) -> bool:
    """A connection refused, reset or timed out, a name that does not resolve: the portal's or
    the network's state, not a bug, so its log line needs no traceback."""
    seen = 0
    while exc is not None and seen < 10:
        kind = type(exc)
        if isinstance(exc, OSError) or kind.__module__.startswith(_NETWORK_MODULES):
            return True
        if kind.__module__ == "scrapy.exceptions" and kind.__name__.startswith("Download"):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class NoNetworkTracebacks(logging.Filter):
    """Keeps the one-line reason of a network failure, drops Twisted's traceback under it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and _network_failure(record.exc_info[1]):
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_network_tracebacks() -> None:
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, NoNetworkTracebacks) for f in handler.filters):
            handler.addFilter(NoNetworkTracebacks())


# Scrapy's start-up report (versions, settings, every middleware and extension: ~100 lines at
# INFO): logger -> the messages dropped below WARNING (None: all of them). The log of a
# scheduled crawl then begins with its run id; -s LOG_LEVEL=DEBUG shows the report again.
STARTUP_BOILERPLATE: dict[str, tuple[str, ...] | None] = {
    "scrapy.utils.log": None,
    "scrapy.addons": None,
    "scrapy.middleware": None,
    "scrapy.extensions.telnet": None,
    "scrapy.crawler": ("Overridden settings",),
}


class StartupBoilerplate(logging.Filter):
    """Drops Scrapy's start-up report (STARTUP_BOILERPLATE) from the log; warnings pass."""

    def __init__(self, prefixes: tuple[str, ...] | None) -> None:
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        return self.prefixes is not None and not str(record.msg).startswith(self.prefixes)


def quiet_startup(settings: Settings) -> None:
    """Keep Scrapy's start-up report out of the log unless LOG_LEVEL is DEBUG."""
    debug = str(settings.get("LOG_LEVEL")).upper() == "DEBUG"
    for name, prefixes in STARTUP_BOILERPLATE.items():
        named = logging.getLogger(name)
        for old in [f for f in named.filters if isinstance(f, StartupBoilerplate)]:
            named.removeFilter(old)
        if not debug:
            named.addFilter(StartupBoilerplate(prefixes))


def rotate_log(settings: Settings) -> None:
    """Before a run appends to it, a log file past LOG_FILE_MAX_BYTES becomes `.1` (`.1`
    becomes `.2` ...), LOG_FILE_BACKUPS kept: a crawl every half hour never fills the disk."""
    path, cap = settings.get("LOG_FILE"), settings.getint("LOG_FILE_MAX_BYTES")
    if not path or cap <= 0 or not os.path.exists(path) or os.path.getsize(path) < cap:
        return
    from logging.handlers import RotatingFileHandler

    backups = max(settings.getint("LOG_FILE_BACKUPS"), 1)
    rotating = RotatingFileHandler(path, maxBytes=cap, backupCount=backups, delay=True)
    rotating.doRollover()
    rotating.close()


def log_always(settings: Settings, message: str, *, level: int) -> None:
    """A line a log file gets whatever LOG_LEVEL says: the log file of a crawl begins with its
    run id and ends with its outcome line (docs/interface.md). A log on stderr follows
    LOG_LEVEL (the outcome line is printed there anyway)."""
    if not settings.get("LOG_FILE"):
        logger.log(level, message)
        return
    record = logger.makeRecord(logger.name, level, __file__, 0, message, (), None)
    for handler in logging.getLogger().handlers:
        handler.handle(record)


def outcome_on_stderr(settings: Settings, *, ok: bool, verbose: bool) -> bool:
    """Whether the outcome line is printed on stderr as well as logged: always when the log is
    stderr; with a log file only for a run that was not ok, in a terminal, or with --verbose,
    so cron mails exactly the runs that need a look (docs/interface.md, exit codes)."""
    return not settings.get("LOG_FILE") or not ok or verbose or sys.stderr.isatty()


def run_crawl(
    settings: Settings, *, mode: CrawlMode, sections: Sequence[str], verbose: bool = False
) -> int:
    """The sections spider in this process, wrapped in a lock and a run record. `verbose`
    prints the outcome line on stderr even when a log file gets it and the run was ok."""
    from xzcrawler.lock import CrawlLock, LockHeld, lock_path

    if settings["REDIS_URL"]:
        # Workers of a distributed crawl share its frontier; a second one joins, not overlaps.
        return _crawl_locked(settings, mode=mode, sections=sections, verbose=verbose)
    try:
        with CrawlLock(lock_path(Path(settings["LOCK_DIR"]), settings["DATABASE_URL"])):
            return _crawl_locked(settings, mode=mode, sections=sections, verbose=verbose)
    except LockHeld as exc:
        print(f"xzcrawler: {exc}", file=sys.stderr)
        return EXIT_LOCKED


def _crawl_locked(
    settings: Settings, *, mode: CrawlMode, sections: Sequence[str], verbose: bool
) -> int:
    from scrapy import signals
    from sqlalchemy.exc import SQLAlchemyError

    from xzcrawler import runs, tuning
    from xzcrawler.distributed import ping_redis, redis_errors, worker_name
    from xzcrawler.health import RunStatus, Thresholds, assess
    from xzcrawler.storage import SchemaBehind, engine_for, ensure_schema, mask_url

    database_url = settings["DATABASE_URL"]
    unreachable_redis = redis_errors(settings)
    try:
        if settings["REDIS_URL"]:
            ping_redis(settings)
        engine = engine_for(database_url)
        ensure_schema(engine)
        stored_before = runs.stored_article_count(engine)
        previous_fill = [run.field_fill for run in runs.recent_runs(engine, 5) if run.field_fill]
        dead = mark_dead_runs(engine, settings)
        run_mode = f"{mode}{runs.DISTRIBUTED_SUFFIX}" if settings["REDIS_URL"] else str(mode)
        run_id = runs.open_run(
            engine, mode=run_mode, portal_url=settings["PORTAL_URL"], worker=worker_name()
        )
    except SchemaBehind as exc:
        raise UsageError(str(exc)) from None
    except unreachable_redis as exc:
        print(
            f"xzcrawler: redis {mask_url(settings['REDIS_URL'])} unreachable: "
            f"{type(exc).__name__}: {exc}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    except (SQLAlchemyError, OSError) as exc:
        print(f"xzcrawler: {database_error(database_url, exc)}", file=sys.stderr)
        return EXIT_FAILED

    quiet_startup(settings)
    rotate_log(settings)
    # installs the log handler (LOG_FILE or stderr)
    process, signals_received = _crawler_process(settings)
    log_always(
        settings,
        f"run {run_id} started: {run_mode} crawl of {settings['PORTAL_URL']} into "
        f"{mask_url(database_url)}",
        level=logging.INFO,
    )
    for dead_id in dead:
        logger.warning("run %d: %s; marked died", dead_id, runs.DIED_REASON)
    crawler = process.create_crawler(SPIDER)
    check = SectionCheck(crawler)
    if sections:  # only then is the home page's menu checked: no receiver on every response
        crawler.signals.connect(check.response_received, signal=signals.response_received)
    # Scrapy (re)installs its log handler as the crawler starts: filter it once it is there.
    crawler.signals.connect(quiet_network_tracebacks, signal=signals.engine_started)
    crawler.signals.connect(tuning.skip_unlogged_records, signal=signals.engine_started)
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
        signals_received=len(signals_received),
    )
    if check.unknown:
        runs.close_run(engine, run_id, stats, assessment, EXIT_USAGE)
        log_always(settings, f"run {run_id} stopped: {check.unknown}", level=logging.ERROR)
        print(f"xzcrawler: {check.unknown}", file=sys.stderr)
        return EXIT_USAGE
    exit_code = exit_code_of(assessment.status, signals_received)
    runs.close_run(engine, run_id, stats, assessment, exit_code)
    for warning in assessment.warnings:
        logger.warning("run %d: %s", run_id, warning)
    summary = outcome_line(run_id, assessment, stats)
    ok = assessment.status is RunStatus.OK
    if settings.get("LOG_FILE"):
        log_always(settings, summary, level=logging.INFO if ok else logging.ERROR)
    if outcome_on_stderr(settings, ok=ok, verbose=verbose):
        print(summary, file=sys.stderr)
    return exit_code


def failed_pages(stats: dict[str, Any]) -> int:
    """Pages that could not be used or stored: the run record keeps the first
    PROBLEM_PAGES_KEPT of them, the counts hold them all."""
    from xzcrawler.stats_keys import PROBLEM_PAGES, STORAGE_LOST, STORAGE_QUARANTINED

    counted = sum(
        int(stats.get(key, 0)) for key in (UNUSABLE_PAGES, STORAGE_QUARANTINED, STORAGE_LOST)
    )
    return max(len(stats.get(PROBLEM_PAGES, [])), counted)


def outcome_line(run_id: int, assessment: Assessment, stats: dict[str, Any]) -> str:
    """`run N STATUS: pages, new, updated, unchanged[, failed pages][; why]`: what the log
    ends with and cron mails (docs/interface.md); a run that was not ok names its first
    failed page too (a refused connection, say)."""
    from xzcrawler.health import RunStatus
    from xzcrawler.stats_keys import PROBLEM_PAGES

    summary = (
        f"run {run_id} {assessment.status}: {stats.get('response_received_count', 0)} pages, "
        f"{stats.get('xz/articles/new', 0)} new, {stats.get('xz/articles/updated', 0)} updated, "
        f"{stats.get('xz/articles/unchanged', 0)} unchanged"
    )
    if failed := failed_pages(stats):
        summary += (
            f", {failed} failed page{'s' if failed > 1 else ''} "
            f"(python -m xzcrawler runs --failed-pages {run_id})"
        )
    if assessment.reason:
        summary += f"; {assessment.reason}"
    problems = stats.get(PROBLEM_PAGES) or []
    if assessment.status is not RunStatus.OK and problems:
        summary += f"; first failed page {problems[0]['url']}: {problems[0]['reason']}"
    return summary
