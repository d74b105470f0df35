"""The meta line: date, author, source (with its link), editor and update time.

Found by its labels wherever the template puts it: right under the title (one line, spans,
table cells), or below the body. Label spellings live in the vocabulary module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xzcrawler.parsing.chain import is_chain_label
from xzcrawler.parsing.heading import breadcrumb, title
from xzcrawler.parsing.page import Page, Token, memoised, squash
from xzcrawler.parsing.vocabulary import (
    AUTHOR_LABELS,
    DATE_LABELS,
    EDITOR_LABELS,
    FOOTER_LINE_WORDS,
    FOOTER_WORDS,
    NOISE_LABELS,
    SOURCE_BARE_LABELS,
    SOURCE_LABELS,
    UPDATED_AS_DATE_LABELS,
    UPDATED_LABELS,
    spaced,
)

COLON = r"[\s\u3000\xa0]*[:：]"
COLON_RE = re.compile(COLON)
DATE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:\s*\d{1,2}\s*[:：时]\s*\d{1,2}(?:\s*[:：分]\s*\d{1,2}\s*秒?)?)?"
)
META_LABEL_RE = re.compile(
    rf"(?:(?P<updated>{spaced(*UPDATED_LABELS)})|(?P<date>{spaced(*DATE_LABELS)})"
    rf"|(?P<source>{spaced(*SOURCE_LABELS)})|(?P<editor>{spaced(*EDITOR_LABELS)})"
    rf"|(?P<author>{spaced(*AUTHOR_LABELS)})|(?P<noise>{spaced(*NOISE_LABELS)}))(?={COLON})"
    # 本文来源于北京商报: a label ending in a preposition needs no colon
    rf"|(?P<source_bare>{'|'.join(SOURCE_BARE_LABELS)})(?=\s*[^\s:：]|$)"
)
# Every meta label is followed by a colon, unless it runs into its value (本文来源于); every date
# holds a year: a token with neither is no piece of a meta line.
LABEL_HINTS = (":", "：", "来源于", "转载自", "转自", "摘自")
YEAR_RE = re.compile(r"(?:19|20)\d{2}")
LABEL_KINDS = {"source_bare": "source"}
# Where a value ends: the next label (known, or any short word with a colon after a space),
# page furniture, a bracket that opens more furniture.
VALUE_END_RE = re.compile(
    r"[【\[|｜]|打印|关闭窗口|关闭本页|分享到|收藏|字号|字体|(?<=\s)[\u4e00-\u9fff]{2,6}[\s\u3000]*[:：]|"
    + META_LABEL_RE.pattern
)
UPDATED_AS_DATE_RE = re.compile(spaced(*UPDATED_AS_DATE_LABELS))
EDITOR_LINE_RE = re.compile(
    rf"^[(（\[【]?\s*(?:{spaced(*EDITOR_LABELS)}){COLON}\s*(?P<value>[^)）\]】]*)"
)
SEPARATORS_RE = re.compile(r"[\s|｜/\\·•,，、\[\]【】]+")
OPEN_BRACKETS = {"【": "】", "[": "]", "（": "）", "(": ")", "《": "》", "「": "」", "〔": "〕"}
BRACKET_CHARS = " " + "".join(OPEN_BRACKETS) + "".join(OPEN_BRACKETS.values())
CLOSING_BRACKETS = frozenset(OPEN_BRACKETS.values())
OPENER = {closer: opener for opener, closer in OPEN_BRACKETS.items()}
EDGE_CHARS = " \t\r\n,，;；|｜/"

FOOTER_RE = re.compile("|".join(map(re.escape, FOOTER_WORDS)))
FOOTER_LINE_RE = re.compile("|".join(map(re.escape, FOOTER_LINE_WORDS)))
FOOTER_LINE_MAX_CHARS = 40
FOOTER_MAX_CHARS = 200
META_SCAN_TOKENS = 40  # how far after the title the meta line may start
META_SKIP_TOKENS = 8  # subtitle / share tokens tolerated between the title and the meta line
META_VALUE_MAX_CHARS = 30  # a value in its own cell (来源：| 七一网); longer text is the body
VALUE_CELL_TAGS = frozenset({"td", "th", "dd", "li"})
META_CELL_MAX_CHARS = 80  # ...unless the cell holds nothing else (a long publisher's name)
META_LINE_MAX_CHARS = 80  # longer text holding one label or a date is a body paragraph...
SENTENCE_MIN_CHARS = 12
SENTENCE_ENDS = ("。", "！", "？", "；", "”")
TIME_RE = re.compile(r"\d{1,2}\s*[:：]\s*\d{1,2}(?:\s*[:：]\s*\d{1,2})?")
NUMBER_RE = re.compile(r"[\d,，.万次kK+ ]{1,12}")
META_LABEL_NEAR = 10  # ...unless a label opens it, or a date does, or it holds several labels


@dataclass(frozen=True)
class MetaLine:
    date_raw: str | None
    author_raw: str | None
    source_raw: str | None
    source_url: str | None


def _label_hint(text: str) -> bool:
    """Every meta label is followed by a colon, unless it runs into its value (本文来源于). Asked
    with `in`, which scans a long paragraph many times faster than a pattern's alternation."""
    return any(hint in text for hint in LABEL_HINTS)


