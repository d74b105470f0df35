"""Pure functions that read the portal's pages: page kind, links, and an article's fields.

Everything is anchored on what a page says (labels such as 当前所在 / 来源 / 上一篇, link texts,
document order) rather than on class names or URL patterns, so a template change on the portal
does not silently empty a field. Each page is walked once into text tokens and lines (cached per
response); the public functions read that walk.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from html import escape
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement
from scrapy.http import TextResponse
from scrapy.utils.response import get_base_url

from xzcrawler.items import Article


def _spaced(*words: str) -> str:
    """Alternation of label words that old templates pad with spaces (作　者, 来 源)."""
    return "|".join(r"\s*".join(map(re.escape, word)) for word in words)


COLON = r"\s*[:：]"
COLON_RE = re.compile(COLON)

# --- labels and words the portal's templates use (data, not code: extend as templates change) ---
BREADCRUMB_LABEL_RE = re.compile(
    r"(?:当前所在|当前位置|您现在的位置|你现在的位置|您的位置|您当前的位置|您所在的位置|所在位置)"
    r"(?:是)?\s*[:：]?|位置\s*[:：]"
)
BREADCRUMB_SEPARATOR_RE = re.compile(r"\s*(?:&gt;|>|»|＞|→|›|/|\\)+\s*|\s+-\s+")
HOME_LABELS = frozenset({"首页", "网站首页", "主页", "本站首页", "返回首页", "首 页"})
BREADCRUMB_TAIL_LABELS = frozenset(
    {"正文", "内容", "详情", "正文内容", "文章内容", "阅读文章", "浏览文章"}
)

DATE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:\s*\d{1,2}\s*[:：时]\s*\d{1,2}(?:\s*[:：分]\s*\d{1,2}\s*秒?)?)?"
)
# Longer labels first: 发布时间 must win over 时间, 文章来源 over 来源.
DATE_LABELS = ("发布时间", "发布日期", "发表时间", "更新时间", "日期", "时间")
AUTHOR_LABELS = ("作者", "撰稿人", "撰稿", "记者", "文")
SOURCE_LABELS = ("稿件来源", "文章来源", "信息来源", "新闻来源", "来源", "出处", "转自")
EDITOR_LABELS = ("责任编辑", "责编", "编辑")
NOISE_LABELS = ("点击数", "点击量", "点击", "浏览次数", "浏览量", "浏览", "阅读次数", "阅读量")
NOISE_LABELS += ("阅读", "访问量", "字体")
META_LABEL_RE = re.compile(
    rf"(?:(?P<date>{_spaced(*DATE_LABELS)})|(?P<author>{_spaced(*AUTHOR_LABELS)})"
    rf"|(?P<source>{_spaced(*SOURCE_LABELS)})|(?P<editor>{_spaced(*EDITOR_LABELS)})"
    rf"|(?P<noise>{_spaced(*NOISE_LABELS)}))(?={COLON})"
)
META_NOISE_RE = re.compile(
    r"[【\[|]|打印|关闭窗口|关闭本页|分享到|收藏|字号|字体|" + META_LABEL_RE.pattern
)
EDITOR_LINE_RE = re.compile(
    rf"^[(（\[【]?\s*(?:{_spaced(*EDITOR_LABELS)}){COLON}\s*(?P<value>[^)）\]】]*)"
)
ORIGINAL_LABEL_RE = re.compile(r"原文链接|原文地址|查看原文|阅读原文|原文网址")
SELF_LINK_LABEL_RE = re.compile(r"^(?:本文链接|本文地址|本文网址)")
# A label, not a sentence opening with the word (上一篇文章中): a colon, space or end follows.
PREV_LABEL_RE = re.compile(r"^\s*[【\[]?(?:上一篇|上一条|上篇|前一篇)[】\]]?(?:\s*[:：]|\s|$)\s*")
NEXT_LABEL_RE = re.compile(r"^\s*[【\[]?(?:下一篇|下一条|下篇|后一篇)[】\]]?(?:\s*[:：]|\s|$)\s*")
CHAIN_END_RE = re.compile(
    r"^[(（\[【]?\s*(?:没有了|无|暂无|已经是第一篇|已是第一篇|已经是最后一篇|已是最后一篇|没有上一篇|没有下一篇)"
)
SHARE_LABEL_RE = re.compile(
    r"^(?:分享到|分享至|【?\s*打印|【?\s*关闭|【?\s*字体|相关文章|相关阅读|相关新闻)"
)
FOOTER_RE = re.compile(r"版权所有|Copyright|©|ICP备|ICP证|主办")
URL_IN_TEXT_RE = re.compile(r"https?://[^\s<>\"'，。；）)】\]\u3000-\u9fff]+")
TITLE_SPLIT_RE = re.compile(r"\s*(?:_|\||｜|--|——| - | – | — )\s*")
HTML_SPACE_RE = re.compile(r"[ \t\r\n\f]+")
UNDECODABLE_RE = re.compile(r"[\ufffd\x00-\x08\x0e-\x1f]")
PAGER_LABEL_RE = re.compile(
    r"^(?:下一页|上一页|下页|上页|后页|前页|尾页|末页|最后一页|首页|第一页|\d+|第\d+页|next|prev)$",
    re.IGNORECASE,
)
PAGER_FIRST_LABELS = frozenset({"首页", "第一页"})
PAGER_STRIP = " \t\r\n\u3000\xa0[]【】<>«»"
PAGE_SCRIPT_RE = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*\d+\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)"
)
NAV_UTILITY_RE = re.compile(r"设为首页|收藏|登录|注册|退出|English|手机版|RSS", re.IGNORECASE)
FOOTER_LINK_LABELS = frozenset(
    {
        "关于我们", "联系我们", "网站地图", "版权声明", "免责声明", "法律声明",
        "隐私政策", "广告服务", "投稿须知", "招聘信息", "友情链接", "网站简介",
        "本站简介", "意见反馈", "帮助中心", "会员服务",
    }
)  # fmt: skip
META_DATE_NAMES = (
    "article:published_time",
    "pubdate",
    "publishdate",
    "publish_date",
    "published_time",
    "og:release_date",
    "dc.date.issued",
    "dc.date",
    "date",
)

NAV_LINK_MAX_CHARS = 12  # a section name; longer link texts are article titles
ARTICLE_LINK_MIN_CHARS = 5  # an article title; shorter texts are menus, pagers, 更多
META_SCAN_TOKENS = 40  # how far after the title the meta line may start
META_VALUE_MAX_CHARS = 30  # a value in its own cell (来源：| 七一网); longer text is the body
META_LINE_MAX_CHARS = 80  # longer text holding a label or a date is a body paragraph
META_LABEL_NEAR = 10  # ...unless a label opens it (a long one-line meta line in old templates)
META_SKIP_TOKENS = 8  # subtitle / share tokens tolerated between the title and the meta line

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
     "object", "embed", "template", "head", "title", "meta", "link"}
)  # fmt: skip
PARAGRAPH_TAGS = frozenset({"p", "li", "h2", "h3", "h4", "h5", "h6", "dd", "blockquote"})
CLEAN_KEEP_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "sub", "sup", "img", "table", "thead", "tbody",
     "tr", "td", "th", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "a"}
)  # fmt: skip
CLEAN_KEEP_ATTRS = {"img": ("src", "alt"), "a": ("href",), "td": ("colspan", "rowspan"),
                    "th": ("colspan", "rowspan")}  # fmt: skip
IMAGE_SRC_ATTRS = ("src", "data-src", "data-original")  # lazy-loading templates move src
NON_PAGE_SCHEMES = frozenset({"javascript", "mailto", "tel", "data"})


class PageKind(StrEnum):
    ARTICLE = "article"
    LIST = "list"
    OTHER = "other"


@dataclass(frozen=True)
class SectionLink:
    name: str
    url: str


@dataclass(frozen=True)
class ChainLink:
    """One end of the 上一篇/下一篇 block; url None where the page says the chain ends (没有了)."""

    url: str | None
    title: str | None


@dataclass(frozen=True)
class MetaLine:
    date_raw: str | None
    author_raw: str | None
    source_raw: str | None
    source_url: str | None


@dataclass(slots=True)
class _Token:
    """A non-blank text node in document order, with the link and block it sits in."""

    text: str
    node: HtmlElement
    tail: bool
    link: HtmlElement | None
    block: HtmlElement
    line: int


def _squash(text: str) -> str:
    return " ".join(text.split())


def _similar(text: str, title: str) -> bool:
    """Same title, allowing for a template that truncates it with an ellipsis."""
    if text == title:
        return True
    short = text.rstrip(".…").strip()
    return len(short) >= 4 and short != text and title.startswith(short)


def _meta_like(text: str) -> bool:
    """A meta line piece: a label near its start, or a short text with a date (not a paragraph)."""
    text = text.strip()
    label = META_LABEL_RE.search(text)
    if label is not None and (label.start() < META_LABEL_NEAR or len(text) < META_LINE_MAX_CHARS):
        return True
    return len(text) < META_LINE_MAX_CHARS and DATE_RE.search(text) is not None


class _Page:
    """One walk over a response's body: tokens, lines and where each element starts and ends."""

    def __init__(self, response: TextResponse) -> None:
        # Not the response itself: the cache of walks is keyed on it weakly, and a walk that
        # held its response would keep every page of the crawl alive.
        self.base_url = get_base_url(response)
        self.host = urlsplit(response.url).hostname
        self.root: HtmlElement = response.selector.root
        body = self.root.find("body")
        self.body: HtmlElement = self.root if body is None else body
        self.tokens: list[_Token] = []
        self.lines: list[tuple[list[int], str]] = []
        self.start: dict[HtmlElement, int] = {}
        self.end: dict[HtmlElement, int] = {}
        self._line_tokens: list[int] = []
        self._line_pieces: list[str] = []
        self._walk(self.body, None, self.body)
        self._break()

    def _walk(self, el: HtmlElement, link: HtmlElement | None, block: HtmlElement) -> None:
        tag = el.tag
        if isinstance(tag, str) and tag not in SKIP_TAGS:
            self.start[el] = len(self.tokens)
            is_block = tag in BLOCK_TAGS
            if is_block or tag == "br":
                self._break()
            inner_link = el if tag == "a" else link
            inner_block = el if is_block else block
            if el.text:
                self._add(el.text, el, False, inner_link, inner_block)
            for child in el:
                self._walk(child, inner_link, inner_block)
            if is_block:
                self._break()
            self.end[el] = len(self.tokens)
        if el.tail and el is not self.body:
            self._add(el.tail, el, True, link, block)

    def _add(
        self, text: str, node: HtmlElement, tail: bool, link: HtmlElement | None, block: HtmlElement
    ) -> None:
        self._line_pieces.append(text)
        if text.strip():
            self._line_tokens.append(len(self.tokens))
            self.tokens.append(_Token(text, node, tail, link, block, len(self.lines)))

    def _break(self) -> None:
        if self._line_tokens:
            text = HTML_SPACE_RE.sub(" ", "".join(self._line_pieces)).strip()
            self.lines.append((self._line_tokens, text))
        self._line_tokens = []
        self._line_pieces = []

    # --- helpers -------------------------------------------------------------------------

    def url(self, href: str | None) -> str | None:
        """Absolute URL without fragment, or None for script/mail/anchor-only links."""
        if not href:
            return None
        href = href.strip()
        if not href or href.startswith("#") or href.split(":", 1)[0].lower() in NON_PAGE_SCHEMES:
            return None
        return urljoin(self.base_url, href).split("#", 1)[0]

    def same_host(self, url: str) -> bool:
        return urlsplit(url).hostname == self.host

    def link_text(self, a: HtmlElement) -> str:
        return _squash("".join(t for t in a.itertext() if t))

    def links(self) -> list[HtmlElement]:
        return [a for a in self.body.iter("a") if a in self.start and a.get("href")]

    # --- breadcrumb ----------------------------------------------------------------------

    @cached_property
    def breadcrumb(self) -> tuple[list[tuple[str, HtmlElement | None]], int, int]:
        """Segments (text, link) after the label, and the token range the breadcrumb covers."""
        for i, token in enumerate(self.tokens):
            match = BREADCRUMB_LABEL_RE.search(token.text)
            if match is None or len(token.text.strip()) > 200:
                continue
            container = token.node.getparent() if token.tail else token.node
            rest = token.text[match.end() :]
            for _ in range(4):
                if rest.strip() or self.end.get(container, 0) > i + 1:
                    break
                parent = container.getparent()
                if parent is None:
                    break
                container = parent
            stop = self.end.get(container, i + 1)
            items: list[tuple[str, HtmlElement | None]] = [(rest, None)]
            items += [(t.text, t.link) for t in self.tokens[i + 1 : stop]]
            segments: list[tuple[str, HtmlElement | None]] = []
            last_link: HtmlElement | None = None
            for text, link in items:
                if link is not None:
                    if link is last_link:
                        segments[-1] = (segments[-1][0] + text, link)
                    else:
                        segments.append((text, link))
                else:
                    segments += [(part, None) for part in BREADCRUMB_SEPARATOR_RE.split(text)]
                last_link = link
            cleaned = [(_squash(text).strip(">»＞→/ "), link) for text, link in segments]
            return [(text, link) for text, link in cleaned if text], i, stop
        return [], -1, -1

    def is_home_link(self, text: str, link: HtmlElement | None) -> bool:
        if text in HOME_LABELS:
            return True
        url = self.url(link.get("href")) if link is not None else None
        if url is None or not self.same_host(url):
            return False
        path = urlsplit(url).path
        return path in {"", "/"} or re.fullmatch(r"/(?:index|default)\.\w+", path) is not None

    # --- title ---------------------------------------------------------------------------

    @cached_property
    def title_parts(self) -> list[str]:
        element = self.root.find(".//title")
        text = _squash(element.text_content()) if element is not None else ""
        parts = TITLE_SPLIT_RE.split(text)
        return parts[:-1] if len(parts) > 1 else parts  # the last part names the site

    @cached_property
    def title(self) -> tuple[str | None, int, int]:
        """The title text and the token range it occupies (-1, -1 when it is not in the body)."""
        _, _, crumb_end = self.breadcrumb
        begin = max(crumb_end, 0)
        headings = [  # h1 first: a site logo in an h2 must not win over the article's h1
            el
            for tag in ("h1", "h2", "h3")
            for el in self.body.iter(tag)
            if el in self.start and self.start[el] >= begin
        ]
        for el in headings:
            text = self.link_text(el)
            if text and any(
                p and (_similar(text, p) or _similar(p, text)) for p in self.title_parts
            ):
                return text, self.start[el], self.end[el]
        for i in range(begin, len(self.tokens)):
            token = self.tokens[i]
            text = _squash(token.text)
            if (
                token.link is None
                and len(text) >= 4
                and any(p and (_similar(text, p) or _similar(p, text)) for p in self.title_parts)
            ):
                return text, i, i + 1
        meta_at = next(
            (
                i
                for i in range(begin, len(self.tokens))
                if META_LABEL_RE.search(self.tokens[i].text) or DATE_RE.search(self.tokens[i].text)
            ),
            len(self.tokens),
        )
        heading = next(
            (el for el in headings if self.start[el] < meta_at and self.link_text(el)), None
        )
        if heading is not None:
            return self.link_text(heading), self.start[heading], self.end[heading]
        if begin < meta_at < len(self.tokens):
            before = self.tokens[meta_at - 1]
            if before.link is None and before.line != self.tokens[meta_at].line:
                return _squash(before.text), meta_at - 1, meta_at
        return (self.title_parts[0] or None), -1, -1

    # --- meta line -----------------------------------------------------------------------

    @cached_property
    def meta_window(self) -> tuple[int, int]:
        """Token range of the meta line: the run of date/label tokens after the title."""
        _, _, title_end = self.title
        begin = title_end if title_end >= 0 else max(self.breadcrumb[2], 0)
        first = None
        for i in range(begin, min(begin + META_SCAN_TOKENS, len(self.tokens))):
            text = self.tokens[i].text
            if PREV_LABEL_RE.match(text) or NEXT_LABEL_RE.match(text):
                break
            if _meta_like(text):
                first = i
                break
            if i - begin >= META_SKIP_TOKENS or len(text.strip()) > 60:
                break
        if first is None:
            return begin, begin
        last = first
        pending = self._pending_label(first)
        for i in range(first + 1, len(self.tokens)):
            token = self.tokens[i]
            text = token.text
            if PREV_LABEL_RE.match(text) or NEXT_LABEL_RE.match(text):
                break
            if EDITOR_LINE_RE.match(text.strip()) and token.line != self.tokens[last].line:
                break
            meta_like = _meta_like(text)
            value_cell = pending and len(text.strip()) <= META_VALUE_MAX_CHARS
            if not (meta_like or value_cell or token.line == self.tokens[last].line):
                break
            last = i
            pending = self._pending_label(i)
        return first, last + 1

    def _pending_label(self, index: int) -> bool:
        """The token ends with a label whose value is in the next token (a separate cell)."""
        text = self.tokens[index].text.rstrip()
        labels = list(META_LABEL_RE.finditer(text))
        return (
            text.endswith((":", "："))
            and bool(labels)
            and labels[-1].lastgroup != "noise"
            and COLON_RE.fullmatch(text, labels[-1].end()) is not None
        )

    @cached_property
    def meta(self) -> dict[str, tuple[str | None, str | None]]:
        """Raw value and link URL per meta label kind (date, author, source, editor)."""
        first, stop = self.meta_window
        pieces: list[str] = []
        spans: list[tuple[int, int, _Token]] = []
        offset = 0
        for token in self.tokens[first:stop]:
            text = token.text.replace("\xa0", " ").replace("\u3000", " ")
            spans.append((offset, offset + len(text), token))
            pieces.append(text)
            offset += len(text) + 1
        line = " ".join(pieces)
        found: dict[str, tuple[str | None, str | None]] = {}
        for match in META_LABEL_RE.finditer(line):
            kind = match.lastgroup or "noise"
            if kind == "noise" or kind in found:
                continue
            value_start = COLON_RE.match(line, match.end()).end()  # type: ignore[union-attr]
            stop_match = META_NOISE_RE.search(line, value_start)
            value_end = stop_match.start() if stop_match else len(line)
            if kind != "date":
                date_match = DATE_RE.search(line, value_start, value_end)
                value_end = date_match.start() if date_match else value_end
            value = line[value_start:value_end].strip(" \t\r\n,，;；|")
            if kind == "date":
                date_match = DATE_RE.match(value)
                value = date_match.group().strip() if date_match else value
            url = None
            for begin, end, token in spans:
                if begin < value_end and end > value_start and token.link is not None:
                    url = self.url(token.link.get("href"))
                    break
            found[kind] = (value or None, url)
        if "date" not in found:
            date_match = DATE_RE.search(line)
            if date_match:
                found["date"] = (date_match.group().strip(), None)
        return found

    # --- prev/next chain -----------------------------------------------------------------

    def chain(self, label: re.Pattern[str]) -> tuple[ChainLink | None, int]:
        _, _, title_end = self.title
        for i in range(max(title_end, 0), len(self.tokens)):
            token = self.tokens[i]
            match = label.match(token.text)
            if match is None:
                continue
            rest = token.text[match.end() :].strip()
            if token.link is not None:
                return self._chain_link(token.link, rest or None), i
            if rest:
                return ChainLink(None, None), i
            for j in range(i + 1, min(i + 4, len(self.tokens))):
                after = self.tokens[j]
                if PREV_LABEL_RE.match(after.text) or NEXT_LABEL_RE.match(after.text):
                    break
                if after.link is not None:
                    return self._chain_link(after.link, None), i
                if after.text.strip(" \t\r\n\u3000\xa0:："):
                    break
            return ChainLink(None, None), i
        return None, -1

    def _chain_link(self, a: HtmlElement, text: str | None) -> ChainLink:
        title = _squash(text if text is not None else self.link_text(a))
        title = PREV_LABEL_RE.sub("", NEXT_LABEL_RE.sub("", title)).strip()
        url = self.url(a.get("href"))
        if not title or CHAIN_END_RE.match(title) or url is None:
            return ChainLink(None, None)
        full = _squash(a.get("title") or "")
        if full and _similar(title, full):
            title = full
        return ChainLink(url, title)

    @cached_property
    def prev(self) -> tuple[ChainLink | None, int]:
        return self.chain(PREV_LABEL_RE)

    @cached_property
    def next(self) -> tuple[ChainLink | None, int]:
        return self.chain(NEXT_LABEL_RE)

    # --- body ----------------------------------------------------------------------------

    @cached_property
    def body_range(self) -> tuple[int, int]:
        """Tokens between the meta line (or title) and the first thing that closes the body."""
        _, _, title_end = self.title
        begin = max(self.meta_window[1], title_end, 0)
        ends = [i for _, i in (self.prev, self.next) if i >= begin]
        stop = min(ends) if ends else len(self.tokens)
        for i in range(begin, stop):
            text = self.tokens[i].text.strip()
            if (
                ORIGINAL_LABEL_RE.match(text)
                or SELF_LINK_LABEL_RE.match(text)
                or SHARE_LABEL_RE.match(text)
                or (FOOTER_RE.search(text) and i > begin)
            ):
                return begin, i
        return begin, stop

    @cached_property
    def container(self) -> HtmlElement | None:
        """The element holding the most paragraph text inside the body range."""
        begin, stop = self.body_range
        scores: dict[HtmlElement, float] = {}
        for token in self.tokens[begin:stop]:
            if token.link is not None:
                continue
            length = len(token.text.strip())
            block = token.block
            holder = block.getparent() if block.tag in PARAGRAPH_TAGS else block
            if holder is None:
                continue
            scores[holder] = scores.get(holder, 0.0) + length
            parent = holder.getparent()
            if parent is not None:
                scores[parent] = scores.get(parent, 0.0) + length / 2
        return max(scores, key=scores.__getitem__) if scores else None

    @cached_property
    def body_lines(self) -> tuple[list[int], str | None]:
        """Indexes of the body's lines, and the closing editor line's value."""
        container = self.container
        if container is None:
            return [], None
        begin, stop = self.body_range
        title_text = self.title[0]
        kept: list[int] = []
        seen: set[int] = set()
        for token in self.tokens[
            max(begin, self.start[container]) : min(stop, self.end[container])
        ]:
            if token.line in seen:
                continue
            seen.add(token.line)
            indexes, text = self.lines[token.line]
            if indexes[0] < begin or text == title_text:
                continue
            if PREV_LABEL_RE.match(text) or NEXT_LABEL_RE.match(text) or SHARE_LABEL_RE.match(text):
                continue
            kept.append(token.line)
        for position in range(len(kept) - 1, max(len(kept) - 4, -1), -1):
            match = EDITOR_LINE_RE.match(self.lines[kept[position]][1])
            if match:
                del kept[position]
                return kept, match.group("value").strip() or None
        chain_at = min((i for _, i in (self.prev, self.next) if i >= 0), default=len(self.tokens))
        for line in sorted({t.line for t in self.tokens[self.end[container] : chain_at]}):
            match = EDITOR_LINE_RE.match(self.lines[line][1])
            if match:
                return kept, match.group("value").strip() or None
        return kept, None

    @cached_property
    def kept_tokens(self) -> set[int]:
        return {i for line in self.body_lines[0] for i in self.lines[line][0]}

    def image_url(self, img: HtmlElement) -> str | None:
        for attr in IMAGE_SRC_ATTRS:
            url = self.url(img.get(attr))
            if url:
                return url
        return None

    def in_body(self, el: HtmlElement) -> bool:
        """An element without text of its own (an image) lies between the body's kept lines."""
        lines = self.body_lines[0]
        if not lines:
            return False
        first = self.lines[lines[0]][0][0]
        last = self.lines[lines[-1]][0][-1]
        return first <= self.start.get(el, -1) <= last + 1

    def clean_html(self, el: HtmlElement) -> str:
        parts: list[str] = []
        if el.text and self._kept_text(el, False):
            parts.append(escape(el.text, quote=False))
        for child in el:
            if isinstance(child.tag, str) and child.tag not in SKIP_TAGS:
                parts.append(self._clean_element(child))
            if child.tail and self._kept_text(child, True):
                parts.append(escape(child.tail, quote=False))
        return "".join(parts)

    def _kept_text(self, node: HtmlElement, tail: bool) -> bool:
        index = self.token_index.get((node, tail))
        return index is not None and index in self.kept_tokens

    @cached_property
    def token_index(self) -> dict[tuple[HtmlElement, bool], int]:
        return {(t.node, t.tail): i for i, t in enumerate(self.tokens)}

    def _clean_element(self, el: HtmlElement) -> str:
        tag = el.tag
        if tag == "img":
            src = self.image_url(el)
            if src is None or not self.in_body(el):
                return ""
            alt = el.get("alt")
            alt_attr = f' alt="{escape(alt)}"' if alt else ""
            return f'<img src="{escape(src)}"{alt_attr}>'
        if tag == "br":
            return "<br>" if self.in_body(el) else ""
        inner = self.clean_html(el)
        if not inner.replace("<br>", "").strip():
            return ""
        if tag not in CLEAN_KEEP_TAGS:
            return inner
        attrs = ""
        for name in CLEAN_KEEP_ATTRS.get(tag, ()):
            value = el.get(name)
            if name == "href":
                value = self.url(value)
                if value is None:
                    return inner
            if value:
                attrs += f' {name}="{escape(value)}"'
        return f"<{tag}{attrs}>{inner}</{tag}>"


