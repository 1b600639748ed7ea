"""Ids of target rows, derived from legacy keys.

A re-run computes the same id, and a link to a parent is resolved without
asking the database: the id of the person built from S_CONTACT '1-ABC' is
``target_id("S_CONTACT", "1-ABC")`` wherever it is referred to.
"""

from __future__ import annotations

import uuid

__all__ = ["ID_NAMESPACE", "target_id"]

# Fixed namespace for ids derived from legacy keys: never change it.
ID_NAMESPACE = uuid.UUID("6f0c3a52-6c1e-4d55-9a53-3b0f0d1f7a11")


def target_id(legacy_table: str, legacy_row_id: str, part: str = "") -> uuid.UUID:
    """Deterministic id of the target row built from one legacy row (and ``part``, if several)."""
    key = f"{legacy_table}\x1f{legacy_row_id}" + (f"\x1f{part}" if part else "")
    return uuid.uuid5(ID_NAMESPACE, key)
