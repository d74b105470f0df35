"""Article templates of the Chinese CMS families, written from the facts in docs/templates.md.

The parser must be right on forms it was not fitted to, so each family here renders the
replica's content the way that CMS lays out an article: where its title, meta line, body,
editor line and 上一篇/下一篇 block sit, how it spells its labels and what it prints at a
chain's end. Nothing is copied from a template; the skeletons follow the recorded facts.

A family renders from the same `Content` the portal keeps, plus a few deterministic extras
(a byline, a credit line, a hit count) drawn from the article id, and `expected` states what
a correct parse of that page holds, following docs/interface.md: captions, credit and
editor lines and bylines leave the body; the meta line's named author wins, else a byline
or dateline credit; a family that shows no source or no 原文链接 expects none.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from xzcrawler.replica.templates import ArticleView, Link, NavSection, Template, document_head
from xzcrawler.replica.text import (
    GIVEN_NAMES,
    SURNAMES,
    WHITESPACE,
    Content,
    DateForm,
    Paragraph,
    ParagraphKind,
)

SITE_NAME = "乡镇时评网"
_ALL_FORMS = (DateForm.ISO_DATE, DateForm.ISO_SECONDS, DateForm.CN_MINUTES, DateForm.SLASH_DATE)
# A dateline's credit as text.content writes it: …电（记者 X） or …电 （X）.
_DATELINE_CREDIT_RE = re.compile(
    r"^\S{2,16}?\d{1,2}月\d{1,2}日电\s*[（(](?:记者\s*)?([^）)]+)[）)]"
)
IND = "\u3000\u3000"  # two ideographic spaces: the usual paragraph indent
TRS_SUBHEAD = "<div>\u3000<b>\u3000{}</b></div>"  # an indent split around the bold tag
DEPARTMENTS = ("党委宣传部", "办公室", "组织部", "团委", "工会", "医务部", "护理部", "学生工作部")


@dataclass(frozen=True, slots=True)
class Extras:
    """What a family prints beside the content; drawn from the article id, never random."""

    hits: int
    byline_name: str | None  # a 【文/…】-style credit in the body, printed only when set
    photographer: str
    editor: str
    department: str


@dataclass(frozen=True, slots=True)
class FamilyPage:
    """Everything a family renderer reads."""

    view: ArticleView
    nav: Sequence[NavSection]
    charset: str
    extras: Extras
    family: Family


@dataclass(frozen=True, slots=True)
class Family:
    """One CMS family and the replica section that serves it."""

    key: str  # also the section's slug
    cms: str
    section: str  # the section name its breadcrumb shows
    list_template: Template  # list pages use the replica's own list templates (TABLE writes
    # links relative to the site root, so it goes with the root-level list.asp style only)
    list_style: str  # a portal.ListStyle value
    url_form: str  # a portal.UrlForm value
    encoding: str  # utf-8 or gbk
    date_forms: tuple[DateForm, ...]
    source_labels: tuple[str, ...]
    shows_author: bool  # a meta-line author (its absence leaves bylines and datelines)
    shows_source: bool
    shows_original: bool  # prints the 原文链接 line
    byline: bool  # prints a byline credit when the meta line names nobody
    render: Callable[[FamilyPage], str]
    has_chain: bool = True  # False: no 上一篇/下一篇 block; list pages reach every article


# --- shared pieces ---------------------------------------------------------------------


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)


def extras(family: Family, content: Content, article_id: int) -> Extras:
    """The family's extras for one article: the same on every render and in the truth."""
    rng = random.Random(f"{family.key}:{article_id}")
    hits = rng.randint(12, 9800)
    byline = _name(rng)
    photographer, editor = _name(rng), _name(rng)
    department = rng.choice(DEPARTMENTS)
    meta_author = content.author if family.shows_author else None
    named = meta_author is not None or dateline_credit(content) is not None
    return Extras(
        hits=hits,
        byline_name=byline if family.byline and not named else None,
        photographer=photographer,
        editor=editor,
        department=department,
    )


def dateline_credit(content: Content) -> str | None:
    """The person a dateline in the first paragraph credits (…电（记者 X）), if any."""
    first = next((p for p in content.paragraphs if p.kind == ParagraphKind.TEXT), None)
    if first is None:
        return None
    match = _DATELINE_CREDIT_RE.match(first.text)
    return match.group(1).strip() if match else None


def expected(family: Family, content: Content, article_id: int) -> dict[str, str | None]:
    """author, source, body and original_url of a correct parse, by docs/interface.md's rules."""
    extra = extras(family, content, article_id)
    author = content.author if family.shows_author else None
    if author is None:
        author = extra.byline_name or dateline_credit(content)
    texts = (
        p.text.strip(WHITESPACE)
        for p in content.paragraphs
        if p.kind in (ParagraphKind.TEXT, ParagraphKind.SUBHEAD)
    )
    return {
        "author": author,
        "source": content.source if family.shows_source else None,
        "body": "\n".join(t for t in texts if t),
        "original_url": content.original_url if family.shows_original else None,
    }


def _date(view: ArticleView, forms: dict[DateForm, str] | None = None) -> str:
    """The shown date: the content's form, or the family's spelling of the same precision."""
    form = view.content.date_form
    return view.published.strftime((forms or {}).get(form, form.value))


def _source_html(content: Content) -> str:
    source = escape(content.source or "")
    if content.source_href:
        return f'<a href="{content.source_href}" target="_blank">{source}</a>'
    return source


def _menu(nav: Sequence[NavSection], css: str = "nav") -> str:
    """A navigation menu; each family wraps it differently but every one has one."""
    items = ['<li><a href="/">首页</a></li>']
    for section in nav:
        sub = "".join(f'<li><a href="{c.path}">{c.name}</a></li>' for c in section.children)
        sub = f'<ul class="sub">{sub}</ul>' if sub else ""
        items.append(f'<li><a href="{section.path}">{section.name}</a>{sub}</li>')
    return f'<div class="{css}"><ul>' + "".join(items) + "</ul></div>"


