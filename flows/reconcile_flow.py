"""Reconciliation wired together: the Prefect flow ``reconcile`` and the plain function under it.

:func:`reconcile_direct` does the work (one code path): it builds the source and
the target, records the run, recomputes what the migration rules make of the
current legacy rows with the *same* code the migration uses
(``transform.transform_batch`` with the context from ``flows.pipeline``),
lets :func:`reconcile.reconcile_stores` compare, writes the report and seals
the run record with the report manifest's SHA-256. :func:`reconcile_flow`
runs it as a Prefect flow and publishes a markdown artifact with the
per-table summary (counts and codes only, never personal data).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from prefect import flow
from prefect.artifacts import create_markdown_artifact

import extract
import load
import transform
from flows.collector import collect_batch_garbage, fewer_collections
from flows.connections import resolve
from flows.engines import make_source, make_target_engine, redact, store_label
from flows.matching_step import proposed_pairs
from flows.pipeline import MigrationJob, context_for, reference_context
from flows.signing_keys import read_signing_key, signed_reports_path
from flows.transform_pool import TransformPool
from reconcile import (
    KIND_MEANINGS,
    Progress,
    ReconciliationResult,
    RegisterError,
    ReportPaths,
    SignedReport,
    TrailAnchor,
    finish_reconciliation_run,
    key_fingerprint,
    last_signed_report,
    migration_run_of,
    note_signed_report,
    reconcile_stores,
    report_folder_lock,
    start_reconciliation_run,
    trail_anchor,
    write_report,
)
from reconcile.result import COUNT_FIELDS

__all__ = [
    "ExpectedFromRules",
    "ReconcileOutcome",
    "expected_rows",
    "reconcile_direct",
    "reconcile_flow",
    "summary_markdown",
]

log = logging.getLogger("icm.reconcile")


@dataclass(frozen=True)
class ReconcileOutcome:
    """A finished reconciliation: the result, where its report is, and its run record's id."""

    result: ReconciliationResult
    report: ReportPaths
    record_id: str
    register_problem: str | None = None
    """Why the register of signed reports could not note this report, if it could not."""

    @property
    def exit_code(self) -> int:
        return self.result.exit_code


class ExpectedFromRules:
    """What the migration rules make of a batch of current legacy rows, computed as the migration does.

    Called with a batch: its transform result. With a :class:`TransformPool`, a batch
    announced with :meth:`ahead` is transformed in the worker process while the
    caller compares the batch before it. The engine announces batch N+1 before it
    compares batch N, so up to :data:`HELD_AHEAD` batches are held; an older one is
    dropped (and computed here if it is asked for after all).
    """

    HELD_AHEAD = 2

    def __init__(self, job: MigrationJob, pool: TransformPool | None = None) -> None:
        self._job = job
        self._pool = pool
        self._ahead: dict[int, tuple[str, pd.DataFrame, Future[transform.TransformResult]]] = {}
        self.computed_ahead = 0
        """How many batches came from the worker process."""

    def close(self) -> None:
        """Stop the worker process, if any."""
        self._ahead.clear()
        if self._pool is not None:
            self._pool.close()

    def ahead(self, table: str, frame: pd.DataFrame) -> None:
        if self._pool is None:
            return
        context = context_for(self._job, table, frame)
        self._ahead[id(frame)] = (table, frame, self._pool.submit(table, frame, context))
        while len(self._ahead) > self.HELD_AHEAD:
            oldest = next(iter(self._ahead))
            self._ahead.pop(oldest)[2].cancel()

    def __call__(self, table: str, frame: pd.DataFrame) -> transform.TransformResult:
        collect_batch_garbage()  # the previous batch's, as the migration does
        held = self._ahead.pop(id(frame), None)
        if held is not None and held[0] == table and held[1] is frame:
            self.computed_ahead += 1
            return held[2].result()
        return transform.transform_batch(table, frame, context_for(self._job, table, frame))


def expected_rows(
    source: extract.LegacySource,
    target: sa.Engine,
    *,
    migration_run_id: str,
    as_of: dt.date,
    batch_size: int,
    pool: Callable[[transform.BatchContext], TransformPool] | None = None,
) -> ExpectedFromRules:
    """The rules applied to current legacy rows, as the migration applies them.

    Reference data (pick lists, crosswalk, users, merges) is read once, like
    ``prepare_migration`` does; per batch the context (facts, parent outcomes from
    the ledger) comes from ``flows.pipeline`` itself. ``pool`` (given the run's
    reference context) starts a worker process to compute batches announced ahead.
    """
    job = MigrationJob(
        source=source,
        target=target,
        run_id=migration_run_id,
        context=reference_context(source, as_of=as_of),
        batch_size=batch_size,
        attachments_dir=None,
        attachment_store=None,
    )
    return ExpectedFromRules(job, pool(job.context) if pool is not None else None)


