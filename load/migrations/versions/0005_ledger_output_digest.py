"""What a batch wrote for each legacy row: migration.ledger.output_digest.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

A re-run skipped a row whose source hash and outcome were unchanged, so a row
whose output changed with something else (a pick list, a merge record, a rule)
kept its old values. The digest of what the row's batch wrote lets a re-run
see that. Rows written before this revision have none: the first re-run
rewrites them once (the database compares the values, so only real changes are
written).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["downgrade", "upgrade"]

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _schema() -> str | None:
    """ALTER TABLE is not schema-translated like CREATE TABLE: name the schema only where it exists."""
    return None if op.get_bind().dialect.name == "sqlite" else "migration"


def upgrade() -> None:
    op.add_column(
        "ledger", sa.Column("output_digest", sa.String(length=16), nullable=True), schema=_schema()
    )


def downgrade() -> None:
    op.drop_column("ledger", "output_digest", schema=_schema())