def _document(title: str, charset: str, body: str, head: str = "") -> str:
    return f"{document_head(title, charset, head)}<body>\n{body}\n</body>\n</html>\n"


def _footer(css: str = "footer") -> str:
    return (
        f'<div class="{css}"><p><a href="/a/1.html">关于我们</a> | <a href="/a/2.html">联系我们</a>'
        f' | <a href="/a/3.html">网站地图</a></p><p>{SITE_NAME} 版权所有 Copyright © 2020</p>'
        '<p>北京中农时代农业技术研究院主办 <a href="https://beian.miit.gov.cn/">'
        "京ICP备11019690号-100</a></p></div>"
    )


def _crumb_links(view: ArticleView, sep: str) -> str:
    return sep.join(f'<a href="{link.path}">{escape(link.text)}</a>' for link in view.crumbs)


def _image(p: Paragraph, view: ArticleView) -> str:
    return f'<img src="{p.src}" alt="{escape(view.content.title)}" border="0">'


def _body(
    page: FamilyPage,
    *,
    para: str = "<p>{}</p>",
    subhead: str = "<p><strong>{}</strong></p>",
    image: str = '<p style="text-align:center">{}</p>',
    caption: str = '<p style="text-align:center">{}</p>',
    indent: str = "",
) -> str:
    """Body paragraphs in the family's markup; captions printed in their own paragraph."""
    out = []
    for p in page.view.content.paragraphs:
        match p.kind:
            case ParagraphKind.IMAGE:
                out.append(image.format(_image(p, page.view)))
            case ParagraphKind.CAPTION:
                out.append(caption.format(escape(p.text)))
            case ParagraphKind.SUBHEAD:
                out.append(subhead.format(escape(p.text)))
            case _:
                out.append(para.format(indent + escape(p.text)))
    return "\n".join(out)


def _br_body(page: FamilyPage, indent: str = "&nbsp;&nbsp;&nbsp;&nbsp;") -> str:
    """Old table layouts: one cell, lines split only by <br>."""
    out = []
    for p in page.view.content.paragraphs:
        match p.kind:
            case ParagraphKind.IMAGE:
                out.append(f'<div align="center">{_image(p, page.view)}</div>')
            case ParagraphKind.CAPTION:
                out.append(f'<div align="center">{escape(p.text)}</div>')
            case ParagraphKind.SUBHEAD:
                out.append(f"{indent}<b>{escape(p.text)}</b><br>")
            case _:
                out.append(f"{indent}{escape(p.text)}<br>\n<br>")
    return "\n".join(out)


def _link(link: Link | None, end: str, *, title_attr: str = "") -> str:
    if link is None:
        return end
    attr = f' title="{title_attr}{escape(link.text)}"' if title_attr else ""
    return f'<a href="{link.path}"{attr}>{escape(link.text)}</a>'


def _original(content: Content, form: str = "原文链接：{}") -> str:
    if not content.original_url:
        return ""
    url = escape(content.original_url)
    return form.format(f'<a href="{url}" target="_blank">{url}</a>')


def _section(view: ArticleView) -> str:
    return view.crumbs[-1].text


# --- the families ----------------------------------------------------------------------


def _dedecms(page: FamilyPage) -> str:
    """DedeCMS: h2 title, <small> labels glued to values, body in a table cell ending with
    (责任编辑：…), 没有了 chain end, 收藏 挑错 推荐 打印 below."""
    v, c, x = page.view, page.view.content, page.extras
    editor = f"<p>(责任编辑：{c.editor or 'admin'})</p>"
    body = f"""<div class="header">{_menu(page.nav)}</div>
<div class="place"><strong>当前位置:</strong> <a href="/">主页</a> &gt; {_crumb_links(v, " &gt; ")} &gt; </div>
<div class="viewbox">
<div class="title"><h2>{escape(c.title)}</h2></div>
<div class="info"><small>时间:</small>{_date(v, {DateForm.CN_MINUTES: "%Y-%m-%d %H:%M"})}<small>来源:</small>{_source_html(c)} <small>作者:</small>{escape(c.author_shown)} <small>点击:</small><script src="/plus/count.php?view=yes&aid={v.path.rsplit("/", 1)[-1]}&mid=1" type="text/javascript" language="javascript"></script>次</div>
<div class="content"><table width="100%"><tr><td>
{_body(page, para="<p>{}</p>", indent="&nbsp;&nbsp;&nbsp;&nbsp;")}
{editor}
</td></tr></table></div>
<div class="newdigg"><div class="diggbox"><div class="digg_num">{x.hits % 97}</div><div class="digg_act">顶一下</div></div><div class="diggbox"><div class="digg_num">0</div><div class="digg_act">踩一下</div></div></div>
<div class="boxoff"><strong>------分隔线----------------------------</strong></div>
<div class="handle"><div class="context"><ul>
<li>上一篇：{_link(v.prev, "没有了")} </li>
<li>下一篇：{_link(v.next, "没有了")} </li>
</ul></div>
<div class="actbox"><ul><li id="act-fav"><a href="/plus/stow.php">收藏</a></li><li id="act-err"><a href="/plus/erraddsave.php">挑错</a></li><li id="act-pus"><a href="/plus/recommend.php">推荐</a></li><li id="act-pnt"><a href="#" onclick="window.print();">打印</a></li></ul></div></div>
</div>
{_footer()}"""  # noqa: E501
    return _document(f"{c.title}_{_section(v)}_{SITE_NAME}", page.charset, body)


