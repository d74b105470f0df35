"""Ways the replica portal misbehaves, for tests that prove the crawler survives them.

A FaultPlan names faults per request target (for the first n requests, or for good), page
edits (hostile markup, odd links), and a random fault rate for soak runs. The server asks the
plan about every request; the default server has no plan and serves the portal as it is.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Self
from urllib.parse import parse_qsl, urljoin, urlsplit

from xzcrawler.replica import families as cms_families
from xzcrawler.replica import portal as replica_portal
from xzcrawler.replica import templates
from xzcrawler.replica.portal import FIRST_ARTICLE_ID, Page, Portal, _page
from xzcrawler.replica.templates import ArticleView, Link

LOOP_MARK = "xzloop=1"  # the other end of a redirect loop: the same target with this query


class Fault(StrEnum):
    HTTP_500 = "500"
    HTTP_502 = "502"
    HTTP_503 = "503"
    TIMEOUT = "timeout"  # no answer until well after the client gave up
    RESET = "reset"  # headers and half the body, then a TCP reset
    CUT = "cut"  # a 200 whose body stops in the middle; Content-Length agrees with the cut
    GARBAGE = "garbage"  # random bytes as a 200 text/html page
    EMPTY = "empty"  # a 200 with no body
    OVERSIZE = "oversize"  # the page padded past the plan's oversize_bytes
    WRONG_CHARSET = "wrong_charset"  # the header names the other charset (utf-8 <-> gbk)
    MIXED_ENCODING = "mixed_encoding"  # a UTF-8 page with its second half in GBK
    REDIRECT_LOOP = "redirect_loop"  # 302 to the target plus LOOP_MARK, which 302s back

    @property
    def status(self) -> int | None:
        return int(self.value) if self.value.isdigit() else None


# What a flaky server and network do; the soak run draws from these.
TRANSIENT_FAULTS = (
    Fault.HTTP_500,
    Fault.HTTP_502,
    Fault.HTTP_503,
    Fault.TIMEOUT,
    Fault.RESET,
    Fault.CUT,
    Fault.GARBAGE,
    Fault.EMPTY,
)


@dataclass
class _Rule:
    fault: Fault
    times: int | None  # None: every request


@dataclass
class FaultPlan:
    """Which requests misbehave and how; thread-safe, counts what it served."""

    rate: float = 0.0  # share of all other requests given a random fault from random_faults
    seed: int = 0
    random_faults: tuple[Fault, ...] = TRANSIENT_FAULTS
    stall_seconds: float = 5.0  # how long a TIMEOUT keeps the client waiting
    oversize_bytes: int = 2 * 1024 * 1024
    served: Counter[Fault] = field(default_factory=Counter)
    _rules: dict[str, _Rule] = field(default_factory=dict)
    _edits: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _random: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def on(self, target: str, fault: Fault, times: int | None = None) -> Self:
        """Serve `fault` for the first `times` requests of a target (None: always)."""
        self._rules[target] = _Rule(fault, times)
        if fault is Fault.REDIRECT_LOOP:
            self._rules[_loop_target(target)] = _Rule(fault, None)
        return self

    def off(self, target: str) -> Self:
        """The target serves normally again (the portal recovered)."""
        self._rules.pop(target, None)
        self._rules.pop(_loop_target(target), None)
        return self

    def edit(self, target: str, old: str, new: str) -> Self:
        """Replace text in a target's page whenever it is served (hostile markup, odd links)."""
        self._edits.setdefault(target, []).append((old, new))
        return self

    def pick(self, target: str) -> Fault | None:
        """The fault for this request, if any; counts it as served."""
        with self._lock:
            rule = self._rules.get(target)
            if rule is not None and rule.times != 0:
                if rule.times is not None:
                    rule.times -= 1
                fault: Fault | None = rule.fault
            elif self.rate and self._random.random() < self.rate:
                fault = self._random.choice(self.random_faults)
            else:
                fault = None
            if fault is not None:
                self.served[fault] += 1
            return fault

    def page(self, target: str, page: Page, fault: Fault | None) -> Page:
        """The page as served: edited, then spoilt by the fault (connection faults aside)."""
        for old, new in self._edits.get(target, ()):
            page = _recoded(page, _text(page).replace(old, new))
        match fault:
            case None | Fault.TIMEOUT | Fault.RESET:
                return page
            case Fault.HTTP_500 | Fault.HTTP_502 | Fault.HTTP_503:
                body = f"<html><body><h1>{fault.value} Server Error</h1></body></html>".encode()
                return _with_body(replace(page, status=fault.status or 500), body)
            case Fault.CUT:
                return _with_body(page, page.body[: len(page.body) // 2])
            case Fault.GARBAGE:
                noise = random.Random(f"{self.seed}:{target}").randbytes(len(page.body) or 4096)
                return _with_body(page, noise)
            case Fault.EMPTY:
                return _with_body(page, b"")
            case Fault.OVERSIZE:
                padding = b"<!-- " + b"x" * self.oversize_bytes + b" -->"
                return _with_body(page, page.body.replace(b"</body>", padding + b"</body>", 1))
            case Fault.WRONG_CHARSET:
                other = "gbk" if _charset(page) == "utf-8" else "utf-8"
                headers = {**page.headers, "Content-Type": f"text/html; charset={other}"}
                return replace(page, headers=headers)
            case Fault.MIXED_ENCODING:
                text = _text(page)
                half = len(text) // 2
                body = text[:half].encode("utf-8") + text[half:].encode("gb18030")
                headers = {**page.headers, "Content-Type": "text/html; charset=utf-8"}
                return _with_body(replace(page, headers=headers), body)
            case Fault.REDIRECT_LOOP:
                headers = {"Location": _loop_target(target), "Content-Length": "0"}
                return Page(302, headers, b"")
        raise AssertionError(fault)


def _loop_target(target: str) -> str:
    """The other end of a loop: the target with LOOP_MARK added, or taken off again."""
    for mark in (f"?{LOOP_MARK}", f"&{LOOP_MARK}"):
        if target.endswith(mark):
            return target.removesuffix(mark)
    return f"{target}{'&' if '?' in target else '?'}{LOOP_MARK}"


def _charset(page: Page) -> str:
    """The replica's own encoding of a page: utf-8 when the header says so, else gb18030."""
    return "utf-8" if "utf-8" in page.headers.get("Content-Type", "") else "gb18030"


def _text(page: Page) -> str:
    return page.body.decode(_charset(page))


def _recoded(page: Page, text: str) -> Page:
    return _with_body(page, text.encode(_charset(page)))


def _with_body(page: Page, body: bytes) -> Page:
    return replace(page, headers={**page.headers, "Content-Length": str(len(body))}, body=body)


RUNAWAY_PATH = "/runaway.asp"


class RunawayPortal(Portal):
    """A hostile portal whose every 下一篇 is a fresh URL, for ever: article N's 下一篇 is
    /runaway.asp?id=N&hop=1, a page of article N again (titled 续1) whose 下一篇 is hop=2,
    and so on. The portal's own articles stay reachable through the list pages and their 上一篇
    links; `expected_records` gives them as served (their 下一篇 the first fresh URL)."""

    def render(self, path_and_query: str) -> Page:
        split = urlsplit(path_and_query)
        if split.path == RUNAWAY_PATH:
            query = dict(parse_qsl(split.query))
            article_id, hop = query.get("id", ""), query.get("hop", "")
            k = self._index(int(article_id)) if article_id.isdigit() else None
            if k is not None and hop.isdigit() and int(hop) > 0:
                return self._runaway_page(k, int(hop))
            return _page(404, templates.not_found(), "text/html")
        return super().render(path_and_query)

    @staticmethod
    def runaway_path(article_id: int, hop: int) -> str:
        # At the root, so a template's relative href resolves alike from every page.
        return f"{RUNAWAY_PATH}?id={article_id}&hop={hop}"

    def _article_page(self, k: int) -> Page:
        return self._runaway_page(k, 0)

    def _runaway_page(self, k: int, hop: int) -> Page:
        section = self._sections[self._section_of[k]]
        article_id = FIRST_ARTICLE_ID + k
        content = self._content(k)
        if hop:
            content = replace(content, title=f"{content.title}（续{hop}）")
            previous = self.runaway_path(article_id, hop - 1) if hop > 1 else self._path(k)
            prev: Link | None = Link(previous, content.title)
        else:
            older, _ = self._neighbours(k)
            prev = Link(self._path(older), self._title(older)) if older is not None else None
            if k == self._broken_k and prev is not None:
                prev = Link(self._broken_target, prev.text)
        view = ArticleView(
            path=self.runaway_path(article_id, hop) if hop else self._path(k),
            crumbs=self._crumbs(self._section_of[k]),
            published=self._published(k),
            content=content,
            prev=prev,
            next=Link(self.runaway_path(article_id, hop + 1), f"{content.title}（续）"),
        )
        charset = replica_portal._charset(section)
        if section.family:
            html = cms_families.render(section.family, view, self._nav, charset)
        else:
            html = templates.article(section.template, view, self._nav, charset)
        return _page(200, html, "text/html", section.encoding)

    def expected_records(self, base_url: str) -> list[dict[str, str | None]]:
        records = super().expected_records(base_url)
        for record, truth in zip(records, self.articles, strict=True):
            record["next_url"] = urljoin(base_url, self.runaway_path(truth.id, 1))
        return records
