"""PostgreSQL bulk path: COPY rows into a temporary staging table.

The staging table has the columns (and types) of the target but none of its
constraints, and is dropped when the transaction ends (``ON COMMIT DROP``) or
as soon as its rows are moved (:func:`drop_stage`). One set-based statement
then moves the staged rows into the target (see :mod:`load.upsert`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

__all__ = ["drop_stage", "stage_rows"]

_names = itertools.count(1)


def _quote(conn: sa.Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def stage_rows(
    conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> sa.TableClause:
    """COPY ``rows`` (tuples in ``columns`` order) into a new staging table shaped like ``table``."""
    name = f"_stage_{table.name}_{next(_names)}"
    cols = ", ".join(_quote(conn, c) for c in columns)
    source = conn.dialect.identifier_preparer.format_table(table)
    conn.exec_driver_sql(
        f"CREATE TEMPORARY TABLE {_quote(conn, name)} ON COMMIT DROP AS "
        f"SELECT {cols} FROM {source} WITH NO DATA"
    )
    driver = conn.connection.driver_connection
    if driver is None:  # pragma: no cover - a pooled connection always has one
        raise RuntimeError("no driver connection for COPY")
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {_quote(conn, name)} ({cols}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
    return sa.table(name, *(sa.column(c) for c in columns))


def drop_stage(conn: sa.Connection, stage: sa.TableClause) -> None:
    conn.exec_driver_sql(f"DROP TABLE {_quote(conn, stage.name)}")
