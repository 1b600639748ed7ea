"""Target rows by lineage: which tables carry it, their lineage keys, and removing stale rows.

When a legacy row is rewritten (its hash or outcome changed), every target
row it produced before and does not produce now is deleted: all of them
when it is no longer loaded, the dropped aliases when it still is. Tables
are visited children first, so rows of one legacy row referring to each
other go together.

A row of a legacy row no longer loaded that other target rows still refer
to (a person turned quarantined, with notes about them; a person merged away
in the source, whose ledger entry the run forgot) stays until the end of the
run: the rows referring to it come from tables loaded after it, whose
batches rewrite them (a child of a quarantined parent is quarantined too).
:func:`sweep_unloaded_targets` then deletes it, or names it if something
still refers to it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from functools import cache
from typing import Any

import pandas as pd
import sqlalchemy as sa

from load.errors import TerminalLoadError
from load.extension_columns import EXTENSIONS
from load.target_schema import target_metadata, target_table
from load.upsert import chunked, in_chunk_size, one_of, select_in_chunks

__all__ = [
    "LineageKey",
    "clear_extension_columns",
    "delete_stale_targets",
    "lineage_key_columns",
    "lineage_tables",
    "release_value_keys",
    "sweep_unloaded_targets",
    "value_key_columns",
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


@cache
def value_key_columns(table: sa.Table) -> tuple[str, ...]:
    """The primary key of ``table`` when its rows are keyed by a value the rules make (a code
    set by its list's name), not by an id derived from the legacy row; else ().

    Such a key can change with its legacy row (a list renamed), and can pass from one legacy
    row to another (a list's header re-keyed by a reload, or a copy of it with a lower ROW_ID
    that now comes first).
    """
    columns = tuple(c.name for c in table.primary_key.columns)
    return () if columns == ("id",) else columns


def release_value_keys(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> int:
    """Delete the rows of ``table`` holding a value key that ``frame`` gives to another legacy
    row, so that the upsert of ``frame`` (on the lineage key) can take it; returns how many.

    The row released is the one the legacy row that held the key made before: a header now
    quarantined as a duplicate, whose batch may come later, or one gone from the source
    (reconcile reports it as ``deleted_in_source``). Nothing refers to such a table by its
    key, so the row goes whole; the store then holds what the rules make of the current source.
    """
    key = value_key_columns(table)
    if not key or frame.empty:
        return 0
    (column,) = key  # code_set, the one such table, has a one-column key
    lineage = lineage_key_columns(table)
    owners = {
        row[0]: tuple(row[1:])
        for row in frame[[column, *lineage]].itertuples(index=False, name=None)
    }
    held = select_in_chunks(
        conn,
        sa.select(table.c[column], *(table.c[c] for c in lineage)),
        table.c[column],
        list(owners),
    )
    taken = [row[0] for row in held if owners[row[0]] != tuple(row[1:])]
    released = 0
    for chunk in chunked(taken, in_chunk_size(conn)):
        released += conn.execute(
            sa.delete(table).where(one_of(conn, table.c[column], chunk))
        ).rowcount
    return released


def _primary_key(table: sa.Table) -> sa.Column[Any]:
    (pk,) = table.primary_key.columns
    return pk


def delete_stale_targets(
    conn: sa.Connection,
    rewritten: Mapping[str, Sequence[str]],
    produced: Mapping[str, Collection[LineageKey]],
    unloaded: Collection[tuple[str, str]] = (),
) -> int:
    """Delete target rows of the ``rewritten`` legacy rows (legacy_table -> ROW_IDs) not in ``produced``.

    ``produced`` maps a target table name to the lineage keys this batch writes
    to it; ``unloaded`` holds the (legacy_table, ROW_ID) of those no longer loaded:
    their rows that other target rows still refer to are left for
    :func:`sweep_unloaded_targets` (see the module doc). Returns the number of rows deleted.
    """
    deleted = 0
    for table in reversed(lineage_tables()):
        key_columns = lineage_key_columns(table)
        pk = _primary_key(table)
        keep = produced.get(table.name, ())
        stale: list[tuple[Any, str, str]] = []
        for legacy_table, row_ids in rewritten.items():
            stmt = sa.select(pk, *(table.c[c] for c in key_columns)).where(
                table.c.legacy_table == legacy_table
            )
            rows = select_in_chunks(conn, stmt, table.c.legacy_row_id, list(row_ids))
            stale.extend((row[0], row[1], row[2]) for row in rows if tuple(row[1:]) not in keep)
        for chunk in chunked(stale, in_chunk_size(conn)):
            count, referred = _delete_unreferred(conn, table, chunk)
            deleted += count
            if any((legacy_table, row_id) not in unloaded for _, legacy_table, row_id in referred):
                raise _still_referred(table, referred)
    return deleted


def sweep_unloaded_targets(conn: sa.Connection) -> int:
    """Delete every target row whose legacy row the ledger does not have as loaded (another
    outcome, or no entry: a row gone from the source that the run forgot); children first.

    What batches left because other rows still referred to it (see the module doc):
    by the end of a run the rows referring to it have been rewritten. Raises
    :class:`TerminalLoadError` naming the row if one still refers to it. Returns the
    number of rows deleted (none after a run that left nothing).
    """
    ledger = target_table("migration.ledger")
    deleted = 0
    for table in reversed(lineage_tables()):
        pk = _primary_key(table)
        joined = table.outerjoin(
            ledger,
            sa.and_(
                ledger.c.legacy_table == table.c.legacy_table,
                ledger.c.legacy_row_id == table.c.legacy_row_id,
            ),
        )
        stmt = (
            sa.select(pk, table.c.legacy_table, table.c.legacy_row_id)
            .select_from(joined)
            .where(sa.or_(ledger.c.outcome.is_(None), ledger.c.outcome != "loaded"))
        )
        rows = [tuple(row) for row in conn.execute(stmt)]
        for chunk in chunked(rows, in_chunk_size(conn)):
            count, referred = _delete_unreferred(conn, table, chunk)
            deleted += count
            if referred:
                raise _still_referred(table, referred)
    return deleted


def _delete_unreferred(
    conn: sa.Connection, table: sa.Table, rows: Sequence[tuple[Any, str, str]]
) -> tuple[int, list[tuple[Any, str, str]]]:
    """Delete ``rows`` (primary key, legacy_table, ROW_ID) of ``table``; return how many went
    and the rows other target rows still refer to, which stay (one savepoint per row only
    when the whole chunk cannot go)."""
    pk = _primary_key(table)
    try:
        with conn.begin_nested():
            count = conn.execute(
                sa.delete(table).where(one_of(conn, pk, [row[0] for row in rows]))
            ).rowcount
        return count, []
    except sa.exc.IntegrityError:
        pass
    deleted, referred = 0, []
    for row in rows:
        try:
            with conn.begin_nested():
                deleted += conn.execute(sa.delete(table).where(pk == row[0])).rowcount
        except sa.exc.IntegrityError:
            referred.append(row)
    return deleted, referred


def _still_referred(table: sa.Table, referred: Sequence[tuple[Any, str, str]]) -> TerminalLoadError:
    ids = sorted({row_id for _, _, row_id in referred})
    return TerminalLoadError(
        f"cannot delete target rows of {len(ids)} legacy row(s) no longer loaded: other target rows "
        "still refer to them, and the migration rules do not change those (a link edited in the "
        "store, or a row whose rules do not follow its parent)",
        table=table.name,
        legacy_row_id=ids[0],
    )


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
