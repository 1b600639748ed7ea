"""Siebel system columns for every synthetic row: CREATED <= LAST_UPD, known users, '0' conflicts."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from synthetic.timeline import AS_OF_END, moment_between

__all__ = ["SADMIN", "Stamper"]

SADMIN = "0-1"
_MAX_EDIT_SPAN = dt.timedelta(days=3 * 365)


class Stamper:
    """Builds the system columns of a row created at a given moment.

    ``users`` are the staff S_USER ROW_IDs that create and update rows; rows
    written by the 2012 conversion are created by SADMIN ('0-1').
    """

    def __init__(self, rng: random.Random, users: Sequence[str]) -> None:
        self._rng = rng
        self._users = list(users)

    def user(self) -> str:
        return self._rng.choice(self._users)

    def stamp(self, row_id: str, created: dt.datetime, *, by: str | None = None) -> dict[str, Any]:
        """System columns for a row created at ``created`` (clamped to the AS_OF day)."""
        rng = self._rng
        created = min(created.replace(microsecond=0), AS_OF_END)
        if rng.random() < 0.4:
            last_upd, mod_num = created, 0
        else:
            last_upd = moment_between(rng, created, min(created + _MAX_EDIT_SPAN, AS_OF_END))
            mod_num = rng.randint(1, 9) if last_upd > created else 0
        creator = by if by is not None else self.user()
        updater = creator if mod_num == 0 else self.user()
        return {
            "ROW_ID": row_id,
            "CREATED": created,
            "CREATED_BY": creator,
            "LAST_UPD": last_upd,
            "LAST_UPD_BY": updater,
            "MODIFICATION_NUM": mod_num,
            "CONFLICT_ID": "0",
            "DB_LAST_UPD": last_upd,
        }
