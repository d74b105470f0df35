"""Chinese full-text search over article titles and bodies, on SQLite (FTS5) and PostgreSQL.

Chinese has no spaces between words, and the stock tokenizers either keep a whole run of Han
characters as one token (FTS5 unicode61, PostgreSQL's parser) or need three characters (FTS5
trigram), so two-character words such as 巡视 or 扶贫 would never match. The text is therefore
tokenised here, in Python, the same way for both backends: every Han (or kana, hangul) run
becomes overlapping bigrams, one per character position, the last character of the run as a
unigram (巡视工作 -> 巡视 视工 工作 作); other text becomes lower-cased words of letters and
digits. A query word becomes the same tokens as a phrase, so 巡视 finds the bigram 巡视, a longer
word or phrase finds its bigrams at consecutive positions, and one character finds every token
that starts with it (a prefix query).

SQLite: an FTS5 table `articles_fts` (rowid = articles.id) holds the token text; ranked by
bm25 with the title weighted above the body. PostgreSQL: `article_search` holds a tsvector built
from the same tokens (title weight A), with a GIN index, ranked by ts_rank. Both keep the
content hash they were built from, so a batch only re-indexes the articles that changed.
User text never reaches SQL except as a bound parameter, and is quoted so FTS operators
(AND, OR, NEAR, *, quotes) are plain characters.

Search text is plain text, and every character in it counts. The index keeps letters and digits
only, so a word with any other character (a quote, %, 。) must also occur as written, as a
case-insensitive substring of the title or body: `"` finds a quote, `"乡镇` finds 乡镇 right after
a quote, `乡镇` finds 乡镇 anywhere. A search is cut to MAX_WORDS distinct words of at most
MAX_WORD_CHARS characters each (`parse_search`), so its cost is bounded whatever is typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    Engine,
    Executable,
    Select,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

FTS_TABLE = "articles_fts"
PG_TABLE = "article_search"
# Title matches outrank body matches (bm25 column weights; PostgreSQL uses tsvector weights).
TITLE_WEIGHT, BODY_WEIGHT = 10.0, 1.0
# PostgreSQL tsvector positions stop at 16383; body positions start after the title's.
_PG_MAX_POSITION = 16383
_PG_BODY_OFFSET = 256
_CHUNK = 500
# The bounds of one search: the words after the first MAX_WORDS distinct ones are dropped, and
# a longer word is cut to its first MAX_WORD_CHARS characters (a phrase of up to 63 bigrams).
MAX_WORDS = 16
MAX_WORD_CHARS = 64

_CJK = (
    "\u3040-\u30ff"  # kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
    "\uac00-\ud7af"  # hangul
    "\U00020000-\U0003134f"  # Han extensions B-G
)
# A token character is a letter or digit (what FTS5's unicode61 keeps); CJK runs are split apart
# from Latin runs so "G20峰会" gives g20 + 峰会 on both sides.
_SEGMENT = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")
# The index tokens in one findall, no Python per token (index_tokens runs over every stored
# body): at each CJK character the lookahead captures it with the next one if that is CJK too
# (the run's last character alone), at a word the whole word.
_TOKEN = re.compile(rf"(?=([{_CJK}][{_CJK}]?|[^\W_{_CJK}]+))(?:[{_CJK}]|[^\W_{_CJK}]+)")
# Full-width punctuation has a compatibility decomposition, so one ， sends
# unicodedata.normalize down its slow path over the whole text (~0.15 ms a body). Replaced by
# its NFKC form first, the text mostly passes normalize's quick check instead; NFKC depends only
# on a text's full decomposition, so the result is the same.
_FULL_WIDTH = tuple((c, unicodedata.normalize("NFKC", c)) for c in "，（）：；！？")


@dataclass(frozen=True)
class WordQuery:
    """One user word as index tokens; `prefix` when its last token is a lone CJK character."""

    tokens: tuple[str, ...]
    prefix: bool


def normalise(value: str) -> str:
    """Full-width letters and digits (ＡＢＣ１２３) and compatibility forms folded to their plain
    form (NFKC), lower-cased: the text the tokens are made of."""
    for full_width, plain in _FULL_WIDTH:
        value = value.replace(full_width, plain)
    return unicodedata.normalize("NFKC", value).lower()


def _segments(value: str) -> Iterator[tuple[str, bool]]:
    for match in _SEGMENT.finditer(normalise(value)):
        cjk, other = match.groups()
        yield (cjk, True) if cjk else (other, False)


def index_tokens(value: str | None) -> list[str]:
    """The tokens stored for a text: CJK bigrams per position (run end as a unigram), words."""
    return _TOKEN.findall(normalise(value)) if value else []


def word_query(word: str) -> WordQuery | None:
    """One whitespace-free user word as a phrase of index tokens; None if it has no token."""
    segments = list(_segments(word))
    tokens: list[str] = []
    prefix = False
    for position, (segment, cjk) in enumerate(segments):
        last = position == len(segments) - 1
        if not cjk:
            tokens.append(segment)
        elif len(segment) == 1:
            # At the word's end the text may go on (巡 inside 巡视): match tokens starting with it.
            tokens.append(segment)
            prefix = last
        else:
            tokens.extend(segment[i : i + 2] for i in range(len(segment) - 1))
            if not last:
                # Text follows in the word, so the run ends here as it does in the index.
                tokens.append(segment[-1])
    return WordQuery(tuple(tokens), prefix) if tokens else None


def search_words(search: str) -> list[str]:
    """The user's words: split on white space (ASCII and the ideographic space alike)."""
    return search.split()


