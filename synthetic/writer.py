"""Bulk writes of the synthetic tables: chunked Core ``executemany``, or COPY on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from extract import LEGACY_TABLE_NAMES, legacy_table
from synthetic.narrative import NoteSpec
from synthetic.world import Row

__all__ = ["CHUNK_ROWS", "Progress", "write_tables"]

CHUNK_ROWS = 2000
Progress = Callable[[str, int, int], None]


def _rendered(rows: Sequence[Row]) -> list[Row]:
    """The rows with lazily generated text rendered (only where there is some)."""
    out = []
    for row in rows:
        note = row.get("COMMENTS_LONG")
        if isinstance(note, NoteSpec):
            row = dict(row)
            row["COMMENTS_LONG"] = note.render()
        out.append(row)
    return out


def _copy(conn: sa.Connection, table: sa.Table, rows: Sequence[Row]) -> None:
    from psycopg import sql

    columns = [c.name for c in table.columns]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    driver: Any = conn.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def write_tables(
    engine: sa.Engine, tables: Mapping[str, Sequence[Row]], progress: Progress | None = None
) -> None:
    """Insert every legacy table's rows, in contract order, one transaction per table."""
    use_copy = engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
    for name in LEGACY_TABLE_NAMES:
        rows = tables[name]
        table = legacy_table(name)
        total = len(rows)
        if progress is not None:
            progress(name, 0, total)
        with engine.begin() as conn:
            for start in range(0, total, CHUNK_ROWS):
                chunk = _rendered(rows[start : start + CHUNK_ROWS])
                if use_copy:
                    _copy(conn, table, chunk)
                else:
                    conn.execute(table.insert(), chunk)
                if progress is not None:
                    progress(name, min(start + CHUNK_ROWS, total), total)
