"""Every mistake a newcomer made with the command line: a short message and the right exit code,
never a traceback; read commands never create a database; a closed pipe is quiet.

Each test runs the real command, `python -m xzcrawler ...`, in a fresh process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, CrawlEnv
from tests.helpers import closed_port
from xzcrawler import cli, query, search
from xzcrawler.runner import DEFAULT_DATABASE_URL

READ_COMMANDS = (["query"], ["stats"], ["runs"], ["show", "1"], ["export"], ["browse"])


def xz(
    *argv: str, env: dict[str, str] | None = None, **kwargs: object
) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("XZCRAWLER_")}
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **kwargs}
    return subprocess.run(
        [sys.executable, "-m", "xzcrawler", *argv],
        cwd=PROJECT_ROOT,
        text=True,
        timeout=120,
        env={**environ, **(env or {})},
        **streams,  # type: ignore[arg-type]
    )


def one_line(result: subprocess.CompletedProcess, code: int) -> str:
    """The command exited `code` with one line on stderr and no traceback; that line."""
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == code, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def empty_db(tmp_path: Path) -> str:
    """A database with the schema and nothing in it."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert xz("db", "upgrade", "--database-url", url).returncode == 0
    return url


@pytest.mark.parametrize("argv", READ_COMMANDS, ids=lambda argv: argv[0])
def test_a_mistyped_database_path_is_an_error_naming_it_and_the_default(
    argv: list[str], tmp_path: Path
) -> None:
    typo = tmp_path / "xzcrawlr.db"
    line = one_line(xz(*argv, "--database-url", f"sqlite:///{typo}"), 2)
    assert line.startswith(f"xzcrawler: no database at {typo} (the default is ")
    assert DEFAULT_DATABASE_URL in line and "XZCRAWLER_DATABASE_URL" in line
    assert list(tmp_path.iterdir()) == [], "no file is left behind"


def test_the_environment_variable_is_read_and_a_relative_path_named_in_full(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "xzcrawler", "stats"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "XZCRAWLER_DATABASE_URL": "sqlite:///typo.db",
        },
    )
    assert one_line(result, 2).startswith(f"xzcrawler: no database at {tmp_path / 'typo.db'} ")
    assert not (tmp_path / "typo.db").exists()


