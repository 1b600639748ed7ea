"""The plain run of the schema checks (``passes_plainly``) only ever says "valid" where
pandera finds nothing, so skipping pandera for such frames changes no failure."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from transform.schemas import TARGET_SCHEMAS, UPDATE_SCHEMAS, build_frame, schema_failures
from transform.schemas.validation import (
    SchemaFailure,
    _failures,
    fast_plan,
    passes_plainly,
    schema_of,
)

SCHEMAS = [(name, False) for name in sorted(TARGET_SCHEMAS)] + [
    (name, True) for name in sorted(UPDATE_SCHEMAS)
]

CANDIDATES: list[Any] = [
    uuid.UUID(int=7),
    "BC",
    "active",
    "BC_PHN",
    "present",
    "ab" * 32,
    True,
    1,
    Decimal("1.5"),
    dt.date(2001, 2, 3),
    dt.datetime(2001, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
]
"""Values tried in turn to find a valid one for each column."""

TRICKY: list[Any] = [
    None,
    float("nan"),
    np.float64("nan"),
    Decimal("NaN"),
    Decimal("Infinity"),
    Decimal("-0"),
    pd.NaT,
    pd.NA,
    np.datetime64("NaT"),
    "",
    " ",
    "x  ",
    "\x00",
    "CÃ©line",
    "Нгуен",
    "王",
    "a" * 16,
    "A" * 3000,
    "bc",
    "active ",
    "V8W 1A1",
    "v8w1a1",
    "ab" * 32 + "\x00",
    "zz" * 32,
    0,
    -1,
    1.0,
    False,
    np.int64(1),
    np.bool_(True),
    Decimal("1"),
    dt.date(2001, 2, 3),
    dt.datetime(2001, 2, 3, 4, 5, 6),
    dt.datetime(2001, 2, 3, 4, 5, 6, tzinfo=dt.timezone(dt.timedelta(0))),
    dt.datetime(2001, 2, 3, 4, 5, 6, tzinfo=dt.timezone(dt.timedelta(hours=-8))),
    pd.Timestamp("2001-02-03", tz="UTC"),
    uuid.UUID(int=8),
    str(uuid.UUID(int=8)),
    b"bytes",
]


def _pandera_failures(
    table: str, frame: pd.DataFrame, update: bool, ignored: set[int]
) -> list[SchemaFailure]:
    """What pandera alone reports (the failures before any plain run)."""
    try:
        schema_of(table, update=update).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return [
            f
            for f in _failures(table, exc.failure_cases)
            if not (f.check == "not_nullable" and f.position in ignored)
        ]
    return []


def _valid_value(schema: pa.DataFrameSchema, column: str) -> Any:
    check = pa.DataFrameSchema({column: schema.columns[column]})
    for value in CANDIDATES:
        try:
            check.validate(pd.DataFrame({column: pd.Series([value], dtype=object)}))
        except pa.errors.SchemaError:
            continue
        return value
    raise AssertionError(f"no valid candidate for {column}")


@cache
def _valid_row(table: str, update: bool) -> dict[str, Any]:
    schema = schema_of(table, update=update)
    return {column: _valid_value(schema, column) for column in schema.columns}


def _valid_rows(table: str, update: bool, count: int) -> list[dict[str, Any]]:
    return [dict(_valid_row(table, update)) for _ in range(count)]


@pytest.mark.parametrize(("table", "update"), SCHEMAS)
def test_every_schema_has_a_plain_run(table: str, update: bool) -> None:
    assert fast_plan(table, update=update) is not None


@pytest.mark.parametrize(("table", "update"), SCHEMAS)
def test_valid_frames_pass_plainly_and_pandera_agrees(table: str, update: bool) -> None:
    frame = build_frame(table, _valid_rows(table, update, 3), update=update)
    assert passes_plainly(table, frame, update=update)
    assert _pandera_failures(table, frame, update, set()) == []
    empty = build_frame(table, [], update=update)
    assert passes_plainly(table, empty, update=update)
    assert schema_failures(table, empty, update=update) == []


NULL_LIKE = [v for v in TRICKY if v is None or v is pd.NA or v != v]


@pytest.mark.parametrize(("table", "update"), SCHEMAS)
def test_a_plain_pass_is_never_a_pandera_failure(table: str, update: bool) -> None:
    """Each tricky value in each column (nulls also at a position whose nulls are
    ignored): the rows that pass plainly one by one pass pandera all together (the
    checks are element-wise), and for the others schema_failures is pandera's answer."""
    row = _valid_rows(table, update, 1)[0]
    one = build_frame(table, [row], update=update)
    passing: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    failing: list[dict[str, Any]] = []
    for position, column in enumerate(one.columns):
        for value in TRICKY:
            one.iat[0, position] = value
            for ignore in (False, True) if any(value is v for v in NULL_LIKE) else (False,):
                if passes_plainly(
                    table, one, update=update, nulls_ignored_at={0} if ignore else ()
                ):
                    passing[ignore].append(dict(row, **{column: value}))
                elif not ignore:
                    failing.append(dict(row, **{column: value}))
        one.iat[0, position] = row[column]
    assert passing[False] and failing
    for ignore, rows in passing.items():
        frame = build_frame(table, rows, update=update)
        ignored = set(range(len(rows))) if ignore else set()
        assert passes_plainly(table, frame, update=update, nulls_ignored_at=ignored)
        assert _pandera_failures(table, frame, update, ignored) == []
    failing = failing[:: max(1, len(failing) // 60)]  # pandera is slow on many failures
    frame = build_frame(table, failing, update=update)
    assert not passes_plainly(table, frame, update=update, nulls_ignored_at={0})
    assert _answer(
        lambda: schema_failures(table, frame, update=update, nulls_ignored_at={0})
    ) == _answer(lambda: _pandera_failures(table, frame, update, {0}))


def _answer(call: Any) -> Any:
    """The failures found, or the kind of error raised (a check that cannot run on a
    value, e.g. pd.NA in a whole-row check, is a contract error either way)."""
    try:
        return call()
    except Exception as exc:  # compared, not hidden
        return type(exc)


def test_a_null_in_a_required_column_is_ignored_only_where_asked() -> None:
    rows = _valid_rows("person_identifier", False, 3)
    rows[1]["person_id"] = None
    frame = build_frame("person_identifier", rows)
    assert not passes_plainly("person_identifier", frame)
    assert [
        (f.position, f.column, f.check) for f in schema_failures("person_identifier", frame)
    ] == [(1, "person_id", "not_nullable")]
    assert passes_plainly("person_identifier", frame, nulls_ignored_at={1})
    assert schema_failures("person_identifier", frame, nulls_ignored_at={1}) == []
    assert not passes_plainly("person_identifier", frame, nulls_ignored_at={0, 2})
    # Another failure of the same row is still reported, through pandera.
    rows[1]["id_value"] = "9" * 31
    frame = build_frame("person_identifier", rows)
    assert not passes_plainly("person_identifier", frame, nulls_ignored_at={1})
    assert [
        (f.position, f.column, f.check)
        for f in schema_failures("person_identifier", frame, nulls_ignored_at={1})
    ] == [(1, "id_value", "max_length_30")]


@pytest.mark.parametrize(
    ("postal_code", "country_code", "valid"),
    [
        ("V8W 1A1", "CA", True),
        ("v8w1a1", "CA", False),
        ("v8w1a1", None, False),
        ("v8w1a1", "US", True),
        (None, "CA", True),
    ],
)
def test_the_whole_row_check_runs_plainly(
    postal_code: str | None, country_code: str | None, valid: bool
) -> None:
    rows = _valid_rows("address", False, 2)
    rows[0].update(postal_code=postal_code, country_code=country_code)
    frame = build_frame("address", rows)
    assert passes_plainly("address", frame) is valid
    failures = schema_failures("address", frame)
    assert failures == _pandera_failures("address", frame, False, set())
    assert (failures == []) is valid
    if not valid:
        assert [(f.position, f.column) for f in failures] == [(0, "postal_code")]


def test_frames_not_built_by_build_frame_go_to_pandera() -> None:
    frame = build_frame("person_alias", _valid_rows("person_alias", False, 2))
    assert not passes_plainly("person_alias", frame[list(reversed(frame.columns))])
    assert not passes_plainly("person_alias", frame.drop(columns=["full_name"]))
    assert not passes_plainly("person_alias", frame.assign(alias_seq=[1, 2]))  # int64 dtype
