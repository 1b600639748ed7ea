"""Columns of a target row that another legacy table writes through ``updates``.

S_CONTACT_X completes the person built from S_CONTACT: those columns belong
to the extension row, not to the person's own legacy row. So an upsert of
the person (its S_CONTACT row changed) keeps them, and when the extension row
stops being loaded they are cleared again (only where that row set them,
``owner_column``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EXTENSIONS", "ExtensionColumns", "kept_on_upsert"]


@dataclass(frozen=True)
class ExtensionColumns:
    legacy_table: str
    target_table: str
    owner_column: str  # holds the ROW_ID of the extension row that set the columns
    columns: tuple[str, ...]


EXTENSIONS: tuple[ExtensionColumns, ...] = (
    ExtensionColumns(
        legacy_table="S_CONTACT_X",
        target_table="person",
        owner_column="extension_row_id",
        columns=(
            "has_safety_alert",
            "alert_text",
            "legacy_birth_date_text",
            "extension_row_id",
            "extension_source_hash",
        ),
    ),
)


def kept_on_upsert(target_table: str) -> frozenset[str]:
    """Columns an upsert of ``target_table`` never overwrites on an existing row."""
    return frozenset(c for e in EXTENSIONS if e.target_table == target_table for c in e.columns)
