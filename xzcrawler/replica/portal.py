"""The replica portal: a deterministic model of 乡镇时评网 that renders any page on demand.

The portal stores only the structure (which section each article belongs to, in id order);
dates are a function of the article's index and content is drawn from a random.Random seeded
with the article id, so 100,000 articles cost a few arrays and each page is generated when
asked for. The same objects feed the pages and the ground truth.
"""

from __future__ import annotations

import bisect
import random
import threading
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from itertools import permutations
from typing import overload
from urllib.parse import parse_qs, urljoin, urlsplit
from zoneinfo import ZoneInfo

from xzcrawler.replica import families as cms_families
from xzcrawler.replica import templates, text
from xzcrawler.replica.templates import (
    ArticleView,
    Link,
    ListItem,
    ListView,
    NavSection,
    Template,
)
from xzcrawler.replica.text import OUTSIDE_GB2312_NAME, Content, DateForm

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_ARTICLE_ID = 101  # ids below are static pages (/a/1.html ...) and deleted articles
DELETED_ARTICLE_ID = 100  # the target of the broken 上一篇 link
START = datetime(2018, 11, 12, 8, 0, tzinfo=SHANGHAI)
SPAN_SECONDS = 2 * 365 * 24 * 3600  # the initial articles spread over two years
MIN_ARTICLES = 25  # enough for every special case to have its own article
DISALLOWED_PREFIXES = ("/admin/", "/plus/", "/member/")
TINY_GIF = bytes.fromhex(  # what /uploads/ serves for every body image
    "47494638396101000100800000ffffff0000002c00000000010001000002024401003b"
)
_MASK64 = (1 << 64) - 1
_PERMUTATIONS = list(permutations(range(5)))


class ListStyle(StrEnum):
    PATH = "path"  # /djgz/, /djgz/list_2.html
    INDEX = "index"  # /jczl/index.html, /jczl/index_2.html
    QUERY = "query"  # /list.asp?classid=3, /list.asp?classid=3&page=2


class UrlForm(StrEnum):
    HTML = "html"  # /html/djgz/20201112/123.html
    A = "a"  # /a/123.html
    ASP = "asp"  # /show.asp?id=123


@dataclass(frozen=True, slots=True)
class SectionTruth:
    name: str
    parent: str | None
    encoding: str  # utf-8 or gbk (served as gb18030 under a gb2312 declaration)
    list_style: ListStyle
    template: Template  # of its article and list pages
    slug: str
    classid: int
    url_form: UrlForm | None  # None: it lists only its children's articles
    family: str | None = None  # a CMS family's article template (families.py) instead

    @property
    def path(self) -> str:
        """List page 1, where the navigation menu points."""
        match self.list_style:
            case ListStyle.PATH:
                return f"/{self.slug}/"
            case ListStyle.INDEX:
                return f"/{self.slug}/index.html"
            case _:
                return f"/list.asp?classid={self.classid}"

    def list_page_path(self, page: int) -> str:
        if page == 1:
            return self.path
        match self.list_style:
            case ListStyle.PATH:
                return f"/{self.slug}/list_{page}.html"
            case ListStyle.INDEX:
                return f"/{self.slug}/index_{page}.html"
            case _:
                return f"/list.asp?classid={self.classid}&page={page}"