def meta_like(text: str) -> bool:
    """A meta line piece: labels in meta-line positions, or a short text with a date."""
    text = text.strip()
    if not _label_hint(text) and not (  # most tokens: body text without a colon or a year
        ("19" in text or "20" in text) and YEAR_RE.search(text)
    ):
        return False
    labels = [m for m in META_LABEL_RE.finditer(text) if m.lastgroup != "noise"]
    if labels:
        return (
            labels[0].start() < META_LABEL_NEAR
            or len(text) < META_LINE_MAX_CHARS
            or len(labels) >= 2
            or DATE_RE.match(text) is not None
        )
    if META_LABEL_RE.search(text) and len(text) < META_LINE_MAX_CHARS:
        return True
    return len(text) < META_LINE_MAX_CHARS and DATE_RE.search(text) is not None


def labelled(text: str) -> bool:
    """Holds a label of a field we read (not only a date, an editor or a hit counter)."""
    return _label_hint(text) and any(
        m.lastgroup not in {"noise", "editor"} for m in META_LABEL_RE.finditer(text)
    )


def _sentence(text: str) -> bool:
    """Body text, not a subtitle or a widget: the meta line is not further down."""
    text = text.strip()
    return len(text) >= SENTENCE_MIN_CHARS and text.endswith(SENTENCE_ENDS)


def _pending_label(page: Page, index: int) -> str | None:
    """The kind of a label that ends the token, its value in the next token (a cell of its
    own), or None."""
    text = page.tokens[index].text.rstrip()
    if not text.endswith((":", "：")):
        return None
    labels = list(META_LABEL_RE.finditer(text))
    if labels and COLON_RE.fullmatch(text, labels[-1].end()):
        return labels[-1].lastgroup
    return None


def _value_cell(token: Token, label: Token, kind: str | None) -> bool:
    """The value of a label in the cell before (<td>来源：</td><td>新华网</td>): the next cell,
    a counter's number after a counter's label; never a sentence of the body."""
    text = token.text.strip()
    if (
        kind is None
        or text.endswith(SENTENCE_ENDS)
        or token.block.tag not in VALUE_CELL_TAGS
        or token.block.getprevious() is not label.block
    ):
        return False
    if kind == "noise":
        return NUMBER_RE.fullmatch(text) is not None
    return len(text) <= META_CELL_MAX_CHARS


