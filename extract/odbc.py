"""A legacy source reached through a plain ODBC driver (pyodbc), for engines without a SQLAlchemy dialect.

Everything is learnt from the driver itself: the engine from ``SQLGetInfo``
(``SQL_DBMS_NAME``), identifier quoting from ``SQL_IDENTIFIER_QUOTE_CHAR``,
tables and columns from the catalog calls (``SQLTables`` / ``SQLColumns``).
A small per-engine profile then says how to limit a query, which collation
makes the key compare byte for byte, and how to make the session read-only:

=============  ================  ===================  ==============================================
engine         row limit         key collation        read-only
=============  ================  ===================  ==============================================
SQLite         ``LIMIT n``       (BINARY already)     ``PRAGMA query_only = ON``
PostgreSQL     ``LIMIT n``       ``COLLATE "C"`` (*)  ``SET SESSION CHARACTERISTICS ... READ ONLY``
MariaDB/MySQL  ``LIMIT n``       ``nopad_bin`` (*)    ``SET SESSION TRANSACTION READ ONLY``
Oracle         ``FETCH FIRST``   (BINARY by default)  ``SET TRANSACTION READ ONLY`` per transaction
SQL Server     ``TOP n``         ``Latin1_General_BIN2``  (a read-only login)
other          ``FETCH FIRST``   none                 (a read-only login)
=============  ================  ===================  ==============================================

(*) unless the key column's collation already is byte order (:mod:`extract.key_order`).

The SQLite ODBC driver cuts text at its first NUL character, so on SQLite text
columns are read as BLOBs and decoded. It also silently returns NULL for a DATETIME or NUMERIC value
it cannot parse, which would hide bad data; on SQLite, date and number
columns are therefore read as text (a REAL as its 15-significant-digit text,
as :mod:`extract.oracle` reads a float) and given their meaning above.

MariaDB Connector/ODBC cuts text at its first NUL too when it converts it to
UTF-16 (pyodbc's default for wide columns), so on MariaDB and MySQL text is read
in the driver's narrow form, as UTF-8 (tested: a NUL anywhere in a note,
characters outside the BMP). Its catalog calls list every database's tables
unless given one: they are given the connection's. Other drivers are not tested
here for NUL: check a note holding one before trusting a new driver.

For PostgreSQL, add ``UseDeclareFetch=1`` to the connection string so that
psqlODBC streams results through a cursor instead of buffering them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import pyodbc

from extract.catalog import BoundTable, Catalog, ColumnInfo
from extract.errors import SourceSchemaError, SourceUnavailable
from extract.failures import classify_failure
from extract.key_order import (
    MYSQL_COLUMN_COLLATION_SQL,
    PG_COLUMN_COLLATION_SQL,
    PG_DEFAULT_COLLATION_SQL,
    mysql_key_collation,
    postgres_key_is_bytewise,
)
from extract.legacy_schema import legacy_spec
from extract.sources import KEY_COLUMN, RowQuery

__all__ = ["OdbcSource"]

_TABLE_TYPES = {"TABLE", "BASE TABLE", "VIEW", "SYNONYM", "ALIAS"}
_TEXT_TYPES = {
    1,
    12,
    -1,
    -8,
    -9,
    -10,
    -11,
}  # CHAR, VARCHAR, LONGVARCHAR, WCHAR, WVARCHAR, WLONGVARCHAR, GUID
_DATETIME_TYPES = {
    9,
    11,
    91,
    93,
}  # DATETIME/DATE (ODBC 2), TIMESTAMP (ODBC 2), TYPE_DATE, TYPE_TIMESTAMP
_NUMBER_TYPES = {
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    -5,
    -6,
}  # NUMERIC, DECIMAL, INTEGER, SMALLINT, FLOAT, REAL, DOUBLE, BIGINT, TINYINT
_BINARY_TYPES = {-2, -3, -4}


@dataclass(frozen=True)
class _Profile:
    kind: str
    limit: str  # "limit" | "fetch" | "top"
    key_collation: str = ""
    on_connect: tuple[str, ...] = ()
    per_transaction: tuple[str, ...] = ()
    text_casts: bool = False
    utf8_text: bool = False
    """Read text as UTF-8 bytes (SQL_C_CHAR) rather than UTF-16 (SQL_C_WCHAR)."""
    catalog_is_database: bool = False
    """The catalog calls list every database's tables unless given the connection's."""


def _profile(dbms_name: str) -> _Profile:
    name = dbms_name.lower()
    if "sqlite" in name:
        return _Profile("sqlite", "limit", on_connect=("PRAGMA query_only = ON",), text_casts=True)
    if "postgres" in name:
        return _Profile(
            "postgresql",
            "limit",
            key_collation=' COLLATE "C"',
            on_connect=("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",),
        )
    if "mariadb" in name or "mysql" in name:
        kind = "mariadb" if "mariadb" in name else "mysql"
        return _Profile(
            kind,
            "limit",
            on_connect=("SET SESSION TRANSACTION READ ONLY",),
            utf8_text=True,
            catalog_is_database=True,
        )
    if "oracle" in name:
        return _Profile("oracle", "fetch", per_transaction=("SET TRANSACTION READ ONLY",))
    if "microsoft sql server" in name:
        return _Profile("mssql", "top", key_collation=" COLLATE Latin1_General_BIN2")
    return _Profile(name.replace(" ", "_") or "odbc", "fetch")


def _family(data_type: int) -> str:
    if data_type in _TEXT_TYPES:
        return "text"
    if data_type in _DATETIME_TYPES:
        return "datetime"
    if data_type in _NUMBER_TYPES:
        return "number"
    if data_type in _BINARY_TYPES:
        return "binary"
    return "other"


def _unhex(row: tuple[Any, ...], positions: tuple[int, ...]) -> tuple[Any, ...]:
    values = list(row)
    for i in positions:
        text = values[i]
        # hex() of NULL and of '' are both '': Oracle meaning makes both NULL anyway.
        raw = bytes.fromhex(text) if text else None
        try:
            values[i] = raw.decode("utf-8") if raw is not None else None
        except UnicodeDecodeError:
            values[i] = raw  # left as bytes: extract.oracle names the row and column
    return tuple(values)


class OdbcSource:
    """A legacy source on one ODBC connection string, e.g. ``DRIVER={SQLite3};Database=/path/x.sqlite``.

    Opens one connection lazily, read-only, and keeps it; a connection lost
    mid-run is dropped and reopened by the next call. Use as a context manager
    or call :meth:`close`.
    """

    def __init__(
        self, connection_string: str, *, schema: str | None = None, timeout: int = 15
    ) -> None:
        self._connection_string = connection_string
        self.schema = schema
        self._timeout = timeout
        self._conn: pyodbc.Connection | None = None
        self._profile: _Profile | None = None
        self._quote = '"'
        self._database: str | None = None  # the catalog calls' scope, where catalogs are databases
        self._catalog = Catalog(self._list_tables, self._list_columns, schema)
        self._bytewise: dict[str, bool] = {}
        self._mysql_collations: dict[str, str | None] = {}

    def __repr__(self) -> str:
        return f"OdbcSource({self.label!r})"

    def __enter__(self) -> OdbcSource:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def label(self) -> str:
        driver = next(
            (
                p.split("=", 1)[1]
                for p in self._connection_string.split(";")
                if p.strip().upper().startswith(("DRIVER=", "DSN="))
            ),
            "?",
        )
        return f"ODBC {driver.strip()}"

    @property
    def kind(self) -> str:
        self._connection(None)
        assert self._profile is not None
        return self._profile.kind

    def _connection(self, table: str | None) -> pyodbc.Connection:
        if self._conn is not None:
            return self._conn
        try:
            conn = pyodbc.connect(self._connection_string, autocommit=False, timeout=self._timeout)
        except pyodbc.Error as exc:
            raise classify_failure(
                exc, source=self.label, action="connecting", table=table
            ) from exc
        try:
            profile = _profile(str(conn.getinfo(pyodbc.SQL_DBMS_NAME)))
            quote = str(conn.getinfo(pyodbc.SQL_IDENTIFIER_QUOTE_CHAR) or "").strip()
            if profile.utf8_text:
                # MariaDB Connector/ODBC's UTF-16 conversion stops at the first NUL.
                conn.setdecoding(pyodbc.SQL_CHAR, encoding="utf-8")
                conn.setdecoding(pyodbc.SQL_WCHAR, encoding="utf-8")
                conn.setencoding(encoding="utf-8")
            if profile.catalog_is_database and self.schema is None:
                # MariaDB Connector/ODBC's SQLTables lists the tables of every database.
                self._database = str(conn.getinfo(pyodbc.SQL_DATABASE_NAME))
            cursor = conn.cursor()
            for statement in profile.on_connect:
                cursor.execute(statement)
            cursor.close()
            conn.commit()
        except pyodbc.Error as exc:
            conn.close()
            raise classify_failure(
                exc, source=self.label, action="connecting", table=table
            ) from exc
        self._conn, self._profile, self._quote = conn, profile, quote
        return conn

    @contextmanager
    def read_only_connection(
        self, *, table: str | None = None, action: str = "reading"
    ) -> Iterator[pyodbc.Connection]:
        """The source's connection for one transaction (read-only where the engine enforces it)."""
        conn = self._connection(table)
        assert self._profile is not None
        try:
            if self._profile.per_transaction:
                cursor = conn.cursor()
                for statement in self._profile.per_transaction:
                    cursor.execute(statement)
                cursor.close()
            yield conn
            conn.rollback()
        except pyodbc.Error as exc:
            failure = classify_failure(exc, source=self.label, action=action, table=table)
            self._rollback_or_drop(drop=isinstance(failure, SourceUnavailable))
            raise failure from exc
        except BaseException:
            self._rollback_or_drop(drop=False)
            raise

    def _rollback_or_drop(self, *, drop: bool) -> None:
        if self._conn is None:
            return
        if not drop:
            try:
                self._conn.rollback()
                return
            except pyodbc.Error:
                pass
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            with suppress(pyodbc.Error):
                self._conn.close()
            self._conn = None

    def _q(self, name: str) -> str:
        if not self._quote:
            return name
        return f"{self._quote}{name.replace(self._quote, self._quote * 2)}{self._quote}"

    def _list_tables(self) -> list[str]:
        with self.read_only_connection(action="listing its tables") as conn:
            rows = conn.cursor().tables(catalog=self._database, schema=self.schema).fetchall()
        return sorted({r.table_name for r in rows if str(r.table_type).upper() in _TABLE_TYPES})

    def _list_columns(self, table: str) -> list[ColumnInfo]:
        with self.read_only_connection(table=table, action="listing the columns") as conn:
            rows = [
                r
                for r in conn.cursor().columns(
                    table=table, catalog=self._database, schema=self.schema
                )
                if r.table_name == table
            ]
        schemas = sorted({str(r.table_schem) for r in rows if r.table_schem is not None})
        if len(schemas) > 1:
            raise SourceSchemaError(
                f"Legacy table {table!r} exists in several schemas {schemas}; name the schema of the source",
                table=table,
            )
        return [
            ColumnInfo(r.column_name, _family(int(r.data_type)), str(r.type_name)) for r in rows
        ]

    def bind(self, table: str) -> BoundTable:
        return self._catalog.bind(table)

    def _from(self, bound: BoundTable) -> str:
        name = self._q(bound.source_name)
        return f"{self._q(bound.schema)}.{name}" if bound.schema else name

    def _select_item(self, bound: BoundTable, column: str) -> str:
        assert self._profile is not None
        name = self._q(bound.source_column(column))
        if self._profile.text_casts:
            kind = legacy_spec()[bound.table].column(column).logical_type
            if kind == "date":
                return f"CAST({name} AS TEXT)"
            if kind == "number":
                return f"CASE WHEN typeof({name}) = 'real' THEN printf('%.15g', {name}) ELSE CAST({name} AS TEXT) END"
            # The driver hands text over as a C string, cutting it at the first NUL:
            # read the UTF-8 bytes as hex text instead (decoded in ``fetch``).
            return f"hex(CAST({name} AS BLOB))"
        return name

    def _key_collation(self, bound: BoundTable) -> str:
        assert self._profile is not None
        if self._profile.kind in ("mariadb", "mysql"):
            return self._mysql_key_collation(bound)
        if self._profile.kind != "postgresql" or not self._profile.key_collation:
            return self._profile.key_collation
        if bound.table not in self._bytewise:
            sql = PG_COLUMN_COLLATION_SQL.format(table="?", column="?", schema="CAST(? AS TEXT)")
            params = [bound.source_name, bound.source_column(KEY_COLUMN), bound.schema]
            with self.read_only_connection(table=bound.table) as conn:
                cursor = conn.cursor()
                row = cursor.execute(sql, params).fetchone()
                provider, locale = cursor.execute(PG_DEFAULT_COLLATION_SQL).fetchone()
                cursor.close()
            column = row[0] if row is not None else None
            self._bytewise[bound.table] = postgres_key_is_bytewise(column, provider, locale)
        return "" if self._bytewise[bound.table] else self._profile.key_collation

    def _mysql_key_collation(self, bound: BoundTable) -> str:
        assert self._profile is not None
        if bound.table not in self._mysql_collations:
            sql = MYSQL_COLUMN_COLLATION_SQL.format(table="?", column="?", schema="?")
            params = [bound.source_name, bound.source_column(KEY_COLUMN), bound.schema]
            with self.read_only_connection(table=bound.table) as conn:
                cursor = conn.cursor()
                row = cursor.execute(sql, params).fetchone()
                cursor.close()
            mariadb = self._profile.kind == "mariadb"
            self._mysql_collations[bound.table] = mysql_key_collation(
                bound.table, row, mariadb=mariadb
            )
        collation = self._mysql_collations[bound.table]
        return "" if collation is None else f" COLLATE {collation}"

    def _sql(self, query: RowQuery) -> tuple[str, list[Any]]:
        bound = self.bind(query.table)
        self._connection(query.table)
        assert self._profile is not None
        profile = self._profile
        key = self._q(bound.source_column(KEY_COLUMN)) + self._key_collation(bound)
        where: list[str] = []
        params: list[Any] = []
        if query.after is not None:
            where.append(f"{key} > ?")
            params.append(query.after)
        if query.keys is not None:
            if not query.keys:
                where.append("1 = 0")
            else:
                where.append(
                    f"{self._q(bound.source_column(query.key_column))} IN ({', '.join('?' * len(query.keys))})"
                )
                params.extend(query.keys)
        for column, value in query.equals:
            where.append(f"{self._q(bound.source_column(column))} = ?")
            params.append(value)
        if query.repeats is not None:
            col = self._q(bound.source_column(query.repeats))
            where.append(
                f"{col} IN (SELECT {col} FROM {self._from(bound)} WHERE {col} IS NOT NULL "
                f"GROUP BY {col} HAVING COUNT(*) > 1)"
            )
        items = ", ".join(self._select_item(bound, c) for c in query.columns)
        top = (
            f"TOP {int(query.limit)} " if query.limit is not None and profile.limit == "top" else ""
        )
        sql = f"SELECT {top}{items} FROM {self._from(bound)}"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {key}"
        if query.limit is not None and profile.limit == "limit":
            sql += f" LIMIT {int(query.limit)}"
        elif query.limit is not None and profile.limit == "fetch":
            sql += f" FETCH FIRST {int(query.limit)} ROWS ONLY"
        return sql, params

    def fetch(self, query: RowQuery) -> list[tuple[Any, ...]]:
        sql, params = self._sql(query)
        with self.read_only_connection(table=query.table) as conn:
            cursor = conn.cursor()
            cursor.execute(sql, params)
            rows = [tuple(row) for row in cursor.fetchall()]
            cursor.close()
        hexed = self._hexed_positions(query)
        if hexed:
            rows = [_unhex(row, hexed) for row in rows]
        return rows

    def _hexed_positions(self, query: RowQuery) -> tuple[int, ...]:
        """Positions of the columns read as hex text (text columns on SQLite)."""
        if self._profile is None or not self._profile.text_casts:
            return ()
        spec = legacy_spec()[query.table]
        return tuple(i for i, c in enumerate(query.columns) if spec.column(c).is_text)

    def count(self, table: str) -> int:
        bound = self.bind(table)
        with self.read_only_connection(table=table) as conn:
            cursor = conn.cursor()
            value = cursor.execute(f"SELECT COUNT(*) FROM {self._from(bound)}").fetchone()[0]
            cursor.close()
        return int(value)
