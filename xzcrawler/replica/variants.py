"""A combinatorial generator of article pages, each with the export fields a parse must give.

The parser must be right by construction on the forms Chinese CMSes use, not on the three
replica templates it grew up with. Each axis below is one way real templates differ (see
docs/templates.md and docs/cms-conventions.md): how the meta line spells and lays out
its labels, where it sits, how the body is marked up and what else sits in it, and how the
上一篇/下一篇 block ends. A `Choice` picks one value per axis; `build` renders the page and
states the expected record by docs/interface.md's rules, from the same values, so the two cannot
drift apart.

Pure: no parser, no I/O. `generate(seed)` draws one variant; `all_variants()` walks the whole
product lazily; `one_factor_variants()` varies one axis at a time from a plain baseline (so a
failure names its cause); `variants()` is the hypothesis strategy.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from math import prod
from typing import Any
from zoneinfo import ZoneInfo

from xzcrawler.replica.text import GIVEN_NAMES, SENTENCES, SURNAMES
from xzcrawler.replica.text import title as make_title

SHANGHAI = ZoneInfo("Asia/Shanghai")
SITE = "http://www.xzspw.org.cn"
SITE_NAME = "乡镇时评网"
SECTION = ("党建工作", "/djgz/")
NAV = (
    '<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/djgz/">党建工作</a></li>'
    '<li><a href="/xczx/">乡村振兴</a></li><li><a href="/jczl/index.html">基层治理</a></li>'
    "</ul></div>"
)
FOOTER = (
    '<div class="footer"><p><a href="/a/1.html">关于我们</a> | <a href="/a/2.html">联系我们</a>'
    f"</p><p>{SITE_NAME} 版权所有</p><p>京ICP备11019690号-100</p></div>"
)
FETCHED_AT = datetime(2022, 1, 1, 9, 0, tzinfo=SHANGHAI)  # after every generated date
LONG_PUBLISHER = "中共河北省邯郸市肥乡区委宣传部网络新闻信息中心融媒体采编部"

# Every axis and its values; the first value of each is the plain baseline.
AXES: dict[str, tuple[str, ...]] = {
    # --- meta line ---
    "layout": ("line", "spans", "small", "cells", "cell_items", "brackets", "lines", "h1_span"),
    "position": ("above", "below"),
    "separator": ("nbsp", "ideographic", "pipe", "space"),
    "colon": ("fullwidth", "ascii", "ascii_space", "fullwidth_space"),
    "order": (
        "date_author_source",
        "date_source_author",
        "author_source_date",
        "source_date_author",
        "source_author_date",
        "author_date_source",
    ),
    "date_label": ("发布时间", "发布日期", "时间", "日期", "bare"),
    "date_form": (
        "iso_seconds",
        "iso_date",
        "iso_minutes",
        "cn_date",
        "cn_minutes",
        "slash_date",
        "cn_date_unpadded",
    ),
    "source_label": ("来源", "来源于", "信息来源", "稿源", "出处", "文章来源", "稿件来源"),
    "source_value": ("plain", "link", "long", "portal", "absent"),
    "source_bracket": ("none", "【】", "[]", "（）", "()", "《》", "「」"),
    "author_label": ("作者", "撰稿", "记者"),
    "author_value": (
        "one",
        "two",
        "two_comma",
        "padded_ideographic",
        "padded_space",
        "reporter",
        "placeholder",
        "empty",
        "absent",
    ),
    "extra": (
        "none",
        "hits",
        "views",
        "font_size",
        "font_widget",
        "hits_script",
        "hits_glued",
        "update_after",
        "update_before",
        "long_line",
    ),
    # --- body ---
    "container": ("p", "div", "br", "td_p", "td_br"),
    "indent": ("none", "ideographic", "nbsp", "css"),
    "lead_in": ("none", "strong", "span", "b"),
    "subhead": ("none", "strong_p", "h3"),
    "table": ("none", "data"),
    "image": ("none", "caption", "caption_photographer", "bare"),
    "credit_in_body": (
        "none",
        "byline_bracket",
        "byline_paren",
        "byline_last",
        "byline_paper",  # 光明日报记者 王五, a line of its own above the body
        "byline_paper_last",  # 新京报记者 王五 北京报道, closing the body
        "names_last",  # （王五）, a line closing the body
        "dateline_benbao",
        "dateline_agency",
        "dateline_agency_bare",
        "dateline_no_credit",
    ),
    "credit_line": ("none", "supply_photo_edit", "paren_supply_photo", "photo_only"),
    "editor_line": ("none", "plain", "paren", "square", "short"),
    "widget": ("none", "share", "print_close", "correction", "gallery"),
    # --- chain and page ---
    "chain": ("both", "prev_end", "next_end", "wu_prev", "wu_next", "none"),
    "chain_labels": ("上一篇", "上一条", "上篇"),
    "chain_end": ("没有了", "无", "已经是", "label_alone"),
    "chain_markup": ("p", "li", "td"),
    "heading": ("h1", "h2", "div", "td"),
    "page_title": ("title_section_site", "title_dash_site", "title_only"),
}
NEXT_OF = {"上一篇": "下一篇", "上一条": "下一条", "上篇": "下篇"}
DATE_FORMS: dict[str, tuple[str, bool]] = {  # strftime pattern, has time
    "iso_seconds": ("%Y-%m-%d %H:%M:%S", True),
    "iso_date": ("%Y-%m-%d", False),
    "iso_minutes": ("%Y-%m-%d %H:%M", True),
    "cn_date": ("%Y年%m月%d日", False),
    "cn_minutes": ("%Y年%m月%d日 %H:%M", True),
    "slash_date": ("%Y/%m/%d", False),
    "cn_date_unpadded": ("{y}年{m}月{d}日", False),
}
COLONS = {"fullwidth": "：", "ascii": ":", "ascii_space": ": ", "fullwidth_space": "： "}
SEPARATORS = {"nbsp": "&nbsp;&nbsp;", "ideographic": "\u3000", "pipe": " | ", "space": " "}
PUBLISHERS = (
    ("新华网", "http://www.xinhuanet.com/"),
    ("七一网", "https://www.12371.gov.cn/"),
    ("光明网", "https://www.gmw.cn/"),
    ("农民日报", "http://www.farmer.com.cn/"),
)
LEADS = ("强化组织保障。", "压实工作责任，", "健全长效机制。")
BOLD_TAGS = {
    "strong": ("<strong>", "</strong>"),
    "b": ("<b>", "</b>"),
    "span": ('<span style="font-weight:bold">', "</span>"),
}
CHAIN_ENDS = {
    "没有了": ("没有了", "没有了"),
    "无": ("无", "无"),
    "已经是": ("已经是第一篇", "已经是最后一篇"),
    "label_alone": ("", ""),
}
AGENCIES = ("新华社", "中新社", "人民网")
PAPERS = ("光明日报", "新京报", "本报", "□ 本报", "河南商报")
CITIES = ("北京", "石家庄", "杭州", "成都", "兰州")
WU_TITLES = ("无锡：推进基层治理现代化取得新进展", "无人机植保助力秋粮丰收")
LEAD_INS = ("一是", "二是", "三是")
TABLE_ROWS = (
    ("村名", "户数", "集体收入（万元）"),
    ("东河村", "312", "58.6"),
    ("西岭村", "207", "41.2"),
)


@dataclass(frozen=True, slots=True)
class Variant:
    """One generated page, the URL it is served at, and what a correct parse reads."""

    html: str
    url: str
    expected: dict[str, str | None]  # the export record's keys (docs/interface.md)
    choice: Mapping[str, str]


Choice = dict[str, str]


def _name(rng: random.Random, length: int | None = None) -> str:
    """A person's name; length 2 for the padded forms (张　三)."""
    given = [g for g in GIVEN_NAMES if length is None or len(g) == length - 1]
    return rng.choice(SURNAMES) + rng.choice(given)


