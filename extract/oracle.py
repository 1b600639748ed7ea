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
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from extract.errors import SourceValueError
from extract.legacy_schema import ColumnSpec, legacy_spec

__all__ = ["OracleValueError", "oracle_rows", "oracle_value", "parse_date_text"]

KEY = "ROW_ID"

_DATE_TEXT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
)
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_CONTEXT = decimal.Context(prec=60)


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
            return raw.astimezone(dt.UTC).replace(tzinfo=None)
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
    column of the first value its type cannot hold, or of a row without ROW_ID.
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
        converted.append(tuple(values))
    return converted
