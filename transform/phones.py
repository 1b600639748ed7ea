"""Phone numbers (S_CONTACT.HOME_PH_NUM / CELL_PH_NUM, S_INCIDENT.X_REPORTER_PHONE).

Format rule (documented, so not flagged): a North American number is stored as
``NNN-NNN-NNNN``. Any spelling of the same ten digits is rewritten to it:
``(250) 555-0101``, ``2505550101``, ``250.555.0101``, ``+1 250 555 0101``,
``1-250-555-0101``. The area code and exchange must start with 2-9 (NANP).

Two numbers in one field, separated by ``/``, ``;``, ``,`` or `` or ``, every part a
valid number: the first is kept, flag OVERLOADED_FIELD (the flag keeps the original).
Anything else (extensions, seven-digit local numbers, words): the value unchanged, flag
INVALID_PHONE. NULL, ``''`` and blanks are None.
"""

from __future__ import annotations

import re

from transform.outcome import Normalised, flagged, is_missing, ok

__all__ = ["format_phone", "normalise_phone"]

_SHAPE = re.compile(r"(?:\+?1[\s.-]*)?(?:\(\d{3}\)|\d{3})[\s.-]*\d{3}[\s.-]*\d{4}")
_NANP = re.compile(r"1?([2-9]\d{2})([2-9]\d{2})(\d{4})")
_CANONICAL = re.compile(r"[2-9]\d{2}-[2-9]\d{2}-\d{4}")
_SEPARATOR = re.compile(r"\s*(?:/|;|,|\s+or\s+)\s*", re.IGNORECASE)


def format_phone(value: str) -> str | None:
    """``NNN-NNN-NNNN`` for one phone number in any usual spelling, else None."""
    text = value.strip()
    if not _SHAPE.fullmatch(text):
        return None
    match = _NANP.fullmatch("".join(ch for ch in text if ch.isdigit()))
    if match is None:
        return None
    return "-".join(match.groups())


def normalise_phone(value: str | None) -> Normalised[str]:
    """The phone number as ``NNN-NNN-NNNN`` (see the module docstring)."""
    if value is None or is_missing(value):
        return ok(None)
    if _CANONICAL.fullmatch(value):
        return ok(value)
    if not value.strip():
        return ok(None)
    single = format_phone(value)
    if single is not None:
        return ok(single)
    parts = [part for part in _SEPARATOR.split(value.strip()) if part]
    if len(parts) >= 2:
        numbers = [format_phone(part) for part in parts]
        if all(number is not None for number in numbers):
            return flagged(numbers[0], "OVERLOADED_FIELD", f"{len(parts)} numbers; first kept")
    return flagged(value, "INVALID_PHONE", "not a North American phone number")