def _bracket(value: str, kind: str) -> str:
    return value if kind == "none" else f"{kind[0]}{value}{kind[1]}"


def _date_text(when: datetime, form: str) -> str:
    pattern, _ = DATE_FORMS[form]
    if "{" in pattern:
        return pattern.format(y=when.year, m=when.month, d=when.day)
    return when.strftime(pattern)


def _shown(when: datetime, form: str) -> datetime:
    """The moment a page showing `when` in `form` states: dates only mean midnight."""
    pattern, has_time = DATE_FORMS[form]
    if not has_time:
        return when.replace(hour=0, minute=0, second=0)
    return when if "%S" in pattern else when.replace(second=0)


def normalise(choice: Mapping[str, str]) -> Choice:
    """Make a choice self-consistent: combinations no real page has are mapped to ones it has."""
    c = dict(choice)
    if c["layout"] == "h1_span":  # PHPCMS: the meta line is inside the title's h1
        c["heading"], c["position"] = "h1", "above"
    if c["extra"] == "hits_glued" and not DATE_FORMS[c["date_form"]][1]:
        c["date_form"] = "iso_seconds"  # a number glued to a bare date is not readable
    if c["extra"] == "long_line":  # a date first, then a long publisher name
        c["source_value"], c["order"] = "long", "date_source_author"
        if c["date_label"] == "bare" and c["layout"] in ("cells",):
            c["date_label"] = "发布时间"
    if c["date_label"] == "bare" and c["order"].startswith(("author_source", "source_author")):
        c["order"] = "date_author_source"  # an unlabelled date opens the line on real pages
    if c["container"] in ("br", "td_br") and c["lead_in"] == "span":
        c["lead_in"] = "b"
    return c


