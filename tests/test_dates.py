"""Dates and datelines: every form the portal's templates write, each with its exact value."""

from __future__ import annotations

import itertools
import logging
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.utils.test import get_crawler

from pipelines.dates import (
    SHANGHAI,
    Dateline,
    DatesPipeline,
    OutOfRange,
    ParsedDate,
    PublishedDate,
    normalize_date,
    parse_date,
    parse_date_fast,
    parse_dateline,
    published_date,
    read_date,
    updated_time,
    url_date,
)
from tests.helpers import fresh_python
from xzcrawler.items import Article, DateFlag, DateOrigin

# China Standard Time as a fixed offset: what every datetime the pipeline produces carries.
CST = timezone(timedelta(hours=8))
EIGHT_HOURS = timedelta(hours=8)
# The fetch time every relative form is resolved against.
NOW = datetime(2021, 1, 2, 12, 30, 15, tzinfo=SHANGHAI)


def sh(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


def day_only(*parts: int) -> ParsedDate:
    return ParsedDate(sh(*parts), has_time=False)


def timed(*parts: int) -> ParsedDate:
    return ParsedDate(sh(*parts), has_time=True)


# --- Absolute forms: bare, behind every label, with every kind of meta line noise -------------

FORMS = [
    ("2020-11-12", day_only(2020, 11, 12)),
    ("2020-11-12 10:35", timed(2020, 11, 12, 10, 35)),
    ("2020-11-12 10:35:08", timed(2020, 11, 12, 10, 35, 8)),
    ("2020/11/12", day_only(2020, 11, 12)),
    ("2020/11/12 10:35", timed(2020, 11, 12, 10, 35)),
    ("2020.11.12", day_only(2020, 11, 12)),
    ("2020.11.12 08:05:09", timed(2020, 11, 12, 8, 5, 9)),
    ("2020-1-5", day_only(2020, 1, 5)),
    ("2020-1-5 9:05", timed(2020, 1, 5, 9, 5)),
    ("2020年11月12日", day_only(2020, 11, 12)),
    ("2020年1月5日", day_only(2020, 1, 5)),
    ("2020年11月12日 10:35", timed(2020, 11, 12, 10, 35)),
    ("2020年11月12日10:35:08", timed(2020, 11, 12, 10, 35, 8)),
    ("2020年11月12日10时35分", timed(2020, 11, 12, 10, 35)),
    ("2020年11月12日 10时35分08秒", timed(2020, 11, 12, 10, 35, 8)),
    ("2020年11月12日 10点35分", timed(2020, 11, 12, 10, 35)),
    ("2020年11月12号", day_only(2020, 11, 12)),
    ("2020 年 11 月 12 日", day_only(2020, 11, 12)),
    ("2020年11月12日 星期四", day_only(2020, 11, 12)),
    ("2020年11月12日 星期四 10:35", timed(2020, 11, 12, 10, 35)),
    ("2020-11-12(周四) 10:35", timed(2020, 11, 12, 10, 35)),
    ("2020年11月12日 下午3:05", timed(2020, 11, 12, 15, 5)),
    ("2020年11月12日 上午9:05", timed(2020, 11, 12, 9, 5)),
    ("2020年11月12日 晚上8点30分", timed(2020, 11, 12, 20, 30)),
    ("2020-11-12 3:05 PM", timed(2020, 11, 12, 15, 5)),
    ("2020-11-12 12:05 am", timed(2020, 11, 12, 0, 5)),
    ("2019-02-28 23:59:59", timed(2019, 2, 28, 23, 59, 59)),
    ("2020-02-29", day_only(2020, 2, 29)),
    ("2008-08-08 20:08", timed(2008, 8, 8, 20, 8)),
    ("2020-12-31 00:00", timed(2020, 12, 31, 0, 0)),
]
LABELS = [
    "",
    "发布时间：",
    "发布时间:",
    "发布时间: ",
    "发布日期：",
    "日期:",
    "日期：",
    "时间:",
    "时间：",
    "发表于 ",
    "【发布时间】",
    "[日期] ",
]
NOISE = [
    "",
    " 作者：佚名 来源：七一网",
    "  作者:张三  来源: 新华社",
    " 来源：人民网-人民日报",
    " 点击数:1024",
    " 浏览次数：<script>document.write(hits)</script>",
    " 【字体：大 中 小】",
    "  【字体：大 中 小】 【打印本页】 【关闭窗口】",
    "\u00a0\u00a0来源：本站\u00a0\u00a0阅读：123次",
    "\u3000\u3000编辑：李四",
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(f"{label}{form}{noise}", expected, id=f"{label}{form}{noise}")
        for (form, expected), label, noise in itertools.product(FORMS, LABELS[:4], NOISE)
    ]
    + [
        pytest.param(f"{label}{form}{noise}", expected, id=f"{label}{form}{noise}")
        for (form, expected), label, noise in zip(
            FORMS, itertools.cycle(LABELS[4:]), itertools.cycle(NOISE), strict=False
        )
    ],
)
def test_absolute_form_reads_with_any_label_and_noise(raw: str, expected: ParsedDate) -> None:
    assert parse_date(raw, now=NOW) == expected


FULL_WIDTH = str.maketrans("0123456789-/.: ", "０１２３４５６７８９－／．：\u3000")


