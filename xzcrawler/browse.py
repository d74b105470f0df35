"""`python -m xzcrawler browse`: the SQLite database in Datasette, as an archive a person can read.

Datasette searches through `escape_fts(:search)`, which quotes each word for FTS5; our index
holds bigram tokens (see xzcrawler.search), so this module, registered as a Datasette plugin,
replaces that function with one that turns the words into the same bigram phrases `query` uses.

Two views, created (or replaced) when browse starts:

- `article_list`: one row per article without its body (title, breadcrumb as text, section,
  publisher, author, Shanghai time, month, the body's first characters), newest first. Facets
  on section, publisher and month; the month is an expression with an index of its own
  (`ix_articles_month_shanghai`), so a facet counts from the index, with or without a search.
- `article_search`: the same rows joined to the full-text index, so a search is ranked by bm25
  (title matches weigh more, as in `query`). A search typed on `article_list` is sent here
  (a redirect) unless a sort order was chosen.

Each article's full page is its row in `articles`: the body as text and body_html rendered as
HTML (sanitised at crawl time, and again here with nh3), the breadcrumb as text.
"""

from __future__ import annotations

import asyncio
import functools
import html
import json
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pluggy
from sqlalchemy import Engine, text

from xzcrawler import search
from xzcrawler.export import SECTION_SEPARATOR, section_path_text

VIEW = "article_list"
SEARCH_VIEW = "article_search"
MONTH_INDEX = "ix_articles_month_shanghai"
EXCERPT_CHARS = 120
ASSETS = Path(__file__).resolve().parent / "browse_assets"
VIEW_COLUMNS = (
    "id", "title", "section_path", "section", "source", "author", "published_at", "month",
    "excerpt", "url", "original_url",
)  # fmt: skip
hookimpl = pluggy.HookimplMarker("datasette")

# The month as an expression the index below is built on: the planner uses the index only for
# this exact text.
_MONTH = "strftime('%Y-%m', published_at, '+8 hours')"
_SECTION_PATH = (
    "CASE WHEN json_valid(a.section_path) THEN"
    f" (SELECT group_concat(p.value, '{SECTION_SEPARATOR}') FROM json_each(a.section_path) p) END"
)
_SELECT = f"""
    a.id,
    a.title,
    {_SECTION_PATH} AS section_path,
    a.section,
    a.source,
    a.author,
    strftime('%Y-%m-%dT%H:%M:%S+08:00', a.published_at, '+8 hours') AS published_at,
    {_MONTH.replace("published_at", "a.published_at")} AS month,
    substr(a.body, 1, {EXCERPT_CHARS})
        || CASE WHEN length(a.body) > {EXCERPT_CHARS} THEN '…' ELSE '' END AS excerpt,
    a.url,
    a.original_url"""

_SCHEMA = [
    f"CREATE INDEX IF NOT EXISTS {MONTH_INDEX} ON articles ({_MONTH})",
    f"DROP VIEW IF EXISTS {VIEW}",
    f"CREATE VIEW {VIEW} AS SELECT {_SELECT}\nFROM articles a",
    f"DROP VIEW IF EXISTS {SEARCH_VIEW}",
    # `fts` is the index's hidden column: a MATCH on it reaches the index through the view, so
    # `relevance` (FTS5's rank, bm25 with the weights below) belongs to this search.
    f"CREATE VIEW {SEARCH_VIEW} AS SELECT {_SELECT},\n"
    f"    f.rank AS relevance,\n    f.{search.FTS_TABLE} AS fts\n"
    f"FROM {search.FTS_TABLE} f JOIN articles a ON a.id = f.rowid",
]
# FTS5's rank column is bm25 with these weights (title, body, content_hash), as in `query`.
_RANK = (
    f"INSERT INTO {search.FTS_TABLE} ({search.FTS_TABLE}, rank) VALUES ('rank', "
    f"'bm25({search.TITLE_WEIGHT}, {search.BODY_WEIGHT}, 0.0)')"
)

