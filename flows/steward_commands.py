"""What the data stewards' commands share: the store under its lock, with one-line errors, and
CSV files written whole or not at all, read back by key.

A list reads the store under the shared lock, a decision writes it under the exclusive one,
so neither meets a migration run half-way; ``status`` reads what has committed without it,
so that it answers while a run goes on. An error is one line that names its cause and
no personal data (a driver's own message may quote values: only its class is named).

A worklist is written into a temporary file beside its final name, synced, then renamed
into place: a failed run leaves no half-written list under that name. A steward hands a
list back cut down to the rows decided; only its key columns are read, and a cell the list
kept from running as a spreadsheet formula (reconcile's ``spreadsheet_cell``) is read back
as the value it holds.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO, TypeVar

import sqlalchemy as sa
from rich.console import Console

import load
from flows.engines import SettingError, make_target_engine, redact
from reconcile import FORMULA_STARTS, ReconcileError

__all__ = ["named_keys", "on_store", "read_keys", "store_problem", "write_atomically"]

T = TypeVar("T")


def on_store(
    console: Console,
    action: str,
    target: str,
    work: Callable[[sa.Engine], T],
    *,
    exclusive: bool | None,
) -> T | None:
    """``work(engine)`` on the store at ``target`` under its lock (``exclusive`` to write; None
    to read what has committed without it). On an error, prints "<action> stopped: <cause>"
    and returns None; a decision's transaction has then changed nothing."""
    try:
        engine = make_target_engine(target)
    except SettingError as exc:
        console.print(f"[red]{action} stopped:[/red] {exc}")
        return None
    try:
        if problem := store_problem(engine, target):
            console.print(f"[red]{action} stopped:[/red] {problem}")
            return None
        if exclusive is None:
            return work(engine)
        with load.store_lock(engine, exclusive=exclusive):
            return work(engine)
    except (load.LoadError, ReconcileError) as exc:
        console.print(f"[red]{action} stopped:[/red] {exc}")
    except sa.exc.SQLAlchemyError as exc:
        console.print(
            f"[red]{action} stopped:[/red] the target {redact(target)} could not be used "
            f"({type(exc).__name__}); nothing was changed, and a retry may help if it was "
            "unreachable"
        )
    except OSError as exc:
        console.print(
            f"[red]{action} stopped:[/red] {exc.filename or 'a file'} could not be written "
            f"({type(exc).__name__}: {exc.strerror or exc})"
        )
    finally:
        engine.dispose()
    return None


def store_problem(engine: sa.Engine, target: str) -> str | None:
    """Why ``engine`` is not a store this code can read (what to do about it), or None.

    A SQLite file that does not exist is not opened: connecting would make an empty one.
    """
    database = engine.url.database or ""
    missing = (
        engine.dialect.name == "sqlite"
        and database not in ("", ":memory:")
        and not Path(database.removeprefix("file:")).exists()
    )
    revision = None if missing else load.target_revision(engine)
    head = load.head_revision()
    if revision is None:
        return f"{redact(target)} is not a store yet: run icm-migrate init-target or migrate first"
    if revision != head:
        return (
            f"{redact(target)} is at schema revision {revision} and this code reads {head}: "
            "upgrade it with icm-migrate init-target, or use the code that matches"
        )
    return None


def write_atomically(out: Path, write: Callable[[TextIO], int]) -> int:
    """Call ``write`` on a temporary file beside ``out`` (UTF-8 with a byte order mark, for
    spreadsheets), then rename it to ``out``. Returns what ``write`` returned."""
    try:
        fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    except OSError as exc:  # name the file asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(out)) from exc
    temporary = Path(name)
    try:
        with open(fd, "w", encoding="utf-8-sig", newline="") as handle:
            written = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
    return written


def _as_written(cell: str | None) -> str:
    if cell and cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell or ""


def read_keys(path: Path, columns: Sequence[str]) -> list[tuple[str, ...]]:
    """The values of ``columns`` on each line of the CSV at ``path``, such as a worklist.
    Raises ValueError naming the file and the line."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: no column {', '.join(sorted(missing))} in its header")
        keys = []
        for number, line in enumerate(reader, start=2):
            key = tuple(_as_written(line.get(column)) for column in columns)
            if not all(key):
                raise ValueError(f"{path} line {number}: {' and '.join(columns)} are required")
            keys.append(key)
    return keys


def named_keys(
    texts: Sequence[str],
    parse: Callable[[str], tuple[str, str]],
    path: Path | None,
    columns: tuple[str, str],
) -> list[tuple[str, str]]:
    """The keys a decision names: each of ``texts`` parsed, then each line of the CSV at
    ``path`` (if any) by its ``columns``. Raises ValueError or OSError naming what is wrong."""
    keys = [parse(text) for text in texts]
    if path is not None:
        keys += [(first, second) for first, second in read_keys(path, columns)]
    return keys
