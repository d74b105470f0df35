"""Parts of a date made into one exact value, or refused: the calendar, the zone, the range.

Every result is aware with the offset +08:00 exactly (China Standard Time, CHINA_TIME). A wall
time is read in Asia/Shanghai, summer time of 1986-1991 included, except before 1901, where the
tz database gives Shanghai's local mean time (+08:05:43) and China time is read as +08:00. A date
without a time is midnight with `has_time` False, so nobody mistakes it for an article published
at 00:00.

A date form whose year no article can have (99999年1月1日, 1066-10-14, 2500-01-01) reads as
OutOfRange, not as nothing: its month and day are never taken for this year's, and the
published date is flagged DateFlag.OUT_OF_RANGE with the raw text kept.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from pipelines.date_patterns import PM_WORDS, ZONE_HOURS, ZONE_OFFSET
from xzcrawler.items import SHANGHAI

# The offset of every datetime produced here. Asia/Shanghai only reads wall times from 1901 on.
CHINA_TIME = timezone(timedelta(hours=8), "CST")
_STANDARD_TIME_FROM = date(1901, 1, 1)
# Clock skew between the portal and us: a date up to a day ahead of the fetch is still believed.
FUTURE_TOLERANCE = timedelta(days=1)
# Outside these years a number that looks like a date is a typo or an ID, not a publication date.
# A published date is held to a tighter bound still: no later than the year after the fetch's.
YEAR_MIN, YEAR_MAX = 1900, 2199


@dataclass(frozen=True)
class ParsedDate:
    """A date read from text: aware at +08:00; has_time False means midnight stands in."""

    value: datetime
    has_time: bool


def year_number(digits: str) -> int:
    """The year a run of digits names; int() refuses thousands of digits, and any year of ten
    digits is out of range anyway."""
    return int(digits) if len(digits) < 10 else 10**9


@dataclass(frozen=True)
class OutOfRange:
    """A date form (year, month, day) whose year is outside YEAR_MIN..YEAR_MAX."""

    year: int


Read = ParsedDate | OutOfRange | None


def calendar_day(year: int, month: int, day: int) -> date | OutOfRange | None:
    """The day; OutOfRange for a real month and day in a year outside YEAR_MIN..YEAR_MAX."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        # 2000 is a leap year: 02-29 is a real month and day.
        return OutOfRange(year) if real_day(2000, month, day) is not None else None
    return real_day(year, month, day)


def shanghai_now(now: datetime | None) -> datetime:
    """The anchor for relative forms, at +08:00; a naive `now` is taken as Shanghai wall time."""
    if now is None:
        now = datetime.now(SHANGHAI)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=SHANGHAI)
    return now.astimezone(CHINA_TIME).replace(microsecond=0)


def zone(tz: str | None) -> timezone | None:
    """+08:00, +0800, +8, Z, GMT, UTC+8, CST -> a fixed offset; None when the text names none."""
    if not tz:
        return None
    tz = tz.strip().upper()
    if tz in ZONE_HOURS:
        return timezone(timedelta(hours=ZONE_HOURS[tz]))
    name = tz.rstrip("+-:0123456789")
    m = ZONE_OFFSET.search(tz[len(name) :])
    if name not in ("", "UTC", "GMT") or m is None:
        return None
    sign = -1 if m.group(1) == "-" else 1
    offset = timedelta(
        hours=int(m.group(2)), minutes=int(m.group(3) or 0), seconds=int(m.group(4) or 0)
    )
    return timezone(sign * offset) if offset < timedelta(hours=24) else None


def read_clock(m: re.Match[str]) -> time | None:
    """The time of day a _TIME group matched, with 下午/PM applied; None when absent or invalid."""
    if m.group("H") is None:
        return None
    hour, minute = int(m.group("H")), int(m.group("M"))
    second = int(m.group("S") or m.group("S2") or 0)
    ampm = m.group("ampm") or (m.group("ampm2") or "").replace(".", "").upper()
    if (ampm in PM_WORDS or ampm == "PM" or (ampm == "中午" and hour < 11)) and hour < 12:
        hour += 12
    elif ampm in ("AM", "凌晨") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def china_time(value: datetime) -> datetime:
    """The same instant at +08:00; a naive value is a wall time in China (see the module)."""
    if value.tzinfo is None:
        zone = SHANGHAI if value.date() >= _STANDARD_TIME_FROM else CHINA_TIME
        value = value.replace(tzinfo=zone)
    # Through UTC, so a wall time that Shanghai's 1986-1991 summer time skipped comes out real.
    return value.astimezone(UTC).astimezone(CHINA_TIME)


def aware(day: date, clock: time | None, tz: timezone | None = None) -> ParsedDate | None:
    """Join a day and an optional time into a datetime at +08:00; None outside YEAR_MIN..YEAR_MAX.

    Without `tz` the time is China's wall time (Asia/Shanghai; +08:00 before 1901).
    """
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        return None
    value = datetime.combine(day, clock or time(), tz)
    return ParsedDate(china_time(value), has_time=clock is not None)


def real_day(year: int, month: int, day: int) -> date | None:
    """The day, or None where the calendar has none (02-30): text is not trusted to be one."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def months_before(day: date, months: int) -> date | None:
    """Calendar months back, the day clamped to the month's end (3月31日 - 1个月 = 2月28日/29日)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    if not YEAR_MIN <= year <= YEAR_MAX:
        return None
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
