"""The benchmark command on a tiny replica: it runs the three crawls, profiles a fourth and
prints its summary.

Format, not speed: this machine's load decides the figures.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from xzcrawler.bench import CrawlFigures, stage_costs

SUMMARY_RE = re.compile(
    r"bench: articles=(?P<articles>\d+) ceiling_pps=\d+\.\d full_pps=\d+\.\d ratio=\d\.\d{3} "
    r"peak_rss_mb=\d+ rerun_share=\d\.\d{3} rerun_article_fetches=(?P<fetches>\d+)"
)
ROW_RE = re.compile(r"^\s+(?P<crawl>ceiling|full|rerun)\s+(?P<pages>\d+)\s+(?P<articles>\d+)\s")


@pytest.fixture(scope="module")
def bench_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    workdir = tmp_path_factory.mktemp("bench")
    bench = ["bench", "--articles", "100", "--repeat", "1", "--workdir", str(workdir), "--profile"]
    result = subprocess.run(
        [sys.executable, "-m", "xzcrawler", *bench],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_last_line_is_the_summary_for_scripts(bench_output: str) -> None:
    match = SUMMARY_RE.fullmatch(bench_output.splitlines()[-1])
    assert match is not None, bench_output
    assert match["articles"] == "100"


def test_no_change_rerun_fetches_no_article_page(bench_output: str) -> None:
    match = SUMMARY_RE.fullmatch(bench_output.splitlines()[-1])
    assert match is not None
    assert match["fetches"] == "0"


def test_ceiling_and_full_crawl_fetch_every_article(bench_output: str) -> None:
    medians = bench_output.split("median of 1")[1]
    rows = {m["crawl"]: m for m in map(ROW_RE.match, medians.splitlines()) if m}
    assert sorted(rows) == ["ceiling", "full", "rerun"]
    assert rows["ceiling"]["articles"] == rows["full"]["articles"] == "100"


PROFILE_ROW_RE = re.compile(
    r"^\s+(?P<stage>[A-Za-z/ ]+?)\s+(?P<process>crawl|reader|writer)\s+(?P<cpu>\d+\.\d\d)\s"
)


def test_profile_splits_every_process_of_the_crawl_by_stage(bench_output: str) -> None:
    profile = bench_output.split("profile of a full crawl")[1]
    rows = {
        (m["stage"], m["process"]) for m in map(PROFILE_ROW_RE.match, profile.splitlines()) if m
    }
    assert {("download/Scrapy", "crawl"), ("page walk", "reader"), ("storage", "writer")} <= rows
    assert SUMMARY_RE.fullmatch(bench_output.splitlines()[-1])  # still the last line


# py-spy's raw format: one stack a line (outermost first, `;`-separated), then its count.
CRAWL = 'process 10:"python -m xzcrawler crawl";run (xzcrawler/runner.py:1)'
READER = 'process 10:"";process 11:"spawn_main"'
WRITER = 'process 10:"";process 12:"spawn_main";_store_call (pipelines/writer.py:9)'
SAMPLES = [
    (CRAWL, "_run (asyncio/events.py:80)", 30),
    (CRAWL, "select (selectors.py:468)", 500),  # idle
    (CRAWL, "parse_page (xzcrawler/spiders/sections.py:9)", 10),
    (READER, "_read_bytes (xzcrawler/reading.py:70);_walk (xzcrawler/parsing/page.py:120)", 60),
    (READER, "_read_bytes (xzcrawler/reading.py:70);title (xzcrawler/parsing/heading.py:3)", 20),
    (READER, "_process_worker (concurrent/futures/process.py:2)", 20),
    (WRITER, "_write (xzcrawler/storage.py:480);index_tokens (xzcrawler/search.py:99)", 5),
    (WRITER, "_write (xzcrawler/storage.py:480)", 15),
    (WRITER, "_reconstruct (copyreg.py:5)", 5),  # the batch unpickled: the writer's plumbing
]
RAW = "".join(f"{process};{frames} {count}\n" for process, frames, count in SAMPLES)


def test_stage_costs_share_each_process_cpu_by_its_busy_samples() -> None:
    figures = CrawlFigures(100, 100, 1.0, 1.0, 6.0, 50.0, process_cpu={10: 4.0, 11: 1.0, 12: 2.0})
    costs = {(c.stage, c.process): round(c.cpu_seconds, 3) for c in stage_costs(RAW, figures)}
    assert costs == {
        ("download/Scrapy", "crawl"): 3.0,  # 30 of 40 busy samples; the 500 in select are idle
        ("navigation", "crawl"): 1.0,
        ("page walk", "reader"): 0.6,
        ("field extraction", "reader"): 0.2,
        ("pool plumbing", "reader"): 0.2,
        ("search index", "writer"): 0.4,
        ("storage", "writer"): 1.2,
        ("pool plumbing", "writer"): 0.4,
    }
