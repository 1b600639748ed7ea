"""The ledger: exactly one outcome per legacy row (loaded, quarantined, excluded)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from load.output_digest import DIGEST_COLUMN
from load.target_schema import target_table
from load.upsert import chunked, frame_records, in_chunk_size, one_of, select_in_chunks, upsert_rows
from transform.result import LEDGER_COLUMNS

__all__ = [
    "OUTCOMES",
    "LedgerState",
    "delete_ledger_rows",
    "has_earlier_runs",
    "ledger_outcomes",
    "ledger_row_ids",
    "outcome_counts",
    "read_ledger_states",
    "write_ledger",
]

OUTCOMES = ("loaded", "quarantined", "excluded")
LEDGER = target_table("migration.ledger")
_KEY = ("legacy_table", "legacy_row_id")


@dataclass(frozen=True)
class LedgerState:
    """What the ledger says of one legacy row."""

    outcome: str
    source_hash: str
    target_table: str | None
    target_id: str | None
    output_digest: str | None = None  # what its batch wrote (None: written before digests)


def read_ledger_states(
    conn: sa.Connection, keys: Mapping[str, Collection[str]]
) -> dict[tuple[str, str], LedgerState]:
    """Ledger entries of ``keys`` (legacy_table -> ROW_IDs), matched exactly (byte for byte)."""
    found: dict[tuple[str, str], LedgerState] = {}
    for legacy_table, row_ids in keys.items():
        wanted = set(row_ids)
        if not wanted:
            continue
        stmt = sa.select(
            LEDGER.c.legacy_row_id,
            LEDGER.c.outcome,
            LEDGER.c.source_hash,
            LEDGER.c.target_table,
            LEDGER.c.target_id,
            LEDGER.c.output_digest,
        ).where(LEDGER.c.legacy_table == legacy_table)
        rows = select_in_chunks(conn, stmt, LEDGER.c.legacy_row_id, sorted(wanted))
        for row_id, *state in rows:
            if row_id in wanted:  # the database may compare more loosely than Python
                found[(legacy_table, row_id)] = LedgerState(*state)
    return found


def ledger_outcomes(
    engine: sa.Engine, keys: Mapping[str, Collection[str]]
) -> dict[tuple[str, str], str]:
    """``(legacy_table, ROW_ID) -> outcome`` for those of ``keys`` the ledger holds; absent keys are left out."""
    with engine.connect() as conn:
        return {key: state.outcome for key, state in read_ledger_states(conn, keys).items()}


def ledger_row_ids(
    engine: sa.Engine, legacy_table: str, *, batch_size: int = 5000
) -> Iterator[str]:
    """Every ROW_ID the ledger holds of ``legacy_table``, in byte order (the order extract reads
    the source in: ``legacy_row_id`` is in collation "C" on PostgreSQL, BINARY on SQLite), read
    a page at a time."""
    after: str | None = None
    while True:
        stmt = sa.select(LEDGER.c.legacy_row_id).where(LEDGER.c.legacy_table == legacy_table)
        if after is not None:
            stmt = stmt.where(LEDGER.c.legacy_row_id > after)
        stmt = stmt.order_by(LEDGER.c.legacy_row_id).limit(batch_size)
        with engine.connect() as conn:
            page = [str(row[0]) for row in conn.execute(stmt)]
        yield from page
        if len(page) < batch_size:
            return
        after = page[-1]


def delete_ledger_rows(conn: sa.Connection, keys: Mapping[str, Collection[str]]) -> int:
    """Delete the ledger entries of ``keys`` (legacy_table -> ROW_IDs): rows no longer in the source."""
    deleted = 0
    for legacy_table, row_ids in keys.items():
        for chunk in chunked(sorted(row_ids), in_chunk_size(conn)):
            stmt = sa.delete(LEDGER).where(
                LEDGER.c.legacy_table == legacy_table, one_of(conn, LEDGER.c.legacy_row_id, chunk)
            )
            deleted += conn.execute(stmt).rowcount
    return deleted


def has_earlier_runs(engine: sa.Engine, run_id: str) -> bool:
    """Whether the ledger holds a row another run wrote (else this is the store's first run)."""
    stmt = sa.select(LEDGER.c.legacy_row_id).where(LEDGER.c.run_id != run_id).limit(1)
    with engine.connect() as conn:
        return conn.execute(stmt).first() is not None


def outcome_counts(engine: sa.Engine) -> dict[str, dict[str, int]]:
    """Per legacy table, how many rows ended with each outcome (every outcome present, zeros included)."""
    stmt = sa.select(LEDGER.c.legacy_table, LEDGER.c.outcome, sa.func.count()).group_by(
        LEDGER.c.legacy_table, LEDGER.c.outcome
    )
    counts: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        for legacy_table, outcome, n in conn.execute(stmt):
            counts.setdefault(legacy_table, dict.fromkeys(OUTCOMES, 0))[outcome] = int(n)
    return dict(sorted(counts.items()))


def write_ledger(conn: sa.Connection, ledger: pd.DataFrame, *, run_id: str) -> int:
    """Upsert ledger rows (columns :data:`LEDGER_COLUMNS` and ``output_digest``) stamped with ``run_id``."""
    written = [*LEDGER_COLUMNS, DIGEST_COLUMN]
    columns = [*written, "run_id"]
    rows = [(*row, run_id) for row in frame_records(ledger, written)]
    update = [c for c in columns if c not in _KEY]
    return upsert_rows(conn, LEDGER, columns, rows, conflict=_KEY, update=update)
