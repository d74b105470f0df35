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
from rich.cells import cell_len

from tests.conftest import PROJECT_ROOT, CrawlEnv
from tests.helpers import closed_port, expected
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


def test_crawl_in_a_terminal_shows_live_progress_with_warnings_above_it(
    crawl_env: CrawlEnv,
) -> None:
    leader, follower = pty.openpty()
    # Slow enough for several frames while the first (and only) batch is still unwritten.
    slow = ["DOWNLOAD_DELAY=0.05", "CONCURRENT_REQUESTS=2", "PROGRESS_INTERVAL=0.1"]
    process = crawl_env.start_crawl(settings=slow, stderr=follower)
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
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.decode())  # colours, cursor moves
    frames = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    shown = [
        re.fullmatch(
            r"[━╺╸]* ?(\d+)/(\d+|\?) pages (?:[\d:]+|-+:-+) "
            r"(\d+) articles \((\d+) new, \d+ updated\), (\d+) failed, \d+/s",
            frame,
        )
        for frame in frames
    ]
    progress = [[m.group(n) for n in range(1, 6)] for m in shown if m]
    assert len(progress) >= 3, "redrawn in place, not once at the end"
    articles = len(crawl_env.portal.articles)
    assert any(int(p[2]) > 0 and p[3] == "0" for p in progress), "articles count before a write"
    assert any(p[1] != "?" and int(p[0]) < int(p[1]) for p in progress), "done of a known total"
    assert progress[-1][2:] == [str(articles), str(articles), "1"]
    warnings = [f for f in frames if "WARNING: unusable page" in f]
    assert warnings and not [f for f in warnings if "pages/s" in f or "articles (" in f]
    assert frames[-2].startswith(
        f"run 1 ok: {len(crawl_env.requested()) - 1} pages, {articles} new"
    )
    assert frames[-2].endswith(", 1 failed page (python -m xzcrawler runs --failed-pages 1)")
    assert " INFO: " not in text, "the log stays quiet below warnings in a terminal"


def log_lines(log: Path) -> list[str]:
    """The log's lines without the time stamp (`2026-12-01 10:23:08 `)."""
    return [line[20:] for line in log.read_text(encoding="utf-8").splitlines() if line[:2] == "20"]


def test_a_scheduled_crawl_is_silent_when_ok_and_its_log_holds_run_id_and_verdict(
    crawl_env: CrawlEnv,
) -> None:
    log = crawl_env.tmp_path / "logs" / "crawl.log"  # a folder the crawl creates
    result = crawl_env.crawl("--log-file", str(log))
    assert result.returncode == 0, log.read_text(encoding="utf-8")[-3000:]
    assert (result.stdout, result.stderr) == ("", ""), "cron mails nothing"
    lines = log_lines(log)
    assert lines[0].startswith("[xzcrawler] INFO: run 1 started: incremental crawl of http://")
    assert lines[-1].startswith("[xzcrawler] INFO: run 1 ok: ")
    assert "1 failed page (python -m xzcrawler runs --failed-pages 1)" in lines[-1]
    assert "Spider closed (finished)" in lines[-2]
    text = log.read_text(encoding="utf-8")
    for boilerplate in ("Versions:", "Enabled extensions:", "Overridden settings:"):
        assert boilerplate not in text, "Scrapy's start-up report stays out of the log"

    again = crawl_env.crawl("--log-file", str(log), "--verbose")
    assert again.stderr.strip().startswith("run 2 ok: "), "--verbose prints the outcome"
    assert log_lines(log)[-1].startswith("[xzcrawler] INFO: run 2 ok: "), "appended"


def test_a_log_file_past_its_cap_is_rotated_before_the_next_run(crawl_env: CrawlEnv) -> None:
    log = crawl_env.tmp_path / "crawl.log"
    capped = ["-s", "LOG_FILE_MAX_BYTES=500", "-s", "LOG_FILE_BACKUPS=2"]
    for run in (1, 2, 3, 4):
        result = crawl_env.crawl("--log-file", str(log), *capped)
        assert result.returncode == 0, log.read_text(encoding="utf-8")[-3000:]
        # each run logs more than 500 bytes (its stats at least): the next run starts afresh
        assert log_lines(log)[0].startswith(f"[xzcrawler] INFO: run {run} started: ")
    rotated = [Path(f"{log}.1"), Path(f"{log}.2")]
    assert [log_lines(path)[0][:24] for path in rotated] == [
        "[xzcrawler] INFO: run 3 ",
        "[xzcrawler] INFO: run 2 ",
    ]
    assert not Path(f"{log}.3").exists(), "LOG_FILE_BACKUPS files kept, the oldest dropped"


def test_export_since_a_run_gives_what_that_run_and_later_ones_stored_new_or_changed(
    crawl_env: CrawlEnv,
) -> None:
    assert crawl_env.crawl().returncode == 0
    edited = crawl_env.portal.articles[3]
    crawl_env.portal.edit_article(edited.id, title="改过的标题", body="改过的正文。")
    assert crawl_env.crawl("--recheck-days", "100000").returncode == 0  # run 2: 1 updated

    def exported(*options: str) -> list[str]:
        result = crawl_env.run("-m", "xzcrawler", "export", *options)
        assert result.returncode == 0, result.stderr
        return [json.loads(line)["url"] for line in result.stdout.splitlines()]

    url = crawl_env.server.base_url.rstrip("/") + edited.path
    assert exported("--since-run", "2") == [url]
    assert sorted(exported("--since-run", "1")) == sorted(expected(crawl_env))
    assert sorted(exported("--changed-since", "2000-01")) == sorted(expected(crawl_env))
    assert exported("--changed-since", "2999") == []
    unknown = crawl_env.run("-m", "xzcrawler", "export", "--since-run", "99")
    assert unknown.returncode == 2
    assert "--since-run 99: no such run" in unknown.stderr and "Traceback" not in unknown.stderr


