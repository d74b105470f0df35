"""Published dates and datelines: every form the portal's templates write, read exactly and fast.

Why a fast path of our own: dateparser costs 0.5-2 ms a call, reads `11-12 10:35` as 2011 with
only Chinese enabled and gives nothing for a whole meta line (docs/field-notes.md).
Precompiled patterns read the common forms in microseconds; dateparser only sees what they do
not know, and is loaded on first need because its first call alone takes a quarter of a second.

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
import functools
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from itemadapter import ItemAdapter

from xzcrawler.items import DateFlag, DateOrigin

if TYPE_CHECKING:
    from dateparser.date import DateDataParser
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The offset of every datetime produced here. Asia/Shanghai only reads wall times from 1901 on.
CHINA_TIME = timezone(timedelta(hours=8), "CST")
_STANDARD_TIME_FROM = date(1901, 1, 1)
# Clock skew between the portal and us: a date up to a day ahead of the fetch is still believed.
FUTURE_TOLERANCE = timedelta(days=1)
# Outside these years a number that looks like a date is a typo or an ID, not a publication date.
# A published date is held to a tighter bound still: no later than the year after the fetch's.
YEAR_MIN, YEAR_MAX = 1900, 2199

# --- Text preparation ------------------------------------------------------------------------

_CN_DIGITS = {
    "〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "两": "2", "三": "3",
    "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
}  # fmt: skip
# Chinese numerals count only before a date or duration unit: 十九届 and 三个代表 stay text.
_CN_NUMBER = re.compile(
    r"[〇○零一二两三四五六七八九十]+(?=\s*(?:年|月|日|号|时|点|分|秒|天|小时|周|星期|个))"
)


def _cn_number(numeral: str) -> str:
    """二〇二〇 -> 2020 (digit by digit), 十二 -> 12, 三十一 -> 31; anything else stays as it is."""
    if "十" not in numeral:
        return "".join(_CN_DIGITS[c] for c in numeral)
    tens, _, ones = numeral.partition("十")
    if len(tens) > 1 or len(ones) > 1 or ones == "十":
        return numeral
    return str(int(_CN_DIGITS.get(tens, "1")) * 10 + int(_CN_DIGITS.get(ones, "0")))


def _prepare(raw: str) -> str:
    """NFKC folds full-width digits, colons, slashes and U+3000 to ASCII; then 十二月 -> 12月."""
    text = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    if not text.isascii():
        text = _CN_NUMBER.sub(lambda m: _cn_number(m.group()), text)
    return text


# --- Patterns of the fast path ---------------------------------------------------------------
# Possessive quantifiers (\s*+) keep every pattern linear on arbitrary text.

_TIME = r"""
    (?:
        (?:\s*+T|\s*+\(?(?:星期|周|礼拜)[一二三四五六日天]\)?)?
        \s*+(?P<ampm>上午|下午|中午|晚上|凌晨|早上|傍晚)?
        \s*+(?P<H>\d{1,2})\s*+[:时点]\s*+(?P<M>\d{2}|\d(?!\d))\s*+分?
        (?:\s*+:\s*+(?P<S>\d{1,2})(?:\.\d+)?|\s*+(?P<S2>\d{1,2})\s*+秒)?
        (?:\s*+(?P<ampm2>[AaPp]\.?[Mm]\b\.?))?
        (?P<tz>Z(?![A-Za-z])
            |[+-]\d{2}(?::?\d{2}){0,2}(?!\d)
            |\s[+-]\d{4}(?!\d)
            |\s?(?:UTC|GMT)(?:[+-]\d{1,2}(?::?\d{2})?)?
        )?
    )?