def _phpcms(page: FamilyPage) -> str:
    """PHPCMS v9: the meta line is a <span> inside the h1; chain ends are javascript links
    titled 第一页 / 最后一页; crumbs end with 正文."""
    v, c, x = page.view, page.view.content, page.extras
    crumbs = "".join(f'<a href="{link.path}">{escape(link.text)}</a> &gt; ' for link in v.crumbs)
    prev = _link(v.prev, "<a href=\"javascript:alert('第一页');\">第一页</a>")
    nxt = _link(v.next, "<a href=\"javascript:alert('最后一页');\">最后一页</a>")
    body = f"""{_menu(page.nav, "header")}
<div class="main"><div class="crumbs"><a href="/">首页</a><span> &gt; </span>{crumbs} 正文</div>
<div id="Article">
<h1>{escape(c.title)}<br /><span>{_date(v, {DateForm.CN_MINUTES: "%Y-%m-%d %H:%M"})}&nbsp;&nbsp;&nbsp;来源：{_source_html(c)}&nbsp;&nbsp;&nbsp;评论：<a href="#comment_iframe" id="comment">0</a> 点击：</span><span id="hits"></span></h1>
<div class="content">
{_body(page, para='<p style="text-indent:2em">{}</p>')}
</div>
<div id="pages" class="text-c"></div>
<p style="margin-bottom:10px"><strong>相关热词搜索：</strong><a href="/tag/1.html">乡村振兴</a> <a href="/tag/2.html">基层治理</a></p>
<p class="f14"><strong>上一篇：</strong>{prev}<br /><strong>下一篇：</strong>{nxt}</p>
<div class="bk15"></div><div class="related"><h5 class="blue">延伸阅读：</h5><ul class="list"></ul></div>
</div></div>
<script language="JavaScript" src="/api.php?op=count&id={x.hits}&modelid=1"></script>
{_footer()}"""  # noqa: E501
    return _document(f"{c.title} - {_section(v)} - {SITE_NAME}", page.charset, body)


def _empirecms(page: FamilyPage) -> str:
    """EmpireCMS: tables; a hidden SEO h1 of the site name; 时间 来源 作者 in td.info_text;
    the chain end is a 返回列表 link to the column."""
    v, c = page.view, page.view.content
    column = v.crumbs[-1].path
    prev = _link(v.prev, f'<a href="{column}">返回列表</a>')
    nxt = _link(v.next, f'<a href="{column}">返回列表</a>')
    body = f"""<div style="display:none"><h1>{SITE_NAME}</h1></div>
<table width="960" align="center"><tr><td>{_menu(page.nav)}</td></tr></table>
<table width="960" align="center" class="position"><tr><td>您当前的位置：<a href="/">首页</a>&nbsp;&gt;&nbsp;{_crumb_links(v, "&nbsp;&gt;&nbsp;")}</td></tr></table>
<table width="960" align="center" class="title_info"><tr><td><h1>{escape(c.title)}</h1></td></tr>
<tr><td class="info_text">时间：{_date(v)}&nbsp;&nbsp;来源：{_source_html(c)}&nbsp;&nbsp;作者：{escape(c.author_shown)}</td></tr></table>
<table width="960" align="center"><tr><td id="text">
{_body(page, para="<p>{}</p>", indent=IND)}
</td></tr></table>
<table width="960" align="center"><tr><td class="diggnum"><script src="/e/public/ViewClick/?classid=2&id=1&down=5"></script></td><td>来顶一下</td><td><a href="/">返回首页</a></td></tr></table>
<table width="960" align="center" class="prenext"><tr><td>上一篇：{prev}</td></tr><tr><td>下一篇：{nxt}</td></tr></table>
<table width="960" align="center"><tr><td>[<a href="javascript:window.print()">打印</a>] [<a href="javascript:window.close()">关闭</a>]</td></tr></table>
<script src="/e/public/onclick/?enews=donews&classid=2&id=1"></script>
{_footer()}"""  # noqa: E501
    return _document(f"{c.title}_{SITE_NAME}", page.charset, body)


def _gov_head(v: ArticleView, c: Content, site: str) -> str:
    """The government metadata set every site-group page carries in <head>."""
    form = c.date_form
    pub = v.published.strftime(
        "%Y-%m-%d %H:%M:%S" if form == DateForm.ISO_SECONDS
        else "%Y-%m-%d %H:%M" if form == DateForm.CN_MINUTES
        else "%Y-%m-%d"
    )  # fmt: skip  # the shown precision: a date-only page gives no time anywhere
    return (
        f'<meta name="SiteName" content="{site}">\n'
        '<meta name="SiteDomain" content="www.xzspw.org.cn">\n'
        '<meta name="SiteIDCode" content="1100000001">\n'
        f'<meta name="ColumnName" content="{_section(v)}">\n'
        f'<meta name="ArticleTitle" content="{escape(c.title)}">\n'
        f'<meta name="PubDate" content="{pub}">\n'
        f'<meta name="ContentSource" content="{escape(c.source or "")}">\n'
    )  # fmt: skip


def _trs(page: FamilyPage) -> str:
    """TRS WCM: gov metas; a banner h2 written by script; h2 title; unlabelled date and
    来源 printed twice (mobile and PC); body of <div> paragraphs in TRS_Editor; no chain."""
    v, c = page.view, page.view.content
    date = _date(v, {DateForm.SLASH_DATE: "%Y-%m-%d"})
    crumbs = _crumb_links(v, "&nbsp;&gt;&nbsp;").replace("<a ", '<a class="CurrChnlCls" ', 1)
    body = f"""{_menu(page.nav, "nav")}
<div class="banner"><h2><script>document.write("{_section(v)}")</script></h2></div>
<div class="crumbsNav">当前位置：<a class="CurrChnlCls" href="/">首页</a>&nbsp;&gt;&nbsp;{crumbs}</div>
<div class="neiright">
<h2 class="neiright_Title">{escape(c.title)}</h2>
<p class="ydLyZzBox">{date}&nbsp;&nbsp;来源：{_source_html(c)}</p>
<div class="neiright_JPZ_GK_CP"><span class="xqLyPc time">{date}</span><span class="xqLyPc">来源：{_source_html(c)}</span>
<span>分享到：<a href="#" class="bds_weixin">微信</a></span> <a href="javascript:window.print()">[打印]</a> 字号：<a href="#">[大]</a> <a href="#">[中]</a> <a href="#">[小]</a></div>
<div class="neiright_JPZ_GK_CP"><div class="TRS_Editor"><div class="Custom_UnionStyle">
{_body(page, para="<div>{}</div>", subhead=TRS_SUBHEAD, image='<div style="text-align:center">{}</div>', caption='<div style="text-align:center">{}</div>', indent=IND)}
</div></div></div>
<div style="display:none" class="xgyd"><h3>相关阅读推荐</h3><ul><li><a href="/">{SITE_NAME}</a></li></ul></div>
</div>
{_footer()}"""  # noqa: E501
    head = _gov_head(v, c, SITE_NAME)
    return _document(f"{c.title}_{SITE_NAME}", page.charset, body, head)


