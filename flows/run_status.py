"""Run ``status``: where a store stands, for the migration engineers (and scripts, with --json).

Its schema revision; whether a migration run is writing it now (load.held_exclusively); the latest migration runs; the latest run's tables, done, under way or
not started; the ledger's outcomes per legacy table; the stewards' open work (quarantine
records by status, probable duplicate pairs by decision); and the latest reconciliation.
Read from what has committed, so it answers while a migration runs. Nothing shown is
personal data.

Exit codes: 0 shown, 2 an error (an unreachable target, a store never initialised).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any, TextIO

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

import load
from flows.engines import redact
from flows.steward_commands import on_store
from reconcile import ReconciliationRunRecord, latest_reconciliation_run

__all__ = ["EXIT_ERROR", "EXIT_SHOWN", "run_status", "status_document"]

EXIT_SHOWN, EXIT_ERROR = 0, 2


def _time(value: dt.datetime | None) -> str | None:
    """A stored time as ISO text in UTC (SQLite keeps it without a zone)."""
    if value is None:
        return None
    value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return value.isoformat(timespec="seconds")


def status_document(
    status: load.StoreStatus,
    *,
    revision: str,
    writing_now: bool,
    reconciliation: ReconciliationRunRecord | None,
) -> dict[str, Any]:
    """The status as plain JSON-ready values (what ``--json`` prints)."""
    return {
        "schema_revision": revision,
        "writing_now": writing_now,
        "runs": [
            {
                "id": run.id,
                "kind": run.kind,
                "status": run.status,
                "started_at": _time(run.started_at),
                "finished_at": _time(run.finished_at),
                "as_of": run.as_of.isoformat() if run.as_of else None,
                "prune_deleted": run.prune_deleted,
                "detail": run.detail,
            }
            for run in status.runs
        ],
        "latest_run_tables": [
            {
                "legacy_table": t.legacy_table,
                "state": t.state,
                "rows_done": t.rows_done,
                "last_row_id": t.last_row_id,
                "updated_at": _time(t.updated_at),
            }
            for t in status.tables
        ],
        "outcomes": status.outcomes,
        "quarantine_by_status": status.quarantine_by_status,
        "pairs_by_decision": status.pairs_by_decision,
        "latest_reconciliation": None
        if reconciliation is None
        else {
            "id": reconciliation.id,
            "status": reconciliation.status,
            "migration_run_id": reconciliation.migration_run_id,
            "started_at": _time(reconciliation.started_at),
            "finished_at": _time(reconciliation.finished_at),
            "report_dir": reconciliation.report_dir,
        },
    }


def run_status(
    *, target: str, console: Console, as_json: bool = False, out: TextIO | None = None
) -> int:
    """Show the status of the store at ``target`` on ``console``, or with ``as_json`` write it
    to ``out`` (standard output by default) as one JSON document; errors go to ``console``.
    Returns 0 when shown, 2 on error."""

    def read(engine: sa.Engine) -> dict[str, Any]:
        return status_document(
            load.store_status(engine),
            revision=load.head_revision(),  # on_store refuses any other
            writing_now=load.held_exclusively(engine),
            reconciliation=latest_reconciliation_run(engine),
        )

    document = on_store(console, "Status", target, read, exclusive=None)
    if document is None:
        return EXIT_ERROR
    if as_json:
        stream = out or sys.stdout
        stream.write(json.dumps(document, indent=2) + "\n")
    else:
        _render(console, redact(target), document)
    return EXIT_SHOWN


def _shown_time(text: str | None) -> str:
    """An ISO time in UTC as the table shows it: date and time to the second, no zone."""
    return dt.datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M:%S") if text else ""


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {name}" for name, n in counts.items())


def _render(console: Console, target: str, doc: dict[str, Any]) -> None:
    console.print(f"Store {target}, schema revision {doc['schema_revision']}")
    console.print(
        "A migration run (or a steward's decision) is writing the store now."
        if doc["writing_now"]
        else "No migration run is writing the store now."
    )
    if not doc["runs"]:
        console.print("No migration run yet.")
        return
    console.print("Migration runs, latest first (times in UTC):")
    for run in doc["runs"]:
        finished = f", finished {_shown_time(run['finished_at'])}" if run["finished_at"] else ""
        as_of = f", as of {run['as_of']}" if run["as_of"] else ""
        prunes = ", prunes rows gone from the source" if run["prune_deleted"] else ""
        console.print(
            f"  {run['id']} {run['kind']} [bold]{run['status']}[/bold]: started "
            f"{_shown_time(run['started_at'])}{finished}{as_of}{prunes}"
        )
    tables = doc["latest_run_tables"]
    done = sum(t["state"] == "done" for t in tables)
    console.print(f"Latest run: {done} of {len(tables)} legacy tables done.")
    if doc["runs"][0]["status"] in ("running", "failed") and not doc["writing_now"]:
        console.print(
            "[yellow]The latest run stopped before its end[/yellow] (a crash or an error): "
            "migrate again to resume it where it stopped."
        )
    for t in tables:
        if t["state"] == "under way":
            console.print(
                f"  {t['legacy_table']} under way: {t['rows_done']:,} rows done, the last "
                f"ROW_ID {t['last_row_id']} at {_shown_time(t['updated_at'])} UTC"
            )
    outcomes = Table(title="Ledger outcomes per legacy table")
    for column in ("legacy table", "loaded", "quarantined", "excluded"):
        outcomes.add_column(column, justify="left" if column == "legacy table" else "right")
    kinds = ("loaded", "quarantined", "excluded")
    for table, counts in doc["outcomes"].items():
        outcomes.add_row(table, *(f"{counts[o]:,}" for o in kinds))
    totals = (sum(c[o] for c in doc["outcomes"].values()) for o in kinds)
    outcomes.add_section()
    outcomes.add_row("all", *(f"{n:,}" for n in totals))
    console.print(outcomes)
    console.print(f"Quarantine records: {_counts(doc['quarantine_by_status'])}")
    console.print(f"Probable duplicate pairs: {_counts(doc['pairs_by_decision'])}")
    latest = doc["latest_reconciliation"]
    if latest is None:
        console.print("No reconciliation yet.")
    else:
        console.print(
            f"Latest reconciliation {latest['id']}: {latest['status']}, started "
            f"{_shown_time(latest['started_at'])} UTC, report in "
            f"{latest['report_dir'] or '(not written)'}"
        )
