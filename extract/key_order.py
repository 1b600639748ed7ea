"""Whether a key column already compares byte for byte, and which collation makes it do so.

PostgreSQL:
``ROW_ID COLLATE "C" > :after ORDER BY ROW_ID COLLATE "C"`` is always right,
but PostgreSQL cannot use the primary-key index for it unless the column's
own collation is ``"C"``: each batch becomes a scan and a top-N sort of the
whole table (50 ms instead of 1 ms per batch at 300k rows, growing with the
table). When the column's collation (or the database default it inherits) is
already byte order, the clause is left out and the index serves the batch.

MariaDB/MySQL: a column in a linguistic collation (the server default, such as
``utf8mb4_general_ci`` or ``utf8mb4_uca1400_ai_ci``) orders '1-a' before
'1-B', and a PAD SPACE one ('..._bin') ignores trailing blanks: such a key is
compared and ordered with ``<charset>_nopad_bin`` (MariaDB) or
``utf8mb4_0900_bin`` (MySQL). No index serves that either: each batch sorts
the table, and the source logs a warning once per table.

Any mistake here cannot lose rows: :mod:`extract.batches` checks every page's
key order and raises ``SourceKeyOrderError``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

__all__ = [
    "MYSQL_COLUMN_COLLATION_SQL",
    "PG_COLUMN_COLLATION_SQL",
    "PG_DEFAULT_COLLATION_SQL",
    "mysql_key_collation",
    "postgres_key_is_bytewise",
]

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
_log = logging.getLogger("icm.extract")
_BYTEWISE_LOCALES = {"C", "POSIX", "C.UTF-8", "C.utf8"}


def postgres_key_is_bytewise(
    column_collation: str | None, provider: str | None, default_locale: str | None
) -> bool:
    """True when a column with ``column_collation`` (None: the default) compares byte for byte."""
    if column_collation is not None and column_collation != "default":
        return column_collation in ("C", "POSIX", "ucs_basic")
    return provider in (None, "c") and default_locale in _BYTEWISE_LOCALES


# Parameters: table, column, schema (NULL: the connection's database).
MYSQL_COLUMN_COLLATION_SQL = (
    "SELECT CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLUMNS "
    "WHERE TABLE_NAME = {table} AND COLUMN_NAME = {column} "
    "AND TABLE_SCHEMA = COALESCE({schema}, DATABASE())"
)


def mysql_key_collation(
    table: str, catalog_row: Sequence[Any] | None, *, mariadb: bool
) -> str | None:
    """The collation to compare a MariaDB/MySQL key column with, from its
    :data:`MYSQL_COLUMN_COLLATION_SQL` row (character set, collation); None where its own is
    byte order already (or no byte-order collation of its character set is known: the page
    check then refuses a key out of order). Logs once, naming ``table``, when it is not None."""
    charset, own = (catalog_row[0], catalog_row[1]) if catalog_row is not None else (None, None)
    if not charset or not own or _is_mysql_bytewise(str(own)):
        return None
    if mariadb:
        collation = f"{str(charset).lower()}_nopad_bin"
    elif str(charset).lower() == "utf8mb4":
        collation = "utf8mb4_0900_bin"
    else:
        return None
    _log.warning(
        "%s: ROW_ID is in collation %s, not byte order, so each batch is read with COLLATE %s, "
        "which no index serves: each batch sorts the table (a copy of the source with ROW_ID "
        "in %s reads faster)",
        table,
        own,
        collation,
        collation,
    )
    return collation


def _is_mysql_bytewise(collation: str) -> bool:
    collation = collation.lower()
    return collation.endswith("_nopad_bin") or collation in ("binary", "utf8mb4_0900_bin")
