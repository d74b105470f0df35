"""Health sees extraction: real crawls over loopback into SQLite with a parser that raises, a
field extractor that raises, and articles split over several pages; and assess's rules."""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import CrawlEnv
from tests.helpers import expected, interface_view, patched_crawl
from xzcrawler.health import RunStatus, Thresholds, assess, extraction_summary
from xzcrawler.models import CrawlRun
from xzcrawler.replica import Page, Portal, ReplicaServer
from xzcrawler.storage import engine_for

ARTICLES = 25  # every one is on a list page, so every one is fetched from a list
SPLIT = 10  # a 党建工作 article (seed template, UTF-8)

# Crawls as cron runs them with the parser patched in every process (tests.helpers.patched_crawl).
RAISES_ON_EVERY_PAGE = """
import xzcrawler.parsing as parsing
def parse_article(response, **kwargs):
    raise RuntimeError("parser broken on purpose")
parsing.parse_article = parse_article
"""
# One field's extractor raises (the original_url one of xzcrawler.parsing.article): the parser
# records it in parse_errors and still reads the other fields. The template signature is made
# the section here, so fill rates per template can be checked exactly.
ONE_FIELD_RAISES = """
import xzcrawler.parsing.article as article
def original_url(page):
    raise ValueError("no link here")
def template(page):
    return "tpl-" + (article.section_path(page) or [""])[-1]
article.original_url = original_url
article.template = template
"""


MakeEnv = Callable[[Portal], CrawlEnv]


@pytest.fixture
def make_env(tmp_path: Path) -> Iterator[MakeEnv]:
    """make(portal): that portal served on 127.0.0.1 (stopped after the test) and an SQLite DB."""
    with contextlib.ExitStack() as stack:

        def make(portal: Portal) -> CrawlEnv:
            server = stack.enter_context(ReplicaServer(portal))
            url = f"sqlite:///{tmp_path / 'crawl.db'}"
            stack.callback(engine_for(url).dispose)
            return CrawlEnv(portal, server, url, tmp_path)

        yield make


def runs(env: CrawlEnv) -> list[CrawlRun]:
    with Session(engine_for(env.database_url)) as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))


def url_of(env: CrawlEnv, path: str) -> str:
    return env.server.base_url.rstrip("/") + path


def broken_link(env: CrawlEnv) -> dict[str, Any]:
    """What every crawl of the replica records anyway: its deliberately broken 上一篇 link."""
    path = env.portal.specials.broken_target_path
    return {"url": url_of(env, path), "status": 404, "reason": "HTTP 404"}