@pytest.mark.parametrize(("form", "expected"), FORMS, ids=[f for f, _ in FORMS])
def test_full_width_digits_read_as_ascii(form: str, expected: ParsedDate) -> None:
    assert parse_date("发布时间：" + form.translate(FULL_WIDTH), now=NOW) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("二〇二〇年十一月十二日", day_only(2020, 11, 12)),
        ("二〇二一年一月五日", day_only(2021, 1, 5)),
        ("二○二○年十二月三十一日", day_only(2020, 12, 31)),
        ("二零二零年十月一日", day_only(2020, 10, 1)),
        ("一九九八年二月二十日", day_only(1998, 2, 20)),
        ("二〇二〇年十一月十二日 十时三十五分", timed(2020, 11, 12, 10, 35)),
        ("二〇二〇年十一月十二日十时", day_only(2020, 11, 12)),
        ("日期：二〇二〇年十一月十二日 来源：本站", day_only(2020, 11, 12)),
        ("十二月三十一日", day_only(2020, 12, 31)),
        ("十一月十二日", day_only(2020, 11, 12)),
        ("一月二日", day_only(2021, 1, 2)),
        ("一月三日", day_only(2021, 1, 3)),
        ("一月四日", day_only(2020, 1, 4)),
        ("二〇二〇年十一月十二号", day_only(2020, 11, 12)),
    ],
)
def test_chinese_numerals_read_as_digits(raw: str, expected: ParsedDate) -> None:
    assert parse_date(raw, now=NOW) == expected


# --- Relative forms against a frozen fetch time -------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("刚刚", timed(2021, 1, 2, 12, 30, 15)),
        ("刚才", timed(2021, 1, 2, 12, 30, 15)),
        ("30秒前", timed(2021, 1, 2, 12, 29, 45)),
        ("5分钟前", timed(2021, 1, 2, 12, 25, 15)),
        ("5 分钟前", timed(2021, 1, 2, 12, 25, 15)),
        ("五分钟前", timed(2021, 1, 2, 12, 25, 15)),
        ("45分钟前", timed(2021, 1, 2, 11, 45, 15)),
        ("半小时前", timed(2021, 1, 2, 12, 0, 15)),
        ("1小时前", timed(2021, 1, 2, 11, 30, 15)),
        ("3小时前", timed(2021, 1, 2, 9, 30, 15)),
        ("3个小时前", timed(2021, 1, 2, 9, 30, 15)),
        ("两小时前", timed(2021, 1, 2, 10, 30, 15)),
        ("13小时前", timed(2021, 1, 1, 23, 30, 15)),
        ("今天", day_only(2021, 1, 2)),
        ("今天 10:35", timed(2021, 1, 2, 10, 35)),
        ("今天10:35", timed(2021, 1, 2, 10, 35)),
        ("今日 08:00", timed(2021, 1, 2, 8, 0)),
        ("昨天", day_only(2021, 1, 1)),
        ("昨天 10:35", timed(2021, 1, 1, 10, 35)),
        ("昨天 23:59:59", timed(2021, 1, 1, 23, 59, 59)),
        ("昨天 下午3:05", timed(2021, 1, 1, 15, 5)),
        ("前天", day_only(2020, 12, 31)),
        ("前天 10:35", timed(2020, 12, 31, 10, 35)),
        ("1天前", day_only(2021, 1, 1)),
        ("3天前", day_only(2020, 12, 30)),
        ("三天前", day_only(2020, 12, 30)),
        ("10天前", day_only(2020, 12, 23)),
        ("1周前", day_only(2020, 12, 26)),
        ("2星期前", day_only(2020, 12, 19)),
        ("1个月前", day_only(2020, 12, 2)),
        ("一个月前", day_only(2020, 12, 2)),
        ("3个月前", day_only(2020, 10, 2)),
        ("1年前", day_only(2020, 1, 2)),
        ("发布时间：3小时前", timed(2021, 1, 2, 9, 30, 15)),
        ("发布时间：昨天 10:35 来源：人民网", timed(2021, 1, 1, 10, 35)),
        ("３小时前", timed(2021, 1, 2, 9, 30, 15)),
    ],
)
def test_relative_form_resolves_against_fetch_time(raw: str, expected: ParsedDate) -> None:
    assert parse_date(raw, now=NOW) == expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2021, 1, 2, 12, 30, 15), sh(2021, 1, 2, 9, 30, 15)),
        (datetime(2021, 1, 2, 4, 30, 15, tzinfo=UTC), sh(2021, 1, 2, 9, 30, 15)),
        (
            datetime(2021, 1, 2, 13, 30, 15, tzinfo=timezone(timedelta(hours=9))),
            sh(2021, 1, 2, 9, 30, 15),
        ),
    ],
    ids=["naive-is-shanghai", "utc", "tokyo"],
)
def test_fetch_time_in_any_zone_anchors_the_same_instant(now: datetime, expected: datetime) -> None:
    assert normalize_date("3小时前", now=now) == expected


def test_months_ago_clamps_the_day_to_the_shorter_month() -> None:
    assert parse_date("1个月前", now=sh(2021, 3, 31, 9)) == day_only(2021, 2, 28)


