"""Reading the new store for reconciliation: ledger and target rows by legacy key range.

A key range is ``(after, upto]`` over ``legacy_row_id`` in byte order, the
order extract reads the legacy source in: PostgreSQL compares and sorts with
``COLLATE "C"``, SQLite's default BINARY collation already is byte order
(and Python's ``str`` order is the same: code point order is UTF-8 byte order).
``None`` leaves a side of the range open. Everything here reads; nothing writes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from load.bookkeeping import current_quarantine
from load.lineage import lineage_key_columns, lineage_tables
from load.target_schema import target_table
from load.upsert import chunked, in_chunk_size, one_of
from reconcile.result import FlagSummary, ReasonSummary

__all__ = [
    "LedgerEntry",
    "MigrationRunInfo",
    "TargetRow",
    "flag_summaries",
    "in_key_range",
    "key_order",
    "latest_migration_run",
    "lineage_key_columns",
    "lineage_tables",
    "match_decision_counts",
    "nth_key_after",
    "quarantine_summaries",
    "read_flags",
    "read_ledger",
    "read_lineage_rows",
    "read_quarantine_records",
    "read_rows_by_lineage",
    "read_rows_by_primary_key",
    "rows_of_other_lineage",
]

TargetRow = dict[str, Any]


@dataclass(frozen=True)
class LedgerEntry:
    legacy_row_id: str
    outcome: str
    rule: str | None
    target_table: str | None
    target_id: str | None
    source_hash: str
    legacy_last_upd: dt.datetime | None = None
    legacy_modification_num: int | None = None


@dataclass(frozen=True)
class MigrationRunInfo:
    id: str
    status: str
    started_at: dt.datetime


def _key(column: sa.ColumnElement[Any], conn: sa.Connection) -> sa.ColumnElement[Any]:
    return column.collate("C") if conn.dialect.name == "postgresql" else column


def key_order(column: sa.ColumnElement[Any], conn: sa.Connection) -> sa.ColumnElement[Any]:
    """``column`` as a byte-order sort key on this connection's dialect."""
    return _key(column, conn)


def in_key_range(
    column: sa.ColumnElement[Any], conn: sa.Connection, after: str | None, upto: str | None
) -> sa.ColumnElement[bool]:
    """``after < column <= upto`` in byte order (a ``None`` bound is open)."""
    key = _key(column, conn)
    clauses: list[sa.ColumnElement[bool]] = []
    if after is not None:
        clauses.append(key > after)
    if upto is not None:
        clauses.append(key <= upto)
    return sa.and_(sa.true(), *clauses)


def _in_python_range(key: str, after: str | None, upto: str | None) -> bool:
    # The database may compare more loosely than Python (a collation); Python decides.
    return (after is None or key > after) and (upto is None or key <= upto)


def read_ledger(
    conn: sa.Connection, legacy_table: str, after: str | None, upto: str | None
) -> dict[str, LedgerEntry]:
    """The ledger rows of ``legacy_table`` in the key range, by ROW_ID."""
    ledger = target_table("migration.ledger")
    stmt = sa.select(
        ledger.c.legacy_row_id,
        ledger.c.outcome,
        ledger.c.rule,
        ledger.c.target_table,
        ledger.c.target_id,
        ledger.c.source_hash,
        ledger.c.legacy_last_upd,
        ledger.c.legacy_modification_num,
    ).where(
        ledger.c.legacy_table == legacy_table,
        in_key_range(ledger.c.legacy_row_id, conn, after, upto),
    )
    found = {}
    for row in conn.execute(stmt).all():
        if _in_python_range(row[0], after, upto):
            found[row[0]] = LedgerEntry(*row)
    return found


def nth_key_after(
    conn: sa.Connection, table: sa.Table, legacy_table: str | None, after: str | None, n: int
) -> str | None:
    """The ``n``-th smallest ``legacy_row_id`` above ``after`` (or the greatest, if fewer); None if none.

    ``table`` is the ledger or a lineage table; ``legacy_table`` restricts it to one legacy table.
    """
    where = [in_key_range(table.c.legacy_row_id, conn, after, None)]
    if legacy_table is not None:
        where.append(table.c.legacy_table == legacy_table)
    keys = (
        sa.select(table.c.legacy_row_id)
        .where(*where)
        .order_by(key_order(table.c.legacy_row_id, conn))
        .limit(n)
        .subquery()
    )
    stmt = sa.select(sa.func.max(key_order(keys.c.legacy_row_id, conn)))
    value = conn.execute(stmt).scalar()
    return None if value is None else str(value)


def read_lineage_rows(
    conn: sa.Connection, table: sa.Table, legacy_table: str, after: str | None, upto: str | None
) -> list[TargetRow]:
    """Every row of ``table`` (a target table with lineage, or the quarantine or dq_flag
    table) whose ``legacy_table`` is ``legacy_table`` with a ROW_ID in the range."""
    stmt = sa.select(table).where(
        table.c.legacy_table == legacy_table, in_key_range(table.c.legacy_row_id, conn, after, upto)
    )
    result = conn.execute(stmt)
    names = list(result.keys())
    key = names.index("legacy_row_id")
    # fetchall and zip: a range is at most a batch of keys, and this is the reconciliation's
    # most read path (row-by-row fetching and Row._mapping cost twice as much).
    return [
        dict(zip(names, row, strict=True))
        for row in result.all()
        if _in_python_range(row[key], after, upto)
    ]


def _rows_where_in(
    conn: sa.Connection, stmt: sa.Select[Any], column: sa.ColumnElement[Any], values: list[Any]
) -> Iterator[TargetRow]:
    """The rows of ``stmt`` whose ``column`` is one of ``values``, as dicts: one query per chunk
    (on PostgreSQL one ``= ANY(array)`` for them all), one fetchall each, zipped with the names."""
    for chunk in chunked(values, in_chunk_size(conn)):
        result = conn.execute(stmt.where(one_of(conn, column, chunk)))
        names = list(result.keys())
        for row in result.all():
            yield dict(zip(names, row, strict=True))


