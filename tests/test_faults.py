"""A misbehaving portal and a busy database: the crawl finishes, records what failed, the next
run fetches it, and what is stored is never lost or duplicated."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from tests.conftest import PROJECT_ROOT, CrawlEnv
from tests.helpers import Background, expected, interface_view, wait_for
from xzcrawler.models import Article, CrawlRun
from xzcrawler.replica import Fault, FaultPlan, Portal, ReplicaServer
from xzcrawler.replica.portal import Page
from xzcrawler.storage import engine_for

# Short timeouts and two retries keep a fault test to seconds; 200 KB is well above any page.
FAST = ["DOWNLOAD_TIMEOUT=1", "RETRY_TIMES=2", "DOWNLOAD_MAXSIZE=200000"]
ATTEMPTS = 3
SMALL = 25  # articles; every one is on a list page
SECRET = "s3cret-pw"

MakeEnv = Callable[..., CrawlEnv]


@pytest.fixture
def fault_env(tmp_path: Path) -> Iterator[MakeEnv]:
    """make(plan, articles=..., **portal kwargs): a replica with a fault plan and an SQLite DB."""
    with contextlib.ExitStack() as stack:

        def make(plan: FaultPlan, articles: int = SMALL, database_url: str = "") -> CrawlEnv:
            portal = Portal(articles=articles)
            server = stack.enter_context(ReplicaServer(portal, faults=plan))
            url = database_url or f"sqlite:///{tmp_path / 'crawl.db'}"
            stack.callback(engine_for(url).dispose)
            return CrawlEnv(portal, server, url, tmp_path)

        yield make


def crawl(env: CrawlEnv, *settings: str) -> subprocess.CompletedProcess[str]:
    return env.crawl(*[arg for s in (*FAST, *settings) for arg in ("-s", s)])


def runs(env: CrawlEnv) -> list[CrawlRun]:
    with Session(engine_for(env.database_url)) as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))


def url_of(env: CrawlEnv, path: str) -> str:
    return env.server.base_url.rstrip("/") + path


def attempts(env: CrawlEnv, path: str) -> int:
    return env.requested().count(path)


def without(env: CrawlEnv, *paths: str) -> dict[str, dict]:
    return {
        url: r for url, r in expected(env).items() if url not in {url_of(env, p) for p in paths}
    }


def assert_no_duplicates(env: CrawlEnv) -> None:
    """One row per article: no two stored URLs carry the same title and body."""
    records = env.records().values()
    assert not [k for k, n in Counter((r["title"], r["body"]) for r in records).items() if n > 1]


def portal_failures(env: CrawlEnv) -> list[dict]:
    """What every crawl of the replica records anyway: its deliberately broken 上一篇 link."""
    return [
        {
            "url": url_of(env, env.portal.specials.broken_target_path),
            "status": 404,
            "reason": "HTTP 404",
        }
    ]


def failures(run: CrawlRun) -> list[dict]:
    return sorted(run.failed_pages, key=lambda page: page["url"])


# --- HTTP errors, timeouts, resets, bad bytes ------------------------------------------------

TARGET = 10  # a 党建工作 article (UTF-8)
GBK_TARGET = 8  # a 三农时评 article (GBK under a gb2312 meta tag)

RETRIED = [Fault.HTTP_500, Fault.HTTP_502, Fault.HTTP_503, Fault.TIMEOUT, Fault.RESET]


@pytest.mark.parametrize("fault", [*RETRIED, Fault.CUT, Fault.MIXED_ENCODING])
def test_transient_fault_is_retried_and_the_article_stored_in_the_same_run(
    fault_env: MakeEnv, fault: Fault
) -> None:
    plan = FaultPlan(stall_seconds=3)
    env = fault_env(plan)
    target = env.portal.articles[TARGET].path
    plan.on(target, fault, times=ATTEMPTS - 1)
    result = crawl(env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert interface_view(env.records()) == expected(env)
    assert attempts(env, target) == ATTEMPTS
    run = runs(env)[-1]
    assert (run.status, run.reason, failures(run)) == ("ok", None, portal_failures(env))


# (fault, article, status and reason in the run record's failed_pages, attempts). An unclassified
# page is fetched again as a 503 is (test_unclassified_200_page_is_fetched_again_in_the_same_run).
STAYS_BROKEN = [
    (Fault.HTTP_500, TARGET, 500, "HTTP 500", ATTEMPTS),
    (Fault.HTTP_502, TARGET, 502, "HTTP 502", ATTEMPTS),
    (Fault.HTTP_503, TARGET, 503, "HTTP 503", ATTEMPTS),
    (Fault.TIMEOUT, TARGET, None, "DownloadTimeoutError", ATTEMPTS),
    (Fault.RESET, TARGET, None, "ResponseDataLossError", ATTEMPTS),
    (Fault.CUT, TARGET, 200, "incomplete article page: no closing </html>", ATTEMPTS),
    (Fault.CUT, GBK_TARGET, 200, "incomplete article page: no closing </html>", ATTEMPTS),
    (Fault.MIXED_ENCODING, TARGET, 200, "incomplete article page: undecodable text", ATTEMPTS),
    (Fault.OVERSIZE, TARGET, None, "DownloadCancelledError", 1),
    (Fault.REDIRECT_LOOP, TARGET, 302, "redirect loop", 1),
    (Fault.GARBAGE, TARGET, 200, "unclassified page", ATTEMPTS),
    (Fault.EMPTY, TARGET, 200, "unclassified page", ATTEMPTS),
]


@pytest.mark.parametrize(
    ("fault", "index", "status", "reason", "tries"),
    STAYS_BROKEN,
    ids=[f"{f}-{'gbk' if i == GBK_TARGET else 'utf8'}" for f, i, *_ in STAYS_BROKEN],
)
def test_page_that_stays_broken_is_recorded_and_fetched_by_the_next_run(
    fault_env: MakeEnv,
    fault: Fault,
    index: int,
    status: int | None,
    reason: str,
    tries: int,
) -> None:
    plan = FaultPlan(stall_seconds=3, oversize_bytes=300_000)
    env = fault_env(plan)
    target = env.portal.articles[index].path
    plan.on(target, fault)
    first = crawl(env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert interface_view(env.records()) == without(env, target), "nothing stored half"
    assert attempts(env, target) == tries
    run = runs(env)[-1]
    broken = {"url": url_of(env, target), "status": status, "reason": reason}
    assert failures(run) == sorted([*portal_failures(env), broken], key=lambda p: p["url"])
    assert "Traceback" not in first.stderr

    plan.off(target)
    second = crawl(env)
    assert second.returncode == 0, second.stderr[-3000:]
    assert interface_view(env.records()) == expected(env)
    assert_no_duplicates(env)
    assert (runs(env)[-1].articles_new, runs(env)[-1].status) == (1, "ok")


@pytest.mark.parametrize("fault", [Fault.GARBAGE, Fault.EMPTY])
def test_unclassified_200_page_is_fetched_again_in_the_same_run(
    fault_env: MakeEnv, fault: Fault
) -> None:
    plan = FaultPlan()
    env = fault_env(plan)
    target = env.portal.articles[TARGET].path
    plan.on(target, fault, times=1)
    assert crawl(env).returncode == 0
    assert interface_view(env.records()) == expected(env)
    assert attempts(env, target) == 2


@pytest.mark.parametrize(
    "index", [TARGET, GBK_TARGET], ids=["utf8-sent-as-gbk", "gbk-sent-as-utf8"]
)
def test_page_whose_header_names_the_wrong_charset_is_read_by_its_own(
    fault_env: MakeEnv, index: int
) -> None:
    plan = FaultPlan()
    env = fault_env(plan)
    target = env.portal.articles[index].path
    plan.on(target, Fault.WRONG_CHARSET)
    assert crawl(env).returncode == 0
    assert interface_view(env.records()) == expected(env)
    assert attempts(env, target) == 1


# --- chains ----------------------------------------------------------------------------------

CHAIN_ARTICLES = 60  # lists show 10 a section: the oldest 基层治理 articles are chain-only


@pytest.mark.parametrize("fault", [Fault.HTTP_503, Fault.TIMEOUT, Fault.CUT])
def test_failed_chain_link_does_not_hide_the_older_articles_behind_it(
    fault_env: MakeEnv, fault: Fault
) -> None:
    plan = FaultPlan(stall_seconds=3)
    env = fault_env(plan, articles=CHAIN_ARTICLES)
    chain = [a for a in env.portal.articles if a.section == "基层治理"]
    failing = next(a for a in chain if a.listed)  # its 上一篇 leads to chain-only articles
    hidden = [a.path for a in chain if not a.listed]
    assert hidden and failing.prev_path == hidden[-1]
    plan.on(failing.path, fault)
    assert crawl(env).returncode == 0
    assert interface_view(env.records()) == without(env, failing.path, *hidden)

    plan.off(failing.path)
    second = crawl(env)
    assert second.returncode == 0, second.stderr[-3000:]
    assert interface_view(env.records()) == expected(env)
    assert_no_duplicates(env)
    assert runs(env)[-1].articles_new == 1 + len(hidden)


def test_chain_cycles_and_jumps_to_other_sections_or_hosts_terminate_on_this_host(
    fault_env: MakeEnv,
) -> None:
    plan = FaultPlan()
    env = fault_env(plan, articles=CHAIN_ARTICLES)
    # A second portal under another host name (localhost): the crawl must never touch it.
    elsewhere = ReplicaServer(Portal(articles=SMALL))
    elsewhere.start()
    djgz = [a for a in env.portal.articles if a.section == "党建工作"]
    other_section = next(a for a in env.portal.articles if a.section == "乡村振兴")
    cycle, jump, offsite = djgz[-4], djgz[-5], djgz[-6]
    assert cycle.next_path and jump.prev_path and offsite.prev_path
    # 下一篇 back to itself's older neighbour: a cycle; 上一篇 into another section and host.
    plan.edit(cycle.path, f'href="{cycle.next_path}"', f'href="{cycle.prev_path}"')
    plan.edit(jump.path, f'href="{jump.prev_path}"', f'href="{other_section.path}"')
    foreign = f"http://localhost:{elsewhere.base_url.rsplit(':', 1)[1]}a/999.html"
    plan.edit(offsite.path, f'href="{offsite.prev_path}"', f'href="{foreign}"')
    result = crawl(env)
    elsewhere.stop()
    assert result.returncode == 0, result.stderr[-3000:]
    stored = interface_view(env.records())
    want = expected(env)
    want[url_of(env, cycle.path)]["next_url"] = url_of(env, cycle.prev_path)
    want[url_of(env, jump.path)]["prev_url"] = url_of(env, other_section.path)
    want[url_of(env, offsite.path)]["prev_url"] = foreign
    # The articles behind the offsite link stay reachable from the list pages and chains.
    assert stored == want
    assert elsewhere.requests == []
    assert_no_duplicates(env)
    fetched_twice = {p for p, n in Counter(env.requested()).items() if n > 1}
    assert fetched_twice == {env.portal.specials.transient_path}, "its 503 is retried"


TRACKING = "?utm_source=wechat&utm_medium=share&from=timeline#comments"


@pytest.mark.parametrize(
    ("listed", "next_link"),
    [
        # tracking parameters and fragments (a share button, a WeChat forward)
        (lambda path: f"{path}{TRACKING}", lambda path: f"{path}?spm=a2c4.b#top"),
        # white space around the href; a backslash for a slash (browsers read it as one)
        (lambda path: f" {path} ", lambda path: "\\".join(path.rsplit("/", 1))),
    ],
    ids=["tracking", "unescaped"],
)
def test_spellings_of_one_link_lead_to_one_article_and_a_rerun_fetches_none(
    fault_env: MakeEnv, listed: Callable[[str], str], next_link: Callable[[str], str]
) -> None:
    plan = FaultPlan()
    env = fault_env(plan)
    djgz = [a for a in env.portal.articles if a.section == "党建工作"]
    # The list page names the newest article one way; its older neighbour's 下一篇 another.
    newest, older = djgz[-1], djgz[-2]
    plan.edit("/djgz/", f'href="{newest.path}"', f'href="{listed(newest.path)}"')
    plan.edit(older.path, f'href="{newest.path}"', f'href="{next_link(newest.path)}"')
    result = crawl(env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert interface_view(env.records()) == expected(env)
    assert_no_duplicates(env)
    assert sum(p.replace("\\", "/").startswith(newest.path) for p in env.requested()) == 1
    before = len(env.requested())
    again = crawl(env)
    assert "0 new, 0 updated" in again.stderr
    article_paths = {a.path for a in env.portal.articles}
    assert [p for p in env.requested()[before:] if p in article_paths] == []
    assert runs(env)[-1].chain_health["next_missing"] == 0


HOSTILE_TITLE = "村务公开&lt;img src=x onerror=alert(1)&gt;"
HOSTILE_BODY = (
    '<p onclick="alert(1)" onmouseover="steal()">点击<a href="javascript:alert(2)">这里</a>'
    "领取补贴。<script>alert(3)</script>"
    '<iframe src="http://evil.example/"></iframe><img src="x.jpg" onerror="alert(4)"></p>'
)


def test_hostile_markup_is_stored_as_text_and_sanitised_html(fault_env: MakeEnv) -> None:
    plan = FaultPlan()
    env = fault_env(plan)
    target = env.portal.articles[TARGET]
    plan.edit(target.path, f">{target.title}</h1>", f">{HOSTILE_TITLE}</h1>")
    plan.edit(target.path, '<div class="content">', f'<div class="content">\n{HOSTILE_BODY}')
    assert crawl(env).returncode == 0
    record = env.records()[url_of(env, target.path)]
    assert record["title"] == "村务公开<img src=x onerror=alert(1)>"
    assert record["body"] == "点击这里领取补贴。\n" + target.body
    with Session(engine_for(env.database_url)) as session:
        html = session.scalar(select(Article.body_html).where(Article.url == record["url"]))
    assert html is not None and html.startswith("<p>点击这里领取补贴。<img src=")
    for live in ("<script", "<iframe", "onclick", "onerror", "onmouseover", "javascript:"):
        assert live not in html.lower()
    assert interface_view(env.records()) == {
        **expected(env),
        record["url"]: interface_view({record["url"]: record})[record["url"]],
    }


# --- the database ----------------------------------------------------------------------------


def after_requests(env: CrawlEnv, count: int, action: Callable[[], None]) -> Background:
    """Run action in a thread once the replica has answered `count` more requests."""
    count += len(env.server.requests)

    def wait_then_act() -> None:
        wait_for(f"request {count} to the replica", lambda: len(env.server.requests) >= count)
        action()

    return Background(wait_then_act)


SLOW = ["CONCURRENT_REQUESTS=2", "DOWNLOAD_DELAY=0.02", "STORAGE_BATCH_SIZE=5"]


def test_sqlite_locked_by_another_writer_for_seconds_loses_nothing(fault_env: MakeEnv) -> None:
    env = fault_env(FaultPlan(), articles=CHAIN_ARTICLES)
    # A run a limit ends is `cut short` (exit 1); it creates the database all the same.
    assert crawl(env, "CLOSESPIDER_ITEMCOUNT=1").returncode == 1, "creates the database"
    before = len(env.records())
    held = []

    def hold_write_lock() -> None:
        conn = sqlite3.connect(env.database_url.removeprefix("sqlite:///"), timeout=30)
        conn.isolation_level = None
        conn.execute("BEGIN IMMEDIATE")
        held.append(len(env.server.requests))
        # Held until the crawl has fetched three batches' worth of pages more: at least one
        # batch met the lock, and the crawl went on fetching while it waited.
        wait_for(
            "15 more requests while the database is locked",
            lambda: len(env.server.requests) >= held[0] + 15,
        )
        conn.execute("COMMIT")
        held.append(len(env.server.requests))
        conn.close()

    locker = after_requests(env, 20, hold_write_lock)
    result = crawl(env, *SLOW)
    locker.finish()
    assert result.returncode == 0, result.stderr[-3000:]
    assert held[1] > held[0], "the crawl went on while the database was locked"
    assert interface_view(env.records()) == expected(env)
    assert_no_duplicates(env)
    run = runs(env)[-1]
    assert (run.status, run.articles_new) == ("ok", len(env.portal.articles) - before)


@pytest.mark.parametrize(
    "database_url",
    [
        f"postgresql+psycopg://xz:{SECRET}@127.0.0.1:9/xz",
        "sqlite:///{tmp}/a-file/crawl.db",
    ],
    ids=["postgresql-refused", "sqlite-unwritable-dir"],
)
def test_unreachable_database_exits_1_with_one_line_before_fetching(
    fault_env: MakeEnv, tmp_path: Path, database_url: str
) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    env = fault_env(FaultPlan(), database_url=database_url.format(tmp=tmp_path))
    result = crawl(env)
    assert result.returncode == 1
    assert env.requested() == []
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "unreachable" in result.stderr
    assert SECRET not in result.stderr


def test_postgresql_gone_mid_crawl_spools_and_the_next_run_writes_the_spool_first(
    fault_env: MakeEnv, postgres_url: str
) -> None:
    url = postgres_url.replace("postgres@", f"postgres:{SECRET}@")
    name = url.rsplit("/", 1)[1]
    env = fault_env(FaultPlan(), articles=CHAIN_ARTICLES, database_url=url)
    admin = create_engine(postgres_url.rsplit("/", 1)[0] + "/test", isolation_level="AUTOCOMMIT")
    spool = env.tmp_path / "spool"

    def drop_out_until_spooled() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            try:
                wait_for("the crawl to spool a batch", lambda: any(spool.glob("*.jsonl")))
            finally:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))

    outage = after_requests(env, 20, drop_out_until_spooled)
    log = env.tmp_path / "crawl.log"
    first = crawl(env, *SLOW, "STORAGE_RETRIES=1", "LOG_FILE=" + str(log))
    outage.finish()
    admin.dispose()
    spooled = [line for f in spool.glob("*.jsonl") for line in f.read_text().splitlines()]
    assert spooled, "the outage came after the crawl had finished"
    spooled_urls = {json.loads(line)["url"] for line in spooled}
    assert first.returncode == 1
    run = runs(env)[-1]
    assert run.status == "failed"
    assert run.reason == f"{len(spooled)} articles could not be written and were spooled"
    want = expected(env)
    assert interface_view(env.records()) == {u: r for u, r in want.items() if u not in spooled_urls}
    for text_ in (first.stderr, log.read_text(), str(run.failed_pages), str(run.warnings)):
        assert SECRET not in text_

    second = crawl(env)
    assert second.returncode == 0, second.stderr[-3000:]
    assert not any(spool.glob("*.jsonl"))
    assert interface_view(env.records()) == want
    assert_no_duplicates(env)
    assert (runs(env)[-1].status, runs(env)[-1].articles_new) == ("ok", len(spooled_urls))


def test_sigterm_stops_gracefully_writes_the_pending_batch_and_closes_the_run_as_interrupted(
    fault_env: MakeEnv,
) -> None:
    env = fault_env(FaultPlan(), articles=200)
    settings = [*FAST, "CONCURRENT_REQUESTS=2", "DOWNLOAD_DELAY=0.02", "STORAGE_BATCH_SIZE=50"]
    log = env.tmp_path / "crawl.log"
    command = [sys.executable, "-m", "xzcrawler", "crawl", "--portal-url", env.server.base_url]
    options = [arg for s in (*env.settings(), *settings) for arg in ("-s", s)]
    process = subprocess.Popen(
        [*command, *options, "--log-file", str(log)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "XZCRAWLER_DATABASE_URL": env.database_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    after_requests(env, 60, lambda: process.send_signal(signal.SIGTERM)).finish()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1, stderr
    run = runs(env)[-1]
    stored = len(env.records())
    scraped = int(log.read_text().split("'item_scraped_count': ")[1].split(",")[0])
    assert (run.status, run.exit_code) == ("interrupted", 1)
    assert run.reason == "stopped by a signal before the crawl finished"
    assert stored == scraped == run.articles_new
    assert 0 < stored < len(env.portal.articles)

    second = crawl(env)
    assert second.returncode == 0, second.stderr[-3000:]
    assert interface_view(env.records()) == expected(env)
    assert_no_duplicates(env)


# --- secrets ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["crawl", "--help"],
        ["--help"],
        ["runs"],
        ["export"],
        ["crawl", "--database-url", f"postgresql+psycopg://xz:{SECRET}@127.0.0.1:9/xz"],
    ],
)
def test_password_in_database_url_never_appears_in_output(
    fault_env: MakeEnv, argv: list[str]
) -> None:
    env = fault_env(FaultPlan(), database_url=f"postgresql+psycopg://xz:{SECRET}@127.0.0.1:9/xz")
    result = env.run("-m", "xzcrawler", *argv)
    assert SECRET not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


# --- hostile links and URL forms ----------------------------------------------------------------


@pytest.mark.parametrize("bad", ["a:b", "javascript:void(0)", "vbscript:msgbox(1)", "mailto:x@y"])
def test_a_chain_link_that_is_no_web_page_is_a_chain_end_and_the_other_side_is_followed(
    fault_env: MakeEnv, bad: str
) -> None:
    plan = FaultPlan()
    env = fault_env(plan, articles=CHAIN_ARTICLES)
    djgz = [a for a in env.portal.articles if a.section == "党建工作"]
    target = djgz[-5]
    assert target.prev_path and target.next_path
    plan.edit(target.path, f'href="{target.prev_path}"', f'href="{bad}"')
    result = crawl(env)
    assert result.returncode == 0, result.stderr[-3000:]
    want = expected(env)
    want[url_of(env, target.path)]["prev_url"] = None
    assert interface_view(env.records()) == want


def test_a_bad_stored_link_is_recorded_and_every_other_chain_still_resumes(
    fault_env: MakeEnv,
) -> None:
    """A link stored by an older version (a:b) must not stop the next run's resumes."""
    env = fault_env(FaultPlan(), articles=CHAIN_ARTICLES)
    assert crawl(env).returncode == 0
    djgz = sorted(
        (a for a in env.portal.articles if a.section == "党建工作" and a.prev_path),
        key=lambda a: a.path,
    )
    bad, resumed = djgz[-3], djgz[-4]
    with engine_for(env.database_url).begin() as conn:
        conn.execute(
            text("UPDATE articles SET prev_url = 'a:b' WHERE url = :url"),
            {"url": url_of(env, bad.path)},
        )
        conn.execute(
            text("DELETE FROM articles WHERE url = :url"), {"url": url_of(env, resumed.prev_path)}
        )
    result = crawl(env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert url_of(env, resumed.prev_path) in env.records()
    assert {"url": "a:b", "status": None, "reason": "invalid link: not an http(s) URL"} in runs(
        env
    )[-1].failed_pages


class GzipBombPortal(Portal):
    """One article page served gzip-compressed, inflating far past DOWNLOAD_MAXSIZE."""

    bomb_path = ""

    def render(self, path_and_query: str) -> Page:
        if path_and_query == self.bomb_path:
            html = b"<html><body>" + b"<p>x</p>" * 200_000 + b"</body></html>"
            body = gzip.compress(html)
            headers = {
                "Content-Type": "text/html",
                "Content-Encoding": "gzip",
                "Content-Length": str(len(body)),
            }
            return Page(200, headers, body)
        return super().render(path_and_query)


def test_a_download_cancelled_for_size_is_a_failure_recorded_and_never_skipped_as_policy(
    tmp_path: Path,
) -> None:
    portal = GzipBombPortal(articles=SMALL)
    target = portal.articles[TARGET]
    portal.bomb_path = target.path
    with ReplicaServer(portal) as server:
        env = CrawlEnv(portal, server, f"sqlite:///{tmp_path / 'crawl.db'}", tmp_path)
        first = crawl(env)
        run = runs(env)[-1]
        failed = {p["url"]: p["reason"] for p in run.failed_pages}
        assert failed[url_of(env, target.path)].startswith("IgnoreRequest: Ignored response")
        with engine_for(env.database_url).connect() as conn:
            unfetchable = conn.execute(text("SELECT url FROM unfetchable_links")).scalars().all()
        assert url_of(env, target.path) not in unfetchable
        assert run.http_errors["cancelled"] == 1, "a failed request in the error rate"
        again = crawl(env)
        assert env.requested().count(target.path) == 2, "the next run tries it again"
        engine_for(env.database_url).dispose()
    assert (first.returncode, again.returncode) == (0, 0)


def test_two_urls_of_one_article_are_one_row_by_its_canonical_link(fault_env: MakeEnv) -> None:
    plan = FaultPlan()
    env = fault_env(plan)
    newest = [a for a in env.portal.articles if a.section == "党建工作"][-1]
    # The list page links the newest article under a mirror query the canonicaliser does not
    # know; its older neighbour's 下一篇 links the plain URL; the page names the plain one.
    plan.edit("/djgz/", f'href="{newest.path}"', f'href="{newest.path}?ref=list"')
    canonical = f'<link rel="canonical" href="{newest.path}">\n</head>'
    plan.edit(newest.path, "</head>", canonical)
    plan.edit(f"{newest.path}?ref=list", "</head>", canonical)
    result = crawl(env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert interface_view(env.records()) == expected(env)
    assert_no_duplicates(env)
