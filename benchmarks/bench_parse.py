"""CPU milliseconds per article page of `parse_article` (the walk and every field; with
--reading, also the page's kind and completeness, as a page reader asks), on the replica's
article pages of every template.

With --compare PATH (an earlier parser: the package directory of an earlier commit, e.g.
`mkdir -p /tmp/base && git archive HEAD xzcrawler/parsing | tar -x -C /tmp/base`, then
`--compare /tmp/base/xzcrawler/parsing`; or the single parsing.py of a commit before the
package), both parsers run on the same pages in one run, alternating, so the ratio is measured
under the same load; and every field of every page is compared, the run failing on the first
page where the two parsers disagree.
Run: python benchmarks/bench_parse.py [--articles N] [--repeat R] [--compare PATH] [--reading]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import importlib
import importlib.util
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrapy.http import HtmlResponse, Request

from xzcrawler import parsing
from xzcrawler.models import SHANGHAI
from xzcrawler.replica import Portal

BASE = "http://www.xzspw.org.cn"
FETCHED_AT = datetime(2021, 1, 2, 12, 30, tzinfo=SHANGHAI)
EARLIER = "earlier_parsing"
BATCH = 25  # pages timed together


def article_pages(count: int) -> list[tuple[str, bytes]]:
    portal = Portal(articles=count)
    pages = []
    for truth in portal.articles:
        page = portal.render(truth.path)
        pages.append((BASE + truth.path, page.body))
    return pages


def load(path: str) -> ModuleType:
    """An earlier parser under its own name: a module file, or a package directory copied with
    its imports of xzcrawler.parsing renamed (so both packages live side by side). The copy is
    removed once imported: the package imports all its modules."""
    if Path(path).is_dir():
        with tempfile.TemporaryDirectory(prefix="bench_parse_") as copy:
            root = Path(copy)
            shutil.copytree(path, root / EARLIER, ignore=shutil.ignore_patterns("__pycache__"))
            for source in (root / EARLIER).glob("*.py"):
                text = source.read_text(encoding="utf-8")
                source.write_text(text.replace("xzcrawler.parsing", EARLIER), encoding="utf-8")
            sys.path.insert(0, copy)
            try:
                return importlib.import_module(EARLIER)
            finally:
                sys.path.remove(copy)
    spec = importlib.util.spec_from_file_location(EARLIER, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def read(parse: Callable[..., object], url: str, body: bytes) -> object:
    response = HtmlResponse(url, body=body, request=Request(url))
    return parse(response, fetched_at=FETCHED_AT)


def reading(module: ModuleType) -> Callable[..., object]:
    """What a page reader asks of an article page: its kind, whether it is whole, its fields."""

    def read_page(response: Any, fetched_at: datetime) -> object:
        kind = module.page_kind(response)
        return kind, module.incomplete_reason(response), module.parse_article(response, fetched_at)

    return read_page


def fields(result: object) -> object:
    """A reading as plain values: the two parsers' classes differ, their fields must not."""
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return dataclasses.asdict(result)
    if isinstance(result, tuple):
        return tuple(fields(part) for part in result)
    return str(result) if hasattr(result, "value") else result


def same_output(
    now: Callable[..., object], before: Callable[..., object], pages: list[tuple[str, bytes]]
) -> None:
    for url, body in pages:
        ours, theirs = fields(read(now, url, body)), fields(read(before, url, body))
        if ours != theirs:
            sys.exit(f"outputs differ on {url}:\n now: {ours}\n before: {theirs}")
    print(f"outputs: identical on all {len(pages)} pages")


def cpu_ms(parse: Callable[..., object], pages: list[tuple[str, bytes]]) -> float:
    """CPU milliseconds (this process's, not the wall clock's: the machine is shared) to parse
    `pages`, one response at a time, dropped after its parse, as in a crawl (a list of live
    responses would keep every page's walk alive and time the garbage collector instead). The
    text is decoded before the clock starts: decoding is Scrapy's, not the parser's."""
    gc.collect()  # neither parser pays for the other's garbage
    spent = 0.0
    for url, body in pages:
        response = HtmlResponse(url, body=body, request=Request(url))
        _ = response.text  # decoded and cached outside the clock
        started = time.process_time()
        parse(response, fetched_at=FETCHED_AT)
        spent += time.process_time() - started
    return spent * 1000


def timings(
    parsers: dict[str, Callable[..., object]], pages: list[tuple[str, bytes]], trials: int
) -> dict[str, float]:
    """Milliseconds per page for each parser: per batch of BATCH pages, the least of `trials`
    passes, the parsers alternating and taking turns to go first; the least is the pass other
    processes disturbed least, and a batch is short enough for a quiet moment to come."""
    spent = dict.fromkeys(parsers, 0.0)
    for first in range(0, len(pages), BATCH):
        batch = pages[first : first + BATCH]
        least = dict.fromkeys(parsers, float("inf"))
        order = list(parsers)
        for _ in range(trials):
            for name in order:
                least[name] = min(least[name], cpu_ms(parsers[name], batch))
            order.reverse()
        for name in parsers:
            spent[name] += least[name]
    return {name: total / len(pages) for name, total in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=7, help="passes per batch of pages")
    parser.add_argument("--compare", help="an earlier parser: its package directory or parsing.py")
    parser.add_argument(
        "--reading",
        action="store_true",
        help="time what a page reader asks (page kind, completeness, fields), not only the fields",
    )
    args = parser.parse_args()
    pages = article_pages(args.articles)
    modules = {"now": parsing}
    if args.compare:
        modules["before"] = load(args.compare)
    parsers: dict[str, Callable[..., object]] = {
        name: reading(module) if args.reading else module.parse_article
        for name, module in modules.items()
    }
    if "before" in parsers:
        same_output(parsers["now"], parsers["before"], pages)
    per_page = timings(parsers, pages, args.repeat)
    for name, ms in per_page.items():
        print(f"{name:>6}: {ms:.3f} ms/page (CPU, {len(pages)} pages, least of {args.repeat})")
    if "before" in per_page:
        print(f" ratio: {per_page['now'] / per_page['before']:.2f} (now / before)")


if __name__ == "__main__":
    main()
