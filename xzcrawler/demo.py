"""`python -m xzcrawler demo`: the bundled replica portal, crawled into data/demo.db, shown."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xzcrawler.frontier import CrawlMode
from xzcrawler.models import Article
from xzcrawler.replica import Portal, ReplicaServer
from xzcrawler.runner import UsageError, project_settings, run_crawl
from xzcrawler.storage import engine_for

# A crawl of our own server on 127.0.0.1 need not be polite; everything else stays as set.
LOOPBACK_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "RETRY_BACKOFF_BASE": 0.05,
}
DEMO_DATABASE = Path(__file__).resolve().parent.parent / "data" / "demo.db"


def run_demo(*, articles: int, database_url: str | None = None) -> int:
    """Crawl a replica of `articles` articles into `database_url`, or a fresh data/demo.db.

    Everything is checked before the last demo's database is removed."""
    try:
        portal = Portal(articles=articles, seed=1)
    except ValueError as exc:
        raise UsageError(f"--articles: {exc}") from None
    settings = project_settings(database_url=database_url or f"sqlite:///{DEMO_DATABASE}")
    database_url = settings["DATABASE_URL"]
    if database_url == f"sqlite:///{DEMO_DATABASE}":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DEMO_DATABASE}{suffix}").unlink(missing_ok=True)
    with ReplicaServer(portal) as server:
        print(f"serving the replica portal ({articles} articles) at {server.base_url}")
        settings.setdict(LOOPBACK_SETTINGS, priority="cmdline")
        settings.set("PORTAL_URL", server.base_url, priority="cmdline")
        settings.set("DATABASE_URL", database_url, priority="cmdline")
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
        exit_code = run_crawl(settings, mode=CrawlMode.FULL, sections=[])
    show_database(database_url, reachable=len(portal.articles))
    return exit_code


def show_database(database_url: str, *, reachable: int) -> None:
    engine = engine_for(database_url)
    with Session(engine) as session:
        per_section = session.execute(
            select(Article.section, func.count())
            .group_by(Article.section)
            .order_by(Article.section)
        ).all()
        total = sum(count for _, count in per_section)
        print(f"\nstored {total} of the {reachable} articles the replica serves, in {database_url}")
        for section, count in per_section:
            print(f"  {section or '(none)':<12} {count:>5}")
        print("\na few stored articles:")
        newest = select(Article).order_by(Article.published_at.desc()).limit(5)
        for article in session.scalars(newest):
            published = article.published_at.isoformat() if article.published_at else "-"
            print(f"  {published}  [{article.section}] {article.title}")
            print(f"      author: {article.author or '-'}  source: {article.source or '-'}")
            print(f"      {article.url}")
