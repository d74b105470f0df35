"""Distributed crawling: worker processes sharing one frontier in Redis, storing into PostgreSQL."""

from __future__ import annotations

import signal
import subprocess
import uuid
from collections.abc import Iterator

import pytest
import redis

from tests.conftest import CrawlEnv
from tests.helpers import expected, interface_view, stored_count, wait_for
from xzcrawler.export import export_records
from xzcrawler.storage import engine_for

pytestmark = pytest.mark.parametrize("crawl_env", [{"articles": 400}], indirect=True)


@pytest.fixture
def shared(crawl_env: CrawlEnv, postgres_url: str, redis_url: str) -> Iterator[CrawlEnv]:
    """The replica, a fresh PostgreSQL database and a Redis key prefix of this test's own."""
    crawl_env.database_url = postgres_url
    prefix = f"xztest-{uuid.uuid4().hex[:8]}"
    crawl_env.redis_prefix = prefix  # type: ignore[attr-defined]
    yield crawl_env
    server = redis.Redis.from_url(redis_url)
    leftovers = server.keys(f"{prefix}:*")
    if leftovers:
        server.delete(*leftovers)


def worker(env: CrawlEnv, redis_url: str, name: str) -> subprocess.Popen[bytes]:
    """A `crawl` worker process; its log goes to NAME.log in the test's folder."""
    settings = [
        f"REDIS_KEY_PREFIX={env.redis_prefix}",  # type: ignore[attr-defined]
        "REDIS_IDLE_TIMEOUT=3",
        "REDIS_HEARTBEAT=1",
        "CONCURRENT_REQUESTS=4",
        "DOWNLOAD_DELAY=0.02",
    ]
    with (env.tmp_path / f"{name}.log").open("w") as log:
        return env.start_crawl("--redis-url", redis_url, settings=settings, stderr=log)


def log(env: CrawlEnv, name: str) -> str:
    return (env.tmp_path / f"{name}.log").read_text()


def stored_urls(env: CrawlEnv) -> list[str]:
    return [r["url"] for r in export_records(engine_for(env.database_url))]


def test_two_workers_store_every_article_exactly_once(shared: CrawlEnv, redis_url: str) -> None:
    workers = [worker(shared, redis_url, "one"), worker(shared, redis_url, "two")]
    codes = [w.wait(timeout=240) for w in workers]
    errors = [log(shared, "one"), log(shared, "two")]
    assert codes == [0, 0], [e[-3000:] for e in errors]
    assert all(" new," in e for e in errors), "each worker ran to its summary line"
    urls = stored_urls(shared)
    assert len(urls) == len(set(urls))
    assert interface_view(shared.records()) == expected(shared)
    # Each article counted new by exactly one worker; which one is not fixed (the README: the
    # first worker may take all before the second starts).
    new = [int(e.rsplit(" new,", 1)[0].rsplit(" ", 1)[1]) for e in errors]
    assert sum(new) == len(shared.portal.articles), new
    assert redis.Redis.from_url(redis_url).keys(f"{shared.redis_prefix}:*") == []  # type: ignore[attr-defined]


def test_killed_worker_loses_nothing_once_a_restarted_worker_finishes(
    shared: CrawlEnv, redis_url: str
) -> None:
    doomed, survivor = worker(shared, redis_url, "doomed"), worker(shared, redis_url, "survivor")
    wait_for(
        "100 articles stored, or the doomed worker ending before it was killed",
        lambda: stored_count(shared) >= 100 or doomed.poll() is not None,
    )
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=30)
    assert survivor.wait(timeout=240) == 0, log(shared, "survivor")[-3000:]
    restarted = worker(shared, redis_url, "restarted")
    assert restarted.wait(timeout=240) == 0, log(shared, "restarted")[-3000:]
    urls = stored_urls(shared)
    assert len(urls) == len(set(urls))
    assert interface_view(shared.records()) == expected(shared)
