"""The breadcrumb (当前位置：首页 > 时评 > 三农时评), the section path it gives, and the title.

The title is chosen by evidence, not by first match: a heading that agrees with <title> (minus
its site and section parts) or og:title wins; a heading inside the breadcrumb, a logo or a hidden
block is never a candidate.
"""

from __future__ import annotations

import re
from string import ascii_lowercase, ascii_uppercase
from typing import cast
from urllib.parse import urlsplit

from lxml import etree

from xzcrawler.parsing.page import Element, Page, element_text, memoised, squash
from xzcrawler.parsing.vocabulary import BREADCRUMB_LABELS, BREADCRUMB_TAIL_LABELS, HOME_LABELS

BREADCRUMB_LABEL_RE = re.compile(
    rf"(?:{'|'.join(label for label in BREADCRUMB_LABELS if label != '位置')})"
    r"(?:是)?\s*[:：]?|位置\s*[:：]"
)
BREADCRUMB_SEPARATOR_RE = re.compile(r"\s*(?:&gt;|>|»|＞|→|›|/|\\|>>)+\s*|\s+-\s+")
BREADCRUMB_MAX_CHARS = 200
CRUMB_MAX_TOKENS = 12  # a crumbs list of a few links, not a menu

Segment = tuple[str, Element | None]


CRUMB_CLASS_RE = re.compile(r"crumb|position|location|weizhi|dqwz|currentpath", re.IGNORECASE)


def _labelled(page: Page) -> tuple[int, int, str] | None:
    """当前位置：… — the label's token, the end of its container, the text after the label."""
    # every breadcrumb label holds 位置 or 当前: the lines holding one, then their tokens
    lines = (line for line in page.lines if "位置" in line.text or "当前" in line.text)
    for i in (i for line in lines for i in line.tokens):
        token = page.tokens[i]
        match = BREADCRUMB_LABEL_RE.search(token.text)
        if match is None or len(token.text.strip()) > BREADCRUMB_MAX_CHARS:
            continue
        container = token.node.getparent() if token.tail else token.node
        rest = token.text[match.end() :]
        for _ in range(4):
            if container is None or rest.strip() or page.end.get(container, 0) > i + 1:
                break
            parent = container.getparent()
            if parent is None:
                break
            container = parent
        stop = page.end.get(container, i + 1) if container is not None else i + 1
        return i + 1, stop, rest
    return None


def _unlabelled(page: Page) -> tuple[int, int, str] | None:
    """A breadcrumb without a label: a home link followed by separators and links on one line
    (乡镇时评网 › 门户 › 网友来稿), or a crumbs-classed list of links that opens with one."""
    for line in page.lines:
        first = page.tokens[line.tokens[0]]
        if first.link is None or len(line.text) > BREADCRUMB_MAX_CHARS:
            continue
        home_text = page.link_text(first.link)
        if not is_home_link(page, home_text, first.link):
            continue
        after = line.text[len(home_text) :]
        if BREADCRUMB_SEPARATOR_RE.match(after) and after.strip(" >»＞→›/\\-"):
            return line.tokens[0], line.tokens[-1] + 1, ""
    for el in page.body.iter("div", "ol", "ul", "nav", "p", "span", "td"):
        if el not in page.start or not CRUMB_CLASS_RE.search(f"{el.get('class')} {el.get('id')}"):
            continue
        start, stop = page.start[el], page.end[el]
        link = page.tokens[start].link if start < stop else None
        if (
            link is not None
            and stop - start <= CRUMB_MAX_TOKENS
            and is_home_link(page, page.link_text(link), link)
        ):
            return start, stop, ""
    return None


@memoised
def breadcrumb(page: Page) -> tuple[list[Segment], int, int]:
    """Segments (text, link), and the token range the breadcrumb covers."""
    found = _labelled(page) or _unlabelled(page)
    if found is None:
        return [], -1, -1
    begin, stop, rest = found
    items: list[Segment] = [(rest, None)]
    items += [(t.text, t.link) for t in page.tokens[begin:stop]]
    segments: list[Segment] = []
    last_link: Element | None = None
    for text, link in items:
        if link is not None:
            if link is last_link:
                segments[-1] = (segments[-1][0] + text, link)
            else:
                segments.append((text, link))
        else:
            segments += [(part, None) for part in BREADCRUMB_SEPARATOR_RE.split(text)]
        last_link = link
    cleaned = [(squash(text).strip(">»＞→›/ "), link) for text, link in segments]
    return (
        [(text, link) for text, link in cleaned if text],
        begin - (1 if rest or begin else 0),
        stop,
    )


