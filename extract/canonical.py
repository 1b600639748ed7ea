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

:func:`source_hashes` hashes a whole batch given by column. It writes the same
bytes as :func:`canonical_row` without building each row's JSON through
``json.dumps``: column names are encoded once (into a ``%`` template of the
row), text values go through the same C string encoder ``json.dumps`` uses,
dates (whose ISO text needs no escaping) are quoted directly, and the text of
each date and number is remembered within the batch where that is exact. A
value not of its column's usual exact type goes through :func:`canonical_value`;
if any value is refused, the batch is hashed row by row through
:func:`source_hash`, so the ``TypeError`` is the same.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import hashlib
import json
from collections.abc import Mapping, Sequence
from json.encoder import encode_basestring
from typing import Any

from extract.legacy_schema import ColumnSpec, legacy_spec

__all__ = ["canonical_row", "canonical_value", "source_hash", "source_hashes"]

_CONTEXT = decimal.Context(prec=60)
_DATETIME = dt.datetime
_DECIMAL = decimal.Decimal
_STR = frozenset({str})
_STR_OR_NONE = frozenset({str, type(None)})


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


def _value_json(spec: ColumnSpec, value: Any) -> str:
    """The JSON of one value as :func:`canonical_row` writes it."""
    text = canonical_value(spec, value)
    return "null" if text is None else encode_basestring(text)


def _text_json(spec: ColumnSpec, values: Sequence[Any]) -> list[str]:
    types = set(map(type, values))
    if types <= _STR:
        return list(map(encode_basestring, values))
    if types <= _STR_OR_NONE:
        return [encode_basestring(v) if v is not None else "null" for v in values]
    return [_value_json(spec, v) for v in values]


def _date_json(
    spec: ColumnSpec, values: Sequence[Any], seen: dict[dt.datetime, str] | None = None
) -> list[str]:
    """Dates as JSON; ``seen`` remembers the text of each naive datetime (shared by a batch's date columns).

    ``isoformat()`` of a naive datetime is digits, '-', ':', 'T' and '.': nothing
    to escape. Equal naive datetimes have the same isoformat (``fold`` is not shown).
    """
    memo: dict[dt.datetime, str] = {} if seen is None else seen
    out: list[str] = []
    for v in values:
        if v.__class__ is _DATETIME and v.tzinfo is None:
            text = memo.get(v)
            if text is None:
                text = memo[v] = '"' + v.isoformat() + '"'
            out.append(text)
        else:
            out.append("null" if v is None else _value_json(spec, v))
    return out


def _number_json(spec: ColumnSpec, values: Sequence[Any]) -> list[str]:
    """Numbers, remembered per (type, value) within the batch where that is exact.

    Equal Decimals with different exponents (``1.5``, ``1.50``) have the same
    canonical text whenever quantising to the scale is exact, which is when the
    text has exactly ``scale`` decimals and fits the precision (a longer number
    makes ``quantize`` fail and keeps its own digits): only those are remembered.
    """
    seen: dict[tuple[type, Any], str] = {}
    out: list[str] = []
    scale = spec.scale or 0
    for v in values:
        if v is None:
            out.append("null")
            continue
        cls = v.__class__
        if cls is not _DECIMAL and cls is not int:
            out.append(_value_json(spec, v))
            continue
        key = (cls, v)
        try:
            text = seen.get(key)
        except TypeError:  # a signalling NaN cannot be hashed; canonical_value refuses it
            text = None
        if text is None:
            text = _value_json(spec, v)
            if _decimals(text) == scale and len(text) <= _CONTEXT.prec:
                seen[key] = text
        out.append(text)
    return out


def _decimals(json_number: str) -> int:
    """How many digits follow the point in a quoted plain-notation number."""
    point = json_number.find(".")
    return 0 if point < 0 else len(json_number) - point - 2


def source_hashes(table: str, columns: Sequence[Sequence[Any]]) -> list[str]:
    """:func:`source_hash` of every row of a batch given by column.

    ``columns``: one sequence per contract column of ``table``, in contract
    order, all of the same length (the rows). Same bytes, same hashes, same
    ``TypeError`` for a value without its Oracle meaning as :func:`source_hash`.
    """
    spec = legacy_spec()[table]
    if len(columns) != len(spec.columns):
        raise KeyError(
            f"{table} batch has {len(columns)} columns; the contract has {len(spec.columns)}"
        )
    try:
        encoded = _encoded_columns(spec.columns, columns)
    except TypeError:
        # Row by row: the first value in row order without its Oracle meaning raises, as in source_hash.
        names = spec.column_names
        return [
            source_hash(table, dict(zip(names, row, strict=True)))
            for row in zip(*columns, strict=True)
        ]
    template = _row_template(table)
    sha256 = hashlib.sha256
    texts = map(template.__mod__, zip(*encoded, strict=True))
    return [sha256(text.encode("utf-8", "surrogatepass")).hexdigest() for text in texts]


def _encoded_columns(
    specs: Sequence[ColumnSpec], columns: Sequence[Sequence[Any]]
) -> list[list[str]]:
    """The JSON text of every value, column by column."""
    dates: dict[dt.datetime, str] = {}
    return [
        _text_json(col, values)
        if col.is_text
        else _date_json(col, values, dates)
        if col.logical_type == "date"
        else _number_json(col, values)
        if col.logical_type == "number"
        else _value_column(col, values)
        for col, values in zip(specs, columns, strict=True)
    ]


@functools.cache
def _row_template(table: str) -> str:
    """``[TABLE,[[COLUMN,%s],...]]`` with names JSON-encoded once; ``%`` escaped."""
    pairs = ",".join(
        "[" + encode_basestring(col.name).replace("%", "%%") + ",%s]"
        for col in legacy_spec()[table].columns
    )
    return "[" + encode_basestring(table).replace("%", "%%") + ",[" + pairs + "]]"


def _value_column(spec: ColumnSpec, values: Sequence[Any]) -> list[str]:
    return [_value_json(spec, v) for v in values]
