"""Publishers: the alias table that folds the spellings of one publisher into its name.

Reprints name one publisher in several spellings (人民网, 人民网-人民日报, people.com.cn). The
table ships as data (publishers.json) and a setting extends it (SOURCE_ALIASES_FILE); it folds
spellings of one publisher only: 新华社 and 新华网 stay two publishers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Self

from pipelines.source_cleaning import DOMAIN, clean_source, plain_text
from xzcrawler.parsing.vocabulary import PLACEHOLDER_SOURCES
from xzcrawler.settings import PORTAL_NAME

PUBLISHERS_FILE = Path(__file__).with_name("publishers.json")

# Registry suffixes a subdomain lookup never climbs to (xx.gov.cn is no alias of www.gov.cn).
_PUBLIC_SUFFIXES = frozenset(
    {"cn", "com", "net", "org", "gov", "edu", "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn"}
)
_KEY_DROP = re.compile(r"[\s《》「」『』“”\"'‘’]+")
_KEY_DASH = re.compile(r"[-‐‑‒–—―−]+")
_KEY_SCHEME = re.compile(r"^(?:https?://)?(?:www\.)?")


def publisher_key(name: str) -> str:
    """How aliases are compared: NFKC, case-folded, no spaces/quotes, no scheme or www."""
    key = _KEY_DASH.sub("-", _KEY_DROP.sub("", plain_text(name).casefold()))
    key = _KEY_SCHEME.sub("", key)
    return key.rstrip("/")


def _domain_candidates(key: str) -> Iterable[str]:
    """The host and its parents down to a registered domain, for a key that is a domain."""
    host = re.split(r"[/:?#]", key, maxsplit=1)[0]
    if not DOMAIN.match(host):
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
        """One entry: its cleaned name maps to itself, each cleaned alias to the name."""
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
# A site naming the paper it carries in title brackets (光明网-《光明日报》, 人民网－《人民日报》,
# 光明网/《光明日报》, 光明网《光明日报》): the article is the paper's, so the paper is the
# publisher (docs/parsing.md). Any dash, slash, dot or bar between them, or none.
_SITE_PAPER = re.compile(
    r"[^《》]{2,20}?\s*(?:[-‐‑‒–—―−－/／·・|｜]\s*)?《(?P<paper>[^《》]{2,20})》"
)
_DEBRIS = re.compile(r"""\w+\s*=\s*["']""")
_NO_SOURCE = frozenset(publisher_key(name) for name in PLACEHOLDER_SOURCES)


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
    return classify_source(raw, portal, publishers or default_publishers())[0]


def classify_source(raw: str | None, portal: str, publishers: Publishers) -> tuple[str | None, str]:
    """(canonical publisher, how it was found: known/unknown/portal/none/missing)."""
    cleaned = clean_source(raw)
    if cleaned is None:
        return None, "missing"
    if _DEBRIS.search(cleaned):  # template debris (来源： size="20"): no source printed
        return None, "none"
    if paper := _SITE_PAPER.fullmatch(cleaned):
        # The paper's name gets the cleaning every source gets (《光明日报、》 -> 光明日报).
        cleaned = clean_source(paper["paper"]) or cleaned
    key = publisher_key(cleaned)
    if key in _NO_SOURCE:
        return None, "none"
    if key in _PORTAL_PLACEHOLDERS or key == publisher_key(portal):
        return portal, "portal"
    if found := publishers.find(cleaned):
        return found, "known"
    return cleaned, "unknown"
