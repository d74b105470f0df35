"""Finding stored articles: filters, full-text search, ordering, and terminal output.

The functions here take an engine and return plain values; `xzcrawler.query_cli` only parses
arguments and prints. Stored text comes from other people's pages, so everything printed to a
terminal goes through `clean` first: no ANSI escapes or control characters reach the screen.

Every query runs under a time limit (QUERY_TIMEOUT, `--timeout`): on SQLite a progress handler
aborts the command's statements once the budget is spent; on PostgreSQL `statement_timeout`
ends any one statement that runs longer. Either way QueryTimeout is raised.
"""

from __future__ import annotations

import difflib
import re
import time
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    and_,
    func,
    literal,
    or_,
    select,
    text,
    union,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, selectinload

from xzcrawler import runs
from xzcrawler.export import export_record, section_path_text
from xzcrawler.models import (
    SHANGHAI,
    Article,
    ArticleAuthor,
    CrawlRun,
    Publisher,
    PublisherAlias,
    Section,
)
from xzcrawler.stats_keys import PROBLEM_PAGES_KEPT

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Column, Table

DATE_FORMS = "YYYY-MM-DD, YYYY-MM or YYYY"
ELLIPSIS = "..."  # ASCII: "…" is East Asian Ambiguous and takes two columns in CJK terminals
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
# ANSI/VT escape sequences (CSI, OSC, other ESC sequences), as a hostile page could store them.
_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_HINTS = 5
# Every time printed is Shanghai time, and its column says so.
ZONE = "+08:00"
# A table printed to no terminal (piped, no COLUMNS) keeps each row whole on one line.
UNBOUNDED = 10_000
# Narrower than this, the runs table lists each run's reason under it instead of in a column.
REASON_MIN_WIDTH = 30
# Seconds a query command may run (query, show, stats); `--timeout` changes it.
QUERY_TIMEOUT = 30.0
# SQLite calls the progress handler every this many virtual machine instructions (~0.1 ms).
PROGRESS_STEP = 1000
_clock = time.monotonic
_PG_QUERY_CANCELED = "57014"