"""
_YMD = re.compile(
    r"""(?<!\d)(?P<y>\d{4,}+)
    (?:\s*+(?P<sep>[-/.])\s*+(?P<m>\d{1,2})\s*+(?P=sep)\s*+(?P<d>\d{1,2})(?!\d)
      |\s*+年\s*+(?P<m2>\d{1,2})\s*+月\s*+(?P<d2>\d{1,2})(?:\s*+[日号]|(?!\d)))"""
    + _TIME,
    re.VERBOSE | re.ASCII,
)
# Meta tags now and then carry 20201112 or 20201112103508 and nothing else.
_COMPACT = re.compile(r"\s*(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?\s*", re.ASCII)
# List pages and some meta lines give [11-12] or 11月12日 10:35 without a year.
_MONTH_DAY = re.compile(
    r"""(?<!\d)(?<!\d[.:/-])(?P<m>\d{1,2})
    (?:\s*+[-/]\s*+(?P<d>\d{1,2})(?![\d/.-])|\s*+月\s*+(?P<d2>\d{1,2})(?:\s*+[日号]|(?!\d)))"""
    + _TIME,
    re.VERBOSE | re.ASCII,
)
_RELATIVE = re.compile(
    r"""(?P<just>刚刚|刚才)
    |(?P<half>半)\s*+个?\s*+小时\s*+以?前
    |(?P<n>\d{1,4})\s*+个?\s*+(?P<unit>秒钟?|分钟|小时|钟头|天|日|周|星期|礼拜|月|年)\s*+以?前
    |(?P<day>今天|今日|昨天|昨日|前天)"""
    + _TIME,
    re.VERBOSE | re.ASCII,
)
_MONTH_NAMES = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_WEEKDAY_NAMES = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"
# RFC 2822 (meta tags, feeds): Thu, 12 Nov 2020 10:35:08 +0800
_RFC2822 = re.compile(
    rf"""(?:(?:{_WEEKDAY_NAMES})[a-z]*,?\s++)?
    (?<!\d)(?P<d>\d{{1,2}})\s++(?P<mon>{_MONTH_NAMES})[a-z]*\.?\s++(?P<y>\d{{4}})
    (?:\s++(?P<H>\d{{1,2}}):(?P<M>\d{{2}})(?::(?P<S>\d{{2}}))?)?
    (?:\s*+(?P<tz>[+-]\d{{4}}|GMT|UTC?|Z|[ECMP][SD]T)\b)?""",
    re.VERBOSE | re.ASCII | re.IGNORECASE,
)
# Java's Date.toString, printed by JSP CMSes: Thu Nov 12 10:35:08 CST 2020
_JAVA = re.compile(
    rf"""(?:{_WEEKDAY_NAMES})\s++(?P<mon>{_MONTH_NAMES})\s++(?P<d>\d{{1,2}})\s++
    (?P<H>\d{{1,2}}):(?P<M>\d{{2}}):(?P<S>\d{{2}})\s++
    (?P<tz>[A-Z]{{2,5}}(?:[+-]\d{{2}}:?\d{{2}})?)\s++
    (?P<y>\d{{4}})""",
    re.VERBOSE | re.ASCII | re.IGNORECASE,
)
_MONTH_NUMBER = {name.lower(): n for n, name in enumerate(_MONTH_NAMES.split("|"), start=1)}
# CST is China Standard Time on the servers that write these pages, not US Central.
_ZONE_HOURS = {
    "Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "CST": 8,
    "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip
# Seconds too: Python writes Shanghai's pre-1901 mean solar time as +08:05:43.
_ZONE_OFFSET = re.compile(r"([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$", re.ASCII)
# The meta line may name an update time before the publication time; look after these first.
_PUBLISHED_LABEL = re.compile(r"发布|发表|发稿")
_PM = ("下午", "晚上", "傍晚")
_LETTERS = re.compile(r"[A-Za-z]{3}")


@dataclass(frozen=True)
class ParsedDate:
    """A date read from text: aware at +08:00; has_time False means midnight stands in."""

    value: datetime
    has_time: bool


@dataclass(frozen=True)
class OutOfRange:
    """A date form (year, month, day) whose year is outside YEAR_MIN..YEAR_MAX."""

    year: int


_Read = ParsedDate | OutOfRange | None


def _year(digits: str) -> int:
    # int() refuses numbers of thousands of digits; any year of ten digits is out of range anyway.
    return int(digits) if len(digits) < 10 else 10**9


def _calendar_day(year: int, month: int, day: int) -> date | OutOfRange | None:
    """The day; OutOfRange for a real month and day in a year outside YEAR_MIN..YEAR_MAX."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        # 2000 is a leap year: 02-29 is a real month and day.
        return OutOfRange(year) if _day(2000, month, day) is not None else None
    return _day(year, month, day)


