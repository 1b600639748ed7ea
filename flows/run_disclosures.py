"""Run ``disclosures``: who had personal data shown in the clear, when, and what.

For the privacy officer and the auditors: every ``reconcile --reveal-pii`` and
``review-history --reveal-notes`` on record, oldest first, with the check of the
table's hash links. No client's personal data is shown: the rows name staff
accounts and output paths, and describe what was shown, never the data.

Exit codes: 0 shown and every link verified, 1 shown but the record was changed
after it was written, 2 an error (an unreachable target, a store never migrated or
at another schema revision).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import TextIO

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from flows.steward_commands import on_store
from reconcile import AuditTrail, DisclosureLine, check_audit_trails, disclosure_lines

__all__ = ["EXIT_CHANGED", "EXIT_ERROR", "EXIT_SHOWN", "run_disclosures"]

EXIT_SHOWN, EXIT_CHANGED, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class _Read:
    lines: tuple[DisclosureLine, ...]
    trail: AuditTrail


def _read(engine: sa.Engine) -> _Read:
    with engine.connect() as conn:
        lines = tuple(disclosure_lines(conn))
        (trail,) = (t for t in check_audit_trails(conn) if t.table == "disclosure")
    return _Read(lines, trail)


def _table(lines: tuple[DisclosureLine, ...]) -> Table:
    table = Table(title="Personal data shown in the clear")
    for heading in ("id", "when (UTC)", "requested by", "command", "what"):
        table.add_column(heading, overflow="fold")
    for line in lines:
        table.add_row(
            str(line.id),
            line.disclosed_at.isoformat(timespec="seconds"),
            line.requested_by,
            line.command,
            line.what,
        )
    return table


def run_disclosures(
    *, target: str, console: Console, as_json: bool = False, out: TextIO | None = None
) -> int:
    """Show every disclosure on record in ``target``; returns 0, 1 (record changed) or 2."""
    read = on_store(console, "Disclosures", target, _read, exclusive=None)
    if read is None:
        return EXIT_ERROR
    if as_json:
        document = {
            "disclosures": [
                {
                    "id": line.id,
                    "disclosed_at": line.disclosed_at.isoformat(),
                    "requested_by": line.requested_by,
                    "command": line.command,
                    "what": line.what,
                }
                for line in read.lines
            ],
            "intact": read.trail.intact,
            "first_broken_id": read.trail.first_broken_id,
        }
        print(json.dumps(document, indent=2), file=out or sys.stdout)
    elif read.lines:
        console.print(_table(read.lines))
    else:
        console.print("No personal data was ever shown in the clear from this store.")
    if not read.trail.intact:
        console.print(f"[red]Changed after it was written:[/red] {read.trail.describe()}")
        return EXIT_CHANGED
    if not as_json:
        console.print(read.trail.describe())
    return EXIT_SHOWN
