"""Building blocks of the target-table schemas: one pandera column per target column kind.

Frames handed to load are object dtype holding plain Python values (``uuid.UUID``,
aware UTC ``datetime``, ``date``, ``bool``, ``int``, ``Decimal``, ``str``) and ``None``
for missing. Each column checks the Python type of every non-null value
(pandera skips nulls in checks; nullability is its own check), so a NaN, a pandas
Timestamp or a naive datetime is a failure naming the column.
"""

from __future__ import annotations

import datetime as dt
import decimal as decimal_module
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
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
    "row_check",
    "text",
    "timestamp",
    "uuid_column",
    "verdicts_of",
]

ColumnMap = dict[str, pa.Column]


Verdicts = Callable[[list[Any]], list[bool]]
"""The verdict on each value of a column (pandera passes the non-null values only).

Element-wise: each value's verdict depends on that value alone."""

RowVerdicts = Callable[[pd.DataFrame], pd.Series]
"""The verdict on each row of a frame (a whole-row check)."""

_VERDICTS: dict[Callable[..., Any], Verdicts | RowVerdicts] = {}
"""The function pandera calls for each check made here -> the plain function behind it.

Lets ``transform.schemas.validation`` prove a frame valid without pandera's machinery
(see ``validation.fast_plan``). Keyed by the function, not the check: pandera copies
checks into its columns, and a copy keeps the same function."""


def verdicts_of(check: pa.Check) -> Verdicts | RowVerdicts | None:
    """The plain function behind a check made by :func:`_check` or :func:`row_check`
    (None for any other check, or one pandera calls with extra arguments)."""
    state = vars(check)
    function = state.get("_check_fn")
    if function is None or state.get("_check_kwargs"):
        return None
    return _VERDICTS.get(function)


_UTC_OFFSET = dt.timedelta(0)


def _uuids(values: list[Any]) -> list[bool]:
    return [isinstance(v, uuid.UUID) for v in values]


def _texts(values: list[Any]) -> list[bool]:
    """str without NUL: PostgreSQL text cannot hold it. Text the rules repair has its NULs
    removed (and flagged) before; a value copied as it is (a lineage column) keeps them."""
    return [isinstance(v, str) and "\x00" not in v for v in values]


def _bools(values: list[Any]) -> list[bool]:
    return [isinstance(v, bool) for v in values]


def _ints(values: list[Any]) -> list[bool]:
    return [isinstance(v, int) and not isinstance(v, bool) for v in values]


def _dates(values: list[Any]) -> list[bool]:
    return [isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in values]


def _utc_datetimes(values: list[Any]) -> list[bool]:
    """Aware datetimes at offset 0 (not a subclass such as pandas' Timestamp)."""
    return [
        type(v) is dt.datetime
        and (v.tzinfo is dt.UTC or (v.tzinfo is not None and v.utcoffset() == _UTC_OFFSET))
        for v in values
    ]


def _decimals(values: list[Any]) -> list[bool]:
    return [isinstance(v, Decimal) and v.is_finite() for v in values]


def _check(verdicts: Verdicts, name: str) -> pa.Check:
    """A check of the (non-null) values of a column, run over the column in one pass.

    The same verdicts as an ``element_wise`` check of each value (pandera drops the
    nulls first either way), without pandas' ``Series.map`` machinery per check.
    """

    def check(series: pd.Series) -> pd.Series:
        found = verdicts(series.tolist())
        return pd.Series(np.fromiter(found, dtype=bool, count=len(found)), index=series.index)

    _VERDICTS[check] = verdicts
    return pa.Check(check, name=name)


def row_check(verdicts: RowVerdicts, name: str) -> pa.Check:
    """A whole-row check of a frame (a boolean Series, one verdict per row)."""
    _VERDICTS[verdicts] = verdicts
    return pa.Check(verdicts, name=name)


def uuid_column(*, nullable: bool = True) -> pa.Column:
    """A uuid.UUID (primary key or link)."""
    return pa.Column(object, nullable=nullable, checks=[_check(_uuids, "is_uuid")])


def text(
    length: int | None = None, *, nullable: bool = True, checks: tuple[pa.Check, ...] = ()
) -> pa.Column:
    """A str without NUL of at most ``length`` characters (None: unbounded)."""
    all_checks = [_check(_texts, "is_text")]
    if length is not None:
        limit = length

        def short_enough(values: list[Any]) -> list[bool]:
            return [isinstance(v, str) and len(v) <= limit for v in values]

        all_checks.append(_check(short_enough, f"max_length_{length}"))
    all_checks.extend(checks)
    return pa.Column(object, nullable=nullable, checks=all_checks)


def matches(pattern: str, name: str) -> pa.Check:
    """An element-wise full-match of a regular expression (for :func:`text` checks)."""
    full = re.compile(pattern).fullmatch
    return _check(lambda vs: [isinstance(v, str) and full(v) is not None for v in vs], name)


def one_of(values: tuple[str, ...], name: str) -> pa.Check:
    """An element-wise membership check."""
    allowed = frozenset(values)
    return _check(lambda vs: [v in allowed for v in vs], name)


def boolean(*, nullable: bool = True) -> pa.Column:
    return pa.Column(object, nullable=nullable, checks=[_check(_bools, "is_bool")])


def integer(*, nullable: bool = True, minimum: int | None = None, bits: int = 64) -> pa.Column:
    """An int (not a bool) of at least ``minimum`` that the target's ``bits``-bit integer
    column holds (INTEGER: 32, BIGINT: 64)."""
    checks = [_check(_ints, "is_int")]
    if minimum is not None:
        least = minimum

        def large_enough(values: list[Any]) -> list[bool]:
            return [isinstance(v, int) and not isinstance(v, bool) and v >= least for v in values]

        checks.append(_check(large_enough, f"at_least_{minimum}"))
    lowest, highest = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def fits(values: list[Any]) -> list[bool]:
        return [isinstance(v, int) and lowest <= v <= highest for v in values]

    checks.append(_check(fits, f"fits_int{bits}"))
    return pa.Column(object, nullable=nullable, checks=checks)


def decimal(*, nullable: bool = True, precision: int, scale: int) -> pa.Column:
    """A finite Decimal that NUMERIC(``precision``, ``scale``) holds exactly: at most
    ``precision - scale`` digits before the point and ``scale`` after it (PostgreSQL would
    round extra decimals without a word)."""
    limit = Decimal(10) ** (precision - scale)
    quantum = Decimal(1).scaleb(-scale)

    def fits(values: list[Any]) -> list[bool]:
        return [
            isinstance(v, Decimal)
            and v.is_finite()
            and abs(v) < limit
            and v.quantize(quantum, context=_NUMERIC_CONTEXT) == v
            for v in values
        ]

    return pa.Column(
        object,
        nullable=nullable,
        checks=[_check(_decimals, "is_decimal"), _check(fits, f"fits_numeric_{precision}_{scale}")],
    )


_NUMERIC_CONTEXT = decimal_module.Context(prec=80)
"""Enough digits to quantise any value that passes ``abs(v) < limit`` exactly."""


def date(*, nullable: bool = True) -> pa.Column:
    """A datetime.date (not a datetime)."""
    return pa.Column(object, nullable=nullable, checks=[_check(_dates, "is_date")])


def timestamp(*, nullable: bool = True) -> pa.Column:
    """An aware datetime.datetime in UTC (timestamptz)."""
    return pa.Column(object, nullable=nullable, checks=[_check(_utc_datetimes, "is_utc_datetime")])


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
