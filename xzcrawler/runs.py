"""The crawl_runs table: a row per `python -m xzcrawler crawl`, opened before the first request."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from xzcrawler.health import Assessment, RunStatus, dropped_articles
from xzcrawler.models import SHANGHAI, Article, CrawlRun
from xzcrawler.spiders.base import PROBLEM_PAGES


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
        "chain_health": chain_health(engine),
        "warnings": assessment.warnings,
        "exit_code": exit_code,
    }
    with Session(engine) as session, session.begin():
        session.execute(update(CrawlRun).where(CrawlRun.id == run_id).values(**values))


def chain_health(engine: Engine) -> dict[str, int]:
    """What the stored chains look like: links to unstored pages, and chain ends."""
    stored = select(Article.url)
    with engine.connect() as conn:

        def count(*conditions: Any) -> int:
            return conn.execute(select(func.count()).where(*conditions)).scalar_one()

        return {
            "articles": count(Article.id.is_not(None)),
            "prev_missing": count(Article.prev_url.is_not(None), Article.prev_url.not_in(stored)),
            "next_missing": count(Article.next_url.is_not(None), Article.next_url.not_in(stored)),
            "chain_ends": count(Article.prev_url.is_(None)) + count(Article.next_url.is_(None)),
        }


def recent_runs(engine: Engine, limit: int = 10) -> Sequence[CrawlRun]:
    with Session(engine) as session:
        stmt = select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit)
        return session.scalars(stmt).all()


def stored_article_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count(Article.id))).scalar_one()
