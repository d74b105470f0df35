"""What the database already knows, so an incremental crawl fetches only what is new or changed.

JOBDIR does not survive kill -9 (docs/field-notes.md), so the frontier of the next run is rebuilt
from the stored articles: any neighbour they name that is not stored is where a chain resumes,
unless it led to no article lately (404/410, robots.txt).

List pages are evidence too: a stored article that a list page shows under another title was
edited on the portal, and is fetched again (storage keeps the old title and body as a revision).
The stored titles are loaded with the URLs, so unchanged articles cost no request.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from scrapy.settings import BaseSettings

from xzcrawler.models import SHANGHAI
from xzcrawler.storage import ArticleStore, engine_for, ensure_schema

logger = logging.getLogger(__name__)


class CrawlMode(StrEnum):
    INCREMENTAL = "incremental"
    FULL = "full"


# What list templates put where they cut a title: 前缀…, 前缀..., 前缀.., 前缀⋯
SHORTENED_ENDINGS = ("…", "..", "⋯")
SHORTENED_MARKS = ".…⋯"
# A label some list templates put before a title: [置顶], 【图文】, [视频].
_LIST_TAG = re.compile(r"^\s*[\[【［〔]\s*[^\]】］〕\s]{1,4}\s*[\]】］〕]\s*")


def _squash(text: str) -> str:
    return " ".join(text.split())


def same_title(listed: str, stored: str) -> bool:
    """Whether a list page's title is the stored title, as list templates show titles.

    Equal up to white space; or shortened: a text ending in …, ... or .. whose prefix begins
    the stored title; or either of these after a leading list label ([置顶] 标题) the stored
    title does not have. Anything else is a retitle.
    """
    shown, full = _squash(listed), _squash(stored)
    if shown == full:
        return True
    if shown.endswith(SHORTENED_ENDINGS) and full.startswith(
        shown.rstrip(SHORTENED_MARKS).rstrip()
    ):
        return True
    tag = _LIST_TAG.match(shown)
    if tag is not None and not full.startswith(tag.group().strip()):
        return same_title(shown[tag.end() :], full)
    return False


@dataclass
class Frontier:
    """The stored articles and dead links an incremental crawl need not fetch again.

    `known` maps every stored article URL to its stored title, and every link that led to no
    article lately to None. Titles cost memory (at 100k articles of 22-character titles, 26 MB
    where the URLs alone took 15 MB) but only they let a shortened list title be told from a
    new one; a hash could not be checked as a prefix.
    """

    mode: CrawlMode
    store: ArticleStore | None = None
    known: dict[str, str | None] = field(default_factory=dict)
    resume: list[str] = field(default_factory=list)
    recheck: list[str] = field(default_factory=list)
    chain_ends: set[str] = field(default_factory=set)
    unfetchable: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, settings: BaseSettings, mode: CrawlMode) -> Frontier:
        engine = engine_for(settings["DATABASE_URL"])
        ensure_schema(engine)
        store = ArticleStore(engine)
        now = datetime.now(SHANGHAI)
        retry_since = now - timedelta(days=settings.getfloat("UNFETCHABLE_RETRY_DAYS"))
        if mode is CrawlMode.FULL:
            # A full walk starts from the list pages again; a chain that an earlier run left
            # unfinished (a limit, a kill) may lie beyond where this walk's bound stops it, so
            # it is resumed too.
            return cls(mode, store, resume=store.dangling_chain_urls(retry_since))
        recheck_days = settings.getint("RECHECK_DAYS")
        recheck = (
            store.urls_published_since(now - timedelta(days=recheck_days)) if recheck_days else []
        )
        # Links that led nowhere count as known (no title), so they do not make a list page
        # look new.
        known: dict[str, str | None] = dict.fromkeys(store.unfetchable_urls(retry_since))
        known.update(store.stored_titles())
        frontier = cls(
            mode,
            store,
            known,
            store.dangling_chain_urls(retry_since),
            recheck,
            store.chain_end_urls(),
        )
        logger.info(
            "frontier: %d known links (stored or dead), %d chains to resume, %d to recheck",
            len(frontier.known),
            len(frontier.resume),
            len(frontier.recheck),
        )
        return frontier

    def wants(self, url: str) -> bool:
        """Whether an article link is worth a request: new, or every link in a full crawl."""
        return self.mode is CrawlMode.FULL or url not in self.known

    def retitled(self, url: str, listed_title: str) -> bool:
        """Whether a list page shows a stored article under a title that is not its stored one
        (see same_title): the article was edited, and is worth fetching again."""
        stored = self.known.get(url)
        return stored is not None and not same_title(listed_title, stored)

    def wants_neighbour(self, url: str) -> bool:
        """Whether a new article's 上一篇/下一篇 is worth a request: also a stored chain end,
        whose page now links to the new article instead of saying 没有了."""
        return self.wants(url) or url in self.chain_ends

    def save(self) -> None:
        """Remember this crawl's links that led to no article, for the next incremental run."""
        if self.store is not None:
            self.store.record_unfetchable(self.unfetchable)
