"""The article's body: the densest run of paragraphs between the title and the prev/next block,
footer or a meta line below it, with bylines, credits, captions, editor lines and widgets taken
out into their own fields (docs/interface.md, the body rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from xzcrawler.parsing.chain import (
    NEXT_LABEL_RE,
    ORIGINAL_LABEL_RE,
    PREV_LABEL_RE,
    chain_start,
)
from xzcrawler.parsing.heading import title
from xzcrawler.parsing.meta import EDITOR_LINE_RE, footer_text, lower_meta, meta_window
from xzcrawler.parsing.page import BLOCK_TAGS, Element, Line, Page, memoised
from xzcrawler.parsing.vocabulary import (
    CAPTION_OPENERS,
    CREDIT_ROLES,
    NOT_NAMES,
    SELF_LINK_LABELS,
    WIDGET_WORDS,
    WRITER_ROLES,
)

PARAGRAPH_TAGS = frozenset({"p", "li", "h2", "h3", "h4", "h5", "h6", "dd", "blockquote"})
SELF_LINK_LABEL_RE = re.compile(rf"^(?:{'|'.join(SELF_LINK_LABELS)})")
# What closes the body: share and print widgets, related lists, tag lines, disclaimers.
SHARE_LABEL_RE = re.compile(
    r"^(?:分享到|分享至|【?\s*打\s*印|【?\s*关\s*闭|【?\s*字体|相关文章|相关阅读|相关新闻|相关链接"
    r"|推荐阅读|相关热词搜索|(?:关键字|关键词|标签|Tags?|TAG)\s*[:：]|-{3,}\s*分隔线|若本站收录|免责声明"
    r"|更多.{0,40}请关注"
    # a related list's heading on a line of its own (相关报道：, 延伸阅读)
    r"|(?:相关报道|延伸阅读|扩展阅读|相关推荐|热点推荐|热门推荐|猜你喜欢)\s*[:：]?\s*$)"
)
_ROLE = rf"(?:{'|'.join(sorted({*WRITER_ROLES, *CREDIT_ROLES}, key=len, reverse=True))})"
# A credited name: no separator, colon or bracket, and no sentence punctuation (记者：…？ in an
# interview is a question, not a credit).
_NAME_CHAR = r"[^\s/／:：|｜【】\[\]()（）。？！?!，；]"
# ...and the names after it up to the next role (作者：上官云 宋宇晟; 文/张三 摄影/李四).
_NAME = (
    rf"{_NAME_CHAR}{{1,20}}"
    rf"(?:[ \u3000](?!{_ROLE}(?:[/／:：\s]|$)){_NAME_CHAR}{{1,10}}){{0,3}}"
)
# One credit: 文/张三, 摄影：李四, 记者 王五, 编辑/赵六.
CREDIT_RE = re.compile(
    rf"(?P<role>{_ROLE})\s*(?:[/／:：]|\s)\s*(?P<names>{_NAME})(?=$|[\s|｜,，;；】\])）])"
)
CREDITS_LINE_RE = re.compile(
    rf"^[\s(（\[【]*(?:{CREDIT_RE.pattern}[\s|｜,，;；、]*)+[\s)）\]】]*$".replace(
        "(?P<role>", "(?:"
    ).replace("(?P<names>", "(?:")
)
# Where a reprinted article first appeared in print: a credit line, not a paragraph.
PRINT_CREDIT_RE = re.compile(
    r"^[（(]?\s*(?:来源[:：])?《[^》]{2,15}》\s*[（(]?\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"\s*(?:第?\s*\d{1,3}\s*版)?\s*[）)]?\s*[）)]?$"
)
EDITOR_ROLE_RE = re.compile(r"^(?:责任编辑|编辑|责编)$")
WRITER_RE = re.compile(rf"^(?:{'|'.join(sorted(WRITER_ROLES, key=len, reverse=True))})$")
CAPTION_END_RE = re.compile(r"(?:摄|供图|摄影|图片来源[:：].{1,20})[)）]?$")
_WIDGET_WORD = "|".join(sorted(map(re.escape, WIDGET_WORDS), key=len, reverse=True))
WIDGET_RE = re.compile(rf"^(?:[\s【\[(（]*(?:{_WIDGET_WORD})[\s】\])）:：|｜]*)+$")
_PAGER_WORD = (
    r"上一页|下一页|首页|尾页|末页|第\s*\d+\s*页|共\s*\d+\s*页|\[\s*\d+\s*\]\s*\[\s*\d+\s*\]"
)
# A pager inside the article (第1页 2 3 下一页, 第1页/共1页 << 上一页 | 下一页 >>): pager words
# and page numbers only.
PAGER_LINE_RE = re.compile(
    rf"^(?=.*(?:{_PAGER_WORD}))"
    rf"(?:[\s\[【/|｜<«‹]*(?:{_PAGER_WORD}|\d+|全文|阅读全文)[\s\]】:：/|｜>»›]*)+$"
)
# Furniture lines no paragraph is: one character alone (a vertical label 今/日/推/荐, printed a
# character a cell), topic tags and mentions only (#大家健康超能团# @大家健康).
FURNITURE_LINE_RE = re.compile(r"^\s*\S\s*$|^(?:\s*(?:#[^#\n]{1,30}#|@[^\s@#]{1,30}))+\s*$")
# Lines dropped from the body whole: chain labels, share and print widgets, pagers, print
# credits. One pattern, so that a paragraph of the body is tried once, not once per form; the
# pager's apart (`dropped_line`): its lookahead scans the whole line, and only a line holding
# 页 or [ (every pager word holds one) needs it.
DROPPED_LINE_RE = re.compile(
    "|".join(
        f"(?:{pattern.pattern})"
        for pattern in (
            PREV_LABEL_RE, NEXT_LABEL_RE, SHARE_LABEL_RE, WIDGET_RE, PRINT_CREDIT_RE,
            FURNITURE_LINE_RE,
        )
    )
)  # fmt: skip


def dropped_line(text: str) -> bool:
    """A line dropped from the body whole (DROPPED_LINE_RE, or a pager line)."""
    return DROPPED_LINE_RE.match(text) is not None or (
        ("页" in text or "[" in text) and PAGER_LINE_RE.match(text) is not None
    )


# What closes the body: 原文链接, 本文链接, a share or print widget, a related list.
CLOSES_BODY_RE = re.compile(
    "|".join(
        f"(?:{pattern.pattern})"
        for pattern in (ORIGINAL_LABEL_RE, SELF_LINK_LABEL_RE, SHARE_LABEL_RE)
    )
)
# A Chinese personal name as bylines print it: two to four characters, or a minority name
# written with a middle dot (阿不都·热合曼).
_PERSON = r"(?:[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff·]{1,12})"
# ...several, never the place of a 某地报道 that may follow them
_PERSONS = rf"{_PERSON}(?:[\s、，,\u3000]+(?![\u4e00-\u9fff]{{0,6}}报道){_PERSON}){{0,5}}"
# A line that is only a reporters' byline, the paper or channel before 记者 (光明日报记者 王建宏
# 张文攀, □ 本报记者 葛灵丹, 新京报记者 彭冲 山东冠县报道, 河南商报记者马俊峰/文 受访者供图).
REPORTER_LINE_RE = re.compile(
    r"^[\s□■●◆◇▲△○◎]*[(（【\[]?\s*[^\s，。；：:？！、()（）【】]{0,16}?\s*(?:记者|通讯员|实习生)"
    rf"\s*[:：]?\s*(?P<names>{_PERSONS})(?:\s*/\s*文)?"
    r"(?:[\s\u3000]+[\u4e00-\u9fff]{2,8}报道|[\s\u3000]*[\u4e00-\u9fff]{0,6}供图)?\s*[)）】\]]?\s*$"
)
# A line that is only names in brackets, after the last paragraph: （袁源）, （姚峰 上海报道）.
CLOSING_NAMES_LINE_RE = re.compile(
    rf"^\s*[（(]\s*(?P<names>{_PERSONS}?)(?:[\s\u3000]+[\u4e00-\u9fff]{{2,8}}报道)?\s*[）)]\s*$"
)
# The editor named after the site, in brackets closing the body: （松花江网编辑 孙桂芳）.
SITE_EDITOR_LINE_RE = re.compile(
    r"^\s*[(（【\[]\s*[^\s，。；：:()（）【】]{1,12}?(?:责任编辑|编辑|责编)\s*[:：]?\s*"
    rf"(?P<value>{_PERSONS})\s*[)）】\]]\s*$"
)
# A column's name alone in brackets on the body's first line: 【新春走基层】, [编者按].
COLUMN_LINE_RE = re.compile(r"^\s*[【\[]\s*[^【】\[\]]{2,12}\s*[】\]]\s*$")
KICKER_MAX_LINES = 2  # lines of a kicker (引题) printed above the headline's copy in the body
KICKER_MAX_CHARS = 30
SENTENCE_END = ("。", "！", "？", "；", "…", ".", "!", "?")
CAPTION_MAX_CHARS = 60
BODY_TEXT_MIN_CHARS = 10
DIV_PARAGRAPHS_MIN = 3  # sibling <div>s that are the body's paragraphs


@dataclass(frozen=True)
class BodyRange:
    """Tokens the body may take, and a meta line below it (None: not there)."""

    begin: int
    stop: int
    lower_meta: tuple[int, int] | None


@memoised
def body_range(page: Page) -> BodyRange:
    title_end = title(page)[2]
    begin = max(meta_window(page)[1], title_end, 0)
    chain_at = chain_start(page)
    stop = chain_at if chain_at >= begin else len(page.tokens)
    text_seen = False  # widgets above the first paragraph do not close the body
    for i in range(begin, stop):
        text = page.tokens[i].text.strip()
        if not text_seen:
            text_seen = len(text) >= BODY_TEXT_MIN_CHARS and page.tokens[i].link is None
            continue
        if CLOSES_BODY_RE.match(text) or (i > begin and footer_text(text)):
            stop = i
            break
    # A meta line below the body closes it (本文来源：X 作者：Y), or sits before the chain block
    # or the footer.
    end = chain_at if begin <= chain_at < len(page.tokens) else _footer_start(page, stop)
    lower = lower_meta(page, begin, stop) or (lower_meta(page, begin, end) if end != stop else None)
    return BodyRange(begin, min(stop, lower[0]) if lower else stop, lower)


def _footer_start(page: Page, start: int) -> int:
    return next(
        (i for i in range(start, len(page.tokens)) if footer_text(page.tokens[i].text)),
        len(page.tokens),
    )


def _paragraph(block: Element) -> bool:
    """A paragraph of a body: <p>, <li> …, or one of several sibling <div>s holding only text."""
    if block.tag in PARAGRAPH_TAGS:
        return True
    parent = block.getparent()
    return (
        block.tag == "div"
        and parent is not None
        and not any(child.tag in BLOCK_TAGS for child in block)
        and sum(1 for sibling in parent if sibling.tag == "div") >= DIV_PARAGRAPHS_MIN
    )


@memoised
def container(page: Page) -> Element | None:
    """The element holding the most paragraph text inside the body range."""
    span = body_range(page)
    scores: dict[Element, float] = {}
    for token in page.tokens[span.begin : span.stop]:
        if token.link is not None:
            continue
        length = len(token.text.strip())
        block = token.block
        holder = block.getparent() if _paragraph(block) else block
        if holder is None:
            continue
        scores[holder] = scores.get(holder, 0.0) + length
        parent = holder.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0.0) + length / 2
    return max(scores, key=scores.__getitem__) if scores else None


@dataclass(frozen=True)
class Body:
    """The body's line indexes, and what was taken out of it."""

    lines: list[int]
    captions: list[int]
    editor: str | None
    byline: str | None


