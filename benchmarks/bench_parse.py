"""Milliseconds per article page of `parse_article` (decoding, the walk and every field), on the
replica's article pages of every template.

With --compare PATH (a parsing.py of an earlier commit, e.g. `git show 646dbf9:xzcrawler/parsing.py
> /tmp/old_parsing.py`), both parsers run on the same pages in one run, alternating, so the ratio
is measured under the same load. Run: python benchmarks/bench_parse.py [--articles N] [--compare P]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrapy.http import HtmlResponse, Request

from xzcrawler import parsing
from xzcrawler.models import SHANGHAI
from xzcrawler.replica import Portal

BASE = "http://www.xzspw.org.cn"
FETCHED_AT = datetime(2021, 1, 2, 12, 30, tzinfo=SHANGHAI)


def article_pages(count: int) -> list[tuple[str, bytes]]:
    portal = Portal(articles=count)
    pages = []
    for truth in portal.articles:
        page = portal.render(truth.path)
        pages.append((BASE + truth.path, page.body))
    return pages


def load(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("earlier_parsing", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def per_page_ms(parse: Callable[..., object], pages: list[tuple[str, bytes]]) -> float:
    """One response at a time, dropped after its parse, as in a crawl (a list of live responses
    would keep every page's walk alive and time the garbage collector instead)."""
    spent = 0.0
    for url, body in pages:
        response = HtmlResponse(url, body=body, request=Request(url))
        started = time.perf_counter()
        parse(response, fetched_at=FETCHED_AT)
        spent += time.perf_counter() - started
    return spent * 1000 / len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compare", help="path of an earlier parsing.py")
    args = parser.parse_args()
    pages = article_pages(args.articles)
    parsers: dict[str, Callable[..., object]] = {"now": parsing.parse_article}
    if args.compare:
        parsers["before"] = load(args.compare).parse_article
    timings: dict[str, list[float]] = {name: [] for name in parsers}
    for _ in range(args.repeat):
        for name, parse in parsers.items():
            timings[name].append(per_page_ms(parse, pages))
    medians = {name: statistics.median(values) for name, values in timings.items()}
    for name, median in medians.items():
        print(f"{name:>6}: {median:.3f} ms/page (median of {args.repeat}, {len(pages)} pages)")
    if "before" in medians:
        print(f" ratio: {medians['now'] / medians['before']:.2f} (now / before)")


if __name__ == "__main__":
    main()
