"""Dates: free-text legacy dates (CX_PLACEMENT.*_DT_TXT, S_CONTACT_X.ATTRIB_05), Oracle
DATE columns, birth dates, and chronology.

Free-text formats read (after trimming surrounding blanks):

=============  ==========================================  ==========================
format         example                                     outcome
=============  ==========================================  ==========================
YYYY-MM-DD     ``2009-03-15``                              ok (flag when padded)
DD-MON-YY      ``15-MAR-09`` (month name any case)         DATE_FORMAT_NORMALISED
DD-MON-YYYY    ``15-Mar-2009``                             DATE_FORMAT_NORMALISED
YYYYMMDD       ``20090315``                                DATE_FORMAT_NORMALISED
MM/DD/YYYY     ``03/15/2009`` (second part > 12)           DATE_FORMAT_NORMALISED
DD/MM/YYYY     ``15/03/2009`` (first part > 12)            DATE_FORMAT_NORMALISED
either         ``03/04/2009`` (both <= 12, different)      read month-first, AMBIGUOUS_DATE
=============  ==========================================  ==========================

Month-first is the 2012 conversion's format (MM/DD/YYYY), so an ambiguous slash date is
read that way and flagged; equal parts (``04/04/2009``) are not ambiguous.

Placeholders (``unknown``, ``N/A``, ``00/00/0000``, and 1900-01-01 in any known format)
are NULL: flag PLACEHOLDER_DATE when the date is optional, reason INVALID_DATE when it is
required (a required date that is only a placeholder is not a date).

Impossible (``31/02/2009``, ``2009-13-01``), out-of-range (year outside
:data:`MIN_YEAR`..:data:`MAX_YEAR`) and unparseable (``approx 2005``) text is reason
INVALID_DATE **whether or not the date is required**: a bad optional date is still bad
data, and loading it as NULL would silently drop what the row says.
"""

from __future__ import annotations

import datetime as dt
import re

from transform.outcome import Normalised, flagged, is_missing, ok, rejected

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "PLACEHOLDER",
    "TWO_DIGIT_YEAR_PIVOT",
    "birth_date",
    "check_order",
    "legacy_date",
    "parse_text_date",
]

TWO_DIGIT_YEAR_PIVOT = 26
"""'DD-MON-YY': yy <= 26 is 20yy, yy > 26 is 19yy (so '15-MAR-26' is 2026, '15-MAR-27' 1927).

Fixed, not relative to today, so a rerun reads the same text the same way. A pivoted
year that lands in the future is caught by the callers (DOB_IN_FUTURE, chronology).
"""

MIN_YEAR = 1850
MAX_YEAR = 2100
"""Years outside MIN_YEAR..MAX_YEAR are not plausible for this data: INVALID_DATE."""

PLACEHOLDER = dt.date(1900, 1, 1)
"""The legacy system's 'no date' placeholder."""

_PLACEHOLDER_TEXT = frozenset(
    {
        "unknown",
        "unk",
        "n/a",
        "na",
        "none",
        "null",
        "00/00/0000",
        "0000-00-00",
        "00000000",
        "00-00-0000",
        "00-000-00",
        "00-000-0000",
    }
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DMON = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{2}|\d{4})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

_MISSING_NOTE = "required date is empty"


