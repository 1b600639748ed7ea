"""The ``icm-migrate`` command line. Thin: parse options, call flows, render with rich."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console

from flows.identity import current_user

app = typer.Typer(
    name="icm-migrate",
    help="Migrate the legacy ICM database to the new store, and prove nothing was lost.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
console = Console(stderr=True)

SOURCE_HELP = (
    "Legacy ICM database: a SQLAlchemy URL, or an ODBC connection string (DRIVER={...};...)."
)
TARGET_HELP = "The new store: a SQLAlchemy URL (postgresql+psycopg://... or sqlite:///file)."


def _as_of(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"--as-of must be a date as YYYY-MM-DD, not {text!r}") from None


@app.callback()
def main() -> None:
    """ICM migration and data-integrity service."""


@app.command()
def generate(
    source: str = typer.Option(
        ..., help="Where to write the synthetic legacy database (SQLAlchemy URL)."
    ),
    persons: int = typer.Option(1000, help="How many persons to generate (at least 40)."),
    seed: int = typer.Option(42, help="Random seed: the same seed gives the same database."),
    attachments_dir: Path = typer.Option(
        ..., help="Folder for the Siebel attachment files (.SAF)."
    ),
    manifest: Path = typer.Option(
        ..., help="Where to write the JSON manifest of injected defects."
    ),
    defect_rate: float = typer.Option(0.02, help="Share of rows given each defect (0 to 0.05)."),
) -> None:
    """Generate a synthetic legacy ICM database with every known defect injected."""
    from flows.engines import SettingError
    from flows.generate import EXIT_ERROR, run_generate
    from synthetic import GeneratorError

    try:
        run_generate(
            source,
            persons=persons,
            seed=seed,
            attachments_dir=attachments_dir,
            manifest_path=manifest,
            defect_rate=defect_rate,
            console=console,
        )
    except (GeneratorError, SettingError) as exc:
        console.print(f"[red]Generation stopped:[/red] {exc}")
        raise typer.Exit(EXIT_ERROR) from None


@app.command("init-target")
def init_target(target: str = typer.Option(..., help=TARGET_HELP)) -> None:
    """Create or upgrade the new store's schema (Alembic migrations)."""
    import sqlalchemy as sa

    from flows.engines import SettingError, redact
    from flows.target import EXIT_ERROR, run_init_target
    from load import StoreBusyError

    try:
        run_init_target(target, console)
    except (SettingError, StoreBusyError) as exc:
        console.print(f"[red]init-target stopped:[/red] {exc}")
        raise typer.Exit(EXIT_ERROR) from None
    except sa.exc.OperationalError as exc:  # the driver's text may quote the URL: not shown
        console.print(
            f"[red]init-target stopped:[/red] the target {redact(target)} could not be reached "
            f"({type(exc.orig).__name__}); a retry may help once it is up"
        )
        raise typer.Exit(EXIT_ERROR) from None


@app.command()
def migrate(
    source: str = typer.Option(..., help=SOURCE_HELP),
    target: str = typer.Option(..., help=TARGET_HELP),
    attachments_dir: Path | None = typer.Option(
        None, help="The Siebel file system: <ROW_ID>_<REV>.SAF files."
    ),
    attachment_store: Path | None = typer.Option(
        None, help="Folder of the new content-addressed attachment store."
    ),
    batch_size: int = typer.Option(5000, min=1, help="Rows per batch (one transaction each)."),
    as_of: str | None = typer.Option(
        None,
        help="Extraction date (YYYY-MM-DD) for date rules such as birth dates in the future; default today.",
    ),
    prune_deleted: bool = typer.Option(
        False,
        "--prune-deleted",
        help="Delete from the store the legacy rows gone from the source since an earlier run "
        "(default: keep them, and reconcile reports them). Only when the source's deletions "
        "are known to be real: a row missing from a partial copy would be deleted too. Stops "
        "rather than delete more than half of a table's rows.",
    ),
) -> None:
    """Move every legacy table into the new store. Re-run after a crash to resume."""
    from flows.run_migrate import run_migrate

    code = run_migrate(
        source=source,
        target=target,
        attachments_dir=attachments_dir,
        attachment_store=attachment_store,
        batch_size=batch_size,
        requested_by=current_user(),
        console=console,
        as_of=_as_of(as_of),
        prune_deleted=prune_deleted,
    )
    raise typer.Exit(code)