class QueryTimeout(Exception):
    """A query ran past its time limit and was stopped."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the query was stopped after its time limit of {seconds:g} s")
        self.seconds = seconds


@contextmanager
def limited_session(engine: Engine, timeout: float = QUERY_TIMEOUT) -> Iterator[Session]:
    """A read session whose statements stop after `timeout` seconds with QueryTimeout.

    SQLite: a progress handler aborts once `timeout` has passed since the session began (a
    budget for all its statements). PostgreSQL: statement_timeout, local to the transaction,
    ends each statement that runs longer than `timeout`.
    """
    with engine.connect() as conn:
        handler_set = None
        if engine.dialect.name == "postgresql":
            milliseconds = max(1, round(timeout * 1000))
            conn.execute(
                text("SELECT set_config('statement_timeout', :ms, true)"),
                {"ms": str(milliseconds)},
            )
        elif engine.dialect.name == "sqlite":
            handler_set = conn.connection.dbapi_connection
            assert handler_set is not None  # a connection checked out of the pool is open
            deadline = _clock() + timeout
            handler_set.set_progress_handler(lambda: _clock() >= deadline, PROGRESS_STEP)
        try:
            with Session(bind=conn) as session:
                yield session
        except OperationalError as exc:
            if _is_timeout(exc):
                raise QueryTimeout(timeout) from None
            raise
        finally:
            if handler_set is not None:  # the connection goes back to the pool without it
                handler_set.set_progress_handler(None, PROGRESS_STEP)


def _is_timeout(exc: OperationalError) -> bool:
    orig = exc.orig
    if getattr(orig, "sqlstate", None) == _PG_QUERY_CANCELED:
        return True
    return type(orig).__module__ == "sqlite3" and str(orig) == "interrupted"


class Order(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    RELEVANCE = "relevance"


class OutputFormat(StrEnum):
    TABLE = "table"
    JSONL = "jsonl"
    CSV = "csv"


def parse_date(value: str, *, end: bool = False) -> datetime:
    """The start of the day, month or year `value` names in Shanghai time; with `end`, the
    start of the next one (so --until 2020-11 includes all of November)."""
    found = _DATE.fullmatch(value.strip())
    if not found:
        raise ValueError(f"{value!r} is not a date: use {DATE_FORMS}")
    year, month, day = found.groups()
    try:
        start = date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"{value!r} is not a date: use {DATE_FORMS}") from None
    if end:
        if day:
            start += timedelta(days=1)
        elif month:
            start = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        else:
            start = date(start.year + 1, 1, 1)
    return datetime(start.year, start.month, start.day, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class Filters:
    """What the user asked for; names match canonical and raw values."""

    section: str | None = None
    source: str | None = None
    author: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    search: str | None = None


@dataclass
class Hit:
    article: Article
    snippet: str | None = None


@dataclass
class QueryResult:
    hits: list[Hit]
    total: int
    hints: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was changed in the request (trimmed)


def find_articles(
    engine: Engine,
    filters: Filters,
    *,
    order: Order | None = None,
    limit: int = 20,
    timeout: float = QUERY_TIMEOUT,
) -> QueryResult:
    """The articles matching every filter, best or newest first, with how many match in all.

    An unknown section, publisher or author gives no articles and a hint naming the closest.
    The search is cut to its bounds (search.parse_search), with a note; past `timeout`
    seconds the query stops with QueryTimeout.
    """
    words: Sequence[str] = ()
    notes: list[str] = []
    if filters.search:  # the search module loads SQLAlchemy's PostgreSQL dialect: only then
        from xzcrawler import search

        parsed = search.parse_search(filters.search)
        words = parsed.words
        notes = [parsed.note] if parsed.note else []
    order = order or (Order.RELEVANCE if words else Order.NEWEST)
    with limited_session(engine, timeout) as session:
        conditions, hints = _conditions(session, filters)
        if hints:
            return QueryResult([], 0, hints, notes)
        indexed = [w for w in map(search.word_query, words) if w] if words else []
        match = search.match(engine.dialect.name, indexed) if indexed else None
        conditions += _substring_conditions(engine, words)
        matched = [Article.id.in_(match.ids)] if match else []
        if match and not conditions:
            # Counting the index alone spares a lookup per match for a common word.
            total = session.execute(
                select(func.count()).select_from(match.ids.subquery())
            ).scalar_one()
        else:
            count = select(func.count()).select_from(Article).where(*conditions, *matched)
            total = session.execute(count).scalar_one()
        newest = (Article.published_at.desc().nulls_last(), Article.id.desc())
        if order is Order.RELEVANCE and match:
            stmt = select(Article).join(match.ranked, match.ranked.c.id == Article.id)
            stmt = stmt.where(*conditions).order_by(match.ranked.c.rank, *newest)
        else:
            stmt = select(Article).where(*conditions, *matched)
            if order is Order.OLDEST:
                stmt = stmt.order_by(Article.published_at.asc().nulls_last(), Article.id)
            else:
                stmt = stmt.order_by(*newest)
        if limit:
            stmt = stmt.limit(limit)
        articles = session.scalars(stmt).all()
        hits = [Hit(a, snippet(a.body, words) if words else None) for a in articles]
        session.expunge_all()
    return QueryResult(hits, total, notes=notes)


def _substring_conditions(engine: Engine, words: Sequence[str]) -> list[ColumnElement[bool]]:
    """Words with characters no index holds ('"', '%', '"乡镇', '巡视。'): each must also occur
    as written, a substring of the title or body (case folded by the database's lower())."""
    if not words:
        return []
    from xzcrawler import search

    position = func.strpos if engine.dialect.name == "postgresql" else func.instr
    conditions = []
    for word in dict.fromkeys(words):
        if search.is_literal(word):
            needle = func.lower(literal(word))
            conditions.append(
                or_(
                    position(func.lower(Article.title), needle) > 0,
                    position(func.lower(Article.body), needle) > 0,
                )
            )
    return conditions


def _conditions(session: Session, filters: Filters) -> tuple[list[ColumnElement[bool]], list[str]]:
    conditions: list[ColumnElement[bool]] = []
    hints: list[str] = []
    # Names resolve to ids first, so each filter is one indexed IN (an OR would scan the table).
    if filters.section:
        name = filters.section.strip()
        names = [
            section_name
            for section_name, path in session.execute(select(Section.name, Section.path))
            if name in (section_name, path) or name in path.split(" > ")
        ]
        if names:
            # By name: (section, published_at) is the index that also serves the date range.
            conditions.append(Article.section.in_(names))
        else:
            known = session.scalars(select(Section.name)).all()
            hints.append(_hint("section", name, known))
    if filters.source:
        name = filters.source.strip()
        ids = session.scalars(
            union(
                select(Publisher.id).where(Publisher.name == name),
                select(PublisherAlias.publisher_id).where(PublisherAlias.alias == name),
            )
        ).all()
        if ids:
            conditions.append(Article.publisher_id.in_(ids))
        else:
            names = list(session.scalars(select(Publisher.name)))
            hints.append(_hint("publisher", name, names))
    if filters.author:
        name = filters.author.strip()
        by_name = select(ArticleAuthor.article_id).where(ArticleAuthor.name == name)
        # Several authors as printed (张三、李四) match the joined and raw values instead.
        joined = or_(Article.author == name, Article.author_raw == name)
        if session.scalar(by_name.limit(1)) is not None:
            conditions.append(Article.id.in_(by_name))
        elif session.scalar(select(literal(1)).where(joined).limit(1)):
            conditions.append(joined)
        else:
            names = list(session.scalars(select(ArticleAuthor.name).distinct()))
            hints.append(_hint("author", name, names))
    if filters.since:
        conditions.append(Article.published_at >= filters.since)
    if filters.until:
        conditions.append(Article.published_at < filters.until)
    return conditions, hints


def _hint(kind: str, name: str, known: Sequence[str]) -> str:
    close = [n for n in known if name in n or n in name]
    close += difflib.get_close_matches(name, known, n=_HINTS, cutoff=0.3)
    close = list(dict.fromkeys(close))[:_HINTS]
    if not close:
        return f"no {kind} named {clean(name)!r}"
    return f"no {kind} named {clean(name)!r}; closest: {', '.join(clean(c) for c in close)}"


# Terminal text ------------------------------------------------------------------------------


def clean(value: str | None) -> str:
    """Text safe to print: escape sequences and control/format characters removed, line and
    paragraph breaks kept as newlines."""
    value = _ESCAPE.sub("", value or "")
    out = []
    for char in value:
        if char in "\n\u2028\u2029":
            out.append("\n")
        elif char == "\t":
            out.append(" ")
        elif not unicodedata.category(char).startswith("C"):
            out.append(char)
    return "".join(out)


def one_line(value: str | None) -> str:
    return " ".join(clean(value).split())


def display_width(value: str) -> int:
    """Terminal columns: wide and full-width characters take two, combining marks none."""
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in value
    )