def _shanghai_now(now: datetime | None) -> datetime:
    """The anchor for relative forms, at +08:00; a naive `now` is taken as Shanghai wall time."""
    if now is None:
        now = datetime.now(SHANGHAI)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=SHANGHAI)
    return now.astimezone(CHINA_TIME).replace(microsecond=0)


def _zone(tz: str | None) -> timezone | None:
    """+08:00, +0800, +8, Z, GMT, UTC+8, CST -> a fixed offset; None when the text names none."""
    if not tz:
        return None
    tz = tz.strip().upper()
    if tz in _ZONE_HOURS:
        return timezone(timedelta(hours=_ZONE_HOURS[tz]))
    name = tz.rstrip("+-:0123456789")
    m = _ZONE_OFFSET.search(tz[len(name) :])
    if name not in ("", "UTC", "GMT") or m is None:
        return None
    sign = -1 if m.group(1) == "-" else 1
    offset = timedelta(
        hours=int(m.group(2)), minutes=int(m.group(3) or 0), seconds=int(m.group(4) or 0)
    )
    return timezone(sign * offset) if offset < timedelta(hours=24) else None


def _clock(m: re.Match[str]) -> time | None:
    """The time of day a _TIME group matched, with 下午/PM applied; None when absent or invalid."""
    if m.group("H") is None:
        return None
    hour, minute = int(m.group("H")), int(m.group("M"))
    second = int(m.group("S") or m.group("S2") or 0)
    ampm = m.group("ampm") or (m.group("ampm2") or "").replace(".", "").upper()
    if (ampm in _PM or ampm == "PM" or (ampm == "中午" and hour < 11)) and hour < 12:
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


def _aware(day: date, clock: time | None, tz: timezone | None = None) -> ParsedDate | None:
    """Join a day and an optional time into a datetime at +08:00; None outside YEAR_MIN..YEAR_MAX.

    Without `tz` the time is China's wall time (Asia/Shanghai; +08:00 before 1901).
    """
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        return None
    value = datetime.combine(day, clock or time(), tz)
    return ParsedDate(china_time(value), has_time=clock is not None)


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _absolute(match: re.Match[str] | None) -> _Read:
    if match is None:
        return None
    day = _calendar_day(
        _year(match.group("y")),
        int(match.group("m") or match.group("m2")),
        int(match.group("d") or match.group("d2")),
    )
    if not isinstance(day, date):
        return day
    clock = _clock(match)
    return _aware(day, clock, _zone(match.group("tz")) if clock else None)


def _year_month_day(text: str) -> _Read:
    """2020-11-12 10:35:08, 2020/11/12, 2020.11.12, 2020年11月12日10时35分, ISO 8601 with offset."""
    label = _PUBLISHED_LABEL.search(text)
    if label is not None:
        found = _absolute(_YMD.search(text, label.end()))
        if found is not None:
            return found
    return _absolute(_YMD.search(text))


def _compact(text: str) -> _Read:
    m = _COMPACT.fullmatch(text)
    if m is None:
        return None
    y, mo, d, hh, mi, ss = m.groups()
    day = _calendar_day(int(y), int(mo), int(d))
    if not isinstance(day, date):
        return day
    clock = None
    if hh is not None and int(hh) < 24 and int(mi) < 60 and int(ss or 0) < 60:
        clock = time(int(hh), int(mi), int(ss or 0))
    return _aware(day, clock)


