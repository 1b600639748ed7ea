"""The run record of reconciliations: migration.reconciliation_run.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

One row per ``reconcile`` run: the migration run it checked, when, its
outcome, the report folder and the SHA-256 of the report's manifest (the
anchor ``verify-report`` checks against), and whether personal data was
revealed in the report and who asked for it. Frozen, like 0001: it does not
import the models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["downgrade", "upgrade"]

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reconciliation_run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("migration_run_id", sa.String(length=36), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("pii_revealed", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=True),
        sa.Column("report_dir", sa.Text(), nullable=True),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        schema="migration",
    )


def downgrade() -> None:
    op.drop_table("reconciliation_run", schema="migration")
