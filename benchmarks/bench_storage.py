"""CPU milliseconds per article of the writer's work: `ArticleStore.write` in batches of 200
rows into a fresh SQLite file, split into the search index (`update_search_index`) and the rest.

The rows are the crawl's: the replica's article pages parsed and put through the pipelines
before storage (settings.ITEM_PIPELINES), built once and handed to every run. Three passes are
timed: `new` (an empty database), `unchanged` (the same rows again, as an incremental run sees
them) and `changed` (every fourth body edited: revisions and a re-index).

With --compare TREE (an earlier commit's files, e.g. `mkdir /tmp/before && git archive HEAD
xzcrawler | tar -x -C /tmp/before`), each round runs that tree's store and this one in child
processes, alternating, so the ratio is measured under the same load; the two databases are then
compared table by table (the write times first_seen_at, last_seen_at, changed_at and
replaced_at left out), and the run fails if any stored row differs.
Run: python benchmarks/bench_storage.py [--articles N] [--rounds R] [--compare TREE]
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://www.xzspw.org.cn"
FETCHED_AT = datetime(2021, 1, 2, 12, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
BATCH = 200  # STORAGE_BATCH_SIZE
PASSES = ("new", "unchanged", "changed")
# Set by the write itself, so they differ between two runs of the same rows.
WRITE_TIMES = {"first_seen_at", "last_seen_at", "changed_at", "replaced_at"}


def crawl_rows(count: int) -> list[dict[str, Any]]:
    """Storage rows as the crawl hands them to the writer, from the replica's article pages."""
    sys.path.insert(0, str(ROOT))
    from scrapy.exceptions import DropItem
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.test import get_crawler

    from pipelines.dates import DatesPipeline
    from pipelines.required import RequiredFieldsPipeline
    from pipelines.sources import SourcesPipeline
    from pipelines.storage import article_row
    from xzcrawler.parsing import parse_article
    from xzcrawler.replica import Portal

    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    chain = [
        RequiredFieldsPipeline.from_crawler(crawler),
        DatesPipeline.from_crawler(crawler),
        SourcesPipeline.from_crawler(crawler),
    ]
    portal = Portal(articles=count)
    rows = []
    for truth in portal.articles:
        url = BASE + truth.path
        response = HtmlResponse(url, body=portal.render(truth.path).body, request=Request(url))
        item = parse_article(response, fetched_at=FETCHED_AT)
        try:
            for pipeline in chain:
                item = pipeline.process_item(item)
        except DropItem:
            continue
        rows.append(article_row(item))
    return rows


def edited(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every fourth article with its body changed, the rest as they were."""
    return [
        {**row, "body": row["body"] + "\n更正：本文有修改。"} if n % 4 == 0 else row
        for n, row in enumerate(rows)
    ]


# --- in the child: one tree's store over every pass ---------------------------------------


def run_store(tree: Path, rows_file: Path, database: Path) -> dict[str, dict[str, float]]:
    """CPU seconds of each pass, whole and in the search index, with the store of `tree`."""
    sys.path.insert(0, str(tree))
    from xzcrawler import storage

    rows = pickle.loads(rows_file.read_bytes())
    engine = storage.engine_for(f"sqlite:///{database}")
    storage.ensure_schema(engine)
    store = storage.ArticleStore(engine)
    indexing = [0.0]
    index = storage.update_search_index

    def timed_index(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return index(*args, **kwargs)
        finally:
            indexing[0] += time.process_time() - started

    storage.update_search_index = timed_index  # type: ignore[assignment]
    spent = {}
    for name, batch_rows in zip(PASSES, (rows, rows, edited(rows)), strict=True):
        indexing[0], total = 0.0, 0.0
        for batch in batches(batch_rows):
            copies = [dict(row) for row in batch]  # the store adds keys to its rows
            started = time.process_time()
            store.write(copies)
            total += time.process_time() - started
        spent[name] = {"write": total, "index": indexing[0]}
    engine.dispose()
    return spent


def batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


# --- in the parent ----------------------------------------------------------------------------


def child(tree: Path, rows_file: Path, database: Path) -> dict[str, dict[str, float]]:
    database.unlink(missing_ok=True)
    argv = [sys.executable, __file__, "--child", str(tree), str(rows_file), str(database)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"the child for {tree} failed:\n{done.stderr[-3000:]}")
    result: dict[str, dict[str, float]] = json.loads(done.stdout.splitlines()[-1])
    return result


def table_contents(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (the search index's included), the write times left out."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(f"sqlite:///{database}")
    contents = {}
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            if table.startswith("articles_fts_") or table == "alembic_version":
                continue  # FTS5's shadow tables: what articles_fts reads back is compared
            columns = [c["name"] for c in inspect(conn).get_columns(table)]
            kept = [c for c in columns if c not in WRITE_TIMES]
            rowid = ["rowid"] if table == "articles_fts" else []
            names = ", ".join(f'"{c}"' for c in [*rowid, *kept])
            contents[table] = list(conn.execute(text(f"SELECT {names} FROM {table} ORDER BY 1")))
    engine.dispose()
    return contents


def report(name: str, runs: list[dict[str, dict[str, float]]], articles: int) -> dict[str, float]:
    """Median ms per article of each pass; prints one line per pass."""
    medians = {}
    for pass_name in PASSES:
        write = statistics.median(r[pass_name]["write"] for r in runs) * 1000 / articles
        index = statistics.median(r[pass_name]["index"] for r in runs) * 1000 / articles
        medians[pass_name] = write
        print(
            f"{name:>6} {pass_name:>9}: {write:.3f} ms/article"
            f" (search index {index:.3f}, the rest {write - index:.3f})"
        )
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare", type=Path, help="a tree holding an earlier xzcrawler/")
    parser.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_store(*args.child)))
        return
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        rows = crawl_rows(args.articles)
        rows_file = work / "rows.pickle"
        rows_file.write_bytes(pickle.dumps(rows))
        trees = {"now": ROOT}
        if args.compare:
            trees["before"] = args.compare.resolve()
        runs: dict[str, list[dict[str, dict[str, float]]]] = {name: [] for name in trees}
        for _ in range(args.rounds):
            for name, tree in trees.items():
                runs[name].append(child(tree, rows_file, work / f"{name}.sqlite"))
        print(f"{len(rows)} articles in batches of {BATCH}, median of {args.rounds} rounds (CPU)")
        medians = {name: report(name, found, len(rows)) for name, found in runs.items()}
        if args.compare:
            for pass_name in PASSES:
                ratio = medians["now"][pass_name] / medians["before"][pass_name]
                print(f" ratio {pass_name:>9}: {ratio:.2f} (now / before)")
            compare_stored(work / "now.sqlite", work / "before.sqlite")


def compare_stored(now: Path, before: Path) -> None:
    """Fail unless both databases hold the same rows in every table."""
    ours, theirs = table_contents(now), table_contents(before)
    tables = sorted(set(ours) | set(theirs))
    if bad := [table for table in tables if ours.get(table) != theirs.get(table)]:
        raise SystemExit(f"stored rows differ in: {', '.join(bad)}")
    print(f"stored rows identical in {len(tables)} tables ({sum(map(len, ours.values()))} rows)")


if __name__ == "__main__":
    main()
