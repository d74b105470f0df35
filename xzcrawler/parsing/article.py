"""An article page read whole: what kind of page it is, whether it arrived whole, and every raw
field, each read by its own extractor so that one failing field never costs the others."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from xzcrawler.items import Article
from xzcrawler.parsing.body import body, body_range, container, paragraphs, writer_credit
from xzcrawler.parsing.chain import (
    ChainLink,
    chain_start,
    next_block,
    next_link,
    original_url,
    prev_block,
    prev_link,
)
from xzcrawler.parsing.heading import breadcrumb, section_path, title
from xzcrawler.parsing.lists import continuation_links, listed_articles, pagination_links
from xzcrawler.parsing.meta import (
    PUBLISHER_NAME_RE,
    labelled,
    meta_date,
    meta_window,
    read_labels,
    source_above,
    unlabelled_source,
)
from xzcrawler.parsing.page import Element, Page, memoised
from xzcrawler.parsing.sanitise import body_html, body_images
from xzcrawler.parsing.vocabulary import NOT_NAMES, PLACEHOLDER_SOURCES

UNDECODABLE_RE = re.compile(r"[\ufffd\x00-\x08\x0e-\x1f]")
# A credit opening the lead paragraph: 本报讯（记者 王五）, （文/图 李四）, 【文/张三】.
LEAD_CREDIT_RE = re.compile(
    r"^(?:本报讯|本网讯|本台讯|本站讯|讯)?\s*[（(【\[]\s*(?P<credit>(?:(?:本报|本网|本台)?记者|文/图|图/文|文图|文)"
    r"\s*[/／:：\s]?\s*[^）)】\]]{2,40})[）)】\]]"
)
# A credit closing the last paragraph: …。（记者 黄小玲）
CLOSING_CREDIT_RE = re.compile(
    r"[（(](?P<credit>(?:(?:本报|本网|本台)?记者|文/图|图/文|文)\s*[/／:：\s]?\s*[^（）()]{2,30})[）)]$"
)
# Names alone in brackets closing the last paragraph, after its last sentence: …共赢”。（钟才文）,
# …。（常书香 马丹阳 ）, …吗？”（姚峰 上海报道）
CLOSING_NAMES_RE = re.compile(
    r"[。！？!?”」』]\s*[（(]\s*"
    r"(?P<names>[\u4e00-\u9fff]{2,4}"
    r"(?:[ 、\u3000](?![\u4e00-\u9fff]{0,6}报道)[\u4e00-\u9fff]{2,4}){0,3})"
    r"(?:[ \u3000]+[\u4e00-\u9fff]{2,8}报道)?\s*[）)]$"
)
LEAD_PARAGRAPHS = 3
ARTICLE_MIN_BODY_CHARS = 40  # an article page without a chain block or labels needs a body


class PageKind(StrEnum):
    ARTICLE = "article"
    LIST = "list"
    OTHER = "other"


@memoised
def meta_values(page: Page) -> dict[str, tuple[str | None, str | None]]:
    """The meta line's raw values: the line under the title first, then one below the body."""
    first, stop = meta_window(page)
    found = read_labels(page, page.tokens[first:stop])
    span = body_range(page)
    if span.lower_meta is not None:
        for kind, value in read_labels(page, page.tokens[slice(*span.lower_meta)]).items():
            if kind not in found or (kind == "source" and _names_no_publisher(found[kind][0])):
                found[kind] = value
    if ("source" not in found or _names_a_person(found["source"][0])) and (
        publisher := unlabelled_source(page, first, stop) or source_above(page, first)
    ):
        found["source"] = publisher
    return found


_PERSON_NAME_RE = re.compile(r"[\u4e00-\u9fff]{2,3}")


def _names_no_publisher(value: str | None) -> bool:
    """A source value that is a placeholder (来源：转载文章): another place may name the source."""
    return (value or "").strip(" \u3000\xa0【】[]（）()《》") in PLACEHOLDER_SOURCES


def _names_a_person(value: str | None) -> bool:
    """A source value that reads as a person's name (来源: 尹娟), no paper, site or agency: a
    publisher printed after the date without a label (《理财周刊》) names the source better."""
    text = (value or "").strip(" \u3000\xa0")
    return bool(_PERSON_NAME_RE.fullmatch(text)) and not PUBLISHER_NAME_RE.fullmatch(text)


def byline(page: Page) -> str | None:
    """A credit in the body naming the writer: a byline line taken out of the body, else a
    credit opening one of the first paragraphs (本报讯（记者 X）, （文/图 X）), else one closing
    the last paragraph (…。（记者 X）, …。（X））. The dateline's reporters come later, in the
    pipeline."""
    taken = body(page).byline
    if taken:
        return taken
    for text in paragraphs(page)[:LEAD_PARAGRAPHS]:
        match = LEAD_CREDIT_RE.match(text.lstrip(" \u3000\xa0"))
        if match:
            credit = match["credit"]
            return writer_credit(credit) or credit
    texts = paragraphs(page)
    if not texts:
        return None
    match = CLOSING_CREDIT_RE.search(texts[-1])
    if match:
        return match["credit"]
    names = CLOSING_NAMES_RE.search(texts[-1])
    if (
        names
        and not NOT_NAMES & set(re.split(r"[ 、\u3000]", names["names"]))
        and not names["names"].endswith(("摄", "报道"))
    ):
        return names["names"]
    return None


def body_chars(page: Page) -> int:
    return sum(len(page.lines[i].text) for i in body(page).lines)


