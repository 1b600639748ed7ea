"""Build the frames handed to load and validate them against the target schemas.

Every frame is validated with ``lazy=True``, so all failures are collected; each
failure is mapped back to the frame row it came from (by position) and the target
column it concerns. Rows are never dropped here (no ``drop_invalid_rows``): the
caller quarantines the legacy rows behind them with SCHEMA_VIOLATION.

Most frames are valid, and pandera's machinery (a copy and several passes per column)
costs more than the checks themselves. :func:`schema_failures` first runs the same
checks' plain functions over the frame (:func:`fast_plan`); only a frame one of them
rejects, or a schema it cannot vouch for, goes through pandera, which then reports
exactly what it always did. A frame passes the plain run only if pandera passes it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from transform.errors import OutputContractError
from transform.schemas.columns import verdicts_of
from transform.schemas.tables import ROW_CHECK_COLUMNS, schema_of

__all__ = [
    "FastPlan",
    "SchemaFailure",
    "build_frame",
    "empty_frame",
    "fast_plan",
    "object_column",
    "passes_plainly",
    "schema_failures",
]


@dataclass(frozen=True)
class SchemaFailure:
    """One failed check: the frame row (position), the target column and the check's name."""

    position: int
    column: str
    check: str


def _columns(table: str, update: bool) -> list[str]:
    return list(schema_of(table, update=update).columns)


def empty_frame(table: str, *, update: bool = False) -> pd.DataFrame:
    """A frame with the target's columns and no rows (object dtype)."""
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in _columns(table, update)})


def build_frame(
    table: str, rows: Sequence[Mapping[str, Any]], *, update: bool = False
) -> pd.DataFrame:
    """An object-dtype frame of ``rows`` with exactly the target's columns, in schema order.

    A row with missing or extra columns is a bug in a rule: OutputContractError.
    """
    columns = _columns(table, update)
    if not rows:
        return empty_frame(table, update=update)
    width = len(columns)
    pick = itemgetter(*columns)
    try:
        # Every key present and no other (as many keys as columns): row.keys() == columns.
        picked = [pick(row) if len(row) == width else _misfit(table, row, columns) for row in rows]
    except KeyError:
        picked = [_misfit(table, row, columns) for row in rows]
    if width == 1:
        picked = [(value,) for value in picked]
    data = dict(zip(columns, map(object_column, zip(*picked, strict=True)), strict=True))
    return pd.DataFrame(data)


def _misfit(table: str, row: Mapping[str, Any], columns: list[str]) -> tuple[Any, ...]:
    """The values of a row that must have exactly ``columns``; OutputContractError if not."""
    expected = set(columns)
    if row.keys() != expected:
        missing = sorted(expected - set(row))
        extra = sorted(set(row) - expected)
        raise OutputContractError(
            f"{row.get('legacy_table', '?')} {row.get('legacy_row_id', '?')}: row for {table} "
            f"has missing columns {missing} and unknown columns {extra}"
        )
    return tuple(row[c] for c in columns)


def object_column(values: Sequence[Any]) -> pd.Series:
    """``pd.Series(values, dtype=object)`` (RangeIndex, every value kept as the same
    object), filled by ``numpy.fromiter``: several times faster than pandas' own fill."""
    array = np.fromiter(values, dtype=object, count=len(values))
    return pd.Series(array, dtype=object, copy=False)


def schema_failures(
    table: str,
    frame: pd.DataFrame,
    *,
    update: bool = False,
    nulls_ignored_at: Collection[int] = (),
) -> list[SchemaFailure]:
    """Every failed check of ``frame`` (RangeIndex) against the table's schema, except a
    ``not_nullable`` failure at a position in ``nulls_ignored_at``.

    Failures not tied to a row (a missing column, a wrong dtype) are a bug in the
    frame's builder: OutputContractError.
    """
    if passes_plainly(table, frame, update=update, nulls_ignored_at=nulls_ignored_at):
        return []
    schema = schema_of(table, update=update)
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return [
            failure
            for failure in _failures(table, exc.failure_cases)
            if not (failure.check == _NOT_NULLABLE and failure.position in nulls_ignored_at)
        ]
    return []


