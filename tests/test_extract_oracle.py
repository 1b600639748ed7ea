"""Oracle meaning of raw driver values, per logical type (pure: no database)."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pytest

import extract
from extract.oracle import OracleValueError, oracle_columns, oracle_rows

CONTACT = extract.legacy_spec()["S_CONTACT"]
LOV = extract.legacy_spec()["S_LST_OF_VAL"]


def meaning(table_spec: extract.LegacyTableSpec, column: str, raw: Any) -> Any:
    return extract.oracle_value(table_spec.column(column), raw)


@pytest.mark.parametrize(
    "column, raw, expected",
    [
        ("FST_NAME", "", None),
        ("FST_NAME", "ABC ", "ABC "),
        ("FST_NAME", " ABC", " ABC"),
        ("FST_NAME", " ", " "),
        ("FST_NAME", "Łukasz", "Łukasz"),
        ("FST_NAME", "Zo\u00eb".encode(), "Zoë"),
        ("FST_NAME", memoryview(b"abc"), "abc"),
        ("ROW_ID", "1-ABC9 ", "1-ABC9 "),
        ("PAR_ROW_ID", "", None),
        ("DECEASED_FLG", "Y", "Y"),
        ("DECEASED_FLG", "Y ", "Y"),
        ("DECEASED_FLG", " ", None),
        ("DECEASED_FLG", "", None),
        ("DECEASED_FLG", "y", "y"),
        ("DECEASED_FLG", "\t", "\t"),
        ("DECEASED_FLG", None, None),
    ],
)
def test_text_and_flags(column: str, raw: Any, expected: Any) -> None:
    assert meaning(CONTACT, column, raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        (dt.datetime(2020, 1, 2, 3, 4, 5), dt.datetime(2020, 1, 2, 3, 4, 5)),
        (dt.date(2020, 1, 2), dt.datetime(2020, 1, 2)),
        ("2020-01-02 03:04:05.000000", dt.datetime(2020, 1, 2, 3, 4, 5)),
        ("2020-01-02 03:04:05.000123", dt.datetime(2020, 1, 2, 3, 4, 5, 123)),
        ("2020-01-02 03:04:05.5", dt.datetime(2020, 1, 2, 3, 4, 5, 500000)),
        ("2020-01-02T03:04:05", dt.datetime(2020, 1, 2, 3, 4, 5)),
        ("2020-01-02 03:04", dt.datetime(2020, 1, 2, 3, 4)),
        ("2020-01-02", dt.datetime(2020, 1, 2)),
        (b"2020-01-02", dt.datetime(2020, 1, 2)),
        ("", None),
        (
            dt.datetime(2020, 1, 2, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8))),
            dt.datetime(2020, 1, 2, 11, 0),
        ),
    ],
)
def test_dates(raw: Any, expected: dt.datetime | None) -> None:
    value = meaning(CONTACT, "BIRTH_DT", raw)
    assert value == expected
    if value is not None:
        assert type(value) is dt.datetime and value.tzinfo is None


@pytest.mark.parametrize(
    "raw",
    ["garbage", "31/02/2009", "2009-13-01", "2020-02-30", " 2020-01-02", "20200102", 20200102],
)
def test_impossible_dates_raise(raw: Any) -> None:
    with pytest.raises(OracleValueError) as caught:
        meaning(CONTACT, "BIRTH_DT", raw)
    assert str(raw) not in str(caught.value)  # the value itself is never in the message


@pytest.mark.parametrize(
    "raw",
    [
        dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8))),
        dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    ],
)
def test_an_aware_time_outside_the_utc_years_is_refused_not_overflowed(raw: Any) -> None:
    with pytest.raises(OracleValueError, match="outside years 1-9999"):
        meaning(CONTACT, "BIRTH_DT", raw)
    with pytest.raises(extract.SourceValueError) as caught:
        oracle_rows("S_CONTACT", ("ROW_ID", "BIRTH_DT"), [("1-A", raw)])
    assert (caught.value.row_id, caught.value.column) == ("1-A", "BIRTH_DT")


@pytest.mark.parametrize(
    "column, raw, expected",
    [
        ("ORDER_BY", decimal.Decimal("1.5"), "1.5000000"),
        ("ORDER_BY", 1.5, "1.5000000"),
        ("ORDER_BY", 0.1, "0.1000000"),
        ("ORDER_BY", 123.4567891, "123.4567891"),
        ("ORDER_BY", "1.5", "1.5000000"),
        ("ORDER_BY", "-2.25", "-2.2500000"),
        ("ORDER_BY", decimal.Decimal("-0"), "0E-7"),
        ("ORDER_BY", "1.23456789", "1.23456789"),  # more digits than the scale: kept
        ("ORDER_BY", "", None),
        ("MODIFICATION_NUM", 3, "3"),
        ("MODIFICATION_NUM", 3.0, "3"),
        ("MODIFICATION_NUM", decimal.Decimal("3.000"), "3"),
    ],
)
def test_numbers(column: str, raw: Any, expected: str | None) -> None:
    value = meaning(LOV, column, raw)
    if expected is None:
        assert value is None
    else:
        assert isinstance(value, decimal.Decimal) and str(value) == expected


@pytest.mark.parametrize(
    "raw", ["abc", "1,5", "NaN", float("nan"), float("inf"), decimal.Decimal("Infinity"), True]
)
def test_non_numbers_raise(raw: Any) -> None:
    with pytest.raises(OracleValueError):
        meaning(LOV, "ORDER_BY", raw)


@pytest.mark.parametrize(
    "column, raw", [("FST_NAME", b"\xff\xfe"), ("FST_NAME", 12), ("BIRTH_DT", 1.5)]
)
def test_wrong_kinds_raise(column: str, raw: Any) -> None:
    with pytest.raises(OracleValueError):
        meaning(CONTACT, column, raw)


def test_rows_name_table_row_and_column_but_not_the_value() -> None:
    columns = ("ROW_ID", "FST_NAME", "BIRTH_DT")
    good = oracle_rows("S_CONTACT", columns, [("1-A", "", "2020-01-02")])
    assert good == [("1-A", None, dt.datetime(2020, 1, 2))]
    with pytest.raises(extract.SourceValueError) as caught:
        oracle_rows(
            "S_CONTACT", columns, [("1-A", "x", None), ("1-B", "Secret Name", "not a date")]
        )
    err = caught.value
    assert (err.table, err.row_id, err.column) == ("S_CONTACT", "1-B", "BIRTH_DT")
    assert "S_CONTACT" in str(err) and "'1-B'" in str(err) and "BIRTH_DT" in str(err)
    assert "not a date" not in str(err) and "Secret" not in str(err)
    assert isinstance(err, extract.SourceSchemaError) and isinstance(
        err, extract.TerminalExtractError
    )
    assert not err.retryable
    with pytest.raises(extract.SourceValueError, match="FST_NAME"):
        oracle_rows("S_CONTACT", columns, [("1-C", b"\xc3\x28", None)])
    with pytest.raises(extract.SourceValueError, match="empty ROW_ID"):
        oracle_rows("S_CONTACT", columns, [("", "x", None)])


def test_a_row_id_longer_than_the_contract_is_refused_by_both_paths() -> None:
    """Only a copy that ignores lengths (SQLite) holds one; the store's keys are VARCHAR(15)."""
    columns = ("ROW_ID", "FST_NAME")
    rows = [("1-A", "x"), ("1-" + "B" * 14, "y")]
    for read in (oracle_rows, oracle_columns):
        with pytest.raises(extract.SourceValueError) as caught:
            read("S_CONTACT", columns, rows)
        err = caught.value
        assert (err.table, err.row_id, err.column) == ("S_CONTACT", "1-" + "B" * 14, "ROW_ID")
        assert "16 characters" in str(err) and "VARCHAR(15)" in str(err)
    assert oracle_columns("S_CONTACT", columns, [("1-" + "B" * 13, "y")]) == [
        ["1-" + "B" * 13],
        ["y"],
    ]


def test_a_row_id_with_a_nul_is_refused_by_both_paths() -> None:
    """Found by the end-to-end property test on a PostgreSQL store: the ledger insert failed
    with "PostgreSQL text fields cannot contain NUL". Any other column keeps its text, with
    the NUL removed and flagged by the transform (NUL_REMOVED)."""
    columns = ("ROW_ID", "FST_NAME")
    rows = [("1-A", "x\x00"), ("1-\x00B", "y")]
    for read in (oracle_rows, oracle_columns):
        with pytest.raises(extract.SourceValueError) as caught:
            read("S_CONTACT", columns, rows)
        err = caught.value
        assert (err.table, err.row_id, err.column) == ("S_CONTACT", "1-\x00B", "ROW_ID")
        assert "NUL" in str(err) and "a retry will not help" in str(err)
    assert oracle_columns("S_CONTACT", columns, rows[:1]) == [["1-A"], ["x\x00"]]
