"""One walk over a response: the text tokens and lines every field extractor reads.

The walk is iterative (a hostile page nests thousands of elements) and skips what a reader
never sees: scripts, styles, form controls and hidden elements (display:none, hidden), so a
hidden heading can never be taken for the title.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, wraps
from typing import Any, Protocol, TypeAlias, TypeVar, cast
from urllib.parse import urljoin, urlsplit

from lxml import etree
from w3lib.html import get_base_url

# Elements of lxml's own HTML parser (see `document`), not lxml.html's HtmlElement.
Element: TypeAlias = etree._Element


class Source(Protocol):
    """What the parser reads of a page. Scrapy's TextResponse is one; the page readers of
    xzcrawler.reading get a lighter one, so their processes never import Scrapy."""

    @property
    def url(self) -> str: ...

    @property
    def body(self) -> bytes: ...

    @property
    def text(self) -> str: ...

    @property
    def encoding(self) -> str: ...


BLOCK_TAGS = frozenset(
    {
        "p", "div", "td", "th", "tr", "table", "tbody", "thead", "tfoot", "li", "ul", "ol", "dl",
        "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "center", "section",
        "article", "header", "footer", "nav", "aside", "form", "pre", "hr", "main", "figure",
        "figcaption", "address", "caption",
    }
)  # fmt: skip
SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "iframe", "select", "option", "textarea", "button", "input",
     "object", "embed", "template", "head", "title", "meta", "link", "svg"}
)  # fmt: skip
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# A class that hides its element by the stylesheet's convention: hidden, is-hidden, and a BEM
# modifier block--hidden (RFI's o-self-promo--hidden). Never hidden-xs (hidden on one screen).
HIDDEN_CLASS_RE = re.compile(r"(?:^|\s)(?:is-)?(?:[\w-]+--)?hidden(?:\s|$)")
HIDDEN_CLASS_XPATH = etree.XPath("//*[contains(@class, 'hidden')]")  # compiled once
HTML_SPACE_RE = re.compile(r"[ \t\r\n\f]+")
NON_PAGE_SCHEMES = frozenset({"javascript", "mailto", "tel", "data", "vbscript", "about", "file"})
# An href whose join with the base URL is known without urljoin (Page._join): an absolute
# http(s) URL (urljoin gives it back as it is), a path from the root without dot segments (the
# base's scheme and host before it), or a file name in the base's directory (show.asp?id=3).
# Plain URL characters only: no params (;), fragment, white space, brackets or non-ASCII, which
# urljoin would rewrite or check; never a bare trailing ? (urljoin drops it).
_URL_CHARS = r"A-Za-z0-9\-._~%!$&'()*+,="
PLAIN_HREF_RE = re.compile(
    rf"(?P<absolute>https?://[{_URL_CHARS}:@]+)[{_URL_CHARS}:@/?]*"
    rf"|(?P<root>/(?![/.]))[{_URL_CHARS}:@/?]*"
    rf"|(?!\.\.?(?:\?|$))[{_URL_CHARS}@]+(?:\?[{_URL_CHARS}:@/?]*)?"
)


@dataclass(slots=True)
class Token:
    """A non-blank text node in document order, with the link and block it sits in."""

    text: str
    node: Element
    tail: bool
    link: Element | None
    block: Element
    line: int


@dataclass(slots=True)
class Line:
    """The text between two block boundaries (or <br>s), with its tokens' indexes."""

    tokens: list[int]
    text: str
    images_before: int  # images met since the previous line: a caption follows an image


def line_text(joined: str) -> str:
    """A line's text: each run of HTML white space one space, the ends stripped. Most lines hold
    no run to fold, and a pattern costs more than the tests that find it out."""
    if "\n" in joined or "\t" in joined or "\r" in joined or "\f" in joined or "  " in joined:
        return HTML_SPACE_RE.sub(" ", joined).strip()
    return joined.strip()