def writer_credit(text: str) -> str | None:
    """The writer part of a byline or credits line (文/张三 of 文/张三 摄影/李四), or None."""
    writers = [
        f"{m['role']}/{m['names'].strip()}"
        for m in CREDIT_RE.finditer(text)
        if WRITER_RE.match(m["role"])
    ]
    return " ".join(writers) or None


def _credited_editor(text: str) -> str | None:
    """The editor named in a credits line (供稿：X 摄影/Y 编辑/Z -> Z)."""
    return next(
        (m["names"].strip() for m in CREDIT_RE.finditer(text) if EDITOR_ROLE_RE.match(m["role"])),
        None,
    )


def _centred(page: Page, line: Line) -> bool:
    el: Element | None = page.tokens[line.tokens[0]].block
    for _ in range(3):
        if el is None:
            return False
        style = (el.get("style") or "").replace(" ", "").lower()
        if (el.get("align") or "").lower() == "center" or "text-align:center" in style:
            return True
        if el.tag == "center":
            return True
        el = el.getparent()
    return False


def _caption(page: Page, line: Line) -> bool:
    text = line.text
    if len(text) > CAPTION_MAX_CHARS:
        return False
    block = page.tokens[line.tokens[0]].block
    classes = f"{block.get('class') or ''} {block.get('id') or ''}".lower()
    if block.tag == "figcaption" or "caption" in classes or "pic_txt" in classes:
        return True
    if text.startswith(CAPTION_OPENERS) or CAPTION_END_RE.search(text):
        return True
    return (
        line.images_before > 0
        and _centred_short(page, line)
        and not _verse_follows(page, page.tokens[line.tokens[0]].line)
    )