def fit(value: str, width: int, *, pad: bool = True) -> str:
    """`value` cut to `width` columns (ending in an ellipsis when cut), padded unless not."""
    if display_width(value) > width:
        room, kept = width - len(ELLIPSIS), []
        for char in value:
            room -= display_width(char)
            if room < 0:
                break
            kept.append(char)
        value = "".join(kept) + ELLIPSIS if width >= len(ELLIPSIS) else ""
    return value + " " * (width - display_width(value)) if pad else value


def snippet(body: str | None, words: Sequence[str], width: int = 80) -> str:
    """The stretch of the body around the first word found, each word marked [like this]."""
    flat = one_line(body)
    lowered = flat.lower()
    needles = [w.lower() for w in (one_line(w) for w in words) if w]
    found = [p for p in (lowered.find(n) for n in needles) if p >= 0]
    start = min(found) if found else 0
    # Keep about a third of the width as context before the match.
    context = width // 3
    while start > 0 and context - display_width(flat[start - 1]) >= 0:
        start -= 1
        context -= display_width(flat[start])
    window = fit((ELLIPSIS if start else "") + flat[start:], width, pad=False)
    if not needles:
        return window
    pattern = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True))
    return re.sub(pattern, lambda m: f"[{m.group(0)}]", window, flags=re.IGNORECASE)


def _published(article: Article) -> str:
    return f"{article.published_at.astimezone(SHANGHAI):%Y-%m-%d}" if article.published_at else "-"


def _table(*columns: str | Column) -> Table:
    """A plain table (no box, one space between columns) for table_lines."""
    from rich.table import Table

    return Table(
        *columns, box=None, pad_edge=False, collapse_padding=True, show_edge=False,
        header_style="none",
    )  # fmt: skip


