"""`python -m xzcrawler browse`: a real Datasette server on 127.0.0.1, read over HTTP and in
headless Chromium (skipped, with the reason, where /usr/bin/chromium is missing)."""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from pipelines.storage import article_row
from tests.conftest import make_article
from tests.helpers import build, wait_for
from xzcrawler.browse import SEARCH_VIEW, VIEW, escape_fts, ranked_search_location
from xzcrawler.cli import PROJECT_ROOT
from xzcrawler.models import SHANGHAI, CrawlRun
from xzcrawler.storage import ArticleStore

PORTAL = "http://127.0.0.1:9/"
BODY_HTML = '<p>第一段<br>第二段</p><script>alert("x")</script>'
LONG_BODY = "乡村振兴的调查报告。" * 300  # 3,000 characters: one tall column before


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[str, str]:
    """The final URL (after redirects) and the body."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.geturl(), response.read().decode()


def get_json(url: str) -> dict:
    return json.loads(get(url)[1])


@dataclass
class Browse:
    root: str  # http://127.0.0.1:PORT
    database: str  # the database's name in Datasette

    def url(self, path: str, **query: str) -> str:
        return f"{self.root}/{self.database}/{path}" + (
            f"?{urllib.parse.urlencode(query)}" if query else ""
        )


@pytest.fixture
def browse(sqlite_url: str, request: pytest.FixtureRequest) -> Iterator[Browse]:
    """The test_query corpus plus an article with body_html and a long body, one crawl run from
    PORTAL; the browse command on a free port (with the options given as the fixture's
    indirect parameter), stopped after the test."""
    engine = build(sqlite_url)
    ArticleStore(engine).write(
        [
            article_row(
                make_article(
                    6,
                    title="一篇很长的调查报告",
                    body=LONG_BODY,
                    body_html=BODY_HTML,
                    section="三农时评",
                    section_path=["时评", "三农时评"],
                    published_at=datetime(2019, 5, 1, tzinfo=SHANGHAI),
                )
            )
        ]
    )
    now = datetime(2021, 7, 1, tzinfo=SHANGHAI)
    with Session(engine) as session, session.begin():
        session.add(CrawlRun(started_at=now, mode="full", portal_url=PORTAL, status="ok"))
    engine.dispose()
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
            *getattr(request, "param", ()),
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    root = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert server.poll() is None, f"browse exited: {server.stdout.read().decode()}"
        try:
            get_json(f"{root}/-/versions.json")
        except OSError:
            return False
        return True

    try:
        wait_for("browse to answer on its port", answers, seconds=30)
        yield Browse(root, Path(sqlite_url.removeprefix("sqlite:///")).stem)
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()


def ids(page: dict) -> list[int]:
    return [row["id"] for row in page["rows"]]


def facet(page: dict, name: str) -> list[tuple[str, int]]:
    return [(m["value"], m["count"]) for m in page["facet_results"][name]["results"]]


def test_search_is_ranked_and_facets_count_the_matches(browse: Browse) -> None:
    url, body = get(browse.url(f"{VIEW}.json", _search="巡视", _shape="objects"))
    page = json.loads(body)
    assert url == browse.url(f"{SEARCH_VIEW}.json", _search="巡视", _shape="objects")
    assert ids(page) == [1, 2]  # 巡视 in 1's title and body, once in 2's body
    assert facet(page, "month") == [("2021-03", 1), ("2020-11", 1)]
    assert facet(page, "section") == [("三农时评", 1), ("党建工作", 1)]

    # 4 says 扶贫 four times in title and body; newest first would be 3, 2, 4.
    assert ids(get_json(browse.url(f"{VIEW}.json", _search="扶贫", _shape="objects"))) == [4, 2, 3]
    by_date = browse.url(f"{VIEW}.json", _search="扶贫", _sort_desc="published_at")
    url, body = get(by_date + "&_shape=objects")
    assert (url.startswith(browse.url(f"{VIEW}.json")), ids(json.loads(body))) == (True, [3, 2, 4])

    phrase = get_json(browse.url(f"{VIEW}.json", _search="巡视组", _shape="objects"))
    assert ids(phrase) == [1]
    assert get_json(browse.url(f"{VIEW}.json", _search='"', _shape="objects"))["rows"] == []


def test_list_rows_read_as_text_and_months_in_order(browse: Browse) -> None:
    page = get_json(browse.url(f"{VIEW}.json", _shape="objects"))
    assert ids(page) == [3, 2, 4, 1, 6, 5]
    assert facet(page, "month") == [
        ("2021-06", 1),
        ("2021-03", 1),
        ("2021-01", 1),
        ("2020-11", 1),
        ("2019-05", 1),
    ]
    row = {r["id"]: r for r in page["rows"]}
    assert (row[2]["section_path"], row[1]["section_path"]) == ("时评 > 三农时评", "党建工作")
    assert row[6]["excerpt"] == LONG_BODY[:120] + "…"
    assert row[2]["excerpt"] == "扶贫工作队驻村，巡视一次。"
    assert "body" not in row[6]

    shanghai = get_json(browse.url(f"{VIEW}.json", _shape="objects", month="2021-01"))
    assert [(r["id"], r["published_at"]) for r in shanghai["rows"]] == [
        (4, "2021-01-01T00:30:00+08:00")
    ]


def test_list_page_folds_column_descriptions_and_links_titles(browse: Browse) -> None:
    _, page = get(browse.url(VIEW))
    assert '<dl class="column-descriptions">' not in page
    assert '<details class="xz-columns"><summary>Columns</summary>' in page
    link = f'<a href="/{browse.database}/articles/6">一篇很长的调查报告</a>'
    assert f'<td class="col-title type-str">{link}</td>' in page
    assert "/-/static/app.css" in page and "/xzcrawler-assets/browse.css" in page


def test_article_page_renders_breadcrumb_and_body_html(browse: Browse) -> None:
    _, page = get(browse.url("articles/6"))
    assert '<td class="col-section_path type-str">时评 &gt; 三农时评</td>' in page
    assert '<div class="xz-clip xz-html"><p>第一段<br>第二段</p></div>' in page
    assert f'<div class="xz-clip xz-body">{LONG_BODY}</div>' in page  # the whole body
    assert "<script>alert" not in page and "\\u65f6" not in page


def test_index_names_the_portal_links_the_view_and_says_what_runs(browse: Browse) -> None:
    _, page = get(f"{browse.root}/")
    assert "<h1>乡镇时评网 articles</h1>" in page
    assert f"Crawled from {PORTAL}." in page and "xzspw" not in page
    assert f'<a href="/{browse.database}/{VIEW}">Browse the articles</a>' in page
    assert "Arbitrary SQL is off (start browse with --allow-sql" in page
    assert "The server listens on 127.0.0.1 only" in page
    assert get_json(f"{browse.root}/-/metadata.json")["title"] == "乡镇时评网 articles"


SQL = "select count(*) as n from articles"


def test_arbitrary_sql_is_refused_without_allow_sql(browse: Browse) -> None:
    for path in (f"{browse.database}.json", browse.database):
        with pytest.raises(urllib.error.HTTPError) as refused:
            get(f"{browse.root}/{path}?" + urllib.parse.urlencode({"sql": SQL}))
        refused.value.close()
        assert refused.value.code == 403
    # The tables, views, facets and search still work.
    assert get_json(browse.url(f"{VIEW}.json", _search="巡视"))["rows"]


@pytest.mark.parametrize("browse", [["--allow-sql"]], indirect=True)
def test_allow_sql_runs_a_read_only_select_and_says_so(browse: Browse) -> None:
    page = get_json(f"{browse.root}/{browse.database}.json?" + urllib.parse.urlencode(
        {"sql": SQL, "_shape": "objects"}
    ))  # fmt: skip
    assert page["rows"] == [{"n": 6}]
    _, index = get(f"{browse.root}/")
    assert "Any read-only SELECT runs on the SQL page" in index
    with pytest.raises(urllib.error.HTTPError) as refused:
        get(f"{browse.root}/{browse.database}.json?" + urllib.parse.urlencode(
            {"sql": "delete from articles"}
        ))  # fmt: skip
    refused.value.close()
    assert refused.value.code == 400, "read-only: a statement that writes is an error"


def test_browse_help_names_allow_sql_off_by_default() -> None:
    help_text = subprocess.run(
        [sys.executable, "-m", "xzcrawler", "browse", "--help"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    flat = " ".join(help_text.split())
    assert "--allow-sql" in flat and "off by default" in flat
    assert "refused unless --allow-sql is given" in flat


@pytest.mark.parametrize(
    ("path", "query", "expected"),
    [
        (f"/db/{VIEW}", "_search=x", f"/db/{SEARCH_VIEW}?_search=x"),
        (f"/db/{VIEW}.json", "_search=x&month=1", f"/db/{SEARCH_VIEW}.json?_search=x&month=1"),
        (f"/db/{VIEW}", "_search=x&_sort=title", None),
        (f"/db/{VIEW}", "_search=+", None),
        (f"/db/{VIEW}", "month=2021-01", None),
        ("/db/articles", "_search=x", None),
    ],
)  # fmt: skip
def test_a_search_on_the_list_goes_to_the_ranked_view(path, query, expected) -> None:
    assert ranked_search_location(path, query) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [("巡视组", '"巡视 视组"'), ('"; DROP', '"drop"'), ('"', '""'), ("巡 OR", '"巡"* AND "or"')],
)
def test_datasette_search_words_become_bigram_phrases(words, expected) -> None:
    assert escape_fts(words) == expected


# --- In a real browser ---------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = PROJECT_ROOT / "data" / "screenshots"


class Chromium:
    """Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
    it reads commands on fd 3 and writes answers on fd 4, each JSON message ended by NUL)."""

    def __init__(self, profile: str) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child_fds() -> None:
            # Copies first: a pipe end may itself be fd 3 or 4.
            read_end, write_end = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "--window-size=1400,1000",
            ],
            pass_fds=(3, 4),  # kept open in the child after preexec_fn
            preexec_fn=child_fds,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        command: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            command["sessionId"] = session
        os.write(self._to_chrome, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + 30
        while (message := self._message(deadline)).get("id") != self._next_id:
            self._events.append(message)
        if "error" in message:
            raise RuntimeError(f"{method}: {message['error']}")
        return message["result"]

    def wait_for(self, method: str, session: str) -> None:
        deadline = time.monotonic() + 30
        while not any(
            e.get("method") == method and e.get("sessionId") == session for e in self._events
        ):
            self._events.append(self._message(deadline))

    def open(self, url: str) -> str:
        """A new tab showing url, loaded; returns its session."""
        self._events = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Page.enable", session)
        self.send("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired", session)
        return session

    def evaluate(self, session: str, expression: str) -> Any:
        result = self.send("Runtime.evaluate", session, expression=expression, returnByValue=True)
        return result["result"]["value"]

    def screenshot(self, session: str, path: Path) -> None:
        import base64

        data = self.send("Page.captureScreenshot", session, format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (OSError, TimeoutError, EOFError, RuntimeError):
            self.process.kill()
        self.process.wait(timeout=30)
        os.close(self._to_chrome)
        os.close(self._from_chrome)


@pytest.fixture
def chromium() -> Iterator[Chromium]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium package)")
    with tempfile.TemporaryDirectory(prefix="xz-chromium-") as profile:
        browser = Chromium(profile)
        try:
            yield browser
        finally:
            browser.close()


MEASURE = """JSON.stringify((() => {
  const rows = [...document.querySelectorAll("table.rows-and-columns tbody tr")];
  const cell = (row, name) => row.querySelector("td.col-" + name);
  return rows.map(row => ({
    id: cell(row, "id").textContent.trim(),
    height: Math.round(row.getBoundingClientRect().height),
    excerpt: Math.round(cell(row, "excerpt").getBoundingClientRect().width),
    title: Math.round(cell(row, "title").getBoundingClientRect().width),
  }));
})())"""


def test_list_page_rows_are_short_and_the_excerpt_wide(browse: Browse, chromium: Chromium) -> None:
    session = chromium.open(browse.url(VIEW))
    chromium.screenshot(session, SCREENSHOTS / "browse-article-list.png")
    rows = json.loads(chromium.evaluate(session, MEASURE))
    assert [row["id"] for row in rows] == ["3", "2", "4", "1", "6", "5"]
    # Before: the 3,000-character body in a one-character column, a row 2,400 px tall.
    assert [row["height"] < 200 for row in rows] == [True] * 6, rows
    assert [row["excerpt"] >= 300 for row in rows] == [True] * 6, rows
    assert [row["title"] >= 150 for row in rows] == [True] * 6, rows


def test_article_page_shows_the_whole_body_as_html(browse: Browse, chromium: Chromium) -> None:
    session = chromium.open(browse.url("articles/6"))
    chromium.screenshot(session, SCREENSHOTS / "browse-article.png")
    shown = json.loads(
        chromium.evaluate(
            session,
            """JSON.stringify({
              paragraphs: [...document.querySelectorAll("td.col-body_html p")].map(
                p => p.innerText),
              body: document.querySelector("td.col-body").innerText.length,
              wide: document.querySelector("td.col-body").getBoundingClientRect().width >= 600,
              path: document.querySelector("td.col-section_path").innerText})""",
        )
    )
    # One field a line (not one column each): the body gets the page's width.
    assert shown == {
        "paragraphs": ["第一段\n第二段"],
        "body": len(LONG_BODY),
        "wide": True,
        "path": "时评 > 三农时评",
    }