@dataclass(slots=True)
class _Item:
    kind: str
    label: str  # "" for an unlabelled value
    value: str  # HTML


def _meta(c: Choice, rng: random.Random, published: datetime) -> tuple[str, dict[str, Any]]:
    """The meta line's HTML and what it contributes to the expected record."""
    colon = COLONS[c["colon"]]
    shown_date = _date_text(published, c["date_form"])
    items: dict[str, _Item] = {}
    date_label = "" if c["date_label"] == "bare" else c["date_label"]
    date_value = shown_date
    if c["extra"] == "hits_glued":  # a counter printed straight after the time (DedeCMS)
        date_value += f'<span id="hits">{rng.randint(100, 999)}</span>'
    items["date"] = _Item("date", date_label, date_value)

    expect: dict[str, Any] = {"published_at": _shown(published, c["date_form"]).isoformat()}
    author: str | None = None
    match c["author_value"]:
        case "one":
            author = _name(rng)
            shown_author = author
        case "two" | "two_comma":
            first, second = _name(rng), _name(rng)
            while second == first:
                second = _name(rng)
            author = f"{first}、{second}"
            shown_author = f"{first} {second}" if c["author_value"] == "two" else author
        case "padded_ideographic" | "padded_space":
            author = _name(rng, 2)
            pad = "\u3000" if c["author_value"] == "padded_ideographic" else " "
            shown_author = author[0] + pad + author[1]
        case "reporter":
            author = _name(rng)
            shown_author = f"本报记者 {author}"
        case "placeholder":
            shown_author = rng.choice(("佚名", "未知", "admin", "不详"))
        case _:
            shown_author = ""
    if c["author_value"] != "absent":
        items["author"] = _Item("author", c["author_label"], escape(shown_author))
    expect["meta_author"] = author

    name, home = rng.choice(PUBLISHERS)
    source: str | None = name
    match c["source_value"]:
        case "plain":
            shown_source = _bracket(name, c["source_bracket"])
        case "link":
            shown_source = _bracket(
                f'<a href="{home}" target="_blank">{name}</a>', c["source_bracket"]
            )
        case "long":
            source = LONG_PUBLISHER
            shown_source = _bracket(LONG_PUBLISHER, c["source_bracket"])
        case "portal":
            source, shown_source = SITE_NAME, _bracket("本站原创", c["source_bracket"])
        case _:
            source, shown_source = None, ""
    if c["source_value"] != "absent":
        items["source"] = _Item("source", c["source_label"], shown_source)
    expect["source"] = source

    order = [items[k] for k in c["order"].split("_") if k in items]
    later = published + timedelta(days=rng.randint(1, 30), hours=rng.randint(1, 5))
    update_value = later.strftime("%Y-%m-%d %H:%M")
    match c["extra"]:
        case "hits":
            order.append(_Item("extra", "点击数", str(rng.randint(10, 9999))))
        case "views":
            order.append(_Item("extra", "浏览次数", str(rng.randint(10, 9999))))
        case "font_size":
            order.append(
                _Item("extra", "字号", '<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>')
            )
        case "font_widget":
            order.append(
                _Item("widget", "", "【字体：<a href=#>大</a> <a href=#>中</a> <a href=#>小</a>】")
            )
        case "hits_script":
            order.append(
                _Item("extra", "点击", '<script src="/plus/count.php?view=yes&aid=9"></script>次')
            )
        case "update_after":
            order.append(_Item("extra", "最后更新", update_value))
        case "update_before":
            order.insert(0, _Item("extra", "更新时间", update_value))
        case "long_line":
            order.append(_Item("extra", "浏览次数", str(rng.randint(1000, 99999))))
            order.append(
                _Item("widget", "", "【字体：<a href=#>大</a> <a href=#>中</a> <a href=#>小</a>】")
            )
    return _meta_html(c, order, colon), expect