def _extend(page: Page, first: int) -> int:
    """The end of the run of meta tokens that starts at `first`."""
    last = first
    pending = _pending_label(page, first)
    for i in range(first + 1, len(page.tokens)):
        token = page.tokens[i]
        text = token.text
        if is_chain_label(text):
            break
        if EDITOR_LINE_RE.match(text.strip()) and token.line != page.tokens[last].line:
            break
        value_cell = _value_cell(token, page.tokens[last], pending)
        if not (meta_like(text) or value_cell or token.line == page.tokens[last].line):
            break
        last = i
        pending = _pending_label(page, i)
    return last + 1


@memoised
def meta_window(page: Page) -> tuple[int, int]:
    """Token range of the meta line under the title (empty where there is none there). Widgets
    (字体：大 中 小, 分享到：) and a repeated title may stand between the two."""
    own_title, _, title_end = title(page)
    begin = title_end if title_end >= 0 else max(breadcrumb(page)[2], 0)
    skipped = 0
    i = begin
    while i < min(begin + META_SCAN_TOKENS, len(page.tokens)):
        text = page.tokens[i].text
        if is_chain_label(text):
            break
        if meta_like(text):
            stop = _extend(page, i)
            if any(labelled(t.text) or DATE_RE.search(t.text) for t in page.tokens[i:stop]):
                return i, stop
            i = stop  # only widgets: the meta line may follow
            continue
        if squash(text) != own_title:
            skipped += 1
            if skipped > META_SKIP_TOKENS or len(text.strip()) > 60 or _sentence(text):
                break
        i += 1
    return begin, begin


def lower_meta(page: Page, begin: int, end: int) -> tuple[int, int] | None:
    """The token range of a labelled meta line below the body: the last run of lines before
    `end` (the chain block or the footer) holding labels of the fields we read, their values in
    cells of their own, and dates; widget and footer-link lines after it are passed over."""
    lines = page.lines
    found: tuple[int, int] | None = None
    passed_editor = False
    index = page.tokens[end - 1].line if end > begin else -1
    while index >= 0 and lines[index].tokens[0] >= begin:
        line = lines[index]
        text = line.text
        before = lines[index - 1].text if index > 0 else ""
        value_cell = (
            len(text) <= META_CELL_MAX_CHARS
            and before.endswith((":", "："))
            and page.tokens[line.tokens[0]].block.tag in VALUE_CELL_TAGS
        )
        if EDITOR_LINE_RE.match(text):
            # the body's closing editor line: the body ends there; a meta line may stand just
            # above it (来源：新闻晨报 / 编辑：山石), so only the first one is passed over
            if found is not None or passed_editor:
                break
            passed_editor = True
            index -= 1
            continue
        if (
            (labelled(text) and meta_like(text))
            or (value_cell and labelled(before))
            or (found is None and _lone_date(page, index))
            or (found is None and _date_after_labels(text, before))
            or (found is not None and meta_like(text) and len(text) <= META_VALUE_MAX_CHARS)
        ):
            found = (line.tokens[0], found[1] if found else line.tokens[-1] + 1)
        elif found is not None or not (
            _furniture(page, line.tokens, text) or footer_text(text)
        ):  # before the meta line is found: widgets, footer links and the footer's own lines
            break
        index -= 1
    return found


def _date_after_labels(text: str, before: str) -> bool:
    """A date on a line of its own right after a labelled meta line (作者：X / 2020-10-18)."""
    return (
        len(text) <= META_VALUE_MAX_CHARS
        and DATE_RE.match(text) is not None
        and labelled(before)
        and meta_like(before)
    )


def _lone_date(page: Page, index: int) -> bool:
    """A line that opens with a date (a hit counter may follow), in a block of its own after
    the body (not a notice's closing date inside it)."""
    line = page.lines[index]
    text = line.text.strip(BRACKET_CHARS)
    if index == 0 or not (DATE_RE.match(text) and meta_like(text)):
        return False
    block = page.tokens[line.tokens[0]].block
    previous = page.tokens[page.lines[index - 1].tokens[-1]].block
    # the line before ends a block of several lines (a body split by <br>): the date is after it
    spans_lines = index >= 2 and page.tokens[page.lines[index - 2].tokens[-1]].block is previous
    return block is not previous and (
        block.tag in VALUE_CELL_TAGS or block.getparent() is not previous.getparent() or spans_lines
    )