_pages: weakref.WeakKeyDictionary[TextResponse, _Page] = weakref.WeakKeyDictionary()


def _page(response: TextResponse) -> _Page:
    page = _pages.get(response)
    if page is None:
        page = _pages[response] = _Page(response)
    return page


# --- public functions ------------------------------------------------------------------------


def page_kind(response: TextResponse) -> PageKind:
    """Article: a title, a meta line and a prev/next block; a page cut short before its chain
    still counts when its meta line has labels (作者/来源), so the spider can see it is cut."""
    page = _page(response)
    first, stop = page.meta_window
    labelled_meta = any(META_LABEL_RE.search(t.text) for t in page.tokens[first:stop])
    has_chain = page.prev[0] is not None or page.next[0] is not None
    whole_or_cut = has_chain or (labelled_meta and not pagination_links(response))
    if page.title[1] >= 0 and page.meta and whole_or_cut:
        return PageKind.ARTICLE
    if article_links(response) and (page.breadcrumb[0] or pagination_links(response)):
        return PageKind.LIST
    return PageKind.OTHER


def navigation_sections(response: TextResponse) -> list[SectionLink]:
    """The home page's menu, sub-menus included: the short links around the 首页 link."""
    page = _page(response)
    links = page.links()
    crumb_begin, crumb_end = page.breadcrumb[1], page.breadcrumb[2]
    home = next(
        (
            a
            for a in links
            if page.link_text(a) in HOME_LABELS and not (crumb_begin <= page.start[a] < crumb_end)
        ),
        None,
    )
    if home is None:
        return []
    container = home
    while (parent := container.getparent()) is not None and parent is not page.body:
        texts = [page.link_text(a) for a in parent.iter("a")]
        own_text = sum(
            len(t.text.strip()) for t in page.tokens[page.start[parent] : page.end[parent]]
        )
        if any(len(t) > NAV_LINK_MAX_CHARS for t in texts) or own_text > 40 * max(len(texts), 1):
            break
        container = parent
    sections: list[SectionLink] = []
    seen: set[str] = set()
    for a in container.iter("a"):
        name = page.link_text(a) or _squash(a.get("title") or "")
        url = page.url(a.get("href"))
        if (
            not name
            or url is None
            or url in seen
            or not page.same_host(url)
            or page.is_home_link(name, a)
            or NAV_UTILITY_RE.search(name)
            or name in FOOTER_LINK_LABELS
        ):
            continue
        seen.add(url)
        sections.append(SectionLink(name, url))
    return sections


