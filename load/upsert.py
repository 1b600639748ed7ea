"""Set-based writes shared by every writer of the load stage.

Two strategies, chosen by dialect: on PostgreSQL rows are COPYed into a
staging table and moved with one ``INSERT ... SELECT ... ON CONFLICT`` (or
``UPDATE ... FROM``) per table; on SQLite the same upsert runs as one
``executemany``. Never a statement per row from Python code.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal, TypeVar

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from load.postgres_copy import drop_stage, stage_rows

__all__ = [
    "Strategy",
    "chunked",
    "frame_records",
    "in_chunk_size",
    "one_of",
    "select_in_chunks",
    "strategy_for",
    "update_rows",
    "upsert_one",
    "upsert_rows",
]

Strategy = Literal["copy", "executemany"]
_ROWCOUNT = {"preserve_rowcount": True}
# A statement naming a staging table is new text each time (each stage has its own
# name): kept in the engine's compiled cache it would never be used again, and the
# cache (500 entries of a few tens of KB) would grow with the number of batches.
_STAGED = {**_ROWCOUNT, "compiled_cache": None}
T = TypeVar("T")
Row = tuple[Any, ...]


def strategy_for(conn: sa.Connection) -> Strategy:
    """``copy`` on PostgreSQL, ``executemany`` elsewhere (SQLite)."""
    return "copy" if conn.dialect.name == "postgresql" else "executemany"


def in_chunk_size(conn: sa.Connection) -> int:
    """How many values one ``IN (...)`` list may carry on this connection."""
    if conn.dialect.name == "sqlite":
        driver = conn.connection.driver_connection
        limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if driver is not None else 999
        return max(1, min(5000, limit - 10))
    return 5000


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def select_in_chunks(
    conn: sa.Connection,
    statement: sa.Select[Any],
    column: sa.ColumnElement[Any],
    values: Sequence[Any],
) -> list[tuple[Any, ...]]:
    """Rows of ``statement`` where ``column`` is one of ``values``, asked in chunks of IN lists."""
    rows: list[tuple[Any, ...]] = []
    for chunk in chunked(values, in_chunk_size(conn)):
        result = conn.execute(statement.where(one_of(conn, column, chunk)))
        rows.extend(tuple(row) for row in result.all())
    return rows


def one_of(
    conn: sa.Connection, column: sa.ColumnElement[Any], values: Sequence[Any]
) -> sa.ColumnElement[bool]:
    """``column IN (values)``; on PostgreSQL ``column = ANY(:array)``, one parameter however many values."""
    if conn.dialect.name == "postgresql":
        array = sa.bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        return column == sa.any_(array)
    return column.in_(list(values))


def frame_records(frame: pd.DataFrame, columns: Sequence[str]) -> list[Row]:
    """Rows of ``frame`` as tuples in ``columns`` order, with every kind of missing value as None."""
    if frame.empty:
        return []
    sub = frame.loc[:, list(columns)].astype(object)
    sub = sub.where(sub.notna(), None)
    return list(sub.itertuples(index=False, name=None))


def _distinct(left: Any, right: Any, columns: Sequence[str]) -> Any:
    return sa.or_(*(left[c].is_distinct_from(right[c]) for c in columns))


def upsert_rows(
    conn: sa.Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[Row],
    *,
    conflict: Sequence[str],
    update: Sequence[str],
    changed_when: Sequence[str] = (),
) -> int:
    """Insert ``rows``; on a ``conflict`` key set ``update`` columns where a ``changed_when`` column differs.

    Without ``changed_when`` a conflicting row is always updated; without
    ``update`` it is left alone. Returns the rows inserted or updated.
    """
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        stage = stage_rows(conn, table, columns, rows)
        pg_stmt = postgresql.insert(table).from_select(
            list(columns), sa.select(*(stage.c[c] for c in columns))
        )
        pg_stmt = _on_conflict(pg_stmt, table, conflict, update, changed_when)
        count = conn.execute(pg_stmt, execution_options=_STAGED).rowcount
        drop_stage(conn, stage)
        return count
    lite_stmt = _on_conflict(sqlite.insert(table), table, conflict, update, changed_when)
    return conn.execute(lite_stmt, [dict(zip(columns, row, strict=True)) for row in rows]).rowcount


InsertT = TypeVar("InsertT", postgresql.Insert, sqlite.Insert)


def upsert_one(
    conn: sa.Connection,
    table: sa.Table,
    values: Mapping[str, Any],
    *,
    conflict: Sequence[str],
    update: Sequence[str],
) -> int:
    """Insert one row, or update ``update`` columns of the row with the same ``conflict`` key."""
    if conn.dialect.name == "postgresql":
        return conn.execute(
            _on_conflict(
                postgresql.insert(table).values(dict(values)), table, conflict, update, ()
            ),
            execution_options=_ROWCOUNT,
        ).rowcount
    return conn.execute(
        _on_conflict(sqlite.insert(table).values(dict(values)), table, conflict, update, ())
    ).rowcount


def _on_conflict(
    stmt: InsertT,
    table: sa.Table,
    conflict: Sequence[str],
    update: Sequence[str],
    changed_when: Sequence[str],
) -> InsertT:
    if not update:
        return stmt.on_conflict_do_nothing(index_elements=list(conflict))
    excluded = stmt.excluded
    where = _distinct(table.c, excluded, changed_when) if changed_when else None
    return stmt.on_conflict_do_update(
        index_elements=list(conflict), set_={c: excluded[c] for c in update}, where=where
    )


def update_rows(
    conn: sa.Connection,
    table: sa.Table,
    key: str,
    columns: Sequence[str],
    rows: Sequence[Row],
    *,
    also_set: Mapping[str, Any] | None = None,
) -> int:
    """Set ``columns`` (``rows`` hold ``key`` first, then ``columns``) on rows whose values differ.

    ``also_set`` (e.g. the run id) is written only together with a real change,
    so applying the same rows twice changes nothing. Returns the rows changed.
    """
    if not rows or not columns:
        return 0
    extra = dict(also_set or {})
    if conn.dialect.name == "postgresql":
        stage = stage_rows(conn, table, [key, *columns], rows)
        stmt = (
            sa.update(table)
            .values({**{c: stage.c[c] for c in columns}, **extra})
            .where(table.c[key] == stage.c[key])
            .where(_distinct(table.c, stage.c, columns))
        )
        count = conn.execute(stmt, execution_options=_STAGED).rowcount
        drop_stage(conn, stage)
        return count
    params = {c: sa.bindparam(f"p_{c}", type_=table.c[c].type) for c in [key, *columns]}
    lite = (
        sa.update(table)
        .values({**{c: params[c] for c in columns}, **extra})
        .where(table.c[key] == params[key])
        .where(_distinct(table.c, params, columns))
    )
    names = [f"p_{c}" for c in [key, *columns]]
    return conn.execute(lite, [dict(zip(names, row, strict=True)) for row in rows]).rowcount