def _column(header: str, **options: Any) -> Column:
    from rich.table import Column

    return Column(header, **options)


def _console(width: int | None) -> Console:
    """Plain text `width` columns wide; markup and emoji codes off, so stored text stays text."""
    from rich.console import Console

    return Console(
        width=width or UNBOUNDED, color_system=None, markup=False, highlight=False, emoji=False
    )


def table_lines(table: Table, width: int | None) -> list[str]:
    """The table as lines of at most `width` terminal columns (CJK counted as two), values
    wrapped within their column rather than cut; with no width (piped) each row on one line.
    Rich measures and fits the columns."""
    console = _console(width)
    with console.capture() as captured:
        console.print(table, crop=False)
    return [line.rstrip() for line in captured.get().splitlines()]


def render_table(result: QueryResult, width: int | None = None) -> Iterator[str]:
    """The hits as a table fitted to `width` (id, date, section, publisher, author, title with
    the search snippet under it, URL), then how many articles matched."""
    hits = result.hits
    if hits:
        fold = {"overflow": "fold"}
        table = _table(
            _column("id", justify="right", no_wrap=True),
            _column(f"date {ZONE}", no_wrap=True, min_width=10),
            _column("section", ratio=1, **fold),
            _column("publisher", ratio=1, **fold),
            _column("author", ratio=1, **fold),
            _column("title", ratio=4, min_width=10, **fold),
            _column("url", ratio=3, **fold),
        )
        for hit in hits:
            a = hit.article
            title = one_line(a.title) + (f"\n{hit.snippet}" if hit.snippet else "")
            table.add_row(
                str(a.id), _published(a), one_line(a.section), one_line(a.source),
                one_line(a.author), title, one_line(a.url),
            )  # fmt: skip
        yield from table_lines(table, width)
    shown = f", {len(hits)} shown" if len(hits) < result.total else ""
    noun = "article" if result.total == 1 else "articles"
    yield f"{result.total} {noun} matched{shown}"


def records(result: QueryResult) -> Iterator[dict[str, Any]]:
    """The export record of each hit (docs/interface.md), for jsonl and csv output."""
    for hit in result.hits:
        yield export_record(hit.article)


# show ---------------------------------------------------------------------------------------


def find_article(engine: Engine, key: str, *, timeout: float = QUERY_TIMEOUT) -> Article | None:
    """The article with this id (digits) or URL (fragment ignored), revisions loaded."""
    key = key.strip()
    condition = Article.id == int(key) if key.isdigit() else Article.url == key.split("#")[0]
    with limited_session(engine, timeout) as session:
        stmt = select(Article).where(condition)
        article = session.scalars(
            stmt.options(selectinload(Article.revisions), selectinload(Article.authors))
        ).first()
        session.expunge_all()
    return article


def _field(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).isoformat()
    if isinstance(value, list):
        return " | ".join(clean(str(v)) for v in value) or "-"
    return one_line(str(value))


def render_article(article: Article, *, html: bool = False) -> Iterator[str]:
    """Every stored field, the body in full, and each earlier version (revision)."""
    long_fields = {"body", "body_html"}
    columns = [c.name for c in Article.__table__.columns if c.name not in long_fields]
    label_width = max(len(name) for name in columns)
    for name in columns:
        value = getattr(article, name)
        shown = one_line(section_path_text(value)) if name == "section_path" else _field(value)
        yield f"{name:<{label_width}}  {shown}"
    yield f"{'authors':<{label_width}}  {_field([a.name for a in article.authors])}"
    yield ""
    yield "body:"
    yield from clean(article.body).splitlines()
    yield ""
    if html:
        yield "body_html:"
        yield from clean(article.body_html).splitlines()
    else:
        size = len(article.body_html or "")
        yield f"body_html: {size} characters (--html prints it)"
    yield ""
    yield f"revisions: {len(article.revisions)}"
    for number, revision in enumerate(article.revisions, 1):
        yield f"[{number}] replaced {_field(revision.replaced_at)}  hash {revision.content_hash}"
        yield f"    title: {one_line(revision.title)}"
        yield from ("    " + line for line in clean(revision.body).splitlines())


# stats --------------------------------------------------------------------------------------


