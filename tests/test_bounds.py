"""Bounds of a run and run records that do not lie (issue 12, items 5 and 9).

A run stopped by a limit (CLOSESPIDER_TIMEOUT, CLOSESPIDER_PAGECOUNT, CHAIN_MAX_DEPTH) is `cut
short`, exit 1, with the reason in its record and outcome line, and the next run continues it;
a run killed with -9 is marked `died` by the next run; a second Ctrl-C exits 130 and records it.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.conftest import CrawlEnv
from tests.helpers import expected, interface_view, stored_count, wait_for
from xzcrawler import cli, runs
from xzcrawler.models import SHANGHAI, CrawlRun
from xzcrawler.replica import Portal, ReplicaServer
from xzcrawler.replica.faults import Fault, FaultPlan, RunawayPortal
from xzcrawler.storage import engine_for, ensure_schema

DIED = "the process died (no outcome recorded)"


def run_rows(env: CrawlEnv) -> list[CrawlRun]:
    with Session(engine_for(env.database_url)) as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))


def crawl_with(env: CrawlEnv, *settings: str) -> subprocess.CompletedProcess[str]:
    return env.run(*env.crawl_argv(settings=settings))


@contextlib.contextmanager
def replica_env(
    tmp_path: Path, portal: Portal, plan: FaultPlan | None = None
) -> Iterator[CrawlEnv]:
    url = f"sqlite:///{tmp_path / 'crawl.db'}"
    with ReplicaServer(portal, faults=plan) as server:
        yield CrawlEnv(portal, server, url, tmp_path)
    engine_for(url).dispose()


# --- limits ----------------------------------------------------------------------------------


def test_limits_have_defaults_sized_for_the_real_portal() -> None:
    settings = get_project_settings()
    assert settings.getint("CLOSESPIDER_TIMEOUT") == 3600
    assert settings.getint("CLOSESPIDER_PAGECOUNT") == 50_000
    assert settings.getint("CHAIN_MAX_DEPTH") == 1000


def test_page_limit_cuts_the_run_short_and_the_next_run_completes_the_set(
    crawl_env: CrawlEnv,
) -> None:
    first = crawl_with(crawl_env, "CLOSESPIDER_PAGECOUNT=20")
    assert first.returncode == 1, first.stderr[-3000:]
    run = run_rows(crawl_env)[-1]
    assert (run.status, run.exit_code) == ("cut short", 1)
    assert run.reason == "cut short by closespider_pagecount; the next run continues"
    assert run.pages_fetched >= 20
    assert f"run {run.id} cut short: " in first.stderr
    assert "; cut short by closespider_pagecount; the next run continues" in first.stderr
    partial = len(crawl_env.records())
    assert 0 < partial < len(crawl_env.portal.articles)

    second = crawl_env.crawl()
    assert second.returncode == 0, second.stderr[-3000:]
    assert interface_view(crawl_env.records()) == expected(crawl_env)
    last = run_rows(crawl_env)[-1]
    assert (last.status, last.exit_code, last.reason) == ("ok", 0, None)
    assert last.articles_new == len(crawl_env.portal.articles) - partial


def test_time_limit_cuts_the_run_short_and_the_next_run_completes_the_set(
    tmp_path: Path,
) -> None:
    # The home page answers only after the client gave up on it, so the 1-second limit ends
    # the run before anything else can: no race with the crawl finishing.
    plan = FaultPlan(stall_seconds=10).on("/", Fault.TIMEOUT, times=1)
    with replica_env(tmp_path, Portal(), plan) as env:
        first = crawl_with(env, "CLOSESPIDER_TIMEOUT=1", "DOWNLOAD_TIMEOUT=5")
        assert first.returncode == 1, first.stderr[-3000:]
        run = run_rows(env)[-1]
        assert (run.status, run.exit_code) == ("cut short", 1)
        assert run.reason.startswith("cut short by closespider_timeout; the next run continues")
        assert "cut short by closespider_timeout" in first.stderr
        assert env.records() == {}

        second = crawl_with(env, "DOWNLOAD_TIMEOUT=5")
        assert second.returncode == 0, second.stderr[-3000:]
        assert interface_view(env.records()) == expected(env)


def runaway_hops(records: dict[str, dict]) -> dict[str, int]:
    return {url: int(url.rsplit("hop=", 1)[1]) for url in records if "/runaway.asp?" in url}


def test_a_chain_of_fresh_urls_is_bounded_per_run_counted_and_continued(tmp_path: Path) -> None:
    depth = 5
    with replica_env(tmp_path, RunawayPortal()) as env:
        first = crawl_with(env, f"CHAIN_MAX_DEPTH={depth}")
        assert first.returncode == 1, first.stderr[-3000:]
        records = env.records()
        truth = expected(env)
        real = {url: record for url, record in interface_view(records).items() if url in truth}
        assert real == truth, "every article of the portal is stored, as served"
        hops = runaway_hops(records)
        assert set(records) == set(truth) | set(hops)
        assert 0 < max(hops.values()) <= depth
        run = run_rows(env)[-1]
        chains = len(truth)  # every article starts a runaway chain with its 下一篇
        assert (run.status, run.exit_code) == ("cut short", 1)
        assert run.reason.startswith(
            f"{chains} chain walks stopped {depth} articles beyond the last listed or stored "
            "article (CHAIN_MAX_DEPTH), first at "
        )
        assert run.reason.endswith("; the next run continues them")
        assert f"run {run.id} cut short: " in first.stderr

        # The next run resumes each chain where it stopped (a stored article whose 下一篇 is
        # not stored), and walks it `depth` articles further: nothing was lost, still bounded.
        second = crawl_with(env, f"CHAIN_MAX_DEPTH={depth}")
        assert second.returncode == 1, second.stderr[-3000:]
        run = run_rows(env)[-1]
        assert (run.status, run.articles_new) == ("cut short", chains * (depth + 1))
        assert run.reason.startswith(f"{chains} chain walks stopped {depth} articles beyond")
        after = runaway_hops(env.records())
        for article in env.portal.articles:
            walked = [hop for url, hop in after.items() if f"?id={article.id}&" in url]
            assert sorted(walked) == list(range(1, max(walked) + 1)), "no hop skipped"
            assert (
                max(walked)
                == max((hop for url, hop in hops.items() if f"?id={article.id}&" in url), default=0)
                + depth
                + 1
            )


def test_a_long_legitimate_chain_completes_across_runs_and_nothing_is_lost(
    tmp_path: Path,
) -> None:
    # Lists show 5 articles per section and 30 are reached only through 上一篇 chains: with
    # CHAIN_MAX_DEPTH=10 it takes three runs, the first two cut short, the third complete.
    with replica_env(tmp_path, Portal(articles=175, list_page_cap=1)) as env:
        results = [crawl_with(env, "CHAIN_MAX_DEPTH=10") for _ in range(3)]
        assert [r.returncode for r in results] == [1, 1, 0], results[-1].stderr[-3000:]
        rows = run_rows(env)
        assert [r.status for r in rows] == ["cut short", "cut short", "ok"]
        assert all(" chain walks stopped 10 articles beyond" in r.reason for r in rows[:2])
        assert sum(r.articles_new for r in rows) == len(env.portal.articles)
        assert interface_view(env.records()) == expected(env)
        assert crawl_with(env, "CHAIN_MAX_DEPTH=10").returncode == 0
        assert run_rows(env)[-1].articles_new == 0


# --- run records that do not lie --------------------------------------------------------------


@pytest.mark.parametrize("crawl_env", [{"articles": 400}], indirect=True)
def test_a_run_killed_with_sigkill_is_marked_died_by_the_next_run(crawl_env: CrawlEnv) -> None:
    slow = ["CONCURRENT_REQUESTS=2", "DOWNLOAD_DELAY=0.01", "STORAGE_BATCH_SIZE=10"]
    process = crawl_env.start_crawl(settings=slow)
    wait_for("some articles to be stored", lambda: stored_count(crawl_env) >= 20)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    killed = run_rows(crawl_env)[0]
    assert (killed.status, killed.exit_code) == ("running", None)
    assert killed.reason == f"running as {killed.reason.removeprefix('running as ')}"

    result = crawl_env.crawl()
    assert result.returncode == 0, result.stderr[-3000:]
    first, second = run_rows(crawl_env)
    assert (first.status, first.exit_code, first.reason) == ("died", None, DIED)
    assert (second.status, second.exit_code) == ("ok", 0)
    listing = crawl_env.run("-m", "xzcrawler", "runs").stdout.splitlines()
    assert listing[2].split()[:6][0] == "1" and " died " in listing[2]
    assert listing[2].endswith(DIED)


def test_a_run_of_a_shared_crawl_is_died_only_once_its_heartbeat_expired(
    sqlite_url: str, redis_url: str
) -> None:
    engine = engine_for(sqlite_url)
    ensure_schema(engine)
    prefix = f"xztest-{uuid.uuid4().hex[:8]}"
    settings = Settings(
        {
            "REDIS_URL": redis_url,
            "REDIS_KEY_PREFIX": prefix,
            "REDIS_HEARTBEAT": 5.0,
        }
    )
    opened = {
        worker: runs.open_run(engine, mode=mode, portal_url="http://x/", worker=worker)
        for worker, mode in (
            ("beating:1", "incremental+redis"),
            ("silent:2", "incremental+redis"),
            ("local:3", "incremental"),
        )
    }
    long_ago = datetime.now(SHANGHAI) - timedelta(minutes=10)
    with Session(engine) as session, session.begin():
        session.execute(update(CrawlRun).values(started_at=long_ago))
    import redis

    server = redis.Redis.from_url(redis_url)
    workers = f"{prefix}:sections:workers"
    try:
        now = time.time()
        server.hset(workers, mapping={"beating:1": str(now), "silent:2": str(now - 60)})
        assert cli.mark_dead_runs(engine, settings) == [opened["silent:2"]]
        # A single-machine run holds the lock: every earlier single-machine run is gone.
        assert cli.mark_dead_runs(engine, Settings({"REDIS_URL": ""})) == [opened["local:3"]]
    finally:
        server.delete(workers)
        server.close()
    with Session(engine) as session:
        status = {
            runs.running_worker(r) or r.id: (r.status, r.reason)
            for r in session.scalars(select(CrawlRun))
        }
    assert status == {
        "beating:1": ("running", "running as beating:1"),
        opened["silent:2"]: ("died", DIED),
        opened["local:3"]: ("died", DIED),
    }
    engine.dispose()


def test_a_second_ctrl_c_exits_130_and_records_130(tmp_path: Path) -> None:
    # The home page stalls, so the graceful stop of the first Ctrl-C waits for it and the
    # second one arrives while the crawl is still shutting down.
    plan = FaultPlan(stall_seconds=30).on("/", Fault.TIMEOUT)
    with replica_env(tmp_path, Portal(), plan) as env:
        log = tmp_path / "crawl.log"
        process = env.start_crawl(
            "--log-file", str(log), settings=["DOWNLOAD_TIMEOUT=25"], stderr=subprocess.PIPE
        )
        try:
            # A request served means the reactor runs, and with it Scrapy's signal handlers.
            wait_for("the home page request", lambda: "/" in env.requested())
            process.send_signal(signal.SIGINT)
            wait_for(
                "the graceful shutdown to begin",
                lambda: (
                    log.exists() and "Received SIGINT, shutting down gracefully" in log.read_text()
                ),
            )
            process.send_signal(signal.SIGINT)
            _, stderr = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 130, stderr
        run = run_rows(env)[-1]
        assert (run.status, run.exit_code) == ("interrupted", 130)
        assert run.reason.startswith(
            "stopped at once by a second signal; pending writes were not finished"
        )
        assert f"run {run.id} interrupted: " in stderr.decode()
