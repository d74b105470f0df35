"""query, show and stats: filters, order, output formats, bad input; SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import datetime

import pytest
from rich.cells import cell_len
from sqlalchemy import Engine, func, select

from pipelines.storage import article_row
from tests.helpers import build, corpus, numbers
from xzcrawler.cli import PROJECT_ROOT, main
from xzcrawler.models import Article
from xzcrawler.query import (
    Filters,
    Order,
    collect_stats,
    find_articles,
    parse_date,
)
from xzcrawler.storage import ArticleStore


@pytest.fixture
def engine(database_url: str) -> Engine:
    return build(database_url)


def since(value: str) -> datetime:
    return parse_date(value)


def until(value: str) -> datetime:
    return parse_date(value, end=True)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), [3, 2, 4, 1, 5]),
        (Filters(section="党建工作"), [4, 1, 5]),
        (Filters(section="时评"), [3, 2]),  # a section above the article's own
        (Filters(section="时评 > 三农时评"), [3, 2]),  # the breadcrumb path
        (Filters(source="七一网"), [4, 1]),
        (Filters(source="来源：七一网"), [4, 1]),  # the raw text names the same publisher
        (Filters(author="李四"), [2]),
        (Filters(author="李四、王五"), [2]),
        (Filters(since=since("2021")), [3, 2, 4]),
        (Filters(until=until("2020")), [1]),
        (Filters(since=since("2020-11"), until=until("2020-11")), [1]),
        (Filters(since=since("2020-11-12"), until=until("2020-11-12")), [1]),
        (Filters(since=since("2021-01"), until=until("2021-01")), [4]),
        (Filters(section="党建工作", since=since("2021")), [4]),
        (Filters(section="三农时评", search="扶贫"), [3, 2]),
        (Filters(author="张三", search="巡视"), [1]),
        (Filters(source="人民网", until=until("2020")), []),
        (Filters(section="时评", source="新华社", since=since("2021-06")), [3]),
    ],
)
def test_filters_select_exactly_the_matching_articles(engine, filters, expected) -> None:
    result = find_articles(engine, filters, order=Order.NEWEST)
    assert numbers(result) == expected
    assert result.total == len(expected)
    assert result.hints == []


@pytest.mark.parametrize(
    ("order", "expected"),
    [(Order.NEWEST, [3, 2, 4, 1, 5]), (Order.OLDEST, [1, 4, 2, 3, 5])],
)
def test_order_puts_undated_articles_last(engine, order, expected) -> None:
    assert numbers(find_articles(engine, Filters(), order=order)) == expected


def test_limit_keeps_the_first_rows_and_the_total_counts_all(engine) -> None:
    result = find_articles(engine, Filters(), limit=2)
    assert (numbers(result), result.total) == ([3, 2], 5)


@pytest.mark.parametrize(
    ("filters", "hint"),
    [
        (Filters(section="三农"), "no section named '三农'; closest: 三农时评"),
        (Filters(source="人民"), "no publisher named '人民'; closest: 人民网"),
        (Filters(author="李"), "no author named '李'; closest: 李四"),
        (Filters(source="zzz"), "no publisher named 'zzz'"),
    ],
)
def test_unknown_name_gives_no_articles_and_the_closest_names(engine, filters, hint) -> None:
    result = find_articles(engine, filters)
    assert (result.hits, result.total, result.hints) == ([], 0, [hint])


@pytest.mark.parametrize(
    "value", ["2020/11", "2020-13", "20201", "yesterday", "2020-02-30", "2020-11-12T08:00"]
)
def test_malformed_date_is_a_usage_error_naming_the_accepted_forms(
    sqlite_url, capsys, value
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["query", "--since", value, "--database-url", sqlite_url])
    assert exit_.value.code == 2
    assert "use YYYY-MM-DD, YYYY-MM or YYYY" in capsys.readouterr().err


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_table_fits_the_terminal_and_keeps_every_value_whole(engine, capsys, monkeypatch) -> None:
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("COLUMNS", "200")
    code, out, _ = run(capsys, "query", "--section", "党建工作", "--database-url", url)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["id", "date", "+08:00", "section", "publisher", "author", "title",
                                "url"]  # fmt: skip
    assert lines[1].split() == [
        "4", "2021-01-01", "党建工作", "七一网", "赵六", "扶贫扶贫扶贫", "http://127.0.0.1/a/4.html"
    ]  # fmt: skip
    # Every column starts at the same terminal column on every row.
    starts = {cell_len(line[: line.index("http://")]) for line in lines[1:4]}
    assert starts == {cell_len(lines[0][: lines[0].index("url")])}
    assert lines[-1] == "3 articles matched"

    for width in (80, 100):  # narrower: values wrap within their column, none is cut
        monkeypatch.setenv("COLUMNS", str(width))
        _, out, _ = run(capsys, "query", "--section", "党建工作", "--database-url", url)
        lines = out.splitlines()
        assert max(cell_len(line) for line in lines) <= width
        assert "..." not in out and "…" not in out
        for value in ("七一网", "赵六", "扶贫扶贫扶贫", "2021-01-01"):
            assert value in out
        assert lines[-1] == "3 articles matched"


def test_piped_table_keeps_each_row_on_one_line(engine, capsys, monkeypatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    url = engine.url.render_as_string(hide_password=False)
    _, out, _ = run(capsys, "query", "--section", "党建工作", "--database-url", url)
    rows = out.splitlines()[1:-1]
    assert len(rows) == 3
    assert [row.split()[-1] for row in rows] == [f"http://127.0.0.1/a/{n}.html" for n in (4, 1, 5)]


def test_table_prints_hostile_text_as_text_without_escape_sequences(engine, capsys) -> None:
    url = engine.url.render_as_string(hide_password=False)
    _, out, _ = run(capsys, "query", "--database-url", url)
    _, shown, _ = run(capsys, "show", "5", "--database-url", url)
    for text in (out, shown):
        assert "<script>alert('x')</script>标题" in text
        assert not {"\x1b", "\x07", "\u202e"} & set(text)


def test_search_table_shows_a_snippet_with_the_match_marked(engine, capsys) -> None:
    url = engine.url.render_as_string(hide_password=False)
    _, out, _ = run(capsys, "query", "--search", "巡视组", "--database-url", url)
    lines = out.splitlines()
    assert lines[2].strip() == "...中央第六轮巡视全面展开。 [巡视组]完成进驻。"
    assert lines[-1] == "1 article matched"


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_jsonl_and_csv_print_the_export_record(engine, capsys, fmt) -> None:
    url = engine.url.render_as_string(hide_password=False)
    code, out, err = run(
        capsys, "query", "--search", "扶贫", "--order", "oldest", "--format", fmt,
        "--database-url", url,
    )  # fmt: skip
    assert code == 0
    assert err.strip() == "3 articles matched, 3 written"
    if fmt == "jsonl":
        records = [json.loads(line) for line in out.splitlines()]
        assert [r["url"] for r in records] == [f"http://127.0.0.1/a/{n}.html" for n in (4, 2, 3)]
        assert records[0]["published_at"] == "2021-01-01T00:30:00+08:00"
        assert records[1]["author"] == "李四、王五"
    else:
        lines = out.splitlines()
        assert lines[0].startswith("url,section,title,published_at,author,source,")
        assert lines[1].startswith(
            "http://127.0.0.1/a/4.html,党建工作,扶贫扶贫扶贫,2021-01-01T00:30:00+08:00"
        )
        assert len(lines) == 4


def test_order_relevance_without_search_is_a_usage_error(sqlite_url, capsys) -> None:
    code, _, err = run(capsys, "query", "--order", "relevance", "--database-url", sqlite_url)
    assert (code, err) == (2, "xzcrawler: --order relevance needs --search\n")


def test_show_prints_every_field_the_body_and_the_revisions(sqlite_url, capsys) -> None:
    engine = build(sqlite_url)
    ArticleStore(engine).write([article_row(replace(corpus()[0], body="改过的正文"))])
    for key in ("1", "http://127.0.0.1/a/1.html", "http://127.0.0.1/a/1.html#top"):
        code, out, _ = run(capsys, "show", key, "--database-url", sqlite_url)
        lines = out.splitlines()
        assert code == 0
        assert lines[0].split() == ["id", "1"]
        assert "source_raw       来源：七一网" in lines
        assert "authors          张三" in lines
        assert lines[lines.index("body:") + 1] == "改过的正文"
        revisions = lines[lines.index("revisions: 1") + 1 :]
        assert revisions[1:] == [
            "    title: 新一轮中央巡视各组全部进驻",
            "    十九届中央第六轮巡视全面展开。",
            "    巡视组完成进驻。",
        ]
    assert run(capsys, "show", "99", "--database-url", sqlite_url)[0] == 1


def test_stats_count_sections_publishers_months_and_fill_rates(engine) -> None:
    stats = collect_stats(engine)
    assert stats.total == 5
    assert [(s.name, s.articles, s.newest_title) for s in stats.sections] == [
        ("党建工作", 3, "扶贫扶贫扶贫"),
        ("三农时评", 2, "乡村振兴的G20峰会观察"),
    ]
    assert stats.publishers == [("七一网", 2), ("人民网", 1), ("新华社", 1), ("(none)", 1)]
    assert stats.months == [("2020-11", 1), ("2021-01", 1), ("2021-03", 1), ("2021-06", 1)]
    assert stats.fill == {"date": 0.8, "author": 0.6, "source": 0.8}


@pytest.mark.parametrize("width", [20, 40, 80])
def test_stats_month_bars_fill_the_width_and_never_wrap(engine, capsys, monkeypatch, width) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    url = engine.url.render_as_string(hide_password=False)
    code, out, _ = run(capsys, "stats", "--database-url", url)
    assert code == 0
    lines = out.splitlines()
    months = lines[lines.index("articles per month (+08:00)") + 1 :][:5]
    assert months[1] == "2021-01  1  " + "█" * (width - 12)  # the longest bar fills the line
    assert months[4] == "undated  1"
    assert max(cell_len(line) for line in months) <= width
    assert "fill rates: date 80.0%, author 60.0%, source 80.0%" in out
    if width >= 40:
        assert "三农时评" in out and "newest +08:00" in out


def test_query_runs_as_a_module_from_the_shell(sqlite_url) -> None:
    build(sqlite_url)
    done = subprocess.run(
        [sys.executable, "-m", "xzcrawler", "query", "--search", "巡视", "--format", "jsonl",
         "--database-url", sqlite_url],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    urls = [json.loads(line)["url"] for line in done.stdout.splitlines()]
    assert urls == ["http://127.0.0.1/a/1.html", "http://127.0.0.1/a/2.html"]


@pytest.mark.parametrize(
    "search",
    ["'; DROP TABLE articles; --", '"', '巡视"', '"巡视', "巡视*", "NEAR(巡视 扶贫)", "_", "\\"],
)
def test_hostile_search_text_is_never_an_error_or_an_injection(engine, capsys, search) -> None:
    url = engine.url.render_as_string(hide_password=False)
    code, _, err = run(capsys, "query", "--search", search, "--database-url", url)
    assert (code, err) == (0, "")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Article)).scalar_one() == 5