# --- Month-day without a year -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "now", "expected"),
    [
        ("11-12 10:35", NOW, timed(2020, 11, 12, 10, 35)),
        ("11-12", NOW, day_only(2020, 11, 12)),
        ("[11-12]", NOW, day_only(2020, 11, 12)),
        ("(11-12)", NOW, day_only(2020, 11, 12)),
        ("11/12 10:35", NOW, timed(2020, 11, 12, 10, 35)),
        ("11月12日", NOW, day_only(2020, 11, 12)),
        ("11月12日 10:35", NOW, timed(2020, 11, 12, 10, 35)),
        ("12-31 23:59", NOW, timed(2020, 12, 31, 23, 59)),
        ("01-02 10:35", NOW, timed(2021, 1, 2, 10, 35)),
        ("1-3", NOW, day_only(2021, 1, 3)),  # one day ahead: clock skew, still this year
        ("01-04", NOW, day_only(2020, 1, 4)),
        ("11-12 10:35", sh(2020, 11, 12, 11, 0), timed(2020, 11, 12, 10, 35)),
        ("11-12 10:35", sh(2020, 11, 12, 10, 0), timed(2020, 11, 12, 10, 35)),
        ("11-12 10:35", sh(2020, 11, 10, 10, 0), timed(2019, 11, 12, 10, 35)),
        ("02-29", sh(2021, 3, 1), day_only(2020, 2, 29)),
        ("发布时间：11-12 10:35 来源：新华社", NOW, timed(2020, 11, 12, 10, 35)),
    ],
)
def test_month_day_takes_the_year_of_the_fetch_unless_that_is_ahead(
    raw: str, now: datetime, expected: ParsedDate
) -> None:
    assert parse_date(raw, now=now) == expected


# --- Meta tags: ISO 8601, RFC 2822, Java, compact ---------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-11-12T10:35:08+08:00", timed(2020, 11, 12, 10, 35, 8)),
        ("2020-11-12T10:35:08+0800", timed(2020, 11, 12, 10, 35, 8)),
        ("2020-11-12T10:35:08+08", timed(2020, 11, 12, 10, 35, 8)),
        ("2020-11-12T10:35+08:00", timed(2020, 11, 12, 10, 35)),
        ("2020-11-12T02:35:08Z", timed(2020, 11, 12, 10, 35, 8)),
        ("2020-11-12T02:35:08.123Z", timed(2020, 11, 12, 10, 35, 8)),
        ("2020-11-12T10:35:08.123456+08:00", timed(2020, 11, 12, 10, 35, 8)),
        ("2020-11-12T10:35:08+09:00", timed(2020, 11, 12, 9, 35, 8)),
        ("2020-11-12T10:35:08-05:00", timed(2020, 11, 12, 23, 35, 8)),
        ("2020-11-12T20:35:08-05:00", timed(2020, 11, 13, 9, 35, 8)),
        ("2020-11-12T10:35:08", timed(2020, 11, 12, 10, 35, 8)),
        ("2020-11-12 02:35:08 UTC", timed(2020, 11, 12, 10, 35, 8)),
        ("2020-11-12 02:35:08 GMT", timed(2020, 11, 12, 10, 35, 8)),
        ("2020-11-12 10:35:08 GMT+08:00", timed(2020, 11, 12, 10, 35, 8)),
        ("2020-11-12 10:35:08 +0900", timed(2020, 11, 12, 9, 35, 8)),
        # Local mean time written out: the same instant, at +08:00.
        (
            "1900-01-01T00:00:00+08:05:43",
            ParsedDate(datetime(1899, 12, 31, 23, 54, 17, tzinfo=CST), True),
        ),
        ("2020-11-12T00:00:00+08:00", timed(2020, 11, 12, 0, 0)),
        ("Thu, 12 Nov 2020 10:35:08 +0800", timed(2020, 11, 12, 10, 35, 8)),
        ("Thu, 12 Nov 2020 02:35:08 +0000", timed(2020, 11, 12, 10, 35, 8)),
        ("Thu, 12 Nov 2020 02:35:08 GMT", timed(2020, 11, 12, 10, 35, 8)),
        ("Thu, 12 Nov 2020 02:35 GMT", timed(2020, 11, 12, 10, 35)),
        ("12 Nov 2020 02:35:08 -0000", timed(2020, 11, 12, 10, 35, 8)),
        ("Wed, 11 Nov 2020 21:35:08 -0500", timed(2020, 11, 12, 10, 35, 8)),
        ("Wed, 11 Nov 2020 21:35:08 EST", timed(2020, 11, 12, 10, 35, 8)),
        ("Thursday, 12 November 2020 10:35:08 +0800", timed(2020, 11, 12, 10, 35, 8)),
        ("12 Nov 2020", day_only(2020, 11, 12)),
        ("Thu Nov 12 10:35:08 CST 2020", timed(2020, 11, 12, 10, 35, 8)),
        ("Thu Nov 12 02:35:08 GMT 2020", timed(2020, 11, 12, 10, 35, 8)),
        ("20201112", day_only(2020, 11, 12)),
        ("20201112103508", timed(2020, 11, 12, 10, 35, 8)),
        ("202011121035", timed(2020, 11, 12, 10, 35)),
        ("Nov 12, 2020", day_only(2020, 11, 12)),
        ("November 12, 2020 10:35 AM", timed(2020, 11, 12, 10, 35)),
        ("12 November 2020", day_only(2020, 11, 12)),
    ],
)
def test_meta_tag_form_reads_in_shanghai_time(raw: str, expected: ParsedDate) -> None:
    assert parse_date(raw, now=NOW) == expected


