"""Person names: placeholders instead of a name, and soft-deleted ('DO NOT USE') records.

A placeholder is NULL + flag PLACEHOLDER_VALUE; in a required name it is reason
MISSING_REQUIRED. Placeholders, compared after trimming and case-folding:

* ``N/A``, ``UNKNOWN``, ``UNK``, ``NONE``; ``X``, ``XX``, ``XXX``... (only X);
* text made only of punctuation: ``.``, ``-``, ``?``, ``..``, ``--``;
* blanks (``' '``);
* ``NA`` in capitals only: ``Na`` is a real family name, so only the upper-case
  abbreviation is a placeholder;
* first names only: ``Baby``, ``Baby Boy``, ``Baby Girl``, optionally followed by a
  number or a single letter (``Baby Girl 2``, ``Baby Boy A``) for twins.

A real name comes back exactly as given: not trimmed, not re-cased. NULL and ``''``
(Oracle's NULL) are simply unknown: None, no flag (MISSING_REQUIRED when required).
"""

from __future__ import annotations

import re

from transform.outcome import Normalised, flagged, is_missing, ok, rejected

__all__ = ["clean_name", "is_placeholder_name", "is_soft_deleted_name"]

_PLACEHOLDERS = frozenset({"n/a", "unknown", "unk", "none", "null"})
_ONLY_X = re.compile(r"x+")
_ONLY_PUNCTUATION = re.compile(r"[\W_]+")
_BABY = re.compile(r"baby(?:\s+(?:boy|girl))?(?:\s+(?:\d+|[a-z]))?")
_DO_NOT_USE = re.compile(r"[\W_]*do[\W_]*not[\W_]*use\b", re.IGNORECASE)


def is_placeholder_name(value: str, *, first_name: bool = False) -> bool:
    """True when ``value`` is a placeholder rather than a name (see the module docstring)."""
    text = value.strip()
    if not text or text == "NA":
        return True
    folded = " ".join(text.split()).casefold()
    if folded in _PLACEHOLDERS or _ONLY_X.fullmatch(folded):
        return True
    if _ONLY_PUNCTUATION.fullmatch(folded):
        return True
    return first_name and _BABY.fullmatch(folded) is not None


def clean_name(value: str | None, *, required: bool, first_name: bool = False) -> Normalised[str]:
    """The name as given, or None for a placeholder (flagged, or rejected when required)."""
    if value is None or is_missing(value) or value == "":
        return rejected("MISSING_REQUIRED", "required name is empty") if required else ok(None)
    if is_placeholder_name(value, first_name=first_name):
        if required:
            return rejected("MISSING_REQUIRED", "required name is a placeholder")
        return flagged(None, "PLACEHOLDER_VALUE", "placeholder name loaded as NULL")
    return ok(value)


def is_soft_deleted_name(value: str | None) -> bool:
    """True for a name marking a soft-deleted record: 'DO NOT USE' at its start, any case
    (``DO NOT USE - SMITH``, ``**Do Not Use** Smith``, ``DO-NOT-USE``)."""
    if value is None or is_missing(value):
        return False
    return _DO_NOT_USE.match(value) is not None