def _hanweb(page: FamilyPage) -> str:
    """大汉 Hanweb jcms: 3-part <title>; 信息来源 with comment markers; meta in table cells;
    body between ZJEG_RSS markers with <META name=ContentStart> inside; uppercase <P>;
    captions ending in 摄; 【打印本页】【关闭窗口】; no chain."""
    v, c = page.view, page.view.content
    source = (
        f"<!--<$[信息来源]>begin-->{_source_html(c)}<!--<$[信息来源]>end-->" if c.source else ""
    )
    date = _date(v, {DateForm.ISO_DATE: "%Y-%m-%d", DateForm.CN_MINUTES: "%Y-%m-%d %H:%M"})
    x = page.extras
    body_html = _body(
        page,
        para="<P>{}</P>",
        subhead="<P><STRONG>{}</STRONG></P>",
        image="<P align=center>{}</P>",
        caption=f"<P align=center><FONT face=仿宋_GB2312>{{}}{x.photographer} 摄</FONT></P>",
        indent="\u3000\u3000",
    )
    body = f"""{_menu(page.nav)}
<table width="1000" align="center"><tr><td class="bt_link">当前位置：<a href="/">首页</a> &gt; {_crumb_links(v, " &gt; ")}</td></tr></table>
<table width="1000" align="center" class="xxgk">
<tr><td class="title" align="center"><!--<$[标题名称]>begin-->{escape(c.title)}<!--<$[标题名称]>end--></td></tr>
<tr><td align="center"><table><tr><td>发布日期：{date}</td><td>信息来源：{source}</td><td>访问次数：<script language="javascript" src="/module/visitcount/articlehits.jsp?colid=1&artid=2"></script></td><td>【字体：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】</td></tr></table></td></tr>
<tr><td><div id="zoom"><!--ZJEG_RSS.content.begin--><META name=ContentStart><!--<$[信息内容]>begin-->
{body_html}
<!--<$[信息内容]>end--><META name=ContentEnd><!--ZJEG_RSS.content.end--></div></td></tr>
<tr><td align="right">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</td></tr>
</table>
{_footer()}"""  # noqa: E501
    head = _gov_head(v, c, SITE_NAME)
    return _document(f"{SITE_NAME} {_section(v)} {c.title}", page.charset, body, head)


def _siteserver(page: FamilyPage) -> str:
    """SiteServer (STL): labels printed only for non-empty values, in 【】; chain in two
    side-by-side cells, 上一篇: with an ASCII colon, end text 无."""
    v, c = page.view, page.view.content
    parts = [f"【发布时间：{_date(v)}】"]
    if c.source:
        parts.append(f"【来源：{_source_html(c)}】")
    if c.author_shown:
        parts.append(f"【作者：{escape(c.author_shown)}】")
    parts.append(f'【点击：<script src="/api/stl/hits?id={page.extras.hits}"></script>】')
    body = f"""{_menu(page.nav, "menu")}
<div class="location">您现在的位置：<a href="/">首页</a> &gt; {_crumb_links(v, " &gt; ")}</div>
<div class="content-box">
<div class="content-title">{escape(c.title)}</div>
<div class="content-info">{" ".join(parts)}</div>
<div class="content-text">
{_body(page, para="<p>{}</p>", indent="&nbsp;&nbsp;&nbsp;&nbsp;")}
</div>
<table width="100%"><tr><td width="50%">上一篇:{_link(v.prev, "无")}</td><td width="50%">下一篇:{_link(v.next, "无")}</td></tr></table>
</div>
{_footer()}"""  # noqa: E501
    return _document(f"{c.title} - {SITE_NAME}", page.charset, body)


def _powereasy(page: FamilyPage) -> str:
    """动易 PowerEasy 2006 (ASP, GBK): title in a table cell; 作者 文章来源 点击数 更新时间
    in one cell (更新时间 is its only date); br body; 上一篇文章 / 下一篇文章."""
    v, c, x = page.view, page.view.content, page.extras
    source = "本站原创" if c.source == SITE_NAME else _source_html(c)
    nbsp = "&nbsp;&nbsp;&nbsp;&nbsp;"
    body = f"""<table width="778" align="center"><tr><td>{_menu(page.nav)}</td></tr></table>
<table width="778" align="center"><tr><td class="main_path">您现在的位置： <a href="/">{SITE_NAME}</a> &gt;&gt; {_crumb_links(v, " &gt;&gt; ")} &gt;&gt; 正文</td></tr></table>
<table width="778" align="center" class="main_tdbg">
<tr><td class="main_ArticleTitle" align="center"><b>{escape(c.title)}</b></td></tr>
<tr><td class="Article_tdbgall" align="center">作者：{escape(c.author_shown)}{nbsp}文章来源：{source}{nbsp}点击数：<script language="javascript" src="/Article/GetHits.asp?ArticleID={x.hits}"></script>{nbsp}更新时间：{_date(v)}{nbsp}<a href="javascript:fontZoomA();">【字体：小 大】</a></td></tr>
<tr><td class="main_ArticleContent" id="fontzoom">
{_br_body(page)}
</td></tr>
<tr><td align="right">【<a href="/Article/Comment.asp">发表评论</a>】【<a href="#">加入收藏</a>】【<a href="#">告诉好友</a>】【<a href="javascript:window.print()">打印此文</a>】【<a href="javascript:window.close();">关闭窗口</a>】</td></tr>
<tr><td><li>上一篇文章：{_link(v.prev, "没有了")}</li><li>下一篇文章：{_link(v.next, "没有了")}</li></td></tr>
</table>
{_footer()}"""  # noqa: E501
    return _document(f"{c.title}--{SITE_NAME}", page.charset, body)


