"""What the commands that read the database do once `xzcrawler.cli` has parsed their options
and opened the database: query, show, stats, runs, export, browse. Each returns an exit code.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Engine

from xzcrawler.export import export_records, write_records
from xzcrawler.query import (
    Filters,
    Order,
    OutputFormat,
    QueryTimeout,
    collect_stats,
    find_article,
    find_articles,
    records,
    render_article,
    render_stats,
    render_table,
)
from xzcrawler.runner import EXIT_FAILED, EXIT_OK, UsageError


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


def _width() -> int:
    return shutil.get_terminal_size((100, 24)).columns


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
    try:
        stats = collect_stats(engine, runs_shown=runs, timeout=timeout)
    except QueryTimeout as exc:
        return _timed_out(exc)
    _print_lines(render_stats(stats, _width(), publishers_shown=publishers))
    return EXIT_OK


def run_runs(engine: Engine, *, limit: int) -> int:
    from xzcrawler import runs

    header = f"{'id':>4}  {'started':19}  {'secs':>6}  {'mode':11}  {'status':11}  "
    print(header + f"{'pages':>6}  {'new':>5}  {'upd':>5}  {'same':>5}  {'drop':>4}  exit  reason")
    for run in runs.recent_runs(engine, limit):
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
        print(
            f"{run.id:>4}  {run.started_at:%Y-%m-%d %H:%M:%S}  "
            f"{'' if seconds is None else f'{seconds:.0f}':>6}  {run.mode:11}  {run.status:11}  "
            f"{run.pages_fetched:>6}  {run.articles_new:>5}  {run.articles_updated:>5}  "
            f"{run.articles_unchanged:>5}  {run.articles_dropped:>4}  "
            f"{'' if run.exit_code is None else run.exit_code:>4}  {run.reason or ''}"
        )
    return EXIT_OK


def run_export(engine: Engine, *, output_format: str, output: str | None) -> int:
    with contextlib.ExitStack() as stack:
        if output:
            try:
                out = stack.enter_context(open(output, "w", encoding="utf-8", newline=""))
            except OSError as exc:
                raise UsageError(f"--output {output}: {exc.strerror or exc}") from None
        else:
            out = sys.stdout
        count = write_records(export_records(engine), out, output_format)
        out.flush()
    print(f"exported {count} articles", file=sys.stderr)
    return EXIT_OK


def run_browse(database: str, *, port: int) -> int:
    from xzcrawler import browse

    browse.serve(database, port=port)
    return EXIT_OK