def _month_day(text: str, now: datetime) -> ParsedDate | None:
    """11-12 10:35 or 11月12日: this year, or last year where this year's would be in the future."""
    m = _MONTH_DAY.search(text)
    if m is None:
        return None
    month, day_of_month = int(m.group("m")), int(m.group("d") or m.group("d2"))
    clock = _clock(m)
    for year in (now.year, now.year - 1):
        day = _day(year, month, day_of_month)
        if day is None:
            continue
        found = _aware(day, clock)
        if found is not None and found.value <= now + FUTURE_TOLERANCE:
            return found
    return None


def _months_before(day: date, months: int) -> date | None:
    """Calendar months back, the day clamped to the month's end (3月31日 - 1个月 = 2月28日/29日)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    if not YEAR_MIN <= year <= YEAR_MAX:
        return None
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _relative(text: str, now: datetime) -> ParsedDate | None:
    """刚刚, 5分钟前, 3小时前, 今天 10:35, 昨天, 前天, 3天前, 2周前, 1个月前, against `now`."""
    m = _RELATIVE.search(text)
    if m is None:
        return None
    if m.group("just"):
        return ParsedDate(now, has_time=True)
    if m.group("half"):
        return ParsedDate(now - timedelta(minutes=30), has_time=True)
    if m.group("day"):
        days_back = {"今": 0, "昨": 1, "前": 2}[m.group("day")[0]]
        return _aware(now.date() - timedelta(days=days_back), _clock(m))
    n, unit = int(m.group("n")), m.group("unit")
    if unit.startswith("秒"):
        return ParsedDate(now - timedelta(seconds=n), has_time=True)
    if unit == "分钟":
        return ParsedDate(now - timedelta(minutes=n), has_time=True)
    if unit in ("小时", "钟头"):
        return ParsedDate(now - timedelta(hours=n), has_time=True)
    if unit in ("天", "日"):
        return _aware(now.date() - timedelta(days=n), None)
    if unit in ("周", "星期", "礼拜"):
        return _aware(now.date() - timedelta(weeks=n), None)
    day = _months_before(now.date(), n * 12 if unit == "年" else n)
    return _aware(day, None) if day is not None else None


def _english(text: str) -> _Read:
    """RFC 2822 from meta tags and feeds, and Java's Date.toString from JSP templates."""
    m = _RFC2822.search(text) or _JAVA.search(text)
    if m is None:
        return None
    month = _MONTH_NUMBER[m.group("mon")[:3].lower()]
    day = _calendar_day(int(m.group("y")), month, int(m.group("d")))
    if not isinstance(day, date):
        return day
    if m.group("H") is None:
        return _aware(day, None)
    hour, minute, second = int(m.group("H")), int(m.group("M")), int(m.group("S") or 0)
    if hour > 23 or minute > 59 or second > 59:
        return _aware(day, None)
    return _aware(day, time(hour, minute, second), _zone(m.group("tz")))


def _read_fast(raw: str | None, now: datetime | None) -> _Read:
    if not isinstance(raw, str):
        return None
    text = _prepare(raw)
    # A year-month-day form is read first, out of range or not: 99999年1月1日 is not 1月1日.
    found = _year_month_day(text) or _compact(text)
    if found is None and _LETTERS.search(text):
        found = _english(text)
    if found is None:
        anchor = _shanghai_now(now)
        found = _relative(text, anchor) or _month_day(text, anchor)
    return found


def parse_date_fast(raw: str | None, *, now: datetime | None = None) -> ParsedDate | None:
    """The precompiled patterns alone; parse_date falls back to dateparser where they give None."""
    found = _read_fast(raw, now)
    return found if isinstance(found, ParsedDate) else None


# --- dateparser fallback ---------------------------------------------------------------------

