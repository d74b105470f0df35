"""The crawl process's runtime costs turned down (xzcrawler/tuning.py): its collector and its
stats calls, with the stats themselves unchanged."""

from __future__ import annotations

import gc
import json
import logging
import warnings
from dataclasses import dataclass
from datetime import datetime

import pytest
from itemadapter import ItemAdapter
from itemadapter.adapter import DataclassAdapter
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from tests.conftest import CrawlEnv
from tests.helpers import expected, interface_view, patched_crawl
from xzcrawler.items import SHANGHAI, Article
from xzcrawler.runner import project_settings
from xzcrawler.tuning import (
    ArticleAdapter,
    ArticleAdapters,
    CrawlStats,
    GarbageCollection,
    skip_unlogged_records,
)

# In the crawl's own process (its argv names the crawl command): a log of the collector's
# settings being changed and of every collection, written at exit.
LOGS_THE_COLLECTOR = """
import atexit, gc, json, os, sys
if "crawl" in sys.argv:
    events = []
    def logged(name, call):
        def changed(*args):
            events.append([name, *args])
            return call(*args)
        return changed
    gc.freeze = logged("freeze", gc.freeze)
    gc.set_threshold = logged("threshold", gc.set_threshold)
    gc.callbacks.append(lambda phase, info: phase == "start" and events.append(["collect"]))
    def write():
        with open(os.path.join(FOLDER, "collector.json"), "w") as out:
            json.dump(events, out)
    atexit.register(write)
"""

# In the crawl's own process: the top-level packages it imported, written at exit.
LISTS_THE_IMPORTS = """
import atexit, json, os, sys
if "crawl" in sys.argv:
    def write():
        with open(os.path.join(FOLDER, "imports.json"), "w") as out:
            json.dump(sorted({name.split(".")[0] for name in sys.modules}), out)
    atexit.register(write)
"""


@pytest.mark.parametrize("crawl_env", [{"articles": 300}], indirect=True)
def test_crawl_collects_rarely_once_its_start_up_objects_are_frozen(crawl_env: CrawlEnv) -> None:
    """Untuned, the collector runs several times a page; from the engine's start the start-up
    objects are frozen and it runs once per thousands of allocations, until the engine stops."""
    patch = f"FOLDER = {str(crawl_env.tmp_path)!r}\n{LOGS_THE_COLLECTOR}"
    result = patched_crawl(crawl_env, patch)
    assert result.returncode == 0, result.stderr[-3000:]
    assert interface_view(crawl_env.records()) == expected(crawl_env)
    events = json.loads((crawl_env.tmp_path / "collector.json").read_text(encoding="utf-8"))
    changes = [event for event in events if event[0] != "collect"]
    assert changes == [["freeze"], ["threshold", 20_000, 50, 100], ["threshold", 700, 10, 10]]
    started, stopped = (events.index(change) for change in changes[1:])
    pages = len(crawl_env.server.requests)
    assert pages > 300
    assert len(events[started:stopped]) < pages / 20, (len(events[started:stopped]), pages)


def test_a_crawl_without_redis_serves_no_remote_control_and_loads_no_redis(
    crawl_env: CrawlEnv,
) -> None:
    """Scrapy 2.19 starts a remote-control server (Python code run on request) in every crawl,
    and a shared frontier needs redis: a scheduled crawl on one machine wants neither."""
    jobs = crawl_env.tmp_path / "remote-control-jobs"
    patch = f"FOLDER = {str(crawl_env.tmp_path)!r}\n{LISTS_THE_IMPORTS}"
    result = patched_crawl(crawl_env, patch, settings=[f"REMOTE_CONTROL_JOBS_DIR={jobs}"])
    assert result.returncode == 0, result.stderr[-3000:]
    assert interface_view(crawl_env.records()) == expected(crawl_env)
    imported = json.loads((crawl_env.tmp_path / "imports.json").read_text(encoding="utf-8"))
    assert {"scrapy", "sqlalchemy"} <= set(imported)
    assert not {"redis", "scrapy_redis"} & set(imported)
    assert not jobs.exists()


