"""Poison rows, broken spools, lost disks and the lock: nothing handed to storage is lost silently.

Every article handed to the storage pipeline ends in the database, the spool, quarantine, or is
counted lost in a failed run; no row, spool line or database spelling blocks a later run.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.utils.project import get_project_settings
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from pipelines.storage import StoragePipeline, article_row, spool_path
from tests.conftest import CrawlEnv, make_article
from tests.helpers import expected, interface_view, run_pipeline, storage_pipeline
from xzcrawler.health import RunStatus, Thresholds, assess
from xzcrawler.lock import CrawlLock, lock_path
from xzcrawler.models import Article, ArticleAuthor, CrawlRun, QuarantinedArticle
from xzcrawler.query import Filters, find_articles
from xzcrawler.replica import FaultPlan, Portal, ReplicaServer
from xzcrawler.stats_keys import (
    PROBLEM_PAGES,
    STORAGE_LOST,
    STORAGE_QUARANTINED,
    STORAGE_RECEIVED,
    STORAGE_SPOOLED,
)
from xzcrawler.storage import (
    INDEX_MAX_BODY,
    INDEXED_MAX_BYTES,
    ArticleStore,
    database_digest,
    engine_for,
    ensure_schema,
)

LONG_SOURCE = "中华人民共和国农业农村部" * 33 + "网站"  # 431 characters
LONG_AUTHOR = "欧阳" * 300  # 600 characters, one name
LONG_LINK = "http://127.0.0.1/html/djgz/" + "x" * 2018 + ".html"  # 2,050 characters
# Random Han characters: nearly every bigram distinct, a tsvector of more than 1 MB unless capped.
_RANDOM = random.Random(7)
HUGE_BODY = "".join(chr(_RANDOM.randrange(0x4E00, 0x9FA5)) for _ in range(250_000))
LONG_WORD = "a" * 3000  # a lexeme over PostgreSQL's 2,047 bytes


def rows_of(engine: Any, model: type) -> list[Any]:
    with Session(engine) as session:
        return list(session.scalars(select(model).order_by(model.id)))


def stored_urls(engine: Any) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(Article.url).order_by(Article.url)).scalars())


# --- columns take what the parser produces ----------------------------------------------------


def test_long_source_author_and_links_are_stored_whole(database_url: str) -> None:
    engine = engine_for(database_url)
    ensure_schema(engine)
    fields = {
        "source": LONG_SOURCE,
        "source_raw": "来源：" + LONG_SOURCE,
        "author": LONG_AUTHOR,
        "author_raw": "作者：" + LONG_AUTHOR,
        "authors": [LONG_AUTHOR],
        "author_roles": [None],
        "editor": "编" * 300,
        "editor_raw": "责任编辑：" + "编" * 300,
        "prev_url": LONG_LINK,
        "next_url": LONG_LINK + "?n",
        "original_url": LONG_LINK + "#o",
        "source_url": LONG_LINK + "#s",
        "date_raw": "发布时间：" + "2020" * 200,
        "meta_date_raw": "时间" * 150,
        "dateline_agency": "社" * 250,
        "dateline_place": "地" * 150,
        "section": "栏目" * 150,
        "section_path": ["栏目" * 150],
    }
    counts = ArticleStore(engine).write([article_row(make_article(1, **fields))])
    assert (counts.new, counts.updated) == (1, 0)
    with Session(engine) as session:
        article = session.scalars(select(Article)).one()
        assert {name: getattr(article, name) for name in fields if name not in {
            "authors", "author_roles"}} == {
            name: value for name, value in fields.items() if name not in {
                "authors", "author_roles"}
        }  # fmt: skip
        assert article.capped_fields is None
        assert session.scalars(select(ArticleAuthor.name)).all() == [LONG_AUTHOR]


def test_indexed_text_too_long_for_a_btree_entry_is_cut_and_flagged(database_url: str) -> None:
    engine = engine_for(database_url)
    ensure_schema(engine)
    source = "农" * 2000  # 6,000 UTF-8 bytes: PostgreSQL indexes at most ~2,700
    author = "张" * 1000
    row = article_row(make_article(1, source=source, authors=[author], author_roles=[None]))
    assert ArticleStore(engine).write([row]).new == 1
    with Session(engine) as session:
        article = session.scalars(select(Article)).one()
        assert article.source == "农" * (INDEXED_MAX_BYTES // 3)
        assert article.capped_fields == ["source", "authors"]
        assert session.scalars(select(ArticleAuthor.name)).all() == [
            "张" * (INDEXED_MAX_BYTES // 3)
        ]


def test_a_body_whose_search_index_would_exceed_1_mb_is_stored_whole_and_its_start_found(
    database_url: str,
) -> None:
    engine = engine_for(database_url)
    ensure_schema(engine)
    body = "巡视整改" + LONG_WORD + HUGE_BODY + "末尾独有词"
    assert ArticleStore(engine).write([article_row(make_article(1, body=body))]).new == 1
    with Session(engine) as session:
        assert session.scalars(select(Article.body)).one() == body
    assert find_articles(engine, Filters(search="巡视整改"), limit=0).total == 1
    # Past INDEX_MAX_BODY characters the body is not indexed (documented in README).
    assert len(body) - len("末尾独有词") > INDEX_MAX_BODY
    assert find_articles(engine, Filters(search="末尾独有词"), limit=0).total == 0


def test_nul_and_lone_surrogates_never_reject_a_row(database_url: str) -> None:
    engine = engine_for(database_url)
    ensure_schema(engine)
    row = article_row(make_article(1, title="标\x00题", body="正文\ud800结束", author="张\x00三"))
    assert ArticleStore(engine).write([row]).new == 1
    with Session(engine) as session:
        article = session.scalars(select(Article)).one()
        assert (article.title, article.body, article.author) == ("标题", "正文\ufffd结束", "张三")


# --- poison rows go to quarantine, the rest is stored -----------------------------------------

# A row no database takes: its title is missing (NOT NULL). The parser never gives one, which is
# what makes it a fair stand-in for the rows a bug or a new template could produce.
POISON = {"title": None}


def quarantine_of(database_url: str) -> list[tuple[str | None, str]]:
    return [(q.url, q.reason) for q in rows_of(engine_for(database_url), QuarantinedArticle)]


def test_a_poison_row_is_quarantined_and_the_rest_of_its_batch_stored(
    database_url: str, tmp_path: Path
) -> None:
    pipeline = storage_pipeline(database_url, tmp_path, STORAGE_RETRIES=3)
    items = [make_article(n, **(POISON if n == 2 else {})) for n in (1, 2, 3, 4)]
    run_pipeline(pipeline, items)
    engine = engine_for(database_url)
    assert stored_urls(engine) == [f"http://127.0.0.1/a/{n}.html" for n in (1, 3, 4)]
    quarantined = rows_of(engine, QuarantinedArticle)
    reason = {
        "sqlite": "IntegrityError: NOT NULL constraint failed: articles.title",
        "postgresql": 'NotNullViolation: null value in column "title" of relation "articles"'
        " violates not-null constraint",
    }[engine.dialect.name]
    assert [(q.url, q.reason) for q in quarantined] == [("http://127.0.0.1/a/2.html", reason)]
    assert quarantined[0].row["title"] is None
    assert quarantined[0].row["body"] == "正文第2段\n第二段"
    stats = pipeline.stats
    assert stats.get_value(PROBLEM_PAGES) == [
        {
            "url": "http://127.0.0.1/a/2.html",
            "status": None,
            "reason": "quarantined: " + quarantined[0].reason,
        }
    ]
    assert (stats.get_value(STORAGE_QUARANTINED), stats.get_value(STORAGE_SPOOLED)) == (1, None)
    assert stats.get_value("xz/storage/retries") is None, "a poison row is not retried"
    assert not pipeline.spool.exists()
    assert stats.get_value(STORAGE_RECEIVED) == 4 == len(stored_urls(engine)) + len(quarantined)


def test_a_url_too_long_for_postgresql_s_index_is_quarantined_not_the_batch(
    postgres_url: str, tmp_path: Path
) -> None:
    long_url = "http://127.0.0.1/a/" + HUGE_BODY[:1500] + ".html"  # 4,500 bytes, never cut
    pipeline = storage_pipeline(postgres_url, tmp_path)
    run_pipeline(pipeline, [make_article(1), make_article(2, url=long_url), make_article(3)])
    engine = engine_for(postgres_url)
    assert stored_urls(engine) == ["http://127.0.0.1/a/1.html", "http://127.0.0.1/a/3.html"]
    [(url, reason)] = quarantine_of(postgres_url)
    assert url == long_url
    assert reason.startswith("ProgramLimitExceeded: index row size")


def write_spool(pipeline: StoragePipeline, lines: list[str]) -> None:
    pipeline.spool.parent.mkdir(parents=True, exist_ok=True)
    pipeline.spool.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def spool_line(number: int, **fields: object) -> str:
    from pipelines.storage import _dump_line

    return _dump_line(article_row(make_article(number, **fields)))


def test_a_truncated_spool_line_and_a_poison_row_are_quarantined_and_the_rest_replayed(
    database_url: str, tmp_path: Path
) -> None:
    pipeline = storage_pipeline(database_url, tmp_path)
    truncated = spool_line(2)[:60]  # the write of a spool line cut short (disk full, kill)
    write_spool(pipeline, [spool_line(1), truncated, spool_line(3, **POISON), spool_line(4)])
    run_pipeline(pipeline, [make_article(5)])
    engine = engine_for(database_url)
    assert stored_urls(engine) == [f"http://127.0.0.1/a/{n}.html" for n in (1, 4, 5)]
    quarantined = quarantine_of(database_url)
    assert [url for url, _ in quarantined] == [
        "http://127.0.0.1/a/2.html",
        "http://127.0.0.1/a/3.html",
    ]
    assert quarantined[0][1].startswith("unreadable spool line 2 of spool-")
    assert "JSONDecodeError" in quarantined[0][1]
    assert rows_of(engine, QuarantinedArticle)[0].row == {"spool_line": truncated}
    assert [p["url"] for p in pipeline.stats.get_value(PROBLEM_PAGES)] == [
        "http://127.0.0.1/a/2.html",
        "http://127.0.0.1/a/3.html",
    ]
    assert not any(pipeline.spool.parent.glob("spool-*"))
    # ... and the run after that has nothing left to replay.
    again = storage_pipeline(database_url, tmp_path)
    run_pipeline(again, [])
    assert again.stats.get_value("xz/storage/replayed") is None


def test_a_quarantine_file_line_cut_short_by_a_killed_run_keeps_apart_from_the_next(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The quarantine file is only ever appended to: a line a killed run left cut short is
    ended before the next record, which stays readable."""
    pipeline = storage_pipeline(sqlite_url, tmp_path)
    cut = '{"url": "http://127.0.0.1/a/9.html", "rea'
    pipeline.quarantine_file.parent.mkdir(parents=True, exist_ok=True)
    pipeline.quarantine_file.write_text(cut, encoding="utf-8")
    engine = engine_for(sqlite_url)
    ensure_schema(engine)
    with engine.begin() as conn:  # the table takes no quarantine row: the file does
        conn.exec_driver_sql("ALTER TABLE quarantined_articles RENAME TO quarantine_away")
    run_pipeline(pipeline, [make_article(1), make_article(2, **POISON)])
    first, record, end = pipeline.quarantine_file.read_text(encoding="utf-8").split("\n")
    assert (first, json.loads(record)["url"], end) == (cut, "http://127.0.0.1/a/2.html", "")
    assert stored_urls(engine) == ["http://127.0.0.1/a/1.html"]


