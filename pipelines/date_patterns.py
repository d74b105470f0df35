"""The text forms of dates the portal's templates write, as precompiled patterns.

Possessive quantifiers (`\\s*+`) keep every pattern linear on arbitrary text, so no page can
make reading its date slow. Reading a match into a value is date_validate's job; which pattern
is tried when is date_parse's.
"""

from __future__ import annotations

import re
import unicodedata

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


def prepare(raw: str) -> str:
    """NFKC folds full-width digits, colons, slashes and U+3000 to ASCII; then 十二月 -> 12月."""
    text = raw if raw.isascii() else unicodedata.normalize("NFKC", raw)
    if not text.isascii():
        text = _CN_NUMBER.sub(lambda m: _cn_number(m.group()), text)
    return text


# --- Patterns of the fast path ---------------------------------------------------------------

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
YMD = re.compile(
    r"""(?<!\d)(?P<y>\d{4,}+)
    (?:\s*+(?P<sep>[-/.])\s*+(?P<m>\d{1,2})\s*+(?P=sep)\s*+(?P<d>\d{1,2})(?!\d)
      |\s*+年\s*+(?P<m2>\d{1,2})\s*+月\s*+(?P<d2>\d{1,2})(?:\s*+[日号]|(?!\d)))"""
    + _TIME,
    re.VERBOSE | re.ASCII,
)
# Meta tags now and then carry 20201112 or 20201112103508 and nothing else.
COMPACT = re.compile(r"\s*(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?\s*", re.ASCII)
# List pages and some meta lines give [11-12] or 11月12日 10:35 without a year.
MONTH_DAY = re.compile(
    r"""(?<!\d)(?<!\d[.:/-])(?P<m>\d{1,2})
    (?:\s*+[-/]\s*+(?P<d>\d{1,2})(?![\d/.-])|\s*+月\s*+(?P<d2>\d{1,2})(?:\s*+[日号]|(?!\d)))"""
    + _TIME,
    re.VERBOSE | re.ASCII,
)
RELATIVE = re.compile(
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
RFC2822 = re.compile(
    rf"""(?:(?:{_WEEKDAY_NAMES})[a-z]*,?\s++)?
    (?<!\d)(?P<d>\d{{1,2}})\s++(?P<mon>{_MONTH_NAMES})[a-z]*\.?\s++(?P<y>\d{{4}})
    (?:\s++(?P<H>\d{{1,2}}):(?P<M>\d{{2}})(?::(?P<S>\d{{2}}))?)?
    (?:\s*+(?P<tz>[+-]\d{{4}}|GMT|UTC?|Z|[ECMP][SD]T)\b)?""",
    re.VERBOSE | re.ASCII | re.IGNORECASE,
)
# Java's Date.toString, printed by JSP CMSes: Thu Nov 12 10:35:08 CST 2020
JAVA = re.compile(
    rf"""(?:{_WEEKDAY_NAMES})\s++(?P<mon>{_MONTH_NAMES})\s++(?P<d>\d{{1,2}})\s++
    (?P<H>\d{{1,2}}):(?P<M>\d{{2}}):(?P<S>\d{{2}})\s++
    (?P<tz>[A-Z]{{2,5}}(?:[+-]\d{{2}}:?\d{{2}})?)\s++
    (?P<y>\d{{4}})""",
    re.VERBOSE | re.ASCII | re.IGNORECASE,
)
MONTH_NUMBER = {name.lower(): n for n, name in enumerate(_MONTH_NAMES.split("|"), start=1)}
# CST is China Standard Time on the servers that write these pages, not US Central.
ZONE_HOURS = {
    "Z": 0, "UT": 0, "UTC": 0, "GMT": 0, "CST": 8,
    "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}  # fmt: skip
# Seconds too: Python writes Shanghai's pre-1901 mean solar time as +08:05:43.
ZONE_OFFSET = re.compile(r"([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$", re.ASCII)
# The meta line may name an update time before the publication time; look after these first.
PUBLISHED_LABEL = re.compile(r"发布|发表|发稿")
PM_WORDS = ("下午", "晚上", "傍晚")
LETTERS = re.compile(r"[A-Za-z]{3}")


# --- What the dateparser fallback is given ---------------------------------------------------

FALLBACK_LABEL = re.compile(
    r"^\s*(?:发布时间|发布日期|发表时间|发表于|发布于|发稿时间|更新时间|时间|日期"
    r"|published|posted|updated|date)\s*:?\s*",
    re.IGNORECASE,
)
FALLBACK_NOISE = re.compile(
    r"\s*(?:作者|来源|稿件来源|文章来源|信息来源|出处|转自|编辑|责任编辑|责编|撰稿|记者|点击"
    r"|浏览|阅读|字体|打印|关闭|分享|收藏|【|\||\[)"
)
FALLBACK_HAS_TIME = re.compile(
    r"\d{1,2}\s*[:时点]\s*\d{1,2}|\d\s*[ap]\.?m\b|小时|分钟|秒|刚"
    r"|\b(?:hours?|minutes?|mins?|seconds?|now)\b",
    re.IGNORECASE | re.ASCII,
)
# Long text is not a date string: dateparser's cost grows with it and it finds dates in anything.
FALLBACK_MAX_CHARS = 64


# --- Dates in an article URL's path ----------------------------------------------------------

URL_DATES = (
    # /20201112/, /t20201112_123.html (government CMS)
    re.compile(r"/t?(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?=[/_])", re.ASCII),
    # /2020/1112/, /2020-11/12/, /2020/11/12/, /art/2020/11/12/
    re.compile(
        r"/(?P<y>(?:19|20)\d{2})[/-]"
        r"(?:(?P<m>\d{2})(?P<d>\d{2})|(?P<m2>\d{1,2})[/-](?P<d2>\d{1,2}))(?=/)",
        re.ASCII,
    ),
)
