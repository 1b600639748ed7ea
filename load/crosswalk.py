"""The steward's crosswalk (``ref.code_crosswalk``): every legacy spelling of a code."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from load.errors import TerminalLoadError
from load.target_schema import target_table
from load.transaction import write_transaction
from load.upsert import upsert_rows

__all__ = ["CrosswalkRow", "seed_crosswalk"]

CROSSWALK = target_table("ref.code_crosswalk")
CrosswalkRow = tuple[str, str, str, str | None]  # code_set, legacy_value, code, note
_COLUMNS = ("code_set", "legacy_value", "code", "note")


def seed_crosswalk(engine: sa.Engine, rows: Iterable[CrosswalkRow]) -> int:
    """Upsert crosswalk rows on (code_set, legacy_value); returns the rows inserted or changed.

    Seeding the same rows again changes nothing. One legacy value mapped to two
    different codes is refused (nothing is written).
    """
    unique: dict[tuple[str, str], CrosswalkRow] = {}
    for code_set, legacy_value, code, note in rows:
        row = (code_set, legacy_value, code, note)
        other = unique.setdefault((code_set, legacy_value), row)
        if other != row:
            raise TerminalLoadError(
                f"one legacy value of code set {code_set} is mapped twice", table="code_crosswalk"
            )
    with write_transaction(engine) as conn:
        return upsert_rows(
            conn,
            CROSSWALK,
            _COLUMNS,
            list(unique.values()),
            conflict=("code_set", "legacy_value"),
            update=("code", "note"),
            changed_when=("code", "note"),
        )
