"""Target rows by lineage: which tables carry it, their lineage keys, and removing stale rows.

When a legacy row is rewritten (its hash or outcome changed), every target
row it produced before and does not produce now is deleted: all of them
when it is no longer loaded, the dropped aliases when it still is. Tables
are visited children first, so rows of one legacy row referring to each
other go together.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa

from load.errors import TerminalLoadError, classify_db_error
from load.extension_columns import EXTENSIONS
from load.target_schema import target_metadata, target_table
from load.upsert import chunked, in_chunk_size, one_of, select_in_chunks

__all__ = [
    "LineageKey",
    "clear_extension_columns",
    "delete_stale_targets",
    "lineage_key_columns",
    "lineage_tables",
]

LineageKey = tuple[Any, ...]  # (legacy_table, legacy_row_id, *discriminators)


@cache
def lineage_tables() -> tuple[sa.Table, ...]:
    """Every target table with lineage columns, parents before children."""
    return tuple(
        t
        for t in target_metadata().sorted_tables
        if "migration_run_id" in t.c and "legacy_row_id" in t.c
    )


@cache
def lineage_key_columns(table: sa.Table) -> tuple[str, ...]:
    """The columns of ``table``'s unique lineage key (``uq_<table>_lineage``)."""
    for constraint in table.constraints:
        if (
            isinstance(constraint, sa.UniqueConstraint)
            and constraint.name == f"uq_{table.name}_lineage"
        ):
            return tuple(c.name for c in constraint.columns)
    raise TerminalLoadError("target table has no lineage key constraint", table=table.name)


def _primary_key(table: sa.Table) -> sa.Column[Any]:
    (pk,) = table.primary_key.columns
    return pk


def delete_stale_targets(
    conn: sa.Connection,
    rewritten: Mapping[str, Sequence[str]],
    produced: Mapping[str, Collection[LineageKey]],
) -> int:
    """Delete target rows of the ``rewritten`` legacy rows (legacy_table -> ROW_IDs) not in ``produced``.

    ``produced`` maps a target table name to the lineage keys this batch writes
    to it. Returns the number of rows deleted.
    """
    deleted = 0
    for table in reversed(lineage_tables()):
        key_columns = lineage_key_columns(table)
        pk = _primary_key(table)
        keep = produced.get(table.name, ())
        stale: list[tuple[Any, str]] = []
        for legacy_table, row_ids in rewritten.items():
            stmt = sa.select(pk, *(table.c[c] for c in key_columns)).where(
                table.c.legacy_table == legacy_table
            )
            rows = select_in_chunks(conn, stmt, table.c.legacy_row_id, list(row_ids))
            stale.extend((row[0], row[2]) for row in rows if tuple(row[1:]) not in keep)
        for chunk in chunked(stale, in_chunk_size(conn)):
            try:
                deleted += conn.execute(
                    sa.delete(table).where(one_of(conn, pk, [pk_value for pk_value, _ in chunk]))
                ).rowcount
            except sa.exc.IntegrityError as exc:
                ids = sorted({row_id for _, row_id in chunk})
                error = classify_db_error(exc, table=table.name, legacy_row_id=ids[0])
                raise TerminalLoadError(
                    f"cannot delete target rows of {len(ids)} legacy row(s) no longer loaded: other target rows "
                    "still refer to them (load the rows that refer to them first)",
                    table=table.name,
                    legacy_row_id=ids[0],
                    sqlstate=error.sqlstate,
                ) from None
    return deleted


def clear_extension_columns(
    conn: sa.Connection, previous_targets: Mapping[tuple[str, str], tuple[str, str]], *, run_id: str
) -> int:
    """Clear the columns rewritten legacy rows had set through ``updates`` (see :mod:`load.extension_columns`).

    ``previous_targets``: (legacy_table, ROW_ID) -> (target_table, target_id) of
    the rewritten rows' previous ledger entries, where they were loaded. A
    column is cleared only on the row that extension row had set. Returns rows changed.
    """
    changed = 0
    for ext in EXTENSIONS:
        pairs = [
            (uuid.UUID(target_id), row_id)
            for (legacy_table, row_id), (target_table, target_id) in previous_targets.items()
            if legacy_table == ext.legacy_table and target_table == ext.target_table and target_id
        ]
        if not pairs:
            continue
        table = target_table(ext.target_table)
        values: dict[str, Any] = dict.fromkeys(ext.columns)
        values["migration_run_id"] = run_id
        for chunk in chunked(pairs, max(1, in_chunk_size(conn) // 2)):
            stmt = (
                sa.update(table)
                .values(values)
                .where(
                    one_of(conn, table.c.id, [p[0] for p in chunk]),
                    one_of(conn, table.c[ext.owner_column], [p[1] for p in chunk]),
                )
            )
            changed += conn.execute(stmt).rowcount
    return changed