def reconcile_direct(
    *,
    source: str,
    target: str,
    out_dir: Path,
    attachment_store: Path | None = None,
    attachments_dir: Path | None = None,
    reveal_pii: bool = False,
    requested_by: str | None = None,
    batch_size: int = 5000,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
    parallel: bool = False,
    signing_key: Path | None = None,
    first_run_with_key: bool = False,
) -> ReconcileOutcome:
    """Reconcile ``source`` with ``target`` and write the report into ``out_dir``.

    ``as_of`` is the extraction date the migration's rules used (birth dates in
    the future); by default the day the reconciled migration run started (UTC).
    ``parallel`` computes the next batch's expected rows in a worker process
    meanwhile (measured on 2 cores: about 15% faster at 20k and 100k persons,
    after the rest of the reconcile got cheaper; process tree about 500 MB
    instead of about 300 MB). ``signing_key`` is a private key file: the report's
    manifest is signed with it (read first, so a bad key stops the run before any work);
    ``first_run_with_key`` accepts an earlier report not signed with it (signing starts,
    or the key changed).
    Raises extract's errors (source), ReconcileError (target not migrated, a key that
    cannot be used), ``load.StoreBusyError`` (a migration run is writing the store).
    """
    key = read_signing_key(signing_key) if signing_key is not None else None
    register = signed_reports_path(signing_key) if signing_key is not None else None
    store = store_label(target)
    last_signed = last_signed_report(register, store) if register is not None else None
    target_engine = make_target_engine(target)
    legacy = make_source(source)
    try:
        with load.store_lock(target_engine, exclusive=False):
            with target_engine.connect() as conn:
                run = migration_run_of(conn)
            extract.check_source(legacy)
            anchor = earlier_report(
                Path(out_dir),
                target_engine,
                public_key=key.public_key() if key else None,
                first_run_with_key=first_run_with_key,
                last_signed=last_signed,
            )
            record_id = start_reconciliation_run(
                target_engine,
                migration_run_id=run.id,
                pii_revealed=reveal_pii,
                requested_by=requested_by,
                report_dir=str(Path(out_dir).resolve()),
            )
            log.info(
                "reconciling migration run %s: %s against %s",
                run.id,
                redact(source),
                redact(target),
            )
            try:
                result, paths = _reconcile_and_report(
                    legacy,
                    target_engine,
                    out_dir=Path(out_dir),
                    as_of=as_of or load.run_as_of(target_engine, run.id) or run.started_at.date(),
                    migration_run_id=run.id,
                    attachment_store=attachment_store,
                    attachments_dir=attachments_dir,
                    reveal_pii=reveal_pii,
                    requested_by=requested_by,
                    batch_size=batch_size,
                    progress=progress,
                    parallel=parallel,
                    anchor=anchor,
                    signing_key=key,
                    record=lambda result, paths: finish_reconciliation_run(
                        target_engine,
                        record_id,
                        status=result.status,
                        manifest_sha256=paths.manifest_sha256,
                    ),
                )
            except BaseException:
                finish_reconciliation_run(target_engine, record_id, status="failed")
                raise
            register_problem = None
            if register is not None and key is not None:
                signed = SignedReport.now(
                    store=store,
                    reconciliation_id=record_id,
                    manifest_sha256=paths.manifest_sha256,
                    report_dir=Path(out_dir),
                    key_sha256=key_fingerprint(key.public_key()),
                )
                try:
                    note_signed_report(register, signed)
                except RegisterError as exc:
                    log.warning("%s", exc)
                    register_problem = str(exc)
            return ReconcileOutcome(
                result=result, report=paths, record_id=record_id, register_problem=register_problem
            )
    finally:
        legacy.close()
        target_engine.dispose()


def earlier_report(
    out_dir: Path,
    target: sa.Engine,
    *,
    public_key: Ed25519PublicKey | None = None,
    first_run_with_key: bool = False,
    last_signed: SignedReport | None = None,
) -> TrailAnchor:
    """The earlier report the audit trails are compared with, checked before its record of
    them is trusted (:mod:`reconcile.trail_anchor`). ``public_key`` is the key this
    reconcile signs with; ``first_run_with_key`` accepts an earlier report not signed with
    it; ``last_signed`` is the last report the key signed for this store, by its register."""
    with target.connect() as conn:
        anchor = trail_anchor(
            conn,
            out_dir,
            public_key=public_key,
            accept_unsigned=first_run_with_key,
            last_signed=last_signed,
        )
    if anchor.problem is not None:
        log.warning("audit trails: %s", anchor.describe())
    return anchor


