"""Run ``review-history``: every review on record, for the auditors, as CSV, with its hash links checked.

Exit codes: 0 written and every hash link of the audit trails verified (and,
with ``since_report``, the histories that report saw are still there unchanged);
1 written, but a history was changed after it was written; 2 an error (an
unreachable target or one never migrated, a migration writing the store, a file
that cannot be written, a report folder that cannot be trusted: see
reconcile.trail_anchor), with a message
naming no personal data. The list is written whole or not at all
(flows.steward_commands). The stewards' notes are left out unless asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from rich.console import Console

import load
from flows.signing_keys import read_public_key
from flows.steward_commands import on_store, write_atomically
from reconcile import (
    AuditTrail,
    SigningKeyError,
    TerminalReconcileError,
    check_audit_trails,
    head_in_trail,
    migration_run_of,
    review_lines,
    trusted_report,
    write_review_csv,
)

__all__ = ["EXIT_CHANGED", "EXIT_ERROR", "EXIT_WRITTEN", "run_review_history"]

EXIT_WRITTEN, EXIT_CHANGED, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class _Written:
    reviews: int
    trails: tuple[AuditTrail, ...]
    gone_heads: tuple[str, ...]
    """Histories whose head, as the report recorded it, is no longer in the store."""


def _report_heads(
    conn: sa.Connection, report: Path, public_key: Ed25519PublicKey | None
) -> Mapping[str, tuple[int | None, str]]:
    """The heads the report in ``report`` recorded, once it is trusted as ``reconcile``
    trusts an earlier report (:mod:`reconcile.trail_anchor`); TerminalReconcileError if not."""
    anchor = trusted_report(conn, report, public_key=public_key)
    if anchor.problem is not None:
        raise TerminalReconcileError(f"the report in {report} cannot be trusted: {anchor.problem}")
    if anchor.heads is None:
        raise TerminalReconcileError(str(anchor.note))
    return anchor.heads


def run_review_history(
    *,
    target: str,
    out: Path,
    console: Console,
    reveal_notes: bool = False,
    since_report: Path | None = None,
    requested_by: str | None = None,
    public_key: Path | None = None,
) -> int:
    """Write every quarantine and match review of ``target`` to ``out`` as CSV, oldest first,
    and check every hash link of both histories (and, given ``since_report``, that the
    histories that reconciliation report recorded are still there, unchanged). Returns
    0 when written and verified, 1 when written but a history was changed, 2 on error.

    Revealing the notes needs ``requested_by``: who asked goes into ``migration.disclosure``
    before the file is written. ``public_key`` is the key the report was signed with: then
    its signature must verify."""
    if reveal_notes and not (requested_by or "").strip():
        console.print(
            "[red]Review history not written:[/red] the notes are shown only when the "
            "disclosure record can say who asked."
        )
        return EXIT_ERROR
    if public_key is not None and since_report is None:
        console.print(
            "[red]Review history not written:[/red] --public-key checks the report given with "
            "--since-report, and none was given."
        )
        return EXIT_ERROR
    try:
        key = read_public_key(public_key) if public_key is not None else None
    except SigningKeyError as exc:
        console.print(f"[red]Review history not written:[/red] {exc}")
        return EXIT_ERROR

    def write(engine: sa.Engine) -> _Written:
        with engine.connect() as conn:
            migration_run_of(conn)
            heads = None if since_report is None else _report_heads(conn, since_report, key)
        if reveal_notes:
            with load.write_transaction(engine) as conn:
                load.record_disclosure(
                    conn,
                    requested_by=requested_by or "",
                    command="review-history --reveal-notes",
                    what=f"the stewards' notes of every review on record, to {Path(out).resolve()}",
                )
        with engine.connect() as conn:
            lines = review_lines(conn, reveal_notes=reveal_notes)
            written = write_atomically(Path(out), lambda handle: write_review_csv(lines, handle))
            trails = check_audit_trails(conn)
            gone = tuple(
                name
                for name, (head_id, head) in (heads or {}).items()
                if not head_in_trail(conn, name, head_id, head)
            )
            return _Written(written, trails, gone)

    written = on_store(console, "Review history", target, write, exclusive=False)
    if written is None:
        return EXIT_ERROR
    hidden = "" if reveal_notes else " (notes hidden: --reveal-notes shows them)"
    console.print(f"Wrote {written.reviews:,} reviews to {out}{hidden}")
    changed = False
    for trail in written.trails:
        if trail.intact:
            console.print(trail.describe())
        else:
            changed = True
            console.print(f"[red]Changed after it was written:[/red] {trail.describe()}")
    for name in written.gone_heads:
        changed = True
        console.print(
            f"[red]Changed since the report:[/red] migration.{name} no longer holds, at the "
            f"id recorded in {since_report}, the row that report saw last: rows it saw were "
            "edited or removed"
        )
    if since_report is not None and not written.gone_heads:
        console.print(f"Every review that the report in {since_report} saw is still on record.")
    return EXIT_CHANGED if changed else EXIT_WRITTEN