_FALLBACK_LABEL = re.compile(
    r"^\s*(?:发布时间|发布日期|发表时间|发表于|发布于|发稿时间|更新时间|时间|日期"
    r"|published|posted|updated|date)\s*:?\s*",
    re.IGNORECASE,
)
_FALLBACK_NOISE = re.compile(
    r"\s*(?:作者|来源|稿件来源|文章来源|信息来源|出处|转自|编辑|责任编辑|责编|撰稿|记者|点击"
    r"|浏览|阅读|字体|打印|关闭|分享|收藏|【|\||\[)"
)
_FALLBACK_HAS_TIME = re.compile(
    r"\d{1,2}\s*[:时点]\s*\d{1,2}|\d\s*[ap]\.?m\b|小时|分钟|秒|刚"
    r"|\b(?:hours?|minutes?|mins?|seconds?|now)\b",
    re.IGNORECASE | re.ASCII,
)
# Long text is not a date string: dateparser's cost grows with it and it finds dates in anything.
_FALLBACK_MAX_CHARS = 64


@functools.lru_cache(maxsize=16)
def _dateparser(base: datetime) -> DateDataParser:
    """One parser per fetch time: the import and locale loading happen once, later ones ~10 us.

    RELATIVE_BASE is fixed when a DateDataParser is built, so the fetch time is part of the key.
    """
    from dateparser.date import DateDataParser

    return DateDataParser(
        # 'en' for meta tags and feeds; with 'zh' alone, 11-12 10:35 is read as 2011-12-12.
        languages=["zh", "en"],
        settings={
            "RELATIVE_BASE": base,
            "TIMEZONE": "Asia/Shanghai",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DATES_FROM": "past",
            "DATE_ORDER": "YMD",
            # Without a full date, dateparser reads a page count or `第3版` as this month's day.
            "REQUIRE_PARTS": ["day", "month", "year"],
        },
    )


def parse_date_dateparser(raw: str | None, *, now: datetime | None = None) -> ParsedDate | None:
    """dateparser on the raw text, stripped of its label and the meta line noise after it."""
    found = _read_dateparser(raw, now)
    return found if isinstance(found, ParsedDate) else None


def _read_dateparser(raw: str | None, now: datetime | None) -> _Read:
    if not isinstance(raw, str):
        return None
    text = _FALLBACK_LABEL.sub("", _prepare(raw))
    noise = _FALLBACK_NOISE.search(text, 1)
    text = (text[: noise.start()] if noise else text).strip()
    if not text or len(text) > _FALLBACK_MAX_CHARS:
        return None
    anchor = _shanghai_now(now)
    try:
        value = _dateparser(anchor.replace(tzinfo=None)).get_date_data(text).date_obj
    except Exception:  # a third-party parser on page text: its bug must not lose the article
        logger.debug("dateparser failed on %r", text, exc_info=True)
        return None
    if value is None:
        return None
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        return OutOfRange(value.year)
    value = (value if value.tzinfo else value.replace(tzinfo=SHANGHAI)).astimezone(SHANGHAI)
    if _FALLBACK_HAS_TIME.search(text):
        return _aware(value.date(), value.time().replace(microsecond=0))
    return _aware(value.date(), None)


def read_date(raw: str | None, *, now: datetime | None = None) -> _Read:
    """The date in `raw`; OutOfRange for a date form with an impossible year; None for none."""
    found = _read_fast(raw, now)
    return found if found is not None else _read_dateparser(raw, now)


def parse_date(raw: str | None, *, now: datetime | None = None) -> ParsedDate | None:
    """The date in `raw` (a meta line, a meta tag value, a list entry); None where it holds none.

    `now` anchors relative forms and yearless month-days; it defaults to the current time.
    """
    found = read_date(raw, now=now)
    return found if isinstance(found, ParsedDate) else None


def normalize_date(raw: str, *, now: datetime | None = None) -> datetime | None:
    """The entry point docs/interface.md names: the aware datetime (+08:00) in `raw`, or None.
    Never raises."""
    parsed = parse_date(raw, now=now)
    return parsed.value if parsed is not None else None


# --- Published date of an article ------------------------------------------------------------

