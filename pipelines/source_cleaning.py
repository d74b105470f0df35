"""A meta line's source text as the page names it: no label, markup, brackets or glued fields.

Templates write one source many ways (labels, colons, brackets, link markup, glued 作者 or 编辑
parts). Every cleaner is total (never raises) and idempotent: cleaning its own output changes
nothing, so values can be cleaned again after a rule change.
"""

from __future__ import annotations

import html
import re
import unicodedata

from xzcrawler.parsing import vocabulary

# Cleaning can expose new markup (an entity split by a tag: '&am<b></b>p;'); each cleaner is
# applied until its output stops changing, which is what makes normalising twice a no-op.
_MAX_PASSES = 8


# --- plain text --------------------------------------------------------------------------

_TAG = re.compile(r"<[^<>]*>")
_HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]【】（）]+", re.I)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff\x00-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_DOTS = re.compile(r"[•・‧∙⋅]")


def plain_text(text: str) -> str:
    """Visible text: NFKC (full-width letters, digits, colons, spaces), entities, no tags."""
    for _ in range(_MAX_PASSES):
        before = text
        text = unicodedata.normalize("NFKC", html.unescape(text))
        text = _TAG.sub(" ", text)
        text = _INVISIBLE.sub(" ", text)
        text = _DOTS.sub("·", text)
        if text == before:
            break
    return text


def _tidy_spaces(text: str) -> str:
    """One space between two ASCII letters or digits (China Daily), none anywhere else."""
    parts = _SPACES.split(text.strip())
    out = parts[0]
    for part in parts[1:]:
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii():
            out += " " if part[0].isalnum() else ""
        out += part
    return out


# --- sources -----------------------------------------------------------------------------

# The parser's source labels (xzcrawler.parsing.vocabulary) plus spellings seen only inside
# values (资料来源 in a credits line, 原载于 in a note).
_SOURCE_LABELS = "|".join(
    sorted(
        {
            *vocabulary.SOURCE_LABELS,
            *vocabulary.SOURCE_BARE_LABELS,
            "资料来源",
            "图片来源",
            "转载来源",
            "转载于",
            "选自",
        }
        | {"原载于", "原载", "刊于"},
        key=len,
        reverse=True,
    )
)
# A label anywhere with its colon starts the source ('2020-11-12 作者:佚名 来源:七一网').
_SOURCE_LABEL_ANYWHERE = re.compile(rf"(?:{_SOURCE_LABELS})\s*:")
# At the start the colon may be missing ('转自人民网').
_SOURCE_LABEL_START = re.compile(rf"^(?:{_SOURCE_LABELS})\s*:?")
_META_LABELS = "|".join(
    sorted(
        {
            *vocabulary.DATE_LABELS,
            *vocabulary.UPDATED_LABELS,
            *vocabulary.AUTHOR_LABELS,
            *vocabulary.EDITOR_LABELS,
            *vocabulary.NOISE_LABELS,
        }
        | {"通讯员", "图", "摄影"},
        key=len,
        reverse=True,
    )
)
# Where a template glues the next meta-line field on: everything from here on is not the source.
_SOURCE_TAIL = re.compile(
    rf"(?:{_META_LABELS})\s*:"
    r"|\s(?:责任编辑|编辑|责编|作者|记者|通讯员)\s"
    r"|[(\[]\s*(?:责任编辑|编辑|责编|作者|记者|通讯员|文|图)"
    r"|\[?字体"
    r"|\d{4}\s*[-/.年]\s*\d{1,2}"
)
_BRACKETS = str.maketrans({"【": "[", "】": "]", "〔": "[", "〕": "]", "〖": "[", "〗": "]"})
_PAIRS = {"(": ")", "[": "]", "《": "》", "「": "」", "『": "』", "<": ">", "“": "”", '"': '"'}
_EDGE_PUNCT = " .,;:!?、。;|/\\-—–_~·…*#'\"‘’“”"
DOMAIN = re.compile(
    r"^(?:https?://)?(?:www\.)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?:[:/?#]\S*)?$",
    re.I,
)


def _unwrap(text: str) -> str:
    """Strip brackets around the whole text and lone brackets at its ends; keep inner ones."""
    while text:
        first, last = text[0], text[-1]
        closer = _PAIRS.get(first)
        if closer and last == closer and _balanced(text[1:-1]):
            text = text[1:-1].strip(_EDGE_PUNCT)
        elif closer and closer not in text[1:]:
            text = text[1:].strip(_EDGE_PUNCT)
        elif last in _PAIRS.values() and not any(
            o in text[:-1] for o, c in _PAIRS.items() if c == last
        ):
            text = text[:-1].strip(_EDGE_PUNCT)
        else:
            break
    return text


def _balanced(text: str) -> bool:
    """Whether the brackets inside close in order: only then may the outer pair go."""
    depth = 0
    for char in text:
        if char in "([《「『":
            depth += 1
        elif char in ")]》」』":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _split_source(raw: str) -> tuple[str, str | None]:
    """The source text without markup, and the URL its link (or the text itself) gives."""
    url = None
    if match := _HREF.search(raw):
        url = next(group for group in match.groups() if group is not None).strip() or None
    text = plain_text(raw)
    if url is None and (found := _URL.search(text)) and found.group(0).lower().startswith("http"):
        url = found.group(0).rstrip(_EDGE_PUNCT)
    if url is not None:
        url = plain_text(url).strip() or None
    return text, url


def _clean_once(text: str) -> str:
    """One pass: markup, edge punctuation, wrapping brackets, the label, glued fields."""
    text = plain_text(text).translate(_BRACKETS).strip(_EDGE_PUNCT)
    text = _unwrap(text)
    if match := _SOURCE_LABEL_ANYWHERE.search(text):
        text = text[match.end() :]
    text = _SOURCE_LABEL_START.sub("", text.strip(_EDGE_PUNCT + "[("))
    if match := _SOURCE_TAIL.search(text):
        text = text[: match.start()]
    text = _unwrap(text.strip(_EDGE_PUNCT))
    if domain := DOMAIN.match(text):
        return domain.group(1).lower()
    if _URL.search(text) and _URL.sub("", text).strip(_EDGE_PUNCT + "()[]"):
        text = _URL.sub("", text)
    return _unwrap(_tidy_spaces(text).strip(_EDGE_PUNCT))


def clean_source(raw: str | None) -> str | None:
    """The source text as the page names it, without label, markup, brackets and glued fields
    (a link without text: its host). No alias folding: the alias table is looked up with this.
    """
    if not raw:
        return None
    text, url = _split_source(raw)
    return _clean(text) or _clean(url or "") or None


def _clean(text: str) -> str:
    """_clean_once until nothing changes, so that cleaning is idempotent."""
    for _ in range(_MAX_PASSES):
        cleaned = _clean_once(text)
        if cleaned == text:
            break
        text = cleaned
    return text


def source_link(raw: str | None) -> str | None:
    """The URL the source names: its link's href, or a URL written in the text."""
    if not raw:
        return None
    return _split_source(raw)[1]
