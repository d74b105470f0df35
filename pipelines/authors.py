"""Authors and editors: a byline's names with their roles, the editor apart.

Users group and filter by author, so the author text becomes a list of names (docs/interface.md:
several joined by 、), each with the role the byline gives it. Every function is total (never
raises) and idempotent on its own output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from pipelines.source_cleaning import plain_text
from xzcrawler.parsing.vocabulary import (
    AFFILIATION_OPENERS,
    AFFILIATION_TITLES,
    PLACEHOLDER_AUTHORS,
)


class Role(StrEnum):
    """What a credited person did, as the byline says it."""

    REPORTER = "记者"
    CORRESPONDENT = "通讯员"
    INTERN = "实习生"
    TEXT = "文"
    PHOTO = "图"
    TEXT_PHOTO = "文/图"
    VIDEO = "摄像"
    EDITOR = "编辑"


@dataclass(frozen=True)
class Credit:
    """One name of a byline with its role (None where the byline gives only 作者 or nothing)."""

    name: str
    role: Role | None = None


_ROLE_WORDS: dict[str, Role | None] = {
    "作者": None,
    "撰稿人": None,
    "供稿": None,
    "来稿": None,
    "文": Role.TEXT,
    "文字": Role.TEXT,
    "撰文": Role.TEXT,
    "撰稿": Role.TEXT,
    "图": Role.PHOTO,
    "图片": Role.PHOTO,
    "摄": Role.PHOTO,
    "摄影": Role.PHOTO,
    "拍摄": Role.PHOTO,
    "摄影记者": Role.PHOTO,
    "图文": Role.TEXT_PHOTO,
    "文图": Role.TEXT_PHOTO,
    "摄像": Role.VIDEO,
    "视频": Role.VIDEO,
    "实习生": Role.INTERN,
    "见习生": Role.INTERN,
    "编辑": Role.EDITOR,
    "责任编辑": Role.EDITOR,
    "责编": Role.EDITOR,
    "值班编辑": Role.EDITOR,
    "网络编辑": Role.EDITOR,
    "本期编辑": Role.EDITOR,
    "编审": Role.EDITOR,
    "主编": Role.EDITOR,
}
# Credits that are neither author nor editor, and other meta-line fields: their names are skipped.
# fmt: off
_SKIP_WORDS = frozenset({
    "审核", "审校", "校对", "终审", "初审", "复审", "二审", "三审", "监制", "统筹", "策划", "出品",
    "制作", "设计", "美编", "排版", "翻译", "编译", "来源", "稿件来源", "文章来源", "信息来源",
    "新闻来源", "转自", "转载自", "出处", "来自", "摘自", "发布时间", "发布日期", "更新时间",
    "时间", "日期", "点击", "点击数", "点击量", "浏览", "浏览次数", "浏览量", "阅读", "阅读数",
    "阅读量", "字体", "字号", "打印", "关闭", "分享", "收藏", "发布者", "发布人", "发布", "录入",
    "录入者", "投稿", "上传",
})
_ANONYMOUS = PLACEHOLDER_AUTHORS | {
    "超级管理员", "本站", "本网", "无", "暂无", "原创", "网络", "互联网", "小编", "本站编辑",
    "本网编辑", "本报讯", "本网讯", "本站讯", "讯", "none", "null", "unknown",
}
# fmt: on
_LABEL_WORDS = sorted({*_ROLE_WORDS, *_SKIP_WORDS}, key=len, reverse=True)
# A role or field word with its colon is a label wherever it stands ('作者:张三来源:人民网').
_LABEL_COLON = re.compile(
    rf"((?:本[报台网站]|[^\s:]{{0,6}}?)记者|通讯员|{'|'.join(_LABEL_WORDS)})\s*:"
)
_AUTHOR_SEPARATORS = re.compile(r"[、,;/|\\()\[\]【】〔〕《》「」<>{}:]+|\s+(?:和|及|与)\s+")
_DATEISH = re.compile(r"^[\d\s\-/.:年月日时分秒号]+$")
# A role written before a name without a space: 记者张三, 本报记者张三, 新华社记者张三.
_GLUED_ROLE = re.compile(
    r"^(.{0,8}?记者|.{0,6}?通讯员|实习生|见习生|责任编辑|值班编辑|编辑|责编|摄影)(.{2,})$"
)
# Template debris printed where a value should be (作者： size="20"): markup, never a name.
_DEBRIS = re.compile(r"[=<>]|^\w+=")
_NAME_EDGES = " .,;:!?、。|/\\-—–_~·…*#'\"‘’“”=+"


def _role_of(token: str) -> tuple[bool, Role | None, bool]:
    """(is a marker, its role, is a skipped field) for one token."""
    if token in _ROLE_WORDS:
        return True, _ROLE_WORDS[token], False
    if token in _SKIP_WORDS:
        return True, None, True
    if token.endswith("摄影记者"):
        return True, Role.PHOTO, False
    if token.endswith("记者") and len(token) <= 10:
        return True, Role.REPORTER, False
    if token.endswith("通讯员") and len(token) <= 8:
        return True, Role.CORRESPONDENT, False
    return False, None, False


def _tokens(text: str) -> list[str]:
    """Byline words: split on 、，,/ and brackets, and on spaces except inside Latin names."""
    out: list[str] = []
    for chunk in _AUTHOR_SEPARATORS.split(_LABEL_COLON.sub(r" \1 ", text)):
        words: list[str] = []
        for word in chunk.split():
            if words and words[-1][-1].isascii() and words[-1][-1].isalpha() and word[0].isascii():
                words[-1] += " " + word
            else:
                words.append(word)
        for word in words:
            # Edges off first, as _name takes them off: #编辑李四 is 编辑 + 李四 on every pass.
            word = word.strip(_NAME_EDGES) or word
            while not _role_of(word)[0] and (match := _GLUED_ROLE.match(word)):
                out.append(match.group(1))
                word = match.group(2).strip(_NAME_EDGES) or match.group(2)
            out.append(word)
    return out


_OPENERS = "|".join(sorted(AFFILIATION_OPENERS, key=len, reverse=True))
_TITLES = "|".join(sorted(AFFILIATION_TITLES, key=len, reverse=True))
# An affiliation with its title, alone (北京大学经济学院教授) or after a name (方敏北京大学…).
_AFFILIATION = re.compile(rf"(?:{_OPENERS})[\u4e00-\u9fff]{{0,24}}?(?:{_TITLES})")
_HAN_NAME = re.compile(r"[\u4e00-\u9fff]{2,3}")


def _without_affiliation(name: str) -> str | None:
    """The name before a glued affiliation (方敏北京大学经济学院教授 -> 方敏), None where the
    token is an affiliation alone; the name unchanged where no known opener decides the split
    (one split only: a 2- and a 3-character name both before an opener is left as it is)."""
    if _AFFILIATION.fullmatch(name):
        return None
    splits = [
        cut
        for cut in (2, 3)
        if _HAN_NAME.fullmatch(name[:cut]) and _AFFILIATION.fullmatch(name[cut:])
    ]
    return name[: splits[0]] if len(splits) == 1 else name


def _name(token: str) -> str | None:
    """A token as a person's name, or None for placeholders, dates and punctuation."""
    name = token.strip(_NAME_EDGES)
    if not name or _DATEISH.match(name) or not any(char.isalpha() for char in name):
        return None
    if name.casefold() in _ANONYMOUS or _role_of(name)[0] or _DEBRIS.search(name):
        return None
    if len(name) > 5 and name.endswith(AFFILIATION_TITLES):
        return _without_affiliation(name)
    return name