@dataclass
class SectionStats:
    name: str
    articles: int
    newest_date: datetime | None
    newest_title: str | None


@dataclass
class Stats:
    total: int
    sections: list[SectionStats]
    publishers: list[tuple[str, int]]
    months: list[tuple[str, int]]
    fill: dict[str, float]
    runs: Sequence[CrawlRun]


def _month(engine: Engine) -> ColumnElement[str]:
    # Times are stored as naive UTC (models.py); Shanghai has kept UTC+8 since 1991.
    if engine.dialect.name == "postgresql":
        return func.to_char(Article.published_at + text("interval '8 hours'"), "YYYY-MM")
    return func.strftime("%Y-%m", Article.published_at, "+8 hours")


def collect_stats(engine: Engine, *, runs_shown: int = 5, timeout: float = QUERY_TIMEOUT) -> Stats:
    """Articles per section (with its newest), per publisher and per month; fill rates; runs."""
    with limited_session(engine, timeout) as session:
        total, dated, authored, sourced = session.execute(
            select(
                func.count(),
                func.count(Article.published_at),
                func.count(Article.author),
                func.count(Article.source),
            )
        ).one()
        per_section = session.execute(
            select(Article.section, func.count(), func.max(Article.published_at))
            .group_by(Article.section)
            .order_by(func.count().desc(), Article.section.asc().nulls_last())
        ).all()
        newest_at = (
            select(Article.section, func.max(Article.published_at).label("newest"))
            .group_by(Article.section)
            .subquery()
        )
        newest_titles: dict[str | None, str] = {}
        for section, title in session.execute(
            select(Article.section, Article.title)
            .join(
                newest_at,
                and_(
                    Article.section == newest_at.c.section,
                    Article.published_at == newest_at.c.newest,
                ),
            )
            .order_by(Article.id.desc())
        ):
            newest_titles.setdefault(section, title)
        publishers = session.execute(
            select(Article.source, func.count())
            .group_by(Article.source)
            .order_by(func.count().desc(), Article.source.asc().nulls_last())
        ).all()
        month = _month(engine).label("month")
        months = session.execute(
            select(month, func.count())
            .where(Article.published_at.is_not(None))
            .group_by(month)
            .order_by(month)
        ).all()
    rate = (lambda n: n / total) if total else (lambda n: 0.0)
    return Stats(
        total=total,
        sections=[
            SectionStats(name or "(none)", count, newest, newest_titles.get(name))
            for name, count, newest in per_section
        ],
        publishers=[(name or "(none)", count) for name, count in publishers],
        months=[(m, count) for m, count in months],
        fill={"date": rate(dated), "author": rate(authored), "source": rate(sourced)},
        runs=runs.recent_runs(engine, runs_shown),
    )


def render_stats(
    stats: Stats, width: int | None = None, *, publishers_shown: int = 20
) -> Iterator[str]:
    """Totals, fill rates, the sections, publishers and months (as bars scaled to `width`, 80
    when piped, so a bar never wraps), and the last runs."""
    yield f"{stats.total} articles"
    yield ""
    yield "fill rates: " + ", ".join(f"{k} {v:.1%}" for k, v in stats.fill.items())
    yield ""
    sections = _table(
        _column("section", overflow="fold"),
        _column("articles", justify="right", no_wrap=True),
        _column(f"newest {ZONE}", no_wrap=True),
        _column("newest title", overflow="fold", ratio=1),
    )
    for s in stats.sections:
        newest = f"{s.newest_date.astimezone(SHANGHAI):%Y-%m-%d}" if s.newest_date else "-"
        sections.add_row(one_line(s.name), str(s.articles), newest, one_line(s.newest_title))
    yield from table_lines(sections, width)
    yield ""
    shown = stats.publishers[:publishers_shown]
    publishers = _table(
        _column("publisher", overflow="fold"), _column("articles", justify="right", no_wrap=True)
    )
    for name, count in shown:
        publishers.add_row(one_line(name), str(count))
    yield from table_lines(publishers, width)
    if len(stats.publishers) > len(shown):
        yield f"... and {len(stats.publishers) - len(shown)} more publishers"
    yield ""
    yield f"articles per month ({ZONE})"
    yield from month_bars(stats, width or 80)
    yield ""
    yield "last crawl runs"
    yield from render_runs(stats.runs, width)


