"""``make demo``: a synthetic legacy ICM database in SQLite, migrated and reconciled, no server needed."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from rich.console import Console

import synthetic
from flows.generate import EXIT_ERROR, run_generate
from flows.identity import current_user
from flows.run_matches import run_match_list
from flows.run_migrate import run_migrate
from flows.run_quarantine import run_quarantine_list
from flows.run_reconcile import run_reconcile
from flows.signing_keys import public_key_path, write_key_pair

__all__ = ["run_demo"]


def run_demo(*, work_dir: Path, persons: int, seed: int, console: Console) -> int:
    """Generate, migrate, reconcile; print where everything is. Returns the exit code."""
    if work_dir.exists():
        shutil.rmtree(work_dir)
    work_dir.mkdir(parents=True)
    legacy = work_dir / "legacy-icm.sqlite"
    target = work_dir / "new-store.sqlite"
    files = work_dir / "siebel-files"
    store = work_dir / "attachment-store"
    manifest = work_dir / "defect-manifest.json"
    reports = work_dir / "reports"
    worklist = work_dir / "quarantine-worklist.csv"
    duplicates = work_dir / "duplicate-candidates.csv"
    signing_key = work_dir / "report-signing-key"  # a demo key: a real one is kept elsewhere

    console.rule("1. Generate a synthetic legacy ICM database")
    try:
        generated = run_generate(
            f"sqlite:///{legacy}",
            persons=persons,
            seed=seed,
            attachments_dir=files,
            manifest_path=manifest,
            defect_rate=0.02,
            console=console,
        )
    except synthetic.GeneratorError as exc:
        console.print(f"[red]Generation stopped:[/red] {exc}")
        return EXIT_ERROR
    console.rule("2. Migrate it into the new store")
    code = run_migrate(
        source=f"sqlite:///{legacy}",
        target=f"sqlite:///{target}",
        attachments_dir=files,
        attachment_store=store,
        batch_size=2000,
        requested_by=current_user(),
        console=console,
        as_of=dt.date.fromisoformat(generated.as_of),  # the synthetic data's "today"
    )
    if code != 0:
        return code
    console.rule("3. Reconcile")
    write_key_pair(signing_key)
    reconcile_code = run_reconcile(
        source=f"sqlite:///{legacy}",
        target=f"sqlite:///{target}",
        out_dir=reports,
        attachments_dir=files,
        attachment_store=store,
        console=console,
        requested_by=current_user(),
        signing_key=signing_key,
    )
    console.rule("4. List what the data stewards review")
    run_quarantine_list(target=f"sqlite:///{target}", out=worklist, console=console)
    run_match_list(target=f"sqlite:///{target}", out=duplicates, console=console)
    console.rule("Where everything is")
    console.print(f"legacy database      {legacy}")
    console.print(f"defect manifest      {manifest}")
    console.print(f"new store            {target}")
    console.print(f"attachment store     {store}")
    console.print(
        f"report signing key   {signing_key} (a demo key; its public key and register of signed reports beside it)",
        soft_wrap=True,
    )
    if reports.exists():
        console.print(f"reports              {reports}  (open {reports / 'report.html'})")
    if worklist.exists():
        console.print(f"quarantine worklist  {worklist}")
    if duplicates.exists():
        console.print(f"duplicate candidates {duplicates}")
    console.print(
        f"the store at a glance: icm-migrate status --target sqlite:///{target}", soft_wrap=True
    )
    if reports.exists():
        console.print(
            f"check the report: icm-migrate verify-report {reports} --target sqlite:///{target} "
            f"--public-key {public_key_path(signing_key)}",
            soft_wrap=True,
        )
    return reconcile_code  # 0 only when the migration reconciles clean