@dataclass(frozen=True)
class Search:
    """The words of a search, distinct and within the bounds; `note` says what was cut."""

    words: tuple[str, ...]
    note: str | None = None


def parse_search(search: str | None) -> Search:
    """The distinct words of `search` in their order, cut to MAX_WORDS words of MAX_WORD_CHARS.

    All words are required, so a repeated word adds nothing and is dropped silently; a cut
    changes what is searched for, and `note` says so in one line.
    """
    given = search_words(search or "")
    long_words = sum(len(word) > MAX_WORD_CHARS for word in given)
    distinct = list(dict.fromkeys(word[:MAX_WORD_CHARS] for word in given))
    cuts = []
    if len(distinct) > MAX_WORDS:
        cuts.append(f"its first {MAX_WORDS} of {len(distinct)} distinct words kept")
    if long_words:
        cuts.append(
            f"{long_words} word{'s' if long_words > 1 else ''} over {MAX_WORD_CHARS} characters"
            f" cut to {MAX_WORD_CHARS}"
        )
    note = f"search trimmed: {'; '.join(cuts)}" if cuts else None
    return Search(tuple(distinct[:MAX_WORDS]), note)


def is_literal(word: str) -> bool:
    """Whether `word` holds characters the index does not keep (anything but letters and
    digits): such a word must also occur as written."""
    return bool(_SEGMENT.sub("", normalise(word)))


def fts5_query(words: Sequence[WordQuery]) -> str:
    """An FTS5 MATCH expression: each distinct word a quoted phrase, all of them required."""

    def phrase(word: WordQuery) -> str:
        quoted = '"' + " ".join(word.tokens).replace('"', '""') + '"'
        return quoted + ("*" if word.prefix else "")

    return " AND ".join(phrase(word) for word in dict.fromkeys(words))


def tsquery(words: Sequence[WordQuery]) -> str:
    """A PostgreSQL tsquery literal: each distinct word a <-> phrase, all of them required."""

    def lexeme(token: str, prefix: bool) -> str:
        return _quote_lexeme(token) + (":*" if prefix else "")

    def phrase(word: WordQuery) -> str:
        last = len(word.tokens) - 1
        parts = [lexeme(t, word.prefix and i == last) for i, t in enumerate(word.tokens)]
        return "(" + " <-> ".join(parts) + ")"

    return " & ".join(phrase(word) for word in dict.fromkeys(words))


def _quote_lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(title: str | None, body: str | None) -> str:
    """A tsvector literal of the title (weight A) and body tokens with their positions."""
    positions: dict[str, list[str]] = {}
    for offset, weight, value in ((1, "A", title), (_PG_BODY_OFFSET, "", body)):
        for index, token in enumerate(index_tokens(value)):
            position = min(offset + index, _PG_MAX_POSITION)
            positions.setdefault(token, []).append(f"{position}{weight}")
    return " ".join(f"{_quote_lexeme(t)}:{','.join(p[:256])}" for t, p in positions.items())


@dataclass(frozen=True)
class Match:
    """The articles a search matches: `ids` unranked (for filters and counts) and `ranked`,
    a materialised CTE of (id, rank) whose rank sorts best first in ascending order.

    SQLite's planner would otherwise drive a join from an articles index and run the FTS
    match once per row (730 ms instead of a few on 100,000 articles).
    """

    ids: Select[Any]
    ranked: CTE


def match(dialect: str, words: Sequence[WordQuery]) -> Match:
    """The search for words that have tokens (see `word_query`)."""
    rank: ColumnElement[Any]
    if dialect == "postgresql":
        index = table(PG_TABLE, column("article_id"), column("document", TSVECTOR))
        query = cast(bindparam("search_query", tsquery(words)), TSQUERY)
        condition = index.c.document.op("@@")(query)
        article_id = index.c.article_id
        rank = -func.ts_rank(index.c.document, query)
    else:
        index = table(FTS_TABLE, column("rowid"))
        fts: ColumnElement[Any] = literal_column(FTS_TABLE)
        condition = fts.op("MATCH")(bindparam("search_query", fts5_query(words)))
        article_id = index.c.rowid
        rank = func.bm25(fts, TITLE_WEIGHT, BODY_WEIGHT)
    ranked = select(article_id.label("id"), rank.label("rank")).where(condition)
    return Match(
        ids=select(article_id).where(condition),
        ranked=ranked.cte("search_hits").prefix_with("MATERIALIZED"),
    )


