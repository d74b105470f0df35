"""Policy over every spider and the shipped settings (as alltheplaces checks its spiders)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

SETTINGS = get_project_settings()
SPIDERS = sorted(SpiderLoader.from_settings(SETTINGS).list())


def test_the_project_has_the_sections_and_article_spiders() -> None:
    assert SPIDERS == ["article", "sections"]


@pytest.mark.parametrize("name", SPIDERS)
def test_spider_is_named_after_its_module(name: str) -> None:
    spider = SpiderLoader.from_settings(SETTINGS).load(name)
    assert Path(inspect.getfile(spider)).stem == name


def test_defaults_stay_polite_to_the_real_portal() -> None:
    assert SETTINGS.getbool("ROBOTSTXT_OBEY")
    assert SETTINGS.getbool("AUTOTHROTTLE_ENABLED")
    assert SETTINGS.getfloat("DOWNLOAD_DELAY") >= 0.5
    assert SETTINGS.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 4
    assert "xzcrawler" in SETTINGS["USER_AGENT"]