@app.command()
def reconcile(
    source: str = typer.Option(..., help=SOURCE_HELP),
    target: str = typer.Option(..., help=TARGET_HELP),
    out: Path = typer.Option(
        ..., help="Folder for reconciliation.json, discrepancies.csv, report.html, manifest.json."
    ),
    attachments_dir: Path | None = typer.Option(
        None, help="The Siebel file system, to re-check each file."
    ),
    attachment_store: Path | None = typer.Option(
        None, help="The new attachment store, to check each stored file."
    ),
    reveal_pii: bool = typer.Option(
        False, "--reveal-pii", help="Show personal data in the report (recorded with who asked)."
    ),
    batch_size: int = typer.Option(5000, min=1, help="Rows read per batch on each side."),
    parallel: bool = typer.Option(
        False,
        "--parallel",
        help="Compute the next batch's expected rows in a second process: about 15% faster "
        "on 2 cores, about 200 MB more memory.",
    ),
    signing_key: Path | None = typer.Option(
        None,
        help="Sign the report's manifest with this Ed25519 private key (PEM; its passphrase, "
        "if any, in ICM_SIGNING_KEY_PASSPHRASE). See `signing-key`.",
    ),
    first_run_with_key: bool = typer.Option(
        False,
        "--first-run-with-key",
        help="Signing starts here, or the key changed: accept the earlier report though it is "
        "not signed with --signing-key (the report says so).",
    ),
) -> None:
    """Prove the migration complete: exit 0 when clean, 1 on any discrepancy, 2 on error."""
    from flows.run_reconcile import run_reconcile

    raise typer.Exit(
        run_reconcile(
            source=source,
            target=target,
            out_dir=out,
            attachments_dir=attachments_dir,
            attachment_store=attachment_store,
            console=console,
            reveal_pii=reveal_pii,
            requested_by=current_user(),
            batch_size=batch_size,
            parallel=parallel,
            signing_key=signing_key,
            first_run_with_key=first_run_with_key,
        )
    )


@app.command()
def quarantine(
    target: str = typer.Option(..., help=TARGET_HELP),
    out: Path = typer.Option(..., help="The CSV file to write (replaced if it exists)."),
    table: list[str] = typer.Option(
        [], "--table", help="Only this legacy table (repeat for more), e.g. S_CONTACT."
    ),
    reason: list[str] = typer.Option(
        [], "--reason", help="Only this reason code (repeat for more), e.g. DOB_IN_FUTURE."
    ),
    status: list[str] = typer.Option(
        [],
        "--status",
        help="Only records with this status: open, replayed or waived (repeat for more).",
    ),
) -> None:
    """List every quarantined legacy row and why, as CSV: the data stewards' worklist."""
    from flows.run_quarantine import run_quarantine_list

    code = run_quarantine_list(
        target=target,
        out=out,
        console=console,
        tables=table,
        reasons=reason,
        statuses=status,
    )
    raise typer.Exit(code)


@app.command("quarantine-review")
def quarantine_review(
    target: str = typer.Option(..., help=TARGET_HELP),
    status: str = typer.Option(
        ...,
        help="The records' new status: waived (stays out, knowingly), replayed (the cause is "
        "fixed in the legacy system) or open (to review again).",
    ),
    note: str = typer.Option(..., help="Why: kept with who and when for the auditors."),
    row: list[str] = typer.Option(
        [], "--row", help="A quarantined row as TABLE:ROW_ID, e.g. S_CONTACT:1-2ABC (repeat)."
    ),
    rows: Path | None = typer.Option(
        None,
        "--rows",
        help="A CSV with legacy_table and legacy_row_id columns, such as the worklist `quarantine` "
        "writes, cut down to the rows decided.",
    ),
) -> None:
    """Record a data steward's decision on quarantined rows: all of them or none."""
    from flows.run_quarantine import run_quarantine_review

    code = run_quarantine_review(
        target=target,
        status=status,
        note=note,
        reviewed_by=current_user(),
        console=console,
        rows=row,
        rows_file=rows,
    )
    raise typer.Exit(code)


@app.command()
def matches(
    target: str = typer.Option(..., help=TARGET_HELP),
    out: Path = typer.Option(..., help="The CSV file to write (replaced if it exists)."),
    decision: list[str] = typer.Option(
        [],
        "--decision",
        help="Only pairs with this decision: pending, same_person or different (repeat for more).",
    ),
    min_score: float | None = typer.Option(None, help="Only pairs scoring at least this."),
) -> None:
    """List the probable duplicate persons for the data stewards to decide, as CSV."""
    from flows.run_matches import run_match_list

    raise typer.Exit(
        run_match_list(
            target=target, out=out, console=console, decisions=decision, min_score=min_score
        )
    )


