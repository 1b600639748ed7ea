"""Siebel-style ROW_IDs: base-36 ``1-APW7H`` keys, and ``1+2+XYZ`` keys of EIM bulk loads.

Every ROW_ID in the synthetic database comes from one :class:`RowIdAllocator`, so
keys are unique across all tables (as in Siebel) and an id taken with
:meth:`RowIdAllocator.nowhere` is guaranteed to exist in no table at all.

Ordinary ids have a fixed width of five base-36 digits, so allocation order,
string order and every engine's collation agree: a row allocated later has
the higher ROW_ID.
"""

from __future__ import annotations

import random

__all__ = ["BASE36", "RowIdAllocator", "base36"]

BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FIRST = int("10000", 36)  # the smallest five-digit base-36 number
_EIM_FIRST = int("100", 36)


def base36(number: int) -> str:
    """``number`` written in upper-case base 36 (``0`` for zero)."""
    if number < 0:
        raise ValueError("base36 needs a non-negative number")
    digits = []
    while True:
        number, rest = divmod(number, 36)
        digits.append(BASE36[rest])
        if number == 0:
            return "".join(reversed(digits))


class RowIdAllocator:
    """Hands out unique ROW_IDs in increasing order, with small random gaps (deleted rows)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._next = _FIRST + rng.randrange(36**3)
        self._eim: dict[int, int] = {}

    def next(self) -> str:
        """A new ordinary ROW_ID such as ``1-APW7H``."""
        value = self._next
        self._next += self._rng.randint(1, 4)
        return "1-" + base36(value)

    def eim(self, batch: int) -> str:
        """A ROW_ID written by an EIM bulk load of batch ``batch``, e.g. ``1+2+1K3``."""
        value = self._eim.get(batch, _EIM_FIRST)
        self._eim[batch] = value + self._rng.randint(1, 3)
        return f"1+{batch}+{base36(value)}"

    def nowhere(self) -> str:
        """A ROW_ID that is never written to any table (for orphans and dangling references)."""
        return self.next()
