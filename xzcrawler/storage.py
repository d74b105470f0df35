"""The storage layer: engines, schema, batched article upserts and the reads the crawl needs.

Pipelines, the CLI and the frontier all go through here; nothing else builds an engine.
Alembic, the PostgreSQL dialect and the search module are imported where they are used: the
commands that only read start without them (README, start-up).
Upserts use the dialect's INSERT ... ON CONFLICT so concurrent writers never duplicate a row
(docs/field-notes.md: check-then-insert raised hundreds of UNIQUE errors, the dialect upsert none).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Engine,
    Executable,
    Select,
    Table,
    bindparam,
    create_engine,
    delete,
    event,
    inspect,
    literal,
    select,
    text,
)
from sqlalchemy.engine import URL, make_url

from xzcrawler.models import (
    SHANGHAI,
    Article,
    ArticleAuthor,
    ArticleRevision,
    Publisher,
    PublisherAlias,
    QuarantinedArticle,
    Section,
    ShanghaiTime,
    UnfetchableLink,
)

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
# The revision a database made by create_all before migrations existed is adopted at.
INITIAL_REVISION = "0001"
# Bound parameters per statement stay well under SQLite's limit (32766) and PostgreSQL's.
_IN_CHUNK = 500

# Article columns that an upsert refreshes; first_seen_at and id are kept from the first write.
_UPDATED_COLUMNS = tuple(
    c.name for c in Article.__table__.columns if c.name not in {"id", "url", "first_seen_at"}
)
_WRITTEN_COLUMNS = ("url", "first_seen_at", *_UPDATED_COLUMNS)


def mask_url(url: str) -> str:
    """The URL with its password hidden, for logs and messages."""
    return make_url(url).render_as_string(hide_password=True)


_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306}


def database_key(database_url: str) -> str:
    """The database a URL names, however it is spelt: what locks and spools are keyed on.

    SQLite: the file's resolved path (`d/./db.sqlite`, `d/../d/db.sqlite` and a symlink are one
    file). Servers: backend, host, port and database; never the driver, user or password.
    """
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            database = os.path.realpath(database)
        return f"sqlite:///{database}"
    query_host = url.query.get("host")  # libpq's ?host=, for a socket or a second spelling
    host = (url.host or (query_host if isinstance(query_host, str) else "") or "localhost").lower()
    port = url.port or _DEFAULT_PORTS.get(backend) or ""
    return f"{backend}://{host}:{port}/{url.database or ''}"


def database_digest(database_url: str) -> str:
    """Short sha256 of `database_key`: the name of a database's lock and spool files."""
    return hashlib.sha256(database_key(database_url).encode()).hexdigest()[:16]


def sqlite_file(database_url: str) -> Path | None:
    url: URL = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    if url.database.startswith("file:"):
        return None
    return Path(url.database)


class DatabaseLost(Exception):
    """The SQLite file written to was deleted or replaced: what went to it is not kept."""


@cache
def engine_for(database_url: str) -> Engine:
    """One engine per database URL in a process; SQLite gets WAL and a busy timeout."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "do_connect")
    def _sqlite_folder(*_args: Any) -> None:
        # The default database lives under data/, which a fresh clone does not have yet.
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _sqlite_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Connection) -> None:
        # Writers take the write lock up front: a deferred transaction that reads and then
        # writes fails on a busy database despite the timeout (docs/field-notes.md).
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class SchemaBehind(Exception):
    """The database's schema is older than the code's: `python -m xzcrawler db upgrade`."""


def _alembic_config(conn: Connection | None = None) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", "xzcrawler:migrations")
    config.attributes["connection"] = conn
    return config


def _schema_lock(conn: Connection) -> None:
    """Serialise schema changes between processes (two workers starting on an empty database)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(4242)"))