def _make(year: int, month: int, day: int) -> dt.date | None:
    """The calendar date, or None when it does not exist or is out of range."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _read(text: str) -> tuple[dt.date | None, str, str]:
    """(date, flag, format name) for a trimmed text; date None when it cannot be read.

    The flag is the one a readable date gets: '' (clean ISO), DATE_FORMAT_NORMALISED or
    AMBIGUOUS_DATE. The format name goes into notes (it is not personal data).
    """
    if m := _ISO.fullmatch(text):
        return _make(int(m[1]), int(m[2]), int(m[3])), "", "YYYY-MM-DD"
    if m := _DMON.fullmatch(text):
        month = _MONTHS.get(m[2].lower())
        if month is None:
            return None, "", ""
        year = int(m[3])
        if len(m[3]) == 2:
            year += 2000 if year <= TWO_DIGIT_YEAR_PIVOT else 1900
            fmt = "DD-MON-YY"
        else:
            fmt = "DD-MON-YYYY"
        return _make(year, month, int(m[1])), "DATE_FORMAT_NORMALISED", fmt
    if m := _COMPACT.fullmatch(text):
        return _make(int(m[1]), int(m[2]), int(m[3])), "DATE_FORMAT_NORMALISED", "YYYYMMDD"
    if m := _SLASH.fullmatch(text):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        if first > 12:
            return _make(year, second, first), "DATE_FORMAT_NORMALISED", "DD/MM/YYYY"
        if second > 12 or first == second:
            return _make(year, first, second), "DATE_FORMAT_NORMALISED", "MM/DD/YYYY"
        return _make(year, first, second), "AMBIGUOUS_DATE", "MM/DD/YYYY or DD/MM/YYYY"
    return None, "", ""


def parse_text_date(text: str | None, *, required: bool) -> Normalised[dt.date]:
    """Read a free-text legacy date (see the module docstring for formats and outcomes)."""
    if text is None or is_missing(text):
        return rejected("MISSING_REQUIRED", _MISSING_NOTE) if required else ok(None)
    raw = text if isinstance(text, str) else str(text)
    trimmed = raw.strip()
    if not trimmed:
        return rejected("MISSING_REQUIRED", _MISSING_NOTE) if required else ok(None)
    if trimmed.lower() in _PLACEHOLDER_TEXT:
        return _placeholder(required)
    value, flag, fmt = _read(trimmed)
    if value is None:
        note = f"impossible or out-of-range {fmt} date" if fmt else "no known date format"
        return rejected("INVALID_DATE", note)
    if value == PLACEHOLDER:
        return _placeholder(required)
    if not flag and trimmed != raw:
        return flagged(value, "DATE_FORMAT_NORMALISED", "YYYY-MM-DD with surrounding blanks")
    if not flag:
        return ok(value)
    note = "day and month could be swapped; read month-first" if flag == "AMBIGUOUS_DATE" else ""
    return flagged(value, flag, note or f"read as {fmt}")


def _placeholder(required: bool) -> Normalised[dt.date]:
    if required:
        return rejected("INVALID_DATE", "required date is a placeholder")
    return flagged(None, "PLACEHOLDER_DATE", "placeholder date loaded as NULL")


def _date_part(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return dt.date(value.year, value.month, value.day)
    return value


def legacy_date(value: dt.datetime | dt.date | None) -> Normalised[dt.date]:
    """The date part of an Oracle DATE; the 1900-01-01 placeholder is NULL + PLACEHOLDER_DATE.

    The time of day is dropped without a flag: the target column is a calendar date.
    """
    if value is None or is_missing(value):
        return ok(None)
    day = _date_part(value)
    if day == PLACEHOLDER:
        return flagged(None, "PLACEHOLDER_DATE", "placeholder date loaded as NULL")
    return ok(day)


def birth_date(value: dt.datetime | dt.date | None, *, as_of: dt.date) -> Normalised[dt.date]:
    """A birth date from BIRTH_DT: placeholder -> NULL + PLACEHOLDER_DATE; after ``as_of``
    (the extraction date) -> reason DOB_IN_FUTURE. A birth on ``as_of`` itself is fine.
    """
    result = legacy_date(value)
    if result.value is not None and result.value > _date_part(as_of):
        return rejected("DOB_IN_FUTURE", "birth date after the extraction date")
    return result


def check_order(start: dt.date | dt.datetime | None, end: dt.date | dt.datetime | None) -> bool:
    """True when ``start`` is not after ``end`` (equal is in order) or either is unknown.

    A date compared with a datetime is compared on calendar days (Python refuses to
    compare the two directly). Naive and aware datetimes must not be mixed.
    """
    if start is None or end is None or is_missing(start) or is_missing(end):
        return True
    if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
        return _date_part(start) <= _date_part(end)
    return start <= end
