"""`python -m xzcrawler browse`: a real Datasette server on 127.0.0.1, a search and a facet."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_query import build
from xzcrawler.browse import VIEW, escape_fts
from xzcrawler.cli import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@pytest.fixture
def datasette(sqlite_url: str) -> Iterator[str]:
    """The browse command on a free port, stopped after the test; yields the view's JSON URL."""
    build(sqlite_url)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "xzcrawler",
            "browse",
            "--port",
            str(port),
            "--database-url",
            sqlite_url,
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/{Path(sqlite_url.removeprefix('sqlite:///')).stem}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                get_json(f"http://127.0.0.1:{port}/-/versions.json")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"browse did not start: {server.stdout.read().decode()}")
                time.sleep(0.2)
        yield f"{base}/{VIEW}.json"
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()


def test_datasette_answers_a_search_and_a_month_facet(datasette: str) -> None:
    query = urllib.parse.urlencode({"_search": "巡视", "_shape": "objects", "_facet": "month"})
    page = get_json(f"{datasette}?{query}")
    assert sorted(row["id"] for row in page["rows"]) == [1, 2]
    months = page["facet_results"]["month"]["results"]
    assert sorted((m["value"], m["count"]) for m in months) == [("2020-11", 1), ("2021-03", 1)]
    assert {"section", "source"} <= page["facet_results"].keys()

    phrase = get_json(f"{datasette}?{urllib.parse.urlencode({'_search': '巡视组'})}&_shape=objects")
    assert [row["id"] for row in phrase["rows"]] == [1]
    hostile = get_json(f"{datasette}?{urllib.parse.urlencode({'_search': chr(34)})}&_shape=objects")
    assert hostile["rows"] == []


def test_datasette_month_is_the_shanghai_month(datasette: str) -> None:
    page = get_json(f"{datasette}?_shape=objects&_facet=month&month=2021-01")
    assert [(row["id"], row["published_at"]) for row in page["rows"]] == [
        (4, "2021-01-01T00:30:00+08:00")
    ]


@pytest.mark.parametrize(
    ("words", "expected"),
    [("巡视组", '"巡视 视组"'), ('"; DROP', '"drop"'), ('"', '""'), ("巡 OR", '"巡"* AND "or"')],
)
def test_datasette_search_words_become_bigram_phrases(words, expected) -> None:
    assert escape_fts(words) == expected
