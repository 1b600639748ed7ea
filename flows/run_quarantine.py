"""Run ``quarantine``: write the data stewards' quarantine worklist from the new store.

Exit codes: 0 written (even when no row is quarantined), 2 an error (a bad filter,
an unreachable target or one never migrated, a migration writing the store, a file
that cannot be written), with a message naming no personal data. The file is
written beside its final name and renamed into place, so a failed run leaves no
half-written worklist under that name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console

import load
from flows.engines import SettingError, make_target_engine, redact
from reconcile import (
    QUARANTINE_STATUSES,
    QuarantineLine,
    ReconcileError,
    migration_run_of,
    quarantine_lines,
    write_quarantine_csv,
)
from transform import REASON_CODES, TABLE_LOAD_ORDER

__all__ = ["EXIT_ERROR", "EXIT_WRITTEN", "filter_problems", "run_quarantine_list"]

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
    try:
        engine = make_target_engine(target)
    except SettingError as exc:
        console.print(f"[red]Quarantine list stopped:[/red] {exc}")
        return EXIT_ERROR
    out = Path(out)
    try:
        with load.store_lock(engine, exclusive=False), engine.connect() as conn:
            migration_run_of(conn)
            written, rows = _write(
                out, quarantine_lines(conn, tables=tables, reasons=reasons, statuses=statuses)
            )
    except (load.LoadError, ReconcileError) as exc:
        console.print(f"[red]Quarantine list stopped:[/red] {exc}")
        return EXIT_ERROR
    except sa.exc.SQLAlchemyError as exc:  # the driver's text may quote the URL: not shown
        console.print(
            f"[red]Quarantine list stopped:[/red] the target {redact(target)} could not be read "
            f"({type(exc).__name__}); a retry may help if it was unreachable"
        )
        return EXIT_ERROR
    except OSError as exc:
        console.print(
            f"[red]Quarantine list stopped:[/red] {out} could not be written "
            f"({type(exc).__name__}: {exc.strerror or exc})"
        )
        return EXIT_ERROR
    finally:
        engine.dispose()
    console.print(f"Wrote {written:,} reasons of {rows:,} quarantined rows to {out}")
    return EXIT_WRITTEN


def _write(out: Path, lines: Iterator[QuarantineLine]) -> tuple[int, int]:
    """Stream ``lines`` into a temporary file beside ``out``, then rename it into place.
    Returns (lines written, distinct rows)."""
    rows = 0
    last: tuple[str, str] | None = None

    def counted() -> Iterator[QuarantineLine]:
        nonlocal rows, last
        for line in lines:
            key = (line.legacy_table, line.legacy_row_id)
            if key != last:
                rows, last = rows + 1, key
            yield line

    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with open(fd, "w", encoding="utf-8-sig", newline="") as handle:
            written = write_quarantine_csv(counted(), handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
    return written, rows
