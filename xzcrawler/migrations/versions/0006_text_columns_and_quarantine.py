"""text columns for what pages say; quarantined_articles; articles.capped_fields

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

PostgreSQL enforces varchar lengths: one 来源 of 400 characters rejected its whole batch. Every
column that holds text read from a page becomes `text` (ALTER COLUMN TYPE on PostgreSQL, which
keeps the values; a batch copy of the table on SQLite, which keeps the rows and their ids).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> {column: its varchar length before 0006}
WIDENED: dict[str, dict[str, int]] = {
    "sections": {"name": 200, "path": 500},
    "publishers": {"name": 300},
    "publisher_aliases": {"alias": 500},
    "articles": {
        "url": 2000,
        "section": 200,
        "original_url": 2000,
        "prev_url": 2000,
        "next_url": 2000,
        "date_origin": 20,
        "date_flag": 20,
        "date_raw": 500,
        "meta_date_raw": 200,
        "dateline_agency": 200,
        "dateline_place": 100,
        "author": 500,
        "author_raw": 500,
        "editor": 200,
        "editor_raw": 500,
        "source": 300,
        "source_raw": 500,
        "source_url": 2000,
    },
    "article_authors": {"name": 200, "role": 20},
    "unfetchable_links": {"url": 2000, "reason": 200},
    "crawl_runs": {"portal_url": 2000},
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # What `browse` adds on articles (two views, an index on an expression) would break the
        # table's copy and rename; browse makes them again when it starts.
        op.execute("DROP VIEW IF EXISTS article_list")
        op.execute("DROP VIEW IF EXISTS article_search")
        op.execute("DROP INDEX IF EXISTS ix_articles_month_shanghai")
    # On SQLite the batch copy drops and renames tables: the storage layer runs `db upgrade`
    # with foreign keys off, so dropping articles cascades to no author or revision row.
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            for name, length in columns.items():
                batch.alter_column(name, existing_type=sa.String(length), type_=sa.Text())
            if table == "articles":
                batch.add_column(sa.Column("capped_fields", sa.JSON(), nullable=True))
    op.create_table(
        "quarantined_articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("row", sa.JSON(), nullable=False),
        sa.Column("quarantined_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_quarantined_articles_quarantined_at", "quarantined_articles", ["quarantined_at"]
    )


def downgrade() -> None:
    # Values longer than the old lengths cannot go back: PostgreSQL refuses the downgrade then.
    op.drop_index("ix_quarantined_articles_quarantined_at", table_name="quarantined_articles")
    op.drop_table("quarantined_articles")
    for table, columns in WIDENED.items():
        with op.batch_alter_table(table) as batch:
            if table == "articles":
                batch.drop_column("capped_fields")
            for name, length in columns.items():
                batch.alter_column(name, existing_type=sa.Text(), type_=sa.String(length))
