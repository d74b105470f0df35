"""Which date is an article's: meta line, then meta tags, then the URL, each held to the fetch."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from pipelines.date_parse import normalize_date, read_date
from pipelines.date_patterns import URL_DATES
from pipelines.date_validate import (
    FUTURE_TOLERANCE,
    OutOfRange,
    ParsedDate,
    aware,
    real_day,
    shanghai_now,
)
from xzcrawler.items import DateFlag, DateOrigin


@dataclass(frozen=True)
class PublishedDate:
    """published_at with where it came from, or why there is none (flag)."""

    value: datetime | None
    has_time: bool | None
    origin: DateOrigin | None
    flag: DateFlag | None


def url_date(url: str | None) -> ParsedDate | None:
    """The date in an article URL's path (/2020/1112/, /20201112/, /2020-11/12/), day-level."""
    if not url:
        return None
    path = urlsplit(url).path
    for pattern in URL_DATES:
        for m in pattern.finditer(path):
            day = real_day(
                int(m.group("y")),
                int(m.group("m") or m.group("m2")),
                int(m.group("d") or m.group("d2")),
            )
            if day is not None:
                return aware(day, None)
    return None


def _dates_in_order(
    date_raw: str | None, meta_date_raw: str | None, url: str | None, anchor: datetime
) -> Iterator[tuple[DateOrigin, ParsedDate | OutOfRange | None]]:
    """Each place's date, read only when the places before it gave none to believe."""
    yield DateOrigin.META_LINE, read_date(date_raw, now=anchor)
    yield DateOrigin.META_TAG, read_date(meta_date_raw, now=anchor)
    yield DateOrigin.URL, url_date(url)


def published_date(
    date_raw: str | None, meta_date_raw: str | None, url: str | None, *, now: datetime | None
) -> PublishedDate:
    """The first believable date of meta line, meta tags, URL path, in that order.

    A date whose year is before YEAR_MIN or after the year following `now`'s (99999年1月1日,
    1899-12-31), or more than FUTURE_TOLERANCE after `now`, is not believed and the next place
    is tried; when nothing is left, the flag says why of the first place that held a date:
    OUT_OF_RANGE or FUTURE; or UNREADABLE (some raw text held no date). No raw text and no URL
    date: all None.
    """
    anchor = shanghai_now(now)
    flag: DateFlag | None = None
    origin_of_flag: DateOrigin | None = None
    for origin, found in _dates_in_order(date_raw, meta_date_raw, url, anchor):
        if found is None:
            continue
        if isinstance(found, OutOfRange) or found.value.year > anchor.year + 1:
            problem = DateFlag.OUT_OF_RANGE
        elif found.value > anchor + FUTURE_TOLERANCE:
            problem = DateFlag.FUTURE
        else:
            return PublishedDate(found.value, found.has_time, origin, None)
        if flag is None:
            flag, origin_of_flag = problem, origin
    if flag is None and any(isinstance(r, str) and r.strip() for r in (date_raw, meta_date_raw)):
        flag = DateFlag.UNREADABLE
    return PublishedDate(None, None, origin_of_flag, flag)


def updated_time(updated_raw: str | None, *, now: datetime | None) -> datetime | None:
    """The update time (最后更新, 更新时间) read exactly as the meta line's date is.

    Kept apart from published_at: an edit must not move an article in time. Like a published
    date, one more than FUTURE_TOLERANCE after `now` (the fetch) is not believed.
    """
    if not isinstance(updated_raw, str) or not updated_raw.strip():
        return None
    anchor = shanghai_now(now)
    value = normalize_date(updated_raw, now=anchor)
    if value is None or value > anchor + FUTURE_TOLERANCE:
        return None
    return value
