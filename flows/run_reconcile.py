"""Run ``reconcile`` and ``verify-report`` from the command line: summary tables with rich, exit codes.

Exit codes: 0 clean (or a report that verifies), 1 discrepancies found (or a
report that does not verify), 2 an error (unreachable source or target, a
target that was never migrated, ...), with a message naming no personal data.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

import extract
import load
from flows.connections import hold
from flows.engines import SettingError, check_settings, store_label
from flows.reconcile_flow import reconcile_flow
from flows.signing_keys import read_public_key, read_signing_key, signed_reports_path
from flows.steward_commands import on_store
from reconcile import (
    MANIFEST_NAME,
    ReconcileError,
    ReconciliationResult,
    RegisterError,
    ReportPin,
    SigningKeyError,
    last_signed_report,
    manifest_signer,
    pin_report,
    report_folder_lock,
    verify_report,
)

__all__ = [
    "EXIT_CLEAN",
    "EXIT_DISCREPANCIES",
    "EXIT_ERROR",
    "run_reconcile",
    "run_verify_report",
    "summary_table",
]

EXIT_CLEAN, EXIT_DISCREPANCIES, EXIT_ERROR = 0, 1, 2
_SHORT = {"source_rows": "source", "quarantined": "quar.", "unaccounted": "unacc."}


def summary_table(result: ReconciliationResult) -> Table:
    """Per legacy table: source rows = loaded + quarantined + excluded + unaccounted, and the
    discrepancies found (each kind is listed under the table and in the report)."""
    columns = ("source_rows", "loaded", "quarantined", "excluded", "unaccounted")
    table = Table(title=f"Reconciliation of migration run {result.run_id}: {result.status}")
    table.add_column("table")
    for name in columns:
        table.add_column(_SHORT.get(name, name), justify="right")
    table.add_column("problems", justify="right")
    for name, counts in result.tables.items():
        style = None if counts.is_clean else "red"
        values = [getattr(counts, f) for f in columns] + [counts.discrepancy_count]
        table.add_row(name, *(f"{v:,}" for v in values), style=style)
    totals = [sum(getattr(c, f) for c in result.tables.values()) for f in columns]
    totals.append(sum(c.discrepancy_count for c in result.tables.values()))
    table.add_row("all", *(f"{t:,}" for t in totals), style="bold")
    return table


def run_reconcile(
    *,
    source: str,
    target: str,
    out_dir: Path,
    attachments_dir: Path | None,
    attachment_store: Path | None,
    console: Console,
    reveal_pii: bool = False,
    requested_by: str | None = None,
    as_of: dt.date | None = None,
    batch_size: int = 5000,
    parallel: bool = False,
    signing_key: Path | None = None,
    first_run_with_key: bool = False,
) -> int:
    """Reconcile through the Prefect flow; print the summary. Returns 0 clean, 1 discrepancies, 2 error.

    Attachments marked present are checked in ``attachment_store`` (the stored
    copy) and in ``attachments_dir`` (the Siebel file, unchanged since?); a side
    not given is not checked. ``signing_key`` (a private key file) signs the report;
    ``first_run_with_key`` accepts an earlier report not signed with it.
    """
    if reveal_pii and not (requested_by or "").strip():
        console.print(
            "[red]Reconciliation refused:[/red] --reveal-pii needs to know who is asking."
        )
        return EXIT_ERROR
    if first_run_with_key and signing_key is None:
        console.print(
            "[red]Reconciliation refused:[/red] --first-run-with-key needs --signing-key."
        )
        return EXIT_ERROR
    try:
        check_settings(source, target)
        if signing_key is not None:
            read_signing_key(signing_key)  # a key that cannot sign stops the run before it starts
            last_signed_report(signed_reports_path(signing_key), store_label(target))
    except (SettingError, SigningKeyError, RegisterError) as exc:
        console.print(f"[red]Reconciliation stopped:[/red] {exc}")
        return EXIT_ERROR
    if attachment_store is None:
        console.print(
            "[yellow]No --attachment-store: stored attachment files are not checked.[/yellow]"
        )
    try:
        with console.status("Reconciling the legacy source with the new store..."):
            outcome = reconcile_flow(
                source=hold(source),
                target=hold(target),
                out_dir=str(out_dir),
                attachment_store=str(attachment_store) if attachment_store else None,
                attachments_dir=str(attachments_dir) if attachments_dir else None,
                reveal_pii=reveal_pii,
                requested_by=requested_by,
                batch_size=batch_size,
                as_of=as_of,
                parallel=parallel,
                signing_key=str(signing_key) if signing_key else None,
                first_run_with_key=first_run_with_key,
            )
    except (extract.ExtractError, load.LoadError, ReconcileError) as exc:
        console.print(f"[red]Reconciliation stopped:[/red] {exc}")
        return EXIT_ERROR
    except sa.exc.SQLAlchemyError as exc:
        # The driver's message may quote values: name the error class only.
        console.print(
            f"[red]Reconciliation stopped:[/red] the target could not be read ({type(exc).__name__})."
        )
        return EXIT_ERROR
    except OSError as exc:
        console.print(
            f"[red]Reconciliation stopped:[/red] {type(exc).__name__}: {exc.strerror or exc}"
        )
        return EXIT_ERROR
    except Exception as exc:  # a crash must never read as exit 1 ("discrepancies")
        console.print(
            f"[red]Reconciliation failed unexpectedly:[/red] {type(exc).__name__} "
            "(the flow run's log has the traceback); nothing was concluded."
        )
        return EXIT_ERROR
    result = outcome.result
    console.print(summary_table(result))
    for kind, count in result.kind_counts().items():
        console.print(f"  {kind}: {count:,}")
    for trail in result.audit_trails:
        if not trail.intact:
            console.print(f"[red]Audit trail changed:[/red] {trail.describe()}")
    anchor = result.trail_anchor
    if anchor is not None and anchor.problem is not None:
        console.print(f"[red]Earlier report not trusted:[/red] {anchor.describe()}")
    if result.pii_revealed:
        console.print(
            f"[yellow]Personal data revealed in the report, as requested by {result.requested_by}.[/yellow]"
        )
    console.print(
        f"Report: {outcome.report.out_dir} (manifest SHA-256 {outcome.report.manifest_sha256})",
        soft_wrap=True,
    )
    if signing_key is not None:
        console.print(f"Signed with the key {_signer(outcome.report.out_dir)}.")
    if outcome.register_problem is not None:
        console.print(
            f"[yellow]Not noted in the key's register:[/yellow] {outcome.register_problem}"
        )
    return EXIT_CLEAN if result.status == "clean" else EXIT_DISCREPANCIES


def run_verify_report(
    out_dir: Path,
    console: Console,
    *,
    expected_manifest_sha256: str | None = None,
    target: str | None = None,
    public_key: Path | None = None,
) -> int:
    """Check a report folder against its manifest; with ``target`` against the store's record
    of it, with ``public_key`` against its signature. Returns 0 when intact, 1 when not, 2 when
    the folder, the store or the key cannot be read."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        console.print(f"[red]No report folder at {out_dir}.[/red]")
        return EXIT_ERROR
    try:
        key = read_public_key(public_key) if public_key is not None else None
    except SigningKeyError as exc:
        console.print(f"[red]Verify-report stopped:[/red] {exc}")
        return EXIT_ERROR
    # Under the folder's lock: a reconcile writing it meanwhile is waited for, not
    # reported as tampering.
    with report_folder_lock(out_dir, exclusive=False):
        problems = verify_report(
            out_dir, expected_manifest_sha256=expected_manifest_sha256, public_key=key
        )
        if target is not None and (out_dir / MANIFEST_NAME).is_file():
            pin = on_store(
                console,
                "Verify-report",
                target,
                lambda engine: _pin(engine, out_dir),
                exclusive=None,
            )
            if pin is None:
                return EXIT_ERROR
            problems.extend(pin.problems)
            if pin.recorded_by is not None:
                console.print(f"Pinned: {pin.describe()}.")
            for notice in pin.notices:
                console.print(f"[yellow]Note:[/yellow] {notice}.")
    signer = _signer(out_dir)
    if signer is not None and key is None:
        console.print(f"Signed with the key {signer} (not checked: give --public-key).")
    elif key is not None and not problems:
        console.print(f"Signature verified: signed with the key {signer}.")
    if not problems:
        console.print(f"Report in {out_dir} is intact: every file matches its manifest.")
        return EXIT_CLEAN
    console.print(f"[red]Report in {out_dir} does not verify:[/red]")
    for problem in problems:
        console.print(f"  - {problem}")
    return EXIT_DISCREPANCIES


def _signer(out_dir: Path) -> str | None:
    """The signing key's fingerprint as printed (its first 16 hex digits), or None if unsigned."""
    fingerprint = manifest_signer(out_dir)
    return f"SHA256:{fingerprint[:16]}" if fingerprint else None


def _pin(engine: sa.Engine, out_dir: Path) -> ReportPin:
    with engine.connect() as conn:
        return pin_report(conn, out_dir)
