"""The CSV files of the data stewards' commands: written whole or not at all, read back by key.

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
from typing import TextIO

from reconcile import FORMULA_STARTS

__all__ = ["read_keys", "write_atomically"]


def write_atomically(out: Path, write: Callable[[TextIO], int]) -> int:
    """Call ``write`` on a temporary file beside ``out`` (UTF-8 with a byte order mark, for
    spreadsheets), then rename it to ``out``. Returns what ``write`` returned."""
    fd, name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
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