_NOT_NULLABLE = "not_nullable"
"""pandera's name for a null in a non-nullable column."""


def _failures(table: str, cases: pd.DataFrame) -> list[SchemaFailure]:
    found: dict[tuple[int, str, str], SchemaFailure] = {}
    for case in cases.to_dict("records"):
        index, check = case.get("index"), str(case.get("check"))
        if index is None or pd.isna(index):
            raise OutputContractError(f"frame for {table} breaks its schema as a whole: {check}")
        column = ROW_CHECK_COLUMNS.get(check) or str(case.get("column"))
        failure = SchemaFailure(int(index), column, check)
        found[(failure.position, failure.column, failure.check)] = failure
    return sorted(found.values(), key=lambda f: (f.position, f.column, f.check))


_OBJECT = np.dtype(object)


@dataclass(frozen=True)
class FastPlan:
    """What pandera checks of a schema, as plain functions: per column (name, nullable,
    element-wise verdicts), then the whole-row checks."""

    columns: tuple[tuple[str, bool, tuple[Any, ...]], ...]
    row_checks: tuple[Any, ...]


def _plain_check(check: pa.Check) -> Any:
    """The plain function of a check pandera applies to the whole column or frame as
    it is (no groupby, not element-wise); None when there is none."""
    if check.groupby is not None or check.element_wise:
        return None
    return verdicts_of(check)


@cache
def fast_plan(table: str, *, update: bool = False) -> FastPlan | None:
    """The plain run of the table's schema, or None when the schema uses anything beyond
    object columns, nullability and checks made by ``transform.schemas.columns``."""
    schema = schema_of(table, update=update)
    if (
        schema.parsers
        or schema.index is not None
        or schema.dtype is not None
        or schema.coerce
        or schema.unique
        or schema.add_missing_columns
        or schema.drop_invalid_rows
    ):
        return None
    columns: list[tuple[str, bool, tuple[Any, ...]]] = []
    for name, column in schema.columns.items():
        if (
            column.parsers
            or column.unique
            or column.coerce
            or column.regex
            or not column.required
            or column.default is not None
            or column.drop_invalid_rows
            or column.dtype is None
            or column.dtype.type != _OBJECT
        ):
            return None
        verdicts = tuple(_plain_check(check) for check in column.checks)
        if any(v is None for v in verdicts):
            return None
        columns.append((name, bool(column.nullable), verdicts))
    row_checks = tuple(_plain_check(check) for check in schema.checks)
    if any(v is None for v in row_checks):
        return None
    return FastPlan(tuple(columns), row_checks)


def passes_plainly(
    table: str, frame: pd.DataFrame, *, update: bool = False, nulls_ignored_at: Collection[int] = ()
) -> bool:
    """True only when pandera would find no failure in ``frame`` but ``not_nullable`` ones
    at positions in ``nulls_ignored_at``: exactly the schema's columns, in order, all
    object dtype; a None in a non-nullable column only at those positions; and every
    check's function says True for every non-None value (pandera drops the nulls first,
    so judging more values can only say False more often) and for every row. False
    means "ask pandera", not "invalid"."""
    plan = fast_plan(table, update=update)
    if plan is None:
        return False
    if list(frame.columns) != [name for name, _, _ in plan.columns]:
        return False
    if not all(dtype == _OBJECT for dtype in frame.dtypes):
        return False
    try:
        table_values = frame.to_numpy(dtype=object, copy=False)  # no copy: one object block
        for position, (_, nullable, verdicts) in enumerate(plan.columns):
            column = table_values[:, position]
            values = column.tolist()
            if not nullable and pd.isna(column).any():  # pandera's own null test
                nulls = [p for p, v in enumerate(values) if v is None]
                if not nulls_ignored_at or not all(p in nulls_ignored_at for p in nulls):
                    return False
            values = [v for v in values if v is not None]
            if values and not all(all(verdict(values)) for verdict in verdicts):
                return False
        for verdict in plan.row_checks:
            if not bool(verdict(frame).all()):
                return False
    except Exception:  # a check that fails to run is pandera's to report
        return False
    return True