_URL_DATES = (
    # /20201112/, /t20201112_123.html (government CMS)
    re.compile(r"/t?(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?=[/_])", re.ASCII),
    # /2020/1112/, /2020-11/12/, /2020/11/12/, /art/2020/11/12/
    re.compile(
        r"/(?P<y>(?:19|20)\d{2})[/-]"
        r"(?:(?P<m>\d{2})(?P<d>\d{2})|(?P<m2>\d{1,2})[/-](?P<d2>\d{1,2}))(?=/)",
        re.ASCII,
    ),
)


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
    for pattern in _URL_DATES:
        for m in pattern.finditer(path):
            day = _day(
                int(m.group("y")),
                int(m.group("m") or m.group("m2")),
                int(m.group("d") or m.group("d2")),
            )
            if day is not None:
                return _aware(day, None)
    return None


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
    anchor = _shanghai_now(now)
    flag: DateFlag | None = None
    origin_of_flag: DateOrigin | None = None
    for origin, found in (
        (DateOrigin.META_LINE, read_date(date_raw, now=anchor)),
        (DateOrigin.META_TAG, read_date(meta_date_raw, now=anchor)),
        (DateOrigin.URL, url_date(url)),
    ):
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
    anchor = _shanghai_now(now)
    value = normalize_date(updated_raw, now=anchor)
    if value is None or value > anchor + FUTURE_TOLERANCE:
        return None
    return value


# --- Dateline --------------------------------------------------------------------------------

# The agency ends in one of these and the place never starts with one: 中国日报网北京 is
# 中国日报网 + 北京, not 中国日报 + 网北京.
_AGENCY_END = r"(?:客户端|新闻|网|社|报|台|刊)"
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f"
_DATELINE = re.compile(
    rf"""^据?(?P<agency>[{_HAN}A-Za-z·\-—]{{1,20}}?{_AGENCY_END})
    (?!{_AGENCY_END})(?P<place>[{_HAN}·]{{2,8}}?)?
    \s*+(?P<date>(?:(?P<y>\d{{4}})\s*+年\s*+)?(?P<m>\d{{1,2}})\s*+月\s*+(?P<d>\d{{1,2}})\s*+日)?
    \s*+(?P<kind>电|讯|消息)
    (?:\s*+\((?P<names>[^()]{{1,60}})\))?""",
    re.VERBOSE | re.ASCII,
)
# 记者, 本报记者, 中青报·中青网记者, 驻京记者, 文/, 图/ before a name.
_ROLES = re.compile(r"^(?:\S{0,12}?(?:记者|通讯员|实习生|摄影|撰稿)[:/]?|(?:文|图|摄)[:/])")
_ROLE_WORD = re.compile(r"记者|通讯员|实习生|摄影|撰稿")
_NAME_SPLIT = re.compile(r"[\s、,;]+")
_NAME = re.compile(rf"[{_HAN}]{{2,6}}|[{_HAN}]{{1,4}}·[{_HAN}·]{{1,12}}")
_NAME_TAIL = re.compile(r"(?:报道|摄影|摄)$")
# Words that stand where names do in a dateline bracket.
_NOT_NAMES = frozenset({"报道", "摄影", "综合", "整理", "编译", "编辑", "发自"})
_DATELINE_SCAN_CHARS = 160


@dataclass(frozen=True)
class Dateline:
    """The body's opening 新华社北京10月16日电（记者 张三）; the body text keeps it."""

    agency: str | None
    place: str | None
    date: date | None
    reporters: list[str] = field(default_factory=list)


def _reporters(names: str | None, kind: str) -> list[str]:
    """（记者 张三 李四 通讯员 王五） -> 张三, 李四, 王五. After 消息 a bracket names a programme
    (央视网消息（新闻联播）) unless it carries a role word."""
    if not names or (kind == "消息" and not _ROLE_WORD.search(names)):
        return []
    found: list[str] = []
    for token in _NAME_SPLIT.split(names):
        name = _ROLES.sub("", token)
        if len(untailed := _NAME_TAIL.sub("", name)) >= 2:
            name = untailed
        if _NAME.fullmatch(name) and name not in _NOT_NAMES and name not in found:
            found.append(name)
    return found