def test_a_scheduled_crawl_of_a_portal_refusing_connections_says_why_on_stderr(
    tmp_path: Path,
) -> None:
    port = closed_port()
    log = tmp_path / "crawl.log"
    result = subprocess.run(
        [sys.executable, "-m", "xzcrawler", "crawl", "--portal-url", f"http://127.0.0.1:{port}/",
         "--database-url", f"sqlite:///{tmp_path / 'crawl.db'}", "--log-file", str(log),
         "-s", "RETRY_TIMES=0", "-s", f"LOCK_DIR={tmp_path / 'locks'}",
         "-s", f"STORAGE_SPOOL_DIR={tmp_path / 'spool'}"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "run 1 failed: 0 pages, 0 new, 0 updated, 0 unchanged, 1 failed page (python -m "
        "xzcrawler runs --failed-pages 1); no list page was fetched (portal down, blocking us, "
        f"or redesigned); first failed page http://127.0.0.1:{port}/: "
        "DownloadConnectionRefusedError"
    ]
    lines = log_lines(log)
    assert lines[0].startswith("[xzcrawler] INFO: run 1 started: ")
    assert lines[-1] == f"[xzcrawler] ERROR: {result.stderr.strip()}"
    assert "Traceback" not in log.read_text(encoding="utf-8")


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


def test_runs_fit_80_columns_and_list_a_runs_failed_pages(crawl_env: CrawlEnv) -> None:
    assert crawl_env.crawl().returncode == 0
    broken = crawl_env.server.base_url.rstrip("/") + crawl_env.portal.specials.broken_target_path
    narrow = {**crawl_env.environ(), "COLUMNS": "80"}
    for _ in range(2):  # a failed run too: its reason goes under the table
        refused = subprocess.run(
            [sys.executable, *crawl_env.crawl_argv(settings=["RETRY_TIMES=0"]),
             "--portal-url", "http://127.0.0.1:9/"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, env=narrow,
        )  # fmt: skip
        assert refused.returncode == 1
    listing = subprocess.run(
        [sys.executable, "-m", "xzcrawler", "runs"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, env=narrow,
    ).stdout.splitlines()  # fmt: skip
    assert max(cell_len(line) for line in listing) <= 80
    assert listing[0].split() == [
        "id", "started", "+08:00", "secs", "mode", "status", "pages", "new", "upd", "same",
        "drop", "exit",
    ]  # fmt: skip
    assert [line.split()[0] for line in listing[1:4]] == ["3", "2", "1"]
    assert listing[4].startswith("run 3: no list page was fetched")
    assert re.fullmatch(r" *1 \d{4}-\d\d-\d\d \d\d:\d\d +\d+ incr ok .*", listing[3])

    piped = crawl_env.run("-m", "xzcrawler", "runs").stdout.splitlines()
    assert piped[0].split()[-1] == "reason" and len(piped) == 4, "piped: one whole line a run"
    assert piped[1].endswith("no list page was fetched (portal down, blocking us, or redesigned)")

    failed = crawl_env.run("-m", "xzcrawler", "runs", "--failed-pages", "1")
    assert failed.returncode == 0, failed.stderr
    assert failed.stdout.splitlines() == [
        "status reason   url",
        f"   404 HTTP 404 {broken}",
        "run 1 (ok): 1 failed page",
    ]
    refused_pages = crawl_env.run("-m", "xzcrawler", "runs", "--failed-pages", "3").stdout
    assert "DownloadConnectionRefusedError http://127.0.0.1:9/" in refused_pages
    missing = crawl_env.run("-m", "xzcrawler", "runs", "--failed-pages", "99")
    assert (missing.returncode, missing.stderr) == (
        1,
        "xzcrawler: no run 99 (python -m xzcrawler runs lists them)\n",
    )


def test_export_for_excel_starts_with_a_bom_and_writes_the_breadcrumb_as_show_does(
    crawl_env: CrawlEnv,
) -> None:
    assert crawl_env.crawl().returncode == 0
    out = crawl_env.tmp_path / "excel.csv"
    result = crawl_env.run(
        "-m", "xzcrawler", "export", "--format", "csv", "--excel", "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfurl,section,title,")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    nested = next(row for row in rows if row["section"] == "三农时评")
    assert nested["section_path"] == "时评 > 三农时评"
    assert nested["published_at"].endswith("+08:00")
    shown = crawl_env.run("-m", "xzcrawler", "show", nested["id"]).stdout.splitlines()
    assert "section_path     时评 > 三农时评" in shown
    plain = crawl_env.run("-m", "xzcrawler", "export", "--format", "csv").stdout
    assert plain.startswith("url,"), "no mark without --excel"
    jsonl = crawl_env.run("-m", "xzcrawler", "export", "--excel")
    assert (jsonl.returncode, jsonl.stderr) == (2, "xzcrawler: --excel is for --format csv\n")