def _reconcile_and_report(
    legacy: extract.LegacySource,
    target_engine: sa.Engine,
    *,
    out_dir: Path,
    as_of: dt.date,
    migration_run_id: str,
    attachment_store: Path | None,
    attachments_dir: Path | None,
    reveal_pii: bool,
    requested_by: str | None,
    batch_size: int,
    progress: Progress | None,
    parallel: bool,
    anchor: TrailAnchor | None = None,
    signing_key: Ed25519PrivateKey | None = None,
    record: Callable[[ReconciliationResult, ReportPaths], None] | None = None,
) -> tuple[ReconciliationResult, ReportPaths]:
    """Compare both sides, then write the report and ``record`` it in the run record under
    the folder's lock: a reconcile beside this one never reads the folder half-written or
    written but not yet recorded, nor writes it meanwhile."""
    expected = expected_rows(
        legacy,
        target_engine,
        migration_run_id=migration_run_id,
        as_of=as_of,
        batch_size=batch_size,
        pool=TransformPool if parallel else None,
    )
    try:
        with fewer_collections():
            result = reconcile_stores(
                legacy,
                target_engine,
                expected,
                attachment_store=attachment_store,
                attachments_dir=attachments_dir,
                batch_size=batch_size,
                reveal_pii=reveal_pii,
                requested_by=requested_by,
                progress=progress,
                match_pairs=lambda: load.candidate_pairs(
                    proposed_pairs(legacy, batch_size=batch_size)
                ),
                trail_anchor=anchor,
            )
    finally:
        expected.close()
    try:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        with report_folder_lock(out_dir, exclusive=True):
            paths = write_report(result, out_dir, signing_key=signing_key)
            if record is not None:
                record(result, paths)
        return result, paths
    except BaseException:
        result.close()  # frees the spooled discrepancies now, not when collected
        raise


def summary_markdown(result: ReconciliationResult) -> str:
    """The per-table summary as a markdown table, then the discrepancies per kind (no personal data)."""
    head = ["table", *COUNT_FIELDS]
    lines = [
        f"# Reconciliation of migration run `{result.run_id}`: **{result.status}**",
        "",
        f"Generated {result.generated_at.isoformat()}; personal data "
        + (
            f"revealed at the request of {result.requested_by}."
            if result.pii_revealed
            else "masked."
        ),
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for name, counts in result.tables.items():
        lines.append(
            "| " + " | ".join([name, *(f"{getattr(counts, f):,}" for f in COUNT_FIELDS)]) + " |"
        )
    totals = [sum(getattr(c, f) for c in result.tables.values()) for f in COUNT_FIELDS]
    lines.append("| **all** | " + " | ".join(f"**{t:,}**" for t in totals) + " |")
    kinds = result.kind_counts()
    lines += ["", "## Discrepancies by kind", ""]
    if kinds:
        lines += ["| kind | count | meaning |", "|---|---|---|"]
        lines += [f"| {kind} | {n:,} | {KIND_MEANINGS[kind]} |" for kind, n in kinds.items()]
    else:
        lines.append(
            "None: every legacy row is accounted for and the new store holds it as the rules say."
        )
    statuses: Counter[str] = Counter()
    for reason in result.quarantine_reasons:
        statuses.update(reason.by_status)
    lines += ["", "## For the data stewards", ""]
    lines.append(
        "Quarantine reasons by record status: "
        + (", ".join(f"{n:,} {s}" for s, n in sorted(statuses.items())) or "none")
        + "; probable duplicate pairs by decision: "
        + (", ".join(f"{n:,} {d}" for d, n in result.match_decisions.items() if n) or "none")
        + "."
    )
    lines += [f"- {trail.describe()}" for trail in result.audit_trails]
    if result.trail_anchor is not None:
        lines.append(f"- Earlier report: {result.trail_anchor.describe()}")
    return "\n".join(lines) + "\n"


@flow(name="reconcile", validate_parameters=False, persist_result=False, log_prints=False)
def reconcile_flow(
    source: str,
    target: str,
    out_dir: str,
    attachment_store: str | None = None,
    attachments_dir: str | None = None,
    reveal_pii: bool = False,
    requested_by: str | None = None,
    batch_size: int = 5000,
    as_of: dt.date | None = None,
    parallel: bool = False,
    signing_key: str | None = None,
    first_run_with_key: bool = False,
) -> ReconcileOutcome:
    """Reconcile the legacy ICM database with the new store; publish the summary as an artifact.

    ``source`` and ``target`` may be references from ``flows.connections.hold``;
    ``signing_key`` is the path of a key file, never the key.
    """
    outcome = reconcile_direct(
        source=resolve(source),
        target=resolve(target),
        out_dir=Path(out_dir),
        attachment_store=Path(attachment_store) if attachment_store else None,
        attachments_dir=Path(attachments_dir) if attachments_dir else None,
        reveal_pii=reveal_pii,
        requested_by=requested_by,
        batch_size=batch_size,
        as_of=as_of,
        parallel=parallel,
        signing_key=Path(signing_key) if signing_key else None,
        first_run_with_key=first_run_with_key,
    )
    create_markdown_artifact(
        markdown=summary_markdown(outcome.result),
        key="reconciliation-summary",
        description=f"Reconciliation of migration run {outcome.result.run_id}",
    )
    return outcome