@dataclass(frozen=True)
class ListedArticle:
    """An article as a list page shows it: its URL and its (maybe shortened) title."""

    url: str
    title: str


def article_links(response: TextResponse) -> list[str]:
    """The list page's article titles: the run of long links nearest before the pagination, or
    the first after the breadcrumb; on the home page (no breadcrumb) every block's titles."""
    return [listed.url for listed in listed_articles(response)]


def listed_articles(response: TextResponse) -> list[ListedArticle]:
    """The articles a list page shows, each with the title it shows (first showing wins)."""
    page = _page(response)
    pager = set(_pager_anchors(page))
    crumb_begin, crumb_end = page.breadcrumb[1], page.breadcrumb[2]
    sections = {section.url for section in navigation_sections(response)}
    candidates = []
    titles: dict[str, str] = {}
    for a in page.links():
        text = page.link_text(a)
        url = page.url(a.get("href"))
        if (
            url is None
            or not page.same_host(url)
            or url in sections
            or a in pager
            or len(text) < ARTICLE_LINK_MIN_CHARS
            or text in FOOTER_LINK_LABELS
            or NAV_UTILITY_RE.search(text)
            or crumb_begin <= page.start[a] < crumb_end
        ):
            continue
        candidates.append((a, url))
        titles.setdefault(url, _squash(a.get("title") or "") or text)
    if not candidates:
        return []
    counts: dict[HtmlElement, int] = {}
    for a, _ in candidates:
        for ancestor in a.iterancestors():
            counts[ancestor] = counts.get(ancestor, 0) + 1
    groups: dict[HtmlElement, list[str]] = {}
    for a, url in candidates:
        group = next((anc for anc in a.iterancestors() if counts[anc] >= 2), a.getparent())
        groups.setdefault(group, []).append(url)
    pager_start = min((page.start[a] for a in pager), default=None)
    ordered = sorted(groups, key=lambda g: page.start.get(g, 0))
    if pager_start is not None:
        before = [g for g in ordered if page.start.get(g, 0) < pager_start]
        chosen = before[-1] if before else ordered[0]
    elif crumb_end < 0:  # the home page: every block of article links
        return [ListedArticle(url, titles[url]) for url in dict.fromkeys(u for _, u in candidates)]
    else:
        after = [g for g in ordered if page.start.get(g, 0) >= crumb_end and len(groups[g]) >= 2]
        chosen = after[0] if after else max(ordered, key=lambda g: len(groups[g]))
    return [ListedArticle(url, titles[url]) for url in dict.fromkeys(groups[chosen])]