def _meta_html(c: Choice, items: list[_Item], colon: str) -> str:
    def text(item: _Item) -> str:
        return f"{item.label}{colon}{item.value}" if item.label else item.value

    sep = SEPARATORS[c["separator"]]
    match c["layout"]:
        case "spans":
            return (
                '<div class="info">' + sep.join(f"<span>{text(i)}</span>" for i in items) + "</div>"
            )
        case "small":  # labels in <small>, values glued to the next label
            parts = [
                f"<small>{i.label}{colon}</small>{i.value}" if i.label else i.value for i in items
            ]
            return '<div class="info">' + "".join(parts) + "</div>"
        case "cells":  # label and value in separate cells
            cells = []
            for i in items:
                if i.label:
                    cells.append(f"<td>{i.label}{colon}</td><td>{i.value}</td>")
                else:
                    cells.append(f"<td>{i.value}</td>")
            return f'<table class="info"><tr>{"".join(cells)}</tr></table>'
        case "cell_items":
            row = "".join(f"<td>{text(i)}</td>" for i in items)
            return f'<table class="info"><tr>{row}</tr></table>'
        case "brackets":
            parts = [text(i) if i.kind == "widget" else f"【{text(i)}】" for i in items]
            return '<div class="info">' + "\u3000".join(parts) + "</div>"
        case "lines":
            return '<div class="info">' + "".join(f"<p>{text(i)}</p>" for i in items) + "</div>"
        case "h1_span":
            return "<span>" + sep.join(text(i) for i in items) + "</span>"
        case _:
            return '<div class="info">' + sep.join(text(i) for i in items) + "</div>"


def _paragraphs(rng: random.Random) -> list[str]:
    return ["".join(rng.choices(SENTENCES, k=rng.randint(1, 3))) for _ in range(rng.randint(3, 5))]


