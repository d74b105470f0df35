"""What the dates and sources pipelines do to an article, as functions of its fields.

The pipelines (pipelines/dates.py, pipelines/sources.py) apply these and count what they
return. A page reader (xzcrawler/reading.py) applies them too, in its own process, right after
parsing: the article then reaches ITEM_PIPELINES normalised, with its counts in `notes`, and
the pipelines only record those, so the crawl's process, the busiest of a crawl, does not
normalise (docs/performance.md). Nothing here imports Scrapy, itemadapter or SQLAlchemy: a
reader does without them.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from pipelines.authors import NOT_AUTHOR_ROLES, Credit, Role, parse_authors, parse_editor
from pipelines.date_choose import PublishedDate, published_date, updated_time
from pipelines.datelines import parse_dateline
from pipelines.publishers import PUBLISHERS_FILE, Publishers, classify_source
from pipelines.source_cleaning import clean_source, source_link
from xzcrawler.items import Article, DateOrigin
from xzcrawler.settings import PORTAL_NAME

# (what to count under the pipeline's prefix, None for the prefix itself; the first example
# to keep, or None)
Note = tuple[str | None, object]
# The pipelines' stats prefixes, which key an article's notes.
DATES = "xz/dates"
SOURCES = "xz/sources"
# Source texts whose reading is kept: a portal prints a few dozen over thousands of articles.
SOURCE_CACHE = 4096

Fields = MutableMapping[str, Any]


def _text(value: Any) -> str | None:
    """A raw field as text; a spider bug (a list, a number) counts as absent, not a crash."""
    return value if isinstance(value, str) else None


def normalise_dates(fields: Fields) -> list[Note]:
    """published_at, updated_at and the dateline fields; what to count of where they came from."""
    fetched_at = fields.get("fetched_at")
    now = fetched_at if isinstance(fetched_at, datetime) else None
    date_raw, meta_date_raw = fields.get("date_raw"), fields.get("meta_date_raw")
    url = fields.get("url")
    published = published_date(date_raw, meta_date_raw, url, now=now)
    fields["published_at"] = published.value
    fields["date_has_time"] = published.has_time
    fields["date_origin"] = published.origin
    fields["date_flag"] = published.flag
    notes = _published_notes(published, url, date_raw, meta_date_raw)
    updated_raw = fields.get("updated_raw")
    fields["updated_at"] = updated_time(updated_raw, now=now)
    if fields["updated_at"] is not None:
        notes.append(("updated", None))
    elif isinstance(updated_raw, str) and updated_raw.strip():
        notes.append(("updated_unreadable", None))

    dateline = parse_dateline(
        fields.get("body"), published.value.date() if published.value else None
    )
    fields["dateline_agency"] = dateline.agency if dateline else None
    fields["dateline_place"] = dateline.place if dateline else None
    fields["dateline_date"] = dateline.date if dateline else None
    fields["reporters"] = list(dateline.reporters) if dateline else []
    if dateline is not None:
        notes.append(("dateline", None))
    return notes


def _published_notes(
    published: PublishedDate, url: Any, date_raw: Any, meta_date_raw: Any
) -> list[Note]:
    """Where the date came from; a missing one; a refused one with its raw text."""
    if published.value is not None:
        origin: list[Note] = [(f"origin/{published.origin}", None)]
        return origin if published.has_time else [*origin, ("date_only", None)]
    if published.flag is None:
        return [("missing", None)]
    # The text of the place the flag is about; else the first raw text that held no date.
    flagged: dict[DateOrigin | None, Any] = {
        DateOrigin.META_LINE: date_raw,
        DateOrigin.META_TAG: meta_date_raw,
        DateOrigin.URL: url,
    }
    raw = flagged.get(published.origin) or next(
        r for r in (date_raw, meta_date_raw) if isinstance(r, str) and r.strip()
    )
    return [(str(published.flag), raw)]


class SourceNormaliser:
    """source, authors, author and editor from the raw meta-line texts, for one alias table and
    portal name; what it could not place (unknown sources, anonymous bylines) as notes."""

    def __init__(self, publishers: Publishers, portal: str) -> None:
        self.publishers = publishers
        self.portal = portal
        self.classify = lru_cache(maxsize=SOURCE_CACHE)(self._classify)

    def _classify(self, raw: str | None) -> tuple[str | None, str]:
        return classify_source(raw, self.portal, self.publishers)

    def __call__(self, fields: Fields) -> list[Note]:
        return [*self._source(fields), *self._authors(fields)]

    def _source(self, fields: Fields) -> list[Note]:
        raw = _text(fields.get("source_raw"))
        source, how = self.classify(raw)
        fields["source"] = source
        if not fields.get("source_url") and (link := source_link(raw)):
            fields["source_url"] = urljoin(_text(fields.get("url")) or "", link)
        return [(how, raw if how == "unknown" else None)]

    def _authors(self, fields: Fields) -> list[Note]:
        """The meta line's named author; where it names nobody, the credit of a byline or
        dateline in the body; photographers and editors never (docs/interface.md)."""
        notes: list[Note] = []
        raw = _text(fields.get("author_raw"))
        credits, editor = parse_authors(raw)
        if not credits:
            credits = [
                credit
                for credit in parse_authors(_text(fields.get("byline_raw")))[0]
                if credit.role not in NOT_AUTHOR_ROLES
            ] or [Credit(name, Role.REPORTER) for name in fields.get("reporters") or []]
            if credits:
                notes.append(("authors_from_body", None))
        names = [credit.name for credit in credits]
        fields["authors"] = names
        fields["author_roles"] = [credit.role and str(credit.role) for credit in credits]
        fields["author"] = "、".join(names) or None
        fields["editor"] = parse_editor(_text(fields.get("editor_raw"))) or editor
        if names:
            notes.append(("authors_named", None))
        elif raw and raw.strip():
            notes.append(("authors_anonymous", raw))
        else:
            notes.append(("authors_missing", None))
        if fields["editor"]:
            notes.append(("editor", None))
        return notes


def source_normaliser(aliases_file: str | None, portal_name: str | None) -> SourceNormaliser:
    """The shipped alias table, extended by SOURCE_ALIASES_FILE; the portal as PORTAL_NAME
    names it."""
    publishers = Publishers.load(PUBLISHERS_FILE)
    if aliases_file:
        publishers.extend(aliases_file)
    return SourceNormaliser(publishers, clean_source(portal_name) or PORTAL_NAME)


def normalise_article(article: Article, sources: SourceNormaliser) -> None:
    """Dates, then sources and authors (the pipelines' order), with the notes for them to
    record. An article without title or body is left alone: the first pipeline drops it."""
    if not (article.title and article.body):
        return
    fields = vars(article)
    article.notes = {DATES: normalise_dates(fields), SOURCES: sources(fields)}
