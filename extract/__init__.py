"""Extract: read the legacy ICM database, streaming and read-only.

Public API (import from ``extract``, not from its modules).
"""

from extract.legacy_schema import (
    LEGACY_TABLE_NAMES,
    ColumnSpec,
    LegacyTableSpec,
    create_legacy_schema,
    legacy_metadata,
    legacy_spec,
    legacy_table,
    pick_lists,
)

__all__ = [
    "LEGACY_TABLE_NAMES",
    "ColumnSpec",
    "LegacyTableSpec",
    "create_legacy_schema",
    "legacy_metadata",
    "legacy_spec",
    "legacy_table",
    "pick_lists",
]
