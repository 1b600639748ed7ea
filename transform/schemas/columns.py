"""Building blocks of the target-table schemas: one pandera column per target column kind.

Frames handed to load are object dtype holding plain Python values (``uuid.UUID``,
aware UTC ``datetime``, ``date``, ``bool``, ``int``, ``Decimal``, ``str``) and ``None``
for missing. Each column checks the Python type of every non-null value element-wise
(pandera skips nulls in checks; nullability is its own check), so a NaN, a pandas
Timestamp or a naive datetime is a failure naming the column.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

import pandera.pandas as pa

__all__ = [
    "LINEAGE_COLUMNS",
    "boolean",
    "date",
    "decimal",
    "integer",
    "lineage_columns",
    "matches",
    "one_of",
    "text",
    "timestamp",
    "uuid_column",
]

ColumnMap = dict[str, pa.Column]


def _is_uuid(value: Any) -> bool:
    return isinstance(value, uuid.UUID)


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _is_utc_datetime(value: Any) -> bool:
    return (
        type(value) is dt.datetime
        and value.tzinfo is not None
        and value.utcoffset() == dt.timedelta(0)
    )


def _is_decimal(value: Any) -> bool:
    return isinstance(value, Decimal) and value.is_finite()


def _check(fn: Any, name: str) -> pa.Check:
    return pa.Check(fn, element_wise=True, name=name)


def uuid_column(*, nullable: bool = True) -> pa.Column:
    """A uuid.UUID (primary key or link)."""
    return pa.Column(object, nullable=nullable, checks=[_check(_is_uuid, "is_uuid")])


def text(
    length: int | None = None, *, nullable: bool = True, checks: tuple[pa.Check, ...] = ()
) -> pa.Column:
    """A str of at most ``length`` characters (None: unbounded)."""
    all_checks = [_check(_is_text, "is_text")]
    if length is not None:
        all_checks.append(
            _check(lambda v, n=length: isinstance(v, str) and len(v) <= n, f"max_length_{length}")
        )
    all_checks.extend(checks)
    return pa.Column(object, nullable=nullable, checks=all_checks)


def matches(pattern: str, name: str) -> pa.Check:
    """An element-wise full-match of a regular expression (for :func:`text` checks)."""
    compiled = re.compile(pattern)
    return _check(lambda v: isinstance(v, str) and compiled.fullmatch(v) is not None, name)


def one_of(values: tuple[str, ...], name: str) -> pa.Check:
    """An element-wise membership check."""
    allowed = frozenset(values)
    return _check(lambda v: v in allowed, name)


def boolean(*, nullable: bool = True) -> pa.Column:
    return pa.Column(object, nullable=nullable, checks=[_check(_is_bool, "is_bool")])


def integer(*, nullable: bool = True, minimum: int | None = None) -> pa.Column:
    checks = [_check(_is_int, "is_int")]
    if minimum is not None:
        checks.append(_check(lambda v, m=minimum: _is_int(v) and v >= m, f"at_least_{minimum}"))
    return pa.Column(object, nullable=nullable, checks=checks)


def decimal(*, nullable: bool = True) -> pa.Column:
    return pa.Column(object, nullable=nullable, checks=[_check(_is_decimal, "is_decimal")])


def date(*, nullable: bool = True) -> pa.Column:
    """A datetime.date (not a datetime)."""
    return pa.Column(object, nullable=nullable, checks=[_check(_is_date, "is_date")])


def timestamp(*, nullable: bool = True) -> pa.Column:
    """An aware datetime.datetime in UTC (timestamptz)."""
    return pa.Column(
        object, nullable=nullable, checks=[_check(_is_utc_datetime, "is_utc_datetime")]
    )


SHA256_HEX = r"[0-9a-fA-F]{64}"


def lineage_columns() -> ColumnMap:
    """The lineage columns of every icm/restricted/ref row, minus migration_run_id (load's)."""
    return {
        "legacy_table": text(nullable=False),
        "legacy_row_id": text(15, nullable=False),
        "legacy_last_upd": timestamp(),
        "legacy_modification_num": integer(),
        "source_hash": text(64, nullable=False, checks=(matches(SHA256_HEX, "sha256_hex"),)),
        "legacy_created": timestamp(),
        "legacy_created_by": text(15),
        "legacy_last_upd_by": text(15),
        "legacy_db_last_upd": timestamp(),
        "legacy_conflict_id": text(15),
    }


LINEAGE_COLUMNS: tuple[str, ...] = tuple(lineage_columns())