def _is_postgresql(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "postgresql"


def create_index(conn: Connection) -> None:
    """Create the search index and fill it from the stored articles (migration 0003)."""
    if _is_postgresql(conn):
        conn.execute(
            text(
                f"CREATE TABLE {PG_TABLE} ("
                " article_id integer PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,"
                " content_hash varchar(64) NOT NULL,"
                " document tsvector NOT NULL)"
            )
        )
        conn.execute(
            text(f"CREATE INDEX ix_{PG_TABLE}_document ON {PG_TABLE} USING gin (document)")
        )
    else:
        # content_hash is stored, not indexed: it tells a batch which rows to rebuild.
        conn.execute(
            text(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
                "title, body, content_hash UNINDEXED,"
                " tokenize = 'unicode61 remove_diacritics 0')"
            )
        )
    _index_all(conn)


def drop_index(conn: Connection) -> None:
    conn.execute(text(f"DROP TABLE IF EXISTS {PG_TABLE if _is_postgresql(conn) else FTS_TABLE}"))


def update_index(conn: Connection, urls: Iterable[str]) -> int:
    """Re-index the stored articles at these URLs whose content changed; returns how many.

    Runs inside the storage layer's write transaction, so the index never lags the articles.
    """
    urls = list(urls)
    stale: list[Any] = []
    if _is_postgresql(conn):
        indexed = f"(SELECT s.content_hash FROM {PG_TABLE} s WHERE s.article_id = a.id)"
        differs = "IS DISTINCT FROM"
    else:
        indexed = f"(SELECT f.content_hash FROM {FTS_TABLE} f WHERE f.rowid = a.id)"
        differs = "IS NOT"  # SQLite's null-safe comparison, older than its IS DISTINCT FROM
    # A missing index entry (NULL) counts as stale too.
    stmt = text(
        f"SELECT a.id, a.title, a.body, a.content_hash, {indexed} AS indexed FROM articles a"
        f" WHERE a.url IN :urls AND a.content_hash {differs} {indexed}"
    ).bindparams(bindparam("urls", expanding=True))
    for start in range(0, len(urls), _CHUNK):
        stale.extend(conn.execute(stmt, {"urls": urls[start : start + _CHUNK]}))
    _write_index(conn, stale, replaced=[row.id for row in stale if row.indexed is not None])
    return len(stale)


# The FTS5 table's columns as a Core table: an insert of it is executed many times without the
# per-row matching of a text() statement's bind parameters (~5% of the writer's Python).
_FTS_ROWS = table(
    FTS_TABLE, column("rowid"), column("title"), column("body"), column("content_hash")
)


def _write_index(conn: Connection, rows: Sequence[Any], replaced: Sequence[int] = ()) -> None:
    """Index `rows`, after removing the old entries of the article ids in `replaced`."""
    if not rows:
        return
    insert: Executable
    if _is_postgresql(conn):
        delete = text(f"DELETE FROM {PG_TABLE} WHERE article_id IN :ids")
        insert = text(
            f"INSERT INTO {PG_TABLE} (article_id, content_hash, document)"
            " VALUES (:id, :hash, CAST(:document AS tsvector))"
        )
        values = [
            {"id": r.id, "hash": r.content_hash, "document": tsvector(r.title, r.body)}
            for r in rows
        ]
    else:
        delete = text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN :ids")
        insert = _FTS_ROWS.insert()
        values = [
            {
                "rowid": r.id,
                "title": " ".join(index_tokens(r.title)),
                "body": " ".join(index_tokens(r.body)),
                "content_hash": r.content_hash,
            }
            for r in rows
        ]
    delete = delete.bindparams(bindparam("ids", expanding=True))
    for start in range(0, len(replaced), _CHUNK):
        conn.execute(delete, {"ids": replaced[start : start + _CHUNK]})
    conn.execute(insert, values)


def _index_all(conn: Connection) -> int:
    table = PG_TABLE if _is_postgresql(conn) else FTS_TABLE
    conn.execute(text(f"DELETE FROM {table}"))
    count, last_id = 0, 0
    stmt = text(
        "SELECT id, title, body, content_hash FROM articles WHERE id > :last ORDER BY id LIMIT :n"
    )
    while rows := list(conn.execute(stmt, {"last": last_id, "n": _CHUNK})):
        _write_index(conn, rows)
        count += len(rows)
        last_id = rows[-1].id
    return count


def reindex(engine: Engine) -> int:
    """Rebuild the whole index from the articles table (`db reindex`); returns articles indexed."""
    with engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
        count = _index_all(conn)
    if not _is_postgresql(engine):
        with engine.connect() as conn, conn.begin():
            conn.execute(text(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')"))
    return count
