"""Calls per second of the date fast path and of dateparser on the same common-form inputs.

One run, both paths, so the ratio is measured on the same machine under the same load.
Target (issue 3): the fast path at least 100x dateparser. Run: python benchmarks/bench_dates.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.dates import SHANGHAI, ParsedDate, parse_date_dateparser, parse_date_fast

NOW = datetime(2021, 1, 2, 12, 30, tzinfo=SHANGHAI)
# The forms the portal's meta lines and meta tags write most, labels and noise included.
COMMON_FORMS = [
    "2020-11-12",
    "2020-11-12 10:35",
    "2020-11-12 10:35:08",
    "2020/11/12",
    "2020.11.12",
    "2020-1-5",
    "2020年11月12日",
    "2020年11月12日 10:35",
    "2020年11月12日10时35分",
    "２０２０－１１－１２　１０：３５",
    "发布时间：2020-11-12 10:35",
    "发布时间：2020-11-12 10:35 来源：新华社",
    "2020-11-12 作者:佚名 来源: 七一网",
    "日期:2020-11-12 点击数: 1024 【字体：大 中 小】",
    "2020-11-12T10:35:08+08:00",
    "2020-11-12T02:35:08Z",
    "3小时前",
    "昨天 10:35",
    "3天前",
    "11-12 10:35",
]
MIN_SECONDS = 1.0


def calls_per_second(parse: Callable[..., ParsedDate | None]) -> float:
    """Whole passes over COMMON_FORMS until MIN_SECONDS have gone by."""
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < MIN_SECONDS:
        for raw in COMMON_FORMS:
            parse(raw, now=NOW)
        calls += len(COMMON_FORMS)
    return calls / elapsed


def main() -> None:
    parse_date_dateparser(COMMON_FORMS[0], now=NOW)  # dateparser's one-off loading is not a call
    agree = sum(
        parse_date_fast(raw, now=NOW) == parse_date_dateparser(raw, now=NOW) for raw in COMMON_FORMS
    )
    fast, slow = calls_per_second(parse_date_fast), calls_per_second(parse_date_dateparser)
    print(f"inputs: {len(COMMON_FORMS)} common forms, dateparser agrees on {agree}")
    print(f"fast path:  {fast:12,.0f} calls/s")
    print(f"dateparser: {slow:12,.0f} calls/s")
    print(f"ratio:      {fast / slow:12,.0f}x (target >= 100x)")


if __name__ == "__main__":
    main()
