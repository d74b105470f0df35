"""Shared fixtures: databases (SQLite always, PostgreSQL when a server answers), article items."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from xzcrawler.demo import LOOPBACK_SETTINGS
from xzcrawler.export import export_records
from xzcrawler.items import Article
from xzcrawler.models import SHANGHAI
from xzcrawler.replica import Portal, ReplicaServer
from xzcrawler.storage import engine_for

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# CI replays the same examples every run (HYPOTHESIS_PROFILE=ci in .ci/run); by hand the
# property tests keep exploring new ones. Neither lets the machine's speed fail a test: no
# deadline and no too-slow health check (speed belongs to benchmarks/).
_NO_CLOCK = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
hypothesis_settings.register_profile("ci", derandomize=True, **_NO_CLOCK)
hypothesis_settings.register_profile("local", **_NO_CLOCK)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "local"))


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
        "author_roles": ["记者", "通讯员"],
        "source": "七一网",
        "source_raw": "七一网",
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = [f"{name}={value}" for name, value in LOOPBACK_SETTINGS.items()]


@dataclass
class CrawlEnv:
    """The replica on 127.0.0.1 and a fresh database, and commands to crawl one into the other."""

    portal: Portal
    server: ReplicaServer
    database_url: str
    tmp_path: Path

    def settings(self) -> list[str]:
        return [
            *LOOPBACK,
            f"LOCK_DIR={self.tmp_path / 'locks'}",
            f"STORAGE_SPOOL_DIR={self.tmp_path / 'spool'}",
            "LOG_LEVEL=INFO",
        ]

    def environ(self) -> dict[str, str]:
        return {**os.environ, "XZCRAWLER_DATABASE_URL": self.database_url}

    def run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *argv],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=self.environ(),
        )

    def crawl_argv(self, *options: str, settings: Iterable[str] = ()) -> list[str]:
        """`python -m xzcrawler crawl` into this database from this portal, extra -s last."""
        pairs = [*self.settings(), *settings]
        return [
            "-m", "xzcrawler", "crawl", "--portal-url", self.server.base_url,
            *(arg for pair in pairs for arg in ("-s", pair)), *options,
        ]  # fmt: skip

    def crawl(self, *options: str) -> subprocess.CompletedProcess[str]:
        return self.run(*self.crawl_argv(*options))

    def start_crawl(
        self, *options: str, settings: Iterable[str] = (), stderr: Any = subprocess.DEVNULL
    ) -> subprocess.Popen[bytes]:
        """The crawl as a background process, for tests that kill or watch it."""
        return subprocess.Popen(
            [sys.executable, *self.crawl_argv(*options, settings=settings)],
            cwd=PROJECT_ROOT,
            env=self.environ(),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )

    def scrapy(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """`scrapy crawl ...` with this portal and database."""
        settings = [arg for pair in self.settings() for arg in ("-s", pair)]
        return self.run(
            "-m", "scrapy", *argv, "-s", f"PORTAL_URL={self.server.base_url}", *settings
        )

    def records(self) -> dict[str, dict]:
        return {r["url"]: r for r in export_records(engine_for(self.database_url))}

    def requested(self) -> list[str]:
        return [record.path for record in self.server.requests]


@pytest.fixture
def crawl_env(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[CrawlEnv]:
    """The small replica (parametrise indirectly with Portal kwargs) and an SQLite database."""
    portal = Portal(**getattr(request, "param", {}))
    with ReplicaServer(portal) as server:
        yield CrawlEnv(portal, server, f"sqlite:///{tmp_path / 'crawl.db'}", tmp_path)
    engine_for(f"sqlite:///{tmp_path / 'crawl.db'}").dispose()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Redis on 127.0.0.1:6379, with this test's keys (prefix REDIS_KEY_PREFIX) removed after."""
    import redis

    url = "redis://127.0.0.1:6379/0"
    server = redis.Redis.from_url(url)
    try:
        server.ping()
    except redis.ConnectionError as exc:
        pytest.skip(f"no Redis server on 127.0.0.1:6379 ({exc})")
    yield url
    server.close()