def month_bars(stats: Stats, width: int) -> Iterator[str]:
    """`2021-01  1234  ████`: the longest bar fills what the month and count leave of `width`,
    and no line is longer than `width` (a longer one would wrap a lone █ in the terminal)."""
    undated = stats.total - sum(count for _, count in stats.months)
    counts = [count for _, count in stats.months] + [undated]
    count_width = max(len(str(count)) for count in counts)
    prefix = len("2021-01") + 2 + count_width + 2
    room = max(width - prefix, 0)
    most = max((count for _, count in stats.months), default=0)
    for month, count in stats.months:
        bar = "█" * max(1, round(count / most * room)) if count and room else ""
        yield f"{month}  {count:>{count_width}}  {bar}"[:width].rstrip()
    if undated:
        yield f"{'undated':7}  {undated:>{count_width}}"


_MODES = {"incremental": "incr", "full": "full"}


def _mode(mode: str) -> str:
    """incremental -> incr, incremental+redis -> incr+redis: the runs table fits 80 columns."""
    base, plus, shared = mode.partition(runs.DISTRIBUTED_SUFFIX)
    return _MODES.get(base, base) + plus + shared


def render_runs(crawl_runs: Sequence[CrawlRun], width: int | None = None) -> Iterator[str]:
    """The runs, newest first: start (Shanghai time), seconds, mode, status, pages, articles
    new / updated / unchanged / dropped, exit code, and why. The reason is the last column
    where the width leaves it REASON_MIN_WIDTH columns, else a line per run under the table."""

    def table(with_reason: bool) -> Table:
        columns = [
            _column("id", justify="right", no_wrap=True),
            _column(f"started {ZONE}", no_wrap=True),
            _column("secs", justify="right", no_wrap=True),
            _column("mode", no_wrap=True),
            _column("status", no_wrap=True),
            *(_column(name, justify="right", no_wrap=True)
              for name in ("pages", "new", "upd", "same", "drop", "exit")),
        ]  # fmt: skip
        if with_reason:
            columns.append(_column("reason", overflow="fold", ratio=1))
        built = _table(*columns)
        for run in crawl_runs:
            seconds = (
                f"{(run.finished_at - run.started_at).total_seconds():.0f}"
                if run.finished_at
                else ""
            )
            cells = [
                str(run.id), f"{run.started_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}", seconds,
                _mode(run.mode), run.status, str(run.pages_fetched), str(run.articles_new),
                str(run.articles_updated), str(run.articles_unchanged),
                str(run.articles_dropped), "" if run.exit_code is None else str(run.exit_code),
            ]  # fmt: skip
            built.add_row(*cells, *([one_line(run.reason)] if with_reason else []))
        return built

    from rich.measure import Measurement

    console = _console(None)
    fixed = Measurement.get(console, console.options, table(with_reason=False)).maximum
    with_reason = width is None or fixed + 1 + REASON_MIN_WIDTH <= width
    yield from table_lines(table(with_reason), width)
    if not with_reason:
        for run in crawl_runs:
            if run.reason:
                yield from table_lines(_reason_note(run), width)


def _reason_note(run: CrawlRun) -> Table:
    note = _table(_column("", justify="right", no_wrap=True), _column("", overflow="fold"))
    note.show_header = False
    note.add_row(f"run {run.id}:", one_line(run.reason))
    return note


def render_failed_pages(run: CrawlRun, width: int | None = None) -> Iterator[str]:
    """The pages a run could not use or store (its record's failed_pages): status, reason, URL."""
    pages = run.failed_pages or []
    table = _table(
        _column("status", justify="right", no_wrap=True),
        _column("reason", overflow="fold", ratio=1),
        _column("url", overflow="fold", ratio=2),
    )
    for page in pages:
        status = page.get("status")
        table.add_row(
            "" if status is None else str(status),
            one_line(str(page.get("reason") or "")),
            one_line(str(page.get("url") or "")),
        )
    if pages:
        yield from table_lines(table, width)
    noun = "page" if len(pages) == 1 else "pages"
    kept = f" (the first {len(pages)} are kept)" if len(pages) >= PROBLEM_PAGES_KEPT else ""
    yield f"run {run.id} ({run.status}): {len(pages)} failed {noun}{kept}"