@pytest.mark.parametrize("argv", [["crawl"], ["query"], ["db", "upgrade"]], ids=" ".join)
def test_a_database_path_under_a_regular_file(argv: list[str], tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a file", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'notes.txt' / 'x.db'}"
    line = one_line(xz(*argv, "--database-url", url), 1)  # as a database server refusing
    assert line == (
        f"xzcrawler: database {tmp_path / 'notes.txt' / 'x.db'} unreachable: "
        f"{tmp_path / 'notes.txt'} is a file, not a folder"
    )


@pytest.mark.parametrize("argv", [["crawl"], ["query"], ["export"]], ids=" ".join)
def test_a_database_whose_driver_is_not_installed(argv: list[str]) -> None:
    line = one_line(xz(*argv, "--database-url", "mysql://x"), 2)
    assert line.startswith(
        "xzcrawler: DATABASE_URL mysql://x: its driver 'MySQLdb' is not installed"
    )


def test_not_a_database_url() -> None:
    line = one_line(xz("runs", "--database-url", "not a url"), 2)
    assert line.startswith("xzcrawler: DATABASE_URL is not a database URL: ")


def test_an_unreachable_server_is_one_line_and_exit_1() -> None:
    url = "postgresql+psycopg://nobody:s3cret@127.0.0.1:1/none"
    line = one_line(xz("stats", "--database-url", url), 1)
    assert line.startswith("xzcrawler: database error: OperationalError: ")
    assert "s3cret" not in line


def test_output_to_a_closed_pipe_is_quiet(empty_db: str, tmp_path: Path) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the first line: `| head -0`
    try:
        result = xz("query", "--database-url", empty_db, stdout=writer)
    finally:
        os.close(writer)
    assert (result.returncode, result.stderr) == (1, "")


def test_piping_to_head_is_quiet(crawl_env: CrawlEnv) -> None:
    assert crawl_env.crawl().returncode == 0
    for command in ("export", "query --limit 0 --format jsonl", "query --limit 0", "stats"):
        result = subprocess.run(
            f"{sys.executable} -m xzcrawler {command} 2>{crawl_env.tmp_path / 'err'} | head -c 1;"
            f" echo; echo $PIPESTATUS",  # bash's status of the left side
            shell=True,
            executable="/bin/bash",
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env=crawl_env.environ(),
        )
        status = result.stdout.split()[-1]
        err = (crawl_env.tmp_path / "err").read_text(encoding="utf-8")
        assert "Traceback" not in err and "Exception" not in err, err
        assert status in {"0", "1"}, (command, status, err)
        if status == "1":
            assert err in {"", f"exported {len(crawl_env.portal.articles)} articles\n"}


def test_demo_checks_its_arguments_before_it_removes_the_last_demo() -> None:
    demo_db = PROJECT_ROOT / "data" / "demo.db"
    before = demo_db.stat().st_mtime_ns if demo_db.exists() else None
    line = one_line(xz("demo", "--articles", "20"), 2)
    assert line == "xzcrawler: --articles: articles must be at least 25, got 20"
    assert (demo_db.stat().st_mtime_ns if demo_db.exists() else None) == before


def test_demo_crawls_into_the_database_it_is_given(tmp_path: Path) -> None:
    target = tmp_path / "mine.db"
    result = xz(
        "demo", "--articles", "30", "--database-url", f"sqlite:///{target}",
        env={"XZCRAWLER_LOCK_DIR": str(tmp_path / "locks")},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"stored 30 of the 30 articles the replica serves, in sqlite:///{target}" in (
        result.stdout
    )
    count = xz(
        "query", "--limit", "0", "--format", "jsonl", "--database-url", f"sqlite:///{target}"
    )
    assert len(count.stdout.splitlines()) == 30


def test_show_an_id_beyond_any_integer_is_not_found(empty_db: str) -> None:
    line = one_line(xz("show", "99999999999999999999", "--database-url", empty_db), 1)
    assert line == "xzcrawler: no article with id or URL '99999999999999999999'"


def test_show_a_digit_that_is_not_0_to_9(empty_db: str) -> None:
    line = one_line(xz("show", "²", "--database-url", empty_db), 2)
    assert line == "xzcrawler: '²' is neither an article id (digits 0-9) nor a URL"


def test_query_limit_beyond_any_integer_means_all(empty_db: str) -> None:
    result = xz("query", "--limit", "99999999999999999999", "--database-url", empty_db)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["-1", "ten", "1.5", "٣"])
def test_query_limit_must_be_a_whole_number(value: str, empty_db: str) -> None:
    result = xz("query", "--limit", value, "--database-url", empty_db)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"Invalid value for '--limit': {value!r} is not a whole number of 0 or more" in (
        result.stderr
    )


def test_export_into_a_missing_folder(empty_db: str, tmp_path: Path) -> None:
    out = tmp_path / "missing_dir" / "x.csv"
    line = one_line(
        xz("export", "--format", "csv", "--output", str(out), "--database-url", empty_db), 2
    )
    assert line == f"xzcrawler: --output {out}: No such file or directory"


def test_a_malformed_portal_url_stops_before_any_request_or_run_record(tmp_path: Path) -> None:
    database = tmp_path / "crawl.db"
    for url in ("notaurl", "ftp://example.org/", "http://", "http://host:port/"):
        result = xz("crawl", "--portal-url", url, "--database-url", f"sqlite:///{database}")
        assert one_line(result, 2).startswith(f"xzcrawler: --portal-url {url!r} ")
    assert not database.exists(), "no run record: the database was not even opened"


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("DOWNLOAD_DELAY=fast",
         "-s DOWNLOAD_DELAY='fast': DOWNLOAD_DELAY takes a number (default 0.5)"),
        ("CONCURRENT_REQUESTS=many",
         "-s CONCURRENT_REQUESTS='many': CONCURRENT_REQUESTS takes a whole number (default 8)"),
        ("ROBOTSTXT_OBEY=perhaps",
         "-s ROBOTSTXT_OBEY='perhaps': ROBOTSTXT_OBEY takes true or false (default True)"),
        ("=1", "-s takes NAME=VALUE, got '=1'"),
    ],
)  # fmt: skip
def test_a_bad_setting_stops_before_any_request_or_run_record(
    assignment: str, message: str, tmp_path: Path
) -> None:
    database = tmp_path / "crawl.db"
    result = xz("crawl", "-s", assignment, "--database-url", f"sqlite:///{database}")
    assert one_line(result, 2) == f"xzcrawler: {message}"
    assert not database.exists()


def test_a_portal_refusing_connections_gives_its_reason_without_a_traceback(
    tmp_path: Path,
) -> None:
    port = closed_port()
    result = xz(
        "crawl", "--portal-url", f"http://127.0.0.1:{port}/",
        "--database-url", f"sqlite:///{tmp_path / 'crawl.db'}",
        "-s", "RETRY_TIMES=0", "-s", f"LOCK_DIR={tmp_path / 'locks'}",
        "-s", f"STORAGE_SPOOL_DIR={tmp_path / 'spool'}",
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Connection was refused by other side" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("run 1 failed: 0 pages")


def test_an_unknown_section_exits_2_with_the_closest_names_once_the_menu_is_read(
    crawl_env: CrawlEnv,
) -> None:
    result = crawl_env.crawl("--section", "三农时平")
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "xzcrawler: no section named '三农时平' in the portal's menu; closest: 三农时评, 时评"
        " (the menu lists 6 sections)"
    )
    assert sorted(crawl_env.requested()) == ["/", "/robots.txt"], "nothing past the menu"


