"""Whether PostgreSQL already orders a key column byte for byte, so ``COLLATE "C"`` can be left out.

``ROW_ID COLLATE "C" > :after ORDER BY ROW_ID COLLATE "C"`` is always right,
but PostgreSQL cannot use the primary-key index for it unless the column's
own collation is ``"C"``: each batch becomes a scan and a top-N sort of the
whole table (50 ms instead of 1 ms per batch at 300k rows, growing with the
table). When the column's collation (or the database default it inherits) is
already byte order, the clause is left out and the index serves the batch.
Any mistake here cannot lose rows: :mod:`extract.batches` checks every page's
key order and raises ``SourceKeyOrderError``.
"""

from __future__ import annotations

__all__ = ["PG_COLUMN_COLLATION_SQL", "PG_DEFAULT_COLLATION_SQL", "postgres_key_is_bytewise"]

# Parameters: table, column, schema (NULL: the current schema). NULL result: the database default.
PG_COLUMN_COLLATION_SQL = (
    "SELECT collation_name FROM information_schema.columns "
    "WHERE table_name = {table} AND column_name = {column} "
    "AND table_schema = COALESCE({schema}, current_schema())"
)
# The default collation's provider (NULL before PostgreSQL 15: libc) and locale.
PG_DEFAULT_COLLATION_SQL = (
    "SELECT to_jsonb(d) ->> 'datlocprovider', datcollate FROM pg_database d "
    "WHERE datname = current_database()"
)
_BYTEWISE_LOCALES = {"C", "POSIX", "C.UTF-8", "C.utf8"}


def postgres_key_is_bytewise(
    column_collation: str | None, provider: str | None, default_locale: str | None
) -> bool:
    """True when a column with ``column_collation`` (None: the default) compares byte for byte."""
    if column_collation is not None and column_collation != "default":
        return column_collation in ("C", "POSIX", "ucs_basic")
    return provider in (None, "c") and default_locale in _BYTEWISE_LOCALES