@app.command("match-decide")
def match_decide(
    target: str = typer.Option(..., help=TARGET_HELP),
    decision: str = typer.Option(
        ..., help="same_person, different, or pending (to decide again). Persons are never merged."
    ),
    note: str = typer.Option(..., help="Why: kept with who and when for the auditors."),
    pair: list[str] = typer.Option(
        [], "--pair", help="Two S_CONTACT ROW_IDs as ROW_ID:ROW_ID, in either order (repeat)."
    ),
    pairs: Path | None = typer.Option(
        None,
        "--pairs",
        help="A CSV with person_a_row_id and person_b_row_id columns, such as the list "
        "`matches` writes, cut down to the pairs decided.",
    ),
) -> None:
    """Record a data steward's decision on probable duplicate pairs: all of them or none."""
    from flows.run_matches import run_match_decide

    code = run_match_decide(
        target=target,
        decision=decision,
        note=note,
        decided_by=current_user(),
        console=console,
        pairs=pair,
        pairs_file=pairs,
    )
    raise typer.Exit(code)


@app.command()
def status(
    target: str = typer.Option(..., help=TARGET_HELP),
    as_json: bool = typer.Option(False, "--json", help="One JSON document, for scripts."),
) -> None:
    """Show where the store stands: runs, tables, outcomes, the stewards' open work."""
    from flows.run_status import run_status

    raise typer.Exit(run_status(target=target, console=console, as_json=as_json))


@app.command("review-history")
def review_history(
    target: str = typer.Option(..., help=TARGET_HELP),
    out: Path = typer.Option(..., help="The CSV file to write (replaced if it exists)."),
    reveal_notes: bool = typer.Option(
        False,
        "--reveal-notes",
        help="Include the stewards' notes (free text that may name a person).",
    ),
    since_report: Path | None = typer.Option(
        None,
        "--since-report",
        help="A reconcile report folder: check the reviews it saw are all still on record, unchanged.",
    ),
    public_key: Path | None = typer.Option(
        None,
        help="With --since-report: the public key the reports are signed with; the report "
        "must carry its valid signature.",
    ),
) -> None:
    """List every review on record, stewards' and runs', oldest first, as CSV: the auditors' trail.

    Also checks each row's hash link: exits 1 when a history was changed after it was written."""
    from flows.run_review_history import run_review_history

    raise typer.Exit(
        run_review_history(
            target=target,
            out=out,
            console=console,
            reveal_notes=reveal_notes,
            since_report=since_report,
            requested_by=current_user(),
            public_key=public_key,
        )
    )


@app.command("disclosures")
def disclosures(
    target: str = typer.Option(..., help=TARGET_HELP),
    as_json: bool = typer.Option(False, "--json", help="One JSON document, for scripts."),
) -> None:
    """Show who had personal data shown in the clear, when, and what (never the data itself)."""
    from flows.run_disclosures import run_disclosures

    raise typer.Exit(run_disclosures(target=target, console=console, as_json=as_json))


@app.command("verify-report")
def verify_report(
    report_dir: Path = typer.Argument(..., help="A folder written by `reconcile`."),
    manifest_sha256: str | None = typer.Option(
        None,
        help="The manifest SHA-256 recorded when the report was made (catches a re-sealed forgery).",
    ),
    target: str | None = typer.Option(
        None,
        help="The store the report was made from: its record of the manifest catches a re-sealed "
        "forgery, and a folder restored to an earlier report.",
    ),
    public_key: Path | None = typer.Option(
        None,
        help="The public key of the reconcile's --signing-key: the manifest must carry its "
        "valid signature.",
    ),
) -> None:
    """Check a report against its manifest and chain: exit 0 when intact, non-zero on any change."""
    from flows.run_reconcile import run_verify_report

    raise typer.Exit(
        run_verify_report(
            report_dir,
            console,
            expected_manifest_sha256=manifest_sha256,
            target=target,
            public_key=public_key,
        )
    )


@app.command("signing-key")
def signing_key(
    out: Path = typer.Option(
        ...,
        help="The private key file to create (readable by you only); the public key goes "
        "beside it as OUT.pub.",
    ),
) -> None:
    """Make an Ed25519 key pair for signing reports (encrypted with ICM_SIGNING_KEY_PASSPHRASE if set)."""
    from flows.run_signing_key import run_signing_key

    raise typer.Exit(run_signing_key(out, console))


@app.command()
def demo(
    work_dir: Path = typer.Option(
        Path("work/demo"), help="Folder for the demo's databases and reports."
    ),
    persons: int = typer.Option(
        2000, help="Persons in the synthetic legacy database (at least 40)."
    ),
    seed: int = typer.Option(42, help="Random seed of the synthetic data."),
) -> None:
    """Generate a synthetic legacy ICM database in SQLite, migrate it and reconcile it."""
    from flows.demo import run_demo

    raise typer.Exit(run_demo(work_dir=work_dir, persons=persons, seed=seed, console=console))
