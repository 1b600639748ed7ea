"""The extraction date of a migration run: migration.migration_run.as_of.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

Date rules (a birth date in the future) depend on the day the source was
read; reconciliation must apply the same day, so the run records it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["downgrade", "upgrade"]

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _schema() -> str | None:
    """ALTER TABLE is not schema-translated like CREATE TABLE: name the schema only where it exists."""
    return None if op.get_bind().dialect.name == "sqlite" else "migration"


def upgrade() -> None:
    op.add_column("migration_run", sa.Column("as_of", sa.Date(), nullable=True), schema=_schema())


def downgrade() -> None:
    op.drop_column("migration_run", "as_of", schema=_schema())
