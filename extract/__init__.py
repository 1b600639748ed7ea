"""Extract: read the legacy ICM database, streaming and read-only.

Public API (import from ``extract``, not from its modules).

* Sources: :class:`LegacySource` (the port), :class:`SqlAlchemySource` /
  :func:`source_from_engine` (any SQLAlchemy engine), :class:`OdbcSource`
  (a plain ODBC connection string); :func:`read_only_url` for SQLite URLs.
* :func:`check_source`: the source against the contract.
* :func:`read_batches` (keyset batches of :class:`ExtractedBatch`),
  :func:`count_rows`, :func:`read_keys`, :func:`read_columns`.
* Lookups: :func:`read_code_lists`, :func:`read_user_ids`,
  :func:`read_merge_map`, :func:`read_rows_by_key`, :func:`read_rows_where_in`,
  :func:`read_rows_where_key_repeats`.
* :func:`canonical_row` / :func:`source_hash`; :func:`oracle_value`.
* Errors: see :mod:`extract.errors` for the tree.
"""

from extract.batches import (
    HASH_COLUMN,
    ExtractedBatch,
    count_rows,
    read_batches,
    read_columns,
    read_keys,
)
from extract.canonical import canonical_row, canonical_value, source_hash
from extract.catalog import BoundTable, ColumnInfo
from extract.check import check_source
from extract.errors import (
    ExtractError,
    SourceConfigError,
    SourceKeyOrderError,
    SourceQueryError,
    SourceSchemaError,
    SourceUnavailable,
    SourceValueError,
    TerminalExtractError,
    TransientExtractError,
)
from extract.legacy_schema import (
    LEGACY_TABLE_NAMES,
    SYSTEM_COLUMNS,
    ColumnSpec,
    LegacyTableSpec,
    create_legacy_schema,
    legacy_metadata,
    legacy_spec,
    legacy_table,
    pick_lists,
)
from extract.lookups import (
    MERGE_OPERATION,
    read_code_lists,
    read_merge_map,
    read_rows_by_key,
    read_rows_where_in,
    read_rows_where_key_repeats,
    read_user_ids,
)
from extract.odbc import OdbcSource
from extract.oracle import oracle_value
from extract.sources import (
    KEY_COLUMN,
    LegacySource,
    RowQuery,
    SqlAlchemySource,
    read_only_url,
    source_from_engine,
)

__all__ = [
    "HASH_COLUMN",
    "KEY_COLUMN",
    "LEGACY_TABLE_NAMES",
    "MERGE_OPERATION",
    "SYSTEM_COLUMNS",
    "BoundTable",
    "ColumnInfo",
    "ColumnSpec",
    "ExtractError",
    "ExtractedBatch",
    "LegacySource",
    "LegacyTableSpec",
    "OdbcSource",
    "RowQuery",
    "SourceConfigError",
    "SourceKeyOrderError",
    "SourceQueryError",
    "SourceSchemaError",
    "SourceUnavailable",
    "SourceValueError",
    "SqlAlchemySource",
    "TerminalExtractError",
    "TransientExtractError",
    "canonical_row",
    "canonical_value",
    "check_source",
    "count_rows",
    "create_legacy_schema",
    "legacy_metadata",
    "legacy_spec",
    "legacy_table",
    "oracle_value",
    "pick_lists",
    "read_batches",
    "read_code_lists",
    "read_columns",
    "read_keys",
    "read_merge_map",
    "read_only_url",
    "read_rows_by_key",
    "read_rows_where_in",
    "read_rows_where_key_repeats",
    "read_user_ids",
    "source_from_engine",
    "source_hash",
]
