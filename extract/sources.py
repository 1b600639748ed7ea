"""Where legacy rows come from: the :class:`LegacySource` port and its SQLAlchemy adapter.

A source answers a handful of plain queries (:class:`RowQuery`) with raw
driver values; everything else (Oracle meaning, hashing, batching) is done
once, above it, the same for every source. Two adapters exist:

* :class:`SqlAlchemySource` for any SQLAlchemy engine (SQLite, PostgreSQL,
  MariaDB through ``mysql+pyodbc`` or ``mysql+pymysql``, Oracle, ...);
* :class:`extract.odbc.OdbcSource` for an engine reached only through ODBC.

Keys: rows are always ordered by ROW_ID byte for byte, and keyset paging
compares in the same order. SQLite's BINARY collation and MariaDB's
``utf8mb4_nopad_bin`` are byte order already; on PostgreSQL the key is
compared and ordered with ``COLLATE "C"`` unless its collation already is
byte order, on MariaDB/MySQL with a ``nopad_bin`` collation unless it already
is one (:mod:`extract.key_order`).

Read-only: every connection a source uses refuses writes where the engine
can enforce it, for as long as the source holds it. SQLite: ``PRAGMA
query_only``; PostgreSQL: every transaction begins READ ONLY (SQLAlchemy's
``postgresql_readonly``); MariaDB/MySQL: ``SET SESSION TRANSACTION READ
ONLY``; Oracle: ``SET TRANSACTION READ ONLY``. The connection is rolled back
and reset before it returns to the caller's pool, so the engine is not
altered for anyone else.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import sqlalchemy as sa

from extract.catalog import BoundTable, Catalog, ColumnInfo
from extract.failures import classify_failure
from extract.key_order import (
    MYSQL_COLUMN_COLLATION_SQL,
    PG_COLUMN_COLLATION_SQL,
    PG_DEFAULT_COLLATION_SQL,
    mysql_key_collation,
    postgres_key_is_bytewise,
)

_log = logging.getLogger("icm.extract")

__all__ = [
    "KEY_COLUMN",
    "LegacySource",
    "RowQuery",
    "SqlAlchemySource",
    "read_only_url",
    "source_from_engine",
]

KEY_COLUMN = "ROW_ID"
# Collation that makes the key compare byte for byte, where the default may not.
_KEY_COLLATION = {"postgresql": "C", "mssql": "Latin1_General_BIN2"}


@dataclass(frozen=True)
class RowQuery:
    """One bounded read of a legacy table, in contract names; rows come ordered by ROW_ID.

    * ``after``: only rows whose ROW_ID sorts after this key (keyset paging);
    * ``limit``: at most this many rows;
    * ``keys``: only rows whose ``key_column`` (ROW_ID unless said) is one of these;
    * ``equals``: only rows where each column equals the text given;
    * ``repeats``: only rows whose value in this column is not NULL and occurs
      more than once in the table.
    """

    table: str
    columns: tuple[str, ...]
    after: str | None = None
    limit: int | None = None
    keys: tuple[str, ...] | None = None
    key_column: str = KEY_COLUMN
    equals: tuple[tuple[str, str], ...] = ()
    repeats: str | None = None


@runtime_checkable
class LegacySource(Protocol):
    """A read-only legacy database. Raises only :class:`extract.errors.ExtractError`."""

    @property
    def kind(self) -> str:
        """The engine: 'sqlite', 'postgresql', 'mariadb', 'mysql', 'oracle', ..."""
        ...

    def bind(self, table: str) -> BoundTable:
        """The contract table bound to the source's catalog (raises ``SourceSchemaError``)."""
        ...

    def fetch(self, query: RowQuery) -> list[tuple[Any, ...]]:
        """Raw driver values of ``query.columns`` for the matching rows, ordered by ROW_ID."""
        ...

    def count(self, table: str) -> int:
        """The number of rows in ``table``."""
        ...

    def close(self) -> None:
        """Release connections (the source may be used again afterwards)."""
        ...


def read_only_url(url: str) -> str:
    """``url`` opened read-only where the URL can say so: SQLite's ``mode=ro`` URI.

    A read-only SQLite URL also refuses to create a missing file (which plain
    ``sqlite:///missing.db`` silently does). Other URLs are returned unchanged:
    their sessions are made read-only on each connection instead.
    """
    parsed = sa.make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return url
    if parsed.query.get("mode") == "ro":
        return url
    database = parsed.database if parsed.database.startswith("file:") else f"file:{parsed.database}"
    query = {**parsed.query, "mode": "ro", "uri": "true"}
    return parsed.set(database=database, query=query).render_as_string(hide_password=False)


