"""Hostile searches: repeated and endless words are cut to bounds, every query has a time limit,
and quotes follow the one rule that every character of a search counts. SQLite and PostgreSQL.

Tested by what the code does (the statements sent, the handler that aborts, the exit code and
the one line printed), never by how long anything takes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from tests.helpers import build, numbers
from xzcrawler import query, search
from xzcrawler.cli import main
from xzcrawler.query import Filters, QueryTimeout, find_articles, limited_session
from xzcrawler.search import MAX_WORD_CHARS, MAX_WORDS, Search, parse_search
from xzcrawler.storage import engine_for

ADVICE = "; narrow the search (fewer or longer words, --section, --since) or raise --timeout"


@pytest.fixture
def engine(database_url: str) -> Engine:
    return build(database_url)


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class Statements:
    """Every statement the engine sends, with its bound values."""

    def __init__(self, engine: Engine) -> None:
        self.sent: list[tuple[str, list[Any]]] = []
        event.listen(engine, "before_cursor_execute", self._grab)
        self.engine = engine

    def _grab(self, _conn, _cursor, statement, parameters, _context, _many) -> None:
        values = list(parameters.values() if isinstance(parameters, dict) else parameters)
        self.sent.append((statement, values))

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._grab)

    def search_expressions(self) -> set[str]:
        """The FTS5 MATCH / tsquery values bound, as sent."""
        return {
            value
            for statement, values in self.sent
            for value in values
            if isinstance(value, str) and ("MATCH" in statement or "@@" in statement)
            if value.startswith(('"', "("))
        }


@pytest.fixture
def statements(engine: Engine) -> Iterator[Statements]:
    recorder = Statements(engine)
    yield recorder
    recorder.close()


# --- Words: distinct, at most MAX_WORDS, each at most MAX_WORD_CHARS ----------------------------

TWENTY = [f"词{n:02d}" for n in range(20)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Search(())),
        ("巡视 " * 3000, Search(("巡视",))),
        ("巡视 扶贫 巡视\u3000扶贫", Search(("巡视", "扶贫"))),
        ('" " "乡镇 "乡镇', Search(('"', '"乡镇'))),
        (
            " ".join(TWENTY),
            Search(tuple(TWENTY[:16]), "search trimmed: its first 16 of 20 distinct words kept"),
        ),
        (
            " ".join(f"w{n}" for n in range(3000)),
            Search(
                tuple(f"w{n}" for n in range(16)),
                "search trimmed: its first 16 of 3000 distinct words kept",
            ),
        ),
        (
            "巡" * 100,
            Search(("巡" * 64,), "search trimmed: 1 word over 64 characters cut to 64"),
        ),
        (
            # Two long words that are one word once cut.
            "a" * 70 + " " + "a" * 80 + " b",
            Search(("a" * 64, "b"), "search trimmed: 2 words over 64 characters cut to 64"),
        ),
        (
            " ".join(TWENTY) + " " + "x" * 65,
            Search(
                tuple(TWENTY[:16]),
                "search trimmed: its first 16 of 21 distinct words kept;"
                " 1 word over 64 characters cut to 64",
            ),
        ),
    ],
    ids=itertools.count(),
)
def test_search_words_are_distinct_and_within_the_bounds(text: str, expected: Search) -> None:
    assert (MAX_WORDS, MAX_WORD_CHARS) == (16, 64)
    assert parse_search(text) == expected


@pytest.mark.parametrize(
    ("words", "sqlite", "postgresql"),
    [
        (["巡视"] * 3000, '"巡视"', "('巡视')"),
        (["巡视", "G20", "g20", "巡视", "Ｇ２０"], '"巡视" AND "g20"', "('巡视') & ('g20')"),
        (["巡"] * 50, '"巡"*', "('巡':*)"),
    ],
    ids=["one word 3000 times", "the same tokens", "one prefix"],
)
def test_the_search_expression_has_one_term_per_distinct_word(
    engine: Engine, statements: Statements, words: list[str], sqlite: str, postgresql: str
) -> None:
    find_articles(engine, Filters(search=" ".join(words)))
    expected = postgresql if engine.dialect.name == "postgresql" else sqlite
    assert statements.search_expressions() == {expected}


def test_a_word_with_a_quote_is_one_substring_condition_however_often_it_is_given(
    engine: Engine, statements: Statements
) -> None:
    result = find_articles(engine, Filters(search=" ".join(['"好'] * 3000)))
    assert (numbers(result), result.notes) == ([3], [])
    counts = [sql for sql, _ in statements.sent if sql.lstrip().startswith("SELECT count")]
    # One substring condition on the title and one on the body, for the one distinct word.
    assert [
        (sql.count("lower(articles.title)"), sql.count("lower(articles.body)")) for sql in counts
    ] == [(1, 1)]


def test_one_word_3000_times_answers_as_the_word_once(engine: Engine, capsys) -> None:
    once = run(capsys, "query", "--search", "扶贫", "--database-url", url_of(engine))
    hostile = " ".join(["扶贫"] * 3000)
    assert run(capsys, "query", "--search", hostile, "--database-url", url_of(engine)) == once
    assert once[0] == 0 and once[2] == ""
    assert once[1].splitlines()[-1] == "3 articles matched"


@pytest.mark.parametrize("fmt", ["table", "jsonl"])
def test_a_search_over_the_bounds_is_answered_with_one_note(engine: Engine, capsys, fmt) -> None:
    words = " ".join(["扶贫", *TWENTY])  # 扶贫 is kept: it is among the first 16
    code, out, err = run(
        capsys, "query", "--search", words, "--format", fmt, "--database-url", url_of(engine)
    )
    note = "xzcrawler: search trimmed: its first 16 of 21 distinct words kept\n"
    assert code == 0
    if fmt == "table":
        assert (err, out.splitlines()[-1]) == (note, "0 articles matched")
    else:
        assert (err, out) == (note + "0 articles matched, 0 written\n", "")


# --- Quotes are characters: one rule for `"`, `"乡镇`, `乡镇"` ----------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ('"', [3]),  # the body of 3 holds "好"
        ('"好', [3]),
        ('好"', [3]),
        ('"好"', [3]),
        ('说 "好"', [3]),
        ('"扶贫', []),  # 扶贫 occurs, but never right after a quote
        ('扶贫"', []),
        ('"振兴', []),
        ("扶贫", [4, 2, 3]),
        ("50%", [3]),
        ('"50%', []),
        ("展开。", [1]),
        ("巡视。", []),
        ("%", [3]),
        ("_", []),
        ("“好”", []),  # curly quotes are other characters
    ],
)
def test_a_word_with_a_quote_must_occur_as_written(engine: Engine, words, expected) -> None:
    result = find_articles(engine, Filters(search=words), order=query.Order.OLDEST, limit=0)
    assert sorted(numbers(result)) == sorted(expected)


# --- Time limit on every query -------------------------------------------------------------------


class TickingClock:
    """A monotonic clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_sqlite_progress_handler_aborts_a_query_past_its_budget(sqlite_url, monkeypatch) -> None:
    engine = build(sqlite_url)
    monkeypatch.setattr(query, "PROGRESS_STEP", 1)
    with pytest.raises(QueryTimeout) as stopped:
        find_articles(engine, Filters(search="巡视"), timeout=0)
    assert str(stopped.value) == "the query was stopped after its time limit of 0 s"
    # The handler is gone with the session: the pooled connection answers as before.
    assert numbers(find_articles(engine, Filters(search="巡视"))) == [1, 2]


