"""What the database already knows, so an incremental crawl fetches only what is new.

JOBDIR does not survive kill -9 (FIELD-NOTES), so the frontier of the next run is rebuilt from
the stored articles: any neighbour they name that is not stored is where a chain resumes, unless
it was found dead (404/410) lately.
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
    stored: set[str] = field(default_factory=set)
    resume: list[str] = field(default_factory=list)
    recheck: list[str] = field(default_factory=list)
    dead: dict[str, int] = field(default_factory=dict)

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
        dead_since = now - timedelta(days=settings.getfloat("DEAD_LINK_RETRY_DAYS"))
        frontier = cls(
            mode, store, store.stored_urls(), store.dangling_chain_urls(dead_since), recheck
        )
        logger.info(
            "frontier: %d articles stored, %d chain ends to resume, %d to recheck",
            len(frontier.stored),
            len(frontier.resume),
            len(frontier.recheck),
        )
        return frontier

    def wants(self, url: str) -> bool:
        """Whether an article link is worth a request: new, or every link in a full crawl."""
        return self.mode is CrawlMode.FULL or url not in self.stored

    def save(self) -> None:
        """Remember the dead links of this crawl, so the next one does not resume through them."""
        if self.store is not None:
            self.store.record_dead_links(self.dead)
