"""One URL per article: links that differ only in a fragment or tracking parameters are one page.

Share buttons and WeChat forwards append utm_*/spm/from; keeping them would store an article
once per way it was reached, and leave chains dangling at URLs no stored article has.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_",)
TRACKING_NAMES = frozenset(
    {"spm", "from", "isappinstalled", "share_token", "scene", "clicktime", "fbclid", "gclid"}
)


def is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_NAMES or lowered.startswith(TRACKING_PREFIXES)


def canonical(url: str) -> str:
    """The URL without its fragment and tracking query parameters; other parameters keep
    their order (show.asp?id=1 stays as the portal wrote it)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if not is_tracking(name)]
    query = parts.query if len(kept) == len(pairs) else urlencode(kept)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
