"""The 上一篇/下一篇 block and the 原文链接 line: links out of an article page.

A chain end is the whole text 没有了 (or 无, 已是最后一篇 …), never a title that merely begins
with one of those words (无锡…, 无人机…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xzcrawler.parsing.heading import similar, title
from xzcrawler.parsing.page import Element, Page, memoised, squash
from xzcrawler.parsing.vocabulary import (
    CHAIN_END_WORDS,
    NEXT_LABELS,
    ORIGINAL_LABELS,
    PREV_LABELS,
)

# A label, not a sentence opening with the word (上一篇文章中): a colon, space or end follows.
PREV_LABEL_RE = re.compile(rf"^\s*[【\[]?(?:{'|'.join(PREV_LABELS)})[】\]]?(?:\s*[:：]|\s|$)\s*")
NEXT_LABEL_RE = re.compile(rf"^\s*[【\[]?(?:{'|'.join(NEXT_LABELS)})[】\]]?(?:\s*[:：]|\s|$)\s*")
CHAIN_END_RE = re.compile(rf"^[\s(（\[【]*(?:{'|'.join(CHAIN_END_WORDS)})[\s)）\]】。.!！~]*$")
ORIGINAL_LABEL_RE = re.compile("|".join(ORIGINAL_LABELS))
URL_IN_TEXT_RE = re.compile(r"https?://[^\s<>\"'，。；）)】\]\u3000-\u9fff]+")
CHAIN_LOOKAHEAD_TOKENS = 4


@dataclass(frozen=True)
class ChainLink:
    """One end of the 上一篇/下一篇 block; url None where the page says the chain ends (没有了)."""

    url: str | None
    title: str | None


def may_be_chain_label(text: str) -> bool:
    """Every chain label holds 篇 or 条 (上一篇, 下一条 …): a test far cheaper than the patterns,
    which most tokens of a page never need."""
    return "篇" in text or "条" in text


def is_chain_label(text: str) -> bool:
    return may_be_chain_label(text) and (
        PREV_LABEL_RE.match(text) is not None or NEXT_LABEL_RE.match(text) is not None
    )


@memoised
def _label_tokens(page: Page) -> list[int]:
    """The tokens a chain label may be (those holding 篇 or 条), found once for both ends of
    the chain: the lines holding one, then their tokens."""
    tokens = page.tokens
    return [
        i
        for line in page.lines
        if may_be_chain_label(line.text)
        for i in line.tokens
        if may_be_chain_label(tokens[i].text)
    ]


def _chain(page: Page, label: re.Pattern[str]) -> tuple[ChainLink | None, int]:
    begin = max(title(page)[2], 0)
    for i in _label_tokens(page):
        token = page.tokens[i]
        if i < begin:
            continue
        match = label.match(token.text)
        if match is None:
            continue
        rest = token.text[match.end() :].strip()
        if token.link is not None:
            return _chain_link(page, token.link, rest or None), i
        if rest:
            return ChainLink(None, None), i
        colon = token.text.rstrip().endswith((":", "："))
        for j in range(i + 1, min(i + CHAIN_LOOKAHEAD_TOKENS, len(page.tokens))):
            after = page.tokens[j]
            if is_chain_label(after.text):
                break
            if colon and after.line != token.line and not _next_cell(token.block, after.block):
                break  # 下一篇： and nothing after it: the chain ends here
            if after.link is not None:
                return _chain_link(page, after.link, None), i
            if after.text.strip(" \t\r\n\u3000\xa0:："):
                break
        return ChainLink(None, None), i
    return None, -1


def _next_cell(label: Element, value: Element) -> bool:
    """The value sits in the table cell after the label's (<td>上一篇：</td><td><a>…)."""
    return label.tag in {"td", "th"} and label.getnext() is value


def _chain_link(page: Page, a: Element, text: str | None) -> ChainLink:
    link_title = squash(text if text is not None else page.link_text(a))
    link_title = PREV_LABEL_RE.sub("", NEXT_LABEL_RE.sub("", link_title)).strip()
    url = page.link_url(a.get("href"))
    if not link_title or CHAIN_END_RE.match(link_title) or url is None:
        return ChainLink(None, None)
    full = squash(a.get("title") or "")
    if full and similar(link_title, full):
        link_title = full
    return ChainLink(url, link_title)


@memoised
def prev_block(page: Page) -> tuple[ChainLink | None, int]:
    return _chain(page, PREV_LABEL_RE)


@memoised
def next_block(page: Page) -> tuple[ChainLink | None, int]:
    return _chain(page, NEXT_LABEL_RE)


def chain_start(page: Page) -> int:
    """Where the prev/next block starts, or the end of the page."""
    return min(
        (i for _, i in (prev_block(page), next_block(page)) if i >= 0), default=len(page.tokens)
    )


def prev_link(page: Page) -> ChainLink | None:
    link = prev_block(page)[0]
    if link is None and next_block(page)[0] is not None:
        return ChainLink(None, None)
    return link


def next_link(page: Page) -> ChainLink | None:
    link = next_block(page)[0]
    if link is None and prev_block(page)[0] is not None:
        return ChainLink(None, None)
    return link


def original_url(page: Page) -> str | None:
    """Where the article was first published: the 原文链接 link or the URL written after it."""
    # every label holds 原 (原文链接, 查看原文 …): the lines holding it, then their tokens
    lines = (line for line in page.lines if "原" in line.text)
    for i in (i for line in lines for i in line.tokens):
        token = page.tokens[i]
        match = ORIGINAL_LABEL_RE.search(token.text)
        if match is None or match.start() > 4:
            continue
        if token.link is not None:
            return page.link_url(token.link.get("href"))
        written = URL_IN_TEXT_RE.search(token.text, match.end())
        if written:
            return written.group()
        for after in page.tokens[i + 1 : i + 3]:
            if after.link is not None:
                return page.link_url(after.link.get("href"))
            written = URL_IN_TEXT_RE.search(after.text)
            if written:
                return written.group()
    return None
