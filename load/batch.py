"""Write one transformed batch: target rows, ledger, quarantine, flags and checkpoint in ONE transaction.

Idempotent by the ledger: a legacy row whose ledger entry already has the
same source hash, outcome and output digest (:mod:`load.output_digest`: what
the batch writes for it) is left untouched (its target rows keep their
``migration_run_id``). Any other row is rewritten: its flags and quarantine
record are replaced, target rows it no longer produces are deleted, its target
rows are upserted on the lineage key (the database writes only values that differ).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd
import psycopg
import sqlalchemy as sa

from load.batch_plan import RUN_COLUMN, BatchPlan, LegacyKey, plan_batch, too_long_value
from load.bookkeeping import delete_bookkeeping, write_flags, write_quarantine
from load.checkpoint import advance_checkpoint
from load.errors import LoadError, TerminalLoadError, classify_db_error
from load.extension_columns import kept_on_upsert
from load.ledger import LedgerState, delete_ledger_rows, read_ledger_states, write_ledger
from load.lineage import (
    LineageKey,
    clear_extension_columns,
    delete_stale_targets,
    lineage_key_columns,
    release_value_keys,
    sweep_unloaded_targets,
    value_key_columns,
)
from load.transaction import write_transaction
from load.upsert import (
    Strategy,
    frame_records,
    select_in_chunks,
    strategy_for,
    update_rows,
    upsert_rows,
)
from transform.result import TransformResult

__all__ = ["BatchCounts", "forget_legacy_rows", "sweep_unloaded", "write_batch"]

_DB_ERRORS = (sa.exc.StatementError, psycopg.Error, sqlite3.Error)


@dataclass(frozen=True)
class BatchCounts:
    """What one batch wrote. ``loaded``/``quarantined``/``excluded`` count legacy rows written (new or
    changed); ``unchanged`` those left untouched; ``flags`` the flags written; ``strategy`` how rows
    reached the database (``copy`` on PostgreSQL, ``executemany`` on SQLite)."""

    loaded: int = 0
    quarantined: int = 0
    excluded: int = 0
    flags: int = 0
    unchanged: int = 0
    target_rows_written: int = 0
    target_rows_deleted: int = 0
    strategy: Strategy = "executemany"


@dataclass
class _Step:
    """Where the batch is, to name the table in an error."""

    table: str | None = None


def write_batch(engine: sa.Engine, result: TransformResult, *, run_id: str) -> BatchCounts:
    """Write ``result`` in one transaction (all or nothing) and advance the checkpoint of its table.

    Raises :class:`TransientLoadError` when a retry can help (lost connection,
    deadlock, locked database), :class:`TerminalLoadError` otherwise (integrity
    or schema problems, a broken input contract), naming the table and ROW_ID.
    """
    plan = plan_batch(result)
    step = _Step()
    try:
        with write_transaction(engine) as conn:
            counts = _write(conn, plan, run_id, step)
            step.table = None
        return counts
    except LoadError:
        raise
    except _DB_ERRORS as exc:
        # Not chained: the driver's message, and SQLAlchemy's list of parameters, may quote row values.
        raise classify_db_error(exc, table=step.table) from None


def sweep_unloaded(engine: sa.Engine) -> int:
    """Once every table of a run is written: delete the target rows of legacy rows no longer
    loaded (or forgotten) that were left because other rows still referred to them
    (:mod:`load.lineage`).

    One transaction. Returns the rows deleted; raises :class:`TerminalLoadError` naming
    the row that something still refers to.
    """
    try:
        with write_transaction(engine) as conn:
            return sweep_unloaded_targets(conn)
    except LoadError:
        raise
    except _DB_ERRORS as exc:
        raise classify_db_error(exc, table="stale target rows") from None


def forget_legacy_rows(engine: sa.Engine, keys: Mapping[str, Sequence[str]], *, run_id: str) -> int:
    """Forget legacy rows gone from the source (legacy_table -> ROW_IDs): delete their ledger
    entries, quarantine records and flags, and clear the columns they set on rows of other
    tables (:mod:`load.extension_columns`), in one transaction. Their target rows stay until
    :func:`sweep_unloaded` at the end of the run, when the rows about them are rewritten (a
    link to a row the ledger does not have resolves as a fresh migration resolves it).
    Returns the ledger entries deleted."""
    if not any(keys.values()):
        return 0
    try:
        with write_transaction(engine) as conn:
            previous = read_ledger_states(conn, keys)
            clear_extension_columns(
                conn,
                {
                    key: (state.target_table, state.target_id)
                    for key, state in previous.items()
                    if state.outcome == "loaded" and state.target_table and state.target_id
                },
                run_id=run_id,
            )
            delete_bookkeeping(conn, keys)
            return delete_ledger_rows(conn, keys)
    except LoadError:
        raise
    except _DB_ERRORS as exc:
        raise classify_db_error(exc, table="ledger") from None


def _write(conn: sa.Connection, plan: BatchPlan, run_id: str, step: _Step) -> BatchCounts:
    step.table = "ledger"
    previous = read_ledger_states(conn, {plan.legacy_table: [k[1] for k in plan.states]})
    unchanged = {
        key
        for key, (outcome, source_hash, digest) in plan.states.items()
        if (old := previous.get(key)) is not None
        and old.outcome == outcome
        and old.source_hash == source_hash
        and old.output_digest == digest
    }
    rewritten = [key for key in plan.states if key in previous and key not in unchanged]
    upserts = [(table, _only(frame, unchanged)) for table, frame in plan.upserts]
    deleted = 0
    if rewritten:
        deleted = _clear_rewritten(conn, plan, previous, rewritten, upserts, run_id, step)

    written = 0
    for table, frame in upserts:
        if not frame.empty:
            step.table = table.name
            written += _upsert_targets(conn, table, frame, run_id)
    for table, frame in plan.updates:
        step.table = table.name
        frame = _skip_updates(plan.ledger, table, frame, unchanged)
        written += _apply_updates(conn, table, frame, plan.ledger, run_id)

    step.table = "ledger"
    ledger = _only(plan.ledger, unchanged)
    write_ledger(conn, ledger, run_id=run_id)
    step.table = "quarantine"
    write_quarantine(
        conn,
        [q for q in plan.quarantined if (q.legacy_table, q.legacy_row_id) not in unchanged],
        run_id=run_id,
    )
    step.table = "dq_flag"
    flags = [f for f in plan.flags if (f.legacy_table, f.legacy_row_id) not in unchanged]
    write_flags(conn, flags, run_id=run_id)
    step.table = "checkpoint"
    advance_checkpoint(
        conn, plan.legacy_table, run_id=run_id, last_row_id=plan.last_key, rows=len(plan.states)
    )

    outcomes = ledger["outcome"].value_counts().to_dict() if not ledger.empty else {}
    return BatchCounts(
        loaded=int(outcomes.get("loaded", 0)),
        quarantined=int(outcomes.get("quarantined", 0)),
        excluded=int(outcomes.get("excluded", 0)),
        flags=len(flags),
        unchanged=len(unchanged),
        target_rows_written=written,
        target_rows_deleted=deleted,
        strategy=strategy_for(conn),
    )


def _only(frame: pd.DataFrame, unchanged: set[LegacyKey]) -> pd.DataFrame:
    """``frame`` without the rows of unchanged legacy rows."""
    if not unchanged or frame.empty:
        return frame
    keep = [
        key not in unchanged
        for key in zip(frame["legacy_table"], frame["legacy_row_id"], strict=True)
    ]
    return frame.loc[keep]


def _clear_rewritten(
    conn: sa.Connection,
    plan: BatchPlan,
    previous: dict[LegacyKey, LedgerState],
    rewritten: list[LegacyKey],
    upserts: list[tuple[sa.Table, pd.DataFrame]],
    run_id: str,
    step: _Step,
) -> int:
    """Undo what rewritten rows wrote before: extension columns, target rows not produced now, flags."""
    step.table = "extension columns"
    clear_extension_columns(
        conn,
        {
            key: (old.target_table, old.target_id)
            for key in rewritten
            if (old := previous[key]).outcome == "loaded" and old.target_table and old.target_id
        },
        run_id=run_id,
    )
    produced: dict[str, set[LineageKey]] = {}
    for table, frame in upserts:
        columns = list(lineage_key_columns(table))
        produced.setdefault(table.name, set()).update(frame_records(frame, columns))
    step.table = "stale target rows"
    by_table: dict[str, list[str]] = {}
    for legacy_table, row_id in rewritten:
        by_table.setdefault(legacy_table, []).append(row_id)
    unloaded = {key for key in rewritten if plan.states[key][0] != "loaded"}
    deleted = delete_stale_targets(conn, by_table, produced, unloaded)
    step.table = "quarantine and dq_flag"
    quarantined = {key for key in rewritten if plan.states[key][0] == "quarantined"}
    rewritten_keys = set(rewritten)
    flags = [f for f in plan.flags if (f.legacy_table, f.legacy_row_id) in rewritten_keys]
    delete_bookkeeping(conn, by_table, still_quarantined=quarantined, flags_kept=flags)
    return deleted


def _upsert_targets(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, run_id: str) -> int:
    """Upsert ``frame`` into ``table`` on its lineage key; integrity errors name the legacy row."""
    if conn.dialect.name == "sqlite" and (found := too_long_value(table, frame)) is not None:
        raise TerminalLoadError(
            "a value longer than its column allows",
            table=table.name,
            legacy_row_id=found[0],
            column=found[1],
        )
    columns = [c.name for c in table.c if c.name != RUN_COLUMN]
    rows = [(*row, run_id) for row in frame_records(frame, columns)]
    columns.append(RUN_COLUMN)
    conflict = lineage_key_columns(table)
    fixed = set(conflict) | {c.name for c in table.primary_key.columns} | kept_on_upsert(table.name)
    fixed -= set(value_key_columns(table))  # a list renamed renames its code set
    update = [c for c in columns if c not in fixed]
    savepoint = conn.begin_nested()
    try:
        release_value_keys(conn, table, frame)
        count = upsert_rows(
            conn,
            table,
            columns,
            rows,
            conflict=conflict,
            update=update,
            # Every value, not only source_hash: a row rewritten for what it depends on keeps its hash.
            changed_when=[c for c in update if c != RUN_COLUMN],
        )
    except (
        sa.exc.IntegrityError,
        sa.exc.DataError,
        psycopg.IntegrityError,
        psycopg.DataError,
    ) as exc:
        savepoint.rollback()
        raise _diagnose(conn, table, frame, exc) from None
    savepoint.commit()
    return count


def _diagnose(
    conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, exc: BaseException
) -> LoadError:
    """The error of a failed upsert, naming the legacy row (and column) that broke a constraint."""
    error = classify_db_error(exc, table=table.name)
    if error.column and error.column in frame.columns:
        nulls = frame[error.column].isna()
        if nulls.any():
            return TerminalLoadError(
                "a required value is missing",
                table=table.name,
                legacy_row_id=str(frame.loc[nulls.idxmax(), "legacy_row_id"]),
                column=error.column,
                sqlstate=error.sqlstate,
            )
    if (found := too_long_value(table, frame)) is not None:
        return TerminalLoadError(
            "a value longer than its column allows",
            table=table.name,
            legacy_row_id=found[0],
            column=found[1],
            sqlstate=error.sqlstate,
        )
    for fk in table.foreign_keys:
        column, parent = fk.parent.name, fk.column
        values = [v for v in frame[column].dropna().unique()]
        present = {row[0] for row in select_in_chunks(conn, sa.select(parent), parent, values)}
        dangling = frame[column].map(partial(_dangles, present=present))
        if dangling.any():
            return TerminalLoadError(
                f"a link to a {parent.table.name} row that does not exist",
                table=table.name,
                legacy_row_id=str(frame.loc[dangling.idxmax(), "legacy_row_id"]),
                column=column,
                sqlstate=error.sqlstate,
            )
    return error


def _dangles(value: Any, *, present: set[Any]) -> bool:
    return value is not None and value == value and value not in present


def _skip_updates(
    ledger: pd.DataFrame, table: sa.Table, frame: pd.DataFrame, unchanged: set[LegacyKey]
) -> pd.DataFrame:
    """Updates made by unchanged legacy rows (their ledger row points at the updated row) are skipped."""
    if not unchanged:
        return frame
    skip = {
        str(target_id)
        for lt, rid, tt, target_id in zip(
            ledger["legacy_table"],
            ledger["legacy_row_id"],
            ledger["target_table"],
            ledger["target_id"],
            strict=True,
        )
        if tt == table.name and (lt, rid) in unchanged
    }
    return frame.loc[[str(v) not in skip for v in frame["id"]]] if skip else frame


def _apply_updates(
    conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, ledger: pd.DataFrame, run_id: str
) -> int:
    """Set columns on existing rows; an update of a row that does not exist is an error, not a no-op."""
    if frame.empty:
        return 0
    ids = list(frame["id"])
    present = {row[0] for row in select_in_chunks(conn, sa.select(table.c.id), table.c.id, ids)}
    missing = [i for i in ids if i not in present]
    if missing:
        by_target = dict(zip(ledger["target_id"].map(str), ledger["legacy_row_id"], strict=True))
        raise TerminalLoadError(
            "an update of a target row that does not exist",
            table=table.name,
            column="id",
            legacy_row_id=by_target.get(str(missing[0])),
        )
    columns = [c for c in frame.columns if c != "id"]
    rows = frame_records(frame, ["id", *columns])
    values: dict[str, Any] = {RUN_COLUMN: run_id}
    return update_rows(conn, table, "id", columns, rows, also_set=values)
