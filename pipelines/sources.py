"""Sources and authors: the meta line's 来源/作者/编辑 texts as canonical publishers and names.

Templates write one publisher many ways (labels, colons, brackets, link markup, glued 作者 or
编辑 parts) and reprints name it in several spellings (人民网, 人民网-人民日报, people.com.cn).
Users group and filter by source and author, so both are reduced here to one exact form: the
source to its canonical publisher through an alias table shipped as data (publishers.json) and
extendable by a setting, the author text to a list of names with their roles, the editor apart.
The alias table folds spellings of one publisher only: 新华社 and 新华网 stay two publishers.

Every normaliser is total (never raises) and idempotent: normalising its own output changes
nothing, so values can be normalised again after a table or rule change.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any, Self
from urllib.parse import urljoin

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from xzcrawler.parsing.vocabulary import (
    AUTHOR_LABELS,
    DATE_LABELS,
    EDITOR_LABELS,
    NOISE_LABELS,
    PLACEHOLDER_AUTHORS,
    SOURCE_BARE_LABELS,
    SOURCE_LABELS,
    UPDATED_LABELS,
)

PUBLISHERS_FILE = Path(__file__).with_name("publishers.json")
PORTAL_NAME = "乡镇时评网"
STATS_PREFIX = "xz/sources"

# Cleaning can expose new markup (an entity split by a tag: '&am<b></b>p;'); each cleaner is
# applied until its output stops changing, which is what makes normalising twice a no-op.
_MAX_PASSES = 8


# --- plain text --------------------------------------------------------------------------

_TAG = re.compile(r"<[^<>]*>")
_HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]【】（）]+", re.I)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff\x00-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_DOTS = re.compile(r"[•・‧∙⋅]")


def _plain(text: str) -> str:
    """Visible text: NFKC (full-width letters, digits, colons, spaces), entities, no tags."""
    for _ in range(_MAX_PASSES):
        before = text
        text = unicodedata.normalize("NFKC", html.unescape(text))
        text = _TAG.sub(" ", text)
        text = _INVISIBLE.sub(" ", text)
        text = _DOTS.sub("·", text)
        if text == before:
            break
    return text


def _tidy_spaces(text: str) -> str:
    """One space between two ASCII letters or digits (China Daily), none anywhere else."""
    parts = _SPACES.split(text.strip())
    out = parts[0]
    for part in parts[1:]:
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii():
            out += " " if part[0].isalnum() else ""
        out += part
    return out


# --- sources -----------------------------------------------------------------------------

# The parser's source labels (xzcrawler.parsing.vocabulary) plus spellings seen only inside
# values (资料来源 in a credits line, 原载于 in a note).
_SOURCE_LABELS = "|".join(
    sorted(
        {*SOURCE_LABELS, *SOURCE_BARE_LABELS, "资料来源", "图片来源", "转载来源", "转载于", "选自"}
        | {"原载于", "原载", "刊于"},
        key=len,
        reverse=True,
    )
)
# A label anywhere with its colon starts the source ('2020-11-12 作者:佚名 来源:七一网').
_SOURCE_LABEL_ANYWHERE = re.compile(rf"(?:{_SOURCE_LABELS})\s*:")
# At the start the colon may be missing ('转自人民网').
_SOURCE_LABEL_START = re.compile(rf"^(?:{_SOURCE_LABELS})\s*:?")
_META_LABELS = "|".join(
    sorted(
        {*DATE_LABELS, *UPDATED_LABELS, *AUTHOR_LABELS, *EDITOR_LABELS, *NOISE_LABELS}
        | {"通讯员", "图", "摄影"},
        key=len,
        reverse=True,
    )
)
# Where a template glues the next meta-line field on: everything from here on is not the source.
_SOURCE_TAIL = re.compile(
    rf"(?:{_META_LABELS})\s*:"
    r"|\s(?:责任编辑|编辑|责编|作者|记者|通讯员)\s"
    r"|[(\[]\s*(?:责任编辑|编辑|责编|作者|记者|通讯员|文|图)"
    r"|\[?字体"
    r"|\d{4}\s*[-/.年]\s*\d{1,2}"
)
_BRACKETS = str.maketrans({"【": "[", "】": "]", "〔": "[", "〕": "]", "〖": "[", "〗": "]"})
_PAIRS = {"(": ")", "[": "]", "《": "》", "「": "」", "『": "』", "<": ">", "“": "”", '"': '"'}
_EDGE_PUNCT = " .,;:!?、。;|/\\-—–_~·…*#'\"‘’“”"
_DOMAIN = re.compile(
    r"^(?:https?://)?(?:www\.)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?:[:/?#]\S*)?$",
    re.I,
)


def _unwrap(text: str) -> str:
    """Strip brackets around the whole text and lone brackets at its ends; keep inner ones."""
    while text:
        first, last = text[0], text[-1]
        closer = _PAIRS.get(first)
        if closer and last == closer and _balanced(text[1:-1]):
            text = text[1:-1].strip(_EDGE_PUNCT)
        elif closer and closer not in text[1:]:
            text = text[1:].strip(_EDGE_PUNCT)
        elif last in _PAIRS.values() and not any(
            o in text[:-1] for o, c in _PAIRS.items() if c == last
        ):
            text = text[:-1].strip(_EDGE_PUNCT)
        else:
            break
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        if char in "([《「『":
            depth += 1
        elif char in ")]》」』":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _split_source(raw: str) -> tuple[str, str | None]:
    """The source text without markup, and the URL its link (or the text itself) gives."""
    url = None
    if match := _HREF.search(raw):
        url = next(group for group in match.groups() if group is not None).strip() or None
    text = _plain(raw)
    if url is None and (found := _URL.search(text)) and found.group(0).lower().startswith("http"):
        url = found.group(0).rstrip(_EDGE_PUNCT)
    if url is not None:
        url = _plain(url).strip() or None
    return text, url


def _clean_once(text: str) -> str:
    text = _plain(text).translate(_BRACKETS).strip(_EDGE_PUNCT)
    text = _unwrap(text)
    if match := _SOURCE_LABEL_ANYWHERE.search(text):
        text = text[match.end() :]
    text = _SOURCE_LABEL_START.sub("", text.strip(_EDGE_PUNCT + "[("))
    if match := _SOURCE_TAIL.search(text):
        text = text[: match.start()]
    text = _unwrap(text.strip(_EDGE_PUNCT))
    if domain := _DOMAIN.match(text):
        return domain.group(1).lower()
    if _URL.search(text) and _URL.sub("", text).strip(_EDGE_PUNCT + "()[]"):
        text = _URL.sub("", text)
    return _unwrap(_tidy_spaces(text).strip(_EDGE_PUNCT))


def clean_source(raw: str | None) -> str | None:
    """The source text as the page names it, without label, markup, brackets and glued fields
    (a link without text: its host). No alias folding: the alias table is looked up with this.
    """
    if not raw:
        return None
    text, url = _split_source(raw)
    return _clean(text) or _clean(url or "") or None


def _clean(text: str) -> str:
    for _ in range(_MAX_PASSES):
        cleaned = _clean_once(text)
        if cleaned == text:
            break
        text = cleaned
    return text


def source_link(raw: str | None) -> str | None:
    """The URL the source names: its link's href, or a URL written in the text."""
    if not raw:
        return None
    return _split_source(raw)[1]


