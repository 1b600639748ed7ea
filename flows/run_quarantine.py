"""Run ``quarantine`` and ``quarantine-review``: the data stewards' worklist, and their decisions.

``quarantine-review`` records a steward's decision (``load.review_quarantine``) on rows
named on the command line or listed in a CSV such as the worklist itself.

Exit codes: 0 written (even when no row is quarantined), 2 an error (a bad filter,
an unreachable target or one never migrated, a migration writing the store, a file
that cannot be written), with a message naming no personal data. The worklist is
written whole or not at all (flows.steward_commands).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console

import load
from flows.steward_commands import named_keys, on_store, write_atomically
from reconcile import (
    QUARANTINE_STATUSES,
    QuarantineLine,
    migration_run_of,
    quarantine_lines,
    write_quarantine_csv,
)
from transform import REASON_CODES, TABLE_LOAD_ORDER

__all__ = [
    "EXIT_ERROR",
    "EXIT_WRITTEN",
    "filter_problems",
    "parse_row",
    "run_quarantine_list",
    "run_quarantine_review",
]

EXIT_WRITTEN, EXIT_ERROR = 0, 2


def filter_problems(
    tables: Sequence[str], reasons: Sequence[str], statuses: Sequence[str]
) -> list[str]:
    """What is wrong with the filters given: each unknown table, reason code or status, with
    the names that are known (a filter that can match nothing is a typo, not an empty list)."""
    problems = []
    for label, given, known in (
        ("legacy table", tables, TABLE_LOAD_ORDER),
        ("reason code", reasons, tuple(REASON_CODES)),
        ("status", statuses, QUARANTINE_STATUSES),
    ):
        unknown = [name for name in given if name not in known]
        if unknown:
            problems.append(
                f"unknown {label} {', '.join(map(repr, unknown))}; known: {', '.join(known)}"
            )
    return problems


def run_quarantine_list(
    *,
    target: str,
    out: Path,
    console: Console,
    tables: Sequence[str] = (),
    reasons: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> int:
    """Write the worklist of ``target`` to ``out`` as CSV (UTF-8 with a byte order mark, for
    spreadsheets). Returns 0 when written, 2 on error."""
    problems = filter_problems(tables, reasons, statuses)
    if problems:
        for problem in problems:
            console.print(f"[red]Quarantine list refused:[/red] {problem}")
        return EXIT_ERROR

    def write(engine: sa.Engine) -> tuple[int, int]:
        with engine.connect() as conn:
            migration_run_of(conn)
            lines = quarantine_lines(conn, tables=tables, reasons=reasons, statuses=statuses)
            return _write(Path(out), lines)

    done = on_store(console, "Quarantine list", target, write, exclusive=False)
    if done is None:
        return EXIT_ERROR
    written, rows = done
    console.print(f"Wrote {written:,} reasons of {rows:,} quarantined rows to {out}")
    return EXIT_WRITTEN


def _write(out: Path, lines: Iterator[QuarantineLine]) -> tuple[int, int]:
    """Write ``lines`` to ``out`` whole or not at all. Returns (lines written, distinct rows)."""
    rows = 0
    last: tuple[str, str] | None = None

    def counted() -> Iterator[QuarantineLine]:
        nonlocal rows, last
        for line in lines:
            key = (line.legacy_table, line.legacy_row_id)
            if key != last:
                rows, last = rows + 1, key
            yield line

    written = write_atomically(out, lambda handle: write_quarantine_csv(counted(), handle))
    return written, rows


def parse_row(text: str) -> tuple[str, str]:
    """``TABLE:ROW_ID`` as (legacy table, ROW_ID); the ROW_ID may hold colons."""
    table, colon, row_id = text.partition(":")
    if not colon or not table or not row_id:
        raise ValueError(f"{text!r} is not TABLE:ROW_ID (e.g. S_CONTACT:1-2ABC)")
    return table, row_id


def run_quarantine_review(
    *,
    target: str,
    status: str,
    note: str,
    reviewed_by: str,
    console: Console,
    rows: Sequence[str] = (),
    rows_file: Path | None = None,
) -> int:
    """Give the quarantine records of the rows named (``rows`` as TABLE:ROW_ID, and the lines of
    ``rows_file``) ``status``, recorded with who and why. Returns 0 when recorded, 2 on error
    (then nothing was changed)."""
    try:
        named = named_keys(rows, parse_row, rows_file, ("legacy_table", "legacy_row_id"))
    except (ValueError, OSError) as exc:
        console.print(f"[red]Quarantine review refused:[/red] {exc}")
        return EXIT_ERROR
    problems = filter_problems(sorted({table for table, _ in named}), (), (status,))
    if problems:
        console.print(f"[red]Quarantine review refused:[/red] {'; '.join(problems)}")
        return EXIT_ERROR
    outcome = on_store(
        console,
        "Quarantine review",
        target,
        lambda engine: load.review_quarantine(
            engine, named, status, reviewed_by=reviewed_by, note=note
        ),
        exclusive=True,
    )
    if outcome is None:
        return EXIT_ERROR
    console.print(
        f"{outcome.changed:,} quarantine records now {status}, recorded as reviewed by "
        f"{reviewed_by}; {outcome.unchanged:,} already were"
    )
    return EXIT_WRITTEN
