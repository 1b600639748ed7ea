"""transform.dates: free-text dates (D06), birth dates (D07), Oracle DATEs, chronology (D08)."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from transform.dates import (
    TWO_DIGIT_YEAR_PIVOT,
    birth_date,
    check_order,
    legacy_date,
    parse_text_date,
)

D = dt.date

# (text, expected date, expected flag) for dates that load.
READABLE = [
    ("2009-03-15", D(2009, 3, 15), None),
    ("2009-12-31", D(2009, 12, 31), None),
    ("2008-02-29", D(2008, 2, 29), None),
    (" 2009-03-15 ", D(2009, 3, 15), "DATE_FORMAT_NORMALISED"),
    ("15-MAR-09", D(2009, 3, 15), "DATE_FORMAT_NORMALISED"),
    ("15-Mar-09", D(2009, 3, 15), "DATE_FORMAT_NORMALISED"),
    ("5-jan-10", D(2010, 1, 5), "DATE_FORMAT_NORMALISED"),
    ("01-DEC-99", D(1999, 12, 1), "DATE_FORMAT_NORMALISED"),
    ("01-DEC-00", D(2000, 12, 1), "DATE_FORMAT_NORMALISED"),
    ("15-MAR-2009", D(2009, 3, 15), "DATE_FORMAT_NORMALISED"),
    ("15-Sep-1987", D(1987, 9, 15), "DATE_FORMAT_NORMALISED"),
    ("20090315", D(2009, 3, 15), "DATE_FORMAT_NORMALISED"),
    ("03/15/2009", D(2009, 3, 15), "DATE_FORMAT_NORMALISED"),  # MM/DD: second part > 12
    ("15/03/2009", D(2009, 3, 15), "DATE_FORMAT_NORMALISED"),  # DD/MM: first part > 12
    ("31/12/2010", D(2010, 12, 31), "DATE_FORMAT_NORMALISED"),
    ("04/04/2009", D(2009, 4, 4), "DATE_FORMAT_NORMALISED"),  # equal parts: not ambiguous
    ("03/04/2009", D(2009, 3, 4), "AMBIGUOUS_DATE"),  # read month-first
    ("12/01/2011", D(2011, 12, 1), "AMBIGUOUS_DATE"),
    ("3/4/2009", D(2009, 3, 4), "AMBIGUOUS_DATE"),
    (" 03/15/2009", D(2009, 3, 15), "DATE_FORMAT_NORMALISED"),
]


@pytest.mark.parametrize("required", [True, False])
@pytest.mark.parametrize(("text", "expected", "flag"), READABLE)
def test_known_formats_are_read(
    text: str, expected: dt.date, flag: str | None, required: bool
) -> None:
    result = parse_text_date(text, required=required)
    assert (result.value, result.flag, result.reason) == (expected, flag, None)


def test_two_digit_year_pivot_is_26() -> None:
    assert TWO_DIGIT_YEAR_PIVOT == 26
    assert parse_text_date("01-JAN-26", required=True).value == D(2026, 1, 1)
    assert parse_text_date("01-JAN-27", required=True).value == D(1927, 1, 1)


UNREADABLE = [
    "31/02/2009",  # impossible day
    "2009-13-01",  # impossible month
    "2009-02-29",  # not a leap year
    "13/13/2009",  # both parts > 12
    "00/15/2009",
    "20091301",
    "31-FEB-09",
    "15-XYZ-09",  # not a month
    "approx 2005",
    "2005",
    "March 2005",
    "15.03.2009",
    "03/15/09",  # two-digit year with slashes: not a known format
    "2009-03-15 10:00",
    "00010101",  # out of range
    "12/25/2999",
    "?",
]


@pytest.mark.parametrize("required", [True, False])
@pytest.mark.parametrize("text", UNREADABLE)
def test_impossible_or_unparseable_is_invalid_even_when_optional(text: str, required: bool) -> None:
    result = parse_text_date(text, required=required)
    assert (result.value, result.reason, result.flag) == (None, "INVALID_DATE", None)
    assert result.note  # says why, without the text itself
    assert text.strip() not in result.note


PLACEHOLDERS = [
    "unknown",
    "UNKNOWN",
    " Unknown ",
    "N/A",
    "n/a",
    "00/00/0000",
    "1900-01-01",
    "01-JAN-1900",
    "19000101",
    "01/01/1900",
    "0000-00-00",
    "00000000",
]


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_placeholder_optional_is_null_and_flagged(text: str) -> None:
    result = parse_text_date(text, required=False)
    assert (result.value, result.flag, result.reason) == (None, "PLACEHOLDER_DATE", None)


@pytest.mark.parametrize("text", PLACEHOLDERS)
def test_placeholder_required_is_invalid(text: str) -> None:
    result = parse_text_date(text, required=True)
    assert (result.value, result.reason) == (None, "INVALID_DATE")


@pytest.mark.parametrize("text", [None, "", "   ", float("nan")])
def test_empty(text: str | None) -> None:
    assert parse_text_date(text, required=False) == parse_text_date(None, required=False)
    optional = parse_text_date(text, required=False)
    assert (optional.value, optional.flag, optional.reason) == (None, None, None)
    assert parse_text_date(text, required=True).reason == "MISSING_REQUIRED"


def test_every_day_round_trips_through_every_format() -> None:
    rng = random.Random(6)
    start = D(1950, 1, 1)
    for _ in range(400):
        day = start + dt.timedelta(days=rng.randrange(365 * 75))
        mon = day.strftime("%b").upper()
        assert parse_text_date(day.isoformat(), required=True).value == day
        assert parse_text_date(day.strftime("%Y%m%d"), required=True).value == day
        assert parse_text_date(f"{day.day:02d}-{mon}-{day.year}", required=True).value == day
        if day.year >= 1927:  # inside the pivot's range
            yy = f"{day.day:02d}-{mon}-{day.year % 100:02d}"
            assert parse_text_date(yy, required=True).value == day
        slash = parse_text_date(day.strftime("%m/%d/%Y"), required=True)
        assert slash.value == day
        ambiguous = day.day <= 12 and day.day != day.month
        assert slash.flag == ("AMBIGUOUS_DATE" if ambiguous else "DATE_FORMAT_NORMALISED")


LEGACY = [
    (None, None, None),
    (pd.NaT, None, None),
    (dt.datetime(2010, 5, 6, 13, 45), D(2010, 5, 6), None),
    (pd.Timestamp("2010-05-06 23:59:59"), D(2010, 5, 6), None),
    (D(2010, 5, 6), D(2010, 5, 6), None),
    (dt.datetime(1900, 1, 1), None, "PLACEHOLDER_DATE"),
    (dt.datetime(1900, 1, 1, 0, 0, 1), None, "PLACEHOLDER_DATE"),
    (dt.datetime(1900, 1, 2), D(1900, 1, 2), None),
]


@pytest.mark.parametrize(("value", "expected", "flag"), LEGACY)
def test_legacy_date(value: dt.datetime | None, expected: dt.date | None, flag: str | None) -> None:
    result = legacy_date(value)
    assert (result.value, result.flag, result.reason) == (expected, flag, None)
    assert type(result.value) in (dt.date, type(None))


AS_OF = D(2024, 6, 30)


@pytest.mark.parametrize(
    ("value", "expected", "flag", "reason"),
    [
        (None, None, None, None),
        (dt.datetime(2015, 2, 3), D(2015, 2, 3), None, None),
        (dt.datetime(2024, 6, 30, 23, 0), D(2024, 6, 30), None, None),  # born on the extraction day
        (dt.datetime(2024, 7, 1), None, None, "DOB_IN_FUTURE"),
        (dt.datetime(2067, 3, 1), None, None, "DOB_IN_FUTURE"),  # '01-MAR-67' pivoted forward
        (dt.datetime(1900, 1, 1), None, "PLACEHOLDER_DATE", None),
    ],
)
def test_birth_date(
    value: dt.datetime | None, expected: dt.date | None, flag: str | None, reason: str | None
) -> None:
    result = birth_date(value, as_of=AS_OF)
    assert (result.value, result.flag, result.reason) == (expected, flag, reason)


@pytest.mark.parametrize(
    ("start", "end", "in_order"),
    [
        (D(2010, 1, 1), D(2010, 1, 2), True),
        (D(2010, 1, 1), D(2010, 1, 1), True),
        (D(2010, 1, 2), D(2010, 1, 1), False),
        (None, D(2010, 1, 1), True),
        (D(2010, 1, 1), None, True),
        (None, None, True),
        (pd.NaT, D(2010, 1, 1), True),
        (dt.datetime(2010, 1, 1, 12), dt.datetime(2010, 1, 1, 11), False),
        (dt.datetime(2010, 1, 1, 12), D(2010, 1, 1), True),  # mixed: compared on days
        (D(2010, 1, 2), dt.datetime(2010, 1, 1, 23), False),
    ],
)
def test_check_order(start: dt.date | None, end: dt.date | None, in_order: bool) -> None:
    assert check_order(start, end) is in_order