# --- publishers --------------------------------------------------------------------------

# Registry suffixes a subdomain lookup never climbs to (xx.gov.cn is no alias of www.gov.cn).
_PUBLIC_SUFFIXES = frozenset(
    {"cn", "com", "net", "org", "gov", "edu", "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn"}
)
_KEY_DROP = re.compile(r"[\s《》「」『』“”\"'‘’]+")
_KEY_DASH = re.compile(r"[-‐‑‒–—―−]+")
_KEY_SCHEME = re.compile(r"^(?:https?://)?(?:www\.)?")


def publisher_key(name: str) -> str:
    """How aliases are compared: NFKC, case-folded, no spaces/quotes, no scheme or www."""
    key = _KEY_DASH.sub("-", _KEY_DROP.sub("", _plain(name).casefold()))
    key = _KEY_SCHEME.sub("", key)
    return key.rstrip("/")


def _domain_candidates(key: str) -> Iterable[str]:
    """The host and its parents down to a registered domain, for a key that is a domain."""
    host = re.split(r"[/:?#]", key, maxsplit=1)[0]
    if not _DOMAIN.match(host):
        return
    labels = host.split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:])
        if candidate in _PUBLIC_SUFFIXES:
            return
        yield candidate


@dataclass(frozen=True)
class Publisher:
    """One publisher of the alias table: its canonical name and the spellings that mean it."""

    name: str
    aliases: tuple[str, ...]


