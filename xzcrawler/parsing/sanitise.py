"""The body as clean HTML: content tags only, absolute links and images, no scripts, handlers or
javascript: links; captions stay beside their images.

The walk below picks the body's own elements and makes their links absolute; what may be stored
is decided by nh3 (Rust's ammonia, a maintained allow-list sanitiser): only CLEAN_KEEP_TAGS with
CLEAN_KEEP_ATTRS, and only http(s) URLs, whatever spelling a hostile page uses (java<TAB>script:,
a leading control character, vbscript:).
"""

from __future__ import annotations

from html import escape

import nh3
from lxml import etree

from xzcrawler.parsing.body import body, container
from xzcrawler.parsing.page import SKIP_TAGS, Element, Page, memoised

CLEAN_KEEP_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "sub", "sup", "img", "table", "thead", "tbody",
     "tr", "td", "th", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "a"}
)  # fmt: skip
CLEAN_KEEP_ATTRS = {"img": ("src", "alt"), "a": ("href",), "td": ("colspan", "rowspan"),
                    "th": ("colspan", "rowspan")}  # fmt: skip
URL_SCHEMES = {"http", "https"}
IMAGE_SRC_ATTRS = ("src", "data-src", "data-original")  # lazy-loading templates move src


@memoised
def _kept_texts(page: Page) -> set[tuple[Element, bool]]:
    """The text nodes (element, is its tail) of the body's kept lines and captions."""
    found = body(page)
    tokens = page.tokens
    return {
        (tokens[i].node, tokens[i].tail)
        for line in (*found.lines, *found.captions)
        for i in page.lines[line].tokens
    }


@memoised
def _body_span(page: Page) -> tuple[int, int]:
    lines = sorted((*body(page).lines, *body(page).captions))
    if not lines:
        return -1, -2
    return page.lines[lines[0]].tokens[0], page.lines[lines[-1]].tokens[-1]


def image_url(page: Page, img: Element) -> str | None:
    for attr in IMAGE_SRC_ATTRS:
        url = page.link_url(img.get(attr))
        if url:
            return url
    return None


def in_body(page: Page, el: Element) -> bool:
    """An element without text of its own (an image) lies between the body's kept lines."""
    first, last = _body_span(page)
    return first <= page.start.get(el, -1) <= last + 1


def _clean_children(page: Page, root: Element) -> str:
    """The kept content inside `root`, walked by lxml's iterwalk (C, no recursion: a hostile
    page nests thousands of tags): one frame of output per kept tag, dropped if it kept only
    line breaks."""
    kept = _kept_texts(page)
    frames: list[tuple[str, str, list[str], Element]] = [("", "", [], root)]
    opened: list[Element] = [root]  # elements walked into, whose end closes them
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        if node is root:
            if event == "end":
                break
            if root.text and (root, False) in kept:
                frames[-1][2].append(escape(root.text, quote=False))
            continue
        if event == "start":
            tag = node.tag
            if tag in SKIP_TAGS or not isinstance(tag, str) or node not in page.start:
                walker.skip_subtree()  # its end event still comes, with its tail
            elif tag == "img":
                frames[-1][2].append(_image(page, node))
                walker.skip_subtree()
            elif tag == "br":
                frames[-1][2].append("<br>" if in_body(page, node) else "")
                walker.skip_subtree()
            else:
                opening, closing = _tags(page, node)
                if opening:  # a tag kept: its own frame; an unwrapped one writes inline
                    frames.append((opening, closing, [], node))
                opened.append(node)
                text = node.text  # each read of lxml's text builds a new str: read once
                if text and (node, False) in kept:
                    frames[-1][2].append(escape(text, quote=False))
            continue
        if event == "end" and opened[-1] is node:
            opened.pop()
            if frames[-1][3] is node:
                opening, closing, inner, _ = frames.pop()
                text = "".join(inner)
                if text.replace("<br>", "").strip():
                    frames[-1][2].append(f"{opening}{text}{closing}")
        tail = node.tail
        if tail and (node, True) in kept:
            frames[-1][2].append(escape(tail, quote=False))
    return "".join(frames[0][2])


def _image(page: Page, img: Element) -> str:
    src = image_url(page, img)
    if src is None or not in_body(page, img):
        return ""
    alt = img.get("alt")
    alt_attr = f' alt="{escape(alt)}"' if alt else ""
    return f'<img src="{escape(src)}"{alt_attr}>'


def _tags(page: Page, el: Element) -> tuple[str, str]:
    tag = el.tag
    if tag not in CLEAN_KEEP_TAGS:
        return "", ""
    attrs = ""
    for name in CLEAN_KEEP_ATTRS.get(tag, ()):
        value = el.get(name)
        if name == "href":
            value = page.link_url(value)
            if value is None:
                return "", ""
        if value:
            attrs += f' {name}="{escape(value)}"'
    return f"<{tag}{attrs}>", f"</{tag}>"


def body_html(page: Page) -> str:
    holder = container(page)
    if holder is None:
        return ""
    return sanitise(_without_edge_breaks(_clean_children(page, holder).strip(" \t\r\n")))


def _without_edge_breaks(html: str) -> str:
    """Without the <br>s (and the white space after each) that open or close the body; a
    pattern anchored at the end would be tried at every <br> of a long body."""
    start = 0
    while html.startswith("<br>", start):
        start += 4
        while start < len(html) and html[start].isspace():
            start += 1
    cut = len(html)
    rest = html.rstrip()
    while rest.endswith("<br>") and len(rest) - 4 >= start:
        cut = len(rest) - 4
        rest = rest[:cut].rstrip()
    return html[start:cut]


# Built once: the allow-list converted for nh3 on every call costs as much as the cleaning.
_CLEANER = nh3.Cleaner(
    tags=set(CLEAN_KEEP_TAGS),
    attributes={tag: set(names) for tag, names in CLEAN_KEEP_ATTRS.items()},
    url_schemes=URL_SCHEMES,
    link_rel=None,
    strip_comments=True,
)


def sanitise(html: str) -> str:
    return _CLEANER.clean(html)


def body_images(page: Page) -> list[str]:
    holder = container(page)
    if holder is None:
        return []
    urls = (image_url(page, img) for img in holder.iter("img") if in_body(page, img))
    return list(dict.fromkeys(url for url in urls if url))
