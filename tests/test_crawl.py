"""End to end: real Scrapy over loopback against the replica portal, into a real database."""

from __future__ import annotations

import json

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from pipelines.required import RequiredFieldsPipeline
from pipelines.sources import normalize_author, normalize_source
from tests.conftest import CrawlEnv, make_article
from tests.helpers import expected, full_crawl, interface_view
from xzcrawler.cli import main
from xzcrawler.spiders.sections import SectionsSpider


def test_full_crawl_stores_every_article_once_with_every_export_field_right(
    crawl_env: CrawlEnv,
) -> None:
    stored, want = full_crawl(crawl_env)
    assert sorted(stored) == sorted(want)
    for url, record in want.items():
        assert stored[url] == record, url


def test_chain_walk_reaches_articles_beyond_list_depth(crawl_env: CrawlEnv) -> None:
    chain_only = [a for a in crawl_env.portal.articles if not a.listed]
    assert chain_only, "the replica must cap its list pages"
    assert crawl_env.crawl("--full").returncode == 0
    stored = crawl_env.records()
    base = crawl_env.server.base_url.rstrip("/")
    assert all(base + a.path in stored for a in chain_only)


def test_gbk_section_is_stored_in_readable_chinese(crawl_env: CrawlEnv) -> None:
    gbk = {s.name for s in crawl_env.portal.sections if s.encoding.lower() != "utf-8"}
    assert gbk
    assert crawl_env.crawl("--full").returncode == 0
    stored = interface_view(crawl_env.records())
    want = expected(crawl_env)
    gbk_records = [r for r in want.values() if r["section"] in gbk]
    assert gbk_records
    for record in gbk_records:
        assert stored[record["url"]] == record


def test_second_run_stores_no_duplicate_and_changes_nothing(crawl_env: CrawlEnv) -> None:
    assert crawl_env.crawl("--full").returncode == 0
    first = interface_view(crawl_env.records())
    second_run = crawl_env.crawl("--full")
    assert second_run.returncode == 0, second_run.stderr[-3000:]
    assert interface_view(crawl_env.records()) == first
    assert "0 new, 0 updated" in second_run.stderr


def test_robots_disallowed_paths_and_other_hosts_are_never_requested(crawl_env: CrawlEnv) -> None:
    assert crawl_env.crawl("--full").returncode == 0
    requested = crawl_env.requested()
    assert "/robots.txt" in requested
    for prefix in crawl_env.portal.disallowed_prefixes:
        assert not [path for path in requested if path.startswith(prefix)]
    # Every request reached this server; anything for another host would have gone elsewhere,
    # so check the spider never even scheduled one.
    assert all(path.startswith("/") for path in requested)


def test_scrapy_crawl_sections_is_the_same_crawl(crawl_env: CrawlEnv) -> None:
    result = crawl_env.scrapy("crawl", "sections", "-a", "mode=full")
    assert result.returncode == 0, result.stderr[-3000:]
    assert interface_view(crawl_env.records()) == expected(crawl_env)


def test_section_argument_limits_the_crawl_to_one_section(crawl_env: CrawlEnv) -> None:
    section = crawl_env.portal.articles[0].section
    result = crawl_env.scrapy("crawl", "sections", "-a", "mode=full", "-a", f"section={section}")
    assert result.returncode == 0, result.stderr[-3000:]
    sections = {r["section"] for r in crawl_env.records().values()}
    assert sections == {section}


@pytest.mark.parametrize(
    ("follow", "direction"), [("none", None), ("prev", "prev_path"), ("next", "next_path")]
)
def test_article_spider_stores_one_article_or_walks_its_chain(
    crawl_env: CrawlEnv, follow: str, direction: str | None
) -> None:
    by_path = {a.path: a for a in crawl_env.portal.articles}
    middle = next(a for a in crawl_env.portal.articles if a.prev_path in by_path and a.next_path)
    base = crawl_env.server.base_url.rstrip("/")
    result = crawl_env.scrapy(
        "crawl", "article", "-a", f"url={base}{middle.path}", "-a", f"follow={follow}"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    want = [middle.path]
    article = middle
    while direction and getattr(article, direction) in by_path:
        article = by_path[getattr(article, direction)]
        want.append(article.path)
    assert sorted(crawl_env.records()) == sorted(base + path for path in want)


def test_raw_values_are_stored_beside_the_normalised_ones(crawl_env: CrawlEnv) -> None:
    assert crawl_env.crawl("--full").returncode == 0
    records = crawl_env.records().values()
    assert any(r["author_raw"] and r["author"] is None for r in records), "佚名 kept raw"
    for record in records:
        assert normalize_source(record["source_raw"]) == record["source"]
        # a meta line naming nobody leaves the author to the body's byline or dateline
        assert normalize_author(record["author_raw"]) in {record["author"], None}


def test_query_on_the_crawled_replica_filters_by_section_and_finds_words(
    crawl_env: CrawlEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    assert crawl_env.crawl("--full").returncode == 0
    want = expected(crawl_env)
    section = "三农时评"
    argv = ["query", "--database-url", crawl_env.database_url, "--format", "jsonl", "--limit", "0"]
    assert main([*argv, "--section", section]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(r["url"] for r in found) == sorted(
        url for url, r in want.items() if r["section"] == section
    )
    title = next(r["title"] for r in want.values() if r["section"] == section)
    word = title[:2]
    assert main([*argv, "--search", word]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(r["url"] for r in found) == sorted(
        url for url, r in want.items() if word in r["title"] or word in r["body"]
    )


def test_article_without_a_body_is_dropped_with_its_url_and_counted() -> None:
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    pipeline = RequiredFieldsPipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match=r"article without a body: http://127.0.0.1/a/1.html"):
        pipeline.process_item(make_article(1, body=""))
    assert crawler.stats.get_value("xz/dropped/no_body") == 1
    assert pipeline.process_item(make_article(2)).url == "http://127.0.0.1/a/2.html"


def test_a_page_already_asked_for_is_not_requested_again_in_any_spelling() -> None:
    """A neighbour links back: the link is dropped by the spider, before Scrapy's middlewares."""
    crawler = get_crawler(SectionsSpider, settings_dict={"PARSE_PROCESSES": 0})
    spider = SectionsSpider.from_crawler(crawler, portal_url="http://127.0.0.1/")
    first = list(spider.fetch("http://127.0.0.1/a/1.html", spider.parse_page))
    again = [
        request
        for url in (
            "http://127.0.0.1/a/1.html",
            "http://127.0.0.1/a/1.html#top",
            "http://127.0.0.1/a/1.html?utm_source=wx",
        )
        for request in spider.fetch(url, spider.parse_page)
    ]
    other = list(spider.fetch("http://127.0.0.1/a/2.html", spider.parse_page))
    assert [r.url for r in first] == ["http://127.0.0.1/a/1.html"]
    assert again == []
    assert [r.url for r in other] == ["http://127.0.0.1/a/2.html"]
