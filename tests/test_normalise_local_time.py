"""transform.local_time: local business times to UTC across DST changes (D15)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pandas as pd
import pytest

from transform.local_time import local_to_utc, utc

UTC = dt.UTC
T = dt.datetime


@pytest.mark.parametrize(
    ("local", "expected", "flag"),
    [
        (T(2012, 1, 15, 9, 0), T(2012, 1, 15, 17, 0, tzinfo=UTC), None),  # PST, UTC-8
        (T(2012, 7, 15, 9, 0), T(2012, 7, 15, 16, 0, tzinfo=UTC), None),  # PDT, UTC-7
        # fall back 2012-11-04: 01:00-01:59 happens twice; first occurrence is PDT
        (T(2012, 11, 4, 0, 59, 59), T(2012, 11, 4, 7, 59, 59, tzinfo=UTC), None),
        (T(2012, 11, 4, 1, 0), T(2012, 11, 4, 8, 0, tzinfo=UTC), "AMBIGUOUS_LOCAL_TIME"),
        (T(2012, 11, 4, 1, 30), T(2012, 11, 4, 8, 30, tzinfo=UTC), "AMBIGUOUS_LOCAL_TIME"),
        (T(2012, 11, 4, 1, 59, 59), T(2012, 11, 4, 8, 59, 59, tzinfo=UTC), "AMBIGUOUS_LOCAL_TIME"),
        (T(2012, 11, 4, 2, 0), T(2012, 11, 4, 10, 0, tzinfo=UTC), None),
        # spring forward 2012-03-11: 02:00-02:59 never happens; shifted forward one hour
        (T(2012, 3, 11, 1, 59), T(2012, 3, 11, 9, 59, tzinfo=UTC), None),
        (T(2012, 3, 11, 2, 0), T(2012, 3, 11, 10, 0, tzinfo=UTC), "NONEXISTENT_LOCAL_TIME"),
        (T(2012, 3, 11, 2, 30), T(2012, 3, 11, 10, 30, tzinfo=UTC), "NONEXISTENT_LOCAL_TIME"),
        (T(2012, 3, 11, 3, 0), T(2012, 3, 11, 10, 0, tzinfo=UTC), None),
        (T(2019, 11, 3, 1, 15), T(2019, 11, 3, 8, 15, tzinfo=UTC), "AMBIGUOUS_LOCAL_TIME"),
        (
            pd.Timestamp("2012-11-04 01:30"),
            T(2012, 11, 4, 8, 30, tzinfo=UTC),
            "AMBIGUOUS_LOCAL_TIME",
        ),
    ],
)
def test_local_to_utc(local: dt.datetime, expected: dt.datetime, flag: str | None) -> None:
    result = local_to_utc(local)
    assert (result.value, result.flag, result.reason) == (expected, flag, None)
    assert result.value is not None and result.value.utcoffset() == dt.timedelta(0)
    assert type(result.value) is dt.datetime


def test_missing_values() -> None:
    for value in (None, pd.NaT):
        assert local_to_utc(value).value is None
        assert local_to_utc(value).flag is None
        assert utc(value) is None


def test_an_aware_value_is_only_converted() -> None:
    aware = T(2012, 11, 4, 1, 30, tzinfo=zoneinfo.ZoneInfo("America/Vancouver"), fold=1)
    result = local_to_utc(aware)
    assert (result.value, result.flag) == (T(2012, 11, 4, 9, 30, tzinfo=UTC), None)


def test_other_zone() -> None:
    result = local_to_utc(T(2012, 1, 15, 9, 0), "America/Toronto")
    assert result.value == T(2012, 1, 15, 14, 0, tzinfo=UTC)


def test_unknown_zone_is_a_configuration_error() -> None:
    with pytest.raises(zoneinfo.ZoneInfoNotFoundError):
        local_to_utc(T(2012, 1, 15, 9, 0), "Mars/Olympus_Mons")


def test_every_hour_of_a_year_round_trips_or_is_flagged() -> None:
    zone = zoneinfo.ZoneInfo("America/Vancouver")
    hour = T(2012, 1, 1)
    flagged = []
    while hour.year == 2012:
        for minute in (0, 30):
            local = hour.replace(minute=minute)
            result = local_to_utc(local)
            assert result.value is not None
            back = result.value.astimezone(zone).replace(tzinfo=None)
            if result.flag is None or result.flag == "AMBIGUOUS_LOCAL_TIME":
                assert back == local
            else:
                assert result.flag == "NONEXISTENT_LOCAL_TIME"
                assert back == local + dt.timedelta(hours=1)
            if result.flag:
                flagged.append((local, result.flag))
        hour += dt.timedelta(hours=1)
    assert flagged == [
        (T(2012, 3, 11, 2, 0), "NONEXISTENT_LOCAL_TIME"),
        (T(2012, 3, 11, 2, 30), "NONEXISTENT_LOCAL_TIME"),
        (T(2012, 11, 4, 1, 0), "AMBIGUOUS_LOCAL_TIME"),
        (T(2012, 11, 4, 1, 30), "AMBIGUOUS_LOCAL_TIME"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (T(2012, 11, 4, 1, 30), T(2012, 11, 4, 1, 30, tzinfo=UTC)),
        (pd.Timestamp("2020-02-29 12:00"), T(2020, 2, 29, 12, 0, tzinfo=UTC)),
        (T(2020, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-8))), T(2020, 1, 1, 8, tzinfo=UTC)),
    ],
)
def test_utc_attaches_utc(value: dt.datetime, expected: dt.datetime) -> None:
    result = utc(value)
    assert result == expected
    assert (
        result is not None and result.tzinfo is not None and result.utcoffset() == dt.timedelta(0)
    )


@pytest.mark.parametrize(
    "value",
    [
        T(9999, 12, 31, 16, 0),  # 24:00 UTC: one second past the last datetime
        T(9999, 12, 31, 23, 59, 59),  # the usual far-future sentinel
        T(9999, 12, 31, 23, 0, tzinfo=zoneinfo.ZoneInfo("America/Vancouver")),
    ],
)
def test_a_time_past_the_last_utc_datetime_is_rejected_not_raised(value: dt.datetime) -> None:
    result = local_to_utc(value)
    assert (result.value, result.flag, result.reason) == (None, None, "INVALID_DATE")
    assert "9999" in result.note


def test_the_last_local_time_that_has_a_utc_datetime() -> None:
    result = local_to_utc(T(9999, 12, 31, 15, 59, 59))
    assert (result.value, result.reason) == (T(9999, 12, 31, 23, 59, 59, tzinfo=UTC), None)