def _centred_short(page: Page, line: Line) -> bool:
    return (
        len(line.text) <= CAPTION_MAX_CHARS
        and not line.text.endswith(SENTENCE_END)
        and _centred(page, line)
    )


def _verse_follows(page: Page, index: int) -> bool:
    """The next line is centred and short too, with no image before it: lines of a poem after
    an image, not the image's caption."""
    if index + 1 >= len(page.lines):
        return False
    following = page.lines[index + 1]
    return (
        following.images_before == 0
        and _centred_short(page, following)
        and not CAPTION_END_RE.search(following.text)  # a caption's second line: （张三 摄）
        and not CREDITS_LINE_RE.match(following.text)
    )


@memoised
def body(page: Page) -> Body:
    holder = container(page)
    if holder is None:
        return Body([], [], None, None)
    span = body_range(page)
    title_text = title(page)[0]
    kept: list[int] = []
    captions: list[int] = []
    byline: str | None = None
    credited_editor: str | None = None
    seen: set[int] = set()
    headline_copy, writer_name = False, ""
    first = max(span.begin, page.start[holder])
    lead, byline = _standfirst(page, span.begin, first)
    kept += lead
    for token in page.tokens[first : min(span.stop, page.end[holder])]:
        if token.line in seen:
            continue
        seen.add(token.line)
        line = page.lines[token.line]
        text = line.text
        if line.tokens[0] < span.begin:
            continue
        if text == title_text:  # the headline printed again: a kicker above it goes with it
            if all(_headline_part(page.lines[i].text) for i in kept[: KICKER_MAX_LINES + 1]):
                kept.clear()
            continue
        if not kept and (writer := _title_writer(title_text, text)) is not None:
            # 茉莉：我是怎样卷入八九民运的 printed in the body as the headline, then 茉莉
            headline_copy, writer_name = True, writer
            continue
        if not kept and headline_copy and text.strip() == writer_name:
            byline = byline or writer_name
            continue
        if dropped_line(text):  # widgets, pagers, 《光明日报》（2024年05月11日 09版）
            continue
        if _link_line(page, line):  # a box of related links inside the body's container
            continue
        reporters = REPORTER_LINE_RE.match(text)
        if reporters:
            byline = byline or f"记者 {reporters['names']}"
            continue
        closing = CLOSING_NAMES_LINE_RE.match(text)
        if closing and not NOT_NAMES & set(re.split(r"[\s、，,]+", closing["names"])):
            byline = byline or closing["names"]
            continue
        if CREDITS_LINE_RE.match(text) and not EDITOR_LINE_RE.match(text):
            byline = byline or writer_credit(text)
            credited_editor = credited_editor or _credited_editor(text)
            continue
        if not kept and COLUMN_LINE_RE.match(text):  # 【新春走基层】 opening the body
            continue
        if _caption(page, line):
            captions.append(token.line)
            continue
        kept.append(token.line)
    editor, kept = _editor(page, kept, span.stop)
    return Body(kept, captions, editor or credited_editor, byline)


