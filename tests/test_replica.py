"""The replica portal: deterministic pages that agree with their own ground truth."""

from __future__ import annotations

import http.client
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from parsel import Selector

from xzcrawler.replica import Page, Portal, ReplicaServer, Template
from xzcrawler.replica.server import rendered_site

HOST = "http://replica.test"
NEIGHBOUR = re.compile(
    r"(上一篇|上一条|下一篇|下一条)[:：]\s*(?:</span>)?\s*(?:<a href=\"([^\"]+)\">|没有了)"
)
TEMPLATE_MARKERS = {
    Template.SEED: ["当前所在: ", "</a>>><a", " 作者:", "原文链接:", "上一篇: ", "下一篇: "],
    Template.TABLE: ["当前位置：", " &gt;&gt; ", "发布时间：", "<br>", "上一条：", "下一条："],
    Template.MODERN: [
        "您的位置：",
        " » 正文",
        'property="article:published_time"',
        "【字体：",
        "document.write(",
        "分享到：",
        ">查看原文</a>",
    ],
}


def html_of(page: Page) -> str:
    """Decode as a browser would: the header's charset, else the meta tag's gb2312 as gb18030."""
    codec = "utf-8" if "charset=utf-8" in page.headers["Content-Type"] else "gb18030"
    return page.body.decode(codec)


def resolve(page_path: str, href: str) -> str | None:
    """A link as the root-relative path (query included) it points to; None for no link."""
    if not href:
        return None
    url = urlsplit(urljoin(HOST + page_path, href))
    return url.path + (f"?{url.query}" if url.query else "")


def hrefs(html: str) -> list[str]:
    return Selector(text=html).css("a::attr(href)").getall()


def fetch(portal: Portal, path: str) -> Page:
    """A GET with one retry, as a crawler's retry middleware would on a 503."""
    page = portal.render(path)
    return portal.render(path) if page.status == 503 else page


def crawl(portal: Portal) -> dict[str, int]:
    """Follow every same-site link from home, obeying robots.txt: path -> status."""
    seen: dict[str, int] = {}
    queue = deque(["/"])
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        page = fetch(portal, path)
        seen[path] = page.status
        if page.status != 200 or not page.headers["Content-Type"].startswith("text/html"):
            continue
        for href in hrefs(html_of(page)):
            target = resolve(path, href)
            same_site = urljoin(HOST + path, href).startswith(HOST + "/")
            if same_site and target and not target.startswith(tuple(portal.disallowed_prefixes)):
                queue.append(target)
    return seen


@pytest.fixture(scope="module")
def portal() -> Portal:
    return Portal()


# --- determinism and structure ------------------------------------------------------------


def test_same_arguments_give_the_same_pages_and_truth() -> None:
    first, second = Portal(articles=40, seed=7), Portal(articles=40, seed=7)
    assert list(first.articles) == list(second.articles)
    for truth in first.articles[::5]:
        assert first.render(truth.path).body == second.render(truth.path).body
    assert first.render("/").body == second.render("/").body


def test_another_seed_gives_other_titles() -> None:
    titles = [t.title for t in Portal(seed=1).articles]
    assert titles != [t.title for t in Portal(seed=2).articles]


def test_sections_are_the_navigation_menu(portal: Portal) -> None:
    sections = [(s.name, s.path, s.parent, s.encoding, s.list_style) for s in portal.sections]
    assert sections == [
        ("党建工作", "/djgz/", None, "utf-8", "path"),
        ("时评", "/shiping/index.html", None, "utf-8", "index"),
        ("三农时评", "/list.asp?classid=3", "时评", "gbk", "query"),
        ("乡村振兴", "/xczx/", None, "utf-8", "path"),
        ("基层治理", "/jczl/index.html", None, "utf-8", "index"),
        ("政策解读", "/list.asp?classid=6", None, "utf-8", "query"),
    ]
    home = Selector(text=html_of(portal.render("/")))
    menu = home.css("ul.menu > li > a")
    assert [a.css("::text").get() for a in menu] == [
        "首页", "党建工作", "时评", "乡村振兴", "基层治理", "政策解读", "人民网", "管理登录",
    ]  # fmt: skip
    assert menu[6].attrib["href"] == "http://www.people.com.cn/"
    assert home.css("ul.menu ul.sub a::attr(href)").getall() == ["/list.asp?classid=3"]
    assert home.css(".footer a::text").getall()[:3] == ["关于我们", "联系我们", "网站地图"]