# --- Text that holds no date --------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "\u3000\u00a0",
        "佚名",
        "作者：佚名 来源：七一网",
        "点击数:123",
        "点击数: 1024 【字体：大 中 小】",
        "第3版",
        "10:35",
        "abc",
        "未知",
        "2020",
        "2020年11月",
        "十九届中央第六轮巡视",
        "0000-00-00",
        "2020-13-45",
        "2020-02-30",
        "9999-12-31",
        "1066-10-14",
        "13-45",
        "010-56019387",
        "京ICP备11019690号-100",
        "x" * 500,
    ],
)
def test_text_without_a_date_gives_none(raw: str | None) -> None:
    assert parse_date(raw, now=NOW) is None
    assert normalize_date(raw, now=NOW) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("更新时间：2020-11-13 发布时间：2020-11-12", day_only(2020, 11, 12)),
        ("发布时间：2020-11-12 更新时间：2020-11-13", day_only(2020, 11, 12)),
        ("2020-11-12 10:35 点击数:2020-11-13", timed(2020, 11, 12, 10, 35)),
        ("2020-11-12 25:00", day_only(2020, 11, 12)),
        ("2020-11-12 10 点击数:5", day_only(2020, 11, 12)),
    ],
)
def test_the_publication_date_wins_over_other_dates_and_bad_times(
    raw: str, expected: ParsedDate
) -> None:
    assert parse_date(raw, now=NOW) == expected


def test_normalize_date_is_the_value_of_parse_date() -> None:
    assert normalize_date("发布时间：2020-11-12 10:35 来源：新华社", now=NOW) == sh(
        2020, 11, 12, 10, 35
    )
    assert normalize_date("2020-11-12", now=NOW) == sh(2020, 11, 12)
    assert normalize_date("2020-11-12", now=NOW).isoformat() == "2020-11-12T00:00:00+08:00"


def test_the_fast_path_reads_common_forms_without_loading_dateparser() -> None:
    code = (
        "import sys; from pipelines.dates import parse_date;"
        "parse_date('发布时间：2020-11-12 10:35 来源：新华社'); parse_date('3小时前');"
        "parse_date('二〇二〇年十一月十二日'); parse_date('Thu, 12 Nov 2020 10:35:08 +0800');"
        "print('dateparser' in sys.modules)"
    )
    assert fresh_python(code) == "False"


def test_dateparser_is_the_fallback_only() -> None:
    assert parse_date_fast("Nov 12, 2020", now=NOW) is None
    assert parse_date("Nov 12, 2020", now=NOW) == day_only(2020, 11, 12)


# --- Published date: meta line, then meta tags, then the URL -----------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.xzspw.org.cn/html/djgz/2020/1112/1234.html", date(2020, 11, 12)),
        ("http://www.xzspw.org.cn/html/djgz/20201112/1234.html", date(2020, 11, 12)),
        ("http://www.news.cn/politics/2020-11/12/c_1126730000.htm", date(2020, 11, 12)),
        ("http://www.xzspw.org.cn/art/2020/11/12/art_12_3456.html", date(2020, 11, 12)),
        ("http://www.xzspw.org.cn/art/2020/1/5/art_12_3456.html", date(2020, 1, 5)),
        ("http://www.gov.cn/xinwen/2020-11/12/content_5560000.htm", date(2020, 11, 12)),
        ("http://www.xzspw.org.cn/zwgk/t20201112_123456.html", date(2020, 11, 12)),
        ("http://www.xzspw.org.cn/2020-11-12/123.html", date(2020, 11, 12)),
        ("http://www.xzspw.org.cn/a/1234.html", None),
        ("http://www.xzspw.org.cn/show.asp?id=20201112", None),
        ("http://www.xzspw.org.cn/html/2020/1399/1.html", None),
        ("http://www.xzspw.org.cn/2020/11/123.html", None),
        ("http://www.xzspw.org.cn/20201112.html", None),
        ("", None),
        (None, None),
    ],
)
def test_url_path_gives_a_date_only_value(url: str | None, expected: date | None) -> None:
    midnight = None if expected is None else day_only(expected.year, expected.month, expected.day)
    assert url_date(url) == midnight


ARTICLE_URL = "http://www.xzspw.org.cn/html/djgz/2020/1110/1234.html"


@pytest.mark.parametrize(
    ("date_raw", "meta_date_raw", "url", "expected"),
    [
        (
            "2020-11-12 10:35",
            "2020-11-11T09:00:00+08:00",
            ARTICLE_URL,
            PublishedDate(sh(2020, 11, 12, 10, 35), True, DateOrigin.META_LINE, None),
        ),
        (
            None,
            "2020-11-11T09:00:00+08:00",
            ARTICLE_URL,
            PublishedDate(sh(2020, 11, 11, 9), True, DateOrigin.META_TAG, None),
        ),
        (
            "作者：佚名",
            "2020-11-11",
            ARTICLE_URL,
            PublishedDate(sh(2020, 11, 11), False, DateOrigin.META_TAG, None),
        ),
        (
            None,
            None,
            ARTICLE_URL,
            PublishedDate(sh(2020, 11, 10), False, DateOrigin.URL, None),
        ),
        (
            "点击数:12",
            "",
            ARTICLE_URL,
            PublishedDate(sh(2020, 11, 10), False, DateOrigin.URL, None),
        ),
        (
            "2021-01-03 12:00",
            None,
            None,
            PublishedDate(sh(2021, 1, 3, 12), True, DateOrigin.META_LINE, None),
        ),
        (
            "2021-01-03 13:00",
            None,
            None,
            PublishedDate(None, None, DateOrigin.META_LINE, DateFlag.FUTURE),
        ),
        (
            "2030-11-12",
            "2020-11-11",
            None,
            PublishedDate(sh(2020, 11, 11), False, DateOrigin.META_TAG, None),
        ),
        (
            "2030-11-12",
            "2031-01-01",
            ARTICLE_URL,
            PublishedDate(sh(2020, 11, 10), False, DateOrigin.URL, None),
        ),
        (
            None,
            "2021-06-01",
            None,
            PublishedDate(None, None, DateOrigin.META_TAG, DateFlag.FUTURE),
        ),
        (
            None,
            None,
            "http://www.xzspw.org.cn/html/2021/0612/1.html",
            PublishedDate(None, None, DateOrigin.URL, DateFlag.FUTURE),
        ),
        (
            None,
            "2031-01-01",
            None,
            PublishedDate(None, None, DateOrigin.META_TAG, DateFlag.OUT_OF_RANGE),
        ),
        (
            None,
            None,
            "http://www.xzspw.org.cn/html/2030/1112/1.html",
            PublishedDate(None, None, DateOrigin.URL, DateFlag.OUT_OF_RANGE),
        ),
        (
            "发布时间：佚名",
            None,
            "http://www.xzspw.org.cn/a/1.html",
            PublishedDate(None, None, None, DateFlag.UNREADABLE),
        ),
        (
            None,
            "tomorrow-ish",
            None,
            PublishedDate(None, None, None, DateFlag.UNREADABLE),
        ),
        ("", "  ", None, PublishedDate(None, None, None, None)),
        (None, None, "http://www.xzspw.org.cn/a/1.html", PublishedDate(None, None, None, None)),
    ],
)
def test_published_date_takes_the_first_believable_place(
    date_raw: str | None, meta_date_raw: str | None, url: str | None, expected: PublishedDate
) -> None:
    assert published_date(date_raw, meta_date_raw, url, now=NOW) == expected