def page_kind(page: Page) -> PageKind:
    """Article: a title in the page, a date or labelled meta line, and a body or a chain block;
    a list page shows a run of article links and little text of its own."""
    found = meta_values(page)
    has_meta = bool(found)
    has_labels = bool(found.keys() & {"author", "source", "updated"}) or any(
        labelled(t.text) for t in page.tokens[slice(*meta_window(page))]
    )
    has_chain = prev_block(page)[0] is not None or next_block(page)[0] is not None
    # The list's links are read only where the article's own evidence does not decide: on an
    # article page they are a third of the whole reading (menus, URLs, link texts).
    if title(page)[1] >= 0 and has_meta:
        if has_chain or has_labels:
            return PageKind.ARTICLE
        chars = body_chars(page)
        if chars >= ARTICLE_MIN_BODY_CHARS and (
            not pagination_links(page)
            or chars > sum(len(item.title) for item in listed_articles(page))
        ):
            return PageKind.ARTICLE
    if listed_articles(page) and (breadcrumb(page)[0] or pagination_links(page)):
        return PageKind.LIST
    return PageKind.OTHER


def _closes(raw: bytes) -> bool:
    """The document's closing tag is there: near the end, or followed only by code a server or
    CMS appends after the document (ad scripts, tracking tags, as Sohu's CMS does) — a
    `</body>` written inside a script (document.write) is not the document's."""
    tail = raw[-4096:].lower()
    if b"</html>" in tail or b"</body>" in tail:
        return True
    lower = raw.lower()
    end = max(lower.rfind(b"</html>"), lower.rfind(b"</body>"))
    if end < 0:
        return False
    return lower.count(b"<script", 0, end) == lower.count(b"</script", 0, end)


def incomplete_reason(page: Page, raw: bytes, text: str) -> str | None:
    """Why an article page is not whole (a 200 cut short, or garbage), or None. Judged by what
    every template has (closing tags, a title, a body), never by a chain block or a footer."""
    if len(UNDECODABLE_RE.findall(text)) > max(len(text) // 100, 3):
        return "undecodable text"
    if not _closes(raw):
        return "no closing </html>"
    if not title(page)[0]:
        return "empty title"
    if not body(page).lines:
        return "empty body"
    return None


def page_urls(page: Page) -> list[str]:
    """The further pages of an article split over several: the pager between its body and its
    chain block."""
    return continuation_links(page, body_range(page).begin, chain_start(page))


def _describe(el: Element | None) -> str:
    if el is None:
        return "-"
    classes = (el.get("class") or "").split()
    ident = el.get("id")
    return f"{el.tag}{f'#{ident}' if ident else ''}{f'.{classes[0]}' if classes else ''}"


def template(page: Page) -> str:
    """A short signature of the layout (title element, meta line place, body container, chain),
    so fill rates can be compared per template."""
    _, start, _ = title(page)
    title_el = page.tokens[start].block if start >= 0 else None
    first, stop = meta_window(page)
    place = (
        "top" if stop > first else ("bottom" if body_range(page).lower_meta is not None else "none")
    )
    chain = "chain" if prev_block(page)[1] >= 0 or next_block(page)[1] >= 0 else "nochain"
    return f"{_describe(title_el)}|meta:{place}|{_describe(container(page))}|{chain}"


def _read(
    errors: dict[str, str], name: str, extract: Callable[[], Any], default: Any = None
) -> Any:
    """One field's extractor; an exception is recorded for the field, the others still read."""
    try:
        return extract()
    except Exception as exc:
        errors[name] = f"{type(exc).__name__}: {exc}"[:300]
        return default


def canonical_url(page: Page) -> str:
    """The page's URL, or the one its <link rel="canonical"> names on the same host: two URLs of
    one article (a mirror path, a query the canonicaliser does not know) are one article."""
    for link in page.head.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            url = page.link_url(link.get("href"))
            if url is not None and page.same_host(url):
                return url
    return page.url


def parse(page: Page, fetched_at: datetime) -> Article:
    errors: dict[str, str] = {}
    meta = _read(errors, "meta", lambda: meta_values(page), {})
    prev = _read(errors, "prev", lambda: prev_link(page)) or ChainLink(None, None)
    following = _read(errors, "next", lambda: next_link(page)) or ChainLink(None, None)
    texts = _read(errors, "body", lambda: paragraphs(page), [])
    date_raw, _ = meta.get("date", (None, None))
    updated_raw, _ = meta.get("updated", (None, None))
    author_raw, _ = meta.get("author", (None, None))
    source_raw, source_url = meta.get("source", (None, None))
    editor_in_meta, _ = meta.get("editor", (None, None))
    return Article(
        url=_read(errors, "url", lambda: canonical_url(page), page.url),
        fetched_at=fetched_at,
        title=_read(errors, "title", lambda: title(page)[0]),
        section=_read(errors, "section", lambda: next(reversed(section_path(page)), None)),
        section_path=_read(errors, "section", lambda: section_path(page), []),
        body="\n".join(texts) if texts else None,
        body_html=_read(errors, "body_html", lambda: body_html(page)) or None,
        images=_read(errors, "images", lambda: body_images(page), []),
        original_url=_read(errors, "original_url", lambda: original_url(page)),
        prev_url=prev.url,
        prev_title=prev.title,
        next_url=following.url,
        next_title=following.title,
        date_raw=date_raw,
        meta_date_raw=_read(errors, "meta_date", lambda: meta_date(page)),
        author_raw=author_raw,
        source_raw=source_raw,
        source_url=source_url,
        editor_raw=_read(errors, "editor", lambda: body(page).editor) or editor_in_meta,
        updated_raw=updated_raw,
        byline_raw=_read(errors, "byline", lambda: byline(page)),
        page_urls=_read(errors, "page_urls", lambda: page_urls(page), []),
        template=_read(errors, "template", lambda: template(page)),
        parse_errors=errors,
    )
