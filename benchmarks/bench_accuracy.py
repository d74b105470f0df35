"""Share of articles with each export field exactly right, through the normalising pipelines:
generated variants (xzcrawler.replica.variants), the CMS family templates, the replica's own.

With --compare PATH (a parsing.py of an earlier commit, e.g. `git show 646dbf9:xzcrawler/parsing.py
> /tmp/old_parsing.py`) both parsers run on the same pages. Run from the project root:
python benchmarks/bench_accuracy.py [--variants N] [--compare PATH]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from benchmarks.bench_parse import FETCHED_AT, load
from pipelines.dates import DatesPipeline
from pipelines.required import RequiredFieldsPipeline
from pipelines.sources import SourcesPipeline
from xzcrawler import parsing
from xzcrawler.export import RECORD_FIELDS, interface_record
from xzcrawler.replica import Portal, variants
from xzcrawler.replica.variants import Variant

BASE = "http://127.0.0.1:8000/"
Case = tuple[bytes | str, str, dict[str, Any]]


def record(parse: Callable[..., Any], pipelines: list[Any], html: bytes | str, url: str) -> dict:
    body = html.encode() if isinstance(html, str) else html
    item = parse(HtmlResponse(url, body=body, request=Request(url)), fetched_at=FETCHED_AT)
    for pipeline in pipelines:
        item = pipeline.process_item(item)
    return interface_record(item)


def accuracy(parse: Callable[..., Any], cases: list[Case]) -> dict[str, float]:
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    pipelines = [
        p.from_crawler(crawler) for p in (RequiredFieldsPipeline, DatesPipeline, SourcesPipeline)
    ]
    wrong: Counter[str] = Counter()
    for html, url, want in cases:
        try:
            got = record(parse, pipelines, html, url)
        except DropItem:
            got = {}
        wrong.update(name for name in RECORD_FIELDS if got.get(name) != want[name])
    return {name: 1 - wrong[name] / len(cases) for name in RECORD_FIELDS if name != "url"}


def variant_cases(count: int) -> list[Case]:
    found: list[Variant] = [variants.generate(seed) for seed in range(count)]
    return [(v.html, v.url, v.expected) for v in found]


def portal_cases(portal: Portal, families: bool) -> list[Case]:
    want = {r["url"]: r for r in portal.expected_records(BASE)}
    return [
        (portal.render(a.path).body, BASE.rstrip("/") + a.path, want[BASE.rstrip("/") + a.path])
        for a in portal.articles
        if (a.family is not None) == families
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", type=int, default=1500)
    parser.add_argument("--compare", help="path of an earlier parsing.py")
    args = parser.parse_args()
    parsers: dict[str, Callable[..., Any]] = {"now": parsing.parse_article}
    if args.compare:
        parsers = {"before": load(args.compare).parse_article, **parsers}
    sets = {
        f"variants ({args.variants})": variant_cases(args.variants),
        "CMS families": portal_cases(Portal(articles=200, families=True), True),
        "replica templates": portal_cases(Portal(articles=300), False),
    }
    for name, cases in sets.items():
        for label, parse in parsers.items():
            shares = " ".join(f"{k}={v:.3f}" for k, v in accuracy(parse, cases).items())
            print(f"{name:20} {label:6} n={len(cases)} {shares}")


if __name__ == "__main__":
    main()
