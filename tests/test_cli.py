"""The command line as users meet it: the demo, usage errors, progress in a terminal, export."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, CrawlEnv
from tests.helpers import expected
from xzcrawler.cli import main
from xzcrawler.export import EXTRA_FIELDS, RECORD_FIELDS


def test_demo_serves_the_replica_crawls_it_and_shows_what_was_stored(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "xzcrawler", "demo", "--articles", "40"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "XZCRAWLER_LOCK_DIR": str(tmp_path / "locks")},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "stored 40 of the 40 articles the replica serves" in result.stdout
    for section in ("党建工作", "三农时评", "乡村振兴", "基层治理", "政策解读"):
        assert f"  {section}" in result.stdout
    assert "a few stored articles:" in result.stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["crawl", "-s", "DOWNLOAD_DELAY"], "-s takes NAME=VALUE, got 'DOWNLOAD_DELAY'"),
        (["export", "--database-url", "not a url"], "DATABASE_URL is not a database URL"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_export_writes_the_interface_record_as_jsonl_and_csv(crawl_env: CrawlEnv) -> None:
    assert crawl_env.crawl().returncode == 0
    want = expected(crawl_env)
    jsonl = crawl_env.run("-m", "xzcrawler", "export", "--format", "jsonl")
    assert jsonl.returncode == 0
    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [list(r)[: len(RECORD_FIELDS)] for r in records[:1]] == [list(RECORD_FIELDS)]
    assert {r["url"]: {k: r[k] for k in RECORD_FIELDS} for r in records} == want
    assert f"exported {len(want)} articles" in jsonl.stderr

    out = crawl_env.tmp_path / "articles.csv"
    assert (
        crawl_env.run("-m", "xzcrawler", "export", "--format", "csv", "-o", str(out)).returncode
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == [*RECORD_FIELDS, *EXTRA_FIELDS]
    by_url = {row["url"]: row for row in rows}
    for url, record in want.items():
        assert by_url[url]["body"] == record["body"]
        assert by_url[url]["published_at"] == record["published_at"]
        assert by_url[url]["author"] == (record["author"] or "")


def test_crawl_in_a_terminal_shows_one_live_progress_line(crawl_env: CrawlEnv) -> None:
    leader, follower = pty.openpty()
    process = crawl_env.start_crawl(stderr=follower)
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the crawl exits
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=60) == 0
    text = output.decode()
    lines = re.findall(r"\r(\d+ pages, \d+ new, \d+ updated, \d+ errors, [\d.]+ pages/s)", text)
    assert len(lines) >= 2, "redrawn in place, not once at the end"
    articles = len(crawl_env.portal.articles)
    assert lines[-1].startswith(
        f"{len(crawl_env.requested()) - 1} pages, {articles} new, 0 updated"
    )
    assert " INFO: " not in text, "the log stays quiet below warnings in a terminal"


def test_crawl_log_goes_to_the_log_file_in_a_folder_it_creates(crawl_env: CrawlEnv) -> None:
    log = crawl_env.tmp_path / "logs" / "crawl.log"
    result = crawl_env.crawl("--log-file", str(log))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Spider closed (finished)" in log.read_text(encoding="utf-8")
    assert result.stderr.strip().startswith("run 1 ok:"), "stderr keeps only the summary line"


def test_unreachable_redis_exits_1_with_one_masked_line_before_fetching(
    crawl_env: CrawlEnv,
) -> None:
    result = crawl_env.crawl("--redis-url", "redis://:s3cret@127.0.0.1:1/0")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "xzcrawler: redis redis://:***@127.0.0.1:1/0 unreachable: ConnectionError: "
        "Error 111 connecting to 127.0.0.1:1. Connection refused."
    ]
    assert crawl_env.requested() == []
