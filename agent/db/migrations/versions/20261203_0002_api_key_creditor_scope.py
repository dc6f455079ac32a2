"""API keys limited to creditors (issue 17: per-creditor scope): ``api_keys.creditors``, JSON, NULL = all.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from agent.db.migrations import helpers

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # idempotent: a database made by create_all on the scope branch already has the column
    helpers.add_column("api_keys", sa.Column("creditors", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("creditors")
