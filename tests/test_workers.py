"""The crawl's child processes (page readers, writer): real crawls over loopback into SQLite.

Each test runs `python -m xzcrawler crawl` as cron does and checks what was stored exactly, and
what happens to the children when the crawl is stopped, killed, or a reader dies.
"""

from __future__ import annotations

import asyncio
import math
import operator
import os
import pickle
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipelines.writer import WriterProcess
from tests.conftest import PROJECT_ROOT, CrawlEnv
from tests.helpers import (
    expected,
    fresh_python,
    interface_view,
    patched_crawl,
    storage_pipeline,
    stored_count,
    wait_for,
)
from xzcrawler import workers
from xzcrawler.bench import process_tree
from xzcrawler.models import CrawlRun
from xzcrawler.replica import Portal, ReplicaServer
from xzcrawler.storage import engine_for

ARTICLES = 120
SLOW = ["CONCURRENT_REQUESTS=2", "DOWNLOAD_DELAY=0.02", "STORAGE_BATCH_SIZE=10"]
ONE_READER = ["PARSE_PROCESSES=1"]


@pytest.fixture
def env(tmp_path: Path) -> Iterator[CrawlEnv]:
    portal = Portal(articles=ARTICLES)
    with ReplicaServer(portal) as server:
        yield CrawlEnv(portal, server, f"sqlite:///{tmp_path / 'crawl.db'}", tmp_path)
    engine_for(f"sqlite:///{tmp_path / 'crawl.db'}").dispose()


def runs(env: CrawlEnv) -> list[CrawlRun]:
    with Session(engine_for(env.database_url)) as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))


def descendants(pid: int) -> list[int]:
    """The live processes below `pid` (Linux /proc)."""
    return sorted(set(process_tree(pid)) - {pid})


def open_files(pid: int) -> list[str]:
    folder = Path("/proc") / str(pid) / "fd"
    return [os.readlink(fd) for fd in folder.iterdir()]


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize(
    ("readers", "writer_process"),
    [(0, False), (1, True), (2, True), (2, False)],
    ids=["one-process", "one-reader-and-writer", "two-readers-and-writer", "two-readers"],
)
def test_crawl_stores_the_same_exact_records_whichever_processes_read_and_write(
    env: CrawlEnv, readers: int, writer_process: bool
) -> None:
    settings = [f"PARSE_PROCESSES={readers}", f"STORAGE_PROCESS={writer_process}"]
    result = env.run(*env.crawl_argv("--full", settings=settings))
    assert result.returncode == 0, result.stderr[-3000:]
    assert interface_view(env.records()) == expected(env)
    run = runs(env)[-1]
    assert (run.status, run.articles_new) == ("ok", len(env.portal.articles))


