"""The run record of a reconciliation (``migration.reconciliation_run``).

Written when a reconciliation starts and again when it ends, so a run that
crashed stays visible as ``running``/``failed``. It keeps who asked for personal
data to be shown (``--reveal-pii``) and the SHA-256 of the report's manifest,
against which ``verify-report --target`` pins the report later. Its times come
from the store's clock (``load.store_now``): runs from different hosts are
ordered by them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from load.disclosures import record_disclosure
from load.target_schema import target_table
from load.transaction import store_now, write_transaction
from reconcile.errors import TerminalReconcileError

__all__ = [
    "RUN_STATUSES",
    "ReconciliationRunRecord",
    "finish_reconciliation_run",
    "latest_reconciliation_run",
    "read_reconciliation_run",
    "start_reconciliation_run",
]

RUN_STATUSES = ("running", "clean", "discrepancies", "failed")


@dataclass(frozen=True)
class ReconciliationRunRecord:
    id: str
    migration_run_id: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    pii_revealed: bool
    requested_by: str | None
    report_dir: str | None
    manifest_sha256: str | None


def _table() -> sa.Table:
    return target_table("migration.reconciliation_run")


def start_reconciliation_run(
    engine: sa.Engine,
    *,
    migration_run_id: str | None,
    pii_revealed: bool,
    requested_by: str | None,
    report_dir: str | None,
) -> str:
    """Record a reconciliation as running; returns its id. Revealing PII requires ``requested_by``."""
    if pii_revealed and not (requested_by or "").strip():
        raise TerminalReconcileError(
            "personal data may be revealed only when the run record says who asked"
        )
    run_id = str(uuid.uuid4())
    with write_transaction(engine) as conn:
        conn.execute(
            sa.insert(_table()).values(
                id=run_id,
                migration_run_id=migration_run_id,
                started_at=store_now(conn),
                status="running",
                pii_revealed=pii_revealed,
                requested_by=requested_by,
                report_dir=report_dir,
            )
        )
        if pii_revealed:
            where = f"in {report_dir}" if report_dir else "(no report folder named)"
            record_disclosure(
                conn,
                requested_by=requested_by or "",
                command="reconcile --reveal-pii",
                what=f"the personal data of the reconciliation report {where}, "
                f"reconciliation run {run_id}",
            )
    return run_id


def finish_reconciliation_run(
    engine: sa.Engine, run_id: str, *, status: str, manifest_sha256: str | None = None
) -> None:
    """Record how a reconciliation ended (``clean``, ``discrepancies`` or ``failed``)."""
    if status not in RUN_STATUSES[1:]:
        raise ValueError(f"unknown final status {status!r}; known: {RUN_STATUSES[1:]}")
    with write_transaction(engine) as conn:
        conn.execute(
            sa.update(_table())
            .where(_table().c.id == run_id)
            .values(finished_at=store_now(conn), status=status, manifest_sha256=manifest_sha256)
        )


def read_reconciliation_run(engine: sa.Engine, run_id: str) -> ReconciliationRunRecord | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(_table()).where(_table().c.id == run_id)).first()
    return None if row is None else ReconciliationRunRecord(**row._mapping)


def latest_reconciliation_run(engine: sa.Engine) -> ReconciliationRunRecord | None:
    """The most recently started reconciliation's record, or None if there was none."""
    table = _table()
    stmt = sa.select(table).order_by(table.c.started_at.desc(), table.c.id.desc()).limit(1)
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    return None if row is None else ReconciliationRunRecord(**row._mapping)
