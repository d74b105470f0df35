"""Articles edited on the portal: retitles seen on list pages, and the update time a page prints.

Crawl tests run the real CLI over loopback into SQLite and read the replica's request log.
"""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta

import pytest
from scrapy.utils.test import get_crawler
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipelines.dates import DatesPipeline
from pipelines.storage import article_row
from tests.conftest import FETCHED_AT, CrawlEnv, make_article
from tests.helpers import html_response
from xzcrawler import parsing
from xzcrawler.export import export_records
from xzcrawler.frontier import CrawlMode, Frontier, same_title
from xzcrawler.items import Article as ArticleItem
from xzcrawler.models import SHANGHAI, Article, ArticleRevision
from xzcrawler.replica import Portal
from xzcrawler.replica.portal import ArticleTruth
from xzcrawler.replica.templates import (
    MODERN_LIST_TITLE_CHARS,
    TABLE_LIST_TITLE_CHARS,
    Template,
    shortened,
)
from xzcrawler.storage import ArticleStore, engine_for, ensure_schema
from xzcrawler.urls import canonical

FIRST_PAGES = {"/", "/robots.txt"}
TITLE = "以清廉村居建设推动移风易俗的山东寿光实践"  # 20 characters

# --- what counts as the same title ----------------------------------------------------------


@pytest.mark.parametrize(
    ("listed", "stored", "same"),
    [
        (TITLE, TITLE, True),
        (
            "  以清廉村居建设 推动移风易俗的山东寿光实践\u3000",
            "以清廉村居建设 推动移风易俗的山东寿光实践",
            True,
        ),
        ("以清廉村居建设推动移风易俗的山东...", TITLE, True),
        ("以清廉村居建设推动移风易俗的山东…", TITLE, True),
        ("以清廉村居建设推动移风易俗的山东..", TITLE, True),
        ("以清廉村居建设推动移风易俗的山东……", TITLE, True),
        ("以清廉村居建设 ...", TITLE, True),
        ("[置顶] 以清廉村居建设推动移风易俗的山东寿光实践", TITLE, True),
        ("【图文】以清廉村居建设推动移风易俗的山东...", TITLE, True),
        ("【两会】以清廉村居建设", "【两会】以清廉村居建设", True),
        # retitles
        ("以清廉村居建设推动移风易俗的浙江...", TITLE, False),
        ("更正：以清廉村居建设推动移风易...", TITLE, False),
        ("以清廉村居建设推动移风易俗的山东", TITLE, False),  # cut without a mark: not a shortening
        (TITLE + "（更正）", TITLE, False),
        ("以清廉村居建设推动移风易俗的山东寿光实践.", TITLE, False),
        ("[置顶] 以清廉村居建设", "【两会】以清廉村居建设", False),
    ],
)
def test_a_listed_title_is_the_stored_one_when_equal_or_a_marked_shortening(
    listed: str, stored: str, same: bool
) -> None:
    assert same_title(listed, stored) is same


def test_frontier_wants_stored_articles_only_when_listed_under_another_title() -> None:
    base = "http://127.0.0.1/a/"
    frontier = Frontier(
        CrawlMode.INCREMENTAL, known={base + "1.html": TITLE, base + "2.html": None}
    )
    assert frontier.retitled(base + "1.html", "以清廉村居建设推动移风易俗的山东...") is False
    assert frontier.retitled(base + "1.html", "以清廉村居建设推动移风易俗的浙江...") is True
    assert frontier.retitled(base + "2.html", "一条死链的标题") is False, "dead link: no title"
    assert frontier.retitled(base + "3.html", "新文章") is False, "new: wanted, not retitled"
    assert [frontier.wants(base + f"{n}.html") for n in (1, 2, 3)] == [False, False, True]


def test_stored_titles_maps_every_stored_url_to_its_title(database_url: str) -> None:
    engine = engine_for(database_url)
    ensure_schema(engine)
    store = ArticleStore(engine)
    store.write([article_row(make_article(n)) for n in (1, 2, 3)])
    store.write([article_row(make_article(2, title="改过的标题"))])
    assert store.stored_titles() == {
        "http://127.0.0.1/a/1.html": "标题1",
        "http://127.0.0.1/a/2.html": "改过的标题",
        "http://127.0.0.1/a/3.html": "标题3",
    }


