"""Pure functions that read the portal's pages: page kind, links, and an article's fields.

Everything is anchored on what a page says (labels such as 当前位置 / 来源 / 上一篇, link texts,
document order, where the text is dense) rather than on class names or URL patterns, so a
template change on the portal does not silently empty a field. docs/parsing.md tells how each
field is found. Each response is walked once (page.Page); the modules read that walk:

- page: the walk; heading: breadcrumb, section path and title; meta: the meta line;
  chain: 上一篇/下一篇 and 原文链接; body: the body and what is taken out of it;
  sanitise: the body as clean HTML; lists: menus, list pages, pagers; article: page kind,
  completeness and `parse_article`; vocabulary: the label words, shared with the pipelines.
"""

from __future__ import annotations

from datetime import datetime

from xzcrawler.items import Article
from xzcrawler.parsing import article as _article
from xzcrawler.parsing import body as _body
from xzcrawler.parsing import chain as _chain
from xzcrawler.parsing import heading as _heading
from xzcrawler.parsing import lists as _lists
from xzcrawler.parsing import meta as _meta
from xzcrawler.parsing import sanitise as _sanitise
from xzcrawler.parsing.article import PageKind
from xzcrawler.parsing.chain import ChainLink
from xzcrawler.parsing.lists import ListedArticle, SectionLink
from xzcrawler.parsing.meta import MetaLine
from xzcrawler.parsing.page import Source, page_of

__all__ = [
    "ChainLink", "ListedArticle", "MetaLine", "PageKind", "SectionLink", "Source", "article_links",
    "body_html", "body_images", "body_paragraphs", "breadcrumb", "editor",
    "incomplete_reason", "listed_articles", "meta_date", "meta_line", "navigation_sections",
    "next_link", "original_url", "page_kind", "pagination_links", "parse_article", "prev_link",
    "section", "section_path", "title",
]  # fmt: skip


def parse_article(response: Source, fetched_at: datetime) -> Article:
    """Every raw field of an article; the pipelines normalise them. A field whose extractor
    fails is left empty and named in `parse_errors`."""
    return _article.parse(page_of(response), fetched_at)


def page_kind(response: Source) -> PageKind:
    return _article.page_kind(page_of(response))


def incomplete_reason(response: Source) -> str | None:
    return _article.incomplete_reason(page_of(response), response.body, response.text)


def title(response: Source) -> str | None:
    return _heading.title(page_of(response))[0]


def breadcrumb(response: Source) -> list[str]:
    return [text for text, _ in _heading.breadcrumb(page_of(response))[0]]


def section_path(response: Source) -> list[str]:
    return _heading.section_path(page_of(response))


def section(response: Source) -> str | None:
    path = section_path(response)
    return path[-1] if path else None


def meta_line(response: Source) -> MetaLine:
    found = _article.meta_values(page_of(response))
    date, _ = found.get("date", (None, None))
    author, _ = found.get("author", (None, None))
    source, source_url = found.get("source", (None, None))
    return MetaLine(date, author, source, source_url)


def meta_date(response: Source) -> str | None:
    return _meta.meta_date(page_of(response))


def body_paragraphs(response: Source) -> list[str]:
    return list(_body.paragraphs(page_of(response)))  # a copy: the page's own is memoised


def body_html(response: Source) -> str:
    return _sanitise.body_html(page_of(response))


def body_images(response: Source) -> list[str]:
    return _sanitise.body_images(page_of(response))


def editor(response: Source) -> str | None:
    """The closing 责任编辑 line's value, else an editor given in the meta line."""
    page = page_of(response)
    return _body.body(page).editor or _article.meta_values(page).get("editor", (None, None))[0]


def original_url(response: Source) -> str | None:
    return _chain.original_url(page_of(response))


def prev_link(response: Source) -> ChainLink | None:
    return _chain.prev_link(page_of(response))


def next_link(response: Source) -> ChainLink | None:
    return _chain.next_link(page_of(response))


def navigation_sections(response: Source) -> list[SectionLink]:
    return _lists.navigation_sections(page_of(response))


def listed_articles(response: Source) -> list[ListedArticle]:
    return _lists.listed_articles(page_of(response))


def article_links(response: Source) -> list[str]:
    return [listed.url for listed in listed_articles(response)]


def pagination_links(response: Source) -> list[str]:
    return _lists.pagination_links(page_of(response))
