"""Quarantine records and data-quality flags: written with their rows, replaced when a row is rewritten.

A row whose source and outcome are unchanged is not rewritten, unless its stored
record or flags differ from what the rules make of it now (:func:`outdated_bookkeeping`):
what it depends on changed (a parent quarantined, a merge record gone).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence

import sqlalchemy as sa

from load.attachments import FILE_FLAG_CODES
from load.errors import TerminalLoadError
from load.target_schema import target_table
from load.upsert import chunked, in_chunk_size, one_of, select_in_chunks, upsert_rows
from transform.result import Flag, QuarantineRecord

__all__ = [
    "FLAG_KEY",
    "delete_bookkeeping",
    "outdated_bookkeeping",
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


def _reasons(record: QuarantineRecord) -> tuple[str, str]:
    """The record's reason_codes and details, as stored (JSON text)."""
    details = [{"code": r.code, "column": r.column, "message": r.message} for r in record.reasons]
    return json.dumps(list(record.reason_codes)), json.dumps(details, ensure_ascii=False)


def _quarantine_row(record: QuarantineRecord, run_id: str) -> tuple[str, ...]:
    return (
        record.legacy_table,
        record.legacy_row_id,
        run_id,
        *_reasons(record),
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


_FLAG_STATE = (*FLAG_KEY[2:], *_FLAG_VALUES)
"""A flag of a known legacy row: code, field and the values :func:`write_flags` stores."""


def _flag_state(flag: Flag) -> tuple[str | None, ...]:
    return (
        *_flag_key(flag)[2:],
        flag.target_table,
        flag.target_id,
        flag.original_value,
        flag.normalised_value,
    )


def outdated_bookkeeping(
    conn: sa.Connection,
    legacy_table: str,
    quarantined: Collection[str],
    loaded: Collection[str],
    records: Iterable[QuarantineRecord],
    flags: Iterable[Flag],
) -> set[str]:
    """The ROW_IDs among ``quarantined`` whose stored record (reasons) and among ``loaded`` whose
    stored flags differ from ``records`` and ``flags``, what the rules make of them now.

    Meant for rows whose source and outcome did not change: one query for each kind. The
    flags load raises on attachment files (:data:`FILE_FLAG_CODES`) are not the rules':
    they are left out on both sides.
    """
    outdated: set[str] = set()
    if quarantined:
        now = {r.legacy_row_id: _reasons(r) for r in records if r.legacy_table == legacy_table}
        stmt = sa.select(
            QUARANTINE.c.legacy_row_id, QUARANTINE.c.reason_codes, QUARANTINE.c.details
        ).where(QUARANTINE.c.legacy_table == legacy_table)
        stored = {
            row[0]: (row[1], row[2])
            for row in select_in_chunks(conn, stmt, QUARANTINE.c.legacy_row_id, sorted(quarantined))
        }
        outdated.update(r for r in quarantined if stored.get(r) != now.get(r))
    if loaded:
        wanted: dict[str, set[tuple[str | None, ...]]] = {}
        for flag in flags:
            if flag.legacy_table == legacy_table and flag.code not in FILE_FLAG_CODES:
                wanted.setdefault(flag.legacy_row_id, set()).add(_flag_state(flag))
        stmt = sa.select(DQ_FLAG.c.legacy_row_id, *(DQ_FLAG.c[c] for c in _FLAG_STATE)).where(
            DQ_FLAG.c.legacy_table == legacy_table, DQ_FLAG.c.code.not_in(sorted(FILE_FLAG_CODES))
        )
        have: dict[str, set[tuple[str | None, ...]]] = {}
        for row in select_in_chunks(conn, stmt, DQ_FLAG.c.legacy_row_id, sorted(loaded)):
            have.setdefault(row[0], set()).add(tuple(row[1:]))
        outdated.update(r for r in loaded if have.get(r, set()) != wanted.get(r, set()))
    return outdated
