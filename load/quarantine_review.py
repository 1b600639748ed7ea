"""Data stewards' decisions on quarantine records: a new status, with who, when and why.

A steward who has looked at a quarantined row either waives it (it stays out of
the new store, knowingly), marks it replayed (the cause is fixed in the legacy
system; the next run loads it), or opens it again. The record's ``status`` holds
the latest decision; ``migration.quarantine_review`` keeps every change, so an
auditor can see each waiver and who made it, even after a re-run opened the
record again because its reasons or raw row changed (load.bookkeeping).

All or nothing: every row named must be one the ledger has quarantined, or
nothing is written. The note is the steward's own text: it is stored, never
logged or shown in an error.

``replayed`` waits for the next run: a complete run that still quarantines the
row opens its record again (:func:`reopen_unloaded_replays`), with a history row
saying which run, so a replay that did not work returns to the stewards' worklist
instead of hiding in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from load.bookkeeping import current_quarantine, record_status_changes
from load.errors import TerminalLoadError
from load.target_schema import target_table
from load.transaction import store_now, write_transaction
from load.upsert import chunked, in_chunk_size, one_of

__all__ = [
    "REVIEW_STATUSES",
    "ReviewOutcome",
    "ReviewRefused",
    "check_review",
    "reopen_unloaded_replays",
    "review_quarantine",
]

REVIEW_STATUSES = ("open", "replayed", "waived")

QUARANTINE = target_table("migration.quarantine")
REVIEW = target_table("migration.quarantine_review")
RUN = target_table("migration.migration_run")


class ReviewRefused(TerminalLoadError):
    """A review that cannot be recorded as asked (nothing was written); a retry will not help."""


@dataclass(frozen=True)
class ReviewOutcome:
    """How many of the rows named changed status, and how many already had it (left alone,
    with no review recorded)."""

    changed: int
    unchanged: int


def check_review(
    value: str, allowed: tuple[str, ...], label: str, reviewed_by: str, note: str
) -> None:
    """Raise :class:`ReviewRefused` unless ``value`` (the ``label`` decided) is one of
    ``allowed`` and the review says who made it and why."""
    if value not in allowed:
        raise ReviewRefused(f"unknown {label} {value!r}; known: {', '.join(allowed)}")
    if not reviewed_by.strip():
        raise ReviewRefused("a review must say who made it")
    if not note.strip():
        raise ReviewRefused("a review must say why (a note): auditors read it")


def review_quarantine(
    engine: sa.Engine,
    rows: Iterable[tuple[str, str]],
    status: str,
    *,
    reviewed_by: str,
    note: str,
    at: dt.datetime | None = None,
) -> ReviewOutcome:
    """Give the quarantine records of ``rows`` (legacy table, ROW_ID) ``status``, and record each
    change with ``reviewed_by``, ``note`` and ``at`` (now, by default), in one transaction.

    Raises :class:`ReviewRefused`, naming the first such row, when a row has no quarantine
    record or the ledger does not have it quarantined (nothing is written then).
    """
    check_review(status, REVIEW_STATUSES, "status", reviewed_by, note)
    named = sorted(set(rows))
    if not named:
        raise ReviewRefused("no row named: nothing to review")
    by_table: dict[str, list[str]] = {}
    for table, row_id in named:
        by_table.setdefault(table, []).append(row_id)
    changed = unchanged = 0
    with write_transaction(engine) as conn:
        when = (at or store_now(conn)).astimezone(dt.UTC)
        for table, row_ids in by_table.items():
            current = _quarantined_statuses(conn, table, row_ids)
            for row_id in row_ids:
                if row_id not in current:
                    raise ReviewRefused(
                        "no quarantined row with this ROW_ID in the store; nothing was changed",
                        table=table,
                        legacy_row_id=row_id,
                    )
            moving = [r for r in row_ids if current[r] != status]
            unchanged += len(row_ids) - len(moving)
            changed += len(moving)
            for chunk in chunked(moving, in_chunk_size(conn)):
                conn.execute(
                    sa.update(QUARANTINE)
                    .where(QUARANTINE.c.legacy_table == table)
                    .where(one_of(conn, QUARANTINE.c.legacy_row_id, list(chunk)))
                    .values(status=status)
                )
            record_status_changes(
                conn,
                [(table, row_id, current[row_id]) for row_id in moving],
                status=status,
                reviewed_by=reviewed_by.strip(),
                note=note.strip(),
                at=when,
            )
    return ReviewOutcome(changed=changed, unchanged=unchanged)


def _quarantined_statuses(conn: sa.Connection, table: str, row_ids: list[str]) -> dict[str, str]:
    """ROW_ID -> its quarantine record's status, of the rows among ``row_ids`` that the ledger
    has quarantined."""
    found: dict[str, str] = {}
    for chunk in chunked(row_ids, in_chunk_size(conn)):
        stmt = (
            sa.select(QUARANTINE.c.legacy_row_id, QUARANTINE.c.status)
            .select_from(current_quarantine())
            .where(QUARANTINE.c.legacy_table == table)
            .where(one_of(conn, QUARANTINE.c.legacy_row_id, list(chunk)))
        )
        found.update({row_id: status for row_id, status in conn.execute(stmt)})
    return found


def reopen_unloaded_replays(engine: sa.Engine, *, run_id: str) -> int:
    """Open again every record marked ``replayed`` before run ``run_id`` began that the run,
    now complete, left quarantined, recording each change as made by that run; returns how
    many. Call it once every table is done (a record the run loaded is gone by then); doing
    it again changes nothing. A mark made after the run began (while it was stopped by a
    crash, before it resumed) waits for the next run: the run may have passed that table."""
    marked = (
        sa.select(
            REVIEW.c.legacy_table,
            REVIEW.c.legacy_row_id,
            sa.func.max(REVIEW.c.reviewed_at).label("at"),
        )
        .where(REVIEW.c.status == "replayed")
        .group_by(REVIEW.c.legacy_table, REVIEW.c.legacy_row_id)
        .subquery()
    )
    began = sa.select(RUN.c.started_at).where(RUN.c.id == run_id).scalar_subquery()
    stmt = (
        sa.select(QUARANTINE.c.legacy_table, QUARANTINE.c.legacy_row_id)
        .outerjoin(
            marked,
            (marked.c.legacy_table == QUARANTINE.c.legacy_table)
            & (marked.c.legacy_row_id == QUARANTINE.c.legacy_row_id),
        )
        .where(QUARANTINE.c.status == "replayed")
        .where(marked.c.at.is_(None) | (marked.c.at < began))  # no history: marked by hand
    )
    with write_transaction(engine) as conn:
        replayed = [(str(t), str(r)) for t, r in conn.execute(stmt)]
        by_table: dict[str, list[str]] = {}
        for table, row_id in replayed:
            by_table.setdefault(table, []).append(row_id)
        for table, row_ids in by_table.items():
            for chunk in chunked(row_ids, in_chunk_size(conn)):
                conn.execute(
                    sa.update(QUARANTINE)
                    .where(QUARANTINE.c.legacy_table == table)
                    .where(one_of(conn, QUARANTINE.c.legacy_row_id, list(chunk)))
                    .values(status="open")
                )
        record_status_changes(
            conn,
            [(table, row_id, "replayed") for table, row_id in replayed],
            status="open",
            reviewed_by=f"icm-migrate run {run_id}",
            note=f"run {run_id} still quarantined the row: the replay did not load it",
        )
    return len(replayed)
