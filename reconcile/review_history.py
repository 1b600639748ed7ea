"""The auditors' list of every review on record, as CSV: stewards' decisions and what runs did.

One line per row of ``migration.quarantine_review`` and ``migration.match_review``,
oldest first: which review (``quarantine`` or ``match``), the legacy table and
ROW_ID (for a pair, both S_CONTACT ROW_IDs), the status or decision before and
after, who (a steward's user name, or ``icm-migrate run <id>`` for what a run did:
a failed replay opened again, a decided pair withdrawn) and when.

The notes are the stewards' own text and may name a person: a line carries
:data:`HIDDEN_NOTE` in their place unless the caller asks to reveal them. Each
line also carries its row's ``id`` and hash link (:mod:`load.audit_chain`), and, with
the notes revealed, the exact text the link covers (``chained_text``; the other
cells may be escaped against spreadsheet formulas, this one never needs it): the
file alone then lets an auditor recompute every link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

import sqlalchemy as sa

from load.audit_chain import CHAINED_COLUMNS, canonical_row
from load.target_schema import target_table
from reconcile.render_csv import write_rows

__all__ = ["HIDDEN_NOTE", "REVIEW_CSV_COLUMNS", "ReviewLine", "review_lines", "write_review_csv"]

REVIEW_CSV_COLUMNS = (
    "review",
    "legacy_table",
    "legacy_row_id",
    "other_row_id",
    "previous",
    "new",
    "reviewed_by",
    "reviewed_at",
    "note",
    "review_id",
    "chain_sha256",
    "chained_text",
)
HIDDEN_NOTE = "[hidden: --reveal-notes shows it]"


@dataclass(frozen=True)
class ReviewLine:
    """One review on record. ``other_row_id`` is the pair's second person (match reviews);
    ``review_id`` and ``chain_sha256`` are the row's ``id`` and hash link in its history."""

    review: str
    legacy_table: str
    legacy_row_id: str
    other_row_id: str
    previous: str
    new: str
    reviewed_by: str
    reviewed_at: dt.datetime
    note: str
    review_id: int
    chain_sha256: str
    chained_text: str
    """The exact text the row's hash link covers (:func:`load.audit_chain.canonical_row`);
    empty when the notes are hidden, as it holds the note."""


def _utc(value: dt.datetime) -> dt.datetime:
    """A stored time in UTC (SQLite keeps it without a zone)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _history() -> sa.Subquery:
    quarantine = target_table("migration.quarantine_review")
    match = target_table("migration.match_review")
    return sa.union_all(
        sa.select(
            sa.literal("quarantine").label("review"),
            quarantine.c.id,
            quarantine.c.legacy_table,
            quarantine.c.legacy_row_id,
            sa.literal("").label("other_row_id"),
            quarantine.c.previous_status.label("previous"),
            quarantine.c.status.label("new"),
            quarantine.c.reviewed_by,
            quarantine.c.reviewed_at,
            quarantine.c.note,
            quarantine.c.chain_sha256,
        ),
        sa.select(
            sa.literal("match").label("review"),
            match.c.id,
            sa.literal("S_CONTACT").label("legacy_table"),
            match.c.person_a_row_id,
            match.c.person_b_row_id,
            match.c.previous_decision,
            match.c.decision,
            match.c.reviewed_by,
            match.c.reviewed_at,
            match.c.note,
            match.c.chain_sha256,
        ),
    ).subquery()


def review_lines(
    conn: sa.Connection, *, reveal_notes: bool = False, batch_size: int = 5000
) -> Iterator[ReviewLine]:
    """Every review on record, oldest first (at one time, match reviews before quarantine
    reviews, each in the order recorded); notes as :data:`HIDDEN_NOTE` unless ``reveal_notes``."""
    history = _history()
    stmt = sa.select(history).order_by(history.c.reviewed_at, history.c.review, history.c.id)
    for row in conn.execute(stmt.execution_options(yield_per=batch_size)):
        if row.review == "quarantine":
            table, keys = "quarantine_review", (row.legacy_table, row.legacy_row_id)
        else:
            table, keys = "match_review", (row.legacy_row_id, row.other_row_id)
        chained = dict(
            zip(
                CHAINED_COLUMNS[table],
                (*keys, row.previous, row.new, row.reviewed_by, row.reviewed_at, row.note),
                strict=True,
            )
        )
        yield ReviewLine(
            review=row.review,
            legacy_table=row.legacy_table,
            legacy_row_id=row.legacy_row_id,
            other_row_id=row.other_row_id or "",
            previous=row.previous,
            new=row.new,
            reviewed_by=row.reviewed_by,
            reviewed_at=_utc(row.reviewed_at),
            note=row.note if reveal_notes else HIDDEN_NOTE,
            review_id=row.id,
            chain_sha256=row.chain_sha256,
            chained_text=canonical_row(table, chained).decode() if reveal_notes else "",
        )


def write_review_csv(lines: Iterator[ReviewLine], out: TextIO) -> int:
    """Write ``lines`` as CSV to ``out`` (opened with ``newline=""``), header first; returns how
    many reviews were written. The byte order mark is the caller's (its encoding)."""
    return write_rows(
        out,
        REVIEW_CSV_COLUMNS,
        (
            (
                line.review,
                line.legacy_table,
                line.legacy_row_id,
                line.other_row_id,
                line.previous,
                line.new,
                line.reviewed_by,
                line.reviewed_at.isoformat(),
                line.note,
                str(line.review_id),
                line.chain_sha256,
                line.chained_text,
            )
            for line in lines
        ),
    )