def continuation_links(response: TextResponse) -> list[str]:
    """Further pages of an article split over several (第1页 2 3 下一页), in order; empty for a
    whole article."""
    return []


def _pager_anchors(page: _Page) -> list[HtmlElement]:
    labelled = [
        a for a in page.links() if PAGER_LABEL_RE.match(page.link_text(a).strip(PAGER_STRIP))
    ]
    parents = {
        a.getparent()
        for a in labelled
        if page.link_text(a).strip(PAGER_STRIP) not in PAGER_FIRST_LABELS
    }
    return [a for a in labelled if a.getparent() in parents and page.url(a.get("href")) is not None]


def pagination_links(response: TextResponse) -> list[str]:
    """Other list pages of this section: pager links, jump-menu options and scripted pagers."""
    page = _page(response)
    own = response.url.split("#", 1)[0]
    urls = [page.url(a.get("href")) for a in _pager_anchors(page)]
    for select in page.body.iter("select"):
        for option in select.iter("option"):
            if option.get("selected") is not None:
                continue
            value = (option.get("value") or "").strip()
            if re.search(r"\.s?html?|\.asp|\.jsp|\.php|[?&]page=|/", value):
                urls.append(page.url(value))
    for script in page.body.iter("script"):
        match = PAGE_SCRIPT_RE.search(script.text or "")
        if match:
            count, stem, ext = int(match[1]), match[2], match[3]
            urls += [page.url(f"{stem}_{n}.{ext}") for n in range(1, count)]
            urls.append(page.url(f"{stem}.{ext}"))
    return [u for u in dict.fromkeys(urls) if u and u != own and page.same_host(u)]