# --- retitles on the replica ----------------------------------------------------------------


def first_list_pages(env: CrawlEnv) -> set[str]:
    return {section.path for section in env.portal.sections}


def shown_on_first_pages(portal: Portal, base_url: str) -> dict[str, list[tuple[Template, str]]]:
    """path -> (list template, title shown) of every first list page showing the article, as
    listed_articles reads it (a channel's list shows its child sections' articles too)."""
    base = base_url.rstrip("/")
    shown: dict[str, list[tuple[Template, str]]] = {}
    for section in portal.sections:
        page = portal.render(section.path)
        assert page.status == 200
        for listed in parsing.listed_articles(html_response(page.body, base + section.path)):
            path = canonical(listed.url).removeprefix(base)
            shown.setdefault(path, []).append((section.template, listed.title))
    return shown


def article_pages(env: CrawlEnv, requested: list[str]) -> list[str]:
    return [p for p in requested if p not in FIRST_PAGES | first_list_pages(env)]


def crawl_logging_requests(env: CrawlEnv) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    before = len(env.server.requests)
    result = env.crawl()
    return result, [r.path for r in env.server.requests[before:]]


def inner_listed_article(env: CrawlEnv, template: Template, min_chars: int) -> ArticleTruth:
    """A first-page article of the template, titled longer than `min_chars`, whose neighbours
    are no chain ends (a chain end named by a fetched article is fetched to see past it)."""
    truths = {t.path: t for t in env.portal.articles}
    shown = shown_on_first_pages(env.portal, env.server.base_url)

    def inner(path: str | None) -> bool:
        truth = truths.get(path or "")
        return truth is not None and truth.prev_path in truths and truth.next_path in truths

    return next(
        t
        for t in env.portal.articles
        if t.path in shown
        and {list_template for list_template, _ in shown[t.path]} == {template}
        and len(t.title) > min_chars
        and inner(t.path)
        and inner(t.prev_path)
        and inner(t.next_path)
    )


