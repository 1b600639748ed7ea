"""Lineage: what every target row and ledger row keeps of the legacy row it came from.

The Siebel system columns are recorded in UTC (naive in the source): they become aware
UTC datetimes. MODIFICATION_NUM (NUMBER(10,0)) becomes an int. The raw row kept with a
quarantine record is JSON-ready: datetimes and dates as ISO text, Decimals as text.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from transform.contract import columns_of
from transform.local_time import utc

__all__ = ["SOURCE_HASH", "json_ready", "lineage_of", "modification_num", "raw_row"]

SOURCE_HASH = "source_hash"
"""The column extract adds to every row: hex SHA-256 of the canonical legacy row."""


def modification_num(value: Any) -> int | None:
    """MODIFICATION_NUM as int: None when NULL, not a whole number, or beyond the 64 bits of
    the target's BIGINT (``audit_columns`` quarantines a row whose value is not NULL but
    comes out None here)."""
    if value is None:
        return None
    if type(value) is int:  # what Decimal(str(value)) would give back
        return value if _INT64_LEAST <= value <= _INT64_MOST else None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except ArithmeticError:
        return None
    if not number.is_finite() or number != number.to_integral_value():
        return None
    whole = int(number)
    return whole if _INT64_LEAST <= whole <= _INT64_MOST else None


_INT64_LEAST, _INT64_MOST = -(2**63), 2**63 - 1


def lineage_of(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The lineage columns (minus migration_run_id) of a target row built from ``row``."""
    last_upd = row["LAST_UPD"]
    last_upd_utc = utc(last_upd)
    return {
        "legacy_table": table,
        "legacy_row_id": row["ROW_ID"],
        "legacy_last_upd": last_upd_utc,
        "legacy_modification_num": modification_num(row["MODIFICATION_NUM"]),
        "source_hash": row[SOURCE_HASH],
        "legacy_created": _utc_like(row["CREATED"], last_upd, last_upd_utc),
        "legacy_created_by": row["CREATED_BY"],
        "legacy_last_upd_by": row["LAST_UPD_BY"],
        "legacy_db_last_upd": _utc_like(row["DB_LAST_UPD"], last_upd, last_upd_utc),
        "legacy_conflict_id": row["CONFLICT_ID"],
    }


def _utc_like(value: Any, known: Any, known_utc: dt.datetime | None) -> dt.datetime | None:
    """``utc(value)``, reusing ``known_utc`` (``utc(known)``) when ``value`` is the same
    naive datetime as ``known``, fold included (DB_LAST_UPD is mostly LAST_UPD, and so
    is CREATED of a row never updated): the same value, one conversion fewer."""
    if (
        type(value) is dt.datetime
        and type(known) is dt.datetime
        and value.tzinfo is None
        and known.tzinfo is None
        and value == known
        and value.fold == known.fold
    ):
        return known_utc
    return utc(value)


def json_ready(value: Any) -> Any:
    """A legacy value as JSON can hold it."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, float):
        return None if value != value else value
    return str(value)


def raw_row(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The legacy row as extracted (contract columns, in order), JSON-ready."""
    known = columns_of(table)
    extra = [c for c in row if c not in known and c != SOURCE_HASH]
    return {c: json_ready(row.get(c)) for c in (*known, *extra)}
