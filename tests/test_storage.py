"""The storage layer and pipeline, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipelines.storage import article_row
from tests.conftest import FETCHED_AT, make_article
from tests.helpers import run_pipeline, storage_pipeline
from xzcrawler.export import export_records
from xzcrawler.models import SHANGHAI, Article, ArticleAuthor, ArticleRevision, Publisher, Section
from xzcrawler.storage import ArticleStore, engine_for, ensure_schema, storable


@pytest.fixture
def store(database_url: str) -> ArticleStore:
    engine = engine_for(database_url)
    ensure_schema(engine)
    return ArticleStore(engine)


def rows(*articles) -> list[dict]:
    return [article_row(a) for a in articles]


def count(store: ArticleStore, model: type) -> int:
    with Session(store.engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def test_rewriting_the_same_articles_never_duplicates_and_counts_them_unchanged(store) -> None:
    first = store.write(rows(make_article(1), make_article(2)))
    second = store.write(rows(make_article(1), make_article(2)))
    assert (first.new, first.updated, first.unchanged) == (2, 0, 0)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 2)
    assert count(store, Article) == 2
    assert count(store, ArticleRevision) == 0


def test_a_write_tried_again_at_its_own_time_counts_what_it_stored_once(store) -> None:
    """A writer that died after committing a batch never answered: the batch is written again
    with the same write time, and its rows count as that write stored them (new, changed),
    with one revision, not as unchanged."""
    store.write(rows(make_article(1)))
    written_at = datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=SHANGHAI)
    batch = rows(make_article(1, body="改过的正文"), make_article(2))
    tries = [store.write(batch, written_at) for _ in range(2)]
    assert [(t.new, t.updated, t.unchanged) for t in tries] == [(1, 1, 0), (1, 1, 0)]
    later = store.write(batch)
    assert (later.new, later.updated, later.unchanged) == (0, 0, 2)
    assert count(store, Article) == 2
    assert count(store, ArticleRevision) == 1


def test_changed_body_updates_the_row_and_keeps_the_old_version_as_a_revision(store) -> None:
    store.write(rows(make_article(1)))
    with Session(store.engine) as session:
        before = session.scalars(select(Article)).one()
        first_seen, changed = before.first_seen_at, before.changed_at
    result = store.write(rows(make_article(1, body="改过的正文")))
    assert (result.new, result.updated) == (0, 1)
    with Session(store.engine) as session:
        article = session.scalars(select(Article)).one()
        assert article.body == "改过的正文"
        assert article.first_seen_at == first_seen
        assert article.changed_at > changed
        assert [(r.title, r.body) for r in article.revisions] == [("标题1", "正文第1段\n第二段")]


def test_published_at_reads_back_in_shanghai_time_with_its_offset(store) -> None:
    published = datetime(2020, 11, 12, 10, 35, 8, tzinfo=SHANGHAI)
    store.write(rows(make_article(1, published_at=published, date_has_time=True)))
    record = next(export_records(store.engine))
    assert record["published_at"] == "2020-11-12T10:35:08+08:00"
    assert record["date_has_time"] is True


def test_date_only_article_exports_midnight_and_says_the_time_is_unknown(store) -> None:
    store.write(rows(make_article(1)))
    record = next(export_records(store.engine))
    assert record["published_at"] == "2020-11-12T00:00:00+08:00"
    assert record["date_has_time"] is False


def test_authors_sections_and_publishers_get_their_own_tables(store) -> None:
    store.write(rows(make_article(1), make_article(2, source="人民网", source_raw="来源：人民网")))
    store.write(rows(make_article(1, authors=["王五"], author="王五")))
    with Session(store.engine) as session:
        authors = session.execute(
            select(Article.url, ArticleAuthor.name, ArticleAuthor.role)
            .join(ArticleAuthor, ArticleAuthor.article_id == Article.id)
            .order_by(Article.url, ArticleAuthor.position)
        ).all()
        assert authors == [
            ("http://127.0.0.1/a/1.html", "王五", None),
            ("http://127.0.0.1/a/2.html", "张三", "记者"),
            ("http://127.0.0.1/a/2.html", "李四", "通讯员"),
        ]
        assert session.scalars(select(Section.name)).all() == ["党建工作"]
        assert sorted(session.scalars(select(Publisher.name))) == ["七一网", "人民网"]
        publisher = session.scalars(select(Publisher).where(Publisher.name == "人民网")).one()
        assert [a.alias for a in publisher.aliases] == ["来源：人民网"]


def test_a_nul_or_lone_surrogate_is_cleaned_wherever_it_is_and_a_clean_row_kept_as_given(
    store,
) -> None:
    dirty = make_article(
        1, title="标\x00题", section_path=["时评", "三农\ud800时评"], authors=["张\x00三"]
    )
    clean = make_article(2, section_path=["时评", "三农时评"], images=["http://127.0.0.1/1.png"])
    store.write(rows(dirty, clean))
    with Session(store.engine) as session:
        stored = {a.url: a for a in session.scalars(select(Article))}
        first, second = stored["http://127.0.0.1/a/1.html"], stored["http://127.0.0.1/a/2.html"]
        assert (first.title, first.section_path) == ("标题", ["时评", "三农\ufffd时评"])
        assert [a.name for a in first.authors] == ["张三"]
        assert (second.title, second.section_path, second.images) == (
            "标题2",
            ["时评", "三农时评"],
            ["http://127.0.0.1/1.png"],
        )
    # A text in a list in a list is found too.
    assert storable({"url": "u", "images": [["a\x00b", None, 3]]})["images"] == [["ab", None, 3]]


def test_chain_neighbours_not_stored_are_where_the_next_run_resumes(store) -> None:
    store.write(
        rows(
            make_article(1, next_url="http://127.0.0.1/a/2.html"),
            make_article(
                2, prev_url="http://127.0.0.1/a/1.html", next_url="http://127.0.0.1/a/3.html"
            ),
            make_article(9, prev_url="http://127.0.0.1/a/8.html"),
        )
    )
    assert store.dangling_chain_urls(FETCHED_AT) == [
        "http://127.0.0.1/a/3.html",
        "http://127.0.0.1/a/8.html",
    ]
    store.record_unfetchable({"http://127.0.0.1/a/8.html": "HTTP 404"})
    assert store.dangling_chain_urls(FETCHED_AT) == ["http://127.0.0.1/a/3.html"]
    assert store.unfetchable_urls(FETCHED_AT) == {"http://127.0.0.1/a/8.html"}


def test_pipeline_writes_every_item_in_batches_and_flushes_the_rest_on_close(
    database_url, tmp_path
) -> None:
    pipeline = storage_pipeline(database_url, tmp_path)
    run_pipeline(pipeline, [make_article(n) for n in range(1, 8)])
    assert pipeline.stats.get_value("xz/articles/new") == 7
    urls = [r["url"] for r in export_records(engine_for(database_url))]
    assert urls == [f"http://127.0.0.1/a/{n}.html" for n in range(1, 8)]


def test_batch_that_cannot_be_written_is_spooled_and_written_by_the_next_run(tmp_path) -> None:
    database_url = f"sqlite:///{tmp_path / 'xz.db'}"
    pipeline = storage_pipeline(database_url, tmp_path, STORAGE_RETRIES=1)

    async def crawl_while_the_table_is_gone() -> None:
        pipeline.open_spider()
        with engine_for(database_url).begin() as conn:  # the database "goes away"
            conn.exec_driver_sql("ALTER TABLE articles RENAME TO articles_away")
        for number in (1, 2, 3, 4):
            await pipeline.process_item(make_article(number))
        await pipeline.close_spider()

    asyncio.run(crawl_while_the_table_is_gone())
    assert pipeline.stats.get_value("xz/storage/spooled") == 4
    assert pipeline.stats.get_value("xz/storage/retries") == 2

    with engine_for(database_url).begin() as conn:  # ... and comes back
        conn.exec_driver_sql("ALTER TABLE articles_away RENAME TO articles")
    again = storage_pipeline(database_url, tmp_path)
    run_pipeline(again, [])
    assert again.stats.get_value("xz/storage/replayed") == 4
    assert not again.spool.exists()
    urls = [r["url"] for r in export_records(engine_for(database_url))]
    assert urls == [f"http://127.0.0.1/a/{n}.html" for n in (1, 2, 3, 4)]


@contextmanager
def writes_locked_out(database_url: str) -> Iterator[None]:
    """Another connection holds the write lock: the writer's next write waits for it."""
    engine = engine_for(database_url)
    with engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin() as tx:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("LOCK TABLE articles IN EXCLUSIVE MODE")
        yield
        tx.rollback()


