"""What the database already knows, so an incremental crawl fetches only what is new.

JOBDIR does not survive kill -9 (FIELD-NOTES), so the frontier of the next run is rebuilt from
the stored articles: any neighbour they name that is not stored is where a chain resumes, unless
it led to no article lately (404/410, robots.txt).
"""

from __future__ import annotations

import logging
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


@dataclass
class Frontier:
    mode: CrawlMode
    store: ArticleStore | None = None
    stored: set[str] = field(default_factory=set)  # and links known to lead to no article
    resume: list[str] = field(default_factory=list)
    recheck: list[str] = field(default_factory=list)
    chain_ends: set[str] = field(default_factory=set)
    unfetchable: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, settings: BaseSettings, mode: CrawlMode) -> Frontier:
        engine = engine_for(settings["DATABASE_URL"])
        ensure_schema(engine)
        store = ArticleStore(engine)
        if mode is CrawlMode.FULL:
            return cls(mode, store)
        now = datetime.now(SHANGHAI)
        recheck_days = settings.getint("RECHECK_DAYS")
        recheck = (
            store.urls_published_since(now - timedelta(days=recheck_days)) if recheck_days else []
        )
        retry_since = now - timedelta(days=settings.getfloat("UNFETCHABLE_RETRY_DAYS"))
        # Links that led nowhere count as known, so they do not make a list page look new.
        known = store.stored_urls() | store.unfetchable_urls(retry_since)
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
            len(frontier.stored),
            len(frontier.resume),
            len(frontier.recheck),
        )
        return frontier

    def wants(self, url: str) -> bool:
        """Whether an article link is worth a request: new, or every link in a full crawl."""
        return self.mode is CrawlMode.FULL or url not in self.stored

    def wants_neighbour(self, url: str) -> bool:
        """Whether a new article's 上一篇/下一篇 is worth a request: also a stored chain end,
        whose page now links to the new article instead of saying 没有了."""
        return self.wants(url) or url in self.chain_ends

    def save(self) -> None:
        """Remember this crawl's links that led to no article, for the next incremental run."""
        if self.store is not None:
            self.store.record_unfetchable(self.unfetchable)
