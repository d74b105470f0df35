"""HTML of the replica's pages: three article and list templates, varied as Chinese CMSes vary.

SEED follows the one real page we know (div layout, ASCII colons, `>>`). TABLE is an old ASP
site: tables, full-width labels, the body in one cell split by <br>, relative links. MODERN
has labels in spans, `»` separators, a breadcrumb ending in 正文 and the usual noise (点击数
by script, 【字体：大 中 小】, 分享到). Templates take plain views and return text; the
portal decides the bytes.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from html import escape

from xzcrawler.replica.text import Content, ParagraphKind

SITE_NAME = "乡镇时评网"
FOREIGN_NAV = ("人民网", "http://www.people.com.cn/")
ADMIN_NAV = ("管理登录", "/admin/login.asp")
STATIC_PAGES = {1: "关于我们", 2: "联系我们", 3: "网站地图"}  # ids in the /a/<id>.html form
FOOTER_TEXT = "\n".join(
    f"<p>{line}</p>"
    for line in (
        "本站部分信息由相应民事主体自行提供,该信息内容的真实性、准确性和合法性应由该民事主体负责。"
        f"{SITE_NAME} 对此不承担任何保证责任。",
        "本网部分转载文章、图片等无法联系到权利人,请相关权利人与本网站联系。",
        "北京中农时代农业技术研究院主办 | 政讯通-政务信息一体化办公室 主管",
        '<a href="https://beian.miit.gov.cn/" target="_blank">京ICP备11019690号-100</a>',
        f"{SITE_NAME} xzspw.org.cn 版权所有。",
        "联系电话:010-56019387、010-80440269、010-69945235,监督电话:18516948318,"
        "违法和不良信息举报电话:010-57028685",
        "第一办公区:北京市西城区敬胜胡同甲3号东侧;第二办公区:北京市东城区建国门内大街26号新闻大厦5层",
        "邮箱: qgsndy@163.com 客服QQ : 2909421493 通联QQ : 213552413",
    )
)
FONT_SIZE = (
    '<span class="fontsize">【字体：<a href="javascript:doZoom(18)">大</a> '
    '<a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>】</span>'
)
SHARE = (
    '<div class="share">分享到：<a class="bds_weixin" href="#">微信</a> '
    '<a class="bds_tsina" href="#">新浪微博</a> <a class="bds_qzone" href="#">QQ空间</a></div>'
)


class Template(StrEnum):
    SEED = "seed"
    TABLE = "table"
    MODERN = "modern"


@dataclass(frozen=True, slots=True)
class Link:
    path: str
    text: str


@dataclass(frozen=True, slots=True)
class NavSection:
    name: str
    path: str
    children: tuple[NavSection, ...] = ()


@dataclass(frozen=True, slots=True)
class ArticleView:
    path: str
    crumbs: tuple[Link, ...]  # the sections from the top, each to its list page 1
    published: datetime  # the true time; the content's date form decides what is shown
    content: Content
    prev: Link | None  # older
    next: Link | None  # newer


@dataclass(frozen=True, slots=True)
class ListItem:
    path: str
    title: str
    published: datetime


@dataclass(frozen=True, slots=True)
class ListView:
    crumbs: tuple[Link, ...]
    items: Sequence[ListItem]
    page: int
    page_paths: tuple[str, ...]  # list page 1, 2, ... as far as the cap
    total: int
    sticky: ListItem | None = None  # a pinned item whose link goes where robots.txt forbids


def _href(path: str, relative: bool) -> str:
    """Old ASP templates write links relative to the site root they all live in."""
    return path[1:] if relative and path != "/" else path


def document_head(title: str, charset: str, head: str = "") -> str:
    """<!DOCTYPE> to the end of <head>: the charset declared as the page's template would."""
    if charset == "utf-8":
        declaration = '<meta charset="utf-8">'
    else:
        declaration = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    return (
        f"<!DOCTYPE html>\n<html>\n<head>\n{declaration}\n<title>{escape(title)}</title>\n"
        f"{head}</head>\n"
    )


