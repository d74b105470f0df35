"""The dateline a body opens with: 新华社北京10月16日电（记者 张三）, read into its parts."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from pipelines.date_validate import real_day

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
        if (d := real_day(y, month, day))
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
            day = real_day(int(m.group("y")), month, day_of_month)
        else:
            day = _dateline_day(month, day_of_month, published)
    return Dateline(
        agency=m.group("agency"),
        place=m.group("place"),
        date=day,
        reporters=_reporters(m.group("names"), m.group("kind")),
    )
