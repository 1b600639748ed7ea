"""Rules every legacy table shares: the audit columns (D20)."""

from __future__ import annotations

from transform.lineage import modification_num
from transform.row import RowWork

__all__ = ["audit_columns"]


def audit_columns(work: RowWork) -> None:
    """UNKNOWN_USER when CREATED_BY / LAST_UPD_BY is not an S_USER row (NULL is not checked);
    AUDIT_INCONSISTENT when CREATED is after LAST_UPD. Both load the row.

    A MODIFICATION_NUM that is not a whole number within 64 bits (only a non-Oracle copy
    can hold one: the column is NUMBER(10,0)) has no lineage value: SCHEMA_VIOLATION.
    """
    number = work["MODIFICATION_NUM"]
    if number is not None and modification_num(number) is None:
        work.reject(
            "SCHEMA_VIOLATION",
            "MODIFICATION_NUM",
            "MODIFICATION_NUM is not a whole number within the target's 64-bit integer",
        )
    users = work.context.users
    for column in ("CREATED_BY", "LAST_UPD_BY"):
        user = work[column]
        if user is not None and user not in users:
            work.flag("UNKNOWN_USER", column, user, user)
    created, updated = work["CREATED"], work["LAST_UPD"]
    if created is not None and updated is not None and created > updated:
        work.flag("AUDIT_INCONSISTENT", "CREATED", created, created)