def _document(
    title: str, charset: str, main: str, nav: Sequence[NavSection], head: str = ""
) -> str:
    head = (
        f'<meta name="keywords" content="{SITE_NAME},乡镇,时评">\n{head}'
        '<link rel="stylesheet" href="/templets/style/main.css">\n'
    )
    return (
        f"{document_head(title, charset, head)}<body>\n"
        f'<div class="top">• 欢迎来到{SITE_NAME}!</div>\n{_nav(nav)}\n{main}\n{_footer()}\n'
        "</body>\n</html>\n"
    )


def _nav(sections: Sequence[NavSection]) -> str:
    items = ['<li><a href="/">首页</a></li>']
    for section in sections:
        sub = ""
        if section.children:
            children = "".join(
                f'<li><a href="{child.path}">{child.name}</a></li>' for child in section.children
            )
            sub = f'<ul class="sub">{children}</ul>'
        items.append(f'<li><a href="{section.path}">{section.name}</a>{sub}</li>')
    name, url = FOREIGN_NAV
    items.append(f'<li><a href="{url}" target="_blank">{name}</a></li>')
    name, url = ADMIN_NAV
    items.append(f'<li><a href="{url}">{name}</a></li>')
    return '<div class="nav"><ul class="menu">' + "\n".join(items) + "</ul></div>"


def _footer() -> str:
    links = " | ".join(f'<a href="/a/{n}.html">{name}</a>' for n, name in STATIC_PAGES.items())
    return f"""<div class="footer">
<p>{links}</p>
{FOOTER_TEXT}
</div>"""


def _image_src(src: str, page_path: str) -> str:
    """Body images are written relative to the page, as editors' WYSIWYG tools leave them."""
    return posixpath.relpath(src, posixpath.dirname(page_path.split("?")[0]))


def _shown_date(view: ArticleView) -> str:
    return view.published.strftime(view.content.date_form.value)


# --- articles ---------------------------------------------------------------------------


def _seed_article(view: ArticleView) -> str:
    c = view.content
    crumbs = ">>".join(f'<a href="{link.path}">{link.text}</a>' for link in view.crumbs)
    source = _source(c)
    blank = "<p>&nbsp;</p>\n" if c.blank_paragraphs else ""
    paragraphs = _body(
        view,
        image='<p align="center"><img src="{src}" alt="" /></p>\n',
        subhead=f"<p><strong>{{text}}</strong></p>\n{blank}",
        text=f"<p>&nbsp;&nbsp;{{text}}</p>\n{blank}",
    )
    if c.editor:
        paragraphs.append(f"<p>（责任编辑：{c.editor}）</p>\n")
    original = ""
    if c.original_url:
        url = escape(c.original_url)
        original = (
            f'<div class="yuanwen">原文链接:<a href="{url}" target="_blank">{url}</a></div>\n'
        )
    return f"""<div class="position">当前所在: <a href="/">首页</a>>>{crumbs}</div>
<div class="article">
<h1 class="title">{escape(c.title)}</h1>
<div class="info">{_shown_date(view)} 作者:{escape(c.author_shown)} {c.source_label}: {source}</div>
<div class="content">
{"".join(paragraphs)}</div>
{original}<div class="prenext">
<p>上一篇: {_neighbour(view.prev, relative=False)}</p>
<p>下一篇: {_neighbour(view.next, relative=False)}</p>
</div>
</div>"""


def _body(
    view: ArticleView, *, image: str, subhead: str, text: str, caption: str | None = None
) -> list[str]:
    """The body's paragraphs in a template's markup: `image` takes {src}, the others {text}
    (a caption is written as text where the template has no form of its own)."""
    written = []
    for p in view.content.paragraphs:
        match p.kind:
            case ParagraphKind.IMAGE:
                written.append(image.format(src=_image_src(p.src, view.path)))
            case ParagraphKind.SUBHEAD:
                written.append(subhead.format(text=escape(p.text)))
            case ParagraphKind.CAPTION if caption is not None:
                written.append(caption.format(text=escape(p.text)))
            case _:
                written.append(text.format(text=escape(p.text)))
    return written


def _source(content: Content) -> str:
    """The publisher as the meta line shows it: plain, or a link to its site."""
    source = escape(content.source or "")
    if content.source_href:
        return f'<a href="{content.source_href}" target="_blank">{source}</a>'
    return source