def test_too_small_a_portal_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 25"):
        Portal(articles=10)


# --- ground truth against pages -----------------------------------------------------------


def test_every_article_page_shows_its_truth(portal: Portal) -> None:
    for truth in portal.articles:
        page = fetch(portal, truth.path)
        assert page.status == 200, truth.path
        html = html_of(page)
        text = unescape(html)
        assert f">{truth.title}<" in text
        for paragraph in truth.body.split("\n"):
            assert paragraph in text
        links = {label: resolve(truth.path, href) for label, href in NEIGHBOUR.findall(html)}
        older, newer = (
            ("上一条", "下一条") if truth.template == Template.TABLE else ("上一篇", "下一篇")
        )
        assert (links[older], links[newer]) == (truth.prev_path, truth.next_path)


@pytest.mark.parametrize("template", list(Template))
def test_article_templates_write_their_own_markup(portal: Portal, template: Template) -> None:
    truth = next(t for t in portal.articles if t.template == template)
    html = html_of(fetch(portal, truth.path))
    for marker in TEMPLATE_MARKERS[template]:
        assert marker in html


def test_editor_line_is_on_the_page_but_not_in_the_body(portal: Portal) -> None:
    with_editor = [t for t in portal.articles if "责任编辑：" in html_of(fetch(portal, t.path))]
    assert with_editor
    assert all("责任编辑" not in t.body for t in with_editor)


def test_meta_values_cover_the_variants() -> None:
    truths = list(Portal(articles=300).articles)
    assert {t.date_has_time for t in truths} == {True, False}
    assert any(t.author is None for t in truths)
    assert any(t.author and "、" in t.author for t in truths)
    assert any(t.original_url is None for t in truths)
    assert any(t.images for t in truths)
    assert any(re.match(r"^\S+[^\x00-\xff]+\d+月\d+日电", t.body) for t in truths)
    date_only = next(t for t in truths if not t.date_has_time)
    assert (date_only.published_at.hour, date_only.published_at.minute) == (0, 0)


def test_body_images_are_relative_and_served() -> None:
    portal = Portal(articles=300)
    truth = next(t for t in portal.articles if t.images)
    html = html_of(fetch(portal, truth.path))
    sources = Selector(text=html).css("img::attr(src)").getall()
    assert [resolve(truth.path, src) for src in sources] == truth.images
    assert not sources[0].startswith("/")
    assert portal.render(truth.images[0]).headers["Content-Type"] == "image/gif"


def test_meta_line_shows_the_truth_date(portal: Portal) -> None:
    for truth in portal.articles:
        text = html_of(fetch(portal, truth.path))
        published = truth.published_at
        assert published is not None
        if not truth.date_has_time:
            shown = [f"{published:%Y-%m-%d} 作者:", f"{published:%Y/%m/%d}\u3000"]
        elif published.second:
            shown = [f"{published:%Y-%m-%d %H:%M:%S}"]
        else:
            shown = [f"{published:%Y-%m-%d %H:%M:%S}", f"{published:%Y年%m月%d日 %H:%M}\u3000"]
        assert any(s in text for s in shown), truth.path


# --- reachability -------------------------------------------------------------------------


def test_a_robots_obeying_crawl_reaches_exactly_the_truth(portal: Portal) -> None:
    seen = crawl(portal)
    truth_paths = {t.path for t in portal.articles}
    assert truth_paths <= {path for path, status in seen.items() if status == 200}
    assert seen[portal.specials.broken_target_path] == 404
    others = {path for path, status in seen.items() if status == 200} - truth_paths
    list_pages = {
        s.list_page_path(n) for s in portal.sections for n in range(1, portal.list_page_cap + 1)
    }
    assert others - list_pages == {"/", "/a/1.html", "/a/2.html", "/a/3.html"}


