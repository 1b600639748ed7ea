"""Where a store stands: its migration runs, the tables of the latest, the ledger's outcomes, and
the stewards' open work. What ``icm-migrate status`` shows.

Read from what batches have committed, without the store's lock, so it answers while a
migration runs (the lock would make it wait for none). Nothing here is personal data:
run ids, legacy table names, ROW_IDs (Siebel keys), counts and times.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from load.ledger import outcome_counts
from load.match_review import MATCH_DECISIONS
from load.quarantine_review import REVIEW_STATUSES
from load.target_schema import target_table
from transform import TABLE_LOAD_ORDER

__all__ = ["RunSummary", "StoreStatus", "TableProgress", "store_status"]

RUN = target_table("migration.migration_run")
CHECKPOINT = target_table("migration.checkpoint")
QUARANTINE = target_table("migration.quarantine")
CANDIDATE = target_table("migration.person_match_candidate")


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time in UTC (SQLite keeps it without a zone)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


@dataclass(frozen=True)
class RunSummary:
    """One migration run as its record has it."""

    id: str
    kind: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    as_of: dt.date | None
    prune_deleted: bool
    detail: str | None


@dataclass(frozen=True)
class TableProgress:
    """A legacy table in the latest run: done, under way (rows after ``last_row_id`` to do), or
    not started (no checkpoint of that run)."""

    legacy_table: str
    state: str
    rows_done: int
    last_row_id: str | None
    updated_at: dt.datetime | None


@dataclass(frozen=True)
class StoreStatus:
    """The store at a glance (see the module doc). ``runs`` latest first."""

    runs: tuple[RunSummary, ...]
    tables: tuple[TableProgress, ...]
    outcomes: dict[str, dict[str, int]]
    quarantine_by_status: dict[str, int]
    pairs_by_decision: dict[str, int]

    @property
    def latest(self) -> RunSummary | None:
        return self.runs[0] if self.runs else None


def _runs(conn: sa.Connection, limit: int) -> tuple[RunSummary, ...]:
    stmt = sa.select(RUN).order_by(RUN.c.started_at.desc(), RUN.c.id.desc()).limit(limit)
    return tuple(
        RunSummary(
            id=row.id,
            kind=row.kind,
            status=row.status,
            started_at=_utc(row.started_at) or row.started_at,
            finished_at=_utc(row.finished_at),
            as_of=row.as_of,
            prune_deleted=bool(row.prune_deleted),
            detail=row.detail,
        )
        for row in conn.execute(stmt)
    )


def _tables(conn: sa.Connection, run: RunSummary | None) -> tuple[TableProgress, ...]:
    if run is None:
        return ()
    stored = {
        row.legacy_table: row
        for row in conn.execute(sa.select(CHECKPOINT).where(CHECKPOINT.c.run_id == run.id))
    }
    progress = []
    for table in TABLE_LOAD_ORDER:
        row = stored.get(table)
        if row is None:
            progress.append(TableProgress(table, "not started", 0, None, None))
            continue
        state = "done" if row.completed else "under way"
        progress.append(
            TableProgress(table, state, int(row.rows_done), row.last_row_id, _utc(row.updated_at))
        )
    return tuple(progress)


def _counts(
    conn: sa.Connection, column: sa.ColumnElement[str], known: tuple[str, ...]
) -> dict[str, int]:
    counts = dict.fromkeys(known, 0)
    for value, n in conn.execute(sa.select(column, sa.func.count()).group_by(column)):
        counts[str(value)] = int(n)
    return counts


def store_status(engine: sa.Engine, *, runs: int = 5) -> StoreStatus:
    """The store's status (see :class:`StoreStatus`): the ``runs`` latest runs, the latest run's
    tables in load order, and the counts with every known status and decision (zeros
    included)."""
    with engine.connect() as conn:
        recent = _runs(conn, runs)
        tables = _tables(conn, recent[0] if recent else None)
        quarantine = _counts(conn, QUARANTINE.c.status, REVIEW_STATUSES)
        pairs = _counts(conn, CANDIDATE.c.decision, MATCH_DECISIONS)
    return StoreStatus(
        runs=recent,
        tables=tables,
        outcomes=_in_load_order(outcome_counts(engine)),
        quarantine_by_status=quarantine,
        pairs_by_decision=pairs,
    )


def _in_load_order(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """``counts`` by legacy table in load order (any other table last, by name)."""
    known = [t for t in TABLE_LOAD_ORDER if t in counts]
    return {t: counts[t] for t in [*known, *sorted(set(counts) - set(known))]}