@pytest.mark.parametrize(
    ("template", "cut", "retitle"),
    [
        # The TABLE list shows 16 characters and "...": an edit at the start shows there.
        (Template.TABLE, TABLE_LIST_TITLE_CHARS, lambda title: "更正：" + title),
        # The MODERN list shows 18 and "…", the whole title in the link's title attribute: an
        # edit past the cut is read from the attribute.
        (Template.MODERN, MODERN_LIST_TITLE_CHARS, lambda title: title + "（更正）"),
    ],
)
def test_article_retitled_on_the_portal_is_fetched_again_and_keeps_its_old_title_as_revision(
    crawl_env: CrawlEnv,
    template: Template,
    cut: int,
    retitle: callable,  # type: ignore[valid-type]
) -> None:
    assert crawl_env.crawl().returncode == 0
    edited = inner_listed_article(crawl_env, template, cut)
    new_title = retitle(edited.title)
    crawl_env.portal.edit_article(edited.id, title=new_title)
    shown = shown_on_first_pages(crawl_env.portal, crawl_env.server.base_url)[edited.path]
    if template is Template.TABLE:
        assert shown == [(template, new_title[:cut] + "...")]
    else:
        assert shown == [(template, new_title)]

    result, requested = crawl_logging_requests(crawl_env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert article_pages(crawl_env, requested) == [edited.path]
    assert "0 new, 1 updated" in result.stderr

    url = crawl_env.server.base_url.rstrip("/") + edited.path
    assert crawl_env.records()[url]["title"] == new_title
    with Session(engine_for(crawl_env.database_url)) as session:
        revisions = session.scalars(select(ArticleRevision)).all()
        assert [(r.title, r.body) for r in revisions] == [(edited.title, edited.body)]
        assert session.scalars(select(Article.id).where(Article.url == url)).one() == (
            revisions[0].article_id
        )

    # The edit is now stored: the next run fetches no article again.
    again, requested = crawl_logging_requests(crawl_env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert article_pages(crawl_env, requested) == []
    assert "0 new, 0 updated" in again.stderr


def test_no_change_rerun_over_list_pages_that_shorten_titles_fetches_no_article(
    crawl_env: CrawlEnv,
) -> None:
    assert crawl_env.crawl().returncode == 0
    truths = {t.path: t for t in crawl_env.portal.articles}
    shown = shown_on_first_pages(crawl_env.portal, crawl_env.server.base_url)
    # The TABLE lists really do show shortened titles, and the MODERN lists' attributes whole ones.
    table = {p: t for p, showings in shown.items() for lt, t in showings if lt is Template.TABLE}
    assert table == {p: shortened(truths[p].title, TABLE_LIST_TITLE_CHARS, "...") for p in table}
    assert sum(title.endswith("...") for title in table.values()) >= 5
    modern = {p: t for p, showings in shown.items() for lt, t in showings if lt is Template.MODERN}
    assert modern == {p: truths[p].title for p in modern}
    assert any(len(title) > MODERN_LIST_TITLE_CHARS for title in modern.values())

    result, requested = crawl_logging_requests(crawl_env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert article_pages(crawl_env, requested) == []
    assert set(requested) >= first_list_pages(crawl_env)
    assert "0 new, 0 updated" in result.stderr


# --- update time ----------------------------------------------------------------------------


def sh(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("updated_raw", "updated_at"),
    [
        ("2020-11-13 08:30", sh(2020, 11, 13, 8, 30)),
        ("2020年11月13日 08:30:15", sh(2020, 11, 13, 8, 30, 15)),
        ("最后更新：2020/11/12", sh(2020, 11, 12)),
        ("今天 08:00", sh(2020, 11, 13, 8, 0)),  # against fetched_at, 2020-11-13 09:00
        ("11-12 17:05", sh(2020, 11, 12, 17, 5)),
        ("2020-11-15 08:00", None),  # more than a day after the fetch: not believed
        ("点击数：12", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_pipeline_fills_updated_at_from_updated_raw_and_published_at_from_date_raw(
    updated_raw: str | None, updated_at: datetime | None
) -> None:
    crawler = get_crawler()
    pipeline = DatesPipeline.from_crawler(crawler)
    item = ArticleItem(
        url="http://www.xzspw.org.cn/a/1.html",
        fetched_at=FETCHED_AT,
        date_raw="发布时间：2020-11-12 10:35 最后更新：2020-11-13 08:30",
        updated_raw=updated_raw,
    )
    pipeline.process_item(item)
    assert item.published_at == sh(2020, 11, 12, 10, 35)
    assert item.updated_at == updated_at
    if updated_at is not None:
        assert item.updated_at.tzinfo is not None
        assert item.updated_at.utcoffset() == timedelta(hours=8)
    stats = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("xz/dates/upd")}
    if updated_at is not None:
        assert stats == {"xz/dates/updated": 1}
    elif updated_raw:
        assert stats == {"xz/dates/updated_unreadable": 1}
    else:
        assert stats == {}


def test_updated_at_is_stored_and_exported_in_shanghai_time(database_url: str) -> None:
    engine = engine_for(database_url)
    ensure_schema(engine)
    store = ArticleStore(engine)
    store.write(
        [
            article_row(make_article(1, updated_at=sh(2020, 11, 13, 8, 30))),
            article_row(make_article(2)),
        ]
    )
    with Session(engine) as session:
        stored = {url: at for url, at in session.execute(select(Article.url, Article.updated_at))}
    assert stored == {
        "http://127.0.0.1/a/1.html": sh(2020, 11, 13, 8, 30),
        "http://127.0.0.1/a/2.html": None,
    }
    assert stored["http://127.0.0.1/a/1.html"].utcoffset() == timedelta(hours=8)
    exported = {r["url"]: r["updated_at"] for r in export_records(engine)}
    assert exported == {
        "http://127.0.0.1/a/1.html": "2020-11-13T08:30:00+08:00",
        "http://127.0.0.1/a/2.html": None,
    }