def _body(c: Choice, rng: random.Random, published: datetime) -> tuple[str, dict[str, Any]]:
    """The body's HTML, its expected text, and a byline or dateline credit if it has one."""
    texts = _paragraphs(rng)
    # (expected text or None for a line that leaves the body, html of the line's content, kind)
    lines: list[tuple[str | None, str, str]] = []
    credit: str | None = None
    person = _name(rng)

    dateline = ""
    match c["credit_in_body"]:
        case "dateline_benbao":
            dateline, credit = f"本报讯（记者 {person}）", person
        case "dateline_agency":
            agency, city = rng.choice(AGENCIES), rng.choice(CITIES)
            dateline = f"{agency}{city}{published.month}月{published.day}日电（记者 {person}）"
            credit = person
        case "dateline_agency_bare":
            agency, city = rng.choice(AGENCIES), rng.choice(CITIES)
            dateline = f"{agency}{city}{published.month}月{published.day}日电 （{person}）"
            credit = person
        case "dateline_no_credit":
            dateline = "本报讯 "
    if dateline:
        texts[0] = dateline + texts[0]

    paper, city = rng.choice(PAPERS), rng.choice(CITIES)
    byline = {"byline_bracket": f"【文/{person}】", "byline_paren": f"（文/图 {person}）",
              "byline_last": f"文/{person}", "byline_paper": f"{paper}记者 {person}",
              "byline_paper_last": f"{paper}记者 {person} {city}报道",
              "names_last": f"（{person}）"}.get(c["credit_in_body"])  # fmt: skip
    closing = c["credit_in_body"] in {"byline_last", "byline_paper_last", "names_last"}
    if byline:
        credit = person
        if not closing:
            lines.append((None, escape(byline), "byline"))

    for n, t in enumerate(texts):
        if c["lead_in"] != "none" and n in (1, 2):
            lead = f"{LEAD_INS[n - 1]}{rng.choice(LEADS)}"
            tag = BOLD_TAGS[c["lead_in"]]
            lines.append((lead + t, f"{tag[0]}{lead}{tag[1]}{escape(t)}", "text"))
        else:
            lines.append((t, escape(t), "text"))
        if n == 0 and c["subhead"] != "none":
            head = "扎实推进基层治理见实效"
            lines.append((head, escape(head), c["subhead"]))
        if n == 1 and c["table"] == "data":
            for row in TABLE_ROWS:
                lines.append((" ".join(row), "".join(f"<td>{escape(x)}</td>" for x in row), "row"))
        if n == 1 and c["image"] != "none":
            lines.append((None, '<img src="/uploads/allimg/201112/1-1.jpg" alt="">', "image"))
            caption = {"caption": "图为村民在新建的文化广场上排练节目。",
                       "caption_photographer": f"图为村民在新建的文化广场上排练节目。{_name(rng)} 摄"}.get(c["image"])  # fmt: skip  # noqa: E501
            if caption:
                lines.append((None, escape(caption), "caption"))
    if byline and closing:
        lines.append((None, escape(byline), "byline"))
    department, photographer, editor = "党委宣传部", _name(rng), _name(rng)
    credit_line = {
        "supply_photo_edit": f"供稿：{department}\u3000摄影/{photographer}\u3000编辑/{editor}",
        "paren_supply_photo": f"（供稿：{department} 摄影：{photographer}）",
        "photo_only": f"摄影：{photographer}",
    }.get(c["credit_line"])
    if credit_line:
        lines.append((None, escape(credit_line), "credit"))
    editor_line = {"plain": f"责任编辑：{editor}", "paren": f"（责任编辑：{editor}）",
                   "square": f"[责任编辑：{editor}]", "short": f"编辑：{editor}"}.get(c["editor_line"])  # fmt: skip  # noqa: E501
    if editor_line:
        lines.append((None, escape(editor_line), "editor"))
    widget = {
        "share": '分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a>',
        "print_close": '【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】',  # noqa: E501
        "correction": '<a href="/jiucuo/">【纠错】</a>',
        "gallery": '<a href="/tuji/1.html">图集</a>',
    }.get(c["widget"])
    if widget:
        lines.append((None, widget, "widget"))

    expected = "\n".join(t.strip() for t, _, _ in lines if t is not None)
    return _body_html(c, lines), {"body": expected, "body_credit": credit}


