"""Strict pandera schemas of the target tables, and the frame builder/validator."""

from transform.schemas.columns import LINEAGE_COLUMNS
from transform.schemas.tables import (
    BINARY_STATUSES,
    ID_TYPES,
    RECORD_STATUSES,
    TARGET_SCHEMAS,
    UPDATE_SCHEMAS,
    schema_of,
)
from transform.schemas.validation import SchemaFailure, build_frame, empty_frame, schema_failures

__all__ = [
    "BINARY_STATUSES",
    "ID_TYPES",
    "LINEAGE_COLUMNS",
    "RECORD_STATUSES",
    "TARGET_SCHEMAS",
    "UPDATE_SCHEMAS",
    "SchemaFailure",
    "build_frame",
    "empty_frame",
    "schema_failures",
    "schema_of",
]
