"""Alembic migrations: from empty, from an older revision with data, and adopting old databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, create_engine, inspect, select, text

from pipelines.storage import article_row
from tests.conftest import FETCHED_AT, CrawlEnv, make_article
from xzcrawler import search
from xzcrawler.cli import main
from xzcrawler.models import SHANGHAI, Article, Base
from xzcrawler.query import Filters, find_articles
from xzcrawler.storage import (
    ArticleStore,
    _alembic_config,
    engine_for,
    ensure_schema,
    head_revision,
    schema_revision,
)

TABLES = {
    "alembic_version",
    "articles",
    "article_authors",
    "article_revisions",
    "crawl_runs",
    "publishers",
    "publisher_aliases",
    "sections",
    "unfetchable_links",
}


def revision_of(database_url: str) -> str | None:
    with engine_for(database_url).connect() as conn:
        return schema_revision(conn)


def upgrade_to(database_url: str, revision: str) -> None:
    with engine_for(database_url).begin() as conn:
        command.upgrade(_alembic_config(conn), revision)


def table_columns(database_url: str, table: str) -> dict[str, dict]:
    return {c["name"]: c for c in inspect(engine_for(database_url)).get_columns(table)}


def article_columns(database_url: str) -> dict[str, dict]:
    return table_columns(database_url, "articles")


def insert_old_articles(database_url: str, count: int) -> None:
    """Articles as an older version wrote them, before the search index existed."""
    times = dict.fromkeys(("fetched_at", "first_seen_at", "last_seen_at", "changed_at"), FETCHED_AT)
    with engine_for(database_url).begin() as conn:
        conn.execute(
            Article.__table__.insert(),
            [
                {
                    "url": f"http://127.0.0.1/a/{n}.html",
                    "title": f"标题{n}",
                    "body": f"巡视工作第{n}次",
                    "section_path": [],
                    "images": [],
                    "reporters": [],
                    "content_hash": "0" * 64,
                    **times,
                }
                for n in range(1, count + 1)
            ],
        )


def test_db_upgrade_creates_the_whole_schema_in_an_empty_database(database_url: str) -> None:
    assert main(["db", "upgrade", "--database-url", database_url]) == 0
    assert revision_of(database_url) == head_revision()
    tables = set(inspect(engine_for(database_url)).get_table_names())
    assert tables >= TABLES


def test_upgrade_from_the_previous_revision_keeps_every_article_and_indexes_them(
    database_url: str,
) -> None:
    upgrade_to(database_url, "0002")
    insert_old_articles(database_url, 5)
    assert main(["db", "upgrade", "--database-url", database_url]) == 0
    assert revision_of(database_url) == head_revision()
    with engine_for(database_url).connect() as conn:
        assert conn.execute(select(Article.url).order_by(Article.id)).scalars().all() == [
            f"http://127.0.0.1/a/{n}.html" for n in range(1, 6)
        ]
    found = find_articles(engine_for(database_url), Filters(search="巡视"), order=None, limit=0)
    assert found.total == 5


def test_database_made_before_migrations_is_adopted_by_db_upgrade(sqlite_url: str) -> None:
    engine = engine_for(sqlite_url)
    # What the version before migrations made: the 0001 tables, by create_all.
    Base.metadata.create_all(
        engine,
        tables=[
            t
            for t in Base.metadata.sorted_tables
            if t.name not in {"unfetchable_links", "quarantined_articles"}
        ],
    )
    with engine.begin() as conn:  # columns added by later migrations
        conn.execute(text("ALTER TABLE articles DROP COLUMN updated_at"))
        conn.execute(text("ALTER TABLE articles DROP COLUMN capped_fields"))
        conn.execute(text("ALTER TABLE crawl_runs DROP COLUMN extraction"))
    insert_old_articles(sqlite_url, 1)
    assert main(["db", "upgrade", "--database-url", sqlite_url]) == 0
    assert revision_of(sqlite_url) == head_revision()
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from articles")).scalar_one() == 1


def test_crawl_against_a_schema_behind_stops_before_fetching_and_says_db_upgrade(
    crawl_env: CrawlEnv,
) -> None:
    upgrade_to(crawl_env.database_url, "0001")
    result = crawl_env.crawl()
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "xzcrawler: the database schema is at 0001, this xzcrawler needs "
        f"{head_revision()}: run `python -m xzcrawler db upgrade`"
    )
    assert crawl_env.requested() == []
    assert main(["db", "upgrade", "--database-url", crawl_env.database_url]) == 0
    assert crawl_env.crawl().returncode == 0


def test_a_new_database_gets_its_schema_from_the_crawl_itself(sqlite_url: str) -> None:
    ensure_schema(engine_for(sqlite_url))
    assert revision_of(sqlite_url) == head_revision()


def test_upgrade_from_0003_adds_a_nullable_updated_at_and_keeps_every_article(
    database_url: str,
) -> None:
    upgrade_to(database_url, "0003")
    insert_old_articles(database_url, 3)
    assert "updated_at" not in article_columns(database_url)
    assert main(["db", "upgrade", "--database-url", database_url]) == 0
    assert revision_of(database_url) == head_revision()
    assert article_columns(database_url)["updated_at"]["nullable"] is True
    engine = engine_for(database_url)
    with engine.connect() as conn:
        stmt = select(Article.url, Article.updated_at).order_by(Article.id)
        assert [tuple(row) for row in conn.execute(stmt)] == [
            (f"http://127.0.0.1/a/{n}.html", None) for n in range(1, 4)
        ]
    # The old rows take an update time like new ones, read back in Shanghai time.
    updated = datetime(2020, 11, 13, 8, 30, tzinfo=SHANGHAI)
    counts = ArticleStore(engine).write([article_row(make_article(2, updated_at=updated))])
    assert (counts.new, counts.updated) == (0, 1)
    with engine.connect() as conn:
        stmt = select(Article.updated_at).where(Article.url == "http://127.0.0.1/a/2.html")
        assert conn.execute(stmt).scalar_one() == updated


def test_downgrade_from_0004_drops_updated_at_and_keeps_every_article(database_url: str) -> None:
    upgrade_to(database_url, "0004")
    insert_old_articles(database_url, 2)
    with engine_for(database_url).begin() as conn:
        command.downgrade(_alembic_config(conn), "0003")
    assert revision_of(database_url) == "0003"
    assert "updated_at" not in article_columns(database_url)
    with engine_for(database_url).connect() as conn:
        assert conn.execute(text("select count(*) from articles")).scalar_one() == 2


def test_upgrade_from_0004_adds_the_run_records_extraction_summary(database_url: str) -> None:
    upgrade_to(database_url, "0004")
    assert "extraction" not in table_columns(database_url, "crawl_runs")
    upgrade_to(database_url, "head")
    assert table_columns(database_url, "crawl_runs")["extraction"]["nullable"] is True
    with engine_for(database_url).connect() as conn:
        command.downgrade(_alembic_config(conn), "0004")
    assert "extraction" not in table_columns(database_url, "crawl_runs")


def test_upgrade_from_0005_makes_page_text_columns_text_and_keeps_every_row(
    database_url: str,
) -> None:
    upgrade_to(database_url, "0005")
    insert_old_articles(database_url, 3)
    engine = engine_for(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO article_authors (article_id, position, name, role)"
                " SELECT id, 0, '张三', '记者' FROM articles"
            )
        )
        conn.execute(
            text(
                "INSERT INTO article_revisions (article_id, title, body, content_hash, replaced_at)"
                " SELECT id, title, body, content_hash, fetched_at FROM articles"
            )
        )
    if engine.dialect.name == "sqlite":
        from xzcrawler.browse import ensure_view

        ensure_view(engine)  # a view on articles must not stop the table's batch copy
    assert article_columns(database_url)["source"]["type"].length == 300
    assert main(["db", "upgrade", "--database-url", database_url]) == 0
    assert revision_of(database_url) == head_revision()
    columns = article_columns(database_url)
    for name in ("url", "source", "author", "author_raw", "prev_url", "next_url", "date_raw"):
        assert type(columns[name]["type"]).__name__.upper() == "TEXT", name
    assert columns["capped_fields"]["nullable"] is True
    assert "quarantined_articles" in inspect(engine).get_table_names()
    with engine.connect() as conn:
        counts = [
            conn.execute(text(f"select count(*) from {table}")).scalar_one()
            for table in ("articles", "article_authors", "article_revisions")
        ]
        ids = conn.execute(select(Article.id).order_by(Article.id)).scalars().all()
    assert counts == [3, 3, 3]
    assert ids == [1, 2, 3]
    # What 0005 refused on PostgreSQL (varchar(300)) is stored whole.
    source = "中华人民共和国农业农村部" * 33
    counts_ = ArticleStore(engine).write([article_row(make_article(2, source=source))])
    assert (counts_.new, counts_.updated) == (0, 1)
    with engine.connect() as conn:
        stmt = select(Article.source).where(Article.url == "http://127.0.0.1/a/2.html")
        assert conn.execute(stmt).scalar_one() == source


# --- one schema whichever way a database reached head -----------------------------------------


def revisions() -> list[str]:
    """Every revision from 0001 to head, oldest first, as Alembic's scripts chain them."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_alembic_config())
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def schema(database_url: str) -> dict[str, object]:
    """What the database holds besides rows: tables with their columns and types, constraints,
    indexes, triggers, views and the search index's tables, as the backend describes them."""
    with engine_for(database_url).connect() as conn:
        if conn.dialect.name == "sqlite":
            return _sqlite_schema(conn)
        queries = {
            "columns": "SELECT table_name, column_name, ordinal_position, data_type,"
            " character_maximum_length, is_nullable, column_default"
            " FROM information_schema.columns WHERE table_schema = 'public'",
            "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes"
            " WHERE schemaname = 'public'",
            "constraints": "SELECT c.conrelid::regclass::text, c.conname, c.contype,"
            " pg_get_constraintdef(c.oid) FROM pg_constraint c"
            " JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'",
            "triggers": "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)"
            " FROM pg_trigger WHERE NOT tgisinternal",
            "views": "SELECT viewname, definition FROM pg_views WHERE schemaname = 'public'",
        }
        return {key: sorted(map(tuple, conn.execute(text(sql)))) for key, sql in queries.items()}