def _kesion(page: FamilyPage) -> str:
    """KesionCMS (ASP): spans with 发布时间 作者 来源 浏览, 【字体：大 中 小】【打印】【关闭】,
    chain 上一篇 / 下一篇 ending in 没有了."""
    v, c, x = page.view, page.view.content, page.extras
    body = f"""{_menu(page.nav, "menu")}
<div class="location">当前位置：<a href="/">首页</a> » {_crumb_links(v, " » ")} » 浏览文章</div>
<div class="articlecontent">
<h1 class="title">{escape(c.title)}</h1>
<div class="newsinfo"><span>发布时间：{_date(v)}</span> <span>作者：{escape(c.author_shown)}</span> <span>来源：{_source_html(c)}</span> <span>浏览：<script src="/item/GetHits.asp?m=1&id={x.hits}"></script>次</span></div>
<div class="tool">【字体：<a href="javascript:ContentSize(16)">大</a> <a href="javascript:ContentSize(14)">中</a> <a href="javascript:ContentSize(12)">小</a>】【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</div>
<div id="MyContent">
{_body(page, para="<p>{}</p>", indent=IND)}
</div>
<div class="prev_next"><p>上一篇：{_link(v.prev, "没有了")}</p><p>下一篇：{_link(v.next, "没有了")}</p></div>
</div>
{_footer()}"""  # noqa: E501
    return _document(f"{c.title}-{_section(v)}-{SITE_NAME}", page.charset, body)


def _jeecms(page: FamilyPage) -> str:
    """JEECMS: msgbar with a space after some colons, an empty views span, a 摘要 summary
    before the body, chain <strong>上一篇：</strong> ending in 没有了, 正文 crumb tail."""
    v, c = page.view, page.view.content
    nbsp = " &nbsp; "
    body = f"""{_menu(page.nav, "nav")}
<div class="website">当前位置：<a href="/">首页</a> &gt; {_crumb_links(v, " &gt; ")} &gt; 正文</div>
<div class="newsTex"><h1>{escape(c.title)}</h1>
<div class="msgbar">发布时间： {_date(v)}{nbsp}作者：{escape(c.author_shown)}{nbsp}来源： {_source_html(c)}{nbsp}浏览次数：<span id="views"></span></div>
<div class="summary"><span style="color:red">摘要:</span>{escape(c.title)}</div>
<div class="newsCon">
{_body(page, para='<p style="text-indent:2em">{}</p>')}
</div>
</div>
<div class="other"><ul><li><strong>上一篇：</strong>{_link(v.prev, "没有了")}</li><li><strong>下一篇：</strong>{_link(v.next, "没有了")}</li></ul></div>
{_footer()}"""  # noqa: E501
    return _document(f"{c.title} - {SITE_NAME}", page.charset, body)


def _metinfo(page: FamilyPage) -> str:
    """MetInfo v7: unlabelled date, publisher (admin) and eye-icon hits; no source; chain
    as Bootstrap pagination with the label inside the link and 没有了 at the end."""
    v, c, x = page.view, page.view.content, page.extras

    def side(label: str, link: Link | None, css: str) -> str:
        if link is None:
            return (
                f'<li class="page-item {css} disable"><a class="page-link" href="javascript:;">'
                f'{label}<span aria-hidden="true" class="hidden-xs-down">: 没有了</span></a></li>'
            )
        return (
            f'<li class="page-item {css}"><a class="page-link" href="{link.path}" '
            f'title="{escape(link.text)}">{label}<span aria-hidden="true" '
            f'class="hidden-xs-down">: {escape(link.text)}</span></a></li>'
        )

    body = f"""<header class="met-head"><h1 hidden>{SITE_NAME}</h1>{_menu(page.nav, "navbar")}</header>
<div class="met-banner"><h2 class="m-t-0">{_section(v)}</h2></div>
<div class="met-crumbs"><ol class="breadcrumb"><li><a href="/">首页</a></li>{"".join(f'<li><a href="{link.path}">{escape(link.text)}</a></li>' for link in v.crumbs)}</ol></div>
<section class="met-shownews"><div class="container">
<section class="details-title border-bottom1"><h1 class="m-0">{escape(c.title)}</h1>
<div class="info font-weight-300"><span>{_date(v)}</span><span>admin</span><span><i class="icon wb-eye m-r-5" aria-hidden="true"></i>{x.hits}</span></div></section>
<section class="met-editor clearfix">
{_body(page)}
</section>
<div class="detail_tag font-size-14"><span>标签:</span><a href="/search/?q=乡村">乡村</a></div>
<ul class="pagination block blocks-2 p-t-20">{side("上一篇", v.prev, "pagination-prev")}{side("下一篇", v.next, "pagination-next")}</ul>
</div></section>
{_footer("met-foot")}"""  # noqa: E501
    return _document(f"{c.title}-{SITE_NAME}", page.charset, body)