class Publishers:
    """The alias table: spelling variants of one publisher -> its canonical name."""

    def __init__(self) -> None:
        self._by_key: dict[str, str] = {}
        self._aliases: dict[str, list[str]] = {}

    @classmethod
    def load(cls, path: str | Path = PUBLISHERS_FILE) -> Self:
        table = cls()
        table.extend(path)
        return table

    def extend(self, path: str | Path) -> None:
        """Add a file's publishers; its entries override earlier ones for the same spelling.

        The file holds {"publishers": [{"name": ..., "aliases": [...]}, ...]}.
        """
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            entries = data["publishers"]
            for entry in entries:
                self._add(entry["name"], entry.get("aliases", []))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"unreadable publisher alias file {path}: {error!r}") from error
        self._resolve()

    def _add(self, name: str, aliases: Iterable[str]) -> None:
        canonical = clean_source(name)
        if canonical is None:
            raise ValueError(f"publisher name {name!r} is empty once cleaned")
        known = self._aliases.setdefault(canonical, [])
        for alias in aliases:
            key = publisher_key(clean_source(alias) or "")
            if key:
                self._by_key[key] = canonical
                known.append(alias)
        self._by_key[publisher_key(canonical)] = canonical

    def _resolve(self) -> None:
        """Follow chains (an alias naming another publisher's name) so every lookup ends on a
        name that maps to itself; a cycle is broken at the name where it closes."""
        for key, target in list(self._by_key.items()):
            seen = {target}
            while (step := self._by_key.get(publisher_key(target), target)) not in seen:
                seen.add(step)
                target = step
            self._by_key[key] = target
            self._by_key[publisher_key(target)] = target

    def find(self, name: str) -> str | None:
        """The canonical name for a cleaned source, or None when the table does not know it."""
        key = publisher_key(name)
        if found := self._by_key.get(key):
            return found
        for candidate in _domain_candidates(key):
            if found := self._by_key.get(candidate):
                return found
        return None

    def canonical(self, name: str) -> str:
        """The canonical name, or the name itself when unknown (unknown sources pass through)."""
        return self.find(name) or name

    def __iter__(self) -> Iterator[Publisher]:
        """Every publisher with its aliases as written in the files (for the publisher table)."""
        for name, aliases in self._aliases.items():
            if self._by_key.get(publisher_key(name)) == name:
                yield Publisher(name, tuple(dict.fromkeys(aliases)))


@cache
def default_publishers() -> Publishers:
    """The shipped table, read on first use rather than at import."""
    return Publishers.load(PUBLISHERS_FILE)


_PORTAL_PLACEHOLDERS = frozenset(
    publisher_key(name)
    for name in (
        "本站",
        "本网",
        "本站原创",
        "本网原创",
        "原创",
        "本站整理",
        "本网整理",
        "本站综合",
        "本网综合",
        "本站编辑",
        "本网编辑",
        "本站讯",
        "本网讯",
        "本网站",
        PORTAL_NAME,
        "乡镇时评",
        "xzspw.org.cn",
    )
)
_NO_SOURCE = frozenset(
    publisher_key(name)
    for name in (
        "网络",
        "互联网",
        "网络转载",
        "来自网络",
        "网络整理",
        "网络综合",
        "网上",
        "网友投稿",
        "转载",
        "综合",
        "综合整理",
        "综合报道",
        "未知",
        "不详",
        "佚名",
        "匿名",
        "无",
        "暂无",
        "其他",
        "其它",
        "admin",
        "管理员",
        "none",
        "null",
        "unknown",
    )
)


def normalize_source(
    raw: str | None,
    *,
    portal: str = PORTAL_NAME,
    publishers: Publishers | None = None,
) -> str | None:
    """The canonical publisher of a source text; None for no source. Never raises.

    本站/本网/原创/the portal's name -> the portal; 网络/互联网/未知 -> None; a source the alias
    table does not know passes through cleaned.
    """
    return _classify_source(raw, portal, publishers or default_publishers())[0]


