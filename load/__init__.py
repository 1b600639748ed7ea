"""Load: write transformed rows into the new store, idempotently, with lineage and a ledger.

Public API (import from ``load``, not from its modules).
"""

from load.target_schema import (
    SCHEMAS,
    SQLITE_SCHEMA_MAP,
    Base,
    schema_translate_map,
    target_id,
    target_metadata,
    target_table,
)

__all__ = [
    "SCHEMAS",
    "SQLITE_SCHEMA_MAP",
    "Base",
    "schema_translate_map",
    "target_id",
    "target_metadata",
    "target_table",
]