def test_listed_articles_are_exactly_those_on_list_pages(portal: Portal) -> None:
    on_lists = set()
    for section in portal.sections:
        for n in range(1, portal.list_page_cap + 1):
            page = portal.render(section.list_page_path(n))
            assert page.status == 200
            for href in hrefs(html_of(page)):
                on_lists.add(urljoin(HOST + section.path, href).removeprefix(HOST))
        assert portal.render(section.list_page_path(portal.list_page_cap + 1)).status == 404
    listed = {t.path for t in portal.articles if t.listed}
    assert {p for p in on_lists if p in {t.path for t in portal.articles}} == listed


def test_every_article_section_has_chain_only_articles(portal: Portal) -> None:
    sections = {t.section for t in portal.articles}
    assert sections == {"党建工作", "三农时评", "乡村振兴", "基层治理", "政策解读"}
    for section in sections:
        assert any(not t.listed for t in portal.articles if t.section == section), section


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/djgz/list_2.html", 200),
        ("/djgz/list_1.html", 404),
        ("/jczl/index_2.html", 200),
        ("/list.asp?classid=3&page=2", 200),
        ("/list.asp?classid=3&page=3", 404),
        ("/show.asp?id=99999", 404),
        ("/a/1.html", 200),
        ("/no/such/page.html", 404),
    ],
)
def test_urls_outside_the_portal_are_404(portal: Portal, path: str, status: int) -> None:
    assert portal.render(path).status == status


def test_pagination_links_name_every_page(portal: Portal) -> None:
    html = html_of(portal.render("/list.asp?classid=6&page=2"))
    pager = Selector(text=html).css("table.liebiao tr:last-child td")
    assert pager.css("a::text, font::text").getall() == [
        "首页",
        "上一页",
        "1",
        "2",
        "下一页",
        "尾页",
    ]
    assert pager.css("a::attr(href)").getall() == [
        "list.asp?classid=6", "list.asp?classid=6", "list.asp?classid=6",
    ]  # fmt: skip


# --- traps --------------------------------------------------------------------------------


def test_transient_article_is_503_once_then_200() -> None:
    portal = Portal()
    path = portal.specials.transient_path
    assert [portal.render(path).status for _ in range(3)] == [503, 200, 200]


def test_broken_prev_link_returns_404_and_the_older_side_stays_listed(portal: Portal) -> None:
    specials = portal.specials
    truths = {t.path: t for t in portal.articles}
    broken = truths[specials.broken_link_path]
    behind = next(t for t in truths.values() if t.next_path == broken.path)
    assert broken.prev_path == specials.broken_target_path
    assert portal.render(specials.broken_target_path).status == 404
    assert (broken.listed, behind.listed) == (True, True)
    assert behind.id < broken.id


def test_cross_listed_article_has_one_truth_under_its_own_section(portal: Portal) -> None:
    specials = portal.specials
    entries = [t for t in portal.articles if t.path == specials.cross_listed_path]
    assert [t.section for t in entries] == ["乡村振兴"]
    other = next(s for s in portal.sections if s.name == specials.cross_listed_section)
    listed_there = [urljoin(HOST + "/", h) for h in hrefs(html_of(portal.render(other.path)))]
    assert HOST + specials.cross_listed_path in listed_there


def test_gbk_section_declares_gb2312_and_needs_gb18030(portal: Portal) -> None:
    page = portal.render(portal.specials.gbk_title_path)
    truth = next(t for t in portal.articles if t.path == portal.specials.gbk_title_path)
    assert page.headers["Content-Type"] == "text/html"
    assert b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' in page.body
    assert "喆" in truth.title
    assert f"<b>{truth.title}</b>" in page.body.decode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        page.body.decode("gb2312")


def test_robots_txt_disallows_what_the_pages_link_to(portal: Portal) -> None:
    page = portal.render("/robots.txt")
    assert (
        page.body.decode()
        == "User-agent: *\nDisallow: /admin/\nDisallow: /plus/\nDisallow: /member/\n"
    )
    assert portal.disallowed_prefixes == ["/admin/", "/plus/", "/member/"]
    linked = set(hrefs(html_of(portal.render("/")))) | set(hrefs(html_of(portal.render("/djgz/"))))
    assert set(portal.specials.disallowed_link_paths) <= linked
    assert not [t for t in portal.articles if t.path.startswith(tuple(portal.disallowed_prefixes))]