# --- Years no article can have; China time at exactly +08:00 -----------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("99999年1月1日", OutOfRange(99999)),
        ("发布时间：99999年01月01日 10:35 来源：本站", OutOfRange(99999)),
        ("99999-01-01", OutOfRange(99999)),
        ("99999-01-01 10:35:00", OutOfRange(99999)),
        ("发布时间：99999-01-01 更新时间：2020-11-12", OutOfRange(99999)),
        ("更新时间：2020-11-13 发布时间：99999-01-01", OutOfRange(99999)),
        ("1066-10-14", OutOfRange(1066)),
        ("1899-12-31 23:59", OutOfRange(1899)),
        ("18991231", OutOfRange(1899)),
        ("12 Nov 1066", OutOfRange(1066)),
        ("2200-01-01", OutOfRange(2200)),
        ("9999-12-31", OutOfRange(9999)),
        ("1" * 5000 + "-01-01", OutOfRange(10**9)),
        ("0000-00-00", None),  # no real month: not a date at all
        ("99999-13-01", None),
        ("1900-01-01", ParsedDate(datetime(1900, 1, 1, tzinfo=CST), False)),
    ],
    ids=lambda v: v[:30] if isinstance(v, str) else None,
)
def test_a_date_form_with_an_impossible_year_reads_as_out_of_range(
    raw: str, expected: ParsedDate | OutOfRange | None
) -> None:
    assert read_date(raw, now=NOW) == expected
    # Never this year's month and day instead: parse_date has no date to give.
    assert parse_date(raw, now=NOW) == (expected if isinstance(expected, ParsedDate) else None)


def flagged(origin: DateOrigin, flag: DateFlag) -> PublishedDate:
    return PublishedDate(None, None, origin, flag)


OUT_OF_RANGE, FUTURE = DateFlag.OUT_OF_RANGE, DateFlag.FUTURE
LINE, TAG = DateOrigin.META_LINE, DateOrigin.META_TAG


@pytest.mark.parametrize(
    ("date_raw", "meta_date_raw", "url", "expected"),
    [
        ("99999年1月1日", None, None, flagged(LINE, OUT_OF_RANGE)),
        (
            "发布时间：99999年1月1日 10:35",
            None,
            "http://x.cn/a/1.html",
            flagged(LINE, OUT_OF_RANGE),
        ),
        ("1899-12-31", None, None, flagged(LINE, OUT_OF_RANGE)),
        ("2023-01-01", None, None, flagged(LINE, OUT_OF_RANGE)),
        ("2022-12-31", None, None, flagged(LINE, FUTURE)),
        ("2022-01-03 12:00", None, None, flagged(LINE, FUTURE)),
        ("99999年1月1日", "2021-06-01", None, flagged(LINE, OUT_OF_RANGE)),
        ("2021-06-01", "99999年1月1日", None, flagged(LINE, FUTURE)),
        ("99999年1月1日", "2020-11-11", None, PublishedDate(sh(2020, 11, 11), False, TAG, None)),
        (
            "1066-10-14",
            None,
            ARTICLE_URL,
            PublishedDate(sh(2020, 11, 10), False, DateOrigin.URL, None),
        ),
        (
            "1900-01-01",
            None,
            None,
            PublishedDate(datetime(1900, 1, 1, tzinfo=CST), False, LINE, None),
        ),
    ],
)
def test_published_date_flags_a_year_outside_1900_to_next_year(
    date_raw: str | None, meta_date_raw: str | None, url: str | None, expected: PublishedDate
) -> None:
    assert published_date(date_raw, meta_date_raw, url, now=NOW) == expected


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("1900-01-01", "1900-01-01T00:00:00+08:00"),
        ("1900-01-01 08:00", "1900-01-01T08:00:00+08:00"),
        ("1900-12-31 23:59:59", "1900-12-31T23:59:59+08:00"),
        ("一九〇〇年一月一日", "1900-01-01T00:00:00+08:00"),
        ("19000101", "1900-01-01T00:00:00+08:00"),
        ("Mon, 01 Jan 1900 00:00:00 +0800", "1900-01-01T00:00:00+08:00"),
        ("1 January 1900", "1900-01-01T00:00:00+08:00"),  # dateparser's path
        ("1900-01-01T00:00:00Z", "1900-01-01T08:00:00+08:00"),
        ("1900-01-01T00:00:00+08:05:43", "1899-12-31T23:54:17+08:00"),
        ("1901-01-01", "1901-01-01T00:00:00+08:00"),
        ("1949-10-01 15:00", "1949-10-01T15:00:00+08:00"),
        ("1988-01-01 10:00", "1988-01-01T10:00:00+08:00"),
        ("1988-07-01 10:00", "1988-07-01T09:00:00+08:00"),  # 10:00 of China's summer time
        ("2020-11-12T10:35:08+09:00", "2020-11-12T09:35:08+08:00"),
        ("2020-11-12T02:35:08Z", "2020-11-12T10:35:08+08:00"),
        ("刚刚", "2021-01-02T12:30:15+08:00"),
        ("3小时前", "2021-01-02T09:30:15+08:00"),
        ("昨天 10:35", "2021-01-01T10:35:00+08:00"),
        ("11-12", "2020-11-12T00:00:00+08:00"),
    ],
)
def test_every_datetime_read_is_at_exactly_eight_hours(raw: str, iso: str) -> None:
    value = normalize_date(raw, now=NOW)
    assert (value.isoformat(), value.utcoffset()) == (iso, EIGHT_HOURS)