def _neighbour(link: Link | None, *, relative: bool) -> str:
    if link is None:
        return "没有了"
    return f'<a href="{_href(link.path, relative)}">{escape(link.text)}</a>'


def _table_article(view: ArticleView) -> str:
    c = view.content
    crumbs = " &gt;&gt; ".join(
        f'<a href="{_href(link.path, True)}">{link.text}</a>' for link in view.crumbs
    )
    source = _source(c)
    indent = "&nbsp;&nbsp;&nbsp;&nbsp;" if c.blank_paragraphs else "\u3000\u3000"
    gap = "<br>\n<br>\n" if c.blank_paragraphs else "<br>\n"
    lines = _body(
        view,
        image='<div align="center"><img src="{src}" border="0"></div>\n',
        subhead=f"{indent}<b>{{text}}</b>{gap}",
        text=f"{indent}{{text}}{gap}",
    )
    if c.editor:
        lines.append(f"{indent}（责任编辑：{c.editor}）<br>\n")
    original = ""
    if c.original_url:
        url = escape(c.original_url)
        original = (
            f'<tr><td class="yuanwen">原文链接：<a href="{url}" target="_blank">{url}</a>'
            "</td></tr>\n"
        )
    meta = (
        f"发布时间：{_shown_date(view)}\u3000{c.source_label}：{source}"
        f"\u3000作者：{escape(c.author_shown)}"
    )
    return f"""<table width="960" border="0" cellpadding="0" cellspacing="0" align="center">
<tr><td class="weizhi">当前位置：<a href="/">首页</a> &gt;&gt; {crumbs}</td></tr>
</table>
<table width="960" border="0" cellpadding="4" cellspacing="0" align="center" class="wenzhang">
<tr><td align="center" class="biaoti"><font size="4"><b>{escape(c.title)}</b></font></td></tr>
<tr><td align="center" class="xinxi">{meta}</td></tr>
<tr><td class="neirong"><font style="font-size:14px;line-height:180%">
{"".join(lines)}</font></td></tr>
{original}<tr><td class="shangxia">上一条：{_neighbour(view.prev, relative=True)}<br>
下一条：{_neighbour(view.next, relative=True)}</td></tr>
</table>"""


def _modern_article(view: ArticleView) -> str:
    c = view.content
    crumbs = "".join(f' » <a href="{link.path}">{link.text}</a>' for link in view.crumbs)
    source = _source(c)
    blank = "<p>&nbsp;</p>\n" if c.blank_paragraphs else ""
    paragraphs = _body(
        view,
        image='<p style="text-align:center"><img src="{src}" alt=""></p>\n',
        caption=f'<p style="text-align:center">{{text}}</p>\n{blank}',
        subhead="<h3>{text}</h3>\n",
        text=f'<p style="text-indent:2em">{{text}}</p>\n{blank}',
    )
    editor = f'<div class="editor">（责任编辑：{c.editor}）</div>\n' if c.editor else ""
    original = ""
    if c.original_url:
        original = (
            f'<div class="article-origin"><a href="{escape(c.original_url)}" target="_blank" '
            'rel="nofollow">查看原文</a></div>\n'
        )
    hits = sum(map(ord, c.title)) % 5000
    return f"""<div class="crumbs">您的位置：<a href="/">首页</a>{crumbs} » 正文</div>
<div class="main-article">
<h1 class="article-title">{escape(c.title)}</h1>
<div class="article-meta">
<span class="label">时间：</span><span class="date">{_shown_date(view)}</span>
<span class="label">{c.source_label}：</span><span class="source">{source}</span>
<span class="label">作者：</span><span class="author">{escape(c.author_shown)}</span>
<span class="hits">点击数：<script type="text/javascript">document.write("{hits}");</script></span>
{FONT_SIZE}
</div>
<div class="article-content" id="zoom">
{"".join(paragraphs)}</div>
{editor}{original}{SHARE}
<ul class="pre-next">
<li><span>上一篇：</span>{_neighbour(view.prev, relative=False)}</li>
<li><span>下一篇：</span>{_neighbour(view.next, relative=False)}</li>
</ul>
</div>"""


