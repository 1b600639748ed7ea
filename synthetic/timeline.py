"""The synthetic world's fixed calendar: no wall clock anywhere.

``AS_OF`` is the extraction date the whole database is generated against.
System columns (CREATED, LAST_UPD, ...) are UTC; S_INCIDENT.REPORTED_DT and
X_SCREEN_DT are local business times in America/Vancouver.
"""

from __future__ import annotations

import datetime as dt
import random

__all__ = [
    "AS_OF",
    "AS_OF_END",
    "BUSINESS_END_HOUR",
    "BUSINESS_START_HOUR",
    "CONVERSION_START",
    "EARLIEST_CASE",
    "add_days",
    "business_moment",
    "date_between",
    "fall_back_days",
    "is_business_time",
    "midnight",
    "moment_between",
    "screening_after",
]

AS_OF = dt.date(2026, 6, 30)
AS_OF_END = dt.datetime(2026, 6, 30, 23, 59, 59)
# The 2012 conversion from the MIS system: EIM loads ran on this weekend.
CONVERSION_START = dt.datetime(2012, 4, 14, 2, 0, 0)
EARLIEST_CASE = dt.date(1998, 1, 5)
BUSINESS_START_HOUR = 8
BUSINESS_END_HOUR = 18


def add_days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def date_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A uniformly random day in ``[first, last]`` (``first`` when the range is empty)."""
    span = (last - first).days
    return first if span <= 0 else first + dt.timedelta(days=rng.randint(0, span))


def moment_between(rng: random.Random, first: dt.datetime, last: dt.datetime) -> dt.datetime:
    """A random moment, to the second, in ``[first, last]``."""
    span = int((last - first).total_seconds())
    return first if span <= 0 else first + dt.timedelta(seconds=rng.randint(0, span))


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def business_moment(rng: random.Random, day: dt.date) -> dt.datetime:
    """A local time on ``day`` between 08:00:00 and 17:59:59."""
    seconds = rng.randint(BUSINESS_START_HOUR * 3600, BUSINESS_END_HOUR * 3600 - 1)
    return midnight(day) + dt.timedelta(seconds=seconds)


def is_business_time(moment: dt.datetime) -> bool:
    return BUSINESS_START_HOUR <= moment.hour < BUSINESS_END_HOUR


def screening_after(rng: random.Random, reported: dt.datetime) -> dt.datetime:
    """A business-hours moment 1 to 48 hours after ``reported`` (and not after AS_OF)."""
    for _ in range(200):
        candidate = reported + dt.timedelta(seconds=rng.randint(3600, 48 * 3600))
        if is_business_time(candidate) and candidate <= AS_OF_END:
            return candidate
    # Deterministic fallback: the next morning at 09:00 (always 1-48 h after a business time).
    next_morning = midnight(reported.date() + dt.timedelta(days=1)) + dt.timedelta(hours=9)
    return next_morning


def fall_back_days(first_year: int, last_year: int) -> list[dt.date]:
    """The days clocks fell back in British Columbia (first Sunday of November, 2007 rules)."""
    days = []
    for year in range(first_year, last_year + 1):
        first = dt.date(year, 11, 1)
        days.append(first + dt.timedelta(days=(6 - first.weekday()) % 7))
    return days
