"""BC Personal Health Numbers (S_CONTACT.X_PHN), checked with python-stdnum.

A PHN is 10 digits, the first always 9, the last a mod-11 check digit
(``stdnum.ca.bc_phn``). Outcomes:

* valid, exactly 10 digits: ok;
* valid once spaces and dashes are removed (``9698 658 215``): the 10 digits,
  flag PHN_NORMALISED;
* anything else (bad check digit, wrong length, letters, a first digit other than 9):
  the value as given with its whitespace removed, flag PHN_INVALID. The caller stores it
  as an unverified identifier: a wrong PHN is still evidence for matching persons.

NULL, ``''`` and blanks are None (no PHN recorded).
"""

from __future__ import annotations

from stdnum.ca import bc_phn

from transform.outcome import Normalised, flagged, is_missing, ok

__all__ = ["is_valid_phn", "normalise_phn"]


def _plainly_valid(value: str) -> bool:
    """True for ten ASCII digits that make a valid PHN: ``bc_phn.is_valid`` without its
    cleaning, which such a value does not need (False says nothing: ask stdnum)."""
    return (
        len(value) == 10
        and value.isascii()
        and value.isdigit()
        and value[0] == "9"
        and value[9] == bc_phn.calc_check_digit(value[1:9])
    )


def is_valid_phn(value: str | None) -> bool:
    """True when ``value`` is a valid PHN, separators (spaces, dashes) allowed."""
    if value is None or is_missing(value):
        return False
    if type(value) is str and _plainly_valid(value):
        return True
    return bool(bc_phn.is_valid(value))


def normalise_phn(value: str | None) -> Normalised[str]:
    """The PHN as 10 digits, or as given (unverified) when it is not valid."""
    if value is None or is_missing(value):
        return ok(None)
    if type(value) is str and _plainly_valid(value):
        return ok(value)  # what stdnum answers below: valid, compact as given
    if not value.strip():
        return ok(None)
    if bc_phn.is_valid(value):
        compact = bc_phn.compact(value)
        if compact == value:
            return ok(value)
        return flagged(compact, "PHN_NORMALISED", "separators removed")
    return flagged(
        "".join(value.split()), "PHN_INVALID", "check digit, length or format invalid; unverified"
    )
