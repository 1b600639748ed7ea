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
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from prefect import flow
from prefect.artifacts import create_markdown_artifact

import extract
import load
import transform
from flows.collector import fewer_collections
from flows.connections import resolve
from flows.engines import make_source, make_target_engine, redact
from flows.pipeline import MigrationJob, context_for, reference_context
from reconcile import (
    KIND_MEANINGS,
    ExpectedRows,
    Progress,
    ReconciliationResult,
    ReportPaths,
    finish_reconciliation_run,
    migration_run_of,
    reconcile_stores,
    start_reconciliation_run,
    write_report,
)
from reconcile.result import COUNT_FIELDS

__all__ = [
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

    @property
    def exit_code(self) -> int:
        return self.result.exit_code


def expected_rows(
    source: extract.LegacySource,
    target: sa.Engine,
    *,
    migration_run_id: str,
    as_of: dt.date,
    batch_size: int,
) -> ExpectedRows:
    """What the migration rules make of a batch of current legacy rows, computed as the migration does.

    Reference data (pick lists, crosswalk, users, merges) is read once, like
    ``prepare_migration`` does; per batch the context (whole-table facts,
    parent outcomes from the ledger) comes from ``flows.pipeline`` itself.
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

    def expected(table: str, frame: pd.DataFrame) -> transform.TransformResult:
        return transform.transform_batch(table, frame, context_for(job, table, frame))

    return expected


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
) -> ReconcileOutcome:
    """Reconcile ``source`` with ``target`` and write the report into ``out_dir``.

    ``as_of`` is the extraction date the migration's rules used (birth dates in
    the future); by default the day the reconciled migration run started (UTC).
    Raises extract's errors (source), ReconcileError (target not migrated).
    """
    target_engine = make_target_engine(target)
    legacy = make_source(source)
    try:
        with target_engine.connect() as conn:
            run = migration_run_of(conn)
        extract.check_source(legacy)
        record_id = start_reconciliation_run(
            target_engine,
            migration_run_id=run.id,
            pii_revealed=reveal_pii,
            requested_by=requested_by,
            report_dir=str(Path(out_dir).resolve()),
        )
        log.info(
            "reconciling migration run %s: %s against %s", run.id, redact(source), redact(target)
        )
        try:
            expected = expected_rows(
                legacy,
                target_engine,
                migration_run_id=run.id,
                as_of=as_of or load.run_as_of(target_engine, run.id) or run.started_at.date(),
                batch_size=batch_size,
            )
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
                )
            paths = write_report(result, Path(out_dir))
        except BaseException:
            finish_reconciliation_run(target_engine, record_id, status="failed")
            raise
        finish_reconciliation_run(
            target_engine, record_id, status=result.status, manifest_sha256=paths.manifest_sha256
        )
        return ReconcileOutcome(result=result, report=paths, record_id=record_id)
    finally:
        legacy.close()
        target_engine.dispose()


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
) -> ReconcileOutcome:
    """Reconcile the legacy ICM database with the new store; publish the summary as an artifact.

    ``source`` and ``target`` may be references from ``flows.connections.hold``.
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
    )
    create_markdown_artifact(
        markdown=summary_markdown(outcome.result),
        key="reconciliation-summary",
        description=f"Reconciliation of migration run {outcome.result.run_id}",
    )
    return outcome
