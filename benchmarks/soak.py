"""Soak run: the replica with a random fault on 5% of all requests, crawled twice.

    python benchmarks/soak.py [--articles 3000] [--rate 0.05] [--runs 2]

Prints, after each run, the articles stored against those the replica serves, duplicates
(the same title and body under two URLs), the run record's status and error counts, and the
faults the replica served. A correct crawler has stored everything after at most two runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from xzcrawler.demo import LOOPBACK_SETTINGS  # noqa: E402
from xzcrawler.export import export_records  # noqa: E402
from xzcrawler.models import CrawlRun  # noqa: E402
from xzcrawler.replica import FaultPlan, Portal, ReplicaServer  # noqa: E402
from xzcrawler.storage import engine_for  # noqa: E402

# Timeouts stall 3 s, the crawler gives up after 2 s; three retries as in the settings.
SOAK_SETTINGS = {
    **LOOPBACK_SETTINGS,
    "DOWNLOAD_TIMEOUT": 2,
    "RETRY_TIMES": 3,
    "LOG_LEVEL": "WARNING",
}


def crawl(base_url: str, database_url: str, work: Path) -> tuple[int, float]:
    settings = {
        **SOAK_SETTINGS,
        "LOCK_DIR": work / "locks",
        "STORAGE_SPOOL_DIR": work / "spool",
        "LOG_FILE": work / "crawl.log",
    }
    options = [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "xzcrawler", "crawl", "--portal-url", base_url, *options],
        cwd=PROJECT_ROOT,
        env={**os.environ, "XZCRAWLER_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode, time.monotonic() - started


def report(
    run_number: int,
    exit_code: int,
    seconds: float,
    portal: Portal,
    database_url: str,
    base_url: str,
    plan: FaultPlan,
) -> bool:
    engine = engine_for(database_url)
    records = list(export_records(engine))
    stored = {r["url"] for r in records}
    expected = {base_url.rstrip("/") + a.path for a in portal.articles}
    duplicates = sum(n - 1 for n in Counter((r["title"], r["body"]) for r in records).values())
    with Session(engine) as session:
        run = session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
    reasons = Counter(page["reason"] for page in run.failed_pages) if run else Counter()
    print(f"run {run_number}: exit {exit_code} in {seconds:.0f} s, status {run and run.status}")
    print(
        f"  stored {len(stored & expected)} of {len(expected)} expected, "
        f"missing {len(expected - stored)}, unexpected {len(stored - expected)}, "
        f"duplicates {duplicates}"
    )
    if run:
        print(
            f"  pages fetched {run.pages_fetched}, new {run.articles_new}, "
            f"dropped {run.articles_dropped}, http_errors {run.http_errors}"
        )
        print(f"  failed pages by reason {dict(reasons)}")
    print(f"  faults served so far {dict(sorted(plan.served.items()))}")
    return stored == expected and duplicates == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()

    portal = Portal(articles=args.articles, list_page_size=20, list_page_cap=10)
    plan = FaultPlan(rate=args.rate, seed=args.seed, stall_seconds=3)
    with tempfile.TemporaryDirectory(prefix="xz-soak-") as tmp:
        work = Path(tmp)
        database_url = f"sqlite:///{work / 'soak.db'}"
        with ReplicaServer(portal, faults=plan, keep_log=False) as server:
            print(f"soak: {args.articles} articles, fault rate {args.rate:.0%} on every request")
            complete = False
            for number in range(1, args.runs + 1):
                exit_code, seconds = crawl(server.base_url, database_url, work)
                complete = report(
                    number, exit_code, seconds, portal, database_url, server.base_url, plan
                )
        engine_for(database_url).dispose()
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