@pytest.mark.parametrize("writer_process", [False, True], ids=["writer-thread", "writer-process"])
def test_a_writer_held_back_stops_taking_articles_at_the_backlog_and_then_stores_them_all(
    database_url: str, tmp_path, writer_process: bool
) -> None:
    # Batches of 2, a backlog of 4 articles: two batches handed over and not written.
    pipeline = storage_pipeline(
        database_url,
        tmp_path,
        STORAGE_BATCH_SIZE=2,
        STORAGE_BACKLOG=4,
        STORAGE_PROCESS=writer_process,
    )
    articles = [make_article(n) for n in range(1, 11)]

    async def crawl_while_the_database_is_locked() -> tuple[int, int]:
        pipeline.open_spider()
        with writes_locked_out(database_url):
            items = [asyncio.create_task(pipeline.process_item(a)) for a in articles]
            await asyncio.sleep(1.0)
            # Articles 1 and 3 wait in their batches; 2 and 4 wait for their batches' writes,
            # 5-10 for the writer to catch up, holding their pages in Scrapy, not in the list.
            passed = sum(item.done() for item in items)
            behind = pipeline.batches_behind
        await asyncio.gather(*items)
        await pipeline.close_spider()
        return passed, behind

    assert asyncio.run(crawl_while_the_database_is_locked()) == (2, 2)
    assert pipeline.stats.get_value("xz/storage/waited_for_writer") == 6
    assert pipeline.stats.get_value("xz/articles/new") == 10
    assert pipeline.stats.get_value("xz/storage/spooled") is None
    urls = [r["url"] for r in export_records(engine_for(database_url))]
    assert urls == [f"http://127.0.0.1/a/{n}.html" for n in range(1, 11)]
