"""Run the ``migrate`` flow from the command line, with a rich progress bar per table."""

from __future__ import annotations

import datetime as dt
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

import extract
import load
from flows.connections import hold
from flows.engines import SettingError, check_settings
from flows.migrate_flow import migrate_flow, set_progress_sink, summary_rows

__all__ = ["outcome_table", "run_migrate"]

EXIT_OK, EXIT_ERROR = 0, 2


def outcome_table(counts: dict[str, dict[str, int]]) -> Table:
    """Per-table outcomes: rows = loaded + quarantined + excluded."""
    table = Table(title="Migration outcomes per legacy table")
    for name in ("table", "rows", "loaded", "quarantined", "excluded"):
        table.add_column(name, justify="left" if name == "table" else "right")
    totals = [0, 0, 0, 0]
    for row in summary_rows(counts):
        values = [row["rows"], row["loaded"], row["quarantined"], row["excluded"]]
        totals = [t + v for t, v in zip(totals, values, strict=True)]
        table.add_row(row["table"], *(f"{v:,}" for v in values))
    table.add_row("all", *(f"{v:,}" for v in totals), style="bold")
    return table


def run_migrate(
    *,
    source: str,
    target: str,
    attachments_dir: Path | None,
    attachment_store: Path | None,
    batch_size: int,
    requested_by: str | None,
    console: Console,
    as_of: dt.date | None = None,
    prune_deleted: bool = False,
) -> int:
    """Run the flow; print outcomes. Exit code 0 on success, 2 on error (with a clear message)."""
    try:
        check_settings(source, target)
    except SettingError as exc:
        console.print(f"[red]Migration stopped:[/red] {exc}")
        return EXIT_ERROR
    with Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        bars: dict[str, TaskID] = {}

        def sink(table: str, rows: int, total: int | None) -> None:
            if table not in bars:
                bars[table] = progress.add_task(table, total=total)
            progress.update(bars[table], advance=rows, total=total)

        set_progress_sink(sink)
        try:
            counts = migrate_flow(
                source=hold(source),
                target=hold(target),
                attachments_dir=str(attachments_dir) if attachments_dir else None,
                attachment_store=str(attachment_store) if attachment_store else None,
                batch_size=batch_size,
                requested_by=requested_by,
                as_of=as_of.isoformat() if as_of else None,
                prune_deleted=prune_deleted,
            )
        except (extract.ExtractError, load.LoadError) as exc:
            console.print(f"[red]Migration stopped:[/red] {exc}")
            return EXIT_ERROR
        finally:
            set_progress_sink(None)
    console.print(outcome_table(counts))
    return EXIT_OK
