"""`python -m xzcrawler browse`: the SQLite database in Datasette, described and searchable.

Datasette searches through `escape_fts(:search)`, which quotes each word for FTS5; our index
holds bigram tokens (see xzcrawler.search), so this module, registered as a Datasette plugin,
replaces that function with one that turns the words into the same bigram phrases `query`
uses. The `article_list` view adds what the articles table stores only implicitly: the month
and the publication time in Shanghai time, to facet and read by.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pluggy
from sqlalchemy import Engine, text

from xzcrawler import search

VIEW = "article_list"
VIEW_COLUMNS = (
    "id", "title", "section", "source", "author", "published_at", "month", "url", "original_url",
    "body",
)  # fmt: skip
hookimpl = pluggy.HookimplMarker("datasette")

_VIEW_SQL = f"""
CREATE VIEW IF NOT EXISTS {VIEW} AS
SELECT
    a.id,
    a.title,
    a.section,
    a.source,
    a.author,
    strftime('%Y-%m-%dT%H:%M:%S+08:00', a.published_at, '+8 hours') AS published_at,
    strftime('%Y-%m', a.published_at, '+8 hours') AS month,
    a.url,
    a.original_url,
    a.body
FROM articles a
ORDER BY a.published_at DESC
"""

_COLUMNS = {
    "id": "row id; `python -m xzcrawler show ID` prints everything about the article",
    "url": "the article page as finally served",
    "title": "the article's title",
    "section": "the deepest section in the breadcrumb (当前所在)",
    "section_path": "the breadcrumb below 首页",
    "source": "the publisher (来源), cleaned of its label",
    "source_raw": "the source as the meta line prints it",
    "author": "author(s), several joined by 、; empty when anonymous",
    "author_raw": "the author as the meta line prints it",
    "published_at": "publication time (Asia/Shanghai in article_list; UTC in articles)",
    "month": "publication month, Asia/Shanghai",
    "body": "plain text of the article's paragraphs",
    "original_url": "the target of the 原文链接 line",
    "prev_url": "上一篇 link",
    "next_url": "下一篇 link",
    "fetched_at": "when the page was last fetched (UTC)",
    "changed_at": "when title or body last changed (UTC)",
}


def metadata(database_name: str) -> dict[str, Any]:
    """Datasette metadata: descriptions, default facets, and search on the bigram index."""
    search_settings = {"fts_table": search.FTS_TABLE, "fts_pk": "id"}
    return {
        "title": "xzcrawler: 乡镇时评网 articles",
        "description": "Articles crawled from www.xzspw.org.cn. Search takes Chinese words "
        "of two characters and more, and phrases.",
        "databases": {
            database_name: {
                "tables": {
                    VIEW: {
                        "description": "One row per article, newest first: search here, "
                        "facet by section, publisher (source) and month.",
                        "columns": {k: v for k, v in _COLUMNS.items() if k in VIEW_COLUMNS},
                        "facets": ["section", "source", "month"],
                        "label_column": "title",
                        **search_settings,
                    },
                    "articles": {
                        "description": "Every stored article with every field the crawl read.",
                        "columns": _COLUMNS,
                        "facets": ["section", "source"],
                        "sort_desc": "published_at",
                        "label_column": "title",
                        **search_settings,
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


def ensure_view(engine: Engine) -> None:
    with engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
        conn.execute(text(_VIEW_SQL))


def escape_fts(query: str) -> str:
    """Datasette's search words as an FTS5 query over the bigram index."""
    words = [w for w in map(search.word_query, search.parse_search(query).words) if w]
    # A query with no letter or digit matches nothing instead of raising an FTS5 syntax error.
    return search.fts5_query(words) if words else '""'


@hookimpl(trylast=True)
def prepare_connection(conn: Any) -> None:
    # trylast: runs after Datasette's own plugin, so this escape_fts is the one that stays.
    conn.create_function("escape_fts", 1, escape_fts)


def serve(database_path: str, *, port: int, host: str = "127.0.0.1") -> None:
    """Run Datasette on the database until interrupted."""
    import uvicorn
    from datasette.app import Datasette
    from datasette.plugins import pm

    from xzcrawler.storage import engine_for

    ensure_view(engine_for(f"sqlite:///{database_path}"))
    if not pm.is_registered(sys.modules[__name__]):
        pm.register(sys.modules[__name__], name="xzcrawler.browse")
    datasette = Datasette([database_path], metadata=metadata(Path(database_path).stem))
    asyncio.run(datasette.invoke_startup())
    print(f"Datasette on http://{host}:{port}/{Path(database_path).stem}/{VIEW}", flush=True)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning", lifespan="on")