def _body_html(c: Choice, lines: list[tuple[str | None, str, str]]) -> str:
    indent = {"none": "", "ideographic": "\u3000\u3000", "nbsp": "&nbsp;&nbsp;&nbsp;&nbsp;",
              "css": ""}[c["indent"]]  # fmt: skip
    style = ' style="text-indent:2em"' if c["indent"] == "css" else ""
    block = "div" if c["container"] == "div" else "p"
    out: list[str] = []
    rows: list[str] = []

    def flush_rows() -> None:
        if rows:
            body = "".join(f"<tr>{r}</tr>" for r in rows)
            out.append(f'<table border="1" align="center">{body}</table>')
            rows.clear()

    for _, html, kind in lines:
        if kind == "row":
            rows.append(html)
            continue
        flush_rows()
        centred = kind in ("image", "caption")
        if c["container"] in ("br", "td_br"):
            if kind == "h3":
                out.append(f"<h3>{html}</h3>")
            elif kind == "strong_p":
                out.append(f"{indent}<b>{html}</b><br>")
            elif centred:
                out.append(f'<div align="center">{html}</div>')
            else:
                lead = indent if kind == "text" else ""
                out.append(f"{lead}{html}<br>\n<br>")
            continue
        if kind == "h3":
            out.append(f"<h3>{html}</h3>")
        elif kind == "strong_p":
            out.append(f"<{block}><strong>{html}</strong></{block}>")
        elif centred:
            out.append(f'<{block} style="text-align:center">{html}</{block}>')
        elif kind == "text":
            out.append(f"<{block}{style}>{indent}{html}</{block}>")
        else:
            out.append(f"<{block}>{html}</{block}>")
    flush_rows()
    inner = "\n".join(out)
    if c["container"] in ("td_p", "td_br"):
        return (
            f'<table width="100%" class="content"><tr><td id="text">\n{inner}\n</td></tr></table>'
        )
    return f'<div class="content" id="zoom">\n{inner}\n</div>'


def _chain(c: Choice, article_id: int, rng: random.Random) -> tuple[str, dict[str, Any]]:
    prev_label = c["chain_labels"]
    next_label = NEXT_OF[prev_label]
    colon = "：" if c["colon"].startswith("fullwidth") else ":"
    prev_path = f"/html/djgz/20201111/{article_id - 1}.html"
    next_path = f"/html/djgz/20201113/{article_id + 1}.html"
    prev_title, next_title = make_title(rng), make_title(rng)
    prev_url: str | None = SITE + prev_path
    next_url: str | None = SITE + next_path
    end = CHAIN_ENDS[c["chain_end"]]
    prev_html = f'<a href="{prev_path}">{escape(prev_title)}</a>'
    next_html = f'<a href="{next_path}">{escape(next_title)}</a>'
    match c["chain"]:
        case "none":
            return "", {"prev_url": None, "next_url": None}
        case "prev_end":
            prev_html, prev_url = end[0], None
        case "next_end":
            next_html, next_url = end[1], None
        case "wu_prev":
            prev_html = f'<a href="{prev_path}">{escape(rng.choice(WU_TITLES))}</a>'
        case "wu_next":
            next_html = f'<a href="{next_path}">{escape(rng.choice(WU_TITLES))}</a>'
    prev_side = f"{prev_label}{colon}{prev_html}"
    next_side = f"{next_label}{colon}{next_html}"
    match c["chain_markup"]:
        case "li":
            html = f'<ul class="prenext"><li>{prev_side}</li><li>{next_side}</li></ul>'
        case "td":
            html = (
                f'<table class="prenext"><tr><td width="50%">{prev_side}</td>'
                f'<td width="50%">{next_side}</td></tr></table>'
            )
        case _:
            html = f'<div class="prenext"><p>{prev_side}</p><p>{next_side}</p></div>'
    return html, {"prev_url": prev_url, "next_url": next_url}


