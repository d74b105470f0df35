"""crawl_runs.extraction: article pages fetched vs stored, parse errors, fill per template

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: runs recorded before it have no summary; a plain ADD COLUMN on both backends.
    op.add_column("crawl_runs", sa.Column("extraction", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("crawl_runs", "extraction")
