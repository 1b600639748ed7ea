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
    """MODIFICATION_NUM as int (None when NULL or not a whole number)."""
    if value is None:
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except ArithmeticError:
        return None
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return int(number)


def lineage_of(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """The lineage columns (minus migration_run_id) of a target row built from ``row``."""
    return {
        "legacy_table": table,
        "legacy_row_id": row["ROW_ID"],
        "legacy_last_upd": utc(row["LAST_UPD"]),
        "legacy_modification_num": modification_num(row["MODIFICATION_NUM"]),
        "source_hash": row[SOURCE_HASH],
        "legacy_created": utc(row["CREATED"]),
        "legacy_created_by": row["CREATED_BY"],
        "legacy_last_upd_by": row["LAST_UPD_BY"],
        "legacy_db_last_upd": utc(row["DB_LAST_UPD"]),
        "legacy_conflict_id": row["CONFLICT_ID"],
    }


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