def test_sqlite_progress_handler_lets_a_query_within_its_budget_run(
    sqlite_url, monkeypatch
) -> None:
    engine = build(sqlite_url)
    monkeypatch.setattr(query, "PROGRESS_STEP", 1)
    monkeypatch.setattr(query, "_clock", lambda: 1000.0)  # time stands still: never past
    assert numbers(find_articles(engine, Filters(search="巡视"), timeout=0.5)) == [1, 2]


@pytest.mark.parametrize(
    "argv",
    [
        ["query", "--search", "巡视"],
        ["query", "--section", "党建工作", "--format", "jsonl"],
        ["show", "1"],
        ["stats"],
    ],
    ids=["search", "filter", "show", "stats"],
)
def test_a_command_past_its_time_limit_ends_with_one_line_and_exit_1(
    sqlite_url, capsys, monkeypatch, argv
) -> None:
    build(sqlite_url)
    monkeypatch.setattr(query, "PROGRESS_STEP", 1)
    monkeypatch.setattr(query, "_clock", TickingClock())
    code, out, err = run(capsys, *argv, "--timeout", "0.5", "--database-url", sqlite_url)
    assert (code, out) == (1, "")
    assert err == f"xzcrawler: the query was stopped after its time limit of 0.5 s{ADVICE}\n"


@pytest.mark.parametrize("value", ["0", "-1", "soon", "nan"])
def test_timeout_must_be_seconds_above_zero(sqlite_url, capsys, value) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["query", "--timeout", value, "--database-url", sqlite_url])
    assert exit_.value.code == 2
    assert f"{value!r} is not a number of seconds above 0" in capsys.readouterr().err


def test_postgresql_statement_timeout_is_set_for_the_session(postgres_url) -> None:
    engine = build(postgres_url)
    with limited_session(engine, 2.5) as session:
        assert session.scalar(text("SHOW statement_timeout")) == "2500ms"
    with engine.connect() as conn:  # local to the query's transaction
        assert conn.scalar(text("SHOW statement_timeout")) == "0"


def test_postgresql_statement_past_its_timeout_raises_query_timeout(postgres_url) -> None:
    engine = build(postgres_url)
    with pytest.raises(QueryTimeout) as stopped, limited_session(engine, 0.05) as session:
        session.execute(text("SELECT pg_sleep(30)"))
    assert str(stopped.value) == "the query was stopped after its time limit of 0.05 s"


def test_postgresql_query_past_its_timeout_ends_with_one_line_and_exit_1(
    postgres_url, capsys
) -> None:
    build(postgres_url)
    engine = engine_for(postgres_url)  # the engine the command will use

    # The database is made slow, not the clock: every count the query asks for sleeps first.
    def slow(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().startswith("SELECT count"):
            statement = "SELECT pg_sleep(30), " + statement.lstrip()[len("SELECT ") :]
        return statement, parameters

    event.listen(engine, "before_cursor_execute", slow, retval=True)
    try:
        code, out, err = run(
            capsys, "query", "--search", "巡视", "--timeout", "0.05", "--database-url", postgres_url
        )
    finally:
        event.remove(engine, "before_cursor_execute", slow)
    assert (code, out) == (1, "")
    assert err == f"xzcrawler: the query was stopped after its time limit of 0.05 s{ADVICE}\n"


def test_the_search_bounds_are_in_the_help(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["query", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "at most 16 distinct words of 64 characters" in help_text
    assert "--timeout SECONDS stop a query that runs longer (default 30; exit 1)" in help_text
    assert search.MAX_WORDS == 16
