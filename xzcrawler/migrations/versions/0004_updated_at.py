"""articles.updated_at: the update time a page prints beside its publication time

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN on both backends: nullable, so no batch copy of the table on SQLite
    # and no rewrite of existing rows on either.
    op.add_column("articles", sa.Column("updated_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place; the column is in no index, view or trigger.
    op.drop_column("articles", "updated_at")
