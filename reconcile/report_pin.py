"""Pin a report folder to the store that recorded it.

A report's manifest proves its files unchanged only against itself: whoever can
write the folder can rewrite a file and re-seal the manifest and its chain. Each
reconciliation records the SHA-256 of the manifest it wrote in the store
(``migration.reconciliation_run``), so an auditor who can read the store can
check two things a folder alone cannot show:

- the manifest is one the store recorded (not re-sealed, not from another store).
  Its chain then authenticates every earlier manifest in ``history/``, since each
  link is the SHA-256 of the manifest before;
- no later reconciliation wrote into the same folder: a folder holding an earlier
  report than the store's latest for it was restored or rolled back (a report with
  discrepancies replaced by an earlier clean one).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from load.target_schema import target_table
from reconcile.manifest import MANIFEST_NAME, manifest_sha256
from reconcile.run_record import ReconciliationRunRecord

__all__ = ["ReportPin", "pin_report"]


@dataclass(frozen=True)
class ReportPin:
    """What the store says of a report folder's manifest.

    ``recorded_by`` is the reconciliation that recorded this manifest (None when none
    did); ``superseded_by`` a later reconciliation into the same folder that recorded
    another manifest. ``problems`` is empty when the folder is pinned and current.
    """

    manifest_sha256: str
    recorded_by: ReconciliationRunRecord | None
    superseded_by: ReconciliationRunRecord | None
    problems: tuple[str, ...]

    def describe(self) -> str:
        record = self.recorded_by
        if record is None:
            return "manifest.json is not pinned to this store"
        finished = record.finished_at.isoformat(timespec="seconds") if record.finished_at else "?"
        return (
            f"manifest.json is the one the store recorded for reconciliation {record.id} "
            f"of migration run {record.migration_run_id} (finished {finished} UTC, "
            f"status {record.status})"
        )


def _records(conn: sa.Connection, where: sa.ColumnElement[bool]) -> list[ReconciliationRunRecord]:
    table = target_table("migration.reconciliation_run")
    rows = conn.execute(
        sa.select(table).where(where).order_by(table.c.started_at, table.c.id)
    ).all()
    return [ReconciliationRunRecord(**row._mapping) for row in rows]


def _manifest_run_id(out_dir: Path) -> object:
    try:
        document = json.loads((out_dir / MANIFEST_NAME).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return document.get("run_id") if isinstance(document, dict) else None


def pin_report(conn: sa.Connection, out_dir: Path) -> ReportPin:
    """Check the manifest in ``out_dir`` against the store's reconciliation records.

    Raises FileNotFoundError when the folder has no manifest (``verify_report`` says so).
    """
    out_dir = Path(out_dir)
    digest = manifest_sha256(out_dir)
    table = target_table("migration.reconciliation_run")
    problems: list[str] = []
    matching = _records(conn, table.c.manifest_sha256 == digest)
    recorded_by = matching[-1] if matching else None
    if recorded_by is None:
        problems.append(
            f"{MANIFEST_NAME} is not a manifest this store recorded: the report was re-sealed "
            "after it was written, or it was made from another store"
        )
    elif recorded_by.migration_run_id != _manifest_run_id(out_dir):
        problems.append(
            f"{MANIFEST_NAME} names migration run {_manifest_run_id(out_dir)!r}, the store "
            f"recorded it for migration run {recorded_by.migration_run_id}"
        )
    superseded_by = None
    if recorded_by is not None and recorded_by.report_dir:
        later = _records(
            conn,
            sa.and_(
                table.c.report_dir == recorded_by.report_dir,
                table.c.manifest_sha256.is_not(None),
                table.c.manifest_sha256 != digest,
                table.c.started_at > recorded_by.started_at,
            ),
        )
        if later and str(out_dir.resolve()) == recorded_by.report_dir:
            superseded_by = later[-1]
            problems.append(
                f"this folder holds an earlier report than the store's latest for it: "
                f"reconciliation {superseded_by.id} (started "
                f"{superseded_by.started_at.isoformat(timespec='seconds')} UTC) wrote another "
                f"{MANIFEST_NAME} here since; the folder was restored or rolled back"
            )
    return ReportPin(digest, recorded_by, superseded_by, tuple(problems))
