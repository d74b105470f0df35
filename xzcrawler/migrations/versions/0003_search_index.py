"""search index: FTS5 on SQLite, a bigram tsvector with GIN on PostgreSQL

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29

The tables are written out here as they were at this revision, not taken from xzcrawler.search:
a later change there (another tokenizer, another column) must come as a migration of its own
and cannot rewrite what upgrading through 0003 creates. The rows are written by
search.update_index, whose tokens are those of the search code that will query them.
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

from xzcrawler import search

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE article_search ("
            " article_id integer PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,"
            " content_hash varchar(64) NOT NULL,"
            " document tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_article_search_document ON article_search USING gin (document)")
    else:
        # content_hash is stored, not indexed: it tells a batch which rows to rebuild.
        op.execute(
            "CREATE VIRTUAL TABLE articles_fts USING fts5("
            "title, body, content_hash UNINDEXED,"
            " tokenize = 'unicode61 remove_diacritics 0')"
        )
    search.update_index(bind, bind.execute(text("SELECT url FROM articles")).scalars())


def downgrade() -> None:
    table = "article_search" if op.get_bind().dialect.name == "postgresql" else "articles_fts"
    op.execute(f"DROP TABLE IF EXISTS {table}")
