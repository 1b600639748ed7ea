"""Oracle meaning of a legacy value, whatever engine and driver it was read through.

Production ICM is Oracle; development copies live on SQLite, PostgreSQL and
MariaDB, read through different drivers. Every value is turned into what it
means in Oracle, per the contract's logical type:

* ``id`` / ``varchar`` / ``clob``: ``str``; ``''`` is NULL (Oracle VARCHAR2);
  nothing is trimmed (``'ABC '`` stays ``'ABC '``: trailing blanks are data).
  Bytes are decoded as UTF-8.
* ``flag`` (CHAR(1)): right-trimmed of blanks (Oracle blank-pads CHAR), then
  ``''`` is NULL. PostgreSQL returns ``' '`` for a blank CHAR(1), MariaDB
  ``''``: both mean NULL.
* ``date``: a naive ``datetime.datetime``. Drivers return datetimes, dates or
  text (SQLite stores ISO text); text must be ISO ``YYYY-MM-DD[ HH:MM[:SS[.f]]]``
  (``T`` also accepted as separator). An aware datetime is converted to UTC.
  ``''`` is NULL.
* ``number P,S``: ``decimal.Decimal`` quantised to scale S when that is exact
  (``1.5`` in a NUMERIC(22,7) is ``Decimal('1.5000000')`` on every engine).
  A float (SQLite REAL storage, some ODBC drivers) is read through its
  15-significant-digit form (DBL_DIG), which gives back any decimal of up to
  15 digits that was stored as a double, identically on every driver.

A value the type cannot hold raises :class:`OracleValueError`, whose message
describes the problem without the value; the caller adds table, ROW_ID and
column.

Speed: :func:`oracle_columns` converts a whole page column by column, with one
converter per column chosen once from its logical type. A converter passes a
value the driver already gave in its Oracle type straight through (``str``,
naive ``datetime``), reads the common ISO date text with the C parser, and
remembers the numbers it has seen within the page; anything else goes through
:func:`oracle_value`, which stays the one definition of the meaning. If any
value of the page fails, the page is converted again row by row, so that the
error (the first bad value in row order) is exactly that of :func:`oracle_rows`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import math
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from extract.errors import SourceValueError
from extract.legacy_schema import ColumnSpec, legacy_spec

__all__ = [
    "OracleValueError",
    "column_converter",
    "oracle_columns",
    "oracle_rows",
    "oracle_value",
    "parse_date_text",
]

KEY = "ROW_ID"
KEY_LENGTH = 15
"""The contract's ROW_ID is VARCHAR(15); only a copy that ignores lengths (SQLite) holds more."""

_DATE_TEXT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
)
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_CONTEXT = decimal.Context(prec=60)
# The ISO shapes parse_date_text accepts, in ASCII digits only: for these (and only
# these) ``datetime.fromisoformat`` gives the same datetime or the same refusal.
_PLAIN_DATE_TEXT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?"
)
_DATETIME = dt.datetime
_DECIMAL = decimal.Decimal
_STR_OR_NONE = frozenset({str, type(None)})
_DATETIME_OR_NONE = frozenset({dt.datetime, type(None)})
_TZINFO = operator.attrgetter("tzinfo")


class OracleValueError(ValueError):
    """A raw value that the column's logical type cannot hold. The message names no value."""


