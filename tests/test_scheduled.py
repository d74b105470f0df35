"""`python -m xzcrawler crawl` as cron runs it: incremental runs, recheck, lock, kill, health."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import CrawlEnv
from tests.helpers import expected, interface_view, stored_count, wait_for
from xzcrawler.health import RunStatus, Thresholds, assess
from xzcrawler.lock import CrawlLock, lock_path
from xzcrawler.models import Article, ArticleRevision, CrawlRun
from xzcrawler.replica import Page, Portal
from xzcrawler.storage import engine_for

FIRST_PAGES = {"/", "/robots.txt"}


def first_list_pages(env: CrawlEnv) -> set[str]:
    return {section.path for section in env.portal.sections}


def requests_of(env: CrawlEnv, run: callable) -> tuple[subprocess.CompletedProcess, list[str]]:  # type: ignore[valid-type]
    before = len(env.server.requests)
    result = run()
    return result, [r.path for r in env.server.requests[before:]]


def runs(env: CrawlEnv) -> list[CrawlRun]:
    with Session(engine_for(env.database_url)) as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))


def test_no_change_rerun_fetches_only_home_robots_and_first_list_pages(crawl_env: CrawlEnv) -> None:
    assert crawl_env.crawl().returncode == 0
    result, requested = requests_of(crawl_env, crawl_env.crawl)
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(requested) <= FIRST_PAGES | first_list_pages(crawl_env)
    assert "/" in requested
    assert "0 new, 0 updated" in result.stderr


def test_incremental_run_stores_exactly_the_new_articles(crawl_env: CrawlEnv) -> None:
    assert crawl_env.crawl().returncode == 0
    before = set(crawl_env.records())
    added = crawl_env.portal.add_articles(4)
    result, requested = requests_of(crawl_env, crawl_env.crawl)
    assert result.returncode == 0, result.stderr[-3000:]
    base = crawl_env.server.base_url.rstrip("/")
    stored = crawl_env.records()
    assert set(stored) - before == {base + a.path for a in added}
    assert interface_view(stored) == expected(crawl_env)
    # Only the pages named in the README: home, robots.txt, list pages up to the first one that
    # shows nothing new, the new articles, and the old chain ends that now link to them.
    article_pages = {
        p for p in requested if p not in FIRST_PAGES and p not in first_list_pages(crawl_env)
    }
    new_paths = {a.path for a in added}
    old_ends = {a.prev_path for a in added} - new_paths
    listed_pages = {p for p in article_pages if p not in new_paths | old_ends}
    assert new_paths <= article_pages
    assert not [p for p in listed_pages if p in {a.path for a in crawl_env.portal.articles}]


def test_recheck_days_updates_an_edited_article_and_keeps_its_revision(crawl_env: CrawlEnv) -> None:
    assert crawl_env.crawl().returncode == 0
    edited = crawl_env.portal.articles[3]
    crawl_env.portal.edit_article(edited.id, title="改过的标题", body="改过的正文。")
    plain = crawl_env.crawl()
    assert "0 new, 0 updated" in plain.stderr, "without recheck a stored article is not fetched"
    recheck = crawl_env.crawl("--recheck-days", "100000")
    assert recheck.returncode == 0, recheck.stderr[-3000:]
    assert "0 new, 1 updated" in recheck.stderr
    url = crawl_env.server.base_url.rstrip("/") + edited.path
    assert crawl_env.records()[url]["title"] == "改过的标题"
    with Session(engine_for(crawl_env.database_url)) as session:
        article = session.scalars(select(Article).where(Article.url == url)).one()
        assert [r.title for r in article.revisions] == [edited.title]
        assert session.scalar(select(func.count()).select_from(ArticleRevision)) == 1


@pytest.mark.parametrize("crawl_env", [{"articles": 400}], indirect=True)
def test_killed_crawl_is_completed_by_the_next_run_without_duplicates(crawl_env: CrawlEnv) -> None:
    slow = ["CONCURRENT_REQUESTS=2", "DOWNLOAD_DELAY=0.01", "STORAGE_BATCH_SIZE=10"]
    process = crawl_env.start_crawl(settings=slow)
    wait_for(
        "60 articles stored, or the crawl ending before it was killed",
        lambda: stored_count(crawl_env) >= 60 or process.poll() is not None,
    )
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL, "the crawl ended before the kill"
    partial = len(crawl_env.records())
    assert 0 < partial < len(crawl_env.portal.articles)

    result = crawl_env.crawl()
    assert result.returncode == 0, result.stderr[-3000:]
    assert interface_view(crawl_env.records()) == expected(crawl_env)
    killed = runs(crawl_env)[0]
    assert (killed.status, killed.exit_code) == ("died", None), "the next run closes it"


def test_second_crawl_on_the_same_database_exits_75_naming_the_holder(crawl_env: CrawlEnv) -> None:
    path = lock_path(crawl_env.tmp_path / "locks", crawl_env.database_url)
    with CrawlLock(path):
        result, requested = requests_of(crawl_env, crawl_env.crawl)
    assert result.returncode == 75
    assert f"pid {os.getpid()}" in result.stderr
    assert requested == []


class RedesignedPortal(Portal):
    """The portal after a redesign: the home page still has its menu, nothing else parses."""

    def render(self, path_and_query: str) -> Page:
        if path_and_query in FIRST_PAGES:
            return super().render(path_and_query)
        body = "<html><body><div id='app'>新版网站加载中</div></body></html>".encode()
        headers = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))}
        return Page(200, headers, body)


def test_portal_whose_markup_changed_fails_the_run_with_exit_1(crawl_env: CrawlEnv) -> None:
    assert crawl_env.crawl().returncode == 0
    crawl_env.portal.__class__ = RedesignedPortal
    result = crawl_env.crawl()
    assert result.returncode == 1
    last = runs(crawl_env)[-1]
    assert (last.status, last.exit_code) == ("failed", 1)
    assert last.reason.startswith(
        "no list page was fetched (portal down, blocking us, or redesigned)"
    )
    assert "no list page was fetched" in result.stderr


def test_runs_lists_the_recent_runs_with_status_and_counts(crawl_env: CrawlEnv) -> None:
    assert crawl_env.crawl().returncode == 0
    result = crawl_env.run("-m", "xzcrawler", "runs")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:6] == ["id", "started", "+08:00", "secs", "mode", "status"]
    fields = lines[1].split()
    assert fields[0] == "1" and fields[4] == "incr" and fields[5] == "ok"
    assert int(fields[7]) == len(crawl_env.portal.articles)


def test_run_record_keeps_fill_rates_chain_health_and_the_pages_that_failed(
    crawl_env: CrawlEnv,
) -> None:
    assert crawl_env.crawl().returncode == 0
    run = runs(crawl_env)[-1]
    truth = crawl_env.portal.articles
    specials = crawl_env.portal.specials
    broken = crawl_env.server.base_url.rstrip("/") + specials.broken_target_path
    assert run.failed_pages == [{"url": broken, "status": 404, "reason": "HTTP 404"}]
    assert run.http_errors == {"404": 1, "503": 1}
    assert run.chain_health == {
        "articles": len(truth),
        "prev_missing": 1,
        "next_missing": 0,
        "one_way_links": 0,
        "cycles": 0,
        "listed_not_linked": 1,
        "linked_not_listed": sum(1 for a in truth if not a.listed),
    }
    with_author = sum(1 for a in truth if a.author) / len(truth)
    assert run.field_fill == {
        "published_at": 1.0,
        "author": round(with_author, 4),
        "source": 1.0,
        "section": 1.0,
        "body": 1.0,
    }
    assert run.warnings == []


def test_fill_rate_far_below_earlier_runs_is_a_warning() -> None:
    stats = {
        "finish_reason": "finished",
        "xz/pages/list": 6,
        "xz/list/article_links": 30,
        "response_received_count": 40,
        "xz/fill/items": 10,
        "xz/fill/published_at": 10,
        "xz/fill/author": 2,
        "xz/fill/source": 10,
        "xz/fill/section": 10,
        "xz/fill/body": 10,
    }
    earlier = [{"published_at": 1.0, "author": 0.9, "source": 1.0, "section": 1.0, "body": 1.0}]
    thresholds = Thresholds(max_error_rate=0.2, max_drop_rate=0.2, fill_drop_warning=0.3)
    result = assess(stats, thresholds=thresholds, stored_before=50, previous_fill=earlier)
    assert result.status is RunStatus.OK
    assert result.warnings == ["fill rate of author fell to 20% from 90% in earlier runs"]