def _discuz(page: FamilyPage) -> str:
    """Discuz! X portal: crumbs separated by › ending in 查看内容; unlabelled date, 发布者,
    查看, 原作者, 来自 split by pipes; a 摘要 block; body in td#article_content; each chain
    side omitted at the end."""
    v, c, x = page.view, page.view.content, page.extras
    items = [
        _date(v, {DateForm.CN_MINUTES: "%Y-%m-%d %H:%M"}),
        '发布者: <a href="home.php?mod=space&uid=1">admin</a>',
        f'查看: <em id="_viewnum">{x.hits}</em>',
        "评论: 0",
    ]
    if c.author is not None:
        items.append(f"原作者: {escape(c.author_shown)}")
    if c.source:
        items.append(f"来自: {_source_html(c)}")
    pipe = '<span class="pipe">|</span>'
    chain = ""
    if v.prev:
        chain += f"<em>上一篇：{_link(v.prev, '')}</em>"
    if v.next:
        chain += f"<em>下一篇：{_link(v.next, '')}</em>"
    chain = f'<div class="pren pbm cl">{chain}</div>' if chain else ""
    crumbs = "".join(
        f' <em>&rsaquo;</em> <a href="{link.path}">{escape(link.text)}</a>' for link in v.crumbs
    )
    body = f"""<div id="hd">{_menu(page.nav, "nv")}</div>
<div id="pt" class="bm cl"><div class="z"><a href="/" class="nvhm" title="首页">{SITE_NAME}</a> <em>&rsaquo;</em> <a href="/portal.php">门户</a>{crumbs} <em>&rsaquo;</em> 查看内容</div></div>
<div id="ct" class="ct2 wp cl"><div class="mn"><div class="bm vw">
<div class="h hm"><h1 class="ph">{escape(c.title)}</h1>
<p class="xg1">{pipe.join(items)}</p></div>
<div class="s"><div><strong>摘要</strong>: {escape(c.title)}</div></div>
<div class="d"><table cellpadding="0" cellspacing="0" class="vwtb"><tr><td id="article_content">
{_body(page)}
</td></tr></table></div>
<div id="click_div"><table><tr><td>震惊</td><td>支持</td></tr></table></div>
<div class="o cl ptm pbm"><a href="#" class="oshr">分享</a><a href="#" class="oshr ofav">收藏</a><a href="#" class="oshr oivt">邀请</a></div>
{chain}
</div></div></div>
{_footer("ft")}"""  # noqa: E501
    title = f"{c.title} - {_section(v)} - {SITE_NAME} - Powered by Discuz!"
    return _document(title, page.charset, body)


def _wordpress(page: FamilyPage) -> str:
    """WordPress with a Chinese theme: og:title; 时间 / 作者 / 分类 slash-separated above the
    body; a hidden updated time; the chain label vanishes at the end; no source."""
    v, c = page.view, page.view.content
    published = v.published.replace(second=0)
    date = published.strftime("%Y年%m月%d日 %H:%M")
    chain = ""
    if v.prev:
        chain += f'<div class="prev">上一篇：{_link(v.prev, "")}</div>'
    if v.next:
        chain += f'<div class="next">下一篇: {_link(v.next, "")}</div>'
    body = f"""<header id="masthead"><p class="site-title"><a href="/">{SITE_NAME}</a></p>{_menu(page.nav, "main-navigation")}</header>
<div class="breadcrumbs">当前位置：<a href="/">首页</a> » {_crumb_links(v, " » ")} » 正文</div>
<article class="post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{escape(c.title)}</h1>
<p class="post-index-detail">时间：<time class="entry-date published" datetime="{published.isoformat()}">{date}</time><time class="updated" datetime="2021-01-05T09:00:00+08:00" style="display:none">2021年01月05日</time> / 作者：<a href="/author/1/">{escape(c.author_shown)}</a> / 分类：<a href="{v.crumbs[-1].path}">{_section(v)}</a></p></header>
<div class="post-content">
{_body(page)}
</div>
<div class="post-tags">标签：<a href="/tag/xc/" rel="tag">乡村</a>，<a href="/tag/zl/" rel="tag">治理</a></div>
<div class="bdsharebuttonbox"><a href="#" class="bds_more">分享到：</a><a href="#" class="bds_weixin">微信</a></div>
</article>
<div class="post_link">{chain}</div>
<footer class="site-footer">{_footer("site-info")}</footer>"""  # noqa: E501
    head = (
        f'<meta property="og:title" content="{escape(c.title)}">\n'
        '<meta property="og:type" content="article">\n'
    )
    return _document(f"{c.title} - {SITE_NAME}", page.charset, body, head)


def _pbootcms(page: FamilyPage) -> str:
    """PbootCMS: h2 title; one centred line 时间 访问量 (no author, no source); chain ending
    in 没有了！"""
    v, c, x = page.view, page.view.content, page.extras
    body = f"""<nav class="navbar">{_menu(page.nav, "navbar-nav")}</nav>
<div class="container"><div class="position text-right">当前位置：<a href="/">首页</a>&gt;{_crumb_links(v, "&gt;")}</div>
<h2 class="text-center fs-sm-28 fs-20 mt-3">{escape(c.title)}</h2>
<div class="text-center border-bottom text-secondary pb-2 mb-3">时间：{_date(v)}&nbsp;&nbsp;&nbsp;访问量：{x.hits + 1000}</div>
<div class="content mb-3">
{_body(page)}
</div>
<div class="text-secondary lh-2"><p>上一篇：{_link(v.prev, "没有了！")}</p><p>下一篇：{_link(v.next, "没有了！")}</p></div>
</div>
{_footer("footer mt-3")}"""  # noqa: E501
    return _document(f"{c.title}-{_section(v)}-{SITE_NAME}", page.charset, body)