_ARTICLE_BODIES: dict[Template, Callable[[ArticleView], str]] = {
    Template.SEED: _seed_article,
    Template.TABLE: _table_article,
    Template.MODERN: _modern_article,
}


def article(template: Template, view: ArticleView, nav: Sequence[NavSection], charset: str) -> str:
    head = ""
    if template == Template.MODERN:
        published = view.published.replace(microsecond=0).isoformat()
        head = f'<meta property="article:published_time" content="{published}">\n'
    title = f"{view.content.title}_{view.crumbs[-1].text}_{SITE_NAME}"
    return _document(title, charset, _ARTICLE_BODIES[template](view), nav, head)


# --- list pages -------------------------------------------------------------------------


def _pager_links(view: ListView) -> list[tuple[str, int]]:
    """(label, page) for 首页 上一页 1 2 3 下一页 尾页, the page numbers in between."""
    last = len(view.page_paths)
    return [
        ("首页", 1),
        ("上一页", max(view.page - 1, 1)),
        *((str(n), n) for n in range(1, last + 1)),
        ("下一页", min(view.page + 1, last)),
        ("尾页", last),
    ]


def _pager(view: ListView, *, relative: bool, current: str) -> str:
    """Links to other pages; the current page's entries are plain text, as CMSes print them."""
    parts = []
    for label, page in _pager_links(view):
        if page == view.page:
            parts.append(current.format(label=label))
        else:
            parts.append(f'<a href="{_href(view.page_paths[page - 1], relative)}">{label}</a>')
    return " ".join(parts)


def _seed_list(view: ListView) -> str:
    crumbs = ">>".join(f'<a href="{link.path}">{link.text}</a>' for link in view.crumbs)
    items = [f'<li><a href="{item.path}" target="_blank">{escape(item.title)}</a>'
             f"<span>[{item.published:%Y-%m-%d}]</span></li>" for item in view.items]  # fmt: skip
    if view.sticky:
        sticky = view.sticky
        items.insert(0, f'<li><a href="{sticky.path}">[置顶] {escape(sticky.title)}</a>'
                        f"<span>[{sticky.published:%Y-%m-%d}]</span></li>")  # fmt: skip
    pager = _pager(view, relative=False, current='<span class="thisclass">{label}</span>')
    info = (
        f'<span class="pageinfo">共 <strong>{len(view.page_paths)}</strong>页'
        f"<strong>{view.total}</strong>条</span>"
    )
    return f"""<div class="position">当前所在: <a href="/">首页</a>>>{crumbs}</div>
<div class="list"><ul>
{chr(10).join(items)}
</ul></div>
<div class="pages">{pager} {info}</div>"""


# List templates cut long titles, as CMS list tags do (DedeCMS titlelen, PHPCMS str_cut): the
# TABLE list shows the first 16 characters and "...", the MODERN list 18 and "…" with the whole
# title in the link's title attribute.
TABLE_LIST_TITLE_CHARS = 16
MODERN_LIST_TITLE_CHARS = 18


def shortened(title: str, chars: int, mark: str) -> str:
    """The title as a list template shows it: cut to `chars` characters and `mark` if longer."""
    return title if len(title) <= chars else title[:chars] + mark


def _table_list(view: ListView) -> str:
    crumbs = " &gt;&gt; ".join(
        f'<a href="{_href(link.path, True)}">{link.text}</a>' for link in view.crumbs
    )
    rows = [
        f'<tr><td width="85%">·<a href="{_href(item.path, True)}" target="_blank">'
        f"{escape(shortened(item.title, TABLE_LIST_TITLE_CHARS, '...'))}</a></td>"
        f'<td align="right">({item.published:%Y-%m-%d})</td></tr>'
        for item in view.items
    ]
    pager = _pager(view, relative=True, current="<font color=red>{label}</font>")
    info = f"共 {view.total} 条记录 页次：{view.page}/{len(view.page_paths)}"
    return f"""<table width="960" border="0" cellpadding="0" cellspacing="0" align="center">
<tr><td class="weizhi">当前位置：<a href="/">首页</a> &gt;&gt; {crumbs}</td></tr>
</table>
<table width="960" border="0" cellpadding="3" cellspacing="0" align="center" class="liebiao">
{chr(10).join(rows)}
<tr><td colspan="2" align="center">{info} {pager}</td></tr>
</table>"""


