"""The database schema: SQLAlchemy 2.0 typed models.

Text the parser reads from a page is `Text`, never `String(N)`: a page decides its length, and
one long 来源 must not reject its batch (PostgreSQL enforces varchar lengths). Indexed text is cut
to what a PostgreSQL btree entry holds by the storage layer (storage.INDEXED_MAX_BYTES).

Times are stored as UTC and read back as Asia/Shanghai: SQLite's DateTime drops the offset
(docs/field-notes.md), so the conversion happens here, at the edge, for every backend alike.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from xzcrawler.items import SHANGHAI as SHANGHAI  # re-exported: the zone of every stored time


class ShanghaiTime(TypeDecorator[datetime]):
    """An aware datetime stored as naive UTC, returned in Asia/Shanghai."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: times must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value  # naive UTC, as process_bind_param wrote it
        return stored.replace(tzinfo=UTC).astimezone(SHANGHAI)


class Base(DeclarativeBase):
    # Every model here maps one Table (not another FromClause): Core statements on it type-check.
    __table__: ClassVar[Table]


class Section(Base):
    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    path: Mapped[str] = mapped_column(Text, doc="breadcrumb below 首页, joined by ' > '")


class Publisher(Base):
    __tablename__ = "publishers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    aliases: Mapped[list[PublisherAlias]] = relationship(back_populates="publisher")


class PublisherAlias(Base):
    """A raw source text seen on a page and the publisher it names."""

    __tablename__ = "publisher_aliases"

    alias: Mapped[str] = mapped_column(Text, primary_key=True)
    publisher_id: Mapped[int] = mapped_column(ForeignKey("publishers.id"), index=True)
    publisher: Mapped[Publisher] = relationship(back_populates="aliases")


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    title: Mapped[str] = mapped_column(Text)
    section: Mapped[str | None] = mapped_column(Text, index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"), index=True)
    section_path: Mapped[list[str]] = mapped_column(JSON, default=list)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    images: Mapped[list[str]] = mapped_column(JSON, default=list)
    original_url: Mapped[str | None] = mapped_column(Text)
    prev_url: Mapped[str | None] = mapped_column(Text, index=True)
    prev_title: Mapped[str | None] = mapped_column(Text)
    next_url: Mapped[str | None] = mapped_column(Text, index=True)
    next_title: Mapped[str | None] = mapped_column(Text)

    published_at: Mapped[datetime | None] = mapped_column(ShanghaiTime, index=True)
    # 最后更新 / 更新时间 printed beside the publication time: a field of its own, so an edited
    # article never moves in time.
    updated_at: Mapped[datetime | None] = mapped_column(ShanghaiTime)
    date_has_time: Mapped[bool | None] = mapped_column(Boolean)
    date_origin: Mapped[str | None] = mapped_column(Text)
    date_flag: Mapped[str | None] = mapped_column(Text)
    date_raw: Mapped[str | None] = mapped_column(Text)
    meta_date_raw: Mapped[str | None] = mapped_column(Text)
    dateline_agency: Mapped[str | None] = mapped_column(Text)
    dateline_place: Mapped[str | None] = mapped_column(Text)
    dateline_date: Mapped[date | None] = mapped_column(Date)
    reporters: Mapped[list[str]] = mapped_column(JSON, default=list)

    author: Mapped[str | None] = mapped_column(Text)
    author_raw: Mapped[str | None] = mapped_column(Text)
    editor: Mapped[str | None] = mapped_column(Text)
    editor_raw: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text, index=True)
    source_raw: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    publisher_id: Mapped[int | None] = mapped_column(ForeignKey("publishers.id"), index=True)

    content_hash: Mapped[str] = mapped_column(String(64))
    # Fields cut to fit an index (storage.INDEXED_MAX_BYTES), by name; null when none was.
    capped_fields: Mapped[list[str] | None] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(ShanghaiTime)
    first_seen_at: Mapped[datetime] = mapped_column(ShanghaiTime)
    last_seen_at: Mapped[datetime] = mapped_column(ShanghaiTime)
    changed_at: Mapped[datetime] = mapped_column(ShanghaiTime)

    authors: Mapped[list[ArticleAuthor]] = relationship(
        order_by="ArticleAuthor.position", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[ArticleRevision]] = relationship(
        order_by="ArticleRevision.id", cascade="all, delete-orphan"
    )


class ArticleAuthor(Base):
    """One author of an article, in page order, so users can group without string matching."""

    __tablename__ = "article_authors"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text, index=True)
    role: Mapped[str | None] = mapped_column(Text, doc="记者, 通讯员, 文, 图 ... or none")


class ArticleRevision(Base):
    """The previous title and body of an article whose content changed on a later crawl."""

    __tablename__ = "article_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    replaced_at: Mapped[datetime] = mapped_column(ShanghaiTime)


class UnfetchableLink(Base):
    """A link that led to no article: gone (404/410) or refused by robots.txt or offsite.

    Incremental runs neither count it as new on a list page nor resume a chain through it
    until it is due to be tried again.
    """

    __tablename__ = "unfetchable_links"

    url: Mapped[str] = mapped_column(Text, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(ShanghaiTime)


class QuarantinedArticle(Base):
    """An article row that could not be stored even alone (or an unreadable spool line): kept
    whole, with why, so it neither blocks its batch nor later runs. Its URL is also in the run
    record's failed_pages."""

    __tablename__ = "quarantined_articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    row: Mapped[dict[str, Any]] = mapped_column(JSON)
    quarantined_at: Mapped[datetime] = mapped_column(ShanghaiTime, index=True)


class CrawlRun(Base):
    """One crawl, written by the CLI from our own accounting (Scrapy exits 0 on lost items)."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(ShanghaiTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(ShanghaiTime)
    mode: Mapped[str] = mapped_column(String(20))
    portal_url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    articles_new: Mapped[int] = mapped_column(Integer, default=0)
    articles_updated: Mapped[int] = mapped_column(Integer, default=0)
    articles_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    articles_dropped: Mapped[int] = mapped_column(Integer, default=0)
    unreadable_dates: Mapped[int] = mapped_column(Integer, default=0)
    http_errors: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    failed_pages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    field_fill: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    chain_health: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    # health.extraction_summary: article pages fetched vs stored, dropped, unparsable; parse
    # errors per field; fill rates per template signature
    extraction: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    exit_code: Mapped[int | None] = mapped_column(Integer)


Index("ix_articles_section_published", Article.section, Article.published_at)