def title(response: TextResponse) -> str | None:
    return _page(response).title[0]


def breadcrumb(response: TextResponse) -> list[str]:
    return [text for text, _ in _page(response).breadcrumb[0]]


def section_path(response: TextResponse) -> list[str]:
    """Breadcrumb minus 首页 and minus a closing 正文 or the article's own title."""
    page = _page(response)
    segments = list(page.breadcrumb[0])
    if segments and page.is_home_link(*segments[0]):
        segments = segments[1:]
    own_title = page.title[0]
    if segments:
        last = segments[-1][0]
        if last in BREADCRUMB_TAIL_LABELS or (
            len(segments) > 1 and own_title and page.title[1] >= 0 and _similar(last, own_title)
        ):
            segments = segments[:-1]
    return [text for text, _ in segments]


def section(response: TextResponse) -> str | None:
    path = section_path(response)
    return path[-1] if path else None


def meta_line(response: TextResponse) -> MetaLine:
    meta = _page(response).meta
    date, _ = meta.get("date", (None, None))
    author, _ = meta.get("author", (None, None))
    source, source_url = meta.get("source", (None, None))
    return MetaLine(date, author, source, source_url)


def meta_date(response: TextResponse) -> str | None:
    """The publication date some templates also put in <meta> tags."""
    contents: dict[str, str] = {}
    for meta in _page(response).root.iter("meta"):
        name = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = (meta.get("content") or "").strip()
        if name and content:
            contents.setdefault(name, content)
    return next((contents[name] for name in META_DATE_NAMES if name in contents), None)


