"""Published dates and datelines: every form the portal's templates write, read exactly and fast.

The work is split as htmldate splits it: date_patterns (the text forms), date_validate (parts
into one aware value at +08:00, or refused), date_parse (the fast path, then dateparser),
date_choose (which date is the article's) and datelines (the body's opening 新华社北京…电).
This module is the pipeline that applies them, and the names docs/interface.md gives.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter

from pipelines.date_choose import PublishedDate, published_date, updated_time, url_date
from pipelines.date_parse import (
    normalize_date,
    parse_date,
    parse_date_dateparser,
    parse_date_fast,
    read_date,
)
from pipelines.date_validate import (
    CHINA_TIME,
    FUTURE_TOLERANCE,
    YEAR_MAX,
    YEAR_MIN,
    OutOfRange,
    ParsedDate,
    china_time,
)
from pipelines.datelines import Dateline, parse_dateline
from pipelines.stats import StatsPipeline
from xzcrawler.items import DateOrigin
from xzcrawler.models import SHANGHAI

__all__ = [
    "CHINA_TIME",
    "FUTURE_TOLERANCE",
    "SHANGHAI",
    "YEAR_MAX",
    "YEAR_MIN",
    "Dateline",
    "DatesPipeline",
    "OutOfRange",
    "ParsedDate",
    "PublishedDate",
    "china_time",
    "normalize_date",
    "parse_date",
    "parse_date_dateparser",
    "parse_date_fast",
    "parse_dateline",
    "published_date",
    "read_date",
    "updated_time",
    "url_date",
]

logger = logging.getLogger(__name__)


class DatesPipeline(StatsPipeline):
    """Fills published_at, updated_at and the dateline fields; counts origins, unreadable and
    future dates.

    Runs before sources and storage: nothing it reads depends on them.
    """

    prefix = "xz/dates"

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        fetched_at = adapter.get("fetched_at")
        now = fetched_at if isinstance(fetched_at, datetime) else None
        date_raw, meta_date_raw = adapter.get("date_raw"), adapter.get("meta_date_raw")
        url = adapter.get("url")
        published = published_date(date_raw, meta_date_raw, url, now=now)
        adapter["published_at"] = published.value
        adapter["date_has_time"] = published.has_time
        adapter["date_origin"] = published.origin
        adapter["date_flag"] = published.flag
        self._count_published(published, url, date_raw, meta_date_raw)
        updated_raw = adapter.get("updated_raw")
        adapter["updated_at"] = updated_time(updated_raw, now=now)
        if adapter["updated_at"] is not None:
            self.count("updated")
        elif isinstance(updated_raw, str) and updated_raw.strip():
            self.count("updated_unreadable")

        dateline = parse_dateline(
            adapter.get("body"), published.value.date() if published.value else None
        )
        adapter["dateline_agency"] = dateline.agency if dateline else None
        adapter["dateline_place"] = dateline.place if dateline else None
        adapter["dateline_date"] = dateline.date if dateline else None
        adapter["reporters"] = list(dateline.reporters) if dateline else []
        if dateline is not None:
            self.count("dateline")
        return item

    def _count_published(
        self, published: PublishedDate, url: Any, date_raw: Any, meta_date_raw: Any
    ) -> None:
        """Where dates came from; a missing one; a refused one with its raw text and a warning."""
        if published.value is not None:
            self.count(f"origin/{published.origin}")
            if not published.has_time:
                self.count("date_only")
            return
        if published.flag is None:
            self.count("missing")
            return
        # The text of the place the flag is about; else the first raw text that held no date.
        flagged: dict[DateOrigin | None, Any] = {
            DateOrigin.META_LINE: date_raw,
            DateOrigin.META_TAG: meta_date_raw,
            DateOrigin.URL: url,
        }
        raw = flagged.get(published.origin) or next(
            r for r in (date_raw, meta_date_raw) if isinstance(r, str) and r.strip()
        )
        self.count(str(published.flag), raw)
        logger.warning(
            "%s date on %s: meta line %r, meta tag %r", published.flag, url, date_raw, meta_date_raw
        )
