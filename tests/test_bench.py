"""The benchmark command on a tiny replica: it runs the three crawls and prints its summary.

Format, not speed: this machine's load decides the figures.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SUMMARY_RE = re.compile(
    r"bench: articles=(?P<articles>\d+) ceiling_pps=\d+\.\d full_pps=\d+\.\d ratio=\d\.\d{3} "
    r"peak_rss_mb=\d+ rerun_share=\d\.\d{3} rerun_article_fetches=(?P<fetches>\d+)"
)
ROW_RE = re.compile(r"^\s+(?P<crawl>ceiling|full|rerun)\s+(?P<pages>\d+)\s+(?P<articles>\d+)\s")


@pytest.fixture(scope="module")
def bench_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    workdir = tmp_path_factory.mktemp("bench")
    bench = ["bench", "--articles", "100", "--repeat", "1", "--workdir", str(workdir)]
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
