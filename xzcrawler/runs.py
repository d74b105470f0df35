"""The crawl_runs table: a row per `python -m xzcrawler crawl`, opened before the first request."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from xzcrawler.health import Assessment, RunStatus, dropped_articles, extraction_summary
from xzcrawler.models import SHANGHAI, Article, CrawlRun
from xzcrawler.stats_keys import PROBLEM_PAGES

logger = logging.getLogger(__name__)


def open_run(engine: Engine, *, mode: str, portal_url: str) -> int:
    with Session(engine) as session, session.begin():
        run = CrawlRun(
            started_at=datetime.now(SHANGHAI),
            mode=mode,
            portal_url=portal_url,
            status=RunStatus.RUNNING,
        )
        session.add(run)
        session.flush()
        return run.id


def close_run(
    engine: Engine, run_id: int, stats: dict[str, Any], assessment: Assessment, exit_code: int
) -> None:
    values = {
        "finished_at": datetime.now(SHANGHAI),
        "status": assessment.status,
        "reason": assessment.reason,
        "pages_fetched": stats.get("response_received_count", 0),
        "articles_new": stats.get("xz/articles/new", 0),
        "articles_updated": stats.get("xz/articles/updated", 0),
        "articles_unchanged": stats.get("xz/articles/unchanged", 0),
        "articles_dropped": dropped_articles(stats),
        "unreadable_dates": stats.get("xz/dates/unreadable", 0),
        "http_errors": assessment.http_errors,
        "failed_pages": stats.get(PROBLEM_PAGES, []),
        "field_fill": assessment.fill,
        "chain_health": chain_health(engine, stats),
        "warnings": assessment.warnings,
        "extraction": extraction_summary(stats),
        "exit_code": exit_code,
    }
    with Session(engine) as session, session.begin():
        session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(**values))


def chain_health(engine: Engine, stats: dict[str, Any]) -> dict[str, int]:
    """What the chains look like: from the stored articles (links to pages not stored, links
    not returned by their target, cycles) and from this run's pages (articles a list page
    showed that no chain linked to, and articles reached through chains only)."""
    with engine.connect() as conn:
        links = {url: (prev, next_) for url, prev, next_ in conn.execute(
            select(Article.url, Article.prev_url, Article.next_url)
        )}  # fmt: skip
    return {
        "articles": len(links),
        "prev_missing": sum(1 for p, _ in links.values() if p and p not in links),
        "next_missing": sum(1 for _, n in links.values() if n and n not in links),
        "one_way_links": sum(
            1 for url, (p, _) in links.items() if p in links and links[p][1] not in (url, None)
        ),
        "cycles": _cycles({url: p for url, (p, _) in links.items() if p in links}),
        "listed_not_linked": stats.get("xz/chains/listed_not_linked", 0),
        "linked_not_listed": stats.get("xz/chains/linked_not_listed", 0),
    }


def _cycles(older: dict[str, str]) -> int:
    """How many 上一篇 walks come back to where they started instead of reaching 没有了."""
    state: dict[str, int] = {}  # 1: on the current walk, 2: done
    cycles = 0
    for start in older:
        walk = []
        url: str | None = start
        while url is not None and url not in state:
            state[url] = 1
            walk.append(url)
            url = older.get(url)
        if url is not None and state[url] == 1:
            cycles += 1
        for seen in walk:
            state[seen] = 2
    return cycles


def recent_runs(engine: Engine, limit: int = 10) -> Sequence[CrawlRun]:
    with Session(engine) as session:
        stmt = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
        return session.scalars(stmt).all()


def stored_article_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count(Article.id))).scalar_one()