def test_click_usage_errors_name_the_option() -> None:
    result = xz("query", "--format", "xml")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Invalid value for '--format': 'xml' is not one of 'table', 'jsonl', 'csv'" in (
        result.stderr
    )
    assert xz("crawl", "--no-such-option").returncode == 2
    assert xz("no-such-command").returncode == 2


# Start-up, help, completion ---------------------------------------------------------------

IMPORTED = """
import sys
from xzcrawler.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = sorted(
    {name.split(".")[0] for name in sys.modules} & {"scrapy", "alembic", "twisted", "itemadapter"}
)
print("heavy:", heavy, file=sys.stderr)
"""


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["query", "--help"], ["show", "--help"], ["stats", "--help"], ["runs", "--help"],
     ["export", "--help"], ["crawl", "--help"], ["completion", "bash"]],
    ids=" ".join,
)  # fmt: skip
def test_help_imports_neither_scrapy_nor_alembic(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORTED, *argv],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stderr.strip().splitlines()[-1] == "heavy: []"


@pytest.mark.parametrize(
    "argv", [["query"], ["show", "1"], ["stats"], ["runs"], ["export"]], ids=" ".join
)
def test_a_read_command_imports_neither_scrapy_nor_alembic(argv: list[str], empty_db: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORTED, *argv, "--database-url", empty_db],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stderr.strip().splitlines()[-1] == "heavy: []"


def test_the_schema_check_finds_alembics_head_without_alembic() -> None:
    from alembic.script import ScriptDirectory

    from xzcrawler import storage

    alembic_head = ScriptDirectory.from_config(storage._alembic_config()).get_current_head()
    assert storage.head_revision() == alembic_head


def test_the_help_names_real_defaults_environment_variables_and_examples() -> None:
    text = " ".join(xz("crawl", "--help").stdout.split())
    assert f"[default: {DEFAULT_DATABASE_URL}]" in text
    assert "[env var: XZCRAWLER_DATABASE_URL]" in text
    assert "[env var: XZCRAWLER_PORTAL_URL]" in text
    assert "Examples: python -m xzcrawler crawl" in text
    assert "Thin on purpose" not in xz("--help").stdout
    assert "Exit codes: 0 ok" in " ".join(xz("--help").stdout.split())


def test_the_help_mirrors_the_query_module() -> None:
    assert cli.DATE_FORMS == query.DATE_FORMS
    assert cli.QUERY_TIMEOUT == query.QUERY_TIMEOUT
    assert tuple(query.Order) == cli.ORDERS
    assert tuple(query.OutputFormat) == cli.OUTPUT_FORMATS
    assert (cli.SEARCH_MAX_WORDS, cli.SEARCH_MAX_WORD_CHARS) == (
        search.MAX_WORDS,
        search.MAX_WORD_CHARS,
    )


def test_shell_completion_completes_commands_and_options() -> None:
    assert "_xzcrawler_completion" in xz("completion", "bash").stdout
    env = {"_XZCRAWLER_COMPLETE": "bash_complete", "COMP_WORDS": "xzcrawler qu", "COMP_CWORD": "1"}
    assert xz(env=env).stdout.split() == ["plain,query"]
    env = {**env, "COMP_WORDS": "xzcrawler export --for", "COMP_CWORD": "2"}
    assert xz(env=env).stdout.split() == ["plain,--format"]


# What scripts and cron rely on (docs/interface.md) ----------------------------------------

INTERFACE = {
    ("crawl",): ["--full", "--section", "--portal-url", "--database-url", "--log-file",
                 "--recheck-days", "-s", "--redis-url"],
    ("query",): ["--search", "--section", "--source", "--author", "--since", "--until",
                 "--limit", "--format", "--order", "--timeout", "--database-url"],
    ("show",): ["--html", "--database-url"],
    ("stats",): ["--publishers", "--runs", "--database-url"],
    ("runs",): ["--limit", "--database-url"],
    ("export",): ["--format", "--output", "-o", "--database-url"],
    ("browse",): ["--port", "--database-url"],
    ("db", "upgrade"): ["--database-url"],
    ("db", "reindex"): ["--database-url"],
    ("demo",): ["--articles", "--database-url"],
    ("bench",): ["--articles", "--repeat", "--list-page-size", "--list-page-cap", "--workdir"],
}  # fmt: skip


@pytest.mark.parametrize("command", list(INTERFACE), ids=" ".join)
def test_every_command_and_option_scripts_rely_on_is_kept(command: tuple[str, ...]) -> None:
    result = xz(*command, "--help")
    assert result.returncode == 0, result.stderr
    options = {word.rstrip(",") for word in result.stdout.split() if word.startswith("-")}
    assert set(INTERFACE[command]) <= options