def _assign(run: list[tuple[str | None, Role | None]]) -> list[tuple[str, Role | None]]:
    """Roles for one run of names and role markers (name None): prefix form (记者 张三) unless
    the names come first and a marker last (张三/文 李四/图, 作者：张三 摄)."""
    while run and run[0] == (None, None):  # a bare 作者 label says nothing about the form
        run = run[1:]
    suffix = bool(run) and run[0][0] is not None and run[-1][0] is None
    out: list[tuple[str, Role | None]] = []
    role: Role | None = None
    previous_marker = False
    for name, marked in reversed(run) if suffix else run:
        if name is None:
            role = _combine(role, marked) if previous_marker else marked
        else:
            out.append((name, role))
        previous_marker = name is None
    return out[::-1] if suffix else out


def _combine(first: Role | None, second: Role | None) -> Role | None:
    """Two markers in a row (文/图 张三): text and photo together, otherwise the nearer one."""
    return Role.TEXT_PHOTO if {first, second} == {Role.TEXT, Role.PHOTO} else second


# A two-character name padded to the width of three (张　三, 明 亮): one name, not two.
_PADDED_NAME = re.compile(
    r"(?<![\u4e00-\u9fff])([\u4e00-\u9fff])[ \u3000\xa0]+([\u4e00-\u9fff])(?![\u4e00-\u9fff])"
)
# Meta-line and byline texts whose reading is kept: a portal's recurring signatures.
BYLINE_CACHE = 4096
# Credits that never make an author: the photographer, the camera, the editor.
NOT_AUTHOR_ROLES = frozenset({Role.PHOTO, Role.VIDEO, Role.EDITOR})


@lru_cache(maxsize=BYLINE_CACHE)
def _credits(raw: str | None) -> tuple[tuple[Credit, ...], tuple[str, ...]]:
    """(authors, editors) of a byline, each in page order without repeats. Cached: a portal's
    reporters and editors sign article after article with the same line."""
    if not raw:
        return (), ()
    raw = _PADDED_NAME.sub(r"\1\2", raw)
    authors: list[tuple[str, Role | None]] = []
    editors: list[str] = []
    run: list[tuple[str | None, Role | None]] = []
    mode = "author"  # what the names after the last label are: author, editor or skip
    for token in _tokens(plain_text(raw)):
        is_marker, role, skipped = _role_of(token.strip(_NAME_EDGES))
        if is_marker and (skipped or role is Role.EDITOR):
            authors += _assign(run)
            run = []
            mode = "skip" if skipped else "editor"
        elif is_marker:
            mode = "author"
            run.append((None, role))
        elif (name := _name(token)) is not None:
            if mode == "author":
                run.append((name, None))
            elif mode == "editor":
                editors.append(name)
    authors += _assign(run)
    first: dict[str, Role | None] = {}
    for name, role in authors:
        first.setdefault(name, role)
    return tuple(Credit(name, role) for name, role in first.items()), tuple(dict.fromkeys(editors))


def parse_authors(raw: str | None) -> tuple[list[Credit], str | None]:
    """(authors in page order with their roles, editor names joined by '、' or None).

    An editor line (责任编辑：李四) gives the editor, never an author. Never raises.
    """
    credits, editors = _credits(raw)
    return list(credits), "、".join(editors) or None


def parse_editor(raw: str | None) -> str | None:
    """The editor of an editor line, labelled (责任编辑：李四) or bare (李四)."""
    credits, editors = _credits(raw)
    return "、".join(editors or [credit.name for credit in credits]) or None


def normalize_author(raw: str | None) -> str | None:
    """The author names joined by '、' in page order; None for anonymous or absent."""
    credits, _ = _credits(raw)
    return "、".join(credit.name for credit in credits) or None
