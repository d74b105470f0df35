"""Query latency on 100,000 generated articles in SQLite, built through the storage layer.

    python benchmarks/bench_query.py [--articles N] [--database PATH]

Prints the build rate (articles/s, FTS index included) and the median latency of a
two-character search returning the top 20, a filter query, and stats.
Targets: search < 50 ms, filters < 20 ms, stats < 500 ms.

Measured here (2 cores, SQLite 3.40, 100,000 articles of ~700 characters, 1.1 GiB file):
build 1,562 articles/s with the index (about 8,000 without); search 巡视 (2% of articles)
8.3 ms; search 集体 (71% of articles: bm25 ranks every match) 155 ms; 移风易俗 (71%) in one section
197 ms; filter section+publisher+since 6.6 ms; author+until 1.5 ms; stats 195 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from xzcrawler.models import SHANGHAI
from xzcrawler.query import Filters, Order, collect_stats, find_articles, parse_date
from xzcrawler.replica.text import CLAUSES, OBJECTS, PLACES, SUBJECTS, VERBS
from xzcrawler.storage import ArticleStore, engine_for, ensure_schema

SECTIONS = ("党建工作", "三农时评", "乡村振兴", "基层治理", "脱贫攻坚", "时评", "图片新闻", "专题")
PUBLISHERS = ("七一网", "人民网", "新华社", "光明网", "中国网", "农民日报", "求是网", "央视网")
# 2,184 authors, so an author has some 45 articles, as on the portal.
FAMILY_NAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋"
GIVEN_NAMES = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚文华鹏婷慧琳博宇欣怡晨阳瑶浩然昊佳颖倩雯鑫龙斌凯飞辉"
    "亮健峰成东新波宁坤雷晶蕾洁萍红梅燕玲兰凤英云莉琴涵萱诺国庆立民建志海晓春德玉永淑金振雪宏丹"
)
AUTHORS = tuple(family + given for family in FAMILY_NAMES for given in GIVEN_NAMES)
BATCH = 200
# The generated vocabulary is small, so each of its words is in most articles; a real two-
# character search term is rarer. This one is in 2% of the articles, like 巡视 on the portal.
RARE_WORD, RARE_SHARE = "巡视", 0.02


def sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(PLACES)}{rng.choice(SUBJECTS)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}，"
        f"{rng.choice(CLAUSES)}。"
    )


def row(number: int, rng: random.Random, start: datetime) -> dict:
    author = rng.choice(AUTHORS)
    paragraphs = ["".join(sentence(rng) for _ in range(4)) for _ in range(rng.randint(3, 8))]
    if rng.random() < RARE_SHARE:
        paragraphs.insert(1, f"{rng.choice(PLACES)}开展{RARE_WORD}整改工作。")
    body = "\n".join(paragraphs)
    return {
        "url": f"http://www.xzspw.org.cn/a/{number}.html",
        "title": f"{rng.choice(PLACES)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}",
        "section": (section := rng.choice(SECTIONS)),
        "section_path": [section],
        "body": body,
        "source": (source := rng.choice(PUBLISHERS)),
        "source_raw": f"来源：{source}",
        "author": author,
        "authors": [author],
        "published_at": start + timedelta(minutes=rng.randrange(0, 6 * 365 * 24 * 60)),
        "date_has_time": True,
        "fetched_at": datetime.now(SHANGHAI),
    }


def build(database: Path, articles: int) -> float:
    engine = engine_for(f"sqlite:///{database}")
    ensure_schema(engine)
    store = ArticleStore(engine)
    rng = random.Random(5)
    start = datetime(2019, 1, 1, tzinfo=SHANGHAI)
    began = time.perf_counter()
    for first in range(0, articles, BATCH):
        store.write([row(n, rng, start) for n in range(first, min(first + BATCH, articles))])
    return articles / (time.perf_counter() - began)


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm the page cache and SQLAlchemy's statement cache
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--database", type=Path, help="reuse or build this file")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        database = args.database or Path(scratch) / "bench.db"
        if not database.exists():
            rate = build(database, args.articles)
            print(f"built {args.articles} articles: {rate:,.0f} articles/s (FTS index included)")
        engine = engine_for(f"sqlite:///{database}")
        size = database.stat().st_size / 2**20
        print(f"database {size:,.0f} MiB")
        cases = {
            "search 巡视 (2 chars, 2% of articles) -> top 20": lambda: find_articles(
                engine, Filters(search="巡视"), order=Order.RELEVANCE, limit=20
            ),
            "search 集体 (2 chars, 71% of articles) -> top 20": lambda: find_articles(
                engine, Filters(search="集体"), order=Order.RELEVANCE, limit=20
            ),
            "search 移风易俗 (71%) + section -> top 20": lambda: find_articles(
                engine, Filters(search="移风易俗", section="三农时评"), limit=20
            ),
            "filter section+source+since -> top 20": lambda: find_articles(
                engine,
                Filters(section="党建工作", source="人民网", since=parse_date("2023-06")),
                limit=20,
            ),
            "filter author+until -> top 20": lambda: find_articles(
                engine, Filters(author="王伟", until=parse_date("2021", end=True)), limit=20
            ),
            "stats": lambda: collect_stats(engine),
        }
        for name, action in cases.items():
            print(f"{name:46} median {median_ms(action, args.runs):8.1f} ms")
        engine.dispose()


if __name__ == "__main__":
    main()
