"""Rules for free text that may carry personal data typed in (D22)."""

from __future__ import annotations

from transform.row import RowWork
from transform.text import find_pii

__all__ = ["flag_pii"]


def flag_pii(work: RowWork, column: str) -> None:
    """PII_IN_FREE_TEXT when a PHN or phone number is typed into ``column``; the text is
    not altered. The flag names the kinds found (``PHN,PHONE``), not the text, so the
    personal data is not copied into the flag."""
    kinds = find_pii(work[column])
    if kinds:
        work.flag("PII_IN_FREE_TEXT", column, None, ",".join(kinds))