def _classify_source(
    raw: str | None, portal: str, publishers: Publishers
) -> tuple[str | None, str]:
    """(canonical publisher, how it was found: known/unknown/portal/none/missing)."""
    cleaned = clean_source(raw)
    if cleaned is None:
        return None, "missing"
    key = publisher_key(cleaned)
    if key in _NO_SOURCE:
        return None, "none"
    if key in _PORTAL_PLACEHOLDERS or key == publisher_key(portal):
        return portal, "portal"
    if found := publishers.find(cleaned):
        return found, "known"
    return cleaned, "unknown"


# --- authors -----------------------------------------------------------------------------


class Role(StrEnum):
    """What a credited person did, as the byline says it."""

    REPORTER = "记者"
    CORRESPONDENT = "通讯员"
    INTERN = "实习生"
    TEXT = "文"
    PHOTO = "图"
    TEXT_PHOTO = "文/图"
    VIDEO = "摄像"
    EDITOR = "编辑"


@dataclass(frozen=True)
class Credit:
    """One name of a byline with its role (None where the byline gives only 作者 or nothing)."""

    name: str
    role: Role | None = None


_ROLE_WORDS: dict[str, Role | None] = {
    "作者": None,
    "撰稿人": None,
    "供稿": None,
    "来稿": None,
    "文": Role.TEXT,
    "文字": Role.TEXT,
    "撰文": Role.TEXT,
    "撰稿": Role.TEXT,
    "图": Role.PHOTO,
    "图片": Role.PHOTO,
    "摄": Role.PHOTO,
    "摄影": Role.PHOTO,
    "拍摄": Role.PHOTO,
    "摄影记者": Role.PHOTO,
    "图文": Role.TEXT_PHOTO,
    "文图": Role.TEXT_PHOTO,
    "摄像": Role.VIDEO,
    "视频": Role.VIDEO,
    "实习生": Role.INTERN,
    "见习生": Role.INTERN,
    "编辑": Role.EDITOR,
    "责任编辑": Role.EDITOR,
    "责编": Role.EDITOR,
    "值班编辑": Role.EDITOR,
    "网络编辑": Role.EDITOR,
    "本期编辑": Role.EDITOR,
    "编审": Role.EDITOR,
    "主编": Role.EDITOR,
}
# Credits that are neither author nor editor, and other meta-line fields: their names are skipped.
# fmt: off
_SKIP_WORDS = frozenset({
    "审核", "审校", "校对", "终审", "初审", "复审", "二审", "三审", "监制", "统筹", "策划", "出品",
    "制作", "设计", "美编", "排版", "翻译", "编译", "来源", "稿件来源", "文章来源", "信息来源",
    "新闻来源", "转自", "转载自", "出处", "来自", "摘自", "发布时间", "发布日期", "更新时间",
    "时间", "日期", "点击", "点击数", "点击量", "浏览", "浏览次数", "浏览量", "阅读", "阅读数",
    "阅读量", "字体", "字号", "打印", "关闭", "分享", "收藏", "发布者", "发布人", "发布", "录入",
    "录入者", "投稿", "上传",
})
_ANONYMOUS = PLACEHOLDER_AUTHORS | {
    "超级管理员", "本站", "本网", "无", "暂无", "原创", "网络", "互联网", "小编", "本站编辑",
    "本网编辑", "本报讯", "本网讯", "本站讯", "讯", "none", "null", "unknown",
}
# fmt: on
_LABEL_WORDS = sorted({*_ROLE_WORDS, *_SKIP_WORDS}, key=len, reverse=True)
# A role or field word with its colon is a label wherever it stands ('作者:张三来源:人民网').
_LABEL_COLON = re.compile(
    rf"((?:本[报台网站]|[^\s:]{{0,6}}?)记者|通讯员|{'|'.join(_LABEL_WORDS)})\s*:"
)
_AUTHOR_SEPARATORS = re.compile(r"[、,;/|\\()\[\]【】〔〕《》「」<>{}:]+|\s+(?:和|及|与)\s+")
_DATEISH = re.compile(r"^[\d\s\-/.:年月日时分秒号]+$")
# A role written before a name without a space: 记者张三, 本报记者张三, 新华社记者张三.
_GLUED_ROLE = re.compile(
    r"^(.{0,8}?记者|.{0,6}?通讯员|实习生|见习生|责任编辑|值班编辑|编辑|责编|摄影)(.{2,})$"
)
_NAME_EDGES = " .,;:!?、。|/\\-—–_~·…*#'\"‘’“”=+"