def _family(sa_type: sa.types.TypeEngine[Any]) -> str:
    if isinstance(sa_type, sa.types.NullType):
        return "unknown"
    if isinstance(sa_type, sa.DateTime | sa.Date):
        return "datetime"
    if isinstance(sa_type, sa.Numeric | sa.Integer):
        return "number"
    if isinstance(sa_type, sa.String):
        return "text"
    if isinstance(sa_type, sa.LargeBinary | sa.types._Binary):
        return "binary"
    return "other"


def _type_name(sa_type: sa.types.TypeEngine[Any], dialect: sa.Dialect) -> str:
    try:
        return str(sa_type.compile(dialect=dialect))
    except Exception:
        return type(sa_type).__name__


class SqlAlchemySource:
    """A legacy source on any SQLAlchemy engine. The engine is only ever read."""

    def __init__(self, engine: sa.Engine, *, schema: str | None = None) -> None:
        self.engine = engine
        self.schema = schema
        self._kind: str | None = None
        self._catalog = Catalog(self._list_tables, self._list_columns, schema)
        self._bytewise: dict[str, bool] = {}
        self._mysql_collations: dict[str, str | None] = {}

    def __repr__(self) -> str:
        return f"SqlAlchemySource({self.engine.url.render_as_string(hide_password=True)!r})"

    @property
    def kind(self) -> str:
        if self._kind is None:
            with self.read_only_connection():
                pass
        assert self._kind is not None
        return self._kind

    @property
    def label(self) -> str:
        return f"{self.engine.dialect.name} database {self.engine.url.database!r}"

    @contextmanager
    def read_only_connection(
        self, *, table: str | None = None, action: str = "reading"
    ) -> Iterator[sa.Connection]:
        """A pooled connection on which every transaction is read-only; rolled back and reset at the end."""
        try:
            conn = self.engine.connect()
        except sa.exc.SQLAlchemyError as exc:
            raise classify_failure(
                exc, source=self.label, action="connecting", table=table
            ) from exc
        try:
            if self._kind is None:
                is_mariadb = getattr(conn.dialect, "is_mariadb", False)
                self._kind = "mariadb" if is_mariadb else conn.dialect.name
            yield self._make_read_only(conn)
        except sa.exc.SQLAlchemyError as exc:
            raise classify_failure(exc, source=self.label, action=action, table=table) from exc
        finally:
            self._release(conn)

    @staticmethod
    def _make_read_only(conn: sa.Connection) -> sa.Connection:
        """Refuse writes on ``conn`` for as long as it is checked out (even after a commit)."""
        dialect = conn.dialect.name
        if dialect == "sqlite":
            conn.exec_driver_sql("PRAGMA query_only = ON")
        elif dialect == "postgresql" and hasattr(conn.dialect, "set_readonly"):
            # Every transaction begins READ ONLY; SQLAlchemy resets it when the connection returns to the pool.
            conn = conn.execution_options(postgresql_readonly=True)
        elif dialect in ("postgresql", "oracle"):
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        elif dialect in ("mysql", "mariadb"):
            conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
            conn.exec_driver_sql("START TRANSACTION READ ONLY")
        return conn

    @staticmethod
    def _release(conn: sa.Connection) -> None:
        try:
            conn.rollback()
            dialect = conn.dialect.name
            if dialect == "sqlite":
                conn.exec_driver_sql("PRAGMA query_only = OFF")
            elif dialect in ("mysql", "mariadb"):
                conn.exec_driver_sql("SET SESSION TRANSACTION READ WRITE")
            conn.rollback()
        except sa.exc.SQLAlchemyError:
            conn.invalidate()
        finally:
            conn.close()

    def _list_tables(self) -> list[str]:
        with self.read_only_connection(action="listing its tables") as conn:
            inspector = sa.inspect(conn)
            names = inspector.get_table_names(schema=self.schema)
            return [*names, *inspector.get_view_names(schema=self.schema)]

    def _list_columns(self, table: str) -> list[ColumnInfo]:
        with self.read_only_connection(table=table, action="listing the columns") as conn:
            columns = sa.inspect(conn).get_columns(table, schema=self.schema)
            return [
                ColumnInfo(c["name"], _family(c["type"]), _type_name(c["type"], conn.dialect))
                for c in columns
            ]

    def bind(self, table: str) -> BoundTable:
        return self._catalog.bind(table)

    def _table(self, bound: BoundTable) -> sa.TableClause:
        columns: list[sa.ColumnClause[Any]] = [
            sa.column(info.name) for info in bound.columns.values()
        ]
        return sa.table(bound.source_name, *columns, schema=bound.schema)

    def _ordered_key(self, bound: BoundTable, key: sa.ColumnClause[Any]) -> sa.ColumnElement[Any]:
        """The key as compared and ordered: with a byte-order collation where the column lacks one."""
        dialect = self.engine.dialect.name
        if dialect in ("mysql", "mariadb"):
            if bound.table not in self._mysql_collations:
                self._mysql_collations[bound.table] = self._mysql_key_collation(bound)
            mysql_collation = self._mysql_collations[bound.table]
            return key if mysql_collation is None else key.collate(mysql_collation)
        collation = _KEY_COLLATION.get(dialect)
        if collation is None:
            return key
        if dialect == "postgresql":
            if bound.table not in self._bytewise:
                self._bytewise[bound.table] = self._postgres_bytewise(bound)
                if not self._bytewise[bound.table]:
                    _log.warning(
                        "%s: ROW_ID is not in a byte-order collation, so each batch is read with "
                        'COLLATE "C", which only an index on ("ROW_ID" COLLATE "C") serves; '
                        "without one each batch scans the table",
                        bound.table,
                    )
            if self._bytewise[bound.table]:
                return key
        return key.collate(collation)

    def _postgres_bytewise(self, bound: BoundTable) -> bool:
        column_sql = PG_COLUMN_COLLATION_SQL.format(
            table=":table", column=":column", schema=":schema"
        )
        params = {
            "table": bound.source_name,
            "column": bound.source_column(KEY_COLUMN),
            "schema": bound.schema,
        }
        with self.read_only_connection(table=bound.table) as conn:
            column = conn.execute(sa.text(column_sql), params).scalar()
            provider, locale = conn.execute(sa.text(PG_DEFAULT_COLLATION_SQL)).one()
        return postgres_key_is_bytewise(column, provider, locale)

    def _mysql_key_collation(self, bound: BoundTable) -> str | None:
        sql = MYSQL_COLUMN_COLLATION_SQL.format(table=":table", column=":column", schema=":schema")
        params = {
            "table": bound.source_name,
            "column": bound.source_column(KEY_COLUMN),
            "schema": bound.schema,
        }
        with self.read_only_connection(table=bound.table) as conn:
            row = conn.execute(sa.text(sql), params).first()
        mariadb = bool(getattr(self.engine.dialect, "is_mariadb", False))
        return mysql_key_collation(bound.table, row, mariadb=mariadb)

    def _statement(self, query: RowQuery) -> sa.Select[Any]:
        bound = self.bind(query.table)
        table = self._table(bound)
        col = {name: table.c[bound.source_column(name)] for name in bound.columns}
        key = col[KEY_COLUMN]
        ordered_key = self._ordered_key(bound, key)
        stmt = sa.select(*(col[c] for c in query.columns))
        if query.after is not None:
            stmt = stmt.where(ordered_key > query.after)
        if query.keys is not None:
            stmt = stmt.where(col[query.key_column].in_(query.keys))
        for column, value in query.equals:
            stmt = stmt.where(col[column] == value)
        if query.repeats is not None:
            inner_table = self._table(bound).alias("repeats")
            inner = inner_table.c[bound.source_column(query.repeats)]
            repeated = (
                sa.select(inner)
                .where(inner.is_not(None))
                .group_by(inner)
                .having(sa.func.count() > 1)
            )
            stmt = stmt.where(col[query.repeats].in_(repeated))
        stmt = stmt.order_by(ordered_key)
        if query.limit is not None:
            stmt = stmt.limit(query.limit)
        return stmt

    def fetch(self, query: RowQuery) -> list[tuple[Any, ...]]:
        stmt = self._statement(query)
        with self.read_only_connection(table=query.table) as conn:
            # One fetchall, not a driver fetchone per row (psycopg's costs microseconds each).
            return list(map(tuple, conn.execute(stmt).all()))

    def count(self, table: str) -> int:
        bound = self.bind(table)
        stmt = sa.select(sa.func.count()).select_from(self._table(bound))
        with self.read_only_connection(table=table) as conn:
            return int(conn.execute(stmt).scalar_one())

    def close(self) -> None:
        self.engine.dispose()


def source_from_engine(engine: sa.Engine, *, schema: str | None = None) -> SqlAlchemySource:
    """The legacy source reading ``engine`` (built by flows), optionally in ``schema``."""
    return SqlAlchemySource(engine, schema=schema)
