"""Build and render times of a large replica portal: what test_replica.py once asserted.

    .venv/bin/python benchmarks/bench_replica.py [--articles 100000]

Speed belongs here, not in the tests: a loaded machine slows a build without anything being
wrong. The figures to compare against: under 3 s to build 100,000 articles, under 2 ms a page.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xzcrawler.replica import Portal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()
    started = time.perf_counter()
    portal = Portal(articles=args.articles)
    built = time.perf_counter() - started
    step = max(1, args.articles // 100)
    paths = [portal.articles[i].path for i in range(0, args.articles, step)]
    started = time.perf_counter()
    for path in paths:
        portal.render(path)
    per_page = (time.perf_counter() - started) / len(paths)
    print(f"replica: articles={args.articles} build_s={built:.2f} render_ms={per_page * 1000:.3f}")


if __name__ == "__main__":
    main()
