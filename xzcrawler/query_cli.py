"""The commands that read the database: query, show, stats, browse, and `db reindex`.

`xzcrawler.cli` is imported inside the commands, not at the top, because it imports this module
while it builds its parser.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from xzcrawler import search
from xzcrawler.export import write_records
from xzcrawler.query import (
    DATE_FORMS,
    QUERY_TIMEOUT,
    Filters,
    Order,
    OutputFormat,
    QueryTimeout,
    collect_stats,
    find_article,
    find_articles,
    parse_date,
    records,
    render_article,
    render_stats,
    render_table,
)

Command = Callable[[str, str], argparse.ArgumentParser]


def _date(*, end: bool) -> Callable[[str], datetime]:
    def parse(value: str) -> datetime:
        try:
            return parse_date(value, end=end)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def _limit(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of articles (0: all)")
    return int(value)


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 10**6:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds above 0")
    return seconds


def _timed_out(exc: QueryTimeout) -> int:
    from xzcrawler import cli

    print(
        f"xzcrawler: {exc}; narrow the search (fewer or longer words, --section, --since)"
        " or raise --timeout",
        file=sys.stderr,
    )
    return cli.EXIT_FAILED


def _engine(args: argparse.Namespace) -> Engine:
    from xzcrawler import cli
    from xzcrawler.storage import engine_for, ensure_schema

    engine = engine_for(cli.project_settings(args)["DATABASE_URL"])
    ensure_schema(engine)
    return engine


def _print_lines(lines: Iterable[str]) -> None:
    for line in lines:
        print(line)


def _width() -> int:
    return shutil.get_terminal_size((100, 24)).columns


def cmd_query(args: argparse.Namespace) -> int:
    from xzcrawler import cli

    if args.order == Order.RELEVANCE and not args.search:
        raise cli.UsageError("--order relevance needs --search")
    filters = Filters(
        section=args.section,
        source=args.source,
        author=args.author,
        since=args.since,
        until=args.until,
        search=args.search,
    )
    engine = _engine(args)
    try:
        result = find_articles(
            engine, filters, order=args.order, limit=args.limit, timeout=args.timeout
        )
    except QueryTimeout as exc:
        return _timed_out(exc)
    for message in (*result.notes, *result.hints):
        print(f"xzcrawler: {message}", file=sys.stderr)
    if args.format == OutputFormat.TABLE:
        _print_lines(render_table(result, _width()))
    else:
        write_records(records(result), sys.stdout, str(args.format))
        print(f"{result.total} articles matched, {len(result.hits)} written", file=sys.stderr)
    return cli.EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from xzcrawler import cli

    engine = _engine(args)
    try:
        article = find_article(engine, args.article, timeout=args.timeout)
    except QueryTimeout as exc:
        return _timed_out(exc)
    if article is None:
        print(f"xzcrawler: no article with id or URL {args.article!r}", file=sys.stderr)
        return cli.EXIT_FAILED
    _print_lines(render_article(article, html=args.html))
    return cli.EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    from xzcrawler import cli

    engine = _engine(args)
    try:
        stats = collect_stats(engine, runs_shown=args.runs, timeout=args.timeout)
    except QueryTimeout as exc:
        return _timed_out(exc)
    _print_lines(render_stats(stats, _width(), publishers_shown=args.publishers))
    return cli.EXIT_OK


def cmd_browse(args: argparse.Namespace) -> int:
    from xzcrawler import browse, cli

    database_url = cli.project_settings(args)["DATABASE_URL"]
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise cli.UsageError("browse opens an SQLite database file in Datasette")
    _engine(args)
    browse.serve(url.database, port=args.port)
    return cli.EXIT_OK


def cmd_reindex(args: argparse.Namespace) -> int:
    from xzcrawler import cli

    count = search.reindex(_engine(args))
    print(f"indexed {count} articles", file=sys.stderr)
    return cli.EXIT_OK


def _timeout_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=QUERY_TIMEOUT,
        metavar="SECONDS",
        help=f"stop a query that runs longer (default {QUERY_TIMEOUT:g}; exit 1)",
    )


def add_query_commands(commands: Any, command: Command) -> Any:
    """Add query, show, stats, browse and the `db` group; returns the group's subparsers so
    other `db` commands (upgrade) can join it."""
    query = command("query", "find articles by section, publisher, author, date and words")
    query.add_argument("--section", metavar="NAME", help="section, or a section above it")
    query.add_argument("--source", metavar="NAME", help="publisher (canonical or as printed)")
    query.add_argument("--author", metavar="NAME")
    query.add_argument("--since", type=_date(end=False), metavar="DATE", help=DATE_FORMS)
    query.add_argument(
        "--until", type=_date(end=True), metavar="DATE", help=f"{DATE_FORMS}; inclusive"
    )
    query.add_argument(
        "--search",
        metavar="WORDS",
        help=f"words in title or body, all required; plain text (every character counts); "
        f"at most {search.MAX_WORDS} distinct words of {search.MAX_WORD_CHARS} characters",
    )
    query.add_argument("--limit", type=_limit, default=20, metavar="N", help="0: all")
    query.add_argument(
        "--order",
        type=Order,
        choices=list(Order),
        help="default: relevance with --search, else newest",
    )
    query.add_argument(
        "--format", type=OutputFormat, choices=list(OutputFormat), default=OutputFormat.TABLE
    )
    _timeout_option(query)
    query.set_defaults(func=cmd_query)

    show = command("show", "one article: every field, the body, its revisions")
    show.add_argument("article", metavar="URL|ID")
    show.add_argument("--html", action="store_true", help="print body_html too")
    _timeout_option(show)
    show.set_defaults(func=cmd_show)

    stats = command("stats", "articles per section, publisher and month; fill rates; runs")
    stats.add_argument("--publishers", type=int, default=20, metavar="N", help="publishers shown")
    stats.add_argument("--runs", type=int, default=5, metavar="N", help="crawl runs shown")
    _timeout_option(stats)
    stats.set_defaults(func=cmd_stats)

    browse = command("browse", "open the SQLite database in Datasette on 127.0.0.1")
    browse.add_argument("--port", type=int, default=8001)
    browse.set_defaults(func=cmd_browse)

    db = commands.add_parser("db", help="database maintenance", description="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    reindex = db_commands.add_parser(
        "reindex",
        help="rebuild the full-text search index",
        description="rebuild the full-text search index from the articles table",
    )
    reindex.add_argument("--database-url", help="SQLAlchemy URL (default: DATABASE_URL)")
    reindex.set_defaults(func=cmd_reindex)
    return db_commands