@pytest.mark.parametrize(
    "now",
    [NOW, datetime(2021, 1, 2, 12, 30, 15), datetime(2021, 1, 2, 4, 30, 15, tzinfo=UTC)],
    ids=["shanghai", "naive", "utc"],
)
def test_relative_dates_are_at_eight_hours_whatever_the_zone_of_the_fetch_time(
    now: datetime,
) -> None:
    for raw in ("刚刚", "5分钟前", "今天"):
        assert normalize_date(raw, now=now).utcoffset() == EIGHT_HOURS
    assert updated_time("1900-01-02", now=now).isoformat() == "1900-01-02T00:00:00+08:00"


# --- Dateline -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "published", "expected"),
    [
        (
            "\u3000\u3000中国共产党新闻网北京10月16日电   (扶婧颖)据中央纪委国家监委网站消息",
            date(2020, 11, 12),
            Dateline("中国共产党新闻网", "北京", date(2020, 10, 16), ["扶婧颖"]),
        ),
        (
            "中国共产党新闻网北京10月16日电（扶婧颖）据中央纪委国家监委网站消息",
            date(2020, 11, 12),
            Dateline("中国共产党新闻网", "北京", date(2020, 10, 16), ["扶婧颖"]),
        ),
        (
            "新华社北京10月16日电（记者 张三 李四）近日",
            date(2020, 10, 17),
            Dateline("新华社", "北京", date(2020, 10, 16), ["张三", "李四"]),
        ),
        (
            "新华社北京10月16日电（记者张三、李四）",
            date(2020, 10, 17),
            Dateline("新华社", "北京", date(2020, 10, 16), ["张三", "李四"]),
        ),
        (
            "新华社北京12月31日电（记者 张三）",
            date(2021, 1, 2),
            Dateline("新华社", "北京", date(2020, 12, 31), ["张三"]),
        ),
        (
            "新华社悉尼1月1日电",
            date(2020, 12, 31),
            Dateline("新华社", "悉尼", date(2021, 1, 1), []),
        ),
        (
            "新华社北京2019年12月31日电（记者 张三）",
            date(2021, 1, 2),
            Dateline("新华社", "北京", date(2019, 12, 31), ["张三"]),
        ),
        (
            "新华社北京10月16日电",
            None,
            Dateline("新华社", "北京", None, []),
        ),
        ("本报讯（通讯员 王五）近日，", date(2020, 11, 12), Dateline("本报", None, None, ["王五"])),
        (
            "本报讯（记者 张三 通讯员 王五 李六）",
            date(2020, 11, 12),
            Dateline("本报", None, None, ["张三", "王五", "李六"]),
        ),
        (
            "本报北京11月11日讯（记者 张三）",
            date(2020, 11, 12),
            Dateline("本报", "北京", date(2020, 11, 11), ["张三"]),
        ),
        (
            "新华社华盛顿11月11日电（记者 张三 报道）",
            date(2020, 11, 12),
            Dateline("新华社", "华盛顿", date(2020, 11, 11), ["张三"]),
        ),
        (
            "新华社乌鲁木齐11月11日电（记者 阿依古丽·买买提）",
            date(2020, 11, 12),
            Dateline("新华社", "乌鲁木齐", date(2020, 11, 11), ["阿依古丽·买买提"]),
        ),
        (
            "人民网北京11月12日电 （记者 张三）",
            date(2020, 11, 12),
            Dateline("人民网", "北京", date(2020, 11, 12), ["张三"]),
        ),
        (
            "中新网11月12日电 据外媒报道",
            date(2020, 11, 12),
            Dateline("中新网", None, date(2020, 11, 12), []),
        ),
        (
            "中国日报网北京11月12日电",
            date(2020, 11, 12),
            Dateline("中国日报网", "北京", date(2020, 11, 12), []),
        ),
        (
            "中国青年报客户端北京11月12日电（中青报·中青网记者 张三）",
            date(2020, 11, 12),
            Dateline("中国青年报客户端", "北京", date(2020, 11, 12), ["张三"]),
        ),
        (
            "经济日报-中国经济网北京11月12日讯（记者 张三）",
            date(2020, 11, 12),
            Dateline("经济日报-中国经济网", "北京", date(2020, 11, 12), ["张三"]),
        ),
        (
            "央视网消息（新闻联播）：近日",
            date(2020, 11, 12),
            Dateline("央视网", None, None, []),
        ),
        (
            "人民网北京11月12日消息（记者 张三）",
            date(2020, 11, 12),
            Dateline("人民网", "北京", date(2020, 11, 12), ["张三"]),
        ),
        (
            "新华社北京１０月１６日电（记者　张三）",
            date(2020, 10, 17),
            Dateline("新华社", "北京", date(2020, 10, 16), ["张三"]),
        ),
        (
            "原标题：巡视全覆盖\n新华社北京10月16日电（记者 张三）",
            date(2020, 10, 17),
            Dateline("新华社", "北京", date(2020, 10, 16), ["张三"]),
        ),
    ],
)
def test_dateline_gives_agency_place_date_and_reporters(
    body: str, published: date | None, expected: Dateline
) -> None:
    assert parse_dateline(body, published) == expected


