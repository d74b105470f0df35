"""Shared fixtures: databases (SQLite always, PostgreSQL when a server answers), article items."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from xzcrawler.items import Article
from xzcrawler.models import SHANGHAI
from xzcrawler.storage import engine_for

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except OperationalError as exc:
        pytest.skip(f"no PostgreSQL server on 127.0.0.1:5432 ({type(exc.orig).__name__})")
    finally:
        engine.dispose()
    return POSTGRES_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    name = f"xz_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = postgres_admin_url.rsplit("/", 1)[0] + f"/{name}"
    yield url
    engine_for(url).dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'xz.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each storage test runs on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param.replace('postgresql', 'postgres')}_url")


FETCHED_AT = datetime(2020, 11, 13, 9, 0, tzinfo=SHANGHAI)


def make_article(number: int = 1, **fields: object) -> Article:
    """A normalised article as the pipelines hand it to storage."""
    values: dict[str, object] = {
        "url": f"http://127.0.0.1/a/{number}.html",
        "fetched_at": FETCHED_AT,
        "title": f"标题{number}",
        "section": "党建工作",
        "section_path": ["党建工作"],
        "body": f"正文第{number}段\n第二段",
        "published_at": datetime(2020, 11, 12, tzinfo=SHANGHAI),
        "date_has_time": False,
        "author": "张三、李四",
        "authors": ["张三", "李四"],
        "source": "七一网",
        "source_raw": "七一网",
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]
