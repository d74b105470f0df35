"""What the commands that read the database do once `xzcrawler.cli` has parsed their options
and opened the database: query, show, stats, runs, export, browse. Each returns an exit code.

Each command imports what it uses (the query module for all but export, rich for a table):
their start-up is measured against SQLAlchemy's own (benchmarks/bench_startup.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from xzcrawler.runner import EXIT_FAILED, EXIT_OK, UsageError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from xzcrawler.query import QueryTimeout


def _timed_out(exc: QueryTimeout) -> int:
    print(
        f"xzcrawler: {exc}; narrow the search (fewer or longer words, --section, --since)"
        " or raise --timeout",
        file=sys.stderr,
    )
    return EXIT_FAILED


def _print_lines(lines: Iterable[str]) -> None:
    for line in lines:
        print(line)


def _width() -> int | None:
    """COLUMNS, else the terminal's width; None for output to no terminal (piped into grep or
    a file), where a table keeps each row whole on one line."""
    if os.environ.get("COLUMNS", "").isdigit() or sys.stdout.isatty():
        return max(shutil.get_terminal_size().columns, 20)
    return None


def run_query(
    engine: Engine,
    *,
    section: str | None,
    source: str | None,
    author: str | None,
    since: datetime | None,
    until: datetime | None,
    search: str | None,
    limit: int,
    order: str | None,
    output_format: str,
    timeout: float,
) -> int:
    from xzcrawler.export import write_records
    from xzcrawler.query import (
        Filters,
        Order,
        OutputFormat,
        QueryTimeout,
        find_articles,
        records,
        render_table,
    )

    filters = Filters(
        section=section, source=source, author=author, since=since, until=until, search=search
    )
    try:
        result = find_articles(
            engine,
            filters,
            order=Order(order) if order else None,
            limit=limit,
            timeout=timeout,
        )
    except QueryTimeout as exc:
        return _timed_out(exc)
    for message in (*result.notes, *result.hints):
        print(f"xzcrawler: {message}", file=sys.stderr)
    if OutputFormat(output_format) == OutputFormat.TABLE:
        _print_lines(render_table(result, _width()))
    else:
        write_records(records(result), sys.stdout, output_format)
        sys.stdout.flush()
        print(f"{result.total} articles matched, {len(result.hits)} written", file=sys.stderr)
    return EXIT_OK


def run_show(engine: Engine, key: str, *, html: bool, timeout: float) -> int:
    from xzcrawler.query import QueryTimeout, find_article, render_article

    try:
        article = find_article(engine, key, timeout=timeout)
    except QueryTimeout as exc:
        return _timed_out(exc)
    if article is None:
        print(f"xzcrawler: no article with id or URL {key!r}", file=sys.stderr)
        return EXIT_FAILED
    _print_lines(render_article(article, html=html))
    return EXIT_OK


def run_stats(engine: Engine, *, publishers: int, runs: int, timeout: float) -> int:
    from xzcrawler.query import QueryTimeout, collect_stats, render_stats

    try:
        stats = collect_stats(engine, runs_shown=runs, timeout=timeout)
    except QueryTimeout as exc:
        return _timed_out(exc)
    _print_lines(render_stats(stats, _width(), publishers_shown=publishers))
    return EXIT_OK


def run_runs(engine: Engine, *, limit: int, failed_pages: int | None) -> int:
    """The last `limit` runs; or, with `failed_pages`, the pages that run could not use."""
    from xzcrawler import runs
    from xzcrawler.query import render_failed_pages, render_runs

    if failed_pages is None:
        _print_lines(render_runs(runs.recent_runs(engine, limit), _width()))
        return EXIT_OK
    run = runs.find_run(engine, failed_pages)
    if run is None:
        print(f"xzcrawler: no run {failed_pages} (python -m xzcrawler runs lists them)",
              file=sys.stderr)  # fmt: skip
        return EXIT_FAILED
    _print_lines(render_failed_pages(run, _width()))
    return EXIT_OK


def run_export(
    engine: Engine,
    *,
    output_format: str,
    output: str | None,
    excel: bool = False,
    changed_since: datetime | None = None,
    since_run: int | None = None,
) -> int:
    from xzcrawler.export import export_records, write_records

    if since_run is not None:
        changed_since = run_started_at(engine, since_run)

    out: TextIO
    with contextlib.ExitStack() as stack:
        if output:
            try:
                out = stack.enter_context(open(output, "w", encoding="utf-8", newline=""))
            except OSError as exc:
                raise UsageError(f"--output {output}: {exc.strerror or exc}") from None
        else:
            out = sys.stdout
        records = export_records(engine, changed_since=changed_since)
        count = write_records(records, out, output_format, excel=excel)
        out.flush()
    print(f"exported {count} articles", file=sys.stderr)
    return EXIT_OK


def run_started_at(engine: Engine, run_id: int) -> datetime:
    """When run `run_id` started: what it and later runs stored changed at or after it."""
    from xzcrawler import runs

    run = runs.find_run(engine, run_id)
    if run is None:
        raise UsageError(f"--since-run {run_id}: no such run (python -m xzcrawler runs lists them)")
    return run.started_at


def run_browse(database: str, *, port: int, allow_sql: bool) -> int:
    from xzcrawler import browse

    browse.serve(database, port=port, allow_sql=allow_sql)
    return EXIT_OK
