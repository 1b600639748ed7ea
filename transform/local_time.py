"""Times: legacy business times recorded in local time, and system columns recorded in UTC.

S_INCIDENT.REPORTED_DT and X_SCREEN_DT are local wall-clock times (America/Vancouver)
with no offset; the Siebel system columns (CREATED, LAST_UPD, ...) are UTC. Both are
stored as aware UTC datetimes.

Around daylight-saving changes a wall-clock time can be ambiguous (the fall-back hour
happens twice: 2012-11-04 01:30 is both PDT and PST) or nonexistent (the spring-forward
gap: 2012-03-11 02:30 never happened). An ambiguous time is read as its first occurrence
(``fold=0``, the daylight-time reading) and flagged AMBIGUOUS_LOCAL_TIME; a nonexistent
time is read with the offset in force before the gap, which lands it one hour later on
the wall clock (02:30 -> 03:30 PDT), and flagged NONEXISTENT_LOCAL_TIME.

A local time whose UTC instant falls after 9999-12-31 23:59:59 (a far-future sentinel
such as 9999-12-31 23:00 in Vancouver) has no datetime: INVALID_DATE, never an exception.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from transform.outcome import Normalised, flagged, is_missing, ok, rejected

__all__ = ["SOURCE_ZONE", "local_to_utc", "utc"]

SOURCE_ZONE = "America/Vancouver"
"""The zone of ICM's local business times."""


def _plain(value: dt.datetime) -> dt.datetime:
    """A plain datetime (not a pandas Timestamp subclass), keeping tzinfo and fold."""
    return dt.datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        tzinfo=value.tzinfo,
        fold=value.fold,
    )


def local_to_utc(value: dt.datetime | None, zone: str = SOURCE_ZONE) -> Normalised[dt.datetime]:
    """A naive local wall-clock time in ``zone`` as an aware UTC datetime.

    An aware input is simply converted to UTC. ``zone`` must be an IANA zone name; an
    unknown zone is a configuration error and raises ``zoneinfo.ZoneInfoNotFoundError``.
    """
    if value is None or is_missing(value):
        return ok(None)
    plain = _plain(value)
    tz = ZoneInfo(zone)
    first = plain if plain.tzinfo is not None else plain.replace(tzinfo=tz, fold=0)
    try:
        as_utc = first.astimezone(dt.UTC)
    except OverflowError:
        return rejected("INVALID_DATE", "its UTC time is past 9999-12-31 23:59:59")
    if plain.tzinfo is not None:
        return ok(as_utc)
    if as_utc.astimezone(tz).replace(tzinfo=None) != plain:
        return flagged(
            as_utc, "NONEXISTENT_LOCAL_TIME", "local time in the DST gap; shifted forward"
        )
    if first.utcoffset() != plain.replace(tzinfo=tz, fold=1).utcoffset():
        return flagged(
            as_utc, "AMBIGUOUS_LOCAL_TIME", "local time in the DST fall-back hour; first occurrence"
        )
    return ok(as_utc)


def utc(value: dt.datetime | None) -> dt.datetime | None:
    """A system-column datetime (recorded in UTC) as an aware UTC datetime."""
    if type(value) is dt.datetime:
        plain = value  # already plain (the common case)
    elif value is None or is_missing(value):
        return None
    else:
        plain = _plain(value)
    if plain.tzinfo is None:
        return plain.replace(tzinfo=dt.UTC)
    return plain.astimezone(dt.UTC)
