"""Siebel CHAR(1) Y/N flags (ACTIVE_FLG, PRIMARY_FLG, ...), read as true / false / unknown.

=======================  =======  ===============
legacy value             result   flag
=======================  =======  ===============
``Y``                    True     -
``N``                    False    -
``y`` ``T`` ``t`` ``1``  True     FLAG_NORMALISED
``n`` ``F`` ``f`` ``0``  False    FLAG_NORMALISED
NULL, ``''``, blanks     None     -
anything else (``X``)    None     INVALID_FLAG
=======================  =======  ===============

An unknown flag is never defaulted to False. A recognised letter with blanks around it
(possible outside Oracle CHAR(1)) is read and flagged FLAG_NORMALISED.
"""

from __future__ import annotations

from transform.outcome import Normalised, flagged, is_missing, ok

__all__ = ["parse_flag"]

_TRUE = frozenset({"y", "Y", "T", "t", "1"})
_FALSE = frozenset({"n", "N", "F", "f", "0"})


def parse_flag(value: str | None) -> Normalised[bool]:
    """Read a Y/N flag (see the module docstring)."""
    if value is None or is_missing(value):
        return ok(None)
    if isinstance(value, bool):  # already typed by a driver: nothing to read
        return ok(value)
    if value == "Y":
        return ok(True)
    if value == "N":
        return ok(False)
    text = value.strip() if isinstance(value, str) else str(value).strip()
    if not text:
        return ok(None)
    if text in _TRUE:
        return flagged(True, "FLAG_NORMALISED", "read as true")
    if text in _FALSE:
        return flagged(False, "FLAG_NORMALISED", "read as false")
    return flagged(None, "INVALID_FLAG", "not a Y/N value; loaded as unknown")
