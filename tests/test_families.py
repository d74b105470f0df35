"""The CMS family templates (xzcrawler/replica/families.py) parse exactly, alone and crawled.

`Portal(families=True)` adds one section per family; its ground truth follows INTERFACE.md.
The default portal must not change: other tests count its requests.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from xzcrawler.replica import Portal
from xzcrawler.replica.families import FAMILIES
from xzcrawler.replica.portal import SECTIONS

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
