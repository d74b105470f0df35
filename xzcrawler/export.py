"""The export record (docs/interface.md): one per stored article, as JSON lines or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from xzcrawler.models import SHANGHAI, Article

RECORD_FIELDS = (
    "url",
    "section",
    "title",
    "published_at",
    "author",
    "source",
    "original_url",
    "body",
    "prev_url",
    "next_url",
)
# Further keys, after the interface's own.
EXTRA_FIELDS = (
    "id",
    "section_path",
    "date_has_time",
    "editor",
    "source_raw",
    "author_raw",
    "updated_at",
)
FORMATS = ("jsonl", "csv")
# How a breadcrumb is written wherever it is shown as text (CSV, show, query, browse): as the
# sections table stores it (models.Section.path), so `--section "时评 > 三农时评"` matches it.
SECTION_SEPARATOR = " > "
# What Excel needs to read a CSV file as UTF-8 rather than the system's code page.
UTF8_BOM = "\ufeff"


def _shanghai(moment: datetime | None) -> str | None:
    return moment.astimezone(SHANGHAI).isoformat() if moment else None


def section_path_text(path: list[str] | None) -> str:
    """The breadcrumb below 首页 as one string: 时评 > 三农时评."""
    return SECTION_SEPARATOR.join(path or [])


def interface_record(article: Any) -> dict[str, Any]:
    """The interface keys (RECORD_FIELDS) of a stored article or of an item the pipelines
    filled: tests and benchmarks compare a parse with the record a crawl would export."""
    record = {name: getattr(article, name) for name in RECORD_FIELDS}
    record["published_at"] = _shanghai(article.published_at)
    return record


def export_record(article: Article) -> dict[str, Any]:
    return {
        **interface_record(article),
        "id": article.id,
        "section_path": article.section_path,
        "date_has_time": article.date_has_time,
        "editor": article.editor,
        "source_raw": article.source_raw,
        "author_raw": article.author_raw,
        "updated_at": _shanghai(article.updated_at),
    }


def export_records(
    engine: Engine, batch: int = 1000, *, changed_since: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Every stored article (or those new or changed at `changed_since` or later), oldest id
    first, streamed rather than loaded at once."""

    with Session(engine) as session:
        stmt = select(Article).order_by(Article.id).execution_options(yield_per=batch)
        if changed_since is not None:
            stmt = stmt.where(Article.changed_at >= changed_since)
        for article in session.scalars(stmt):
            yield export_record(article)


def write_records(
    records: Iterator[dict[str, Any]], out: TextIO, fmt: str, *, excel: bool = False
) -> int:
    """Write the records as JSON lines or CSV; `excel` starts a CSV with a UTF-8 byte order
    mark, without which Excel reads the Chinese text in the system's code page."""
    count = 0
    if fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
    if excel:
        out.write(UTF8_BOM)
    writer = csv.DictWriter(out, fieldnames=RECORD_FIELDS + EXTRA_FIELDS)
    writer.writeheader()
    for record in records:
        record["section_path"] = section_path_text(record["section_path"])
        writer.writerow(record)
        count += 1
    return count
