"""search index: FTS5 on SQLite, a bigram tsvector with GIN on PostgreSQL

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

from alembic import op

from xzcrawler import search

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    search.create_index(op.get_bind())


def downgrade() -> None:
    search.drop_index(op.get_bind())
