"""A page reader normalises ahead of the pipelines (xzcrawler/reading.py, pipelines/normalise.py):
the stored record and the crawl's counts are the pipelines' own, on every template."""

from __future__ import annotations

import re
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from pipelines.dates import DatesPipeline
from pipelines.required import RequiredFieldsPipeline
from pipelines.sources import SourcesPipeline
from tests.conftest import CrawlEnv
from tests.helpers import expected, interface_view
from xzcrawler.export import interface_record
from xzcrawler.items import Article
from xzcrawler.reading import Normalising, PageBytes, read_page
from xzcrawler.replica import Portal
from xzcrawler.replica.variants import FETCHED_AT

BASE = "http://www.xzspw.org.cn"
PORTAL = Portal(articles=200, families=True)
NORMALISING = Normalising(aliases_file="", portal_name="乡镇时评网")


def through_pipelines(article: Article) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record the pipelines leave and what they counted, in a crawler of their own."""
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    for pipeline in (
        RequiredFieldsPipeline.from_crawler(crawler),
        DatesPipeline.from_crawler(crawler),
        SourcesPipeline.from_crawler(crawler),
    ):
        article = pipeline.process_item(article)
    counts = {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("xz/")}
    return interface_record(article), counts


def read(path: str, normalising: Normalising | None) -> Article:
    page = PORTAL.render(path)
    source = PageBytes(BASE + path, page.body, page.headers["Content-Type"].split("=")[-1])
    reading = read_page(source, FETCHED_AT, article_only=False, normalising=normalising)
    assert reading.article is not None, reading.error or reading.incomplete
    return reading.article


@pytest.mark.parametrize("truth", PORTAL.articles, ids=lambda truth: truth.path)
def test_article_normalised_by_its_reader_gets_the_pipelines_record_and_counts(
    truth: Any,
) -> None:
    if PORTAL.render(truth.path).status != 200:
        pytest.skip("the replica serves this page as an error on purpose")
    ahead = read(truth.path, NORMALISING)
    assert set(ahead.notes) == {"xz/dates", "xz/sources"}
    assert ahead.published_at is not None or ahead.date_flag is not None or not ahead.date_raw
    assert through_pipelines(ahead) == through_pipelines(read(truth.path, None))
    assert ahead.notes == {}  # each pipeline took its own


def test_pipelines_normalise_an_article_its_reader_did_not() -> None:
    article = read(PORTAL.articles[0].path, None)
    assert article.notes == {}
    assert article.published_at is None
    record, counts = through_pipelines(article)
    assert record["published_at"] is not None
    assert counts["xz/dates/origin/meta_line"] == 1


def test_a_crawl_counts_what_its_readers_normalised(crawl_env: CrawlEnv) -> None:
    """The counts a crawl's run shows come from its readers' notes, once per article."""
    result = crawl_env.run(*crawl_env.crawl_argv("--full", settings=["PARSE_PROCESSES=1"]))
    assert result.returncode == 0, result.stderr[-3000:]
    assert interface_view(crawl_env.records()) == expected(crawl_env)
    origins = [
        int(count)
        for key, count in _stats(result.stderr).items()
        if key.startswith("xz/dates/origin/") or key == "xz/dates/missing"
    ]
    assert sum(origins) == len(crawl_env.portal.articles)


def _stats(log: str) -> dict[str, str]:
    """The xz/ counts of Scrapy's stats dump in a crawl's log."""
    return dict(re.findall(r"'(xz/[^']+)': (\d+)", log))
