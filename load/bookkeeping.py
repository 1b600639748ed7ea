"""Quarantine records and data-quality flags: written with their rows, replaced when a row is rewritten."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping, Sequence

import sqlalchemy as sa

from load.audit_chain import append_chained
from load.errors import TerminalLoadError
from load.target_schema import target_table
from load.transaction import store_now
from load.upsert import chunked, in_chunk_size, one_of, select_in_chunks, upsert_rows
from transform.result import Flag, QuarantineRecord

__all__ = [
    "FLAG_KEY",
    "current_quarantine",
    "delete_bookkeeping",
    "record_status_changes",
    "unique_flags",
    "write_flags",
    "write_quarantine",
]

QUARANTINE = target_table("migration.quarantine")
DQ_FLAG = target_table("migration.dq_flag")
LEDGER = target_table("migration.ledger")
QUARANTINE_REVIEW = target_table("migration.quarantine_review")
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
    """Upsert quarantine records, one per legacy row. A new record, or one whose reasons or raw
    row changed, is ``open`` (to review again); an unchanged one keeps its status (a steward's
    ``waived`` stands) and its run id. A reviewed record (not ``open``) that changed is
    opened again on the record: a ``quarantine_review`` row by the run says so."""
    rows = [_quarantine_row(r, run_id) for r in records]
    _record_reopened(conn, rows, run_id)
    update = [c for c in _QUARANTINE_COLUMNS if c not in ("legacy_table", "legacy_row_id")]
    return upsert_rows(
        conn,
        QUARANTINE,
        _QUARANTINE_COLUMNS,
        rows,
        conflict=("legacy_table", "legacy_row_id"),
        update=update,
        changed_when=("reason_codes", "details", "raw_row"),
    )


def delete_bookkeeping(
    conn: sa.Connection,
    keys: Mapping[str, Sequence[str]],
    *,
    still_quarantined: Collection[tuple[str, str]] = (),
    flags_kept: Iterable[Flag] = (),
) -> int:
    """Delete the quarantine records and flags of ``keys`` (legacy_table -> ROW_IDs) that are not
    written again: the records of rows ``still_quarantined`` and the flags with the key of one of
    ``flags_kept`` stay, for :func:`write_quarantine` and :func:`write_flags` to update in place
    (an unchanged one keeps its id, run id and status)."""
    kept = {_flag_key(f) for f in flags_kept}
    deleted = 0
    for legacy_table, row_ids in keys.items():
        gone = [r for r in row_ids if (legacy_table, r) not in still_quarantined]
        for chunk in chunked(gone, in_chunk_size(conn)):
            deleted += conn.execute(
                sa.delete(QUARANTINE).where(
                    QUARANTINE.c.legacy_table == legacy_table,
                    one_of(conn, QUARANTINE.c.legacy_row_id, chunk),
                )
            ).rowcount
        stmt = sa.select(DQ_FLAG.c.id, *(DQ_FLAG.c[c] for c in FLAG_KEY)).where(
            DQ_FLAG.c.legacy_table == legacy_table
        )
        stored = select_in_chunks(conn, stmt, DQ_FLAG.c.legacy_row_id, list(row_ids))
        stale = [row[0] for row in stored if (*row[1:4], row[4] or "") not in kept]
        for chunk in chunked(stale, in_chunk_size(conn)):
            deleted += conn.execute(
                sa.delete(DQ_FLAG).where(one_of(conn, DQ_FLAG.c.id, chunk))
            ).rowcount
    return deleted


def current_quarantine() -> sa.FromClause:
    """The quarantine records of the rows the ledger has quarantined now: a record stays in
    the table only while its row is quarantined, but this is the join that says so."""
    return QUARANTINE.join(
        LEDGER,
        sa.and_(
            LEDGER.c.legacy_table == QUARANTINE.c.legacy_table,
            LEDGER.c.legacy_row_id == QUARANTINE.c.legacy_row_id,
            LEDGER.c.outcome == "quarantined",
        ),
    )


def _record_reopened(conn: sa.Connection, rows: Sequence[tuple[str, ...]], run_id: str) -> None:
    """Append a review row for each record among ``rows`` (as :func:`_quarantine_row` makes
    them) that a steward had reviewed and that changed: the upsert opens it again."""
    new = {(r[0], r[1]): r[3:6] for r in rows}
    by_table: dict[str, list[str]] = {}
    for table, row_id in new:
        by_table.setdefault(table, []).append(row_id)
    reopened = []
    for table, row_ids in by_table.items():
        stmt = sa.select(
            QUARANTINE.c.legacy_row_id,
            QUARANTINE.c.status,
            QUARANTINE.c.reason_codes,
            QUARANTINE.c.details,
            QUARANTINE.c.raw_row,
        ).where(QUARANTINE.c.legacy_table == table, QUARANTINE.c.status != "open")
        for row_id, status, *stored in select_in_chunks(
            conn, stmt, QUARANTINE.c.legacy_row_id, row_ids
        ):
            if (table, row_id) in new and tuple(stored) != new[(table, row_id)]:
                reopened.append((table, row_id, status))
    record_status_changes(
        conn,
        reopened,
        status="open",
        reviewed_by=f"icm-migrate run {run_id}",
        note=f"run {run_id} found its reasons or raw row changed: to review again",
    )


def record_status_changes(
    conn: sa.Connection,
    changes: Sequence[tuple[str, str, str]],
    *,
    status: str,
    reviewed_by: str,
    note: str,
    at: dt.datetime | None = None,
) -> None:
    """Append to ``migration.quarantine_review`` one row per change (legacy table, ROW_ID,
    previous status) of a record to ``status``, by ``reviewed_by`` at ``at`` (now)."""
    if not changes:
        return
    when = at or store_now(conn)
    append_chained(
        conn,
        QUARANTINE_REVIEW,
        [
            {
                "legacy_table": table,
                "legacy_row_id": row_id,
                "previous_status": previous,
                "status": status,
                "reviewed_by": reviewed_by,
                "reviewed_at": when,
                "note": note,
            }
            for table, row_id, previous in changes
        ],
    )
