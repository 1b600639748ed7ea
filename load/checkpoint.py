"""Checkpoints: per legacy table, the last key committed by the current run (what a resumed run starts after)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa

from load.target_schema import target_table
from load.transaction import write_transaction
from load.upsert import upsert_one

__all__ = [
    "Checkpoint",
    "advance_checkpoint",
    "mark_table_complete",
    "read_checkpoint",
    "reset_checkpoints",
]

CHECKPOINT = target_table("migration.checkpoint")
_VALUES = ("run_id", "last_row_id", "completed", "rows_done", "updated_at")


@dataclass(frozen=True)
class Checkpoint:
    """Where ``legacy_table`` stands in run ``run_id``: rows after ``last_row_id`` are still to do."""

    legacy_table: str
    run_id: str
    last_row_id: str | None
    completed: bool
    rows_done: int
    updated_at: dt.datetime | None


def _read(conn: sa.Connection, legacy_table: str) -> Checkpoint | None:
    row = conn.execute(
        sa.select(CHECKPOINT.c.legacy_table, *(CHECKPOINT.c[c] for c in _VALUES)).where(
            CHECKPOINT.c.legacy_table == legacy_table
        )
    ).one_or_none()
    if row is None:
        return None
    updated_at = row[5]
    if (
        updated_at is not None and updated_at.tzinfo is None
    ):  # SQLite keeps no zone: the value is UTC
        updated_at = updated_at.replace(tzinfo=dt.UTC)
    return Checkpoint(row[0], row[1], row[2], bool(row[3]), int(row[4]), updated_at)


def read_checkpoint(engine: sa.Engine, legacy_table: str) -> Checkpoint | None:
    """The checkpoint of ``legacy_table``, or None if no batch of it was ever committed."""
    with engine.connect() as conn:
        return _read(conn, legacy_table)


def _save(conn: sa.Connection, legacy_table: str, **values: object) -> None:
    values["updated_at"] = dt.datetime.now(dt.UTC)
    upsert_one(
        conn,
        CHECKPOINT,
        {"legacy_table": legacy_table, **values},
        conflict=("legacy_table",),
        update=_VALUES,
    )


def advance_checkpoint(
    conn: sa.Connection, legacy_table: str, *, run_id: str, last_row_id: str | None, rows: int
) -> None:
    """Record a committed batch (call inside the batch's transaction): its last key and row count.

    A checkpoint left by another run starts again from this batch.
    """
    current = _read(conn, legacy_table)
    same_run = current is not None and current.run_id == run_id
    if current is not None and same_run:
        _save(
            conn,
            legacy_table,
            run_id=run_id,
            last_row_id=last_row_id if last_row_id is not None else current.last_row_id,
            completed=current.completed,
            rows_done=current.rows_done + rows,
        )
    else:
        _save(
            conn,
            legacy_table,
            run_id=run_id,
            last_row_id=last_row_id,
            completed=False,
            rows_done=rows,
        )


def mark_table_complete(engine: sa.Engine, legacy_table: str, run_id: str) -> None:
    """Every row of ``legacy_table`` is done in ``run_id``: a resumed run skips it."""
    with write_transaction(engine) as conn:
        current = _read(conn, legacy_table)
        if current is not None and current.run_id == run_id:
            _save(
                conn,
                legacy_table,
                run_id=run_id,
                last_row_id=current.last_row_id,
                completed=True,
                rows_done=current.rows_done,
            )
        else:
            _save(conn, legacy_table, run_id=run_id, last_row_id=None, completed=True, rows_done=0)


def reset_checkpoints(engine: sa.Engine, legacy_tables: Collection[str] | None = None) -> int:
    """Forget checkpoints (all, or those of ``legacy_tables``) so a new run starts from the beginning."""
    stmt = sa.delete(CHECKPOINT)
    if legacy_tables is not None:
        stmt = stmt.where(CHECKPOINT.c.legacy_table.in_(list(legacy_tables)))
    with write_transaction(engine) as conn:
        return conn.execute(stmt).rowcount