_COLUMNS = {
    "id": "row id; `python -m xzcrawler show ID` prints everything about the article",
    "url": "the article page as finally served",
    "title": "the article's title; links to the whole article",
    "section": "the deepest section in the breadcrumb (当前所在)",
    "section_path": "the breadcrumb below 首页, e.g. 时评 > 三农时评",
    "source": "the publisher (来源), cleaned of its label",
    "source_raw": "the source as the meta line prints it",
    "author": "author(s), several joined by 、; empty when anonymous",
    "author_raw": "the author as the meta line prints it",
    "published_at": "publication time (Asia/Shanghai in the views; UTC in articles)",
    "month": "publication month, Asia/Shanghai",
    "excerpt": f"the body's first {EXCERPT_CHARS} characters; the whole body on the article's page",
    "body": "plain text of the article's paragraphs",
    "body_html": "the article's body as HTML (sanitised)",
    "original_url": "the target of the 原文链接 line",
    "prev_url": "上一篇 link",
    "next_url": "下一篇 link",
    "fetched_at": "when the page was last fetched (UTC)",
    "changed_at": "when title or body last changed (UTC)",
    "relevance": "search rank (bm25, title matches weigh more): lower is better",
}


def _columns_html(names: Any) -> str:
    """Column descriptions folded away, so the rows come first."""
    items = "".join(
        f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>"
        for k, v in _COLUMNS.items()
        if k in names
    )
    return f'<details class="xz-columns"><summary>Columns</summary><dl>{items}</dl></details>'


def _table(description: str, columns: Any) -> dict[str, Any]:
    return {"description_html": f"<p>{description}</p>{_columns_html(columns)}"}


def portal_name() -> str:
    from xzcrawler.settings import PORTAL_NAME

    return PORTAL_NAME


def metadata(
    database_name: str,
    *,
    portals: list[str] | tuple[str, ...] = (),
    name: str | None = None,
    allow_sql: bool = False,
) -> dict[str, Any]:
    """Datasette metadata: title from the portal's name, where the articles came from, what the
    server lets anyone do (arbitrary SQL only with `allow_sql`), the views, folded column
    descriptions and facets."""
    name = name or portal_name()
    db = urllib.parse.quote(database_name)
    origin = (
        "Crawled from " + ", ".join(html.escape(p) for p in portals) + "."
        if portals
        else "No crawl is recorded in this database."
    )
    facets = ["section", "source", {"month": "month"}]
    view_description = (
        "One row per article, newest first, without the body: search here (ranked by "
        "relevance), facet by section, publisher (source) and month. A title opens the whole "
        "article."
    )
    return {
        "title": f"{name} articles",
        "description_html": (
            f'<p>{origin} <a href="/{db}/{VIEW}">Browse the articles</a> '
            f'(<a href="/{db}/{SEARCH_VIEW}">search, ranked</a>).</p>'
            "<p>Search takes Chinese words of two characters and more, and phrases. "
            + (
                "Any read-only SELECT runs on the SQL page of the database "
                f'(<a href="/{db}">/{html.escape(database_name)}</a>); '
                if allow_sql
                else "Arbitrary SQL is off (start browse with --allow-sql to run read-only "
                "SELECTs on the SQL page); "
            )
            + "nothing can be changed from here. The server listens on 127.0.0.1 only, so "
            "only this machine can reach it.</p>"
        ),
        "databases": {
            database_name: {
                "tables": {
                    VIEW: {
                        **_table(view_description, VIEW_COLUMNS),
                        "facets": facets,
                        "sort_desc": "published_at",
                        "label_column": "title",
                        "fts_table": search.FTS_TABLE,
                        "fts_pk": "id",
                    },
                    SEARCH_VIEW: {
                        **_table(
                            "The articles a search matches, best first (title matches weigh "
                            "more). Facet by section, publisher and month.",
                            (*VIEW_COLUMNS, "relevance"),
                        ),
                        "facets": facets,
                        "sort": "relevance",
                        "label_column": "title",
                    },
                    "articles": {
                        **_table(
                            "Every stored article with every field the crawl read; a row's "
                            "page shows the whole body.",
                            _COLUMNS,
                        ),
                        "facets": ["section", "source"],
                        "sort_desc": "published_at",
                        "label_column": "title",
                        "fts_table": search.FTS_TABLE,
                        "fts_pk": "id",
                    },
                    "article_revisions": {
                        "description": "Earlier title and body of articles that changed."
                    },
                    "article_authors": {"description": "Authors of each article, in page order."},
                    "sections": {"description": "Sections of the portal, with breadcrumb path."},
                    "publishers": {"description": "Canonical publisher names."},
                    "publisher_aliases": {"description": "Source texts seen for a publisher."},
                    "crawl_runs": {"description": "One row per `python -m xzcrawler crawl`."},
                    search.FTS_TABLE: {"hidden": True},
                }
            }
        },
    }