def _sitegroup(page: FamilyPage) -> str:
    """A government site-group platform: gov metas, a logo h1 of the site, the column name
    as an h3; meta as label and value in separate table cells; span-wrapped Word-pasted
    paragraphs; 【打印】【关闭】 and 分享到; no chain."""
    v, c = page.view, page.view.content
    source = f"<td>{_source_html(c)}</td>" if c.source else "<td></td>"
    body_html = _body(
        page,
        para='<p style="text-indent:2em"><span style="font-family:仿宋_GB2312">{}</span></p>',
        subhead='<p style="text-indent:2em"><span style="font-family:黑体">{}</span></p>',
        caption='<p style="text-align:center"><span style="font-family:楷体_GB2312">{}</span></p>',
    )  # fmt: skip
    body = f"""<div class="header"><div class="logo"><h1><a href="/">{SITE_NAME}</a></h1></div>{_menu(page.nav, "nav")}</div>
<div class="main"><div class="lm-title"><h3>{_section(v)}</h3></div>
<div class="bread">当前位置：<a href="/">首页</a> &gt; {_crumb_links(v, " &gt; ")}</div>
<div class="article">
<div class="article-title">{escape(c.title)}</div>
<table class="article-info"><tr><td>发布时间：</td><td>{_date(v, {DateForm.SLASH_DATE: "%Y年%m月%d日"})}</td><td>信息来源：</td>{source}<td>浏览次数：</td><td><span id="clicks"></span></td></tr></table>
<div class="article-tool">【字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】 分享到：<a href="#">微信</a> <a href="#">微博</a></div>
<div class="article-content" id="zoom">
{body_html}
</div>
<div class="article-bottom">【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</div>
</div></div>
{_footer("foot")}"""  # noqa: E501
    head = _gov_head(v, c, SITE_NAME)
    return _document(f"{c.title}_{_section(v)}_{SITE_NAME}", page.charset, body, head)


def _govasp(page: FamilyPage) -> str:
    """A legacy ASP government template: td.title; a grey row opening with the font widget,
    every item in 【】 with ideographic spaces, 【关 闭】【打 印】; chain with a red label and
    the neighbour's date after the link."""
    v, c = page.view, page.view.content

    def side(label: str, link: Link | None) -> str:
        if link is None:
            return f"<font color=red>{label}</font>没有了"
        return (
            f'<font color=red>{label}</font><a href="{link.path}">{escape(link.text)}</a>[ 05-25 ]'
        )

    meta = (
        "【字体：<a href=#>大</a> <a href=#>中</a> <a href=#>小</a>】\u3000"
        f"【时间：{_date(v)}】\u3000【作者：{escape(c.author_shown)}】\u3000"
        f"【来源：{_source_html(c)}】\u3000"
        "【<a href='javascript:window.close()'>关 闭</a>】\u3000\u3000"
        "【<a href='javascript:window.print()'>打 印</a>】"
    )
    body = f"""<table width="900" align="center"><tr><td>{_menu(page.nav)}</td></tr>
<tr><td>您当前的位置：<a href="/">首页</a> &gt;&gt; {_crumb_links(v, " &gt;&gt; ")} &gt;&gt; 浏览信息</td></tr></table>
<table width="900" align="center">
<tr><td class="title" align="center"><strong>{escape(c.title)}</strong></td></tr>
<tr><td bgcolor="#EEEEEE" align="center">{meta}</td></tr>
<tr><td id="fontzoom">
{_br_body(page, indent=IND)}
</td></tr>
<tr><td>{side("上一篇：", v.prev)}<br>{side("下一篇：", v.next)}</td></tr>
<tr><td align="center">【<a href="javascript:window.close()">关闭页面</a>】【<a href="#top">页面顶部</a>】</td></tr>
</table>
{_footer()}"""  # noqa: E501
    return _document(f"{c.title}", page.charset, body)


def _university(page: FamilyPage) -> str:
    """A university news template (VSB-like): the column name as h2, the title in a
    td.titlestyle cell; spans 作者 (empty when nobody) 发布时间 点击数 by script; a 文/图
    byline; a 供稿 摄影/ 编辑/ credit line; 上一条 / 下一条 with the label alone at the end."""
    v, c, x = page.view, page.view.content, page.extras
    author = "" if c.author is None else escape(c.author_shown)
    byline = f'<p style="text-align:right">（文/图 {x.byline_name}）</p>' if x.byline_name else ""
    credit = f"<p>供稿：{x.department}\u3000摄影/{x.photographer}\u3000编辑/{x.editor}</p>"
    prev = f'<div class="prev"><span>上一条：</span>{_link(v.prev, "")}</div>'
    nxt = f'<div class="next"><span>下一条：</span>{_link(v.next, "")}</div>'
    body = f"""<div class="head"><div class="logo"><img src="/images/logo.png" alt="{SITE_NAME}"></div>{_menu(page.nav)}</div>
<div class="column"><h2 class="column-title">{_section(v)}</h2><div class="position">当前位置: <a href="/">首页</a>&gt;&gt;{_crumb_links(v, "&gt;&gt;")}&gt;&gt;正文</div></div>
<form name="_newscontent_fromname"><table width="100%"><tr><td class="titlestyle1234" align="center">{escape(c.title)}</td></tr>
<tr><td align="center" height="30"><span class="timestyle">作者：{author}</span>&nbsp;&nbsp;<span class="timestyle">发布时间：{_date(v, {DateForm.ISO_DATE: "%Y年%m月%d日", DateForm.SLASH_DATE: "%Y年%m月%d日"})}</span>&nbsp;&nbsp;<span class="timestyle">点击数：<script>_showDynClicks("wbnews", 1234, {x.hits})</script></span></td></tr>
<tr><td><div class="v_news_content">
{byline}
{_body(page, para="<p>{}</p>", indent=IND)}
{credit}
</div></td></tr>
</table></form>
<div class="prenext">{prev}{nxt}</div>
{_footer("foot")}"""  # noqa: E501
    return _document(f"{c.title}-{SITE_NAME}", page.charset, body)