# Navigation order. 时评 is a channel: its list pages show its child's articles.
# fmt: off
SECTIONS = (
    # name, parent, encoding, list style, template, slug, classid, article URL form
    SectionTruth("党建工作", None, "utf-8", ListStyle.PATH, Template.SEED, "djgz", 1, UrlForm.HTML),
    SectionTruth("时评", None, "utf-8", ListStyle.INDEX, Template.SEED, "shiping", 2, None),
    SectionTruth("三农时评", "时评", "gbk", ListStyle.QUERY, Template.TABLE, "snsp", 3, UrlForm.ASP),  # noqa: E501
    SectionTruth("乡村振兴", None, "utf-8", ListStyle.PATH, Template.MODERN, "xczx", 4, UrlForm.HTML),  # noqa: E501
    SectionTruth("基层治理", None, "utf-8", ListStyle.INDEX, Template.MODERN, "jczl", 5, UrlForm.A),
    SectionTruth("政策解读", None, "utf-8", ListStyle.QUERY, Template.TABLE, "zcjd", 6, UrlForm.ASP),  # noqa: E501
)
# fmt: on
BEARING = tuple(i for i, s in enumerate(SECTIONS) if s.url_form)  # sections with own articles
DJGZ, _, SNSP, XCZX, JCZL, ZCJD = range(len(SECTIONS))
# Portal(families=True): one more section per CMS family, after the portal's own.
FAMILY_SECTIONS = tuple(
    SectionTruth(
        f.section, None, f.encoding, ListStyle(f.list_style), f.list_template, f.key,
        100 + i, UrlForm(f.url_form), family=f.key,
    )
    for i, f in enumerate(cms_families.FAMILIES)
)  # fmt: skip

DATE_FORMS = {
    Template.SEED: (DateForm.ISO_DATE, DateForm.ISO_DATE, DateForm.ISO_SECONDS),
    Template.TABLE: (DateForm.CN_MINUTES, DateForm.CN_MINUTES, DateForm.SLASH_DATE),
    Template.MODERN: (DateForm.ISO_SECONDS,),
}
SOURCE_LABELS = {
    Template.SEED: ("来源", "来源", "稿件来源"),
    Template.TABLE: ("来源", "文章来源"),
    Template.MODERN: ("来源", "稿件来源", "文章来源"),
}


@dataclass(frozen=True, slots=True)
class Page:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class ArticleTruth:
    id: int
    path: str
    section: str
    section_path: list[str]
    title: str
    published_at: datetime | None
    date_has_time: bool
    author: str | None
    source: str | None
    original_url: str | None
    body: str
    images: list[str]  # root-relative paths
    prev_path: str | None  # older; the broken path where the page's link is broken
    next_path: str | None  # newer
    listed: bool
    template: Template
    family: str | None = None  # the CMS family whose article template served it


@dataclass(frozen=True, slots=True)
class Specials:
    """Where the portal's traps are, so tests can aim at them."""

    broken_link_path: str  # the article whose 上一篇 link returns 404
    broken_target_path: str
    transient_path: str  # 503 on its first request
    cross_listed_path: str
    cross_listed_section: str  # the other section whose list pages show it
    gbk_title_path: str  # its title has a character outside GB2312
    disallowed_link_paths: tuple[str, ...]  # linked from the nav and a list page


def _mix(*values: int) -> int:
    """A splitmix64-style hash: cheap, stable across processes, unlike hash()."""
    x = 0x9E3779B97F4A7C15
    for value in values:
        x = ((x ^ value) * 0xBF58476D1CE4E5B9) & _MASK64
        x ^= x >> 31
    return x


def _page(status: int, body: str | bytes, content_type: str, encoding: str = "utf-8") -> Page:
    if isinstance(body, str):
        # A GBK section's header names no charset: only the meta tag says gb2312.
        codec = "gb18030" if encoding == "gbk" else "utf-8"
        data = body.encode(codec)
        if encoding == "utf-8":
            content_type += "; charset=utf-8"
    else:
        data = body
    return Page(status, {"Content-Type": content_type, "Content-Length": str(len(data))}, data)