# What a line of links may say besides its links: a topic's name (股票：<a>…</a>); an
# attachment (附件：<a>名单.doc</a>) is the article's own.
ATTACHMENT_WORDS = ("附件", "相关附件", "下载")
LINK_TOPIC_RE = re.compile(r"[\u4e00-\u9fff]{1,6}\s*[:：]")


def _link_line(page: Page, line: Line) -> bool:
    """Links only, or links after a topic's name: a related-links box, never a paragraph."""
    plain = "".join(page.tokens[i].text for i in line.tokens if page.tokens[i].link is None)
    plain = plain.strip(" \t\r\n\xa0\u3000|｜·•")
    return len(plain) < len(line.text) and (
        not plain.strip(":：")
        or (LINK_TOPIC_RE.fullmatch(plain) is not None and not plain.startswith(ATTACHMENT_WORDS))
    )


STANDFIRST_MIN_CHARS = 20
STANDFIRST_ENDS = (*SENTENCE_END, "”", "」")


# A writer's line between the meta line and the body's container: 作者：安东尼 (RFI).
WRITER_LINE_RE = re.compile(rf"^\s*(?:作者|撰文|文)\s*[:：/]\s*(?P<names>{_PERSONS})\s*$")


def _standfirst(page: Page, begin: int, first: int) -> tuple[list[int], str | None]:
    """A lead paragraph printed just above the body's container (RFI's chapo, a 导语 in a <p>
    of its own): sentences in paragraph elements, with only furniture between them and it; and
    a writer's line above the container (作者：安东尼, its name a link on a line of its own)."""
    run: list[int] = []
    writer: str | None = None
    seen: set[int] = set()
    for token in page.tokens[begin:first]:
        if token.line in seen:
            continue
        seen.add(token.line)
        line = page.lines[token.line]
        text = line.text
        if line.tokens[0] < begin or dropped_line(text):
            continue
        if writer is None and (match := WRITER_LINE_RE.match(text)):
            writer = match["names"]
        if (
            token.block.tag in PARAGRAPH_TAGS
            and len(text) >= STANDFIRST_MIN_CHARS
            and text.endswith(STANDFIRST_ENDS)
            and not _link_line(page, line)
        ):
            run.append(token.line)
        else:
            run = []
    return run, writer


