"""Quarantine records and data-quality flags: written with their rows, replaced when a row is rewritten."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

import sqlalchemy as sa

from load.errors import TerminalLoadError
from load.target_schema import target_table
from load.upsert import chunked, in_chunk_size, one_of, upsert_rows
from transform.result import Flag, QuarantineRecord

__all__ = [
    "FLAG_KEY",
    "delete_bookkeeping",
    "unique_flags",
    "write_flags",
    "write_quarantine",
]

QUARANTINE = target_table("migration.quarantine")
DQ_FLAG = target_table("migration.dq_flag")
FLAG_KEY = ("legacy_table", "legacy_row_id", "code", "field")
_FLAG_VALUES = ("target_table", "target_id", "original_value", "normalised_value")
_QUARANTINE_COLUMNS = (
    "legacy_table",
    "legacy_row_id",
    "run_id",
    "reason_codes",
    "details",
    "raw_row",
    "status",
)


def _flag_key(flag: Flag) -> tuple[str, str, str, str]:
    return (flag.legacy_table, flag.legacy_row_id, flag.code, flag.field or "")


def unique_flags(flags: Iterable[Flag]) -> list[Flag]:
    """``flags`` without exact repeats; two different flags with one key (row, code, field) are an error."""
    seen: dict[tuple[str, str, str, str], Flag] = {}
    for flag in flags:
        key = _flag_key(flag)
        other = seen.get(key)
        if other is None:
            seen[key] = flag
        elif other != flag:
            raise TerminalLoadError(
                f"two different {flag.code} flags on one column of one row",
                table=flag.legacy_table,
                legacy_row_id=flag.legacy_row_id,
                column=flag.field or None,
            )
    return list(seen.values())


def write_flags(conn: sa.Connection, flags: Sequence[Flag], *, run_id: str) -> int:
    """Upsert flags on (legacy_table, ROW_ID, code, field); an unchanged flag keeps its run id."""
    rows = [
        (*_flag_key(f), f.target_table, f.target_id, f.original_value, f.normalised_value, run_id)
        for f in flags
    ]
    columns = [*FLAG_KEY, *_FLAG_VALUES, "run_id"]
    return upsert_rows(
        conn,
        DQ_FLAG,
        columns,
        rows,
        conflict=FLAG_KEY,
        update=[*_FLAG_VALUES, "run_id"],
        changed_when=_FLAG_VALUES,
    )


def _quarantine_row(record: QuarantineRecord, run_id: str) -> tuple[str, ...]:
    details = [{"code": r.code, "column": r.column, "message": r.message} for r in record.reasons]
    return (
        record.legacy_table,
        record.legacy_row_id,
        run_id,
        json.dumps(list(record.reason_codes)),
        json.dumps(details, ensure_ascii=False),
        json.dumps(dict(record.raw_row), ensure_ascii=False, sort_keys=True, default=str),
        "open",
    )


def write_quarantine(
    conn: sa.Connection, records: Sequence[QuarantineRecord], *, run_id: str
) -> int:
    """Upsert quarantine records (status ``open``), one per legacy row."""
    rows = [_quarantine_row(r, run_id) for r in records]
    update = [c for c in _QUARANTINE_COLUMNS if c not in ("legacy_table", "legacy_row_id")]
    return upsert_rows(
        conn,
        QUARANTINE,
        _QUARANTINE_COLUMNS,
        rows,
        conflict=("legacy_table", "legacy_row_id"),
        update=update,
    )


def delete_bookkeeping(conn: sa.Connection, keys: Mapping[str, Sequence[str]]) -> int:
    """Delete the quarantine records and flags of ``keys`` (legacy_table -> ROW_IDs)."""
    deleted = 0
    for table in (QUARANTINE, DQ_FLAG):
        for legacy_table, row_ids in keys.items():
            for chunk in chunked(list(row_ids), in_chunk_size(conn)):
                stmt = sa.delete(table).where(
                    table.c.legacy_table == legacy_table, one_of(conn, table.c.legacy_row_id, chunk)
                )
                deleted += conn.execute(stmt).rowcount
    return deleted