@pytest.mark.parametrize(
    "body",
    [
        None,
        "",
        "距离上一轮中央巡视反馈不到两个月,十九届中央第六轮巡视紧锣密鼓地展开。",
        "记者从市委宣传部获悉，10月16日",
        "10月16日，新华社电",
        "省区市党委是贯彻落实党中央决策部署的“中间段”。",
    ],
)
def test_body_without_a_dateline_gives_none(body: str | None) -> None:
    assert parse_dateline(body, date(2020, 11, 12)) is None


# --- The pipeline with a real crawler ----------------------------------------------------------


def run_pipeline(*articles: Article) -> tuple[list[Article], dict[str, object]]:
    crawler = get_crawler()
    pipeline = DatesPipeline.from_crawler(crawler)
    done = [pipeline.process_item(article) for article in articles]
    return done, crawler.stats.get_stats()


SEED_BODY = (
    "中国共产党新闻网北京10月16日电   (扶婧颖)据中央纪委国家监委网站消息,截至10月14日,"
    "十九届中央第六轮巡视15个巡视组完成对17个省区市和新疆生产建设兵团的进驻。"
)


def article(**fields: object) -> Article:
    fields.setdefault("url", "http://www.xzspw.org.cn/a/1.html")
    fields.setdefault("fetched_at", NOW)
    return Article(**fields)  # type: ignore[arg-type]


def test_pipeline_fills_published_date_and_dateline_of_the_seed_article() -> None:
    (item,), stats = run_pipeline(
        article(date_raw="2020-11-12 作者:佚名 来源: 七一网", body=SEED_BODY)
    )
    assert (item.published_at, item.date_has_time) == (sh(2020, 11, 12), False)
    assert (item.date_origin, item.date_flag) == (DateOrigin.META_LINE, None)
    assert (item.dateline_agency, item.dateline_place) == ("中国共产党新闻网", "北京")
    assert (item.dateline_date, item.reporters) == (date(2020, 10, 16), ["扶婧颖"])
    assert item.body == SEED_BODY
    assert {k: v for k, v in stats.items() if k.startswith("xz/")} == {
        "xz/dates/origin/meta_line": 1,
        "xz/dates/date_only": 1,
        "xz/dates/dateline": 1,
    }


def test_pipeline_counts_every_origin_and_keeps_first_examples(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="pipelines.dates"):
        items, stats = run_pipeline(
            article(date_raw="发布时间：2020-11-12 10:35"),
            article(meta_date_raw="2020-11-12T10:35:08+08:00"),
            article(url="http://www.xzspw.org.cn/html/djgz/2020/1112/1.html"),
            article(url="http://www.xzspw.org.cn/a/2.html", date_raw="发布时间：点击数:12"),
            article(date_raw="发布时间：<script>", meta_date_raw="x"),
            article(date_raw="2021-03-01"),
            article(meta_date_raw="2021-06-01T00:00:00Z"),
            article(),
        )
    assert [i.date_flag for i in items] == [None] * 3 + [DateFlag.UNREADABLE] * 2 + [
        DateFlag.FUTURE
    ] * 2 + [None]
    assert [i.published_at for i in items[3:]] == [None] * 5
    assert items[3].date_raw == "发布时间：点击数:12"
    assert {k: v for k, v in stats.items() if k.startswith("xz/")} == {
        "xz/dates/origin/meta_line": 1,
        "xz/dates/origin/meta_tag": 1,
        "xz/dates/origin/url": 1,
        "xz/dates/date_only": 1,
        "xz/dates/unreadable": 2,
        "xz/dates/unreadable_example": "发布时间：点击数:12",
        "xz/dates/future": 2,
        "xz/dates/future_example": "2021-03-01",
        "xz/dates/missing": 1,
    }
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings[0] == (
        "unreadable date on http://www.xzspw.org.cn/a/2.html: "
        "meta line '发布时间：点击数:12', meta tag None"
    )
    assert len(warnings) == 4


def test_pipeline_keeps_an_impossible_year_raw_and_flags_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    raw = "发布时间：99999年1月1日 10:35 来源：本站"
    with caplog.at_level(logging.WARNING, logger="pipelines.dates"):
        (item,), stats = run_pipeline(article(date_raw=raw, body=SEED_BODY))
    assert (item.published_at, item.date_has_time) == (None, None)
    assert (item.date_origin, item.date_flag, item.date_raw) == (
        DateOrigin.META_LINE,
        DateFlag.OUT_OF_RANGE,
        raw,
    )
    assert item.dateline_date is None  # no year to take from the published date
    assert {k: v for k, v in stats.items() if k.startswith("xz/")} == {
        "xz/dates/out_of_range": 1,
        "xz/dates/out_of_range_example": raw,
        "xz/dates/dateline": 1,
    }
    assert [r.getMessage() for r in caplog.records] == [
        f"out_of_range date on http://www.xzspw.org.cn/a/1.html: meta line {raw!r}, meta tag None"
    ]