def element_text(el: Element) -> str:
    """The text inside an element, as its itertext() joined would give it (comments and
    processing instructions left out), serialised by libxml2 in C: five times faster than
    joining Python's iteration over the subtree."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def squash(text: str) -> str:
    return " ".join(text.split())


def document(response: Source) -> Element:
    """The response's text parsed as Scrapy's selector parses it (lxml's HTML parser, recovering,
    huge trees, NULs dropped), without lxml.html's element classes: their Python lookup runs for
    every element a reader touches, and no reader needs their methods."""
    data = response.text.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    root = etree.fromstring(data, parser=parser)
    if root is None:  # nothing but white space and comments
        root = etree.fromstring(b"<html/>", parser=parser)
    return root


class Page:
    """Tokens, lines and where each element starts and ends, built once per response."""

    def __init__(self, response: Source) -> None:
        # Not the response itself: the cache of pages is keyed on it weakly, and a page that
        # held its response would keep every page of the crawl alive.
        self.url = response.url.split("#", 1)[0]
        # as Scrapy reads it: a <base href> in the first 4 KiB, else the page's own URL
        self.base_url = get_base_url(response.text[:4096], response.url, response.encoding)
        self.host = urlsplit(response.url).hostname
        self.root: Element = document(response)
        self._may_hide = "hidden" in response.text  # a class may hide an element
        body = next(self.root.iterchildren("body"), None)  # not find(): ElementPath is Python
        self.body: Element = self.root if body is None else body
        head = next(self.root.iterchildren("head"), None)
        # <meta>, <link> and <title> live here; a page without a head: the whole document
        self.head: Element = self.root if head is None else head
        self.tokens: list[Token] = []
        self.lines: list[Line] = []
        self.start: dict[Element, int] = {}
        self.end: dict[Element, int] = {}
        self.memo: dict[str, Any] = {}
        self._urls: dict[str, str | None] = {}
        self._link_texts: dict[Element, str] = {}
        self._hosts: dict[str, bool] = {}
        self._walk()

    def _walk(self) -> None:
        """One pass of lxml's iterwalk (C, no recursion on document depth). Lines and tokens
        are appended inline: this loop is most of a page's parse cost, so each element's tag
        is read once (its end event takes what its start pushed)."""
        root = self.body
        # hidden by a class: marked with the hidden attribute first, so the walk asks of every
        # element only what it asks already (one XPath pass in C finds the few candidates)
        if self._may_hide:
            for el in cast(list[Element], HIDDEN_CLASS_XPATH(root)):
                if HIDDEN_CLASS_RE.search(el.get("class", "")):
                    el.set("hidden", "")
        tokens, lines, start, end = self.tokens, self.lines, self.start, self.end
        pieces: list[str] = []  # the text of the line being read
        line_tokens: list[int] = []  # its tokens
        images = 0  # images met since the previous line: a caption follows an image
        # per element walked into: whether it is a block, and the link and block around it,
        # restored at its end
        opened: list[tuple[bool, Element | None, Element]] = []
        link: Element | None = None
        block: Element = root
        skipped: Element | None = None  # its end event comes right after its start
        walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
        for event, el in walker:
            if event == "start":
                tag = el.tag
                if tag in SKIP_TAGS or not isinstance(tag, str):
                    walker.skip_subtree()
                    skipped = el
                    continue
                # hidden (display:none, visibility:hidden, the hidden attribute): asked of every
                # element, so written inline
                style = el.get("style")
                if el.get("hidden") is not None or (
                    style is not None
                    and ("none" in style or "hidden" in style)
                    and HIDDEN_STYLE_RE.search(style) is not None
                ):
                    walker.skip_subtree()
                    skipped = el
                    continue
                start[el] = len(tokens)
                is_block = tag in BLOCK_TAGS
                opened.append((is_block, link, block))
                if is_block or tag == "br":
                    if line_tokens:
                        lines.append(Line(line_tokens, line_text("".join(pieces)), images))
                        images = 0
                        line_tokens = []
                    pieces = []
                    if is_block:
                        block = el
                elif tag == "img":
                    images += 1
                elif tag == "a":
                    link = el
                text = el.text
                if text:
                    pieces.append(text)
                    if not text.isspace():
                        line_tokens.append(len(tokens))
                        tokens.append(Token(text, el, False, link, block, len(lines)))
                continue
            if event == "end" and el is not skipped:  # an element walked into: close it
                is_block, link, block = opened.pop()
                if is_block:
                    if line_tokens:
                        lines.append(Line(line_tokens, line_text("".join(pieces)), images))
                        images = 0
                        line_tokens = []
                    pieces = []
                end[el] = len(tokens)
            # an element skipped, a comment or a processing instruction: only its tail counts
            text = el.tail
            if text and el is not root:
                pieces.append(text)
                if not text.isspace():
                    line_tokens.append(len(tokens))
                    tokens.append(Token(text, el, True, link, block, len(lines)))
        if line_tokens:
            lines.append(Line(line_tokens, line_text("".join(pieces)), images))

    # --- helpers -------------------------------------------------------------------------

    def link_url(self, href: str | None) -> str | None:
        """Absolute http(s) URL without fragment, or None for script/mail/anchor-only links.
        Memoised per href: the chain, the pager and the lists read the same links."""
        if not href:
            return None
        if href in self._urls:
            return self._urls[href]
        url = self._urls[href] = self._join(href)
        return url

    def _join(self, href: str) -> str | None:
        href = href.strip()
        if not href or href.startswith("#"):
            return None
        if href.split(":", 1)[0].strip().lower() in NON_PAGE_SCHEMES:
            return None
        plain = PLAIN_HREF_RE.fullmatch(href)
        if plain and not href.endswith("?"):
            if plain["absolute"]:
                return href
            if plain["root"]:
                if "/." not in href and self._origin:  # no dot segment to resolve
                    return self._origin + href
            elif self._directory:
                return self._directory + href
        url = urljoin(self.base_url, href).split("#", 1)[0]
        return url if url.startswith(("http://", "https://")) else None

    @cached_property
    def _origin(self) -> str | None:
        """The base URL's scheme and host, as urljoin reads them, where they make http(s) URLs."""
        base = urlsplit(self.base_url)
        if base.scheme in {"http", "https"} and base.netloc:
            return f"{base.scheme}://{base.netloc}"
        return None

    @cached_property
    def _directory(self) -> str | None:
        """What urljoin puts before a file name: the base's directory, its dot segments and
        empty segments resolved as urljoin resolves them, where it makes http(s) URLs."""
        joined = urljoin(self.base_url, "x")
        return joined[:-1] if joined.startswith(("http://", "https://")) else None

    def same_host(self, url: str) -> bool:
        """Memoised per URL: the menu, the lists and the pager ask it of the same links."""
        same = self._hosts.get(url)
        if same is None:
            same = self._hosts[url] = urlsplit(url).hostname == self.host
        return same

    def link_text(self, a: Element) -> str:
        """Memoised per link: the menu asks it again of each ancestor's links, the lists and
        the pager of every link."""
        text = self._link_texts.get(a)
        if text is None:
            text = self._link_texts[a] = squash(element_text(a))
        return text

    def first_line(self, el: Element) -> tuple[str, int, int]:
        """The element's first line of text and its token range: a heading that also holds the
        meta line after a <br> (PHPCMS) gives the title alone."""
        start, end = self.start.get(el, 0), self.end.get(el, 0)
        if start >= end:
            return "", start, start
        line = self.tokens[start].line
        stop = start
        while stop < end and self.tokens[stop].line == line:
            stop += 1
        return squash("".join(t.text for t in self.tokens[start:stop])), start, stop

    def links(self) -> list[Element]:
        return [a for a in self.body.iter("a") if a in self.start and a.get("href")]


T = TypeVar("T")
_UNREAD = object()


def memoised(fn: Callable[[Page], T]) -> Callable[[Page], T]:
    """Compute a page's reading once: extractors call each other freely."""
    key = fn.__module__ + "." + fn.__qualname__

    @wraps(fn)
    def wrapper(page: Page) -> T:
        # a miss per reading and page: a sentinel, not a KeyError raised and caught each time
        value = page.memo.get(key, _UNREAD)
        if value is _UNREAD:
            value = page.memo[key] = fn(page)
        return cast(T, value)

    return wrapper


_pages: weakref.WeakKeyDictionary[Source, Page] = weakref.WeakKeyDictionary()


def page_of(response: Source) -> Page:
    page = _pages.get(response)
    if page is None:
        page = _pages[response] = Page(response)
    return page