def test_collector_is_handed_back_as_it_was_when_the_engine_stops() -> None:
    crawler = get_crawler(settings_dict={"GC_THRESHOLDS": "5000,20,30"})
    extension = GarbageCollection.from_crawler(crawler)
    before = gc.get_threshold()
    try:
        extension.engine_started()
        assert gc.get_threshold() == (5000, 20, 30)
        assert gc.get_freeze_count() > 0
    finally:
        extension.engine_stopped()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


@dataclass
class LocalArticle(Article):
    """An item of another project built on ours: its own fields, so the generic adapter."""

    shelf: str | None = None


def test_an_article_is_adapted_with_the_same_fields_and_values_through_a_table_built_once() -> None:
    assert "xzcrawler.tuning.ArticleAdapters" in project_settings().getdict("EXTENSIONS")
    ArticleAdapters.from_crawler(get_crawler())
    article = Article(
        url="http://127.0.0.1/a/1.html",
        fetched_at=datetime(2024, 5, 1, 8, tzinfo=SHANGHAI),
        title="乡镇时评",
        authors=["张三"],
        notes={"xz/dates": [("meta_line", None)]},
    )
    adapter = ItemAdapter(article)
    assert type(adapter.adapter) is ArticleAdapter
    generic = DataclassAdapter(article)
    assert list(adapter.field_names()) == list(generic.field_names())
    assert dict(adapter.items()) == dict(generic.items())
    assert adapter.get_field_meta("title") == generic.get_field_meta("title")
    adapter["source"] = "人民网"
    assert article.source == "人民网"
    with pytest.raises(KeyError):
        adapter["no_such_field"] = 1
    other = ItemAdapter(LocalArticle(url="u", fetched_at=article.fetched_at, shelf="b"))
    assert type(other.adapter) is DataclassAdapter
    assert other["shelf"] == "b"


def test_crawl_stats_keep_scrapys_values_without_its_per_call_shim() -> None:
    crawler = get_crawler(settings_dict={"STATS_CLASS": "xzcrawler.tuning.CrawlStats"})
    plain, ours = MemoryStatsCollector(crawler), crawler.stats
    assert isinstance(ours, CrawlStats)
    for stats in (plain, ours):
        stats.open_spider()
        stats.inc_value("pages")
        stats.inc_value("pages", 2)
        stats.max_value("depth", 3)
        stats.max_value("depth", 1)
        stats.min_value("first", 5)
        stats.min_value("first", 2)
        stats.set_value("examples", ["a"])
    assert ours.get_stats() == plain.get_stats()
    assert ours.get_value("pages") == 3
    # Called as Scrapy's own code calls them, the methods are the class's, not a wrapper.
    assert ours.inc_value.__func__ is MemoryStatsCollector.inc_value  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours.inc_value("pages")
    assert ours.get_value("pages") == 4


@pytest.mark.parametrize(
    ("handler_level", "debug_built"), [(logging.INFO, False), (logging.DEBUG, True)]
)
def test_debug_records_are_built_only_where_a_handler_prints_them(
    handler_level: int, debug_built: bool
) -> None:
    root, scrapy_logger = logging.getLogger(), logging.getLogger("scrapy")
    saved = root.level, scrapy_logger.level, root.handlers[:]
    handler = logging.NullHandler(handler_level)
    root.handlers[:] = [handler]
    root.setLevel(logging.NOTSET)
    scrapy_logger.setLevel(logging.DEBUG)  # as Scrapy's DEFAULT_LOGGING leaves them
    try:
        skip_unlogged_records()
        engine = logging.getLogger("scrapy.core.engine")
        assert engine.isEnabledFor(logging.DEBUG) is debug_built
        assert engine.isEnabledFor(logging.INFO)
    finally:
        root.handlers[:] = saved[2]
        root.setLevel(saved[0])
        scrapy_logger.setLevel(saved[1])