def schema_revision(conn: Connection) -> str | None:
    """The database's Alembic revision, read from alembic_version without importing Alembic
    (the read commands start without it)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION = re.compile(r"^(down_revision|revision)\b[^=]*=\s*(?:\"([^\"]*)\"|None)", re.M)


@cache
def head_revision() -> str:
    """The newest migration's id, read from the migration files' `revision` and
    `down_revision` lines: the one no other migration follows. Alembic is not imported for it,
    so the read commands start fast (tests/test_cli_errors.py checks it equals Alembic's head)."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for path in MIGRATIONS.glob("*.py"):
        found = dict(_REVISION.findall(path.read_text("utf-8")))
        if found.get("revision"):
            revisions.add(found["revision"])
        if found.get("down_revision"):
            followed.add(found["down_revision"])
    heads = revisions - followed
    if len(heads) != 1:
        raise RuntimeError(f"{MIGRATIONS} has {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


_current: set[str] = set()


def ensure_schema(engine: Engine) -> None:
    """Create the schema in a new, empty database; refuse one whose schema is behind.

    A crawl never migrates an existing database by itself: that is `db upgrade`'s job.
    """
    key = engine.url.render_as_string(hide_password=False)
    if key in _current:
        return
    with engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
        _schema_lock(conn)
        revision, head = schema_revision(conn), head_revision()
        if revision != head:
            if revision is None and not inspect(conn).get_table_names():
                from alembic import command as alembic_command

                alembic_command.upgrade(_alembic_config(conn), "head")
            else:
                raise SchemaBehind(
                    f"the database schema is at {revision or 'a version before migrations'}, "
                    f"this xzcrawler needs {head}: run `python -m xzcrawler db upgrade`"
                )
    _current.add(key)


def upgrade_schema(engine: Engine) -> tuple[str | None, str]:
    """Migrate to the newest schema; adopt a database created before migrations existed.

    On SQLite foreign keys are off while migrating (PRAGMA foreign_keys is a no-op inside a
    transaction, so it is set before): a batch migration drops and renames a table, and with
    them on, dropping articles would cascade to its authors and revisions (Alembic's advice).
    """
    with engine.connect().execution_options(sqlite_immediate=True) as conn:
        sqlite_db = conn.dialect.name == "sqlite"
        driver = conn.connection.driver_connection  # SQLAlchemy's would begin a transaction
        assert driver is not None  # a connection checked out of the pool is open
        if sqlite_db:
            driver.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                _schema_lock(conn)
                before = schema_revision(conn)
                from alembic import command as alembic_command

                config = _alembic_config(conn)
                if before is None and "articles" in inspect(conn).get_table_names():
                    alembic_command.stamp(config, INITIAL_REVISION)
                alembic_command.upgrade(config, "head")
                after = schema_revision(conn)
                if sqlite_db and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("the migration left rows whose foreign keys dangle")
        finally:
            if sqlite_db:
                driver.execute("PRAGMA foreign_keys=ON")
    _current.discard(engine.url.render_as_string(hide_password=False))
    return before, after or ""


def content_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()


def _insert(engine: Engine) -> Callable[..., Any]:
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert


def _chunks(values: Sequence[Any], size: int = _IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _roles(row: dict[str, Any]) -> list[str | None]:
    """The authors' roles, one per author (rows written before roles were kept have none)."""
    authors, roles = row.get("authors") or [], row.get("author_roles") or []
    return roles if len(roles) == len(authors) else [None] * len(authors)


# PostgreSQL refuses a btree index entry over ~2,700 bytes ("index row size exceeds maximum"):
# indexed text read from a page (section, source, author names, prev/next links, publisher
# names and aliases) is cut to this many UTF-8 bytes, and the article's capped_fields says which
# fields were cut. The url itself is never cut (two articles would become one); one too long to
# index cannot be stored and is quarantined. Scrapy fetches URLs of at most 2,083 characters.
INDEXED_MAX_BYTES = 2600
_CAPPED_FIELDS = ("section", "source", "prev_url", "next_url")
# PostgreSQL text holds no NUL; a lone surrogate cannot be encoded: neither is stored.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def cap_bytes(value: str, limit: int = INDEXED_MAX_BYTES) -> str:
    """At most `limit` UTF-8 bytes of value, cut on a character boundary."""
    if len(value) * 4 <= limit:
        return value
    encoded = value.encode()
    if len(encoded) <= limit:
        return value
    return encoded[:limit].decode(errors="ignore")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _UNSTORABLE.sub(_replacement, value) if _UNSTORABLE.search(value) else value
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _replacement(match: re.Match[str]) -> str:
    return "" if match.group() == "\x00" else "\ufffd"


def _unstorable(values: Iterable[Any]) -> bool:
    """Whether a text among values (or in a list among them) holds a NUL or a lone surrogate.

    One `in` and one UTF-8 encoding (which refuses surrogates) over all the texts joined: both
    run in C at memory speed, where a regex search per text took ~30 us a row.
    """
    texts: list[str] = []
    pending = [values]
    while pending:
        found = pending.pop()
        texts += [value for value in found if isinstance(value, str)]
        pending += [value for value in found if isinstance(value, list)]
    joined = "".join(texts)
    try:
        joined.encode()
    except UnicodeEncodeError:
        return True
    return "\x00" in joined


def storable(row: dict[str, Any]) -> dict[str, Any]:
    """The row as every backend takes it, in place: no NUL or lone surrogate in any text, and
    indexed text cut to INDEXED_MAX_BYTES (named in capped_fields)."""
    if _unstorable(row.values()):
        for key, value in row.items():
            if isinstance(value, str | list):
                row[key] = _clean(value)
    capped = [
        name for name in _CAPPED_FIELDS if row.get(name) and row[name] != cap_bytes(row[name])
    ]
    for name in capped:
        row[name] = cap_bytes(row[name])
    authors = row.get("authors") or []
    if any(cap_bytes(name) != name for name in authors):
        row["authors"] = [cap_bytes(name) for name in authors]
        capped.append("authors")
    row["capped_fields"] = capped or None
    return row


# The search index takes the first INDEX_MAX_TITLE / INDEX_MAX_BODY characters of an article's
# title and body, and words (runs of letters or digits outside CJK) of at most INDEX_MAX_WORD
# characters: a PostgreSQL tsvector holds at most 1 MB of lexemes and a lexeme 2,047 bytes. A
# CJK character adds at most one bigram lexeme (<= 8 bytes), so 50,000 characters stay well
# under the limit. The article itself is stored whole; search finds words in the indexed part.
INDEX_MAX_TITLE = 1_000
INDEX_MAX_BODY = 50_000
INDEX_MAX_WORD = 255
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\U00020000-\U0003134f"
_LONG_WORD = re.compile(rf"[^\W_{_CJK}]{{{INDEX_MAX_WORD + 1},}}")


def indexed_text(value: str | None, limit: int) -> str:
    """What the search index takes of a text: its first `limit` characters, long words cut."""
    from xzcrawler.search import normalise

    if not value:
        return value or ""
    value = normalise(value[:limit])[:limit]
    return _LONG_WORD.sub(lambda m: m.group()[:INDEX_MAX_WORD], value)


@dataclass(frozen=True)
class _IndexRow:
    id: int
    title: str
    body: str
    content_hash: str
    indexed: str | None


def update_search_index(conn: Connection, rows: Mapping[str, dict[str, Any]]) -> int:
    """search.update_index over the capped text (`indexed_text`) of rows just upserted, by URL:
    re-index those whose content changed, in the write's transaction; returns how many. The
    text is the rows' own (what was just stored): only ids and hashes are read back."""
    from xzcrawler import search

    if conn.dialect.name == "postgresql":
        indexed = f"(SELECT s.content_hash FROM {search.PG_TABLE} s WHERE s.article_id = a.id)"
        differs = "IS DISTINCT FROM"
    else:
        indexed = f"(SELECT f.content_hash FROM {search.FTS_TABLE} f WHERE f.rowid = a.id)"
        differs = "IS NOT"
    stmt = text(
        f"SELECT a.id, a.url, {indexed} AS indexed"
        f" FROM articles a WHERE a.url IN :urls AND a.content_hash {differs} {indexed}"
    ).bindparams(bindparam("urls", expanding=True))
    stale: list[_IndexRow] = []
    for chunk in _chunks(list(rows)):
        for found in conn.execute(stmt, {"urls": list(chunk)}):
            row = rows[found.url]
            stale.append(
                _IndexRow(
                    found.id,
                    indexed_text(row["title"], INDEX_MAX_TITLE),
                    indexed_text(row["body"], INDEX_MAX_BODY),
                    row["content_hash"],
                    found.indexed,
                )
            )
    replaced = [row.id for row in stale if row.indexed is not None]
    search._write_index(conn, stale, replaced=replaced)  # the same tokens, capped text
    return len(stale)


@dataclass
class WriteCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: WriteCounts) -> WriteCounts:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


class ArticleStore:
    """Writes batches of article rows in one transaction each; reads what the crawl needs."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert = _insert(engine)
        # Built once: a statement of ~40 columns costs more to build than to find compiled.
        self._upsert = self._article_upsert()
        self._section_ids: dict[str, int] = {}
        self._publisher_ids: dict[str, int] = {}
        self._aliases: set[str] = set()
        # An SQLite file deleted (or replaced) under a crawl takes writes into the void: its
        # open connections write to the unlinked inode. Each write checks the file is the one
        # opened, before and after committing.
        self._file = sqlite_file(engine.url.render_as_string(hide_password=False))
        self._identity = self._file_identity()

    def _file_identity(self) -> tuple[int, int] | None:
        if self._file is None:
            return None
        try:
            found = os.stat(self._file)
        except OSError:
            return None
        return found.st_dev, found.st_ino

    def check_database(self) -> None:
        """Raise DatabaseLost if the SQLite file is not the one this store opened."""
        if self._file is not None and self._file_identity() != self._identity:
            raise DatabaseLost(f"the database file {self._file} was deleted or replaced")

    def healthy(self) -> bool:
        """Whether the database takes a query now (the file is the one opened, the table is
        there): tells a poison row, which fails alone, from a database that is gone."""
        try:
            self.check_database()
            with self.engine.connect() as conn:
                conn.execute(select(Article.id).limit(0)).all()
        except Exception:  # whatever it is, the database is not usable
            return False
        return True

    def write(
        self, rows: Iterable[dict[str, Any]], written_at: datetime | None = None
    ) -> WriteCounts:
        """Upsert article rows (keys: Article columns plus 'authors', a list of names).

        `written_at` (default: now) is the write's time, stamped on what it stores. A write
        tried again with the same time, after a writer that died once it had committed (its
        answer lost), counts its rows as that write did: new as new, changed as changed."""
        # the last version of a URL in a batch wins
        by_url = {row["url"]: storable(row) for row in rows}
        if not by_url:
            return WriteCounts()
        self.check_database()
        try:
            counts = self._write(by_url, written_at or datetime.now(SHANGHAI))
        except BaseException:
            # Ids and aliases cached inside a rolled-back transaction may not exist.
            self._section_ids.clear()
            self._publisher_ids.clear()
            self._aliases.clear()
            raise
        self.check_database()  # committed into a file deleted meanwhile: not stored
        return counts

    def quarantine(self, url: str | None, reason: str, row: dict[str, Any]) -> None:
        """Keep a row that cannot be stored, with why (`row` must be JSON-serialisable)."""
        self.check_database()
        table = QuarantinedArticle.__table__
        values = {
            "url": url,
            "reason": reason,
            "row": row,
            "quarantined_at": datetime.now(SHANGHAI),
        }
        with self.engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
            conn.execute(table.insert().values(**values))
        self.check_database()

    def _write(self, by_url: dict[str, dict[str, Any]], now: datetime) -> WriteCounts:
        counts = WriteCounts()
        with self.engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
            existing = self._existing(conn, list(by_url))
            replaced: list[int] = []
            for url, row in by_url.items():
                row["content_hash"] = content_hash(row["title"], row["body"])
                row["section_id"] = self._section_id(conn, row)
                row["publisher_id"] = self._publisher_id(conn, row)
                row["first_seen_at"] = row["last_seen_at"] = now
                old = existing.get(url)
                # first seen or changed at `now`: by this same write, tried before (write())
                if old is None or old.first_seen_at == now:
                    counts.new += 1
                    row["changed_at"] = now
                elif old.content_hash != row["content_hash"]:
                    counts.updated += 1
                    row["changed_at"] = now
                    replaced.append(old.id)
                elif old.changed_at == now:
                    counts.updated += 1
                    row["changed_at"] = now
                else:
                    counts.unchanged += 1
                    row["changed_at"] = old.changed_at
            self._keep_revisions(conn, replaced, now)
            self._upsert_articles(conn, list(by_url.values()))
            self._replace_authors(conn, by_url)
            update_search_index(conn, by_url)
        return counts

    def _article_upsert(self) -> Executable:
        """INSERT ... ON CONFLICT (url) DO UPDATE of every column but id and first_seen_at."""
        table = Article.__table__
        stmt = self._insert(table)
        upsert: Executable = stmt.on_conflict_do_update(
            index_elements=[table.c.url],
            set_={name: stmt.excluded[name] for name in _UPDATED_COLUMNS},
        )
        return upsert

    def _existing(self, conn: Connection, urls: list[str]) -> dict[str, Any]:
        """Stored rows of these URLs: hashes only, bodies stay in the database."""
        table = Article.__table__
        cols = [
            table.c.url,
            table.c.id,
            table.c.content_hash,
            table.c.first_seen_at,
            table.c.changed_at,
        ]
        found = {}
        for chunk in _chunks(urls):
            found.update(
                {r.url: r for r in conn.execute(select(*cols).where(table.c.url.in_(chunk)))}
            )
        return found

    @staticmethod
    def _keep_revisions(conn: Connection, article_ids: list[int], now: datetime) -> None:
        """Copy the stored title and body of articles about to change, inside the database."""
        articles, revisions = Article.__table__, ArticleRevision.__table__
        columns = ["article_id", "title", "body", "content_hash", "replaced_at"]
        for chunk in _chunks(article_ids):
            old = select(
                articles.c.id,
                articles.c.title,
                articles.c.body,
                articles.c.content_hash,
                literal(now, ShanghaiTime()),
            ).where(articles.c.id.in_(chunk))
            conn.execute(revisions.insert().from_select(columns, old))

    def _upsert_articles(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        conn.execute(self._upsert, [{c: row.get(c) for c in _WRITTEN_COLUMNS} for row in rows])

    def _replace_authors(self, conn: Connection, by_url: dict[str, dict[str, Any]]) -> None:
        table = Article.__table__
        ids = {}
        for chunk in _chunks(list(by_url)):
            stmt = select(table.c.url, table.c.id).where(table.c.url.in_(chunk))
            ids.update({url: id_ for url, id_ in conn.execute(stmt)})
        authors = ArticleAuthor.__table__
        for chunk in _chunks(list(ids.values())):
            conn.execute(delete(authors).where(authors.c.article_id.in_(chunk)))
        author_rows = [
            {"article_id": ids[url], "position": position, "name": name, "role": role}
            for url, row in by_url.items()
            for position, (name, role) in enumerate(
                zip(row.get("authors") or [], _roles(row), strict=True)
            )
        ]
        if author_rows:
            conn.execute(authors.insert(), author_rows)

    def _named_id(
        self, conn: Connection, table: Table, cache: dict[str, int], name: str, **values: str
    ) -> int:
        """The id of the row of `table` with this unique name, inserted if new; cached for the
        store's life (cleared when a write rolls back)."""
        if name not in cache:
            insert = self._insert(table).values(name=name, **values)
            conn.execute(insert.on_conflict_do_nothing())
            stmt = select(table.c.id).where(table.c.name == name)
            cache[name] = conn.execute(stmt).scalar_one()
        return cache[name]

    def _section_id(self, conn: Connection, row: dict[str, Any]) -> int | None:
        name = row.get("section")
        if not name:
            return None
        path = " > ".join(row.get("section_path") or [name])
        return self._named_id(conn, Section.__table__, self._section_ids, name, path=path)

    def _publisher_id(self, conn: Connection, row: dict[str, Any]) -> int | None:
        name = row.get("source")
        if not name:
            return None
        publisher_id = self._named_id(conn, Publisher.__table__, self._publisher_ids, name)
        raw = cap_bytes(row.get("source_raw") or "")  # the alias is a key: indexed
        if raw and raw != name and raw not in self._aliases:
            self._aliases.add(raw)
            aliases = PublisherAlias.__table__
            conn.execute(
                self._insert(aliases)
                .values(alias=raw, publisher_id=publisher_id)
                .on_conflict_do_nothing()
            )
        return publisher_id

    def stored_urls(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(select(Article.url)).scalars())

    def stored_titles(self) -> dict[str, str]:
        """url -> stored title of every article, for telling a list page's retitles apart.

        Titles rather than hashes: a list page that shortens a title (前缀…) is checked as a
        prefix of the stored one. Two columns streamed, no bodies read.
        """
        stmt = select(Article.url, Article.title).execution_options(yield_per=10_000)
        with self.engine.connect() as conn:
            return {url: title for url, title in conn.execute(stmt)}

    def dangling_chain_urls(self, unfetchable_since: datetime) -> list[str]:
        """Neighbours named by stored articles but not stored: where chains resume.

        Links found unfetchable since `unfetchable_since` are left out.
        """
        table = Article.__table__
        stored = table.alias("stored")
        found: list[str] = []
        with self.engine.connect() as conn:
            for column in (table.c.prev_url, table.c.next_url):
                stmt = (
                    select(column)
                    .distinct()
                    .outerjoin(stored, stored.c.url == column)
                    .where(
                        column.is_not(None),
                        stored.c.id.is_(None),
                        column.not_in(self._unfetchable_since(unfetchable_since)),
                    )
                )
                found.extend(conn.execute(stmt).scalars())
        return sorted(set(found))

    def chain_end_urls(self) -> set[str]:
        """Stored articles at the end of a chain (没有了 on one side)."""
        stmt = select(Article.url).where(Article.prev_url.is_(None) | Article.next_url.is_(None))
        with self.engine.connect() as conn:
            return set(conn.execute(stmt).scalars())

    @staticmethod
    def _unfetchable_since(since: datetime) -> Select[str]:
        links = UnfetchableLink.__table__
        return select(links.c.url).where(links.c.checked_at >= since)

    def unfetchable_urls(self, since: datetime) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(self._unfetchable_since(since)).scalars())

    def record_unfetchable(self, links: dict[str, str]) -> None:
        """Remember links that led to no article (url -> reason), as of now."""
        if not links:
            return
        now = datetime.now(SHANGHAI)
        table = UnfetchableLink.__table__
        rows = [{"url": url, "reason": reason, "checked_at": now} for url, reason in links.items()]
        stmt = self._insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.url],
            set_={"reason": stmt.excluded.reason, "checked_at": stmt.excluded.checked_at},
        )
        with self.engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
            conn.execute(stmt, rows)

    def urls_published_since(self, since: datetime) -> list[str]:
        stmt = select(Article.url).where(Article.published_at >= since).order_by(Article.url)
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())
