"""Rewrite the golden files: every fixture page (tests/fixtures, one page of each CMS family
template) and what `parse_article` reads from it.

Run `python tests/golden/regenerate.py` after a parser change, then review `git diff tests/golden`
line by line: every changed value must be a fix, never a regression. The family pages are saved
once from the replica (`--families` rewrites them too).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.helpers import FIXTURES, fixture_response  # noqa: E402
from xzcrawler import parsing  # noqa: E402
from xzcrawler.models import SHANGHAI  # noqa: E402

GOLDEN = Path(__file__).resolve().parent
FAMILY_PAGES = FIXTURES / "families"
SITE = "http://www.xzspw.org.cn"
FETCHED_AT = datetime(2021, 1, 2, 12, 30, tzinfo=SHANGHAI)
# fixture file -> the URL it was served at (relative links resolve against it)
PAGES = {
    "seed_article.html": f"{SITE}/html/djgz/20201112/5680.html",
    "gbk_table_article.html": f"{SITE}/shiping/snsp/2020/1112/302.html",
    "modern_article.html": f"{SITE}/shiping/snsp/2021/0305/90.html",
    "last_article.html": f"{SITE}/show.asp?id=5690",
}


def family_pages() -> dict[str, str]:
    """families/<family>.html -> its URL (recorded in the first line of the saved page)."""
    pages = {}
    for path in sorted(FAMILY_PAGES.glob("*.html")):
        first = path.read_bytes().split(b"\n", 1)[0].decode("ascii")
        pages[f"families/{path.name}"] = first.removeprefix("<!-- ").removesuffix(" -->")
    return pages


def all_pages() -> dict[str, str]:
    return PAGES | family_pages()


def parsed(name: str, url: str) -> dict[str, Any]:
    """parse_article's output as JSON values, without the fetch time."""
    record = asdict(parsing.parse_article(fixture_response(name, url), fetched_at=FETCHED_AT))
    record.pop("fetched_at")
    return {key: value for key, value in record.items() if key in RAW_FIELDS}


# The fields parse_article fills (the pipelines fill the rest).
RAW_FIELDS = (
    "url", "title", "section", "section_path", "body", "body_html", "images", "original_url",
    "prev_url", "prev_title", "next_url", "next_title", "date_raw", "meta_date_raw",
    "author_raw", "source_raw", "source_url", "editor_raw", "updated_raw", "byline_raw",
    "page_urls", "template", "parse_errors",
)  # fmt: skip


def golden_path(name: str) -> Path:
    return GOLDEN / (name.removesuffix(".html").replace("/", "__") + ".json")


def save_family_pages() -> None:
    """One article page of every CMS family template, from the replica, saved as served."""
    from xzcrawler.replica import Portal

    portal = Portal(articles=120, families=True)
    FAMILY_PAGES.mkdir(exist_ok=True)
    seen: set[str] = set()
    for truth in portal.articles:
        section = next(s for s in portal.sections if s.name == truth.section_path[-1])
        if section.family is None or section.family in seen:
            continue
        seen.add(section.family)
        url = f"http://127.0.0.1:8000{truth.path}"
        body = portal.render(truth.path).body
        (FAMILY_PAGES / f"{section.family}.html").write_bytes(f"<!-- {url} -->\n".encode() + body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", action="store_true", help="save the family pages again")
    args = parser.parse_args()
    if args.families:
        save_family_pages()
    for name, url in all_pages().items():
        text = json.dumps(parsed(name, url), ensure_ascii=False, indent=1, sort_keys=True)
        golden_path(name).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {golden_path(name).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
