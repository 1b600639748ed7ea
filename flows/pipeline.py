"""The migration as plain functions: extract -> transform -> load, one batch at a time.

The Prefect flow in ``flows.migrate_flow`` wraps these in tasks; tests call
them directly. Resume: a run that did not finish is resumed with the same
run id, each table from its last committed checkpoint. A new run after a
finished one starts every table again from the beginning; loading is
idempotent, so it changes nothing unless the source did.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd
import sqlalchemy as sa

import extract
import load
import transform
from flows.collector import collect_batch_garbage, fewer_collections
from flows.facts import batch_facts, table_facts
from flows.matching_step import proposed_pairs
from flows.reference_data import load_code_entries, load_crosswalk_rows
from flows.source_deletions import settle_rows_gone_from_source

__all__ = [
    "RUN_KIND_FULL",
    "BatchReport",
    "BatchSteps",
    "MigrationJob",
    "OverlappedSteps",
    "PreparedBatch",
    "ProgressSink",
    "context_for",
    "finish_migration",
    "migrate_direct",
    "migrate_table",
    "prepare_batch",
    "prepare_migration",
    "reference_context",
    "run_matching",
    "run_tables",
    "table_plan",
    "write_prepared",
]

log = logging.getLogger("icm.migrate")
RUN_KIND_FULL = "full"
CODE_VERSION = "0.1.0"
RULES_VERSION = "2026.11"

ProgressSink = Callable[[str, int, int | None], None]  # (table, rows done in this call, total rows)


@dataclass
class MigrationJob:
    """What every batch of one run shares: the source, the target, and reference data."""

    source: extract.LegacySource
    target: sa.Engine
    run_id: str
    context: transform.BatchContext
    batch_size: int
    attachments_dir: Path | None
    attachment_store: Path | None
    facts: dict[str, dict[str, object]] = field(default_factory=dict)
    earlier_runs: bool | None = None  # whether the store holds rows of earlier runs (read once)
    # Whether the run deletes the rows gone from the source (flows.source_deletions).
    prune_deleted: bool = False


@dataclass(frozen=True)
class BatchReport:
    """The outcome of one batch, small enough to log and to hand between tasks."""

    table: str
    rows: int
    loaded: int
    quarantined: int
    excluded: int
    flags: int
    last_key: str | None


def prepare_migration(
    source: extract.LegacySource,
    target: sa.Engine,
    *,
    source_label: str,
    batch_size: int,
    attachments_dir: Path | None,
    attachment_store: Path | None,
    requested_by: str | None = None,
    as_of: dt.date | None = None,
    prune_deleted: bool = False,
) -> MigrationJob:
    """Check both sides, start or resume a run, and gather the reference data every batch needs.

    ``as_of`` and ``prune_deleted`` belong to the run: a resumed run keeps those it started
    with, whatever it is given now."""
    extract.check_source(source)
    load.init_target(target)
    run_id = load.latest_unfinished_run(target, include_failed=True)
    if run_id is None:
        as_of = as_of or dt.datetime.now(dt.UTC).date()
        load.reset_checkpoints(target)
        run_id = load.start_run(
            target,
            kind=RUN_KIND_FULL,
            source=source_label,
            code_version=CODE_VERSION,
            rules_version=RULES_VERSION,
            requested_by=requested_by,
            as_of=as_of,
            prune_deleted=prune_deleted,
        )
        log.info(
            "migration run %s started (as of %s%s)",
            run_id,
            as_of,
            ", pruning rows gone from the source" if prune_deleted else "",
        )
    else:
        # A resumed run applies the date rules of the day it started, whatever today is.
        as_of = load.run_as_of(target, run_id) or as_of or dt.datetime.now(dt.UTC).date()
        started_pruning = load.run_prunes_deleted(target, run_id)
        if started_pruning != prune_deleted:
            log.warning(
                "resuming run %s, which was started %s pruning rows gone from the source: "
                "it goes on that way",
                run_id,
                "with" if started_pruning else "without",
            )
        prune_deleted = started_pruning
        log.info("resuming unfinished migration run %s (as of %s)", run_id, as_of)
    load.seed_crosswalk(target, load_crosswalk_rows())
    context = reference_context(source, as_of=as_of)
    return MigrationJob(
        source=source,
        target=target,
        run_id=run_id,
        context=context,
        batch_size=batch_size,
        attachments_dir=attachments_dir,
        attachment_store=attachment_store,
        prune_deleted=prune_deleted,
    )


def reference_context(source: extract.LegacySource, *, as_of: dt.date) -> transform.BatchContext:
    """The reference data every batch of a run shares: pick lists, crosswalk, users, merges."""
    return transform.BatchContext(
        as_of=as_of,
        codes=load_code_entries(extract.read_code_lists(source)),
        crosswalk={(cs, lv): code for cs, lv, code, _ in load_crosswalk_rows()},
        users=extract.read_user_ids(source),
        merged_into=extract.read_merge_map(source),
    )


def table_plan(job: MigrationJob, table: str) -> str | bool | None:
    """Where ``table`` starts in this run: ``False`` if it is already complete, else the key to start after."""
    checkpoint = load.read_checkpoint(job.target, table)
    if checkpoint is None or checkpoint.run_id != job.run_id:
        return None
    if checkpoint.completed:
        return False
    return checkpoint.last_row_id


def context_for(job: MigrationJob, table: str, frame: pd.DataFrame) -> transform.BatchContext:
    """The context of one batch: the run's reference data, the table's facts, parent outcomes."""
    if table not in job.facts:
        job.facts[table] = table_facts(job.source, table)
    merged_into = job.context.merged_into
    facts = batch_facts(job.source, table, frame, once=job.facts[table], merged_into=merged_into)
    keys = transform.parent_keys(table, frame, merged_into)
    outcomes = load.ledger_outcomes(job.target, keys) if keys else {}
    ctx = job.context
    return transform.BatchContext(
        as_of=ctx.as_of,
        codes=ctx.codes,
        crosswalk=ctx.crosswalk,
        users=ctx.users,
        parent_outcomes=outcomes,
        merged_into=ctx.merged_into,
        facts=facts,
    )


class PreparedBatch:
    """One batch extracted and transformed, ready to be written.

    A plain class, not a dataclass: Prefect walks the dataclasses and collections
    of task parameters, and this holds thousands of records.
    """

    __slots__ = ("after", "last_key", "result", "rows", "table")

    def __init__(
        self,
        table: str,
        after: str | None,
        rows: int,
        last_key: str | None,
        result: transform.TransformResult,
    ) -> None:
        self.table, self.after, self.rows, self.last_key = table, after, rows, last_key
        self.result = result


def prepare_batch(job: MigrationJob, table: str, after: str | None) -> PreparedBatch | None:
    """Extract the next batch of ``table`` after key ``after`` and transform it (no writes).

    None when the table has no rows left.
    """
    batches = extract.read_batches(job.source, table, batch_size=job.batch_size, after=after)
    batch = next(iter(batches), None)
    if batch is None or batch.frame.empty:
        return None
    result = transform.transform_batch(table, batch.frame, context_for(job, table, batch.frame))
    return PreparedBatch(table, after, len(batch.frame), batch.last_key, result)


def write_prepared(job: MigrationJob, prepared: PreparedBatch) -> BatchReport:
    """Store the batch's attachment files, then write it in one transaction with its checkpoint.

    ``prepared`` is left as it was: a retried write starts from the same batch.
    """
    result = prepared.result
    if (
        "attachment" in result.upserts
        and job.attachments_dir is not None
        and job.attachment_store is not None
    ):
        stored, file_flags = load.store_attachments(
            result.upserts["attachment"],
            attachments_dir=job.attachments_dir,
            store_dir=job.attachment_store,
        )
        result = dataclasses.replace(
            result,
            upserts={**result.upserts, "attachment": stored},
            flags=[*result.flags, *file_flags],
        )
    counts = load.write_batch(job.target, result, run_id=job.run_id)
    report = BatchReport(
        table=prepared.table,
        rows=prepared.rows,
        loaded=counts.loaded,
        quarantined=counts.quarantined,
        excluded=counts.excluded,
        flags=counts.flags,
        last_key=prepared.last_key,
    )
    log.info(
        "%s: %d rows after %r -> loaded %d, quarantined %d, excluded %d, flags %d; checkpoint %r",
        report.table,
        report.rows,
        prepared.after,
        report.loaded,
        report.quarantined,
        report.excluded,
        report.flags,
        report.last_key,
    )
    return report


def run_matching(job: MigrationJob) -> int:
    """Propose probable duplicate persons for a steward; never merges. Returns the pairs written."""
    candidates = proposed_pairs(job.source, batch_size=job.batch_size)

    def in_source(persons: Collection[str]) -> Collection[str]:
        return extract.read_rows_by_key(job.source, "S_CONTACT", persons, ()).keys()

    outcome = load.write_match_candidates(
        job.target, candidates, run_id=job.run_id, in_source=in_source
    )
    log.info("S_CONTACT: %d probable duplicate pairs proposed", outcome.written)
    if outcome.withdrawn:
        log.warning(
            "S_CONTACT: %d duplicate pairs a steward had decided are no longer proposed by the "
            "matching rules and were withdrawn; migration.match_review keeps their decisions",
            outcome.withdrawn,
        )
    if outcome.kept:
        log.warning(
            "S_CONTACT: %d duplicate pairs a steward had decided are no longer proposed but kept: "
            "a person of theirs is gone from the source and kept in the store",
            outcome.kept,
        )
    return outcome.written


class WriteHandle(Protocol):
    """A batch write under way: ``result()`` waits for it (and raises what it raised)."""

    def result(self) -> BatchReport: ...


class BatchSteps(Protocol):
    """How a run executes its batches: plain calls (:class:`OverlappedSteps`) or Prefect tasks."""

    def prepare(self, job: MigrationJob, table: str, after: str | None) -> PreparedBatch | None: ...

    def write(self, job: MigrationJob, prepared: PreparedBatch) -> WriteHandle: ...


class OverlappedSteps:
    """Prepares batches in the calling thread and writes them, in order, in one writer thread.

    Batch N+1 is extracted and transformed while batch N is written: the database's
    work overlaps the client's (PostgreSQL, 100k persons: the client waited on the
    server for 30% of the run). At most one write is under way: a batch's write
    starts after the previous one has committed, so the checkpoints advance in order
    and a crash at any moment resumes as before. Only the next *table* waits for the
    last write of its parents (see :func:`migrate_table`): a batch's parent outcomes
    come from earlier tables, never from its own.
    """

    def __init__(self) -> None:
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="icm-write")

    def prepare(self, job: MigrationJob, table: str, after: str | None) -> PreparedBatch | None:
        return prepare_batch(job, table, after)

    def write(self, job: MigrationJob, prepared: PreparedBatch) -> WriteHandle:
        return self._writer.submit(write_prepared, job, prepared)

    def close(self) -> None:
        self._writer.shutdown(wait=True)


def migrate_table(
    job: MigrationJob, table: str, *, steps: BatchSteps, sink: ProgressSink | None
) -> None:
    """Every remaining batch of ``table``, from its checkpoint; then mark it complete.

    Each batch is prepared while the one before it is written; the table is marked
    complete (and the next one starts) only once its last write has committed.
    """
    start = table_plan(job, table)
    total = extract.count_rows(job.source, table) if sink else None
    if start is False:
        if sink:
            sink(table, total or 0, total)
        finish_table(job, table)  # a crash may have come between its completion and this
        return
    after = start if isinstance(start, str) else None
    writing: WriteHandle | None = None
    try:
        while True:
            prepared = steps.prepare(job, table, after)  # while the previous batch is written
            collect_batch_garbage()
            if writing is not None:
                done, writing = writing, None
                report = done.result()  # raises what the write raised
                if sink:
                    sink(table, report.rows, total)
            if prepared is None:
                break
            writing = steps.write(job, prepared)
            after, prepared = prepared.last_key, None  # the writer holds it now
    finally:
        if writing is not None:  # something raised: let the write under way end first
            _settle(writing)
    if sink:
        sink(table, 0, total)
    load.mark_table_complete(job.target, table, job.run_id)
    job.facts.pop(table, None)  # a table's whole-table facts are not needed once it is done
    finish_table(job, table)


def finish_table(job: MigrationJob, table: str) -> None:
    """What follows a complete table, before the tables after it; idempotent, so a resumed run
    that finds the table complete does it again: the rows gone from the source, and for
    S_CONTACT the probable duplicates."""
    settle_table(job, table)
    if table == "S_CONTACT":
        run_matching(job)


def settle_table(job: MigrationJob, table: str) -> None:
    """Rows of ``table`` gone from the source since an earlier run (:mod:`flows.source_deletions`)."""
    if job.earlier_runs is None:
        job.earlier_runs = load.has_earlier_runs(job.target, job.run_id)
    if job.earlier_runs:
        settle_rows_gone_from_source(
            job.source,
            job.target,
            table,
            merged_into=job.context.merged_into,
            prune=job.prune_deleted,
            run_id=job.run_id,
            batch_size=job.batch_size,
        )


def _settle(writing: WriteHandle) -> None:
    """Wait for a write while another error is on its way up (that error is the one to report)."""
    try:
        writing.result()
    except BaseException as exc:  # the first error is the one that propagates
        log.warning("a batch write under way also failed: %s", type(exc).__name__)


def run_tables(
    job: MigrationJob, *, steps: BatchSteps | None = None, sink: ProgressSink | None = None
) -> None:
    """Migrate every legacy table in dependency order; mark the run failed if anything raises.

    ``steps`` default to :class:`OverlappedSteps` (plain calls, a writer thread).
    """
    own: OverlappedSteps | None = None
    if steps is None:
        steps = own = OverlappedSteps()
    try:
        with fewer_collections():
            for table in transform.TABLE_LOAD_ORDER:
                migrate_table(job, table, steps=steps, sink=sink)
        swept = load.sweep_unloaded(job.target)  # what batches left for their dependents
        if swept:
            log.info("deleted %d target rows of legacy rows no longer loaded", swept)
        reopened = load.reopen_unloaded_replays(job.target, run_id=job.run_id)
        if reopened:
            log.warning(
                "%d quarantined rows a steward marked replayed are still quarantined: their "
                "records are open again (icm-migrate quarantine --status open lists them)",
                reopened,
            )
    except BaseException as exc:
        load.finish_run(job.target, job.run_id, "failed", type(exc).__name__)
        raise
    finally:
        if own is not None:
            own.close()


def finish_migration(
    job: MigrationJob, *, status: str, detail: str | None = None
) -> dict[str, dict[str, int]]:
    """Close the run and return per-table outcome counts from the ledger."""
    load.finish_run(job.target, job.run_id, status, detail)
    return load.outcome_counts(job.target)


def migrate_direct(
    source: str,
    target: str,
    *,
    attachments_dir: Path | None = None,
    attachment_store: Path | None = None,
    batch_size: int = 5000,
    requested_by: str | None = None,
    as_of: dt.date | None = None,
    sink: ProgressSink | None = None,
    prune_deleted: bool = False,
) -> dict[str, dict[str, int]]:
    """The whole migration without Prefect (tests, benchmarks): same steps as the flow."""
    from flows.engines import make_source, make_target_engine, redact

    target_engine = make_target_engine(target)
    try:
        with load.store_lock(target_engine, exclusive=True):
            job = prepare_migration(
                make_source(source),
                target_engine,
                source_label=redact(source),
                batch_size=batch_size,
                attachments_dir=attachments_dir,
                attachment_store=attachment_store,
                requested_by=requested_by,
                as_of=as_of,
                prune_deleted=prune_deleted,
            )
            run_tables(job, sink=sink)
            return finish_migration(job, status="succeeded")
    finally:
        target_engine.dispose()