def _modern_list(view: ListView) -> str:
    crumbs = "".join(f' » <a href="{link.path}">{link.text}</a>' for link in view.crumbs)
    items = [
        f'<li><a href="{item.path}" title="{escape(item.title)}">'
        f"{escape(shortened(item.title, MODERN_LIST_TITLE_CHARS, '…'))}</a> "
        f'<span class="date">[{item.published:%Y-%m-%d}]</span></li>'
        for item in view.items
    ]
    pager = _pager(view, relative=False, current='<a class="cur">{label}</a>')
    return f"""<div class="crumbs">您的位置：<a href="/">首页</a>{crumbs}</div>
<ul class="news-list">
{chr(10).join(items)}
</ul>
<div class="pagination">{pager}</div>"""


_LIST_BODIES: dict[Template, Callable[[ListView], str]] = {
    Template.SEED: _seed_list,
    Template.TABLE: _table_list,
    Template.MODERN: _modern_list,
}


def list_page(template: Template, view: ListView, nav: Sequence[NavSection], charset: str) -> str:
    title = f"{view.crumbs[-1].text}_第{view.page}页_{SITE_NAME}"
    return _document(title, charset, _LIST_BODIES[template](view), nav)


# --- other pages ------------------------------------------------------------------------


def home(
    blocks: Sequence[tuple[Link, Sequence[ListItem]]],
    hot: Sequence[ListItem],
    nav: Sequence[NavSection],
) -> str:
    """The home page: each top section's newest articles and a 热点排行 of popular old ones."""
    parts = []
    for section, items in blocks:
        lis = "\n".join(
            f'<li><a href="{item.path}">{escape(item.title)}</a>'
            f"<span>[{item.published:%m-%d}]</span></li>"
            for item in items
        )
        parts.append(
            f'<div class="block"><h2><a href="{section.path}">{section.text}</a>'
            f'<a class="more" href="{section.path}">更多&gt;&gt;</a></h2><ul>\n{lis}\n</ul></div>'
        )
    hot_items = "\n".join(
        f'<li><a href="{item.path}">{escape(item.title)}</a></li>' for item in hot
    )
    parts.append(f'<div class="block hot"><h2>热点排行</h2><ol>\n{hot_items}\n</ol></div>')
    return _document(f"{SITE_NAME}-首页", "utf-8", "\n".join(parts), nav)


def static_page(page_id: int, nav: Sequence[NavSection]) -> str:
    """关于我们 and friends: article-shaped URLs, but no meta line and no prev/next block."""
    name = STATIC_PAGES[page_id]
    if name == "网站地图":
        links = [f'<li><a href="{s.path}">{s.name}</a></li>' for s in nav]
        links += [f'<li><a href="{c.path}">{c.name}</a></li>' for s in nav for c in s.children]
        text = f"<ul>{''.join(links)}</ul>"
    else:
        text = (
            f"<p>{SITE_NAME}由北京中农时代农业技术研究院主办，关注乡镇发展与基层治理。</p>\n"
            "<p>联系电话:010-56019387 邮箱: qgsndy@163.com</p>"
        )
    main = (
        f'<div class="position">当前所在: <a href="/">首页</a>>>{name}</div>\n'
        f'<div class="article"><h1 class="title">{name}</h1>\n'
        f'<div class="content">\n{text}\n</div></div>'
    )
    return _document(f"{name}_{SITE_NAME}", "utf-8", main, nav)


def admin_login() -> str:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>管理登录</title></head><body>'
        '<form method="post" action="/admin/login.asp"><input name="user"><input name="pwd" '
        'type="password"><input type="submit" value="登录"></form></body></html>\n'
    )


def not_found() -> str:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>404 Not Found</title></head>'
        "<body><h1>404 Not Found</h1><p>您访问的页面不存在。</p></body></html>\n"
    )


def unavailable() -> str:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>503 Service Unavailable</title>'
        "</head><body><h1>Service Unavailable</h1></body></html>\n"
    )


def robots(disallowed: Sequence[str]) -> str:
    lines = ["User-agent: *", *(f"Disallow: {prefix}" for prefix in disallowed), ""]
    return "\n".join(lines)
