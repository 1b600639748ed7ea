"""The result of normalising one legacy value: the value, and a flag or a quarantine reason.

Every value-level normaliser in transform returns a :class:`Normalised`. Bad data is a
value, never an exception: a repairable or suspicious value comes back with a ``flag``
(a ``FLAG_CODES`` code: load it and record the flag), a value that must not be loaded
comes back with a ``reason`` (a ``REASON_CODES`` code: quarantine the row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

__all__ = ["Normalised", "T", "flagged", "is_missing", "ok", "rejected"]

T = TypeVar("T")


@dataclass(frozen=True)
class Normalised(Generic[T]):
    """One normalised value.

    * ``value``: the value to load (``None`` = unknown / NULL).
    * ``flag``: a FLAG_CODES code: loaded, with a data-quality flag keeping the original.
    * ``reason``: a REASON_CODES code: the row must be quarantined.
    * ``note``: a short explanation for stewards; never personal data.
    """

    value: T | None
    flag: str | None = None
    reason: str | None = None
    note: str = ""

    @property
    def is_rejected(self) -> bool:
        """True when the row carrying this value must be quarantined."""
        return self.reason is not None

    @property
    def is_flagged(self) -> bool:
        return self.flag is not None


def ok(value: T | None) -> Normalised[T]:
    """A clean value: load it as is, no flag."""
    if value is None:
        return _OK_NONE  # immutable, so one instance serves every NULL
    if value is True:
        return _OK_TRUE  # and every true or false
    if value is False:
        return _OK_FALSE
    return Normalised(value)


_OK_NONE: Normalised[Any] = Normalised(None)
_OK_TRUE: Normalised[Any] = Normalised(True)
_OK_FALSE: Normalised[Any] = Normalised(False)


def flagged(value: T | None, code: str, note: str = "") -> Normalised[T]:
    """A value to load, with the data-quality flag ``code``."""
    return Normalised(value, flag=code, note=note)


def rejected(code: str, note: str = "", value: T | None = None) -> Normalised[T]:
    """A value that sends its row to quarantine with reason ``code``.

    ``value`` may carry what was found (e.g. the orphan key as given) for the caller's
    message; it is never loaded.
    """
    return Normalised(value, reason=code, note=note)


def is_missing(value: object) -> bool:
    """True for None and the NaN-like missing markers of frames (float NaN, NaT, pd.NA).

    Lets the normalisers take values straight from a pandas column without importing pandas.
    """
    if value is None:
        return True
    if isinstance(value, str):
        return False
    try:
        return bool(value != value)
    except TypeError:  # pd.NA: its comparisons are themselves NA
        return True
