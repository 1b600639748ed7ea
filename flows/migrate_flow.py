"""The Prefect flow ``migrate``: per legacy table in dependency order, batch by batch.

Each batch is a ``prepare-batch`` task (extract and transform) and a ``write-batch``
task (one transaction), submitted so that it runs while the next batch is prepared.

Only transient errors (a lost connection, a deadlock, a locked database) are
retried; bad data never raises (it is quarantined) and a broken schema or
configuration fails at once. The flow publishes a table artifact with the
per-table outcome counts. Progress reaches the command line through
:func:`set_progress_sink`, because flow parameters must stay plain values.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.states import State

import extract
import load
import transform
from flows.connections import resolve
from flows.engines import make_source, make_target_engine, redact
from flows.pipeline import (
    BatchReport,
    MigrationJob,
    PreparedBatch,
    ProgressSink,
    WriteHandle,
    finish_migration,
    prepare_batch,
    prepare_migration,
    run_tables,
    write_prepared,
)

__all__ = ["is_transient", "migrate_flow", "set_progress_sink", "summary_rows"]

_progress: ContextVar[ProgressSink | None] = ContextVar("icm_progress", default=None)
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    extract.TransientExtractError,
    load.TransientLoadError,
)


def set_progress_sink(sink: ProgressSink | None) -> None:
    """Where batch progress goes (the CLI's progress bars); None for nowhere."""
    _progress.set(sink)


def is_transient(_task: Any, _run: TaskRun, state: State[Any]) -> bool:
    """Retry only errors a retry can help with."""
    try:
        state.result(raise_on_failure=True)
    except TRANSIENT_ERRORS:
        return True
    except BaseException:
        return False
    return False


_retried = task(
    retries=3,
    retry_delay_seconds=[2, 10, 30],
    retry_condition_fn=is_transient,
    cache_policy=NO_CACHE,
    persist_result=False,
)
"""A batch step's task: only errors a retry can help with are retried."""


def _prepare(job: MigrationJob, table: str, after: str | None) -> PreparedBatch | None:
    """Extract and transform one batch (retried on transient source errors)."""
    return prepare_batch(job, table, after)


def _write(
    job: MigrationJob, table: str, after: str | None, prepared: PreparedBatch
) -> BatchReport:
    """Write one prepared batch in one transaction (retried on transient target errors).

    ``table`` and ``after`` are the batch's, given again to name the task run.
    """
    return write_prepared(job, prepared)


prepare_batch_task = _retried(_prepare).with_options(
    name="prepare-batch", task_run_name="prepare {table} after {after}"
)
write_batch_task = _retried(_write).with_options(
    name="write-batch", task_run_name="write {table} after {after}"
)


class TaskSteps:
    """Batches as Prefect tasks: each prepared in the flow's thread, then written by a
    task submitted to the flow's task runner while the next one is prepared."""

    def prepare(self, job: MigrationJob, table: str, after: str | None) -> PreparedBatch | None:
        return prepare_batch_task(job, table, after)

    def write(self, job: MigrationJob, prepared: PreparedBatch) -> WriteHandle:
        return write_batch_task.submit(job, prepared.table, prepared.after, prepared)


def stewards_work(status: load.StoreStatus) -> str:
    """The stewards' open work after a run, in one line (counts only)."""
    quarantine = ", ".join(f"{n:,} {s}" for s, n in status.quarantine_by_status.items())
    pairs = ", ".join(f"{n:,} {d}" for d, n in status.pairs_by_decision.items())
    return f"Quarantine records: {quarantine}. Probable duplicate pairs: {pairs}."


def summary_rows(counts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """One row per legacy table: source rows = loaded + quarantined + excluded."""
    rows = []
    for table in transform.TABLE_LOAD_ORDER:
        c = counts.get(table, {})
        loaded, quarantined, excluded = (
            c.get("loaded", 0),
            c.get("quarantined", 0),
            c.get("excluded", 0),
        )
        rows.append(
            {
                "table": table,
                "rows": loaded + quarantined + excluded,
                "loaded": loaded,
                "quarantined": quarantined,
                "excluded": excluded,
            }
        )
    return rows


@flow(name="migrate", validate_parameters=False, persist_result=False, log_prints=False)
def migrate_flow(
    source: str,
    target: str,
    attachments_dir: str | None = None,
    attachment_store: str | None = None,
    batch_size: int = 5000,
    requested_by: str | None = None,
    as_of: str | None = None,
    prune_deleted: bool = False,
) -> dict[str, dict[str, int]]:
    """Migrate every legacy ICM table into the new store. Returns per-table outcome counts.

    ``source`` and ``target`` may be references from ``flows.connections.hold``,
    which keep credentials out of the parameters Prefect records.
    """
    logger = get_run_logger()
    source, target = resolve(source), resolve(target)
    source_engine = make_source(source)
    target_engine = make_target_engine(target)
    try:
        with load.store_lock(target_engine, exclusive=True):
            job = prepare_migration(
                source_engine,
                target_engine,
                source_label=redact(source),
                batch_size=batch_size,
                attachments_dir=Path(attachments_dir) if attachments_dir else None,
                attachment_store=Path(attachment_store) if attachment_store else None,
                requested_by=requested_by,
                as_of=dt.date.fromisoformat(as_of) if as_of else None,
                prune_deleted=prune_deleted,
            )
            logger.info("migration run %s from %s", job.run_id, redact(source))
            run_tables(job, steps=TaskSteps(), sink=_progress.get())
            counts = finish_migration(job, status="succeeded")
            stewards = load.store_status(target_engine, runs=1)
    finally:
        source_engine.close()
        target_engine.dispose()
    rows = summary_rows(counts)
    create_table_artifact(
        table=rows,
        key="migration-outcomes",
        description=f"Outcomes of migration run {job.run_id}. {stewards_work(stewards)}",
    )
    logging.getLogger("icm.migrate").info("migration run %s finished", job.run_id)
    return counts
