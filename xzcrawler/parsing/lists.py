"""The navigation menu, list pages (the articles they show, their pagination) and the pager of
an article split over several pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from xzcrawler.parsing.heading import breadcrumb, is_home_link
from xzcrawler.parsing.page import Element, Page, memoised, squash
from xzcrawler.parsing.vocabulary import HOME_LABELS

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
# The page number in an article's URL: x_2.html, x-2.html, index_2.html, ?page=2, &p=2.
PAGE_NUMBER_RE = re.compile(r"(?P<stem>.*?)[_-](?P<n>\d{1,3})(?P<ext>\.\w+)$")
PAGE_QUERY_KEYS = ("page", "p", "pageno", "pagenum", "pn", "cpage")
NAV_LINK_MAX_CHARS = 12  # a section name; longer link texts are article titles
ARTICLE_LINK_MIN_CHARS = 5  # an article title; shorter texts are menus, pagers, 更多


@dataclass(frozen=True)
class SectionLink:
    name: str
    url: str


@dataclass(frozen=True)
class ListedArticle:
    """An article as a list page shows it: its URL and its (maybe shortened) title."""

    url: str
    title: str


@memoised
def navigation_sections(page: Page) -> list[SectionLink]:
    """The home page's menu, sub-menus included: the short links around the 首页 link."""
    links = page.links()
    crumb_begin, crumb_end = breadcrumb(page)[1:]
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
        if a not in page.start:
            continue
        name = page.link_text(a) or squash(a.get("title") or "")
        url = page.link_url(a.get("href"))
        if (
            not name
            or url is None
            or url in seen
            or not page.same_host(url)
            or is_home_link(page, name, a)
            or NAV_UTILITY_RE.search(name)
            or name in FOOTER_LINK_LABELS
        ):
            continue
        seen.add(url)
        sections.append(SectionLink(name, url))
    return sections


@memoised
def pager_anchors(page: Page) -> list[Element]:
    labelled = [
        a for a in page.links() if PAGER_LABEL_RE.match(page.link_text(a).strip(PAGER_STRIP))
    ]
    parents = {
        a.getparent()
        for a in labelled
        if page.link_text(a).strip(PAGER_STRIP) not in PAGER_FIRST_LABELS
    }
    return [
        a for a in labelled if a.getparent() in parents and page.link_url(a.get("href")) is not None
    ]


@memoised
def listed_articles(page: Page) -> list[ListedArticle]:
    """The list page's article titles: the run of long links nearest before the pagination, or
    the first after the breadcrumb; on the home page (no breadcrumb) every block's titles."""
    pager = set(pager_anchors(page))
    crumb_begin, crumb_end = breadcrumb(page)[1:]
    sections = {section.url for section in navigation_sections(page)}
    candidates: list[tuple[Element, str]] = []
    titles: dict[str, str] = {}
    for a in page.links():
        text = page.link_text(a)
        url = page.link_url(a.get("href"))
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
        titles.setdefault(url, squash(a.get("title") or "") or text)
    if not candidates:
        return []
    counts: dict[Element, int] = {}
    for a, _ in candidates:
        for ancestor in a.iterancestors():
            counts[ancestor] = counts.get(ancestor, 0) + 1
    groups: dict[Element, list[str]] = {}
    for a, url in candidates:
        parent = a.getparent()
        group = next(
            (anc for anc in a.iterancestors() if counts[anc] >= 2),
            a if parent is None else parent,
        )
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


def pagination_links(page: Page) -> list[str]:
    """Other list pages of this section: pager links, jump-menu options and scripted pagers."""
    urls = [page.link_url(a.get("href")) for a in pager_anchors(page)]
    for select in page.body.iter("select"):
        for option in select.iter("option"):
            if option.get("selected") is not None:
                continue
            value = (option.get("value") or "").strip()
            if re.search(r"\.s?html?|\.asp|\.jsp|\.php|[?&]page=|/", value):
                urls.append(page.link_url(value))
    for script in page.body.iter("script"):
        match = PAGE_SCRIPT_RE.search(script.text or "")
        if match:
            count, stem, ext = int(match[1]), match[2], match[3]
            urls += [page.link_url(f"{stem}_{n}.{ext}") for n in range(1, count)]
            urls.append(page.link_url(f"{stem}.{ext}"))
    return [u for u in dict.fromkeys(urls) if u and u != page.url and page.same_host(u)]


def page_number(url: str, first: str) -> int | None:
    """Which page of the article at `first` the URL is (1 for `first` itself), or None when it is
    not one of its pages."""
    if url == first:
        return 1
    a, b = urlsplit(url), urlsplit(first)
    if (a.scheme, a.netloc) != (b.scheme, b.netloc):
        return None
    if a.path == b.path and a.query != b.query:
        extra = dict(parse_qsl(a.query))
        base = dict(parse_qsl(b.query))
        for key in PAGE_QUERY_KEYS:
            value = extra.pop(key, None)
            if value is not None and value.isdigit() and extra == base:
                return int(value)
        return None
    match = PAGE_NUMBER_RE.match(a.path)
    own = PAGE_NUMBER_RE.match(b.path)
    base_stem = own["stem"] if own else b.path.rsplit(".", 1)[0]
    if match and match["stem"] == base_stem and a.query == b.query:
        return int(match["n"])
    return None


def continuation_links(page: Page, begin: int, stop: int) -> list[str]:
    """Further pages of an article split over several (第1页 2 3 下一页), in order: the pager
    links between `begin` and `stop` that lead to later pages of the same article."""
    numbered: dict[int, str] = {}
    anchors = {t.link: None for t in page.tokens[begin:stop] if t.link is not None}
    for a in anchors:
        if not a.get("href") or not PAGER_LABEL_RE.match(page.link_text(a).strip(PAGER_STRIP)):
            continue
        url = page.link_url(a.get("href"))
        number = page_number(url, page.url) if url else None
        if url and number is not None and number > 1:  # this page counts as page 1
            numbered.setdefault(number, url)
    return [numbered[n] for n in sorted(numbered)]
