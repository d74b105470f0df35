"""Names of the crawl stats our own accounting keeps, in one place.

The spiders and pipelines count under these keys; health.py and runs.py read them back to judge
a run and write its record, so a name spelled differently in two places would silently count
nothing.
"""

from __future__ import annotations

# Pages that could not be used, with URL, status and reason (a list of dicts), for run records.
PROBLEM_PAGES = "xz/problem_pages"
PROBLEM_PAGES_KEPT = 200

# Article pages (the first page of each article) read to an outcome; a page fetched again
# because it came back cut counts once, when its retries are over.
ARTICLE_PAGES = "xz/articles/pages"
# Articles handed on to the pipelines (stored ones are counted by health.FieldFill).
ARTICLES_YIELDED = "xz/articles/yielded"
# Article pages on which parsing.parse_article raised: nothing could be read.
UNPARSABLE_ARTICLES = "xz/articles/unparsable"
# Article pages still cut or garbled after their retries (not stored).
INCOMPLETE_ARTICLES = "xz/articles/incomplete"
# Articles split over several pages; their further pages fetched; and split articles not
# stored because one of their further pages failed.
SPLIT_ARTICLES = "xz/articles/split"
CONTINUATION_PAGES = "xz/articles/continuation_pages"
SPLIT_UNFINISHED = "xz/articles/split_unfinished"

# Per field whose extractor raised: "xz/parse/errors/<field>" counts pages; PARSE_ERROR_EXAMPLES
# maps field -> {"url": first page, "error": "ExcType: message"}.
PARSE_ERRORS_PREFIX = "xz/parse/errors/"
PARSE_ERROR_EXAMPLES = "xz/parse/error_examples"

# Stored items and their filled fields, overall ("xz/fill/<field>") and per template signature
# (FILL_BY_TEMPLATE: {template: {"items": n, field: n}}, at most TEMPLATES_KEPT templates).
FILL_ITEMS = "xz/fill/items"
FILL_PREFIX = "xz/fill/"
FILL_BY_TEMPLATE = "xz/fill/by_template"
TEMPLATES_KEPT = 100
OTHER_TEMPLATES = "(other templates)"

# Scrapy's own count of items a pipeline dropped (DropItem).
ITEMS_DROPPED = "item_dropped_count"

# Links that are no web page (a:b, javascript:, mailto:), recorded and skipped, never requested.
INVALID_LINKS = "xz/links/invalid"

# Chain walks stopped at CHAIN_MAX_DEPTH articles beyond the last listed or stored article
# (continued by the next run), the depth in force, and the first articles they stopped at.
CHAINS_CAPPED = "xz/chains/capped"
CHAIN_MAX_DEPTH = "xz/chains/max_depth"
CHAINS_CAPPED_AT = "xz/chains/capped_at"
CHAINS_CAPPED_KEPT = 20

# Storage: articles handed to the storage pipeline, and where those not in the database went:
# spooled (the database took no write; the next run writes them first), quarantined (refused
# even alone: kept in quarantined_articles, URL in PROBLEM_PAGES) and lost (not even the spool
# could be written: the run fails). received + replayed (the rows read back from earlier
# runs' spools) + the spool lines that could not be read back (quarantined) = stored +
# spooled + quarantined + lost.
STORAGE_RECEIVED = "xz/storage/received"
STORAGE_SPOOLED = "xz/storage/spooled"
STORAGE_QUARANTINED = "xz/storage/quarantined"
STORAGE_LOST = "xz/storage/lost"
# Articles that waited for the writer to catch up (STORAGE_BACKLOG): the database, or the
# writer on idle CPU, set the crawl's pace for a while.
STORAGE_WAITED = "xz/storage/waited_for_writer"

# Downloads cancelled for their size (DOWNLOAD_MAXSIZE, a gzip bomb) or refused for a reason other
# than policy (too many redirects): failed requests Scrapy does not retry, in the error rate.
CANCELLED_DOWNLOADS = "xz/requests/cancelled"
