"""The review histories become tamper-evident: a hash chain, and no UPDATE or DELETE.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

``chain_sha256`` on ``migration.quarantine_review`` and ``migration.match_review``
links each row to the one before it (``load.audit_chain``); rows written before
this revision get theirs here, in ``id`` order. Triggers then refuse UPDATE,
DELETE (and TRUNCATE on PostgreSQL) on both tables, naming the table and saying
the history is append-only.

Frozen like the revisions before it, except for the chain's encoding and the
SQLite triggers' text, which are imported from ``load.audit_chain``: the encoding is
part of the store's format, and a change to it would break every stored chain anyway.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from load.audit_chain import GENESIS, chain_digest, sqlite_guards

__all__ = ["downgrade", "upgrade"]

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HISTORIES = ("quarantine_review", "match_review")

_PG_REFUSE = """
CREATE FUNCTION migration.refuse_history_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'migration.% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'a steward''s decision is changed by recording a new one, never by editing the history';
END
$$
"""


def _on_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _backfill(name: str) -> None:
    conn = op.get_bind()
    schema = "migration" if _on_postgresql() else None
    table = sa.Table(name, sa.MetaData(), schema=schema, autoload_with=conn)
    previous = GENESIS
    for row in conn.execute(sa.select(table).order_by(table.c.id)).mappings().all():
        previous = chain_digest(previous, name, row)
        conn.execute(sa.update(table).where(table.c.id == row["id"]).values(chain_sha256=previous))


def upgrade() -> None:
    schema = "migration" if _on_postgresql() else None
    for name in HISTORIES:
        op.add_column(name, sa.Column("chain_sha256", sa.String(length=64)), schema=schema)
        _backfill(name)
        with op.batch_alter_table(name, schema=schema) as batch:
            batch.alter_column("chain_sha256", existing_type=sa.String(length=64), nullable=False)
    if _on_postgresql():
        op.execute(_PG_REFUSE)
        for name in HISTORIES:
            op.execute(
                f"CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON migration.{name} "
                "FOR EACH ROW EXECUTE FUNCTION migration.refuse_history_change()"
            )
            op.execute(
                f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON migration.{name} "
                "FOR EACH STATEMENT EXECUTE FUNCTION migration.refuse_history_change()"
            )
        return
    for name in HISTORIES:
        for statement in sqlite_guards(name):
            op.execute(statement)


def downgrade() -> None:
    schema = "migration" if _on_postgresql() else None
    if _on_postgresql():
        for name in HISTORIES:
            op.execute(f"DROP TRIGGER {name}_append_only ON migration.{name}")
            op.execute(f"DROP TRIGGER {name}_no_truncate ON migration.{name}")
        op.execute("DROP FUNCTION migration.refuse_history_change()")
    else:
        for name in HISTORIES:
            for action in ("update", "delete", "replace"):
                op.execute(f"DROP TRIGGER {name}_no_{action}")
    for name in HISTORIES:
        op.drop_column(name, "chain_sha256", schema=schema)
