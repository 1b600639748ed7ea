"""Run ``review-history``: every review on record, for the auditors, as CSV.

Exit codes: 0 written (even when nothing was reviewed yet), 2 an error (an unreachable
target or one never migrated, a migration writing the store, a file that cannot be
written), with a message naming no personal data. The list is written whole or not at
all (flows.steward_commands). The stewards' notes are left out unless asked for.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from rich.console import Console

from flows.steward_commands import on_store, write_atomically
from reconcile import migration_run_of, review_lines, write_review_csv

__all__ = ["EXIT_ERROR", "EXIT_WRITTEN", "run_review_history"]

EXIT_WRITTEN, EXIT_ERROR = 0, 2


def run_review_history(
    *, target: str, out: Path, console: Console, reveal_notes: bool = False
) -> int:
    """Write every quarantine and match review of ``target`` to ``out`` as CSV, oldest first.
    Returns 0 when written, 2 on error."""

    def write(engine: sa.Engine) -> int:
        with engine.connect() as conn:
            migration_run_of(conn)
            lines = review_lines(conn, reveal_notes=reveal_notes)
            return write_atomically(Path(out), lambda handle: write_review_csv(lines, handle))

    written = on_store(console, "Review history", target, write, exclusive=False)
    if written is None:
        return EXIT_ERROR
    hidden = "" if reveal_notes else " (notes hidden: --reveal-notes shows them)"
    console.print(f"Wrote {written:,} reviews to {out}{hidden}")
    return EXIT_WRITTEN