def footer_text(text: str) -> bool:
    """A footer's text: 版权所有, ICP备 …; 主办单位 and the like only in a short line of its own."""
    if len(text) >= FOOTER_MAX_CHARS:
        return False
    return FOOTER_RE.search(text) is not None or (
        len(text) < FOOTER_LINE_MAX_CHARS and FOOTER_LINE_RE.search(text) is not None
    )


def _furniture(page: Page, tokens: list[int], text: str) -> bool:
    """A line between the body and a meta line below it: a widget, or a row of links."""
    return len(text) <= 12 or all(
        page.tokens[i].link is not None or not SEPARATORS_RE.sub("", page.tokens[i].text)
        for i in tokens
    )


def _tokens_text(tokens: list[Token]) -> tuple[str, list[tuple[int, int, Token]]]:
    pieces: list[str] = []
    spans: list[tuple[int, int, Token]] = []
    offset = 0
    for token in tokens:
        text = token.text.replace("\xa0", " ").replace("\u3000", " ")
        spans.append((offset, offset + len(text), token))
        pieces.append(text)
        offset += len(text) + 1
    return " ".join(pieces), spans


def _value(line: str, start: int) -> tuple[int, int]:
    """The span of a label's value: a bracketed value whole, else up to what ends it."""
    while start < len(line) and line[start] in " \t":
        start += 1
    closer = OPEN_BRACKETS.get(line[start : start + 1])
    if closer:
        end = line.find(closer, start + 1)
        if end > start:
            return start + 1, end
    stop = VALUE_END_RE.search(line, start)
    return start, stop.start() if stop else len(line)


def _balanced(value: str) -> str:
    """A value without the closing bracket of a bracket opened before its label (（编辑：X）)."""
    while value and value[-1] in CLOSING_BRACKETS and OPENER[value[-1]] not in value:
        value = value[:-1].rstrip()
    return value


def _token_end(spans: list[tuple[int, int, Token]], start: int, end: int) -> int:
    """A publisher ends with the element it is written in: 来源：<a>求是网</a>参与互动 is 求是网,
    中国新闻网<span>王帆</span> is 中国新闻网."""
    for begin, stop, token in spans:
        if stop > start and token.text[max(start - begin, 0) :].strip():
            return min(stop, end)
    return end


def read_labels(page: Page, tokens: list[Token]) -> dict[str, tuple[str | None, str | None]]:
    """Raw value and link URL per label kind found in these tokens (first of a kind wins)."""
    line, spans = _tokens_text(tokens)
    found: dict[str, tuple[str | None, str | None]] = {}
    taken: list[tuple[int, int]] = []
    for match in META_LABEL_RE.finditer(line):
        kind = LABEL_KINDS.get(match.lastgroup or "", match.lastgroup or "noise")
        if kind == "noise" or kind in found:
            continue
        colon = COLON_RE.match(line, match.end())
        value_start, value_end = _value(line, colon.end() if colon else match.end())
        if kind == "source":
            value_end = _token_end(spans, value_start, value_end)
        if kind not in {"date", "updated"}:
            date_match = DATE_RE.search(line, value_start, value_end)
            value_end = date_match.start() if date_match else value_end
        value = _balanced(line[value_start:value_end].strip(EDGE_CHARS))
        if kind in {"date", "updated"}:
            date_match = DATE_RE.search(line, value_start, value_end)
            if date_match:  # the first date is the value; a second one is another field's
                value, value_end = date_match.group().strip(), date_match.end()
        taken.append((match.start(), value_end))
        url = None
        for begin, end, token in spans:
            if begin < value_end and end > value_start and token.link is not None:
                url = page.link_url(token.link.get("href"))
                break
        found[kind] = (value or None, url)
    if "date" not in found:
        for date_match in DATE_RE.finditer(line):
            if not any(a <= date_match.start() < b for a, b in taken):
                found["date"] = (date_match.group().strip(), None)
                break
    if "date" not in found and UPDATED_AS_DATE_RE.search(line) and "updated" in found:
        found["date"] = found["updated"]  # 更新时间 as the only date (动易 PowerEasy)
    return found