def test_a_spool_another_crawl_is_appending_to_is_taken_after_its_lines(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Distributed workers on one host share the spool: a run replays it only once no other
    crawl is appending to it, so no line lands in a file already read."""
    pipeline = storage_pipeline(sqlite_url, tmp_path)
    write_spool(pipeline, [spool_line(1)])
    appending = (
        "import fcntl, os, time\n"
        f"fd = os.open({str(pipeline.spool)!r}, os.O_WRONLY | os.O_APPEND)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('locked', flush=True)\n"
        "time.sleep(1.0)\n"
        f"os.write(fd, {(spool_line(2) + chr(10)).encode()!r})\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", appending], stdout=subprocess.PIPE, text=True
    ) as appender:
        assert appender.stdout is not None
        assert appender.stdout.readline() == "locked\n"
        run_pipeline(pipeline, [])
    assert stored_urls(engine_for(sqlite_url)) == [
        "http://127.0.0.1/a/1.html",
        "http://127.0.0.1/a/2.html",
    ]
    assert not any(pipeline.spool.parent.glob("spool-*"))


def test_a_spool_written_before_0006_under_the_url_s_own_hash_is_replayed(
    sqlite_url: str, tmp_path: Path
) -> None:
    import hashlib

    legacy = (
        tmp_path / "spool" / f"spool-{hashlib.sha256(sqlite_url.encode()).hexdigest()[:16]}.jsonl"
    )
    legacy.parent.mkdir()
    legacy.write_text(spool_line(1) + "\n", encoding="utf-8")
    pipeline = storage_pipeline(sqlite_url, tmp_path)
    run_pipeline(pipeline, [])
    assert stored_urls(engine_for(sqlite_url)) == ["http://127.0.0.1/a/1.html"]
    assert not legacy.exists()


@pytest.mark.parametrize(
    "body",
    ["第一行\u2028第二行", "第一段\u2029第二段", "上一行\x85下一行", "正文\ud800结束"],
    ids=["line-separator", "paragraph-separator", "next-line", "lone-surrogate"],
)
def test_a_text_with_its_own_line_breaks_or_a_lone_surrogate_survives_the_spool(
    sqlite_url: str, tmp_path: Path, body: str
) -> None:
    """A spool line is one line whatever the text holds, and a text no UTF-8 file takes is
    still spooled: the next run stores the article as a direct write would. Written by the
    writer process, as a crawl writes: the row the pipeline spools is then its own, uncleaned."""
    pipeline = storage_pipeline(sqlite_url, tmp_path, STORAGE_RETRIES=0, STORAGE_PROCESS=True)

    async def crawl_while_the_table_is_gone() -> None:
        pipeline.open_spider()
        away(sqlite_url)
        await pipeline.process_item(make_article(1, body=body))
        await pipeline.close_spider()

    asyncio.run(crawl_while_the_table_is_gone())
    assert pipeline.stats.get_value(STORAGE_SPOOLED) == 1
    back(sqlite_url)
    again = storage_pipeline(sqlite_url, tmp_path)
    run_pipeline(again, [])
    assert again.stats.get_value(STORAGE_QUARANTINED) is None
    with Session(engine_for(sqlite_url)) as session:
        assert session.scalars(select(Article.body)).one() == body.replace("\ud800", "\ufffd")


def test_a_spool_replayed_into_a_lost_database_and_an_unwritable_spool_is_kept(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Rows of an earlier run that can be neither written nor spooled again are counted lost
    and their spool file stays, so the run after that still has them."""
    pipeline = storage_pipeline(sqlite_url, tmp_path, STORAGE_RETRIES=0)
    write_spool(pipeline, [spool_line(1), spool_line(2)])
    # left by a run killed while replaying it
    replaying = pipeline.spool.replace(
        pipeline.spool.with_name(f"{pipeline.spool.stem}.replaying-1-0")
    )
    (tmp_path / "a-file").write_text("no folder can be made under a file")
    pipeline.spool.symlink_to(tmp_path / "a-file" / "spool.jsonl")  # appends fail
    ensure_schema(engine_for(sqlite_url))
    away(sqlite_url)
    run_pipeline(pipeline, [])
    assert pipeline.stats.get_value(STORAGE_LOST) == 2
    assert list(pipeline.spool.parent.glob("*.replaying-*")) == [replaying]
    pipeline.spool.unlink()
    back(sqlite_url)
    again = storage_pipeline(sqlite_url, tmp_path)
    run_pipeline(again, [])
    assert stored_urls(engine_for(sqlite_url)) == [
        "http://127.0.0.1/a/1.html",
        "http://127.0.0.1/a/2.html",
    ]
    assert not replaying.exists()


def test_a_spooled_run_record_the_database_does_not_take_yet_stays_spooled(
    sqlite_url: str, tmp_path: Path
) -> None:
    """A run record spooled when the database was away is written by a later run; while the
    database still refuses it, it stays in the spool (a line that cannot be read is dropped)."""
    pipeline = storage_pipeline(sqlite_url, tmp_path)
    record = {
        "id": 7,
        "started_at": "2026-12-01T08:00:00+08:00",
        "mode": "full",
        "portal_url": "http://127.0.0.1/",
        "status": "failed",
    }
    pipeline.run_spool.parent.mkdir(parents=True, exist_ok=True)
    pipeline.run_spool.write_text(json.dumps(record) + "\n{not a record\n", encoding="utf-8")
    engine = engine_for(sqlite_url)
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE crawl_runs RENAME TO runs_away")
    run_pipeline(pipeline, [])
    assert pipeline.run_spool.read_text(encoding="utf-8") == json.dumps(record) + "\n"
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE runs_away RENAME TO crawl_runs")
    again = storage_pipeline(sqlite_url, tmp_path)
    run_pipeline(again, [])
    [run] = runs_of(sqlite_url)  # a new row: its own is not in this database
    assert (run.mode, run.portal_url, run.status) == ("full", "http://127.0.0.1/", "failed")
    assert not again.run_spool.exists()


def test_a_run_record_spooled_while_another_run_replays_the_spool_is_kept_for_the_next(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Workers of one database share its spools: a record one of them spools while another
    replays the spool (here, as the replay's first write reaches the database) is written by
    the next replay, not dropped with the records replayed."""
    pipeline = storage_pipeline(sqlite_url, tmp_path)
    spooled, meanwhile = (
        {
            "id": number,
            "started_at": f"2026-12-01T0{number}:00:00+08:00",
            "mode": "full",
            "portal_url": "http://127.0.0.1/",
            "status": status,
        }
        for number, status in ((7, "failed"), (8, "ok"))
    )
    pipeline.run_spool.parent.mkdir(parents=True, exist_ok=True)
    pipeline.run_spool.write_text(json.dumps(spooled) + "\n", encoding="utf-8")
    engine = engine_for(sqlite_url)
    ensure_schema(engine)

    appended: list[dict[str, Any]] = []

    def another_run_spools(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("UPDATE crawl_runs") and not appended:
            StoragePipeline._append(pipeline.run_spool, [json.dumps(meanwhile)])
            appended.append(meanwhile)

    event.listen(engine, "before_cursor_execute", another_run_spools)
    try:
        run_pipeline(pipeline, [])
    finally:
        event.remove(engine, "before_cursor_execute", another_run_spools)
    assert appended == [meanwhile]
    assert [run.status for run in runs_of(sqlite_url)] == ["failed"]
    assert pipeline.run_spool.read_text(encoding="utf-8") == json.dumps(meanwhile) + "\n"
    again = storage_pipeline(sqlite_url, tmp_path)
    run_pipeline(again, [])
    assert [run.status for run in runs_of(sqlite_url)] == ["failed", "ok"]
    assert list(pipeline.run_spool.parent.iterdir()) == []


# --- a spool that cannot be written: a counted loss that fails the run ------------------------


def away(database_url: str) -> None:
    with engine_for(database_url).begin() as conn:
        conn.exec_driver_sql("ALTER TABLE articles RENAME TO articles_away")


def back(database_url: str) -> None:
    with engine_for(database_url).begin() as conn:
        conn.exec_driver_sql("ALTER TABLE articles_away RENAME TO articles")


def test_a_batch_neither_written_nor_spooled_is_counted_lost_and_fails_the_run(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'xz.db'}"
    (tmp_path / "a-file").write_text("the spool folder cannot be made under a file")
    pipeline = storage_pipeline(
        database_url, tmp_path, STORAGE_RETRIES=0, STORAGE_SPOOL_DIR=str(tmp_path / "a-file" / "s")
    )

    async def crawl_while_the_table_is_gone() -> None:
        pipeline.open_spider()
        away(database_url)
        for number in (1, 2, 3, 4):
            await pipeline.process_item(make_article(number))
        await pipeline.close_spider()

    asyncio.run(crawl_while_the_table_is_gone())
    stats = pipeline.stats.get_stats()
    assert (stats.get(STORAGE_LOST), stats.get(STORAGE_SPOOLED)) == (4, None)
    assert [p["url"] for p in stats[PROBLEM_PAGES]] == [
        f"http://127.0.0.1/a/{n}.html" for n in (1, 2, 3, 4)
    ]
    assert stats[PROBLEM_PAGES][0]["reason"].startswith(
        "lost: could not be written (OperationalError: no such table: articles) nor spooled "
        "(NotADirectoryError"
    )
    assessment = assess(
        {**stats, "finish_reason": "finished", "xz/pages/list": 1},
        thresholds=Thresholds.from_settings(get_project_settings()),
        stored_before=0,
        previous_fill=[],
    )
    assert (assessment.status, assessment.reason) == (
        RunStatus.FAILED,
        "4 articles lost: neither written nor spooled",
    )


@pytest.mark.skipif(shutil.which("id") is None, reason="needs id")
def test_a_read_only_spool_folder_loses_the_batch_as_a_count(tmp_path: Path) -> None:
    if subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip() == "0":
        pytest.skip("root writes into read-only folders; the under-a-file test covers this")
    database_url = f"sqlite:///{tmp_path / 'xz.db'}"
    spool_dir = tmp_path / "ro"
    spool_dir.mkdir()
    spool_dir.chmod(0o500)
    pipeline = storage_pipeline(
        database_url, tmp_path, STORAGE_RETRIES=0, STORAGE_SPOOL_DIR=str(spool_dir)
    )

    async def go() -> None:
        pipeline.open_spider()
        away(database_url)
        await pipeline.process_item(make_article(1))
        await pipeline.close_spider()

    asyncio.run(go())
    spool_dir.chmod(0o700)
    assert pipeline.stats.get_value(STORAGE_LOST) == 1


# --- real crawls over loopback ---------------------------------------------------------------


class StorageSabotage:
    """A test pipeline ahead of storage: after SABOTAGE_AFTER items it deletes the database's
    folder (SABOTAGE=delete-dir) or renames the articles table away until the spider closes
    (SABOTAGE=table-away)."""

    def __init__(self, crawler: Any) -> None:
        self.settings = crawler.settings
        self.after = crawler.settings.getint("SABOTAGE_AFTER")
        self.count = 0
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorageSabotage:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        self.count += 1
        if self.count == self.after:
            url = self.settings["DATABASE_URL"]
            if self.settings["SABOTAGE"] == "delete-dir":
                shutil.rmtree(Path(url.removeprefix("sqlite:///")).parent)
            else:
                away(url)
        return item

    def spider_closed(self) -> None:
        if self.settings["SABOTAGE"] == "table-away" and self.count >= self.after:
            back(self.settings["DATABASE_URL"])


def sabotage(kind: str, after: int) -> list[str]:
    pipelines = {
        **get_project_settings().getdict("ITEM_PIPELINES"),
        "tests.test_poison.StorageSabotage": 850,
    }
    return [
        f"ITEM_PIPELINES={json.dumps(pipelines)}",
        f"SABOTAGE={kind}",
        f"SABOTAGE_AFTER={after}",
        "STORAGE_BATCH_SIZE=5",
        "STORAGE_RETRIES=0",
        "CONCURRENT_REQUESTS=2",
    ]


def crawl(
    env: CrawlEnv, *settings: str, log: Path | None = None
) -> subprocess.CompletedProcess[str]:
    options = [arg for s in settings for arg in ("-s", s)]
    if log is not None:
        options += ["--log-file", str(log)]
    return env.run(*env.crawl_argv(*options))


def logged_stat(log: Path, key: str) -> int:
    text_ = log.read_text()
    marker = f"'{key}': "
    return int(text_.split(marker)[1].split(",")[0].split("}")[0]) if marker in text_ else 0


def runs_of(database_url: str) -> list[CrawlRun]:
    return rows_of(engine_for(database_url), CrawlRun)


@pytest.fixture
def poison_env(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    """The small replica with a fault plan, and an SQLite file in its own folder (or PG)."""
    plan = FaultPlan()
    portal = Portal(articles=25)
    database_url = getattr(request, "param", None)
    if database_url == "postgresql":
        database_url = request.getfixturevalue("postgres_url")
    database_url = database_url or f"sqlite:///{tmp_path / 'db' / 'crawl.db'}"
    with ReplicaServer(portal, faults=plan) as server:
        yield CrawlEnv(portal, server, database_url, tmp_path), plan
    engine_for(database_url).dispose()


@pytest.mark.parametrize(
    "poison_env", [None, "postgresql"], indirect=True, ids=["sqlite", "postgresql"]
)
def test_a_page_with_huge_fields_is_crawled_and_stored_whole(poison_env: Any) -> None:
    env, plan = poison_env
    target = env.portal.articles[10]
    url = env.server.base_url.rstrip("/") + target.path
    link = "/html/djgz/" + "x" * 2030 + ".html"
    plan.edit(target.path, "稿件来源: 新华网", f"稿件来源: {LONG_SOURCE}")
    plan.edit(target.path, "作者:罗娜 马超", f"作者:{LONG_AUTHOR}")
    plan.edit(target.path, f'href="{target.prev_path}"', f'href="{link}"')
    plan.edit(target.path, '<div class="content">', f'<div class="content">\n<p>{HUGE_BODY}</p>')
    result = crawl(env)
    assert result.returncode == 0, result.stderr[-3000:]
    records = env.records()
    stored = records.pop(url)
    assert (stored["source"], stored["author"]) == (LONG_SOURCE, LONG_AUTHOR)
    assert stored["prev_url"] == env.server.base_url.rstrip("/") + link
    assert stored["body"].startswith(HUGE_BODY + "\n")
    want = expected(env)
    del want[url]
    assert interface_view(records) == want
    run = runs_of(env.database_url)[-1]
    assert (run.status, run.exit_code) == ("ok", 0)
    assert rows_of(engine_for(env.database_url), QuarantinedArticle) == []


def test_database_folder_deleted_mid_crawl_spools_the_rest_and_the_run_record(
    poison_env: Any,
) -> None:
    env, _ = poison_env
    log = env.tmp_path / "crawl.log"
    first = crawl(env, *sabotage("delete-dir", 8), log=log)
    assert first.returncode == 1, first.stderr[-3000:]
    spool = spool_path(env.tmp_path / "spool", env.database_url)
    spooled = [json.loads(line)["url"] for line in spool.read_text().splitlines()]
    received = logged_stat(log, STORAGE_RECEIVED)
    written = logged_stat(log, "xz/articles/new")
    # Every article handed to storage went to the database (since deleted) or to the spool.
    assert received == len(env.portal.articles) == written + len(spooled)
    assert len(spooled) == logged_stat(log, STORAGE_SPOOLED) > 0
    [record] = [
        json.loads(line) for line in spool.with_suffix(".runs.jsonl").read_text().splitlines()
    ]
    assert (record["status"], record["exit_code"]) == ("failed", 1)
    assert record["reason"] == f"{len(spooled)} articles could not be written and were spooled"

    second = crawl(env)
    assert second.returncode == 0, second.stderr[-3000:]
    assert not any((env.tmp_path / "spool").glob("*.jsonl"))
    assert interface_view(env.records()) == expected(env)
    lost_run = [r for r in runs_of(env.database_url) if r.status == "failed"]
    assert [(r.reason, r.exit_code, r.articles_new) for r in lost_run] == [
        (record["reason"], 1, written)
    ]


def test_spool_unwritable_while_the_database_is_away_fails_the_run_naming_the_loss(
    poison_env: Any,
) -> None:
    env, _ = poison_env
    (env.tmp_path / "a-file").write_text("no folder can be made under a file")
    log = env.tmp_path / "crawl.log"
    first = crawl(
        env,
        *sabotage("table-away", 8),
        f"STORAGE_SPOOL_DIR={env.tmp_path / 'a-file' / 'spool'}",
        log=log,
    )
    assert first.returncode == 1, first.stderr[-3000:]
    lost = logged_stat(log, STORAGE_LOST)
    written = logged_stat(log, "xz/articles/new")
    assert lost > 0
    assert logged_stat(log, STORAGE_RECEIVED) == len(env.portal.articles) == written + lost
    run = runs_of(env.database_url)[-1]
    assert (run.status, run.exit_code) == ("failed", 1)
    assert f"{lost} articles lost: neither written nor spooled" in run.reason
    assert f"{lost} articles lost: neither written nor spooled" in first.stderr
    lost_pages = [p for p in run.failed_pages if p["reason"].startswith("lost: ")]
    assert len(lost_pages) == lost
    assert len(stored_urls(engine_for(env.database_url))) == written

    second = crawl(env)  # the lost articles are not stored: the next run fetches them
    assert second.returncode == 0, second.stderr[-3000:]
    assert interface_view(env.records()) == expected(env)


# --- the lock is keyed on the database, not on how its URL is spelt -----------------------------


def test_one_sqlite_file_by_another_spelling_is_the_same_lock_and_exits_75(
    poison_env: Any,
) -> None:
    env, _ = poison_env
    folder = env.tmp_path / "db"
    folder.mkdir()
    (env.tmp_path / "link").symlink_to(folder)
    spellings = [
        f"sqlite:///{folder}/./crawl.db",
        f"sqlite:///{folder}/../db/crawl.db",
        f"sqlite:///{env.tmp_path / 'link' / 'crawl.db'}",
    ]
    lock_dir = env.tmp_path / "locks"
    with CrawlLock(lock_path(lock_dir, env.database_url)):
        for spelling in spellings:
            assert lock_path(lock_dir, spelling) == lock_path(lock_dir, env.database_url)
            result = env.run(*env.crawl_argv("--database-url", spelling))
            assert result.returncode == 75, result.stderr[-3000:]
            assert "another crawl holds" in result.stderr
    assert env.requested() == []


def test_server_locks_and_spools_are_named_by_host_port_and_database_never_the_password(
    tmp_path: Path,
) -> None:
    same = [
        "postgresql+psycopg://xz:first-secret@DB.example:5432/news",
        "postgresql+psycopg2://xz:other-secret@db.example/news",
        "postgresql://reader@db.example:5432/news",
    ]
    assert len({lock_path(tmp_path, url) for url in same}) == 1
    assert len({spool_path(tmp_path, url) for url in same}) == 1
    digest = database_digest(same[0])
    import hashlib

    assert digest == hashlib.sha256(b"postgresql://db.example:5432/news").hexdigest()[:16]
    others = ["postgresql://xz@db.example:5433/news", "postgresql://xz@db.example/other"]
    assert len({lock_path(tmp_path, url) for url in [same[0], *others]}) == 3