def _role_of(token: str) -> tuple[bool, Role | None, bool]:
    """(is a marker, its role, is a skipped field) for one token."""
    if token in _ROLE_WORDS:
        return True, _ROLE_WORDS[token], False
    if token in _SKIP_WORDS:
        return True, None, True
    if token.endswith("摄影记者"):
        return True, Role.PHOTO, False
    if token.endswith("记者") and len(token) <= 10:
        return True, Role.REPORTER, False
    if token.endswith("通讯员") and len(token) <= 8:
        return True, Role.CORRESPONDENT, False
    return False, None, False


def _tokens(text: str) -> list[str]:
    """Byline words: split on 、，,/ and brackets, and on spaces except inside Latin names."""
    out: list[str] = []
    for chunk in _AUTHOR_SEPARATORS.split(_LABEL_COLON.sub(r" \1 ", text)):
        words: list[str] = []
        for word in chunk.split():
            if words and words[-1][-1].isascii() and words[-1][-1].isalpha() and word[0].isascii():
                words[-1] += " " + word
            else:
                words.append(word)
        for word in words:
            # Edges off first, as _name takes them off: #编辑李四 is 编辑 + 李四 on every pass.
            word = word.strip(_NAME_EDGES) or word
            while not _role_of(word)[0] and (match := _GLUED_ROLE.match(word)):
                out.append(match.group(1))
                word = match.group(2).strip(_NAME_EDGES) or match.group(2)
            out.append(word)
    return out


def _name(token: str) -> str | None:
    """A token as a person's name, or None for placeholders, dates and punctuation."""
    name = token.strip(_NAME_EDGES)
    if not name or _DATEISH.match(name) or not any(char.isalpha() for char in name):
        return None
    if name.casefold() in _ANONYMOUS or _role_of(name)[0]:
        return None
    return name


def _assign(run: list[tuple[str | None, Role | None]]) -> list[tuple[str, Role | None]]:
    """Roles for one run of names and role markers (name None): prefix form (记者 张三) unless
    the names come first and a marker last (张三/文 李四/图, 作者：张三 摄)."""
    while run and run[0] == (None, None):  # a bare 作者 label says nothing about the form
        run = run[1:]
    suffix = bool(run) and run[0][0] is not None and run[-1][0] is None
    out: list[tuple[str, Role | None]] = []
    role: Role | None = None
    previous_marker = False
    for name, marked in reversed(run) if suffix else run:
        if name is None:
            role = _combine(role, marked) if previous_marker else marked
        else:
            out.append((name, role))
        previous_marker = name is None
    return out[::-1] if suffix else out


def _combine(first: Role | None, second: Role | None) -> Role | None:
    """Two markers in a row (文/图 张三): text and photo together, otherwise the nearer one."""
    return Role.TEXT_PHOTO if {first, second} == {Role.TEXT, Role.PHOTO} else second


# A two-character name padded to the width of three (张　三, 明 亮): one name, not two.
_PADDED_NAME = re.compile(
    r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff])[ \u3000\xa0]+([\u4e00-\u9fff])(?![\u4e00-\u9fff])"
)
# Credits that never make an author: the photographer, the camera, the editor.
_NOT_AUTHOR_ROLES = frozenset({Role.PHOTO, Role.VIDEO, Role.EDITOR})