def test_pipeline_datetimes_are_all_at_eight_hours() -> None:
    items, _ = run_pipeline(
        article(date_raw="1900-01-01 08:00", updated_raw="1900-01-02"),
        article(date_raw="1988-07-01 10:00", updated_raw="1988-07-02 10:00"),
        article(meta_date_raw="2020-11-12T02:35:08Z", updated_raw="刚刚"),
        article(url="http://www.xzspw.org.cn/html/djgz/2020/1112/1.html"),
        article(date_raw="3小时前", fetched_at=datetime(2021, 1, 2, 4, 30, 15, tzinfo=UTC)),
    )
    iso = [(i.published_at.isoformat(), i.updated_at and i.updated_at.isoformat()) for i in items]
    assert iso == [
        ("1900-01-01T08:00:00+08:00", "1900-01-02T00:00:00+08:00"),
        ("1988-07-01T09:00:00+08:00", "1988-07-02T09:00:00+08:00"),
        ("2020-11-12T10:35:08+08:00", "2021-01-02T12:30:15+08:00"),
        ("2020-11-12T00:00:00+08:00", None),
        ("2021-01-02T09:30:15+08:00", None),
    ]  # fmt: skip
    produced = [v for i in items for v in (i.published_at, i.updated_at) if v is not None]
    assert {v.utcoffset() for v in produced} == {EIGHT_HOURS}


def test_the_out_of_range_flag_is_stored_as_text_in_date_flag(sqlite_url: str) -> None:
    from sqlalchemy import select

    from pipelines.storage import article_row
    from xzcrawler.models import Article as ArticleRow
    from xzcrawler.storage import ArticleStore, engine_for, ensure_schema

    (item,), _ = run_pipeline(article(date_raw="99999年1月1日", title="标题", body="正文"))
    engine = engine_for(sqlite_url)
    ensure_schema(engine)
    ArticleStore(engine).write([article_row(item)])
    with engine.connect() as conn:
        row = conn.execute(
            select(ArticleRow.published_at, ArticleRow.date_flag, ArticleRow.date_raw)
        ).one()
    assert tuple(row) == (None, "out_of_range", "99999年1月1日")


def test_pipeline_uses_fetch_time_for_relative_dates() -> None:
    (item,), _ = run_pipeline(article(date_raw="3小时前", fetched_at=sh(2020, 11, 12, 13, 35)))
    assert (item.published_at, item.date_has_time) == (sh(2020, 11, 12, 10, 35), True)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"date_raw": 20201112}, None),
        ({"fetched_at": None, "date_raw": "2020-11-12"}, sh(2020, 11, 12)),
        ({"fetched_at": "2020-11-12", "body": 42}, None),
        ({"url": None, "date_raw": None, "meta_date_raw": None, "body": None}, None),
    ],
)
def test_pipeline_never_raises_on_odd_field_values(
    fields: dict[str, object], expected: datetime | None
) -> None:
    (item,), _ = run_pipeline(article(**fields))
    assert item.published_at == expected


def test_pipeline_works_on_plain_dict_items() -> None:
    plain = {"url": ARTICLE_URL, "fetched_at": NOW, "date_raw": "昨天"}
    (item,), stats = run_pipeline(plain)  # type: ignore[arg-type]
    assert item["published_at"] == sh(2021, 1, 1)
    assert item["reporters"] == []
    assert stats["xz/dates/origin/meta_line"] == 1


# --- Properties ---------------------------------------------------------------------------------

DATE_TEXT = st.text(
    alphabet=st.sampled_from(
        list(
            "0123456789０１２-/.:： 年月日号时分秒前天今昨刚半个小周TZ+十一二三〇两发布时间来源作者"
        )
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), DATE_TEXT))
def test_parse_never_raises_and_is_at_eight_hours_and_stable(raw: str) -> None:
    result = normalize_date(raw, now=NOW)
    if result is not None:
        assert result.utcoffset() == EIGHT_HOURS
        assert normalize_date(result.isoformat(), now=NOW) == result


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2199, 12, 30)))
def test_iso_output_reads_back_to_the_same_instant(value: datetime) -> None:
    # China's wall time: Asia/Shanghai (summer time included) from 1901, +08:00 before.
    value = value.replace(microsecond=0, tzinfo=SHANGHAI if value.year >= 1901 else CST)
    for text in (value.isoformat(), value.strftime("%Y-%m-%d %H:%M:%S")):
        read = normalize_date(text, now=NOW)
        assert (read, read.utcoffset()) == (value, EIGHT_HOURS)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.one_of(st.none(), st.dates()))
def test_dateline_never_raises(body: str, published: date | None) -> None:
    found = parse_dateline(body, published)
    if found is not None:  # what it reads is in the body, each reporter once
        text = unicodedata.normalize("NFKC", body)
        assert found.agency is not None and found.agency in text
        assert all(name in text for name in found.reporters)
        assert len(set(found.reporters)) == len(found.reporters)


@settings(max_examples=100, deadline=None)
@given(
    st.one_of(st.none(), st.text(max_size=40)),
    st.one_of(st.none(), DATE_TEXT),
    st.text(max_size=60),
)
def test_published_date_never_raises(
    date_raw: str | None, meta_date_raw: str | None, url: str
) -> None:
    found = published_date(date_raw, meta_date_raw, url, now=NOW)
    assert (found.value is None) == (found.has_time is None)
    assert found.value is None or found.value <= NOW + timedelta(days=1)
