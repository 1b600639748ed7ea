"""``icm-migrate generate``: write a synthetic legacy ICM database, its attachment files and manifest."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy.engine import make_url

import synthetic
from flows.engines import make_engine, redact

__all__ = ["EXIT_ERROR", "run_generate"]

EXIT_ERROR = 2
"""Exit status when the generator refuses its inputs or its target (a retry will not help)."""


def run_generate(
    source_url: str,
    *,
    persons: int,
    seed: int,
    attachments_dir: Path,
    manifest_path: Path,
    defect_rate: float,
    console: Console,
) -> synthetic.Manifest:
    """Generate into ``source_url`` (which must hold no legacy rows yet), with a progress bar per
    table; write the manifest to ``manifest_path`` and print the row counts. Raises
    :class:`synthetic.GeneratorError` on inputs or a target it cannot use."""
    _make_sqlite_folder(source_url)
    engine = make_engine(source_url, role="legacy database to generate into")
    try:
        with Progress(
            TextColumn("{task.description:<20}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bars:
            tasks: dict[str, TaskID] = {}

            def report(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bars.add_task(stage, total=max(total, 1))
                bars.update(tasks[stage], completed=done if total else 1, total=max(total, 1))

            manifest = synthetic.generate(
                engine,
                persons=persons,
                seed=seed,
                attachments_dir=attachments_dir,
                defect_rate=defect_rate,
                progress=report,
            )
    finally:
        engine.dispose()
    manifest.write(manifest_path)
    _summary(console, manifest, source_url, attachments_dir, manifest_path)
    return manifest


def _make_sqlite_folder(source_url: str) -> None:
    """A SQLite file database is created on first connect, but its folder must exist."""
    url = make_url(source_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def _summary(
    console: Console,
    manifest: synthetic.Manifest,
    source_url: str,
    attachments_dir: Path,
    manifest_path: Path,
) -> None:
    table = Table(
        title="Synthetic legacy ICM database",
        caption=f"seed {manifest.seed}, {manifest.persons:,} persons",
    )
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in manifest.row_counts.items():
        table.add_row(name, f"{count:,}")
    table.add_row("[bold]total[/bold]", f"[bold]{sum(manifest.row_counts.values()):,}[/bold]")
    console.print(table)
    variants = {entry.variant for entry in manifest.defects}
    console.print(
        f"{len(manifest.defects):,} injected defects ({len(variants)} variants, rate {manifest.defect_rate}); "
        f"database {redact(source_url)}; attachments {attachments_dir}; manifest {manifest_path}"
    )
    for skipped in manifest.not_injected:
        console.print(
            f"[yellow]not injected[/yellow] {skipped['defect']} {skipped['variant']}: {skipped['reason']}"
        )
