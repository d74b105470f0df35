"""One URL per article: links that differ only in a fragment, tracking parameters or in how they
are escaped are one page.

Share buttons and WeChat forwards append utm_*/spm/from; keeping them would store an article
once per way it was reached, and leave chains dangling at URLs no stored article has. A link
written with raw Chinese, spaces or a backslash (/a/文章 2.html) is the page Scrapy fetches as
/a/%E6%96%87%E7%AB%A0%202.html: w3lib's safe_url_string (what scrapy.Request applies) gives the
one form everywhere, so the article, its neighbours' links and the frontier agree.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import safe_url_string

TRACKING_PREFIXES = ("utm_",)
TRACKING_NAMES = frozenset(
    {"spm", "from", "isappinstalled", "share_token", "scene", "clicktime", "fbclid", "gclid"}
)

# URLs whose canonical form is kept (~250 bytes each): a crawl's recent pages and their links.
CANONICAL_CACHE = 16_384


def is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_NAMES or lowered.startswith(TRACKING_PREFIXES)


@lru_cache(maxsize=CANONICAL_CACHE)
def canonical(url: str) -> str:
    """The URL without its fragment and tracking query parameters; other parameters keep
    their order (show.asp?id=1 stays as the portal wrote it). Cached: a crawl meets each link
    several times (on its list page, as a neighbour's 上一篇/下一篇, on its own page)."""
    parts = urlsplit(safe_url_string(url.strip()))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if not is_tracking(name)]
    query = parts.query if len(kept) == len(pairs) else urlencode(kept)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def is_page_url(url: str) -> bool:
    """An http(s) URL with a host: what a link to a page of the portal can be."""
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


# IgnoreRequest messages of Scrapy's policies (robots.txt, allowed_domains): a link refused by
# policy leads to no article, while every other IgnoreRequest (a decompressed page past
# DOWNLOAD_MAXSIZE, too many redirects) is a page that failed.
POLICY_MESSAGES = ("Forbidden by robots.txt", "Filtered offsite request")


def is_policy(error: BaseException) -> bool:
    return str(error).startswith(POLICY_MESSAGES)
