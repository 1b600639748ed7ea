"""ref.code_value.sort_order exact on SQLite: kept as text, not as a double.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05

SQLite's NUMERIC affinity stores a number as a double, which keeps 15 significant
digits: an ORDER_BY of NUMBER(22,7) such as 123456789012345.1234567 was stored as
123456789012345.1250000 without a word (reconcile reported it as a field_mismatch).
On SQLite the column is now text holding the exact decimal (see
``load.target_schema.ExactDecimalText``); values already stored keep what the double
held. PostgreSQL's NUMERIC(22,7) is exact: nothing changes there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

__all__ = ["downgrade", "upgrade"]

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _alter(type_: sa.types.TypeEngine[Any], existing: sa.types.TypeEngine[Any]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("code_value") as batch:
        batch.alter_column(
            "sort_order", type_=type_, existing_type=existing, existing_nullable=True
        )


def upgrade() -> None:
    _alter(sa.String(), sa.Numeric(precision=22, scale=7))


def downgrade() -> None:
    _alter(sa.Numeric(precision=22, scale=7), sa.String())