def by_url(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(pages, key=lambda page: page["url"])


# --- a parser that raises ----------------------------------------------------------------


def test_parser_that_raises_on_every_article_page_fails_the_run(make_env: MakeEnv) -> None:
    env = make_env(Portal(articles=ARTICLES))
    result = patched_crawl(env, RAISES_ON_EVERY_PAGE)
    assert result.returncode == 1, result.stderr[-3000:]
    run = runs(env)[-1]
    reason = f"{ARTICLES} of {ARTICLES} article pages gave no stored article"
    reason += f" ({ARTICLES} unparsable)"
    assert (run.status, run.exit_code, run.reason) == ("failed", 1, reason)
    assert f"run {run.id} failed: " in result.stderr and reason in result.stderr
    error = "unparsable article page: RuntimeError: parser broken on purpose"
    assert by_url(run.failed_pages) == by_url(
        [{"url": url_of(env, a.path), "status": 200, "reason": error} for a in env.portal.articles]
    )
    assert run.articles_dropped == ARTICLES and run.articles_new == 0
    assert env.records() == {}
    summary = run.extraction
    assert (summary["article_pages"], summary["unparsable"], summary["stored"]) == (
        ARTICLES,
        ARTICLES,
        0,
    )
    # Logged with the URL; the traceback once, not once per page.
    assert result.stderr.count("Traceback") == 1
    for article in env.portal.articles:
        assert f"unparsable article page {url_of(env, article.path)}: " in result.stderr


def test_field_whose_extractor_raises_is_counted_and_the_other_fields_stored(
    make_env: MakeEnv,
) -> None:
    env = make_env(Portal(articles=ARTICLES))
    result = patched_crawl(env, ONE_FIELD_RAISES)
    assert result.returncode == 0, result.stderr[-3000:]
    run = runs(env)[-1]
    assert (run.status, run.exit_code, run.reason) == ("ok", 0, None)
    assert run.warnings == [
        f"parse errors in original_url on {ARTICLES} of {ARTICLES} article pages "
        "(ValueError: no link here)"
    ]
    assert run.failed_pages == [broken_link(env)]
    want = {url: {**record, "original_url": None} for url, record in expected(env).items()}
    assert interface_view(env.records()) == want
    assert f"'xz/parse/errors/original_url': {ARTICLES}," in result.stderr

    summary = run.extraction
    errors = summary.pop("parse_errors")
    assert errors == {
        "original_url": {
            "count": ARTICLES,
            "url": errors["original_url"]["url"],
            "error": "ValueError: no link here",
        }
    }
    assert errors["original_url"]["url"] in want
    truth = env.portal.articles
    sections = Counter(a.section for a in truth)
    authors = Counter(a.section for a in truth if a.author)
    assert summary == {
        "article_pages": ARTICLES,
        "items_yielded": ARTICLES,
        "stored": ARTICLES,
        "dropped": 0,
        "unparsable": 0,
        "incomplete": 0,
        "split_articles": 0,
        "continuation_pages": 0,
        "split_unfinished": 0,
        "fill_by_template": {
            f"tpl-{section}": {
                "items": count,
                "published_at": 1.0,
                "author": round(authors[section] / count, 4),
                "source": 1.0,
                "section": 1.0,
                "body": 1.0,
            }
            for section, count in sorted(sections.items())
        },
    }


# --- assess's rules on counts ------------------------------------------------------------

THRESHOLDS = Thresholds(max_error_rate=0.2, max_drop_rate=0.2, fill_drop_warning=0.3)
HEALTHY = {
    "finish_reason": "finished",
    "xz/pages/list": 4,
    "xz/list/article_links": 20,
    "response_received_count": 30,
}


def judged(**counts: int) -> tuple[RunStatus, str | None, list[str]]:
    stats = {**HEALTHY, **{key.replace("__", "/"): value for key, value in counts.items()}}
    result = assess(stats, thresholds=THRESHOLDS, stored_before=0, previous_fill=[])
    return result.status, result.reason, result.warnings


def test_lost_article_pages_above_the_drop_rate_fail_the_run_naming_the_counts() -> None:
    stats = {"xz__articles__pages": 10, "xz__fill__items": 7, "xz__articles__unparsable": 2}
    assert judged(**stats, item_dropped_count=1) == (
        RunStatus.FAILED,
        "3 of 10 article pages gave no stored article (2 unparsable, 1 dropped)",
        [],
    )
    stats = {"xz__articles__pages": 10, "xz__fill__items": 8, "xz__articles__incomplete": 1}
    assert judged(**stats, xz__articles__split_unfinished=1) == (RunStatus.OK, None, [])
    stats = {"xz__articles__pages": 10, "xz__fill__items": 7, "xz__articles__incomplete": 2}
    assert judged(**stats, xz__articles__split_unfinished=1) == (
        RunStatus.FAILED,
        "3 of 10 article pages gave no stored article "
        "(2 still incomplete, 1 split over pages with a page missing)",
        [],
    )


def test_parse_errors_of_a_field_above_the_drop_rate_are_a_warning() -> None:
    stats = {
        "xz/articles/pages": 10,
        "xz/fill/items": 10,
        "xz/parse/errors/author": 3,
        "xz/parse/errors/title": 2,
        "xz/parse/error_examples": {
            "author": {"url": "http://x/a/1.html", "error": "IndexError: list index out of range"},
            "title": {"url": "http://x/a/2.html", "error": "KeyError: 'h1'"},
        },
    }
    result = assess({**HEALTHY, **stats}, thresholds=THRESHOLDS, stored_before=0, previous_fill=[])
    assert (result.status, result.reason) == (RunStatus.OK, None)
    assert result.warnings == [
        "parse errors in author on 3 of 10 article pages (IndexError: list index out of range)"
    ]
    assert extraction_summary({**HEALTHY, **stats})["parse_errors"] == {
        "author": {
            "count": 3,
            "url": "http://x/a/1.html",
            "error": "IndexError: list index out of range",
        },
        "title": {"count": 2, "url": "http://x/a/2.html", "error": "KeyError: 'h1'"},
    }


# --- an article split over several pages -------------------------------------------------

FURTHER_PARAGRAPHS = {
    2: ["第二页第一段：村里的合作社又添了三台收割机。", "第二页第二段：今年的稻谷收购价比去年高。"],
    3: ["第三页：村民议事会把账目贴在了村委会门口。"],
}
CONTENT_RE = re.compile(r'(<div class="content">\n).*?(</div>\n)', re.DOTALL)


class SplitPortal(Portal):
    """The replica with one article split over three pages (x.html, x_2.html, x_3.html), a
    pager under the body of each as DedeCMS prints it. `pager`: "numbers" (第1页 2 3 下一页) or
    "next" (each page links only the next). Pages in `broken` answer 404."""

    def __init__(self, *, pager: str = "numbers", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pager = pager
        self.broken: set[int] = set()
        first = self.articles[SPLIT].path
        self.paths = {1: first, **{n: first.removesuffix(".html") + f"_{n}.html" for n in (2, 3)}}

    def render(self, path_and_query: str) -> Page:
        number = next((n for n, path in self.paths.items() if path == path_and_query), None)
        if number is None or number in self.broken:
            return super().render("/no-such-page.html" if number else path_and_query)
        page = super().render(self.paths[1])
        html = page.body.decode("utf-8")
        if number > 1:
            paragraphs = "".join(f"<p>&nbsp;&nbsp;{p}</p>\n" for p in FURTHER_PARAGRAPHS[number])
            html = CONTENT_RE.sub(lambda m: m[1] + paragraphs + m[2], html, count=1)
        html = CONTENT_RE.sub(lambda m: m[0] + self.pager_html(number), html, count=1)
        body = html.encode("utf-8")
        return Page(200, {**page.headers, "Content-Length": str(len(body))}, body)

    def pager_html(self, current: int) -> str:
        def link(n: int, text: str) -> str:
            return f'<a href="{self.paths[n].rsplit("/", 1)[1]}">{text}</a>'

        if self.pager == "next":
            parts = [f"第{current}页"] + ([link(current + 1, "下一页")] if current < 3 else [])
        else:
            parts = [f"第{n}页" if n == current else link(n, str(n)) for n in (1, 2, 3)]
            if current < 3:
                parts.append(link(current + 1, "下一页"))
        return f'<div class="pages">{" ".join(parts)}</div>\n'

    def whole_record(self, base_url: str) -> dict[str, Any]:
        records = self.expected_records(base_url)
        record = next(r for r in records if r["url"].endswith(self.paths[1]))
        further = [p for n in (2, 3) for p in FURTHER_PARAGRAPHS[n]]
        return {**record, "body": "\n".join([record["body"], *further])}


@pytest.mark.parametrize("pager", ["numbers", "next"])
def test_article_split_over_pages_is_fetched_whole_and_stored_as_one(
    make_env: MakeEnv, pager: str
) -> None:
    portal = SplitPortal(pager=pager, articles=ARTICLES)
    env = make_env(portal)
    result = env.crawl()
    assert result.returncode == 0, result.stderr[-3000:]
    whole = portal.whole_record(env.server.base_url)
    assert interface_view(env.records()) == {**expected(env), whole["url"]: whole}
    assert [env.requested().count(path) for path in portal.paths.values()] == [1, 1, 1]
    run = runs(env)[-1]
    assert (run.status, run.failed_pages, run.warnings) == ("ok", [broken_link(env)], [])
    summary = run.extraction
    assert (summary["article_pages"], summary["stored"]) == (ARTICLES, ARTICLES)
    assert (summary["split_articles"], summary["continuation_pages"]) == (1, 2)


def test_split_article_whose_page_fails_is_not_stored_half_and_the_next_run_completes_it(
    make_env: MakeEnv,
) -> None:
    portal = SplitPortal(articles=ARTICLES)
    portal.broken.add(3)
    env = make_env(portal)
    first = env.crawl()
    assert first.returncode == 0, first.stderr[-3000:]
    whole = portal.whole_record(env.server.base_url)
    assert interface_view(env.records()) == {
        url: record for url, record in expected(env).items() if url != whole["url"]
    }
    run = runs(env)[-1]
    third = {"url": url_of(env, portal.paths[3]), "status": 404, "reason": "HTTP 404"}
    assert by_url(run.failed_pages) == by_url([broken_link(env), third])
    assert (run.status, run.articles_dropped) == ("ok", 1)
    assert run.extraction["split_unfinished"] == 1

    portal.broken.clear()
    second = env.crawl()
    assert second.returncode == 0, second.stderr[-3000:]
    assert interface_view(env.records()) == {**expected(env), whole["url"]: whole}
    assert (runs(env)[-1].articles_new, runs(env)[-1].status) == (1, "ok")


def test_article_spider_stores_a_split_article_whole(make_env: MakeEnv) -> None:
    portal = SplitPortal(articles=ARTICLES)
    env = make_env(portal)
    result = env.scrapy(
        "crawl", "article", "-a", f"url={url_of(env, portal.paths[1])}", "-a", "follow=none"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    whole = portal.whole_record(env.server.base_url)
    assert interface_view(env.records()) == {whole["url"]: whole}
