"""Who had personal data shown in the clear, and when: the rows of ``migration.disclosure``.

Each row says who asked, through which command, and what was shown where; never
the data (:mod:`load.disclosures`). Oldest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from load.target_schema import target_table

__all__ = ["DisclosureLine", "disclosure_lines"]


@dataclass(frozen=True)
class DisclosureLine:
    id: int
    disclosed_at: dt.datetime
    requested_by: str
    command: str
    what: str


def disclosure_lines(conn: sa.Connection, *, batch_size: int = 5000) -> Iterator[DisclosureLine]:
    """Every disclosure on record, in the order recorded (``disclosed_at`` in UTC)."""
    table = target_table("migration.disclosure")
    stmt = sa.select(table).order_by(table.c.id).execution_options(yield_per=batch_size)
    for row in conn.execute(stmt):
        at = row.disclosed_at
        yield DisclosureLine(
            id=row.id,
            disclosed_at=at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC),
            requested_by=row.requested_by,
            command=row.command,
            what=row.what,
        )