def read_rows_by_lineage(
    conn: sa.Connection, table: sa.Table, legacy_table: str, row_ids: Collection[str]
) -> list[TargetRow]:
    """Rows of target ``table`` with lineage ``legacy_table`` and one of ``row_ids`` (exactly)."""
    wanted = set(row_ids)
    stmt = sa.select(table).where(table.c.legacy_table == legacy_table)
    rows = _rows_where_in(conn, stmt, table.c.legacy_row_id, sorted(wanted))
    return [row for row in rows if row["legacy_row_id"] in wanted]


def read_rows_by_primary_key(
    conn: sa.Connection, table: sa.Table, keys: Collection[Any]
) -> dict[Any, TargetRow]:
    """Rows of ``table`` by the value of its (single-column) primary key."""
    (pk,) = table.primary_key.columns
    return {row[pk.name]: row for row in _rows_where_in(conn, sa.select(table), pk, list(keys))}


def rows_of_other_lineage(
    conn: sa.Connection, table: sa.Table, legacy_tables: Collection[str], *, batch_size: int
) -> Iterator[TargetRow]:
    """Rows of lineage ``table`` whose legacy_table is none of ``legacy_tables`` (streamed)."""
    stmt = (
        sa.select(table)
        .where(table.c.legacy_table.not_in(sorted(legacy_tables)))
        .execution_options(yield_per=batch_size)
    )
    for row in conn.execute(stmt):
        yield dict(row._mapping)


def latest_migration_run(conn: sa.Connection) -> MigrationRunInfo | None:
    """The newest migration run that succeeded, else the newest run of any status; None if none."""
    runs = target_table("migration.migration_run")
    newest_first = (runs.c.started_at.desc(), runs.c.id.desc())
    for where in (runs.c.status == "succeeded", sa.true()):
        row = conn.execute(
            sa.select(runs.c.id, runs.c.status, runs.c.started_at)
            .where(where)
            .order_by(*newest_first)
            .limit(1)
        ).first()
        if row is not None:
            started = row.started_at
            if started.tzinfo is None:  # SQLite keeps no zone: stored in UTC
                started = started.replace(tzinfo=dt.UTC)
            return MigrationRunInfo(row.id, row.status, started.astimezone(dt.UTC))
    return None


def quarantine_summaries(
    conn: sa.Connection, *, examples: int = 5, batch_size: int = 5000
) -> list[ReasonSummary]:
    """Per legacy table and reason code: how many rows the ledger has quarantined, a few ROW_IDs,
    and how many of those records have each status.

    Streams the quarantine records of rows whose ledger outcome is ``quarantined``; the
    example ROW_IDs are the smallest in byte order.
    """
    quarantine = target_table("migration.quarantine")
    stmt = (
        sa.select(
            quarantine.c.legacy_table,
            quarantine.c.legacy_row_id,
            quarantine.c.reason_codes,
            quarantine.c.status,
        )
        .select_from(current_quarantine())
        .order_by(quarantine.c.legacy_table, key_order(quarantine.c.legacy_row_id, conn))
        .execution_options(yield_per=batch_size)
    )
    counts: dict[tuple[str, str], int] = defaultdict(int)
    statuses: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    shown: dict[tuple[str, str], list[str]] = defaultdict(list)
    for legacy_table, row_id, reason_codes, status in conn.execute(stmt):
        try:
            codes = json.loads(reason_codes)
        except (TypeError, ValueError):
            codes = None
        if not isinstance(codes, list) or not codes:
            codes = ["<unreadable reason_codes>"]
        for code in sorted({str(c) for c in codes}):
            key = (legacy_table, code)
            counts[key] += 1
            statuses[key][str(status)] += 1
            if len(shown[key]) < examples:
                shown[key].append(row_id)
    return [
        ReasonSummary(table, code, n, shown[(table, code)], statuses[(table, code)])
        for (table, code), n in sorted(counts.items())
    ]


def match_decision_counts(conn: sa.Connection) -> dict[str, int]:
    """How many probable duplicate pairs the store holds with each decision."""
    candidate = target_table("migration.person_match_candidate")
    stmt = sa.select(candidate.c.decision, sa.func.count()).group_by(candidate.c.decision)
    return {str(decision): int(n) for decision, n in conn.execute(stmt)}


def flag_summaries(conn: sa.Connection) -> list[FlagSummary]:
    """Per legacy table and flag code: how many data-quality flags were raised."""
    flags = target_table("migration.dq_flag")
    stmt = (
        sa.select(flags.c.legacy_table, flags.c.code, sa.func.count())
        .group_by(flags.c.legacy_table, flags.c.code)
        .order_by(flags.c.legacy_table, flags.c.code)
    )
    return [FlagSummary(table, code, int(n)) for table, code, n in conn.execute(stmt)]


def read_quarantine_records(
    conn: sa.Connection, legacy_table: str, after: str | None, upto: str | None
) -> dict[str, TargetRow]:
    """The quarantine records of ``legacy_table`` in the key range, by ROW_ID."""
    quarantine = target_table("migration.quarantine")
    return {
        row["legacy_row_id"]: row
        for row in read_lineage_rows(conn, quarantine, legacy_table, after, upto)
    }


def read_flags(
    conn: sa.Connection, legacy_table: str, after: str | None, upto: str | None
) -> list[TargetRow]:
    """The data-quality flags of ``legacy_table`` rows in the key range."""
    return read_lineage_rows(conn, target_table("migration.dq_flag"), legacy_table, after, upto)