def _credits(raw: str | None) -> tuple[list[Credit], list[str]]:
    """(authors, editors) of a byline, each in page order without repeats."""
    if not raw:
        return [], []
    raw = _PADDED_NAME.sub(r"\1\2", raw)
    authors: list[tuple[str, Role | None]] = []
    editors: list[str] = []
    run: list[tuple[str | None, Role | None]] = []
    mode = "author"  # what the names after the last label are: author, editor or skip
    for token in _tokens(_plain(raw)):
        is_marker, role, skipped = _role_of(token.strip(_NAME_EDGES))
        if is_marker and (skipped or role is Role.EDITOR):
            authors += _assign(run)
            run = []
            mode = "skip" if skipped else "editor"
        elif is_marker:
            mode = "author"
            run.append((None, role))
        elif (name := _name(token)) is not None:
            if mode == "author":
                run.append((name, None))
            elif mode == "editor":
                editors.append(name)
    authors += _assign(run)
    first: dict[str, Role | None] = {}
    for name, role in authors:
        first.setdefault(name, role)
    return [Credit(name, role) for name, role in first.items()], list(dict.fromkeys(editors))


def parse_authors(raw: str | None) -> tuple[list[Credit], str | None]:
    """(authors in page order with their roles, editor names joined by '、' or None).

    An editor line (责任编辑：李四) gives the editor, never an author. Never raises.
    """
    credits, editors = _credits(raw)
    return credits, "、".join(editors) or None


def parse_editor(raw: str | None) -> str | None:
    """The editor of an editor line, labelled (责任编辑：李四) or bare (李四)."""
    credits, editors = _credits(raw)
    return "、".join(editors or [credit.name for credit in credits]) or None


def normalize_author(raw: str | None) -> str | None:
    """The author names joined by '、' in page order; None for anonymous or absent."""
    credits, _ = _credits(raw)
    return "、".join(credit.name for credit in credits) or None


# --- pipeline ----------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A raw field as text; a spider bug (a list, a number) counts as absent, not a crash."""
    return value if isinstance(value, str) else None


class SourcesPipeline:
    """Fills source, authors, author and editor from the raw meta-line texts, counting what it
    could not place (unknown sources, anonymous bylines) in the crawl stats."""

    def __init__(self, stats: StatsCollector, publishers: Publishers, portal: str) -> None:
        self.stats = stats
        self.publishers = publishers
        self.portal = portal

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        publishers = Publishers.load(PUBLISHERS_FILE)
        if extra := settings.get("SOURCE_ALIASES_FILE"):
            publishers.extend(extra)
        portal = clean_source(settings.get("PORTAL_NAME")) or PORTAL_NAME
        return cls(crawler.stats, publishers, portal)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        self._source(adapter)
        self._authors(adapter)
        return item

    def _count(self, name: str, example: str | None = None) -> None:
        self.stats.inc_value(f"{STATS_PREFIX}/{name}")
        if example is not None and self.stats.get_value(f"{STATS_PREFIX}/{name}_example") is None:
            self.stats.set_value(f"{STATS_PREFIX}/{name}_example", example)

    def _source(self, adapter: ItemAdapter) -> None:
        raw = _text(adapter.get("source_raw"))
        source, how = _classify_source(raw, self.portal, self.publishers)
        adapter["source"] = source
        self._count(how, raw if how == "unknown" else None)
        if not adapter.get("source_url") and (link := source_link(raw)):
            adapter["source_url"] = urljoin(_text(adapter.get("url")) or "", link)

    def _authors(self, adapter: ItemAdapter) -> None:
        """The meta line's named author; where it names nobody, the credit of a byline or
        dateline in the body; photographers and editors never (docs/interface.md)."""
        raw = _text(adapter.get("author_raw"))
        credits, editor = parse_authors(raw)
        if not credits:
            credits = [
                credit
                for credit in parse_authors(_text(adapter.get("byline_raw")))[0]
                if credit.role not in _NOT_AUTHOR_ROLES
            ] or [Credit(name, Role.REPORTER) for name in adapter.get("reporters") or []]
            if credits:
                self._count("authors_from_body")
        names = [credit.name for credit in credits]
        adapter["authors"] = names
        adapter["author_roles"] = [credit.role and str(credit.role) for credit in credits]
        adapter["author"] = "、".join(names) or None
        adapter["editor"] = parse_editor(_text(adapter.get("editor_raw"))) or editor
        if names:
            self._count("authors_named")
        elif raw and raw.strip():
            self._count("authors_anonymous", raw)
        else:
            self._count("authors_missing")
        if adapter["editor"]:
            self._count("editor")
