"""Whether a migration run prunes rows gone from the source: migration_run.prune_deleted.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

The option belongs to the run: a run resumed after a crash settles its remaining
tables as it settled the first ones, whatever the resuming command says.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["downgrade", "upgrade"]

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _schema() -> str | None:
    """ALTER TABLE is not schema-translated like CREATE TABLE: name the schema only where it exists."""
    return None if op.get_bind().dialect.name == "sqlite" else "migration"


def upgrade() -> None:
    op.add_column(
        "migration_run",
        sa.Column("prune_deleted", sa.Boolean(), nullable=False, server_default=sa.false()),
        schema=_schema(),
    )


def downgrade() -> None:
    op.drop_column("migration_run", "prune_deleted", schema=_schema())