# A publisher's name as meta lines print it without a label: a paper, site, agency, station or
# app (光明网, 北京娱乐信报, 《理财周刊》, 新华社, 央视新闻客户端), nothing else on its token.
PUBLISHER_NAME_RE = re.compile(
    r"《?[\u4e00-\u9fffA-Za-z0-9·]{1,18}(?:报|网|社|(?<!平)台|刊|志|新闻|客户端|频道)》?"
)
UNLABELLED_SOURCE_TOKENS = 3  # how far after the date an unlabelled publisher may stand
SPACE_CHARS = " \t\r\n\xa0\u3000\u2002\u2003"


UNLABELLED_SOURCE_ABOVE_TOKENS = 3  # how far above the date an unlabelled publisher may stand
UNLABELLED_SOURCE_ABOVE_CHARS = 12


def source_above(page: Page, first: int) -> tuple[str, str | None] | None:
    """A publisher printed on a line of its own between the title and the meta line's date
    without a label (凤凰网: 中国新闻网 / 下载客户端 / 2019年02月20日 02:26:00)."""
    begin = max(title(page)[2], first - UNLABELLED_SOURCE_ABOVE_TOKENS, 0)
    for token in page.tokens[begin:first]:
        text = token.text.strip(SPACE_CHARS)
        line = page.lines[token.line]
        if (
            len(text) <= UNLABELLED_SOURCE_ABOVE_CHARS
            and line.text.strip(SPACE_CHARS) == text
            and PUBLISHER_NAME_RE.fullmatch(text)
        ):
            link = token.link
            return text.strip("《》"), page.link_url(link.get("href")) if link is not None else None
    return None


def unlabelled_source(page: Page, first: int, stop: int) -> tuple[str, str | None] | None:
    """A publisher printed after the meta line's date without a label (2022-02-13 09:57 光明网),
    on the date's line or the next: read only where no label names the source."""
    for date_at in range(first, stop):
        date = DATE_RE.search(page.tokens[date_at].text)
        if date is not None:
            break
    else:
        return None
    date_token = page.tokens[date_at]
    # what follows the date in its own token, then the tokens after it
    texts = [(date_token.text[date.end() :], None)] + [
        (token.text, token)
        for token in page.tokens[date_at + 1 : date_at + 1 + UNLABELLED_SOURCE_TOKENS]
        if token.line <= date_token.line + 1
    ]
    for raw, token in texts:
        text = raw.strip(SPACE_CHARS + "|｜")
        if not text or TIME_RE.fullmatch(text):
            continue
        if not PUBLISHER_NAME_RE.fullmatch(text):
            return None
        link = token.link if token is not None else None
        return text.strip("《》"), page.link_url(link.get("href")) if link is not None else None
    return None


META_DATE_NAMES = (
    "article:published_time", "pubdate", "publishdate", "publish_date", "published_time",
    "og:release_date", "dc.date.issued", "dc.date", "date", "firstpublishedtime",
)  # fmt: skip


def meta_date(page: Page) -> str | None:
    """The publication date some templates also put in <meta> tags."""
    contents: dict[str, str] = {}
    for element in page.head.iter("meta"):
        name = (
            element.get("property") or element.get("name") or element.get("itemprop") or ""
        ).lower()
        content = (element.get("content") or "").strip()
        if name and content:
            contents.setdefault(name, content)
    return next((contents[name] for name in META_DATE_NAMES if name in contents), None)