def _hospital(page: FamilyPage) -> str:
    """A hospital news page on a JSP site: h3 title; only the date and 投稿部门 above the
    body; 信息来源 and 责任编辑 below it (the 马鞍山 form); a 撰稿 byline on its own line;
    no chain block."""
    v, c, x = page.view, page.view.content, page.extras
    source = _source_html(c) if c.source else ""
    byline = f"<p>撰稿：{x.byline_name}</p>" if x.byline_name else ""
    body = f"""<div class="top">{_menu(page.nav)}</div>
<div class="dqwz">您当前所在位置：<a href="/">首页</a> → {_crumb_links(v, " → ")}</div>
<div class="detail">
<h3 class="sp_title">{escape(c.title)}</h3>
<div class="sp_time"><span>投稿部门：{x.department}</span>&nbsp;&nbsp;<span>发布时间：{_date(v)}</span>&nbsp;&nbsp;<span>【字体：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</span></div>
<div id="zoom">
{_body(page, para="<p>{}</p>", indent="&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;")}
{byline}
</div>
<div class="sp_source">信息来源：{source}&nbsp;&nbsp;&nbsp;&nbsp;责任编辑：{x.editor}</div>
<div class="sp_print"><a href="javascript:window.print()">打印</a> / <a href="javascript:window.close()">关闭页面</a></div>
</div>
{_footer()}"""  # noqa: E501
    return _document(f"{c.title}_{SITE_NAME}", page.charset, body)


# fmt: off
# key, CMS, section, list template, list style, URL form, encoding, date forms, source
# labels, shows author, shows source, shows 原文链接, prints a byline, renderer
D = DateForm
FAMILIES: tuple[Family, ...] = (
    Family("dedecms", "DedeCMS 织梦", "乡镇动态", Template.SEED, "path", "html", "gbk",
           (D.ISO_DATE, D.CN_MINUTES), ("来源",), True, True, False, False, _dedecms),
    Family("phpcms", "PHPCMS v9", "媒体聚焦", Template.MODERN, "index", "html", "utf-8",
           (D.ISO_SECONDS, D.CN_MINUTES), ("来源",), False, True, False, False, _phpcms),
    Family("empirecms", "帝国 EmpireCMS", "理论学习", Template.SEED, "path", "a", "gbk",
           (D.ISO_SECONDS,), ("来源",), True, True, False, False, _empirecms),
    Family("trs", "TRS WCM", "政策文件", Template.MODERN, "index", "html", "utf-8",
           (D.ISO_DATE, D.SLASH_DATE), ("来源",), False, True, False, False, _trs, has_chain=False),
    Family("hanweb", "大汉 Hanweb jcms", "通知公告", Template.SEED, "path", "html", "utf-8",
           (D.ISO_DATE, D.CN_MINUTES), ("信息来源",), False, True, False, False, _hanweb,
           has_chain=False),
    Family("siteserver", "SiteServer CMS", "工作动态", Template.MODERN, "index", "a", "utf-8",
           _ALL_FORMS, ("来源",), True, True, False, False, _siteserver),
    Family("powereasy", "动易 PowerEasy", "典型经验", Template.TABLE, "query", "asp", "gbk",
           (D.ISO_DATE,), ("文章来源",), True, True, False, False, _powereasy),
    Family("kesion", "KesionCMS", "农业科技", Template.TABLE, "query", "asp", "gbk",
           (D.ISO_SECONDS,), ("来源",), True, True, False, False, _kesion),
    Family("jeecms", "JEECMS", "法治建设", Template.SEED, "path", "html", "utf-8",
           (D.ISO_SECONDS,), ("来源",), True, True, False, False, _jeecms),
    Family("metinfo", "MetInfo v7", "企业风采", Template.MODERN, "index", "a", "utf-8",
           (D.ISO_SECONDS, D.ISO_DATE), ("来源",), False, False, False, False, _metinfo),
    Family("discuz", "Discuz! X portal", "网友来稿", Template.SEED, "path", "a", "gbk",
           (D.CN_MINUTES,), ("来自",), True, True, False, False, _discuz),
    Family("wordpress", "WordPress (Chinese theme)", "观点评论", Template.MODERN, "index", "html",
           "utf-8", (D.CN_MINUTES,), ("来源",), True, False, False, False, _wordpress),
    Family("pbootcms", "PbootCMS", "文化旅游", Template.MODERN, "path", "html", "utf-8",
           (D.ISO_DATE,), ("来源",), False, False, False, False, _pbootcms),
    Family("sitegroup", "政府网站集约化平台", "政务公开", Template.TABLE, "query", "asp", "utf-8",
           (D.ISO_DATE, D.ISO_SECONDS, D.SLASH_DATE), ("信息来源",),
           False, True, False, False, _sitegroup, has_chain=False),
    Family("govasp", "ASP 政府网站", "政策法规", Template.TABLE, "query", "asp", "gbk",
           (D.ISO_DATE,), ("来源",), True, True, False, False, _govasp),
    Family("university", "高校新闻网 (VSB)", "校园新闻", Template.SEED, "path", "html", "utf-8",
           (D.ISO_DATE, D.ISO_SECONDS), ("来源",), True, False, False, True, _university),
    Family("hospital", "医院网站 (JSP)", "医院新闻", Template.MODERN, "index", "a", "utf-8",
           (D.ISO_SECONDS,), ("信息来源",), False, True, False, True, _hospital, has_chain=False),
)
# fmt: on
BY_KEY = {family.key: family for family in FAMILIES}


def render(key: str, view: ArticleView, nav: Sequence[NavSection], charset: str) -> str:
    """The whole article page of one family for the portal's view of an article."""
    family = BY_KEY[key]
    article_id = _article_id(view.path)
    page = FamilyPage(view, nav, charset, extras(family, view.content, article_id), family)
    return family.render(page)


def _article_id(path: str) -> int:
    """The replica's article id from any of its URL forms."""
    digits = re.findall(r"\d+", path.rsplit("/", 1)[-1])
    return int(digits[-1]) if digits else 0