def body_paragraphs(response: TextResponse) -> list[str]:
    """The body's lines; the cells of one table row make one paragraph, joined by a space."""
    page = _page(response)
    paragraphs: list[str] = []
    last_cell: HtmlElement | None = None
    for line in page.body_lines[0]:
        indexes, text = page.lines[line]
        cell = page.tokens[indexes[0]].block
        next_cell_in_row = (
            last_cell is not None
            and cell is not last_cell
            and cell.tag in {"td", "th"}
            and cell.getparent() is last_cell.getparent()
        )
        if next_cell_in_row:
            paragraphs[-1] += " " + text
        else:
            paragraphs.append(text)
        last_cell = cell
    return paragraphs


def body_html(response: TextResponse) -> str:
    page = _page(response)
    if page.container is None:
        return ""
    html = page.clean_html(page.container).strip(" \t\r\n")
    return re.sub(r"^(?:<br>\s*)+|(?:<br>\s*)+$", "", html)


def body_images(response: TextResponse) -> list[str]:
    page = _page(response)
    if page.container is None:
        return []
    urls = (page.image_url(img) for img in page.container.iter("img") if page.in_body(img))
    return list(dict.fromkeys(url for url in urls if url))


def editor(response: TextResponse) -> str | None:
    """The closing 责任编辑 line's value, else an editor given in the meta line."""
    page = _page(response)
    return page.body_lines[1] or page.meta.get("editor", (None, None))[0]


