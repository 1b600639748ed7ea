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

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from load.target_schema import target_table
from reconcile.manifest import MANIFEST_NAME, chain_hashes, manifest_sha256, read_manifest
from reconcile.run_record import ReconciliationRunRecord

__all__ = [
    "ReportPin",
    "latest_recorded_report",
    "pin_report",
    "recorded_manifest",
    "same_folder",
]


@dataclass(frozen=True)
class ReportPin:
    """What the store says of a report folder's manifest.

    ``recorded_by`` is the reconciliation that recorded this manifest (None when none
    did); ``superseded_by`` a later reconciliation into the folder it was written to that
    recorded a manifest this one's chain does not lead to. ``problems`` is empty when the
    folder is pinned and, if it is (or links to) the folder it was written to, current;
    ``notices`` says what is worth knowing but proves nothing wrong.
    """

    manifest_sha256: str
    recorded_by: ReconciliationRunRecord | None
    superseded_by: ReconciliationRunRecord | None
    problems: tuple[str, ...]
    notices: tuple[str, ...] = ()

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


def latest_recorded_report(conn: sa.Connection) -> ReconciliationRunRecord | None:
    """The latest reconciliation that recorded a report's manifest (failed runs left out)."""
    table = target_table("migration.reconciliation_run")
    recorded = _records(
        conn, sa.and_(table.c.manifest_sha256.is_not(None), table.c.report_dir.is_not(None))
    )
    return recorded[-1] if recorded else None


def same_folder(folder: Path, recorded_dir: str) -> bool:
    """Whether ``folder`` is the folder recorded as ``recorded_dir`` (reconcile records it
    resolved), as named or through a symbolic link, compared as paths (``<dir>/`` is ``<dir>``)."""
    recorded = Path(recorded_dir)
    return recorded in (Path(folder).absolute(), Path(folder).resolve()) or (
        recorded.resolve() == Path(folder).resolve()
    )


def _manifest_run_id(out_dir: Path) -> object:
    manifest = read_manifest(out_dir)
    return manifest.get("run_id") if manifest is not None else None


def recorded_manifest(conn: sa.Connection, digest: str) -> ReconciliationRunRecord | None:
    """The reconciliation that recorded the manifest ``digest`` (the latest, if several)."""
    table = target_table("migration.reconciliation_run")
    matching = _records(conn, table.c.manifest_sha256 == digest)
    return matching[-1] if matching else None


def _unrecorded_hint(conn: sa.Connection, out_dir: Path) -> str:
    """A reconciliation into ``out_dir`` that ended without recording its manifest, if any."""
    table = target_table("migration.reconciliation_run")
    unfinished = [
        record
        for record in _records(conn, table.c.manifest_sha256.is_(None))
        if record.report_dir and same_folder(out_dir, record.report_dir)
    ]
    if not unfinished:
        return ""
    record = unfinished[-1]
    return (
        f"; or reconciliation {record.id} into this folder wrote it and ended "
        f"'{record.status}' before recording it: reconcile again for a recorded report "
        "(the next reconcile reports this unrecorded one once)"
    )


def pin_report(conn: sa.Connection, out_dir: Path) -> ReportPin:
    """Check the manifest in ``out_dir`` against the store's reconciliation records.

    Raises FileNotFoundError when the folder has no manifest (``verify_report`` says so).
    """
    out_dir = Path(out_dir)
    digest = manifest_sha256(out_dir)
    table = target_table("migration.reconciliation_run")
    problems: list[str] = []
    notices: list[str] = []
    recorded_by = recorded_manifest(conn, digest)
    if recorded_by is None:
        problems.append(
            f"{MANIFEST_NAME} is not a manifest this store recorded: the report was re-sealed "
            "after it was written, or it was made from another store"
            + _unrecorded_hint(conn, out_dir)
        )
    elif recorded_by.migration_run_id != _manifest_run_id(out_dir):
        problems.append(
            f"{MANIFEST_NAME} names migration run {_manifest_run_id(out_dir)!r}, the store "
            f"recorded it for migration run {recorded_by.migration_run_id}"
        )
    superseded_by = None
    if recorded_by is not None and recorded_by.report_dir:
        # Later by the store's clock, and not in this folder's chain: a reconcile that
        # started later but finished first is in the chain of the one that finished last.
        # The folder compared as a path, not as text: "<dir>/" or "<dir>/." is <dir>.
        chain = chain_hashes(out_dir)
        later = [
            record
            for record in _records(
                conn,
                sa.and_(
                    table.c.report_dir.is_not(None),
                    table.c.manifest_sha256.is_not(None),
                    table.c.started_at > recorded_by.started_at,
                ),
            )
            if record.manifest_sha256 not in chain
        ]
        # Into this folder (whatever folder the report was first written to: a folder
        # replaced by an older report from elsewhere), or into the folder it was written to.
        into_this = [r for r in later if same_folder(out_dir, r.report_dir or "")]
        into_its_own = [
            r for r in later if same_folder(Path(r.report_dir or ""), recorded_by.report_dir)
        ]
        if into_this or into_its_own:
            superseded_by = (into_this or into_its_own)[-1]
            since = (
                f"reconciliation {superseded_by.id} (started "
                f"{superseded_by.started_at.isoformat(timespec='seconds')} UTC) wrote another "
                f"{MANIFEST_NAME} into {superseded_by.report_dir} since"
            )
            if into_this:
                problems.append(
                    f"this folder holds an earlier report than the store's latest for it: "
                    f"{since}; the folder was restored, rolled back or replaced"
                )
            else:
                notices.append(f"this is a copy of an earlier report: {since}")
    return ReportPin(digest, recorded_by, superseded_by, tuple(problems), tuple(notices))
