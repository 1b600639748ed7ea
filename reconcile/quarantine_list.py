"""The data stewards' quarantine worklist: every quarantined legacy row and why, as CSV.

The report page shows each quarantine reason with a count and a few ROW_IDs; a
steward who fixes causes in the legacy system needs every row. This reads the
store's quarantine records of the rows whose ledger outcome is ``quarantined``
(the same rows the report counts) and writes one CSV line per reason of each
row: table, ROW_ID, the record's status (``open``, ``replayed``, ``waived``),
reason code, legacy column, the rule's message, the code's meaning, the run
that quarantined it, and the latest steward review of the record (status, who,
when: ``load.review_quarantine``; its note stays in the store, as a steward's
free text may name a person).

Nothing here masks: a rule's message names the table, ROW_ID and column but
never a value (``transform.result``), and the raw legacy row, which holds the
personal data, is not written. Streams from the store, a batch of records at a
time; lines come table by table in load order, then by ROW_ID in byte order.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any, TextIO

import sqlalchemy as sa

from load.bookkeeping import current_quarantine
from load.quarantine_review import REVIEW_STATUSES
from load.target_schema import target_table
from reconcile.render_csv import write_rows
from reconcile.target_reader import key_order
from transform import TABLE_LOAD_ORDER
from transform.vocabulary import REASON_CODES

__all__ = [
    "QUARANTINE_CSV_COLUMNS",
    "QUARANTINE_STATUSES",
    "QuarantineLine",
    "quarantine_lines",
    "write_quarantine_csv",
]

QUARANTINE_STATUSES = REVIEW_STATUSES
QUARANTINE_CSV_COLUMNS = (
    "legacy_table",
    "legacy_row_id",
    "status",
    "reason",
    "legacy_column",
    "message",
    "meaning",
    "run_id",
    "last_review_status",
    "last_reviewed_by",
    "last_reviewed_at",
)
UNREADABLE = "<unreadable details>"


@dataclass(frozen=True)
class QuarantineLine:
    """One reason one legacy row is quarantined."""

    legacy_table: str
    legacy_row_id: str
    status: str
    reason: str
    legacy_column: str
    message: str
    run_id: str
    last_review_status: str = ""
    last_reviewed_by: str = ""
    last_reviewed_at: dt.datetime | None = None

    @property
    def meaning(self) -> str:
        return REASON_CODES.get(self.reason, "")


def _reasons(details: Any, reason_codes: Any) -> list[tuple[str, str, str]]:
    """(code, column, message) of each reason a record gives; a record whose details cannot be
    read still gives its codes, and one that gives nothing readable gives :data:`UNREADABLE`."""
    try:
        entries = json.loads(details)
    except (TypeError, ValueError):
        entries = None
    if isinstance(entries, list) and entries and all(isinstance(e, dict) for e in entries):
        return [
            (
                str(e.get("code") or UNREADABLE),
                str(e.get("column") or ""),
                str(e.get("message") or ""),
            )
            for e in entries
        ]
    try:
        codes = json.loads(reason_codes)
    except (TypeError, ValueError):
        codes = None
    if isinstance(codes, list) and codes:
        return [(str(code), "", "") for code in codes]
    return [(UNREADABLE, "", "")]


def quarantine_lines(
    conn: sa.Connection,
    *,
    tables: Collection[str] = (),
    reasons: Collection[str] = (),
    statuses: Collection[str] = (),
    batch_size: int = 5000,
) -> Iterator[QuarantineLine]:
    """The worklist's lines, streamed; each filter, when given, keeps only the lines whose
    legacy table, reason code or record status it holds."""
    quarantine = target_table("migration.quarantine")
    review = target_table("migration.quarantine_review")
    latest = (
        sa.select(
            review.c.legacy_table,
            review.c.legacy_row_id,
            sa.func.max(review.c.id).label("id"),
        )
        .group_by(review.c.legacy_table, review.c.legacy_row_id)
        .subquery("latest_review")
    )
    last = review.alias("last_review")
    load_order = sa.case(
        {name: position for position, name in enumerate(TABLE_LOAD_ORDER)},
        value=quarantine.c.legacy_table,
        else_=len(TABLE_LOAD_ORDER),
    )
    stmt = (
        sa.select(
            quarantine.c.legacy_table,
            quarantine.c.legacy_row_id,
            quarantine.c.status,
            quarantine.c.details,
            quarantine.c.reason_codes,
            quarantine.c.run_id,
            last.c.status,
            last.c.reviewed_by,
            last.c.reviewed_at,
        )
        .select_from(current_quarantine())
        .outerjoin(
            latest,
            sa.and_(
                latest.c.legacy_table == quarantine.c.legacy_table,
                latest.c.legacy_row_id == quarantine.c.legacy_row_id,
            ),
        )
        .outerjoin(last, last.c.id == latest.c.id)
        .order_by(
            load_order,
            quarantine.c.legacy_table,
            key_order(quarantine.c.legacy_row_id, conn),
        )
        .execution_options(yield_per=batch_size)
    )
    if tables:
        stmt = stmt.where(quarantine.c.legacy_table.in_(sorted(tables)))
    if statuses:
        stmt = stmt.where(quarantine.c.status.in_(sorted(statuses)))
    wanted = frozenset(reasons)
    for row in conn.execute(stmt):
        table, row_id, status, details, reason_codes, run_id, *review_of = row
        reviewed_status, reviewed_by, reviewed_at = review_of
        if isinstance(reviewed_at, dt.datetime):  # in UTC; SQLite keeps it without a zone
            reviewed_at = (
                reviewed_at.replace(tzinfo=dt.UTC)
                if reviewed_at.tzinfo is None
                else reviewed_at.astimezone(dt.UTC)
            )
        for code, column, message in _reasons(details, reason_codes):
            if not wanted or code in wanted:
                yield QuarantineLine(
                    table,
                    row_id,
                    status,
                    code,
                    column,
                    message,
                    run_id,
                    reviewed_status or "",
                    reviewed_by or "",
                    reviewed_at,
                )


def write_quarantine_csv(lines: Iterator[QuarantineLine], out: TextIO) -> int:
    """Write ``lines`` as CSV to ``out`` (opened with ``newline=""``), header first; returns
    how many lines were written. The byte order mark is the caller's (its encoding)."""
    return write_rows(
        out,
        QUARANTINE_CSV_COLUMNS,
        (
            (
                line.legacy_table,
                line.legacy_row_id,
                line.status,
                line.reason,
                line.legacy_column,
                line.message,
                line.meaning,
                line.run_id,
                line.last_review_status,
                line.last_reviewed_by,
                line.last_reviewed_at.isoformat() if line.last_reviewed_at else "",
            )
            for line in lines
        ),
    )
