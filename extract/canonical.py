"""The canonical form of a legacy row, and its ``source_hash``.

``source_hash`` is the hex SHA-256 of :func:`canonical_row`: it is stored with
every target row, ledger row and quarantine record, so that a later run (or an
auditor) can tell whether the legacy row changed. It must therefore be the
same for the same row read from any engine or driver, and different for any
two rows that differ in any way.

The canonical row is UTF-8 JSON (``ensure_ascii=False``, separators ``,`` and
``:``, no whitespace) of::

    [TABLE, [[COLUMN, VALUE], [COLUMN, VALUE], ...]]

with every column of the table in contract order (system columns first; keys
of ``row`` that are not contract columns are ignored) and each VALUE:

* NULL -> JSON ``null``. No text can equal it: text is always a JSON string,
  so NULL, ``'NULL'``, ``''``, ``'<null>'`` all differ.
* text (``id``, ``varchar``, ``flag``, ``clob``) -> the JSON string, exactly:
  no trimming, no case folding; JSON escaping keeps quotes, commas, ``]``,
  control characters and NUL unambiguous.
* ``date`` -> ``"YYYY-MM-DDTHH:MM:SS"``, plus ``".ffffff"`` only when the
  microseconds are not zero (Oracle DATE has none).
* ``number P,S`` -> a JSON string in plain notation (no exponent), quantised
  to the column's scale S when that is exact (``"3"``, ``"1.5000000"``), else
  every digit the value has. Negative zero is zero.

Values must already carry their Oracle meaning (:mod:`extract.oracle`): the
encoder does not turn ``''`` into NULL, it keeps the two apart. A value of the
wrong Python type for its column (a float, an aware datetime, a number in a
text column) is a programming error and raises ``TypeError``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from extract.legacy_schema import ColumnSpec, legacy_spec

__all__ = ["canonical_row", "canonical_value", "source_hash"]

_CONTEXT = decimal.Context(prec=60)


def _number_text(value: decimal.Decimal | int, scale: int | None) -> str:
    number = decimal.Decimal(value)
    if not number.is_finite():
        raise TypeError("a number that is not finite has no canonical form")
    if number.is_zero():
        number = abs(number)
    if scale is not None:
        try:
            exact = number.quantize(decimal.Decimal(1).scaleb(-scale), context=_CONTEXT)
        except decimal.InvalidOperation:
            exact = number
        if exact == number:
            number = exact
    return format(number, "f")


def canonical_value(spec: ColumnSpec, value: Any) -> str | None:
    """The canonical text of one value of column ``spec`` (``None`` for NULL)."""
    if value is None:
        return None
    kind = spec.logical_type
    if spec.is_text:
        if not isinstance(value, str):
            raise TypeError(f"{spec.name} is text; got {type(value).__name__}")
        return value
    if kind == "date":
        if not isinstance(value, dt.datetime) or value.tzinfo is not None:
            raise TypeError(
                f"{spec.name} is a date: needs a naive datetime, got {type(value).__name__}"
            )
        return value.isoformat()
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, decimal.Decimal | int):
            raise TypeError(
                f"{spec.name} is a number: needs Decimal or int, got {type(value).__name__}"
            )
        return _number_text(value, spec.scale)
    raise TypeError(f"{spec.name} has unknown logical type {kind!r}")


def canonical_row(table: str, row: Mapping[str, Any]) -> bytes:
    """The canonical bytes of legacy row ``row`` of ``table`` (see the module docstring)."""
    spec = legacy_spec()[table]
    missing = [c for c in spec.column_names if c not in row]
    if missing:
        raise KeyError(f"{table} row lacks contract columns {missing}")
    pairs = [[col.name, canonical_value(col, row[col.name])] for col in spec.columns]
    text = json.dumps([table, pairs], ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", errors="surrogatepass")


def source_hash(table: str, row: Mapping[str, Any]) -> str:
    """Hex SHA-256 of :func:`canonical_row`: the same on every engine for the same row."""
    return hashlib.sha256(canonical_row(table, row)).hexdigest()