def ensure_view(engine: Engine) -> list[str]:
    """Create the views and the month index; returns the portals crawled, latest first."""
    with engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
        for statement in _SCHEMA:
            conn.execute(text(statement))
        conn.execute(text(_RANK))
        rows = conn.execute(
            text(
                "SELECT portal_url FROM crawl_runs GROUP BY portal_url"
                " ORDER BY max(started_at) DESC, portal_url"
            )
        )
        return [row.portal_url for row in rows]


def escape_fts(query: str) -> str:
    """Datasette's search words as an FTS5 query over the bigram index."""
    words = [w for w in map(search.word_query, search.parse_search(query).words) if w]
    # A query with no letter or digit matches nothing instead of raising an FTS5 syntax error.
    return search.fts5_query(words) if words else '""'


@hookimpl(trylast=True)
def prepare_connection(conn: Any) -> None:
    # trylast: runs after Datasette's own plugin, so this escape_fts is the one that stays.
    conn.create_function("escape_fts", 1, escape_fts)


@hookimpl(trylast=True)
def filters_from_request(request: Any, database: str, table: str, datasette: Any) -> Any:
    """`_search` on article_search: a MATCH on the view's own index row, so it ranks."""
    from datasette.filters import FilterArguments

    if table != SEARCH_VIEW:
        return None
    words = request.args.get("_search", "")
    # trylast: this context comes after Datasette's, which says a view has no search.
    context = {"supports_search": True, "search": words}
    if not words.strip():
        return FilterArguments([], extra_context=context)
    return FilterArguments(
        ["fts MATCH escape_fts(:xz_search)"],
        {"xz_search": words},
        [f'search matches "{words}"'],
        context,
    )


def ranked_search_location(path: str, query_string: str) -> str | None:
    """Where a search on article_list goes: article_search, same query, unless sorted."""
    database, _, rest = path.lstrip("/").partition("/")
    name, dot, extension = rest.partition(".")
    if not database or name != VIEW or "/" in extension:
        return None
    args = urllib.parse.parse_qs(query_string, keep_blank_values=True)
    if not "".join(args.get("_search", [])).strip() or {"_sort", "_sort_desc"} & args.keys():
        return None
    return f"/{database}/{SEARCH_VIEW}{dot}{extension}?{query_string}"


@hookimpl
def asgi_wrapper(datasette: Any) -> Any:
    def wrap(app: Any) -> Any:
        async def redirect_searches(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                location = ranked_search_location(
                    scope["path"], scope.get("query_string", b"").decode("latin-1")
                )
                if location:
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 302,
                            "headers": [(b"location", location.encode("latin-1"))],
                        }
                    )
                    await send({"type": "http.response.body", "body": b""})
                    return
            await app(scope, receive, send)

        return redirect_searches

    return wrap


