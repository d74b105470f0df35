"""The CMS family templates (xzcrawler/replica/families.py) parse exactly, alone and crawled.

`Portal(families=True)` adds one section per family; its ground truth follows docs/interface.md.
The default portal must not change: other tests count its requests.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from tests.conftest import CrawlEnv
from tests.helpers import differences, full_crawl, pipelines
from xzcrawler.replica import Portal
from xzcrawler.replica.families import FAMILIES
from xzcrawler.replica.portal import SECTIONS

BASE = "http://127.0.0.1:8000/"
FAMILY_PORTAL = {"articles": 88, "families": True}  # four articles per section


@cache
def portal() -> Portal:
    return Portal(**FAMILY_PORTAL)


# --- the replica (holds whatever the parser does) -------------------------------------------


def test_default_portal_is_unchanged_by_the_option() -> None:
    plain, with_families = Portal(), Portal(articles=88, families=True)
    assert plain.sections == list(SECTIONS)
    assert [a.path for a in plain.articles] == [a.path for a in Portal(families=False).articles]
    assert all(a.family is None for a in plain.articles)
    assert with_families.sections[: len(SECTIONS)] == list(SECTIONS)
    assert {s.family for s in with_families.sections[len(SECTIONS) :]} == {f.key for f in FAMILIES}


def test_families_option_needs_enough_articles_for_every_section() -> None:
    with pytest.raises(ValueError, match="at least"):
        Portal(articles=60, families=True)


def test_every_family_has_articles_and_serves_them() -> None:
    counts = Counter(a.family for a in portal().articles)
    assert all(counts[f.key] >= 3 for f in FAMILIES)
    assert len(FAMILIES) >= 15
    for family in FAMILIES:
        article = next(a for a in portal().articles if a.family == family.key)
        page = portal().render(article.path)
        assert page.status == 200
        charset = "gb18030" if family.encoding == "gbk" else "utf-8"
        html = page.body.decode(charset)
        assert article.title in html


def test_family_truth_follows_the_body_and_author_rules() -> None:
    for article in portal().articles:
        if article.family is None:
            continue
        for removed in ("责任编辑", "供稿", "摄影/", "图为", "（文/图"):
            assert removed not in article.body, (article.family, removed)
        family = next(f for f in FAMILIES if f.key == article.family)
        if not family.shows_source:
            assert article.source is None
        if not family.shows_original:
            assert article.original_url is None


# --- the parser on every family -----------------------------------------------------------


@pytest.mark.parametrize("family", [f.key for f in FAMILIES])
def test_family_article_pages_parse_exactly(family: str) -> None:
    want = {r["url"]: r for r in portal().expected_records(BASE)}
    articles = [a for a in portal().articles if a.family == family]
    assert articles
    wrong = {}
    for article in articles:
        url = BASE.rstrip("/") + article.path
        got = pipelines().record(portal().render(article.path).body, url, encoding=None)
        if diff := differences(want[url], got):
            wrong[article.path] = diff
    assert not wrong, f"{family}: (expected, got) {wrong}"


@pytest.mark.parametrize("crawl_env", [FAMILY_PORTAL], indirect=True)
def test_a_crawl_of_a_families_portal_stores_every_family_article_exactly(
    crawl_env: CrawlEnv,
) -> None:
    stored, want = full_crawl(crawl_env)
    missing = sorted(url for url in want if url not in stored)
    assert not missing, f"{len(missing)} not stored, e.g. {missing[:5]}"
    family_of = {base_of(crawl_env) + a.path: a.family for a in crawl_env.portal.articles}
    wrong = Counter(
        (family_of[url], field) for url, r in want.items() for field in differences(r, stored[url])
    )
    assert not wrong, f"(family, field): articles wrong {dict(wrong)}"


def base_of(env: CrawlEnv) -> str:
    return env.server.base_url.rstrip("/")