def test_sigterm_to_the_whole_process_group_loses_no_accepted_article(env: CrawlEnv) -> None:
    log = env.tmp_path / "crawl.log"
    argv = env.crawl_argv("--log-file", str(log), settings=[*SLOW, "PARSE_PROCESSES=1"])
    crawl = subprocess.Popen(
        [sys.executable, *argv],
        cwd=PROJECT_ROOT,
        env=env.environ(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as cron's or a terminal's
    )
    wait_for("the first batch to be stored", lambda: stored_count(env) >= 10)
    assert len(descendants(crawl.pid)) >= 2  # a reader and the writer
    os.killpg(crawl.pid, signal.SIGTERM)  # the crawl and its children alike
    _, stderr = crawl.communicate(timeout=60)
    assert crawl.returncode == 1, stderr[-3000:]
    run = runs(env)[-1]
    received = int(re.findall(r"'xz/storage/received': (\d+)", log.read_text())[-1])
    assert (run.status, run.exit_code) == ("interrupted", 1)
    assert stored_count(env) == run.articles_new == received
    assert 0 < received < ARTICLES

    again = env.crawl()
    assert again.returncode == 0, again.stderr[-3000:]
    assert interface_view(env.records()) == expected(env)


def test_children_of_a_killed_crawl_exit_and_the_next_crawl_takes_the_lock(env: CrawlEnv) -> None:
    crawl = env.start_crawl(settings=[*SLOW, "PARSE_PROCESSES=1"])
    wait_for("the first batch to be stored", lambda: stored_count(env) >= 10)
    children = descendants(crawl.pid)
    assert len(children) >= 2
    locks = str(env.tmp_path / "locks")
    assert any(path.startswith(locks) for path in open_files(crawl.pid))
    for child in children:  # spawned: the crawl's lock is never theirs to hold
        assert not any(path.startswith(locks) for path in open_files(child))
    crawl.kill()  # kill -9: no handler runs, nothing is drained
    crawl.wait(timeout=30)
    wait_for("the children to exit after their parent", lambda: not any(map(alive, children)))

    again = env.crawl()
    assert again.returncode == 0, again.stderr[-3000:]  # not 75: the lock is free
    assert interface_view(env.records()) == expected(env)


# Every process of the crawl imports this at start-up (sitecustomize on PYTHONPATH); only a page
# reader reads pages, so only a reader dies, on the one page.
KILLS_ITS_READER = """
import os
import xzcrawler.parsing as parsing
_parse = parsing.parse_article
def parse_article(response, **kwargs):
    if response.url.endswith("{path}"):
        os._exit(3)
    return _parse(response, **kwargs)
parsing.parse_article = parse_article
"""


def test_a_page_that_kills_its_reader_is_recorded_and_every_other_article_stored(
    env: CrawlEnv,
) -> None:
    listed = {a.path for a in env.portal.articles if a.listed}
    # A listed article between listed ones: every other article is still reached.
    fatal = next(
        a for a in env.portal.articles if a.path in listed and {a.prev_path, a.next_path} <= listed
    )
    patch = KILLS_ITS_READER.format(path=fatal.path)
    result = patched_crawl(env, patch, "--full", settings=ONE_READER)
    url = env.server.base_url.rstrip("/") + fatal.path
    want = expected(env)
    del want[url]
    assert interface_view(env.records()) == want
    run = runs(env)[-1]
    failed = {page["url"]: page["reason"] for page in run.failed_pages}
    assert failed[url].startswith("unparsable article page: ReaderDied: ")
    assert result.stderr.count("a page reader died") == 1


# The first batch kills the writer process (once: the marker file says it happened), before
# its write or once its write has committed, its answer never sent.
KILLS_THE_WRITER_ONCE = """
import os
from pathlib import Path
from xzcrawler.storage import ArticleStore
_write = ArticleStore.write
def write(self, rows, written_at=None):
    marker = Path("{marker}")
    if not marker.exists():
        if {after_commit}:
            _write(self, rows, written_at)
        marker.touch()
        os._exit(3)
    return _write(self, rows, written_at)
ArticleStore.write = write
"""


@pytest.mark.parametrize(
    "after_commit", [False, True], ids=["before its write", "after its commit"]
)
def test_a_writer_that_dies_is_started_again_and_its_batch_written_and_counted_once(
    env: CrawlEnv, after_commit: bool
) -> None:
    """A batch whose writer died is written again by a new writer; if the first had already
    committed it, the run record still counts its articles new, not unchanged."""
    marker = env.tmp_path / "writer-died"
    patch = KILLS_THE_WRITER_ONCE.format(marker=marker, after_commit=after_commit)
    result = patched_crawl(env, patch, "--full", settings=ONE_READER)
    assert result.returncode == 0, result.stderr[-3000:]
    assert marker.exists()
    assert interface_view(env.records()) == expected(env)
    assert "the writer process died" in result.stderr
    assert (runs(env)[-1].status, runs(env)[-1].articles_new) == ("ok", ARTICLES)


def test_page_readers_and_writer_import_no_scrapy() -> None:
    """Each child costs its own memory: a reader needs the parser, the writer the store."""
    probe = (
        "import sys, xzcrawler.reading, pipelines.writer;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'scrapy', 'twisted', 'itemadapter', 'alembic', 'dateparser'}))"
    )
    assert fresh_python(probe) == "[]"


def test_a_reader_killed_while_idle_fails_its_next_calls_at_once() -> None:
    async def calls() -> None:
        worker = workers.PipeWorker(math.sqrt)
        try:
            assert await asyncio.wait_for(worker.call(16.0), 30) == 4.0
            worker.process.kill()
            worker.process.join()
            for _ in range(2):  # the pipe's end or the dead flag: never a call left waiting
                with pytest.raises(workers.WorkerDied):
                    await asyncio.wait_for(worker.call(9.0), 30)
        finally:
            worker.close()

    asyncio.run(calls())


def test_a_page_larger_than_the_pipe_is_sent_without_blocking_the_event_loop() -> None:
    """The child takes one call at a time, so a call the pipe cannot hold while the child is
    busy waits in the worker, never in the reactor's send; every answer still comes whole."""

    async def calls() -> None:
        worker = workers.PipeWorker(operator.call)
        try:
            assert await asyncio.wait_for(worker.call(len, b""), 30) == 0  # the child is up
            busy = worker.call(time.sleep, 1.0)
            pages = [b"x" * (8 * 2**20), b"y" * (3 * 2**20 + 1)]
            started = time.monotonic()
            sent = [worker.call(bytes.count, page, page[:1]) for page in pages]
            assert time.monotonic() - started < 0.5  # not the second the child is busy for
            assert worker.writing  # the rest of the pages wait for room in the pipe
            answers = asyncio.gather(*sent)
            gaps = asyncio.create_task(longest_loop_gap(since=started, until=answers))
            assert await asyncio.wait_for(answers, 60) == [len(p) for p in pages]
            assert await gaps < 0.5  # the loop's own writes of the rest never blocked it
            assert await busy is None
            assert not worker.writing
        finally:
            worker.close()

    asyncio.run(calls())


def test_a_call_that_cannot_be_pickled_fails_alone_and_the_reader_goes_on() -> None:
    async def calls() -> None:
        worker = workers.PipeWorker(operator.call)
        try:
            for _ in range(workers.IN_FLIGHT):  # as many as may be in flight at once
                with pytest.raises((pickle.PicklingError, AttributeError)):
                    worker.call(len, lambda: b"")
            assert worker.load == 0
            assert await asyncio.wait_for(worker.call(len, b"ab"), 30) == 2
        finally:
            worker.close()

    asyncio.run(calls())


async def longest_loop_gap(since: float, until: asyncio.Future[object]) -> float:
    """The longest the event loop went without running this task, from `since` (a
    time.monotonic()) until `until` is done."""
    longest, last = 0.0, since
    while not until.done():
        await asyncio.sleep(0.01)
        now = time.monotonic()
        longest, last = max(longest, now - last), now
    return longest


@pytest.mark.parametrize(
    ("idle", "policy"), [(True, os.SCHED_IDLE), (False, os.SCHED_OTHER)], ids=["idle", "normal"]
)
def test_the_writer_process_takes_only_idle_cpu_unless_told_otherwise(
    tmp_path: Path, idle: bool, policy: int
) -> None:
    """Off the pages' critical path, the writer writes in the gaps (docs/performance.md)."""
    database_url = f"sqlite:///{tmp_path / 'xz.db'}"
    pipeline = storage_pipeline(
        database_url, tmp_path, STORAGE_PROCESS=True, STORAGE_PROCESS_IDLE=idle
    )
    pipeline.open_spider()
    try:
        assert isinstance(pipeline.writes, WriterProcess)
        assert pipeline.writes.healthy()  # started, its store open
        (writer,) = pipeline.writes.pool._processes  # the executor's one child, by pid
        assert os.sched_getscheduler(writer) == policy
    finally:
        asyncio.run(pipeline.close_spider())