def is_home_link(page: Page, text: str, link: Element | None) -> bool:
    if text in HOME_LABELS:
        return True
    url = page.link_url(link.get("href")) if link is not None else None
    if url is None or not page.same_host(url):
        return False
    path = urlsplit(url).path
    return path in {"", "/"} or re.fullmatch(r"/(?:index|default)\.\w+", path) is not None


TITLE_SPLIT_RE = re.compile(r"\s*(?:_|\||｜|--|——| - | – | — )\s*")
TITLE_CLASS_RE = re.compile(r"title|tit\b|biaoti|headline|^bt$|art_?tit|news_?tit", re.IGNORECASE)
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
TITLE_MIN_CHARS = 2
TITLE_FALLBACK_MIN_CHARS = 4
META_NEAR_TOKENS = 10  # a title's meta line starts within this many tokens after it
TIME_ONLY_RE = re.compile(r"[\d\s:：/.\-年月日时分秒]+")
TITLE_MAX_CHARS = 200
DATE_OR_LABEL_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}|(?:来源|作者|发布|时间|日期|点击|浏览)\s*[:：]"
)


def similar(text: str, title: str) -> bool:
    """Same title, allowing for a template that truncates it with an ellipsis."""
    if text == title:
        return True
    short = text.rstrip(".…").strip()
    return len(short) >= 4 and short != text and title.startswith(short)


@memoised
def document_titles(page: Page) -> list[str]:
    """What the head says the title is: <title> parts other than site and section names, and
    og:title."""
    element = next(page.head.iter("title"), None)  # iter, not find: ElementPath is Python
    text = squash(element_text(element)) if element is not None else ""
    parts = [p for p in TITLE_SPLIT_RE.split(text) if p]
    sections = {name for name, link in breadcrumb(page)[0] if link is not None}
    if len(parts) > 1:
        parts = parts[:-1]  # 标题_栏目_站点: the last part names the site
    titles = [p for p in parts if p not in sections]
    for meta in page.head.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() in {"og:title", "title"}:
            content = squash(meta.get("content") or "")
            if content:
                titles.append(content)
                titles += [p for p in TITLE_SPLIT_RE.split(content) if len(p) >= 4]
    return titles


@memoised
def _title_forms(page: Page) -> tuple[frozenset[str], tuple[str, ...]]:
    """The head's titles, and the prefixes of those it prints truncated (…, ...): what
    `similar` compares, prepared once for the many texts of a page it is asked about."""
    titles = frozenset(t for t in document_titles(page) if t)
    shorts = ((t, t.rstrip(".…").strip()) for t in titles)
    return titles, tuple(short for t, short in shorts if short != t and len(short) >= 4)


def _agrees(page: Page, text: str) -> bool:
    """similar(text, t) or similar(t, text) for a title t of the head."""
    titles, truncated = _title_forms(page)
    if text in titles or (truncated and text.startswith(truncated)):
        return True
    short = text.rstrip(".…").strip()
    return len(short) >= 4 and short != text and any(t.startswith(short) for t in titles)


_LOWER = f"translate(concat(@class, ' ', @id), '{ascii_uppercase}', '{ascii_lowercase}')"
# Elements whose class or id may name a title, found by lxml in C; TITLE_CLASS_RE decides.
TITLE_CLASS_XPATH = etree.XPath(
    ".//*[self::div or self::td or self::span or self::p or self::strong or self::font"
    f" or self::b][contains({_LOWER}, 'tit') or contains({_LOWER}, 'headline')"
    f" or contains({_LOWER}, 'bt')]"
)


def _candidates(page: Page, classed: bool) -> list[Element]:
    """Headings (or title-classed elements) outside the breadcrumb, in order of preference."""
    crumb_begin, crumb_end = breadcrumb(page)[1:]
    found: list[Element] = []
    if classed:
        found += (
            el
            for el in cast(list[Element], TITLE_CLASS_XPATH(page.body))
            if TITLE_CLASS_RE.search(f"{el.get('class') or ''} {el.get('id') or ''}")
        )
    else:  # one pass over the tree; h1 before h2 before h3 …, each in document order
        found = sorted(page.body.iter(*HEADING_TAGS), key=lambda el: HEADING_TAGS.index(el.tag))
    kept = []
    for el in found:
        start = page.start.get(el)
        if start is None or crumb_begin <= start < crumb_end:
            continue
        if TITLE_MIN_CHARS <= len(page.first_line(el)[0]) <= TITLE_MAX_CHARS:
            kept.append(el)
    return kept