def original_url(response: TextResponse) -> str | None:
    """Where the article was first published: the 原文链接 link or the URL written after it."""
    page = _page(response)
    for i, token in enumerate(page.tokens):
        match = ORIGINAL_LABEL_RE.search(token.text)
        if match is None or match.start() > 4:
            continue
        if token.link is not None:
            return page.url(token.link.get("href"))
        written = URL_IN_TEXT_RE.search(token.text, match.end())
        if written:
            return written.group()
        for after in page.tokens[i + 1 : i + 3]:
            if after.link is not None:
                return page.url(after.link.get("href"))
            written = URL_IN_TEXT_RE.search(after.text)
            if written:
                return written.group()
    return None


def prev_link(response: TextResponse) -> ChainLink | None:
    page = _page(response)
    link = page.prev[0]
    if link is None and page.next[0] is not None:
        return ChainLink(None, None)
    return link


def next_link(response: TextResponse) -> ChainLink | None:
    page = _page(response)
    link = page.next[0]
    if link is None and page.prev[0] is not None:
        return ChainLink(None, None)
    return link


def incomplete_reason(response: TextResponse) -> str | None:
    """Why an article page is not whole (a 200 cut short, or garbage), or None."""
    page = _page(response)
    text = response.text
    if len(UNDECODABLE_RE.findall(text)) > max(len(text) // 100, 3):
        return "undecodable text"
    if not page.title[0]:
        return "empty title"
    if page.prev[0] is None and page.next[0] is None:
        return "no prev/next block"
    chain_at = max(page.prev[1], page.next[1])
    if not any(FOOTER_RE.search(t.text) for t in page.tokens[chain_at:]):
        return "no footer"
    tail = response.body[-4096:].lower()
    if b"</html>" not in tail and b"</body>" not in tail:
        return "no closing </html>"
    return None


def parse_article(response: TextResponse, fetched_at: datetime) -> Article:
    """Every raw field of an article; the pipelines normalise them."""
    meta = meta_line(response)
    prev = prev_link(response) or ChainLink(None, None)
    following = next_link(response) or ChainLink(None, None)
    paragraphs = body_paragraphs(response)
    return Article(
        url=response.url.split("#", 1)[0],
        fetched_at=fetched_at,
        title=title(response),
        section=section(response),
        section_path=section_path(response),
        body="\n".join(paragraphs) if paragraphs else None,
        body_html=body_html(response) or None,
        images=body_images(response),
        original_url=original_url(response),
        prev_url=prev.url,
        prev_title=prev.title,
        next_url=following.url,
        next_title=following.title,
        date_raw=meta.date_raw,
        meta_date_raw=meta_date(response),
        author_raw=meta.author_raw,
        source_raw=meta.source_raw,
        source_url=meta.source_url,
        editor_raw=editor(response),
    )