class Portal:
    """The replica's content, structure and ground truth; deterministic for the same arguments."""

    def __init__(
        self,
        articles: int = 60,
        seed: int = 1,
        list_page_size: int = 5,
        list_page_cap: int = 2,
        families: bool = False,
    ) -> None:
        # Opt-in, so the default portal (and every request count tests rely on) is unchanged.
        self._sections = SECTIONS + FAMILY_SECTIONS if families else SECTIONS
        self._bearing = tuple(i for i, s in enumerate(self._sections) if s.url_form)
        self._families = families
        minimum = 3 * len(self._bearing) if families else MIN_ARTICLES
        if articles < minimum:
            raise ValueError(f"articles must be at least {minimum}, got {articles}")
        if list_page_size < 1 or list_page_cap < 1:
            raise ValueError("list_page_size and list_page_cap must be positive")
        self.seed = seed
        self.list_page_size = list_page_size
        self.list_page_cap = list_page_cap
        self._step = max(SPAN_SECONDS // articles, 120)
        self._section_of = bytearray()
        self._chains = [array("l") for _ in self._sections]  # article indexes, oldest first
        self._count = 0
        self._titles: dict[int, str] = {}
        self._bodies: dict[int, str] = {}
        self._lock = threading.Lock()
        self._transient_served = False
        self._grow(articles)
        self._nav = self._navigation()

        # The broken 上一篇 sits near the head of a list, so the older side of it stays
        # reachable from the list pages (until about cap * size newer articles push it off).
        djgz = self._chains[DJGZ]
        self._broken_k, behind = djgz[-2], djgz[-3]
        self._broken_target = (
            f"/html/djgz/{self._published(behind):%Y%m%d}/{DELETED_ARTICLE_ID}.html"
        )
        self._hot = (djgz[0], self._chains[ZCJD][-1], self._chains[SNSP][-2])
        self._transient_k = self._chains[JCZL][-3]
        self._cross_k = self._chains[XCZX][-1]
        self._gbk_k = self._chains[SNSP][-1]
        self._sticky_k = djgz[0]
        self.specials = Specials(
            broken_link_path=self._path(self._broken_k),
            broken_target_path=self._broken_target,
            transient_path=self._path(self._transient_k),
            cross_listed_path=self._path(self._cross_k),
            cross_listed_section=self._sections[ZCJD].name,
            gbk_title_path=self._path(self._gbk_k),
            disallowed_link_paths=(templates.ADMIN_NAV[1], self._sticky_path()),
        )

    # --- structure ----------------------------------------------------------------------

    def _grow(self, n: int) -> None:
        """Append n articles; each run of five spreads one to every bearing section."""
        width = len(self._bearing)
        for k in range(self._count, self._count + n):
            if self._families:  # every run of `width` articles visits each section once
                order = sorted(range(width), key=lambda i: _mix(self.seed, k // width, i))
                s = self._bearing[order[k % width]]
            else:
                permutation = _PERMUTATIONS[_mix(self.seed, k // 5) % len(_PERMUTATIONS)]
                s = self._bearing[permutation[k % 5]]
            self._section_of.append(s)
            self._chains[s].append(k)
        self._count += n

    def _navigation(self) -> tuple[NavSection, ...]:
        children = {
            s.name: tuple(NavSection(c.name, c.path) for c in self._sections if c.parent == s.name)
            for s in self._sections
        }
        return tuple(
            NavSection(s.name, s.path, children[s.name]) for s in self._sections if s.parent is None
        )

    def _published(self, k: int) -> datetime:
        jitter = _mix(self.seed, k, 7) % max(self._step // 2, 1)
        return START + timedelta(seconds=k * self._step + jitter)

    def _path(self, k: int) -> str:
        section = self._sections[self._section_of[k]]
        article_id = FIRST_ARTICLE_ID + k
        match section.url_form:
            case UrlForm.HTML:
                return f"/html/{section.slug}/{self._published(k):%Y%m%d}/{article_id}.html"
            case UrlForm.A:
                return f"/a/{article_id}.html"
            case _:
                return f"/show.asp?id={article_id}"

    def _sticky_path(self) -> str:
        return f"/plus/view.php?aid={FIRST_ARTICLE_ID + self._sticky_k}"

    def _neighbours(self, k: int) -> tuple[int | None, int | None]:
        """(older, newer) in the article's own section."""
        chain = self._chains[self._section_of[k]]
        at = bisect.bisect_left(chain, k)
        older = chain[at - 1] if at > 0 else None
        newer = chain[at + 1] if at + 1 < len(chain) else None
        return older, newer

    def _members(self, s: int) -> list[int]:
        """Sections whose articles a section's list pages show: itself and its children."""
        name = self._sections[s].name
        return [i for i, c in enumerate(self._sections) if i == s or c.parent == name]

    def _extras(self, s: int) -> list[int]:
        return [self._cross_k] if s == ZCJD else []

    def _list_total(self, s: int) -> int:
        return sum(len(self._chains[m]) for m in self._members(s)) + len(self._extras(s))

    def _list_entries(self, s: int) -> list[int]:
        """Article indexes on a section's list pages, newest first, as deep as the cap allows."""
        limit = self.list_page_size * self._cap(s)
        entries = [k for m in self._members(s) for k in self._chains[m][-limit:]]
        entries += self._extras(s)
        entries.sort(reverse=True)
        return entries[:limit]

    def _cap(self, s: int) -> int:
        """List depth: unlimited for a family without a chain, whose lists are the only way in."""
        family = self._sections[s].family
        if family and not cms_families.BY_KEY[family].has_chain:
            return len(self._section_of) + 1
        return self.list_page_cap

    def _listed(self) -> set[int]:
        return {k for s in range(len(self._sections)) for k in self._list_entries(s)}

    def _crumbs(self, s: int) -> tuple[Link, ...]:
        section = self._sections[s]
        own = Link(section.path, section.name)
        if section.parent is None:
            return (own,)
        parent = next(p for p in self._sections if p.name == section.parent)
        return (Link(parent.path, parent.name), own)

    # --- content ------------------------------------------------------------------------

    def _title(self, k: int) -> str:
        if k in self._titles:
            return self._titles[k]
        headline = text.title(random.Random(_mix(self.seed, k, 1)))
        if k == self._gbk_k:
            headline += f"——记村支书{OUTSIDE_GB2312_NAME}"
        return headline

    def _content(self, k: int) -> Content:
        published = self._published(k)
        section = self._sections[self._section_of[k]]
        template = section.template
        family = cms_families.BY_KEY[section.family] if section.family else None
        generated = text.content(
            random.Random(_mix(self.seed, k, 2)),
            headline=self._title(k),
            article_id=FIRST_ARTICLE_ID + k,
            month=published.month,
            day=published.day,
            image_dir=f"/uploads/allimg/{published:%y%m%d}",
            date_forms=family.date_forms if family else DATE_FORMS[template],
            source_labels=family.source_labels if family else SOURCE_LABELS[template],
        )
        return generated.with_body(self._bodies[k]) if k in self._bodies else generated

    def _truth(self, k: int, listed: set[int]) -> ArticleTruth:
        s = self._section_of[k]
        content = self._content(k)
        published = self._published(k)
        if content.date_form.has_time:
            shown = (
                published.replace(second=0)
                if content.date_form == DateForm.CN_MINUTES
                else published
            )
        else:
            shown = published.replace(hour=0, minute=0, second=0)
        older, newer = self._neighbours(k)
        prev_path = self._path(older) if older is not None else None
        if k == self._broken_k:
            prev_path = self._broken_target
        fields = {
            "author": content.author,
            "source": content.source,
            "original_url": content.original_url,
            "body": content.body,
        }
        family = self._sections[s].family
        next_path = self._path(newer) if newer is not None else None
        if family:  # what that family's page shows, by docs/interface.md's rules
            fields = cms_families.expected(
                cms_families.BY_KEY[family], content, FIRST_ARTICLE_ID + k
            )
            if not cms_families.BY_KEY[family].has_chain:
                prev_path = next_path = None
        return ArticleTruth(
            id=FIRST_ARTICLE_ID + k,
            path=self._path(k),
            section=self._sections[s].name,
            section_path=[link.text for link in self._crumbs(s)],
            title=content.title,
            published_at=shown,
            date_has_time=content.date_form.has_time,
            author=fields["author"],
            source=fields["source"],
            original_url=fields["original_url"],
            body=fields["body"] or "",
            images=content.images,
            prev_path=prev_path,
            next_path=next_path,
            listed=k in listed,
            template=self._sections[s].template,
            family=family,
        )

    def _item(self, k: int) -> ListItem:
        return ListItem(self._path(k), self._title(k), self._published(k))

    # --- public -------------------------------------------------------------------------

    @property
    def sections(self) -> list[SectionTruth]:
        return list(self._sections)

    @property
    def articles(self) -> ArticleTruths:
        """Every article a correct crawler can reach, oldest first; built lazily, one at a time."""
        return ArticleTruths(self._count, partial(self._truth, listed=self._listed()))

    @property
    def disallowed_prefixes(self) -> list[str]:
        return list(DISALLOWED_PREFIXES)

    def article(self, article_id: int) -> ArticleTruth:
        k = self._index(article_id)
        if k is None:
            raise KeyError(article_id)
        return self._truth(k, self._listed())

    def expected_records(self, base_url: str) -> list[dict[str, str | None]]:
        """The export records a correct crawl of this portal at base_url produces, oldest first."""

        def absolute(path: str | None) -> str | None:
            return urljoin(base_url, path) if path else None

        return [
            {
                "url": urljoin(base_url, truth.path),
                "section": truth.section,
                "title": truth.title,
                "published_at": truth.published_at.isoformat() if truth.published_at else None,
                "author": truth.author,
                "source": truth.source,
                "original_url": truth.original_url,
                "body": truth.body,
                "prev_url": absolute(truth.prev_path),
                "next_url": absolute(truth.next_path),
            }
            for truth in self.articles
        ]

    def add_articles(self, n: int) -> list[ArticleTruth]:
        """Day two: n newer articles at the head of their lists; older ones slide down."""
        with self._lock:
            first = self._count
            self._grow(n)
        listed = self._listed()
        return [self._truth(k, listed) for k in range(first, first + n)]

    def edit_article(
        self, article_id: int, *, title: str | None = None, body: str | None = None
    ) -> None:
        """An editor's correction, seen on the article page, its neighbours and list pages."""
        k = self._index(article_id)
        if k is None:
            raise KeyError(article_id)
        if title is not None:
            self._titles[k] = title
        if body is not None:
            self._bodies[k] = body

    # --- rendering ----------------------------------------------------------------------

    def render(self, path_and_query: str) -> Page:
        """The response for a request target such as '/show.asp?id=123'."""
        split = urlsplit(path_and_query)
        path = split.path
        query = {key: values[-1] for key, values in parse_qs(split.query).items()}
        if path == "/":
            return _page(200, self._home(), "text/html")
        if path == "/robots.txt":
            return _page(200, templates.robots(DISALLOWED_PREFIXES), "text/plain")
        if path.startswith("/admin/"):
            return _page(200, templates.admin_login(), "text/html")
        if path.startswith("/uploads/allimg/") and path.endswith(".jpg"):
            return _page(200, TINY_GIF, "image/gif")
        request = self._list_request(path, query)
        if request is not None:
            s, number = request
            pages = self._page_paths(s)
            if 1 <= number <= len(pages):
                return self._list_page(s, number, pages)
        elif (page := self._route_article(path, query)) is not None:
            return page
        return _page(404, templates.not_found(), "text/html")

    def _list_request(self, path: str, query: dict[str, str]) -> tuple[int, int] | None:
        """(section, page number) for a list page URL in its one spelling; list_1.html is a 404."""
        if path == "/list.asp":
            for s, section in enumerate(self._sections):
                if section.list_style == ListStyle.QUERY and query.get("classid") == str(
                    section.classid
                ):
                    page = query.get("page", "1")
                    return (s, int(page)) if page.isdigit() and page[0] != "0" else None
            return None
        for s, section in enumerate(self._sections):
            if section.list_style != ListStyle.QUERY and path.startswith(f"/{section.slug}/"):
                digits = path.removesuffix(".html").rpartition("_")[2]
                number = int(digits) if digits.isdigit() else 1
                return (s, number) if section.list_page_path(number) == path else None
        return None

    def _page_paths(self, s: int) -> tuple[str, ...]:
        total = self._list_total(s)
        count = min(max(-(-total // self.list_page_size), 1), self._cap(s))
        return tuple(self._sections[s].list_page_path(n) for n in range(1, count + 1))

    def _list_page(self, s: int, number: int, pages: tuple[str, ...]) -> Page:
        section = self._sections[s]
        with self._lock:
            entries = self._list_entries(s)
            total = self._list_total(s)
        size = self.list_page_size
        view = ListView(
            crumbs=self._crumbs(s),
            items=[self._item(k) for k in entries[(number - 1) * size : number * size]],
            page=number,
            page_paths=pages,
            total=total,
            sticky=(
                replace(self._item(self._sticky_k), path=self._sticky_path())
                if s == DJGZ and number == 1
                else None
            ),
        )
        html = templates.list_page(section.template, view, self._nav, _charset(section))
        return _page(200, html, "text/html", section.encoding)

    def _index(self, article_id: int) -> int | None:
        k = article_id - FIRST_ARTICLE_ID
        return k if 0 <= k < self._count else None

    def _route_article(self, path: str, query: dict[str, str]) -> Page | None:
        k: int | None = None
        if path == "/show.asp" and query.get("id", "").isdigit():
            k = self._index(int(query["id"]))
        elif path == "/plus/view.php" and query.get("aid", "").isdigit():
            # The dynamic view robots.txt forbids: the same article under another URL.
            k = self._index(int(query["aid"]))
            return self._article_page(k) if k is not None else None
        elif path.startswith(("/a/", "/html/")) and path.endswith(".html"):
            stem = path.rsplit("/", 1)[1].removesuffix(".html")
            if path.startswith("/a/") and stem.isdigit() and int(stem) in templates.STATIC_PAGES:
                return _page(200, templates.static_page(int(stem), self._nav), "text/html")
            k = self._index(int(stem)) if stem.isdigit() else None
        request = f"{path}?id={query.get('id')}" if path == "/show.asp" else path
        if k is None or self._path(k) != request:
            return None
        if k == self._transient_k:
            with self._lock:
                first_hit = not self._transient_served
                self._transient_served = True
            if first_hit:
                return _page(503, templates.unavailable(), "text/html")
        return self._article_page(k)

    def _article_page(self, k: int) -> Page:
        s = self._section_of[k]
        section = self._sections[s]
        older, newer = self._neighbours(k)
        prev = Link(self._path(older), self._title(older)) if older is not None else None
        if k == self._broken_k and prev is not None:
            prev = Link(self._broken_target, prev.text)
        view = ArticleView(
            path=self._path(k),
            crumbs=self._crumbs(s),
            published=self._published(k),
            content=self._content(k),
            prev=prev,
            next=Link(self._path(newer), self._title(newer)) if newer is not None else None,
        )
        if section.family:
            html = cms_families.render(section.family, view, self._nav, _charset(section))
        else:
            html = templates.article(section.template, view, self._nav, _charset(section))
        return _page(200, html, "text/html", section.encoding)

    def _home(self) -> str:
        blocks = []
        for s, section in enumerate(self._sections):
            if section.parent is None:
                newest = self._list_entries(s)[:5]
                blocks.append((Link(section.path, section.name), [self._item(k) for k in newest]))
        return templates.home(blocks, [self._item(k) for k in self._hot], self._nav)


def _charset(section: SectionTruth) -> str:
    return "gb2312" if section.encoding == "gbk" else "utf-8"


class ArticleTruths(Sequence[ArticleTruth]):
    """The ground truth as a lazy sequence: a 100,000-article portal never holds every body."""

    def __init__(self, count: int, truth: Callable[[int], ArticleTruth]) -> None:
        self._count = count
        self._truth = truth

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> ArticleTruth: ...
    @overload
    def __getitem__(self, index: slice) -> list[ArticleTruth]: ...
    def __getitem__(self, index: int | slice) -> ArticleTruth | list[ArticleTruth]:
        if isinstance(index, slice):
            return [self._truth(k) for k in range(self._count)[index]]
        return self._truth(range(self._count)[index])

    def __iter__(self) -> Iterator[ArticleTruth]:
        return map(self._truth, range(self._count))