def _meta_follows(page: Page, end: int) -> bool:
    return any(
        DATE_OR_LABEL_RE.search(token.text) for token in page.tokens[end : end + META_NEAR_TOKENS]
    )


def _is_link_only(page: Page, el: Element) -> bool:
    """A logo or a list of links (a site name linking home), not a headline."""
    tokens = page.tokens[page.start[el] : page.end[el]]
    return bool(tokens) and all(t.link is not None for t in tokens) and el.tag != "a"


@memoised
def title(page: Page) -> tuple[str | None, int, int]:
    """The title text and the token range it occupies (-1, -1 when it is not in the body)."""
    candidates = _candidates(page, classed=False)
    crumb_end = max(breadcrumb(page)[2], 0)
    # Agreeing with <title>: a heading; else a text of its own; else a title-classed element
    # whose title is split over several tags.
    agreeing = [found for found in map(page.first_line, candidates) if _agrees(page, found[0])]
    if not agreeing:
        for i in range(crumb_end, len(page.tokens)):
            token = page.tokens[i]
            text = squash(token.text)
            if token.link is None and len(text) >= TITLE_FALLBACK_MIN_CHARS and _agrees(page, text):
                agreeing.append((text, i, i + 1))
    if not agreeing:
        classed = map(page.first_line, _candidates(page, classed=True))
        agreeing = [found for found in classed if _agrees(page, found[0])]
    if agreeing:  # printed twice (a mobile header): the copy its meta line follows
        return next((found for found in agreeing if _meta_follows(page, found[2])), agreeing[0])
    meta_at = next(
        (
            i
            for i in range(crumb_end, len(page.tokens))
            if DATE_OR_LABEL_RE.search(page.tokens[i].text)
        ),
        len(page.tokens),
    )
    headings = [
        el
        for el in candidates
        if el.tag in HEADING_TAGS and crumb_end <= page.start[el] and not _is_link_only(page, el)
    ]
    # Without <title> to agree with: the h1 after the breadcrumb, else the heading nearest
    # above the meta line, else the line above the meta line.
    heading = next((el for el in headings if el.tag == "h1"), None)
    if heading is None:
        heading = next((el for el in headings if page.start[el] < meta_at), None)
    if heading is not None:
        return page.first_line(heading)
    if crumb_end < meta_at < len(page.tokens):
        above = _line_above(page, meta_at, crumb_end)
        if above is not None:
            return above
    # Else a title-classed element (<td class=bt_title>), then what the head says.
    titled = [
        el
        for el in _candidates(page, classed=True)
        if crumb_end <= page.start[el] and not _is_link_only(page, el)
    ]
    if titled:
        return page.first_line(titled[0])
    titles = document_titles(page)
    return (titles[0] if titles else None), -1, -1


def _line_above(page: Page, meta_at: int, crumb_end: int) -> tuple[str, int, int] | None:
    """The text above the meta line: the token before it on a line of its own, or, where the
    meta line opens with something else (the site's URL, a logo text), the line above."""
    before = page.tokens[meta_at - 1]
    meta_line = page.tokens[meta_at].line
    if before.line != meta_line:
        text, start, stop = squash(before.text), meta_at - 1, meta_at
        link_only = before.link is not None
    else:
        line = page.lines[meta_line - 1] if meta_line > 0 else None
        if line is None or line.tokens[0] < crumb_end:
            return None
        text, start, stop = line.text, line.tokens[0], line.tokens[-1] + 1
        link_only = all(page.tokens[i].link is not None for i in line.tokens)
    if link_only or len(text) < TITLE_FALLBACK_MIN_CHARS or TIME_ONLY_RE.fullmatch(text):
        return None
    return text, start, stop


@memoised
def section_path(page: Page) -> list[str]:
    """Breadcrumb minus 首页 and minus a closing 正文 or the article's own title."""
    segments = list(breadcrumb(page)[0])
    if segments and is_home_link(page, *segments[0]):
        segments = segments[1:]
    own_title, title_start, _ = title(page)
    if segments:
        last = segments[-1][0]
        if last in BREADCRUMB_TAIL_LABELS or (
            len(segments) > 1 and own_title and title_start >= 0 and similar(last, own_title)
        ):
            segments = segments[:-1]
    return [text for text, _ in segments]
