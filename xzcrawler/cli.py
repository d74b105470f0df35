"""`python -m xzcrawler COMMAND`: the crawl for cron, and the commands that read the database.

One click group; each command's docstring is its help. The top of this module imports click
only: what a command needs is imported when it runs, so `--help` and the read commands start
without Scrapy. Exit codes: see `EPILOG`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from xzcrawler.runner import (
    DATABASE_ENV,
    DEFAULT_DATABASE_URL,
    DEFAULT_PORTAL_URL,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_SECOND_CTRL_C,
    EXIT_USAGE,
    PORTAL_ENV,
    PROJECT_ROOT,
    REDIS_ENV,
    SQL_INT_MAX,
    Unavailable,
    UsageError,
)

__all__ = ["PROJECT_ROOT", "UsageError", "cli", "main"]

PROG = "python -m xzcrawler"
COMPLETE_VAR = "_XZCRAWLER_COMPLETE"
# Mirrors of xzcrawler.query's constants (a test keeps them equal): importing query for a help
# screen would load the crawl's modules.
DATE_FORMS = "YYYY-MM-DD, YYYY-MM or YYYY"
QUERY_TIMEOUT = 30.0
ORDERS = ("newest", "oldest", "relevance")
OUTPUT_FORMATS = ("table", "jsonl", "csv")
EXPORT_FORMATS = ("jsonl", "csv")
SEARCH_MAX_WORDS, SEARCH_MAX_WORD_CHARS = 16, 64

EPILOG = """\b
Exit codes: 0 ok; 1 the crawl failed, was unhealthy, cut short by a limit or
interrupted, or a command failed; 130 a crawl stopped by a second Ctrl-C;
2 usage or configuration error (nothing was fetched or written);
75 another crawl holds the database's lock.
"""

F = TypeVar("F", bound=Callable[..., Any])


class _Result(int):
    """A command's exit code, told apart from click's own (help, completion) by its type."""


class XzGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        result = super().invoke(ctx)
        return result if isinstance(result, _Result) else _Result(result or 0)


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=XzGroup, context_settings=CONTEXT, epilog=EPILOG)
def cli() -> None:
    """Crawl 乡镇时评网 (www.xzspw.org.cn) into a database, and read what was stored.

    \b
    Examples:
      python -m xzcrawler demo                      # try it on the bundled replica portal
      python -m xzcrawler crawl                     # what cron runs
      python -m xzcrawler query --search 乡村振兴 --since 2024
      python -m xzcrawler show 42
      python -m xzcrawler export --format csv -o articles.csv

    The database is an SQLite file under data/ in the project unless --database-url or
    XZCRAWLER_DATABASE_URL names another (any SQLAlchemy URL with an installed driver:
    sqlite:///path.db, postgresql+psycopg://user@host/db).
    """


# Shared options ----------------------------------------------------------------------------


def database_option(f: F) -> F:
    return click.option(
        "--database-url",
        metavar="URL",
        envvar=DATABASE_ENV,
        show_envvar=True,
        help=f"SQLAlchemy URL of the database  [default: {DEFAULT_DATABASE_URL}]",
    )(f)


def _seconds(ctx: click.Context, param: click.Parameter, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 10**6:
        raise click.BadParameter(f"{value!r} is not a number of seconds above 0")
    return seconds


def timeout_option(f: F) -> F:
    return click.option(
        "--timeout",
        default=str(f"{QUERY_TIMEOUT:g}"),
        callback=_seconds,
        metavar="SECONDS",
        help=f"stop a query that runs longer (default {QUERY_TIMEOUT:g}; exit 1)",
    )(f)


def _count(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """A whole number of at least 0; beyond what SQL takes it means no limit at all."""
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()):
        raise click.BadParameter(f"{value!r} is not a whole number of 0 or more")
    number = int(value)
    return 0 if number > SQL_INT_MAX else number


def _date(*, end: bool) -> Callable[[click.Context, click.Parameter, str | None], Any]:
    def parse(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
        if value is None:
            return None
        from xzcrawler.query import parse_date

        try:
            return parse_date(value, end=end)
        except (ValueError, OverflowError) as exc:
            raise click.BadParameter(str(exc)) from None

    return parse


def _done(code: int) -> _Result:
    return _Result(code)


# The crawl ---------------------------------------------------------------------------------


@cli.command(epilog=EPILOG)
@click.option("--full", is_flag=True, help="walk every section and chain again")
@click.option(
    "--section",
    multiple=True,
    metavar="NAME",
    help="only this section of the portal's menu (repeat for several)",
)
@click.option(
    "--portal-url",
    metavar="URL",
    envvar=PORTAL_ENV,
    show_envvar=True,
    help=f"the portal's home page  [default: {DEFAULT_PORTAL_URL}]",
)
@database_option
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False),
    help="write the crawl log here instead of stderr (its folder is created)",
)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="print the outcome line on stderr even when the run was ok and --log-file has it",
)
@click.option(
    "--redis-url",
    metavar="URL",
    envvar=REDIS_ENV,
    show_envvar=True,
    help="share the frontier with other workers through Redis",
)
@click.option(
    "--recheck-days",
    callback=_count,
    metavar="N",
    help="fetch again the articles published in the last N days  [default: RECHECK_DAYS, 0]",
)
@click.option(
    "-s",
    "--set",
    "assignments",
    multiple=True,
    metavar="NAME=VALUE",
    help="any Scrapy or xzcrawler setting (repeat for several)",
)
def crawl(
    full: bool,
    section: Sequence[str],
    portal_url: str | None,
    database_url: str | None,
    log_file: str | None,
    verbose: bool,
    redis_url: str | None,
    recheck_days: int | None,
    assignments: Sequence[str],
) -> int:
    """Crawl the portal into the database: incremental unless --full. For cron.

    Takes a lock on the database (a second crawl exits 75), records the run, and ends with
    its outcome line: `run N STATUS: pages, new, updated, unchanged[, failed pages][; why]`.
    A new database is created with its schema.

    With --log-file (or -s LOG_FILE=...) the log begins with the run id and ends with the
    outcome line, and the crawl prints nothing when the run is ok: cron mails only the runs
    that failed, were cut short or interrupted (their outcome line, on stderr). Without it
    the log, outcome included, goes to stderr. In a terminal a live progress line shows
    instead of the log. Scrapy's start-up report is in the log only with -s LOG_LEVEL=DEBUG.

    \b
    Examples:
      python -m xzcrawler crawl
      python -m xzcrawler crawl --full --log-file logs/crawl.log
      python -m xzcrawler crawl --section 三农时评 -s DOWNLOAD_DELAY=2
    \b
    From cron, mailing only failures:
      */30 * * * * cd /srv/xz && .venv/bin/python -m xzcrawler crawl --log-file logs/crawl.log
    """
    from xzcrawler.frontier import CrawlMode
    from xzcrawler.runner import project_settings, run_crawl

    settings = project_settings(
        assignments=assignments,
        portal_url=portal_url,
        database_url=database_url,
        redis_url=redis_url,
    )
    if recheck_days is not None:
        settings.set("RECHECK_DAYS", recheck_days, priority="cmdline")
    if log_file:
        try:
            Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"--log-file {log_file}: {exc.strerror or exc}") from None
        settings.set("LOG_FILE", log_file, priority="cmdline")
    if sys.stderr.isatty() and not log_file:
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
        settings.set(
            "EXTENSIONS", {**settings.getdict("EXTENSIONS"), "xzcrawler.progress.Progress": 900}
        )
    mode = CrawlMode.FULL if full else CrawlMode.INCREMENTAL
    return _done(run_crawl(settings, mode=mode, sections=list(section), verbose=verbose))


@cli.command()
@click.option("--articles", type=click.IntRange(1), default=300, show_default=True)
@click.option(
    "--database-url",
    metavar="URL",
    help="crawl into this database instead (XZCRAWLER_DATABASE_URL is not read here)  "
    "[default: a fresh data/demo.db]",
)
def demo(articles: int, database_url: str | None) -> int:
    """Serve the bundled replica portal on 127.0.0.1, crawl it, show what was stored.

    Without --database-url the crawl goes into a fresh data/demo.db (the one of the last demo
    is replaced); with it, into that database.

    \b
    Example:
      python -m xzcrawler demo --articles 100
    """
    from xzcrawler.demo import run_demo

    return _done(run_demo(articles=articles, database_url=database_url))


@cli.command()
@click.option("--articles", type=click.IntRange(1), default=20_000, show_default=True)
@click.option(
    "--repeat", type=click.IntRange(1), default=3, show_default=True, help="runs of each crawl"
)
@click.option("--list-page-size", type=click.IntRange(1), default=20, show_default=True)
@click.option("--list-page-cap", type=click.IntRange(1), default=10, show_default=True)
@click.option(
    "--workdir", type=click.Path(file_okay=False, path_type=Path), help="keep databases and logs"
)
@click.option(
    "--profile",
    is_flag=True,
    help="then one more full crawl under py-spy: CPU seconds per stage (walk, fields, storage…)",
)
def bench(
    articles: int,
    repeat: int,
    list_page_size: int,
    list_page_cap: int,
    workdir: Path | None,
    profile: bool,
) -> int:
    """Crawl a replica portal three ways: Scrapy's ceiling, a full crawl, a no-change rerun.

    Each crawl runs in a fresh process, `--repeat` times; medians are reported. Peak RSS is
    summed over the crawl's processes (its page readers and writer included).

    \b
    Examples:
      python -m xzcrawler bench --articles 2000 --repeat 1
      python -m xzcrawler bench --articles 20000 --profile
    """
    from xzcrawler.bench import run_bench

    try:
        run_bench(
            articles=articles,
            repeat=repeat,
            list_page_size=list_page_size,
            list_page_cap=list_page_cap,
            workdir=workdir,
            profile=profile,
        )
    except RuntimeError as exc:  # a crawl that failed, or a replica that did not start
        print(f"xzcrawler: bench: {exc}", file=sys.stderr)
        return _done(EXIT_FAILED)
    return _done(EXIT_OK)


# Reading the database ----------------------------------------------------------------------


@cli.command()
@click.option("--section", metavar="NAME", help="section, or a section above it")
@click.option("--source", metavar="NAME", help="publisher (canonical or as printed)")
@click.option("--author", metavar="NAME")
@click.option("--since", callback=_date(end=False), metavar="DATE", help=DATE_FORMS)
@click.option("--until", callback=_date(end=True), metavar="DATE", help=f"{DATE_FORMS}; inclusive")
@click.option(
    "--search",
    metavar="WORDS",
    help="words in title or body, all required; plain text (every character counts); "
    f"at most {SEARCH_MAX_WORDS} distinct words of {SEARCH_MAX_WORD_CHARS} characters",
)
@click.option("--limit", default="20", callback=_count, metavar="N", help="0: all  [default: 20]")
@click.option(
    "--order",
    type=click.Choice(ORDERS),
    help="default: relevance with --search, else newest",
)
@click.option("--format", "format_", type=click.Choice(OUTPUT_FORMATS), default="table")
@timeout_option
@database_option
def query(
    section: str | None,
    source: str | None,
    author: str | None,
    since: Any,
    until: Any,
    search: str | None,
    limit: int,
    order: str | None,
    format_: str,
    timeout: float,
    database_url: str | None,
) -> int:
    """Find articles by section, publisher, author, date and words.

    An unknown section, publisher or author finds nothing and names the closest ones.

    \b
    Examples:
      python -m xzcrawler query --section 三农时评 --since 2024-01
      python -m xzcrawler query --search "乡村 振兴" --format jsonl --limit 0
    """
    from xzcrawler import query_cli

    if order == "relevance" and not search:
        raise UsageError("--order relevance needs --search")
    engine = _open(database_url)
    return _done(
        query_cli.run_query(
            engine,
            section=section,
            source=source,
            author=author,
            since=since,
            until=until,
            search=search,
            limit=limit,
            order=order,
            output_format=format_,
            timeout=timeout,
        )
    )


@cli.command()
@click.argument("article", metavar="ID|URL")
@click.option("--html", is_flag=True, help="print body_html too")
@timeout_option
@database_option
def show(article: str, html: bool, timeout: float, database_url: str | None) -> int:
    """One article: every field, the body, its revisions.

    \b
    Examples:
      python -m xzcrawler show 42
      python -m xzcrawler show http://www.xzspw.org.cn/html/2024/01/123.html
    """
    from xzcrawler import query_cli

    key = article.strip()
    if key.isdigit() and not key.isascii():
        raise UsageError(f"{article!r} is neither an article id (digits 0-9) nor a URL")
    engine = _open(database_url)
    if key.isdigit() and int(key) > SQL_INT_MAX:
        print(f"xzcrawler: no article with id or URL {article!r}", file=sys.stderr)
        return _done(EXIT_FAILED)
    return _done(query_cli.run_show(engine, article, html=html, timeout=timeout))


@cli.command()
@click.option(
    "--publishers", type=click.IntRange(0), default=20, show_default=True, metavar="N",
    help="publishers shown",
)  # fmt: skip
@click.option(
    "--runs", type=click.IntRange(0), default=5, show_default=True, metavar="N",
    help="crawl runs shown",
)  # fmt: skip
@timeout_option
@database_option
def stats(publishers: int, runs: int, timeout: float, database_url: str | None) -> int:
    """Articles per section, publisher and month; fill rates; the last runs.

    \b
    Example:
      python -m xzcrawler stats --publishers 50
    """
    from xzcrawler import query_cli

    engine = _open(database_url)
    return _done(query_cli.run_stats(engine, publishers=publishers, runs=runs, timeout=timeout))


@cli.command()
@click.option(
    "--limit", type=click.IntRange(0, 10**9, clamp=True), default=10, show_default=True,
    metavar="N",
)  # fmt: skip
@click.option(
    "--failed-pages",
    type=click.IntRange(1, SQL_INT_MAX),
    metavar="RUN",
    help="list the pages run RUN could not use or store (status, reason, URL) instead",
)
@database_option
def runs(limit: int, failed_pages: int | None, database_url: str | None) -> int:
    """The recent crawl runs: start (Shanghai time, +08:00), seconds, mode, status, pages,
    articles new / updated / unchanged / dropped, exit code and why.

    The table fits the terminal (COLUMNS); piped, each run is one whole line. A crawl's
    outcome line names the command that lists its failed pages.

    \b
    Examples:
      python -m xzcrawler runs --limit 50
      python -m xzcrawler runs --failed-pages 12
    """
    from xzcrawler import query_cli

    engine = _open(database_url)
    return _done(query_cli.run_runs(engine, limit=limit, failed_pages=failed_pages))


@cli.command()
@click.option("--format", "format_", type=click.Choice(EXPORT_FORMATS), default="jsonl",
              show_default=True)  # fmt: skip
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False), help="file to write  [default: stdout]"
)
@click.option(
    "--excel",
    is_flag=True,
    help="CSV for Excel: starts with a UTF-8 byte order mark, so the Chinese text opens right",
)
@click.option(
    "--since-run",
    type=click.IntRange(1),
    metavar="RUN",
    help="only articles new or changed by run RUN or a later one (`runs` lists the runs)",
)
@click.option(
    "--changed-since",
    callback=_date(end=False),
    metavar="DATE",
    help=f"only articles new or changed on DATE or later ({DATE_FORMS}, Shanghai time)",
)
@database_option
def export(
    format_: str,
    output: str | None,
    excel: bool,
    since_run: int | None,
    changed_since: Any,
    database_url: str | None,
) -> int:
    """Every stored article as JSON lines or CSV (the export record of docs/interface.md).

    Times are ISO 8601 in Shanghai time (+08:00); in CSV, section_path is written
    时评 > 三农时评. A pipeline downstream takes what is new or changed since the run it last
    took with --since-run (an article stored unchanged again is not new).

    \b
    Examples:
      python -m xzcrawler export > articles.jsonl
      python -m xzcrawler export --format csv -o articles.csv
      python -m xzcrawler export --format csv --excel -o articles.csv
      python -m xzcrawler export --since-run 42 > new-or-changed.jsonl
      python -m xzcrawler export --changed-since 2026-11-01
    """
    from xzcrawler import query_cli

    if excel and format_ != "csv":
        raise UsageError("--excel is for --format csv")
    if since_run is not None and changed_since is not None:
        raise UsageError("--since-run and --changed-since: give one of them")
    engine = _open(database_url)
    return _done(
        query_cli.run_export(
            engine,
            output_format=format_,
            output=output,
            excel=excel,
            changed_since=changed_since,
            since_run=since_run,
        )
    )


@cli.command()
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True)
@click.option(
    "--allow-sql",
    is_flag=True,
    help="let the browser run any read-only SELECT on Datasette's SQL page (off by default: "
    "only the tables, views, facets and search)",
)
@database_option
def browse(port: int, allow_sql: bool, database_url: str | None) -> int:
    """Open the SQLite database in Datasette on 127.0.0.1 (this machine only).

    The start page links the article list (facets by section, publisher and month; ranked
    search) and each article's page. Arbitrary SQL (`/DATABASE?sql=...`, the SQL page) is
    refused unless --allow-sql is given; even then nothing can be written.

    \b
    Examples:
      python -m xzcrawler browse --port 8080
      python -m xzcrawler browse --allow-sql
    """
    from sqlalchemy.engine import make_url

    from xzcrawler import query_cli
    from xzcrawler.runner import database_url_or_default

    url = database_url_or_default(database_url)
    try:
        parsed = make_url(url)
    except Exception:  # _open names what is wrong with it
        parsed = None
    if parsed is not None and (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        raise UsageError("browse opens an SQLite database file in Datasette")
    _open(database_url)
    assert parsed is not None and parsed.database
    return _done(query_cli.run_browse(parsed.database, port=port, allow_sql=allow_sql))


@cli.group(cls=click.Group)
def db() -> None:
    """Database maintenance: schema migrations, the search index."""


@db.command()
@database_option
def upgrade(database_url: str | None) -> int:
    """Migrate the database to this version's schema (Alembic); a database created before
    migrations existed is adopted. A missing SQLite file is created.

    \b
    Example:
      python -m xzcrawler db upgrade --database-url sqlite:///data/xzcrawler.db
    """
    from xzcrawler.runner import check_database_url, database_url_or_default
    from xzcrawler.storage import engine_for, upgrade_schema

    url = database_url_or_default(database_url)
    check_database_url(url, create=True)
    before, after = upgrade_schema(engine_for(url))
    if before == after:
        print(f"schema is current ({after})", file=sys.stderr)
    else:
        print(f"schema upgraded from {before or 'none'} to {after}", file=sys.stderr)
    return _done(EXIT_OK)


@db.command()
@database_option
def reindex(database_url: str | None) -> int:
    """Rebuild the full-text search index from the articles table."""
    from xzcrawler import search

    count = search.reindex(_open(database_url))
    print(f"indexed {count} articles", file=sys.stderr)
    return _done(EXIT_OK)


@cli.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> int:
    """Print the shell completion script for an `xzcrawler` command.

    \b
    Example (bash):
      eval "$(python -m xzcrawler completion bash)"
    """
    from click.shell_completion import get_completion_class

    completion_class = get_completion_class(shell)
    assert completion_class is not None
    click.echo(completion_class(cli, {}, "xzcrawler", COMPLETE_VAR).source())
    return _done(EXIT_OK)


def _open(database_url: str | None) -> Any:
    from xzcrawler.runner import open_database

    return open_database(database_url)


# Entry point -------------------------------------------------------------------------------


def _quiet_stdout() -> None:
    """After a closed pipe (`| head`): later writes, and Python's flush at exit, go nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code. Usage errors click finds exit 2 (SystemExit),
    as do --help and completion with 0."""
    from_argv = list(argv) if argv is not None else None
    try:
        result = cli.main(
            args=from_argv,
            prog_name=PROG,
            complete_var=COMPLETE_VAR,
            standalone_mode=False,
        )
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.Abort:  # Ctrl-C in a command that reads (the crawl handles its own signals)
        print("xzcrawler: interrupted", file=sys.stderr)
        return EXIT_SECOND_CTRL_C
    except UsageError as exc:
        print(f"xzcrawler: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Unavailable as exc:
        print(f"xzcrawler: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # as click does for what reaches its own handler: quiet, exit 1
        _quiet_stdout()
        return EXIT_FAILED
    except Exception as exc:
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(exc, SQLAlchemyError):
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""]
            print(f"xzcrawler: database error: {type(exc).__name__}: {reason[0]}", file=sys.stderr)
            return EXIT_FAILED
        if isinstance(exc, OSError):
            print(f"xzcrawler: {exc}", file=sys.stderr)
            return EXIT_FAILED
        raise
    if isinstance(result, _Result):
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            _quiet_stdout()
            return EXIT_FAILED
        return int(result)
    raise SystemExit(result or 0)  # --help, completion


def __getattr__(name: str) -> Any:
    """What other modules and tests took from here before runner existed."""
    if name in {"project_settings", "run_crawl", "exit_code_of", "mark_dead_runs"}:
        from xzcrawler import runner

        return getattr(runner, name)
    raise AttributeError(name)