def _as_text(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bytes | bytearray | memoryview):
        try:
            return bytes(raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise OracleValueError(
                f"bytes that are not valid UTF-8 (invalid byte at offset {exc.start})"
            ) from None
    raise OracleValueError(f"a {type(raw).__name__}, not text")


def parse_date_text(text: str) -> dt.datetime:
    """ISO date or date-time text as a naive datetime; :class:`OracleValueError` otherwise."""
    match = _DATE_TEXT.fullmatch(text)
    if match is None:
        raise OracleValueError(f"text that is not an ISO date ({len(text)} characters)")
    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        return dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:
        raise OracleValueError("text that is not a calendar date or time") from None


def _as_datetime(raw: Any) -> dt.datetime | None:
    if isinstance(raw, dt.datetime):
        if raw.tzinfo is not None:
            try:
                return raw.astimezone(dt.UTC).replace(tzinfo=None)
            except OverflowError:
                raise OracleValueError("a time whose UTC time is outside years 1-9999") from None
        return raw
    if isinstance(raw, dt.date):
        return dt.datetime(raw.year, raw.month, raw.day)
    if isinstance(raw, str | bytes | bytearray | memoryview):
        text = _as_text(raw)
        return parse_date_text(text) if text != "" else None
    raise OracleValueError(f"a {type(raw).__name__}, not a date")


def _quantised(value: decimal.Decimal, scale: int | None) -> decimal.Decimal:
    if not value.is_finite():
        raise OracleValueError("a number that is not finite (NaN or infinity)")
    if value.is_zero():
        value = abs(value)
    if scale is None:
        return value
    quantum = decimal.Decimal(1).scaleb(-scale)
    try:
        exact = value.quantize(quantum, context=_CONTEXT)
    except decimal.InvalidOperation:
        return value
    return exact if exact == value else value


def _as_decimal(raw: Any, scale: int | None) -> decimal.Decimal | None:
    if isinstance(raw, bool):
        raise OracleValueError("a bool, not a number")
    if isinstance(raw, decimal.Decimal):
        return _quantised(raw, scale)
    if isinstance(raw, int):
        return _quantised(decimal.Decimal(raw), scale)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise OracleValueError("a number that is not finite (NaN or infinity)")
        return _quantised(decimal.Decimal(format(raw, ".15g")), scale)
    if isinstance(raw, str | bytes | bytearray | memoryview):
        text = _as_text(raw)
        if text == "":
            return None
        if _NUMBER_TEXT.fullmatch(text) is None:
            raise OracleValueError(f"text that is not a number ({len(text)} characters)")
        return _quantised(decimal.Decimal(text), scale)
    raise OracleValueError(f"a {type(raw).__name__}, not a number")


def oracle_value(spec: ColumnSpec, raw: Any) -> Any:
    """What ``raw``, read from column ``spec`` on any engine, means in Oracle."""
    if raw is None:
        return None
    kind = spec.logical_type
    if kind in ("id", "varchar", "clob"):
        text = _as_text(raw)
        return text if text != "" else None
    if kind == "flag":
        text = _as_text(raw).rstrip(" ")
        return text if text != "" else None
    if kind == "date":
        return _as_datetime(raw)
    if kind == "number":
        return _as_decimal(raw, spec.scale)
    raise ValueError(f"unknown logical type {kind!r} of column {spec.name}")


def oracle_rows(
    table: str, columns: Sequence[str], raw_rows: Iterable[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """Every raw row of ``table`` (values in ``columns`` order) with its Oracle meaning.

    Raises :class:`extract.errors.SourceValueError` naming the table, ROW_ID and
    column of the first value its type cannot hold, or of a row without ROW_ID or with
    one longer than the contract's 15 characters.
    """
    spec = legacy_spec()[table]
    specs = [spec.column(c) for c in columns]
    key_at = list(columns).index(KEY) if KEY in columns else None
    converted: list[tuple[Any, ...]] = []
    for raw in raw_rows:
        row_id = raw[key_at] if key_at is not None else None
        values = []
        for col, value in zip(specs, raw, strict=True):
            try:
                values.append(oracle_value(col, value))
            except OracleValueError as exc:
                shown = row_id if isinstance(row_id, str) else None
                raise SourceValueError(
                    f"{table} ROW_ID {shown!r} column {col.name} ({col.logical_type}) holds {exc}",
                    table=table,
                    column=col.name,
                    row_id=shown,
                ) from None
        if key_at is not None and values[key_at] is None:
            raise SourceValueError(
                f"{table} has a row with an empty ROW_ID (NULL in Oracle): the key cannot be empty",
                table=table,
                column=KEY,
            )
        if key_at is not None and len(values[key_at]) > KEY_LENGTH:
            raise SourceValueError(
                f"{table} ROW_ID {values[key_at]!r} has {len(values[key_at])} characters: the"
                f" contract's key is VARCHAR({KEY_LENGTH}), and the new store's lineage,"
                " ledger and quarantine keys cannot hold a longer one (fix the source row;"
                " a retry will not help)",
                table=table,
                column=KEY,
                row_id=values[key_at],
            )
        if key_at is not None and "\x00" in values[key_at]:
            raise SourceValueError(
                f"{table} ROW_ID {values[key_at]!r} holds a NUL character: PostgreSQL text"
                " cannot hold it, so the new store's lineage, ledger and quarantine keys could"
                " not name the row (fix the source row; a retry will not help)",
                table=table,
                column=KEY,
                row_id=values[key_at],
            )
        converted.append(tuple(values))
    return converted


ColumnConverter = Callable[[Sequence[Any], dict[str, Any]], list[Any]]
"""Turns one column of raw values into their Oracle meaning (raises :class:`OracleValueError`).

The second argument is the page's memo of date texts already read, shared by
its date columns (a date text means the same in every date column).
"""


def _text_converter(spec: ColumnSpec) -> ColumnConverter:
    def convert(values: Sequence[Any], dates: dict[str, Any]) -> list[Any]:
        if set(map(type, values)) <= _STR_OR_NONE and "" not in values:
            return list(values)  # every value already is its meaning: str (not '') or None
        # A non-empty str is its own meaning; anything else (None, '', bytes) the long way.
        return [v if v.__class__ is str and v != "" else oracle_value(spec, v) for v in values]

    return convert


def _flag_converter(spec: ColumnSpec) -> ColumnConverter:
    def convert(values: Sequence[Any], dates: dict[str, Any]) -> list[Any]:
        if set(map(type, values)) <= _STR_OR_NONE and all(
            v is None or (v != "" and v[-1] != " ") for v in set(values)
        ):
            return list(values)  # no '' and no trailing blank: nothing to trim or nullify
        # A non-empty str not ending in a blank is unchanged by the right-trim.
        return [
            v if v.__class__ is str and v != "" and v[-1] != " " else oracle_value(spec, v)
            for v in values
        ]

    return convert


def _date_text(spec: ColumnSpec, text: str, seen: dict[str, Any]) -> Any:
    if text in seen:
        return seen[text]
    value: Any = None
    if _PLAIN_DATE_TEXT.fullmatch(text) is not None:
        try:
            value = _DATETIME.fromisoformat(text)
        except ValueError:
            value = None
    if value is None:
        value = oracle_value(spec, text)  # '' -> None; anything odd: the exact refusal
    seen[text] = value
    return value


def _date_converter(spec: ColumnSpec) -> ColumnConverter:
    def convert(values: Sequence[Any], dates: dict[str, Any]) -> list[Any]:
        if set(map(type, values)) <= _DATETIME_OR_NONE and set(
            map(_TZINFO, filter(None, values))  # datetimes are never falsy: drops only None
        ) <= {None}:
            return list(values)  # naive datetimes (PostgreSQL, MariaDB): already the meaning
        return [
            v
            if v.__class__ is _DATETIME and v.tzinfo is None
            else _date_text(spec, v, dates)
            if v.__class__ is str
            else oracle_value(spec, v)
            for v in values
        ]

    return convert


def _number(spec: ColumnSpec, raw: Any, seen: dict[tuple[type, Any], Any]) -> Any:
    """``oracle_value`` of a number, remembered per (type, value) where that is safe.

    Equal Decimals may differ in exponent (``1.5`` and ``1.50``); their meaning is
    the same only when quantising to the scale is exact (and within the precision),
    so only those are kept.
    ints and strs are equal only when identical; floats equal only as the same
    double (or both zeros, which mean the same zero).
    """
    cls = raw.__class__
    if cls is not int and cls is not str and cls is not float and cls is not _DECIMAL:
        return oracle_value(spec, raw)
    key = (cls, raw)
    try:
        return seen[key]
    except KeyError:
        pass
    except TypeError:  # a signalling NaN cannot be hashed; oracle_value refuses it
        return oracle_value(spec, raw)
    value = oracle_value(spec, raw)
    if cls is not _DECIMAL or _quantised_exactly(value, spec.scale or 0):
        seen[key] = value
    return value


def _quantised_exactly(value: decimal.Decimal, scale: int) -> bool:
    """Whether ``value`` is the exact quantisation to ``scale`` any equal Decimal also gets.

    True when it has the scale's exponent and fits the context's precision (a
    longer coefficient makes ``quantize`` fail, and the raw value is kept as is).
    """
    _sign, digits, exponent = value.as_tuple()
    return exponent == -scale and len(digits) <= _CONTEXT.prec


def _number_converter(spec: ColumnSpec) -> ColumnConverter:
    def convert(values: Sequence[Any], dates: dict[str, Any]) -> list[Any]:
        seen: dict[tuple[type, Any], Any] = {}
        return [None if v is None else _number(spec, v, seen) for v in values]

    return convert


def _any_converter(spec: ColumnSpec) -> ColumnConverter:
    def convert(values: Sequence[Any], dates: dict[str, Any]) -> list[Any]:
        return [oracle_value(spec, v) for v in values]

    return convert


_CONVERTERS: dict[str, Callable[[ColumnSpec], ColumnConverter]] = {
    "id": _text_converter,
    "varchar": _text_converter,
    "clob": _text_converter,
    "flag": _flag_converter,
    "date": _date_converter,
    "number": _number_converter,
}


@functools.cache
def column_converter(spec: ColumnSpec) -> ColumnConverter:
    """The converter of column ``spec``: raw values in, :func:`oracle_value` of each out."""
    return _CONVERTERS.get(spec.logical_type, _any_converter)(spec)


def oracle_columns(
    table: str, columns: Sequence[str], raw_rows: Sequence[Sequence[Any]]
) -> list[list[Any]]:
    """:func:`oracle_rows` by column: one list per name of ``columns``, each in row order.

    Same values, same errors (:class:`extract.errors.SourceValueError` for the
    first bad value in row order, or a row without ROW_ID).
    """
    spec = legacy_spec()[table]
    names = tuple(columns)
    converters = [column_converter(spec.column(c)) for c in names]
    width = len(names)
    if not raw_rows:
        return [[] for _ in names]
    try:
        # zip(strict=True) refuses rows of another width: the row-wise path then says how.
        dates: dict[str, Any] = {}
        converted = [
            convert(values, dates)
            for convert, values in zip(converters, zip(*raw_rows, strict=True), strict=True)
        ]
    except (OracleValueError, ValueError, TypeError):
        # Row by row: the first bad value in row order raises, exactly as oracle_rows does.
        return _transposed(oracle_rows(table, names, raw_rows), width)
    if KEY in names:
        keys = converted[names.index(KEY)]
        if None in keys or max(map(len, keys)) > KEY_LENGTH or "\x00" in "".join(keys):
            return _transposed(oracle_rows(table, names, raw_rows), width)
    return converted


def _transposed(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows as columns; only reached when :func:`oracle_rows` did not raise (it always should)."""
    if not rows:
        return [[] for _ in range(width)]
    return [list(column) for column in zip(*rows, strict=True)]