# --- export records, day two ---------------------------------------------------------------


def test_expected_records_are_export_records_with_absolute_urls(portal: Portal) -> None:
    records = portal.expected_records("http://127.0.0.1:8000/")
    assert len(records) == len(portal.articles) == 60
    assert list(records[0]) == [
        "url", "section", "title", "published_at", "author", "source", "original_url", "body",
        "prev_url", "next_url",
    ]  # fmt: skip
    first = records[0]
    assert first["url"] == "http://127.0.0.1:8000" + portal.articles[0].path
    assert first["prev_url"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", first["published_at"] or "")
    date_only = next(
        r for r, t in zip(records, portal.articles, strict=True) if not t.date_has_time
    )
    assert (date_only["published_at"] or "").endswith("T00:00:00+08:00")


def test_added_articles_head_the_lists_and_extend_the_chains() -> None:
    portal = Portal()
    before = {t.path: t for t in portal.articles}
    added = portal.add_articles(5)
    assert [t.id for t in added] == [161, 162, 163, 164, 165]
    assert len(portal.articles) == 65
    for truth in added:
        section = next(s for s in portal.sections if s.name == truth.section)
        first_item = Selector(text=html_of(portal.render(section.path)))
        assert truth.listed
        assert truth.path in [
            urljoin(HOST + "/", h).removeprefix(HOST) for h in hrefs(first_item.get())
        ]
        assert before[truth.prev_path].next_path is None
        older = next(t for t in portal.articles if t.path == truth.prev_path)
        assert older.next_path == truth.path
    assert sum(t.listed for t in portal.articles) == sum(t.listed for t in before.values())


def test_edited_article_shows_the_new_title_and_body() -> None:
    portal = Portal()
    truth = portal.articles[30]
    portal.edit_article(truth.id, title="更正后的标题", body="第一段。\n\u3000\u3000第二段。")
    edited = portal.articles[30]
    assert (edited.title, edited.body, edited.images) == ("更正后的标题", "第一段。\n第二段。", [])
    assert ">更正后的标题<" in html_of(fetch(portal, truth.path))
    newer = fetch(portal, truth.next_path or "")
    assert "更正后的标题" in html_of(newer)


# --- server, CLI, scale --------------------------------------------------------------------


def test_server_serves_pages_and_logs_requests() -> None:
    portal = Portal()
    with ReplicaServer(portal) as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", server.base_url)
        with urllib.request.urlopen(server.base_url + "list.asp?classid=3&page=2") as response:
            assert response.status == 200
            assert response.headers["Content-Type"] == "text/html"
            assert "三农时评" in response.read().decode("gb18030")
        statuses = []
        for path in ("nope.html", portal.specials.transient_path[1:]):
            try:
                urllib.request.urlopen(server.base_url + path).close()
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        assert statuses == [404, 503]
        request = urllib.request.Request(server.base_url + "robots.txt", method="HEAD")
        with urllib.request.urlopen(request) as response:
            assert response.read() == b""
        assert [(r.method, r.path, r.status) for r in server.requests] == [
            ("GET", "/list.asp?classid=3&page=2", 200),
            ("GET", "/nope.html", 404),
            ("GET", portal.specials.transient_path, 503),
            ("HEAD", "/robots.txt", 200),
        ]


def test_one_connection_answers_its_requests_in_order_until_asked_to_close() -> None:
    portal = Portal()
    paths = ["/robots.txt", portal.articles[3].path, "/nope.html", portal.articles[4].path]
    with ReplicaServer(portal) as server:
        connection = http.client.HTTPConnection(urlsplit(server.base_url).netloc)
        answers = []
        for path in paths:
            connection.request("GET", path)
            response = connection.getresponse()
            answers.append((response.status, response.read() == portal.render(path).body))
        assert answers == [(200, True), (200, True), (404, True), (200, True)]
        assert response.getheader("Server") == "Microsoft-IIS/6.0"
        connection.request("GET", "/robots.txt", headers={"Connection": "close"})
        response = connection.getresponse()
        response.read()
        assert response.will_close
        connection.close()
        assert [r.path for r in server.requests] == [*paths, "/robots.txt"]


@pytest.mark.parametrize(
    ("request_head", "status"),
    [
        (b"POST /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        (b"nonsense\r\n\r\n", 400),
        (b"GET /" + b"a" * 70_000, 431),
    ],
)
def test_a_request_the_server_cannot_answer_gets_an_error_and_a_close(
    request_head: bytes, status: int
) -> None:
    with (
        ReplicaServer(Portal()) as server,
        socket.create_connection(urlsplit(server.base_url)[1].split(":")) as client,
    ):
        client.sendall(request_head)
        client.settimeout(10)
        answer = b""
        while chunk := client.recv(65536):  # the server closes the connection
            answer += chunk
        assert answer.startswith(f"HTTP/1.1 {status} ".encode())
        assert server.requests == []


def test_a_prerendered_site_answers_every_reachable_page_as_rendering_would() -> None:
    rendered = rendered_site(Portal(articles=80), limit=10_000)
    portal = Portal(articles=80)
    truths = list(portal.articles)
    expected = {"/", *(t.path for t in truths), *(s.path for s in portal.sections)}
    kept = set(rendered)
    # Every article and section page, each byte for byte; an error page is rendered each time.
    assert expected - {portal.specials.transient_path} <= kept
    assert portal.specials.transient_path not in kept
    assert all(rendered[path].body == portal.render(path).body for path in sorted(kept))
    assert {page.status for page in rendered.values()} == {200}
    with ReplicaServer(portal, rendered=rendered) as server:
        statuses = []
        for _ in range(2):
            try:
                with urllib.request.urlopen(server.base_url + portal.specials.transient_path[1:]):
                    statuses.append(200)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        assert statuses == [503, 200]


def test_a_prerendered_page_is_answered_as_given_and_the_rest_rendered() -> None:
    portal = Portal()
    given = Page(200, {"Content-Type": "text/html", "Content-Length": "5"}, b"given")
    with ReplicaServer(portal, rendered={"/robots.txt": given}) as server:
        with urllib.request.urlopen(server.base_url + "robots.txt") as response:
            assert response.read() == b"given"
        path = portal.articles[2].path
        with urllib.request.urlopen(server.base_url + path[1:]) as response:
            assert response.read() == portal.render(path).body


def test_a_prerendering_stops_at_its_limit() -> None:
    assert len(rendered_site(Portal(articles=80), limit=7)) == 7


def test_cli_prints_its_url_and_serves() -> None:
    command = [sys.executable, "-m", "xzcrawler.replica", "serve", "--articles", "30"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            line = process.stdout.readline() if process.stdout else ""
            assert re.fullmatch(r"serving http://127\.0\.0\.1:\d+/\n", line)
            with urllib.request.urlopen(line.split()[1] + "robots.txt") as response:
                assert response.read().startswith(b"User-agent: *")
        finally:
            process.terminate()


def test_cli_prerenders_when_asked_and_says_how_much() -> None:
    command = [sys.executable, "-m", "xzcrawler.replica", "serve", "--articles", "30"]
    with subprocess.Popen(
        [*command, "--prerender"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            line = process.stdout.readline() if process.stdout else ""
            portal = Portal(articles=30)
            path = portal.articles[5].path
            with urllib.request.urlopen(line.split()[1] + path[1:]) as response:
                assert response.read() == portal.render(path).body
            said = process.stderr.readline() if process.stderr else ""
            assert re.fullmatch(r"prerendered \d+ pages in [0-9.]+ s\n", said)
        finally:
            process.terminate()


def test_a_large_portal_builds_and_renders_its_articles() -> None:
    # Its speed is benchmarks/bench_replica.py's business: a loaded machine is slow, not wrong.
    portal = Portal(articles=100_000)
    assert len(portal.articles) == 100_000
    paths = [portal.articles[i].path for i in range(0, 100_000, 1000)]
    assert [portal.render(path).status for path in paths] == [200] * len(paths)