_TITLE_WRITER_RE = re.compile(r"(?P<writer>[\u4e00-\u9fff]{2,4})\s*[：:]\s*(?P<headline>.+)")


def _title_writer(title_text: str | None, text: str) -> str | None:
    """The writer a title names before its colon (茉莉：我是怎样…), where `text` is the rest of
    the title: the body's copy of the headline, which the writer's name may follow."""
    match = _TITLE_WRITER_RE.fullmatch(title_text or "")
    return match["writer"] if match and match["headline"].strip() == text.strip() else None


def _headline_part(text: str) -> bool:
    """A kicker of the headline (15家企业 above 17种产品入选…): short, no sentence."""
    return len(text) <= KICKER_MAX_CHARS and not text.endswith(SENTENCE_END)


def _editor(page: Page, kept: list[int], stop: int) -> tuple[str | None, list[int]]:
    """The closing 责任编辑 line (taken out of the body), or one just after the body."""
    found: str | None = None
    taken: list[int] = []  # an editor line without a name (责任编辑：) is furniture too
    for position in range(len(kept) - 1, max(len(kept) - 4, -1), -1):
        text = page.lines[kept[position]].text
        match = EDITOR_LINE_RE.match(text) or SITE_EDITOR_LINE_RE.match(text)
        if match:
            taken.append(position)
            found = match.group("value").strip() or None
            if found:
                break
    if taken:
        return found, [line for i, line in enumerate(kept) if i not in taken]
    holder = container(page)
    after = page.end[holder] if holder is not None else stop
    for line in sorted({t.line for t in page.tokens[after : chain_start(page)]}):
        match = EDITOR_LINE_RE.match(page.lines[line].text)
        if match:
            return match.group("value").strip() or None, kept
    return None, kept


@memoised
def paragraphs(page: Page) -> list[str]:
    """The body's lines; the cells of one table row make one paragraph, joined by a space."""
    found: list[str] = []
    last_cell: Element | None = None
    for index in body(page).lines:
        line = page.lines[index]
        cell = page.tokens[line.tokens[0]].block
        next_cell_in_row = (
            last_cell is not None
            and cell is not last_cell
            and cell.tag in {"td", "th"}
            and cell.getparent() is last_cell.getparent()
        )
        if next_cell_in_row:
            found[-1] += " " + line.text
        else:
            found.append(line.text)
        last_cell = cell
    return found
