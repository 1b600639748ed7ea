"""The data stewards' decisions: migration.quarantine_review and migration.match_review.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

One row per change a steward makes: a quarantine record's status
(``icm-migrate quarantine-review``), or a probable duplicate pair's decision
(``icm-migrate match-decide``), with the value before and after, who, when and
why. Append-only, so the decisions stay for the auditors after a re-run opens a
changed record again. Frozen, like the revisions before it: it does not import
the models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["downgrade", "upgrade"]

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "quarantine_review",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("legacy_table", sa.String(length=30), nullable=False),
        sa.Column(
            "legacy_row_id",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("previous_status", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        schema="migration",
    )
    op.create_index(
        "ix_quarantine_review_row",
        "quarantine_review",
        ["legacy_table", "legacy_row_id"],
        schema="migration",
    )
    op.create_table(
        "match_review",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_a_row_id", sa.String(length=15), nullable=False),
        sa.Column("person_b_row_id", sa.String(length=15), nullable=False),
        sa.Column("previous_decision", sa.String(length=20), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        schema="migration",
    )
    op.create_index(
        "ix_match_review_pair",
        "match_review",
        ["person_a_row_id", "person_b_row_id"],
        schema="migration",
    )


def downgrade() -> None:
    op.drop_index("ix_match_review_pair", table_name="match_review", schema="migration")
    op.drop_table("match_review", schema="migration")
    op.drop_index("ix_quarantine_review_row", table_name="quarantine_review", schema="migration")
    op.drop_table("quarantine_review", schema="migration")