@functools.cache
def _facet_class() -> type:
    from datasette.database import QueryInterrupted
    from datasette.facets import ColumnFacet
    from datasette.utils import (
        escape_sqlite,
        path_with_added_args,
        path_with_removed_args,
    )

    class MonthFacet(ColumnFacet):  # type: ignore[misc]  # Datasette ships no type hints
        """A column facet in month order, newest first (Datasette's sorts by count)."""

        type = "month"

        async def suggest(self) -> list[dict[str, Any]]:
            return []

        async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
            results: list[dict[str, Any]] = []
            timed_out: list[str] = []
            pairs = self.get_querystring_pairs()
            size = self.get_facet_size()
            for config in self.get_configs():
                column = config["config"].get("column") or config["config"]["simple"]
                col = escape_sqlite(column)
                sql = (
                    f"select {col} as value, count(*) as count from ({self.sql})"
                    f" where {col} is not null group by {col} order by value desc"
                    f" limit {size + 1}"
                )
                try:
                    rows = await self.ds.execute(
                        self.database,
                        sql,
                        self.params,
                        truncate=False,
                        custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                    )
                except QueryInterrupted:
                    timed_out.append(column)
                    continue
                values = []
                for row in rows.rows[:size]:
                    value = str(row["value"])
                    selected = (column, value) in pairs
                    toggle = (
                        path_with_removed_args(self.request, {column: value})
                        if selected
                        else path_with_added_args(self.request, {column: value})
                    )
                    values.append(
                        {
                            "value": row["value"],
                            "label": row["value"],
                            "count": row["count"],
                            "toggle_url": self.ds.absolute_url(
                                self.request, self.ds.urls.path(toggle)
                            ),
                            "selected": selected,
                        }
                    )
                remove = path_with_removed_args(self.request, {"_facet_month": column})
                results.append(
                    {
                        "name": column,
                        "type": self.type,
                        "hideable": config["source"] != "metadata",
                        "toggle_url": self.ds.urls.path(remove),
                        "results": values,
                        "truncated": len(rows.rows) > size,
                    }
                )
            return results, timed_out

    return MonthFacet


@hookimpl
def register_facet_classes() -> list[type]:
    return [_facet_class()]


@hookimpl
def extra_css_urls() -> list[str]:
    return ["/xzcrawler-assets/browse.css"]


def _json_list(value: Any) -> list[Any] | None:
    try:
        parsed = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return parsed if isinstance(parsed, list) else None


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str, database: str, datasette: Any
) -> Any:
    """Breadcrumbs as text, bodies clipped in lists and whole on a row page, body_html as HTML,
    titles linking to the article's page."""
    from markupsafe import Markup, escape

    if table in (VIEW, SEARCH_VIEW) and column in ("id", "title") and value is not None:
        href = datasette.urls.row(database, "articles", str(row["id"]))
        return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    if table not in ("articles", "article_revisions") or not isinstance(value, str):
        return None
    if column in ("section_path", "images", "reporters", "capped_fields"):
        items = _json_list(value)
        if items is None:
            return None
        if column == "section_path":
            return section_path_text([str(item) for item in items])
        return "、".join(map(str, items))
    if column == "body":
        return Markup(f'<div class="xz-clip xz-body">{escape(value)}</div>')
    if column == "body_html":
        import nh3

        return Markup(f'<div class="xz-clip xz-html">{nh3.clean(value)}</div>')
    return None


def serve(
    database_path: str,
    *,
    port: int,
    host: str = "127.0.0.1",
    name: str | None = None,
    allow_sql: bool = False,
) -> None:
    """Run Datasette on the database until interrupted. Without `allow_sql` Datasette's
    execute-sql permission is denied (default_allow_sql): the SQL page and `?sql=` refuse."""
    import uvicorn
    from datasette.app import Datasette
    from datasette.plugins import pm

    from xzcrawler.storage import engine_for

    portals = ensure_view(engine_for(f"sqlite:///{database_path}"))
    if not pm.is_registered(sys.modules[__name__]):
        pm.register(sys.modules[__name__], name="xzcrawler.browse")
    database_name = Path(database_path).stem
    datasette = Datasette(
        [database_path],
        metadata=metadata(database_name, portals=portals, name=name, allow_sql=allow_sql),
        static_mounts=[("xzcrawler-assets", str(ASSETS))],
        settings={"suggest_facets": False, "default_allow_sql": allow_sql},
    )
    asyncio.run(datasette.invoke_startup())
    print(f"Datasette on http://{host}:{port}/{database_name}/{VIEW}", flush=True)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on")
