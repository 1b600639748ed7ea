"""S_AUDIT_ITEM -> legacy_audit_event: the legacy audit trail, kept as it was.

Values are loaded verbatim (history is not repaired); only NUL characters, which the
store cannot hold, are removed and flagged NUL_REMOVED. RECORD_ID and USER_ID stay
legacy ROW_IDs (text), not links. OPERATION_DT is UTC.
"""

from __future__ import annotations

from transform.local_time import utc
from transform.row import RowWork

__all__ = ["audit_row"]


def _without_nul(work: RowWork, column: str) -> str | None:
    value = work[column]
    if isinstance(value, str) and "\x00" in value:
        cleaned = value.replace("\x00", "")
        work.flag("NUL_REMOVED", column, value, cleaned)
        return cleaned
    return value


def audit_row(work: RowWork) -> None:
    ident = work.own_id()
    work.set_main("legacy_audit_event", ident)
    work.upsert(
        "legacy_audit_event",
        {
            "id": ident,
            "buscomp_name": _without_nul(work, "BUSCOMP_NAME"),
            "table_name": _without_nul(work, "TBL_NAME"),
            "record_row_id": work.verbatim("RECORD_ID"),
            "field_name": _without_nul(work, "FIELD_NAME"),
            "old_value": _without_nul(work, "OLD_VAL"),
            "new_value": _without_nul(work, "NEW_VAL"),
            "operation": _without_nul(work, "OPERATION_CD"),
            "user_row_id": work.verbatim("USER_ID"),
            "occurred_at": utc(work["OPERATION_DT"]),
        },
    )
