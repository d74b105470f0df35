"""Published dates and datelines: every form the portal's templates write, read exactly and fast.

The work is split as htmldate splits it: date_patterns (the text forms), date_validate (parts
into one aware value at +08:00, or refused), date_parse (the fast path, then dateparser),
date_choose (which date is the article's) and datelines (the body's opening 新华社北京…电).
This module is the pipeline that applies them, and the names docs/interface.md gives.
"""

from __future__ import annotations

import logging
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
from pipelines.normalise import DATES, normalise_dates
from pipelines.stats import StatsPipeline
from xzcrawler.items import SHANGHAI

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
    """Fills published_at, updated_at and the dateline fields (pipelines/normalise.py); counts
    origins, unreadable and future dates.

    Runs before sources and storage: nothing it reads depends on them.
    """

    prefix = DATES

    def process_item(self, item: Any) -> Any:
        notes = self.notes_of(item)
        adapter = ItemAdapter(item)
        self.record(normalise_dates(adapter) if notes is None else notes)
        if adapter.get("published_at") is None and (flag := adapter.get("date_flag")):
            logger.warning(
                "%s date on %s: meta line %r, meta tag %r",
                flag,
                adapter.get("url"),
                adapter.get("date_raw"),
                adapter.get("meta_date_raw"),
            )
        return item