def build(choice: Mapping[str, str], seed: int = 0) -> Variant:
    """The page for one choice of every axis; `seed` varies only the words and numbers."""
    c = normalise(choice)
    rng = random.Random(seed)
    article_id = 1000 + seed % 100000
    published = datetime(2019, 1, 1, 8, 0, tzinfo=SHANGHAI) + timedelta(
        seconds=rng.randint(0, 2 * 365 * 24 * 3600)
    )
    headline = make_title(rng)
    meta_html, meta = _meta(c, rng, published)
    body_html, body = _body(c, rng, published)
    chain_html, chain = _chain(c, article_id, rng)
    path = f"/html/djgz/{published:%Y%m%d}/{article_id}.html"

    crumb = (
        f'<div class="position">当前位置：<a href="/">首页</a> &gt; '
        f'<a href="{SECTION[1]}">{SECTION[0]}</a></div>'
    )
    title = escape(headline)
    match c["heading"]:
        case "h1":
            heading = f"<h1>{title}{'<br />' + meta_html if c['layout'] == 'h1_span' else ''}</h1>"
        case "h2":
            heading = f'<h2 class="title">{title}</h2>'
        case "div":
            heading = f'<div class="title">{title}</div>'
        case _:
            heading = f'<table width="100%"><tr><td class="title" align="center"><strong>{title}</strong></td></tr></table>'  # noqa: E501
    above = meta_html if c["position"] == "above" and c["layout"] != "h1_span" else ""
    below = meta_html if c["position"] == "below" else ""
    page_title = {
        "title_section_site": f"{headline}_{SECTION[0]}_{SITE_NAME}",
        "title_dash_site": f"{headline} - {SITE_NAME}",
        "title_only": headline,
    }[c["page_title"]]
    html = (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(page_title)}</title>\n"
        f'</head>\n<body>\n{NAV}\n{crumb}\n<div class="article">\n{heading}\n{above}\n{body_html}\n'
        f"{below}\n{chain_html}\n</div>\n{FOOTER}\n</body>\n</html>\n"
    )
    author = meta["meta_author"] or body["body_credit"]
    expected = {
        "url": SITE + path,
        "section": SECTION[0],
        "title": headline,
        "published_at": meta["published_at"],
        "author": author,
        "source": meta["source"],
        "original_url": None,
        "body": body["body"],
        "prev_url": chain["prev_url"],
        "next_url": chain["next_url"],
    }
    return Variant(html, SITE + path, expected, c)


def baseline() -> Choice:
    return {axis: values[0] for axis, values in AXES.items()}


def generate(seed: int) -> Variant:
    """One variant drawn from every axis at random, reproducible from its seed."""
    rng = random.Random(f"choice:{seed}")
    return build({axis: rng.choice(values) for axis, values in AXES.items()}, seed)


def count() -> int:
    """How many distinct choices the axes span (before normalising)."""
    return prod(len(values) for values in AXES.values())


def all_variants(seed: int = 0) -> Iterator[Variant]:
    """Every combination of every axis, lazily (there are `count()` of them)."""
    axes = list(AXES)
    for n, values in enumerate(itertools.product(*AXES.values())):
        yield build(dict(zip(axes, values, strict=True)), seed + n)


def one_factor_variants(seeds: int = 1) -> Iterator[tuple[str, str, Variant]]:
    """(axis, value, variant): the baseline with one axis changed; a failure names its cause."""
    for axis, values in AXES.items():
        for value in values:
            for seed in range(seeds):
                yield axis, value, build({**baseline(), axis: value}, seed)


def variants() -> Any:
    """A hypothesis strategy of variants; shrinks towards the baseline of each axis."""
    from hypothesis import strategies as st

    choices = st.fixed_dictionaries({axis: st.sampled_from(v) for axis, v in AXES.items()})
    return st.builds(build, choices, st.integers(min_value=0, max_value=10**6))
