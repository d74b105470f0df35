"""The crawl_runs table: a row per `python -m xzcrawler crawl`, opened before the first request."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from xzcrawler.health import Assessment, RunStatus, dropped_articles, extraction_summary
from xzcrawler.models import SHANGHAI, Article, CrawlRun
from xzcrawler.stats_keys import PROBLEM_PAGES

# The mode of a run whose frontier is shared through Redis ends with this (runner._crawl_locked).
DISTRIBUTED_SUFFIX = "+redis"


# How a running run names its process, so a later run can tell whether it is still alive.
RUNNING_AS = "running as "
DIED_REASON = "the process died (no outcome recorded)"


def open_run(engine: Engine, *, mode: str, portal_url: str, worker: str) -> int:
    """A `running` row naming its worker (host:pid, as distributed.worker_name) in its reason
    until the run closes."""
    with Session(engine) as session, session.begin():
        run = CrawlRun(
            started_at=datetime.now(SHANGHAI),
            mode=mode,
            portal_url=portal_url,
            status=RunStatus.RUNNING,
            reason=f"{RUNNING_AS}{worker}",
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


def running_worker(run: CrawlRun) -> str | None:
    """The worker a `running` run recorded when it opened."""
    reason = run.reason or ""
    return reason.removeprefix(RUNNING_AS) if reason.startswith(RUNNING_AS) else None


def mark_dead_runs(
    engine: Engine, *, distributed: bool, alive: Callable[[CrawlRun], bool]
) -> list[int]:
    """Close as `died` the earlier runs still `running` of this kind (single-machine, or of a
    shared Redis frontier) that `alive` says are gone: a run killed with -9, or whose database
    turned read-only, never wrote its outcome. No exit code is recorded: none is known."""
    with Session(engine) as session, session.begin():
        running = session.scalars(
            select(CrawlRun).where(CrawlRun.status == RunStatus.RUNNING).order_by(CrawlRun.id)
        ).all()
        dead = [
            run
            for run in running
            if run.mode.endswith(DISTRIBUTED_SUFFIX) == distributed and not alive(run)
        ]
        for run in dead:
            run.status = RunStatus.DIED
            run.reason = DIED_REASON
            run.exit_code = None
        return [run.id for run in dead]


def heartbeat_alive(
    beats: dict[str, float], *, ttl: float, now: datetime
) -> Callable[[CrawlRun], bool]:
    """Whether a run of a shared crawl is alive, from the workers' heartbeats (worker ->
    time.time() of its last beat, distributed.SharedCrawl): its worker beat less than `ttl`
    seconds ago, or the run opened less than `ttl` ago (before its first beat)."""

    def alive(run: CrawlRun) -> bool:
        worker = running_worker(run)
        beat = beats.get(worker) if worker else None
        if beat is not None and now.timestamp() - beat < ttl:
            return True
        return (now - run.started_at).total_seconds() < ttl

    return alive


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


def find_run(engine: Engine, run_id: int) -> CrawlRun | None:
    with Session(engine) as session:
        return session.get(CrawlRun, run_id)


def stored_article_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count(Article.id))).scalar_one()