def _dateline_day(month: int, day: int, published: date | None) -> date | None:
    """The year closest to the published date: 12月31日 on 2021-01-02 is 2020-12-31."""
    if published is None:
        return None
    candidates = [
        d
        for y in (published.year - 1, published.year, published.year + 1)
        if (d := _day(y, month, day))
    ]
    return min(candidates, key=lambda d: abs(d - published), default=None)


def parse_dateline(body: str | None, published: date | None) -> Dateline | None:
    """The dateline the body opens with, or None; its year comes from `published` when absent."""
    if not isinstance(body, str):
        return None
    text = unicodedata.normalize("NFKC", body[:_DATELINE_SCAN_CHARS]).lstrip()
    if text.startswith("原标题"):
        text = text.partition("\n")[2].lstrip()
    m = _DATELINE.match(text)
    if m is None:
        return None
    day: date | None = None
    if m.group("m"):
        month, day_of_month = int(m.group("m")), int(m.group("d"))
        if m.group("y"):
            day = _day(int(m.group("y")), month, day_of_month)
        else:
            day = _dateline_day(month, day_of_month, published)
    return Dateline(
        agency=m.group("agency"),
        place=m.group("place"),
        date=day,
        reporters=_reporters(m.group("names"), m.group("kind")),
    )


# --- Pipeline --------------------------------------------------------------------------------


class DatesPipeline:
    """Fills published_at, updated_at and the dateline fields; counts origins, unreadable and
    future dates.

    Runs before sources and storage: nothing it reads depends on them.
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        fetched_at = adapter.get("fetched_at")
        now = fetched_at if isinstance(fetched_at, datetime) else None
        date_raw, meta_date_raw = adapter.get("date_raw"), adapter.get("meta_date_raw")
        url = adapter.get("url")
        published = published_date(date_raw, meta_date_raw, url, now=now)
        adapter["published_at"] = published.value
        adapter["date_has_time"] = published.has_time
        adapter["date_origin"] = published.origin
        adapter["date_flag"] = published.flag
        self._count(published, url, date_raw, meta_date_raw)
        updated_raw = adapter.get("updated_raw")
        adapter["updated_at"] = updated_time(updated_raw, now=now)
        if adapter["updated_at"] is not None:
            self.stats.inc_value("xz/dates/updated")
        elif isinstance(updated_raw, str) and updated_raw.strip():
            self.stats.inc_value("xz/dates/updated_unreadable")

        dateline = parse_dateline(
            adapter.get("body"), published.value.date() if published.value else None
        )
        adapter["dateline_agency"] = dateline.agency if dateline else None
        adapter["dateline_place"] = dateline.place if dateline else None
        adapter["dateline_date"] = dateline.date if dateline else None
        adapter["reporters"] = list(dateline.reporters) if dateline else []
        if dateline is not None:
            self.stats.inc_value("xz/dates/dateline")
        return item

    def _count(self, published: PublishedDate, url: Any, date_raw: Any, meta_date_raw: Any) -> None:
        if published.value is not None:
            self.stats.inc_value(f"xz/dates/origin/{published.origin}")
            if not published.has_time:
                self.stats.inc_value("xz/dates/date_only")
            return
        if published.flag is None:
            self.stats.inc_value("xz/dates/missing")
            return
        raw = {
            DateOrigin.META_LINE: date_raw,
            DateOrigin.META_TAG: meta_date_raw,
            DateOrigin.URL: url,
        }.get(published.origin) or next(
            r for r in (date_raw, meta_date_raw) if isinstance(r, str) and r.strip()
        )
        key = f"xz/dates/{published.flag}"
        self.stats.inc_value(key)
        if self.stats.get_value(f"{key}_example") is None:
            self.stats.set_value(f"{key}_example", raw)
        logger.warning(
            "%s date on %s: meta line %r, meta tag %r", published.flag, url, date_raw, meta_date_raw
        )
