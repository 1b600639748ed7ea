"""``discrepancies.csv``: one row per discrepancy, for spreadsheets.

Compared values are masked unless the report reveals PII; several compared
fields share one ``expected`` / ``actual`` cell as ``field=value`` pairs joined
with ``; ``. A cell that a spreadsheet would run as a formula (starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with ``'``.
Lines end in CRLF (RFC 4180); the writer adds a UTF-8 byte order mark so
spreadsheet programs read non-Latin names correctly. :func:`write_csv`
streams, one discrepancy at a time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TextIO

from reconcile.masking import safe_detail, shown
from reconcile.result import Discrepancy, ReconciliationResult

__all__ = [
    "CSV_COLUMNS",
    "FORMULA_STARTS",
    "render_csv",
    "spreadsheet_cell",
    "write_csv",
    "write_rows",
]

CSV_COLUMNS = (
    "kind",
    "legacy_table",
    "legacy_row_id",
    "target_table",
    "target_id",
    "fields",
    "detail",
    "expected",
    "actual",
    "masked",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(text: str | None) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text: never run as a formula."""
    if text is None:
        return ""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_rows(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[str | None]]) -> int:
    """Write ``header``, then ``rows`` with every cell a :func:`spreadsheet_cell`, as CSV to
    ``out`` (opened with ``newline=""``), one row at a time; returns how many rows."""
    writer = csv.writer(out)
    writer.writerow(header)
    written = 0
    for row in rows:
        writer.writerow([spreadsheet_cell(value) for value in row])
        written += 1
    return written


def _pairs(d: Discrepancy, side: str, *, reveal: bool) -> str:
    parts = []
    for v in d.values:
        value = shown(getattr(v, side), v.pii_kind, reveal=reveal)
        parts.append(f"{v.field}={'' if value is None else value}")
    return "; ".join(parts)


def write_csv(result: ReconciliationResult, out: TextIO) -> None:
    """Write the discrepancies as CSV to ``out`` (opened with ``newline=""``), header first,
    in the result's order, one row at a time. The byte order mark is the caller's (its encoding)."""
    reveal = result.pii_revealed
    write_rows(out, CSV_COLUMNS, (_row(d, reveal=reveal) for d in result.discrepancies))


def _row(d: Discrepancy, *, reveal: bool) -> tuple[str | None, ...]:
    masked = not reveal and any(v.pii_kind is not None for v in d.values)
    return (
        d.kind,
        d.legacy_table,
        d.legacy_row_id,
        d.target_table,
        d.target_id,
        ";".join(d.fields),
        safe_detail(d, reveal=reveal),
        _pairs(d, "expected", reveal=reveal),
        _pairs(d, "actual", reveal=reveal),
        "true" if masked else "false",
    )


def render_csv(result: ReconciliationResult) -> str:
    """The discrepancies as CSV text, header first, in the result's order."""
    buffer = io.StringIO(newline="")
    write_csv(result, buffer)
    return buffer.getvalue()
