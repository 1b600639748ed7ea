"""Who had personal data shown in the clear, and when: migration.disclosure.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

One row each time a command shows what it masks by default: ``reconcile
--reveal-pii`` (the report) and ``review-history --reveal-notes`` (the stewards'
notes), written before the data is, with who asked, which command, and what it
wrote where (never the data itself). Append-only and hash-chained like the
review histories (revision 0009): the same triggers refuse UPDATE and DELETE.
Frozen like the revisions before it: it does not import the models (the SQLite
triggers' text comes from ``load.audit_chain``, as in revision 0009).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from load.audit_chain import sqlite_guards

__all__ = ["downgrade", "upgrade"]

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disclosure",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("command", sa.String(length=40), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("chain_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        schema="migration",
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER disclosure_append_only BEFORE UPDATE OR DELETE ON migration.disclosure "
            "FOR EACH ROW EXECUTE FUNCTION migration.refuse_history_change()"
        )
        op.execute(
            "CREATE TRIGGER disclosure_no_truncate BEFORE TRUNCATE ON migration.disclosure "
            "FOR EACH STATEMENT EXECUTE FUNCTION migration.refuse_history_change()"
        )
        return
    for statement in sqlite_guards("disclosure"):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("disclosure", schema="migration")