def _sqlite_schema(conn: Connection) -> dict[str, object]:
    """The SQL SQLite keeps for each index, trigger, view and FTS5 table; each plain table as
    its columns and its constraints, whose order in a table copied by a batch migration is
    arbitrary (Alembic rebuilds them from a set)."""
    objects = conn.execute(
        text(
            "SELECT type, name, sql FROM sqlite_master"
            " WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
        )
    ).all()
    tables = [name for kind, name, sql in objects if kind == "table"]
    inspector = inspect(conn)
    return {
        "objects": [
            (kind, name, None if sql.startswith("CREATE TABLE") else " ".join(sql.split()))
            for kind, name, sql in objects
        ],
        "columns": {
            name: conn.exec_driver_sql(f'PRAGMA table_xinfo("{name}")').all() for name in tables
        },
        "constraints": {
            name: sorted(
                repr(constraint)
                for constraint in (
                    inspector.get_pk_constraint(name),
                    *inspector.get_foreign_keys(name),
                    *inspector.get_unique_constraints(name),
                    *inspector.get_check_constraints(name),
                )
            )
            for name in tables
        },
    }


@pytest.fixture
def fresh_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database on the backend of `database_url`, dropped afterwards."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    server, name = database_url.rsplit("/", 1)
    fresh = f"{name}_fresh"
    admin = create_engine(f"{server}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{fresh}"'))
    yield f"{server}/{fresh}"
    engine_for(f"{server}/{fresh}").dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)'))
    admin.dispose()


def test_upgrading_step_by_step_from_0001_gives_the_schema_of_a_new_database(
    database_url: str, fresh_database_url: str
) -> None:
    steps = revisions()
    assert steps[0] == "0001" and steps[-1] == head_revision()
    for step in steps:  # one `db upgrade` a release, with articles stored along the way
        upgrade_to(database_url, step)
        if step == "0002":
            insert_old_articles(database_url, 3)
    ensure_schema(engine_for(fresh_database_url))
    assert revision_of(database_url) == revision_of(fresh_database_url) == head_revision()
    assert schema(database_url) == schema(fresh_database_url)


def test_the_migrated_schema_is_the_one_the_models_declare(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    # What hand-written migrations make besides the models (migrations/env.py: UNMODELLED).
    unmodelled = (search.FTS_TABLE, search.PG_TABLE, "article_list")
    ensure_schema(engine_for(database_url))
    with engine_for(database_url).connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, *_: not (name or "").startswith(unmodelled),
            },
        )
        assert compare_metadata(context, Base.metadata) == []
