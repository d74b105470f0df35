"""The one item the crawler produces: an article page, raw fields beside normalised ones.

Spiders fill the raw fields from the parser; pipelines fill the normalised ones in order
(dates, then sources and authors, then storage). Everything reads and writes it through
ItemAdapter, so the pipelines do not care that it is a dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

# The portal's time: every aware datetime of an article is in it.
SHANGHAI = ZoneInfo("Asia/Shanghai")


class DateOrigin(StrEnum):
    """Where published_at was read from, in the order it is looked for."""

    META_LINE = "meta_line"
    META_TAG = "meta_tag"
    URL = "url"


class DateFlag(StrEnum):
    """Why a raw date was not stored as published_at."""

    UNREADABLE = "unreadable"
    FUTURE = "future"
    # A year no article can have: before 1900, after the year after the fetch, or none (99999).
    OUT_OF_RANGE = "out_of_range"


@dataclass
class Article:
    # Filled by the spider from xzcrawler.parsing
    url: str
    fetched_at: datetime
    title: str | None = None
    section: str | None = None
    section_path: list[str] = field(default_factory=list)
    body: str | None = None
    body_html: str | None = None
    images: list[str] = field(default_factory=list)
    original_url: str | None = None
    prev_url: str | None = None
    prev_title: str | None = None
    next_url: str | None = None
    next_title: str | None = None
    date_raw: str | None = None
    meta_date_raw: str | None = None
    author_raw: str | None = None
    source_raw: str | None = None
    source_url: str | None = None
    editor_raw: str | None = None
    updated_raw: str | None = None  # 最后更新 / 更新时间: never the publication date
    byline_raw: str | None = None  # a credit in the body (【文/…】, 本报讯（记者 X）)
    page_urls: list[str] = field(default_factory=list)  # further pages of a split article
    template: str | None = None  # signature of the page's layout, for fill rates per template
    parse_errors: dict[str, str] = field(default_factory=dict)  # field -> why it was not read

    # Filled by pipelines.dates.DatesPipeline
    published_at: datetime | None = None
    date_has_time: bool | None = None
    date_origin: DateOrigin | None = None
    date_flag: DateFlag | None = None
    dateline_agency: str | None = None
    dateline_place: str | None = None
    dateline_date: date | None = None
    reporters: list[str] = field(default_factory=list)
    updated_at: datetime | None = None

    # Filled by pipelines.sources.SourcesPipeline
    source: str | None = None
    authors: list[str] = field(default_factory=list)
    author_roles: list[str | None] = field(default_factory=list)  # 记者, 通讯员, 文, 图 ...
    author: str | None = None
    editor: str | None = None

    # Left by a page reader that normalised the article (pipelines/normalise.py): per pipeline
    # stats prefix, what that pipeline is to count. Empty: the pipelines normalise it.
    notes: dict[str, list[tuple[str | None, object]]] = field(default_factory=dict)
