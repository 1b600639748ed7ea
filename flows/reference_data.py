"""Reference data every batch needs: the legacy pick lists and the steward's crosswalk.

The crosswalk is data kept in the repository (``transform/data/crosswalk.csv``:
code_set, legacy_value, code, note); stewards extend it when a report shows
an ``UNMAPPED_CODE`` that is really an old spelling.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import transform

__all__ = ["load_code_entries", "load_crosswalk_rows"]


def load_crosswalk_rows() -> list[tuple[str, str, str, str | None]]:
    """The crosswalk CSV shipped with the transform package, as (code_set, legacy_value, code, note)."""
    text = resources.files("transform").joinpath("data", "crosswalk.csv").read_text("utf-8")
    rows = []
    for number, rec in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        code_set, legacy_value, code = rec.get("code_set"), rec.get("legacy_value"), rec.get("code")
        if not code_set or legacy_value is None or not code:
            raise ValueError(
                f"transform/data/crosswalk.csv line {number}: code_set, legacy_value and code are required"
            )
        rows.append((code_set, legacy_value, code, rec.get("note") or None))
    return rows


def load_code_entries(
    lov_rows: Iterable[Mapping[str, Any]],
) -> dict[tuple[str, str], transform.CodeEntry]:
    """S_LST_OF_VAL value rows keyed (list type, display value); an active row wins over a retired one."""
    entries: dict[tuple[str, str], transform.CodeEntry] = {}
    for row in lov_rows:
        list_type, code, value = row.get("TYPE"), row.get("NAME"), row.get("VAL")
        if list_type in (None, "LOV_TYPE") or code is None or value is None:
            continue
        entry = transform.CodeEntry(
            code_set=str(list_type),
            code=str(code),
            display_value=str(value),
            is_active=row.get("ACTIVE_FLG") == "Y",
        )
        key = (entry.code_set, entry.display_value)
        if key not in entries or (entry.is_active and not entries[key].is_active):
            entries[key] = entry
    return entries
