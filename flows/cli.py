"""The ``icm-migrate`` command line. Thin: parse options, call flows, render with rich."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(
    name="icm-migrate",
    help="Migrate the legacy ICM database to the new store, and prove nothing was lost.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
console = Console(stderr=True)


@app.callback()
def main() -> None:
    """ICM migration and data-integrity service."""


@app.command()
def demo(
    work_dir: Path = typer.Option(Path("work/demo"), help="Folder for the demo's databases and reports."),
    persons: int = typer.Option(2000, min=10, help="Persons in the synthetic legacy database."),
    seed: int = typer.Option(42, help="Random seed of the synthetic data."),
) -> None:
    """Generate a synthetic legacy ICM database in SQLite, migrate it and reconcile it."""
    from flows.demo import run_demo

    raise typer.Exit(run_demo(work_dir=work_dir, persons=persons, seed=seed, console=console))
