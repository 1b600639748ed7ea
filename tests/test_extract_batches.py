"""Keyset streaming: bounded batches, no OFFSET, byte order whatever the column's collation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from test_extract_errors import recreate_table
from test_extract_sources import insert_rows, legacy_database, open_source

import extract
from extract.catalog import BoundTable
from extract.key_order import PG_DEFAULT_COLLATION_SQL, postgres_key_is_bytewise

ROWS = 20_000
BATCH = 500


class RecordingSource:
    """A real source, wrapped: records every query and how many rows it returned."""

    def __init__(self, inner: extract.LegacySource) -> None:
        self.inner = inner
        self.fetched: list[tuple[extract.RowQuery, int]] = []

    @property
    def kind(self) -> str:
        return self.inner.kind

    def bind(self, table: str) -> BoundTable:
        return self.inner.bind(table)

    def fetch(self, query: extract.RowQuery) -> list[tuple[Any, ...]]:
        rows = self.inner.fetch(query)
        self.fetched.append((query, len(rows)))
        return rows

    def count(self, table: str) -> int:
        return self.inner.count(table)

    def close(self) -> None:
        self.inner.close()


def user_keys(
    source: extract.LegacySource, *, batch_size: int, after: str | None = None
) -> list[str]:
    """The S_USER ROW_IDs read in batches of ``batch_size`` after ``after``, in the order read."""
    batches = extract.read_batches(source, "S_USER", batch_size=batch_size, after=after)
    return [k for b in batches for k in b.frame["ROW_ID"]]


def load_many(engine: sa.Engine) -> None:
    t0 = dt.datetime(2015, 1, 1)
    insert_rows(
        engine,
        "S_CASE",
        [
            {"ROW_ID": f"1-{i:06X}", "CREATED": t0 + dt.timedelta(minutes=i), "NAME": f"case {i}"}
            for i in range(ROWS)
        ],
    )


@pytest.mark.parametrize("kind", ["sqlite-sa", "sqlite-odbc"])
def test_twenty_thousand_rows_stream_in_bounded_batches(kind: str, tmp_path: Path) -> None:
    with legacy_database("sqlite", tmp_path, load_many) as url:
        inner = open_source(kind, url)
        statements: list[tuple[str, Any]] = []
        if isinstance(inner, extract.SqlAlchemySource):
            sa.event.listen(
                inner.engine, "before_cursor_execute", lambda *a: statements.append((a[2], a[3]))
            )
        source = RecordingSource(inner)
        assert isinstance(source, extract.LegacySource)
        sizes, last = [], None
        for batch in extract.read_batches(source, "S_CASE", batch_size=BATCH):
            sizes.append(len(batch.frame))
            assert last is None or batch.frame["ROW_ID"].iloc[0] > last
            last = batch.last_key
        assert sum(sizes) == ROWS == extract.count_rows(source, "S_CASE")
        assert max(sizes) == BATCH and len(sizes) == ROWS // BATCH
        assert all(q.limit == BATCH and n <= BATCH for q, n in source.fetched)
        assert last == f"1-{ROWS - 1:06X}"
        selects = [
            (s, p)
            for s, p in statements
            if s.lstrip().upper().startswith("SELECT") and "S_CASE" in s
        ]
        if isinstance(inner, extract.SqlAlchemySource):
            # Keyset, never a growing OFFSET (SQLAlchemy's SQLite dialect always appends OFFSET 0).
            assert len(selects) == ROWS // BATCH + 2  # + the empty last page + the count
            for statement, params in selects:
                if "LIMIT" in statement:
                    assert "OFFSET" not in statement or params[-1] == 0
        source.close()


KEYS = ["1-B", "1-a", "1-ABC9", "1-abc9", "1_X", "1-Z", "1-10", "1-9", "1-ä"]
BYTE_ORDER = sorted(KEYS, key=lambda k: k.encode("utf-8"))


@pytest.mark.parametrize("kind", ["postgresql-sa", "postgresql-odbc"])
def test_postgresql_orders_keys_bytewise_under_a_linguistic_column_collation(
    kind: str, tmp_path: Path
) -> None:
    def load(engine: sa.Engine) -> None:
        recreate_table(engine, "S_USER", types={"ROW_ID": sa.String(15, collation="en-x-icu")})
        insert_rows(engine, "S_USER", [{"ROW_ID": k} for k in KEYS])
        with engine.connect() as conn:
            linguistic = [
                r[0]
                for r in conn.execute(sa.text('SELECT "ROW_ID" FROM "S_USER" ORDER BY "ROW_ID"'))
            ]
        assert linguistic != BYTE_ORDER  # the collation really orders otherwise

    with legacy_database("postgresql", tmp_path, load) as url:
        source = open_source(kind, url)
        for size in (1, 2, 7):
            assert user_keys(source, batch_size=size) == BYTE_ORDER
        tail = user_keys(source, batch_size=2, after="1-Z")
        assert tail == [k for k in BYTE_ORDER if k.encode() > b"1-Z"]
        source.close()


@pytest.mark.parametrize("kind", ["sqlite-sa", "sqlite-odbc"])
def test_a_collation_out_of_byte_order_is_refused(kind: str, tmp_path: Path) -> None:
    """SQLite: a NOCASE key is not read with another collation; the page check refuses it."""

    def load(engine: sa.Engine) -> None:
        recreate_table(engine, "S_USER", types={"ROW_ID": sa.String(15, collation="NOCASE")})
        insert_rows(engine, "S_USER", [{"ROW_ID": k} for k in ("1-B", "1-a", "1-C")])

    with legacy_database("sqlite", tmp_path, load) as url:
        source = open_source(kind, url)
        with pytest.raises(extract.SourceKeyOrderError) as caught:
            list(extract.read_batches(source, "S_USER", batch_size=10))
        assert caught.value.table == "S_USER" and not caught.value.retryable
        source.close()


MARIADB_KEYS = ["1-B", "1-a", "1-C", "1-Ж9", "1_X", "1-Ö", "1-10", "1-9", "0-1"]


@pytest.mark.parametrize("kind", ["mariadb-pyodbc", "mariadb-pymysql", "mariadb-odbc"])
@pytest.mark.parametrize("collation", ["utf8mb4_unicode_ci", "utf8mb4_general_ci", "utf8mb4_bin"])
def test_mariadb_reads_a_key_in_a_linguistic_or_pad_space_collation_in_byte_order(
    kind: str, collation: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The server's default collations order '1-a' before '1-B' (or ignore trailing blanks):
    such a key is read with utf8mb4_nopad_bin, and a warning says each batch sorts the table."""

    def load(engine: sa.Engine) -> None:
        recreate_table(engine, "S_USER", types={"ROW_ID": sa.String(15, collation=collation)})
        insert_rows(engine, "S_USER", [{"ROW_ID": k} for k in MARIADB_KEYS])
        if collation.endswith("_ci"):
            with engine.connect() as conn:
                own = [r[0] for r in conn.execute(sa.text("SELECT ROW_ID FROM S_USER ORDER BY 1"))]
            assert own != sorted(MARIADB_KEYS, key=str.encode)  # it really orders otherwise

    byte_order = sorted(MARIADB_KEYS, key=str.encode)
    with legacy_database("mariadb", tmp_path, load) as url:
        source = open_source(kind, url)
        with caplog.at_level("WARNING", logger="icm.extract"):
            for size in (1, 2, 4):
                assert user_keys(source, batch_size=size) == byte_order
        tail = user_keys(source, batch_size=2, after="1-C")
        assert tail == [k for k in byte_order if k.encode() > b"1-C"]
        source.close()
    warnings = [r.getMessage() for r in caplog.records if "S_USER" in r.getMessage()]
    assert len(warnings) == 1
    assert f"collation {collation}" in warnings[0] and "utf8mb4_nopad_bin" in warnings[0]


def test_mariadb_leaves_collate_out_where_the_key_is_byte_order_already(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def load(engine: sa.Engine) -> None:
        insert_rows(engine, "S_USER", [{"ROW_ID": k} for k in MARIADB_KEYS])

    with legacy_database("mariadb", tmp_path, load) as url:
        source = open_source("mariadb-pymysql", url)
        with caplog.at_level("WARNING", logger="icm.extract"):
            keys = user_keys(source, batch_size=3)
        assert keys == sorted(MARIADB_KEYS, key=str.encode)
        assert not [r for r in caplog.records if "collation" in r.getMessage()]
        source.close()


def test_keyset_pages_need_the_key_and_a_positive_size(tmp_path: Path) -> None:
    with legacy_database("sqlite", tmp_path, lambda e: None) as url:
        source = open_source("sqlite-sa", url)
        with pytest.raises(ValueError, match="batch_size"):
            next(extract.read_batches(source, "S_USER", batch_size=0))
        assert list(extract.read_batches(source, "S_USER", batch_size=10)) == []
        with pytest.raises(KeyError):
            next(extract.read_keys(source, "S_USER", ("NO_SUCH_COLUMN",)))
        with pytest.raises(KeyError, match="not a legacy table"):
            source.bind("S_NOT_IN_CONTRACT")


def test_postgresql_leaves_collate_out_only_where_the_column_is_already_bytewise(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Without COLLATE "C" the primary-key index serves each batch; it is left out only when safe.
    Where it is needed, a warning says once per table which index would serve it."""

    def load(engine: sa.Engine) -> None:
        recreate_table(engine, "S_CONTACT", types={"ROW_ID": sa.String(15, collation="en-x-icu")})
        recreate_table(engine, "S_CASE", types={"ROW_ID": sa.String(15, collation="C")})
        for table in ("S_USER", "S_CONTACT", "S_CASE"):
            insert_rows(engine, table, [{"ROW_ID": k} for k in KEYS])

    with legacy_database("postgresql", tmp_path, load) as url:
        source = open_source("postgresql-sa", url)
        assert isinstance(source, extract.SqlAlchemySource)
        with source.read_only_connection() as conn:
            provider, locale = conn.execute(sa.text(PG_DEFAULT_COLLATION_SQL)).one()
        default_is_bytewise = postgres_key_is_bytewise(None, provider, locale)
        statements: list[str] = []
        sa.event.listen(source.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        expected = {"S_USER": not default_is_bytewise, "S_CONTACT": True, "S_CASE": False}
        for table, collated in expected.items():
            statements.clear()
            keys = [
                k
                for b in extract.read_batches(source, table, batch_size=4)
                for k in b.frame["ROW_ID"]
            ]
            assert keys == BYTE_ORDER
            pages = [s for s in statements if "LIMIT" in s]
            assert pages and all(('COLLATE "C"' in s) == collated for s in pages), table
        source.close()
    warned = [r.getMessage() for r in caplog.records if r.name == "icm.extract"]
    assert sorted(m.split(":")[0] for m in warned) == sorted(
        t for t, collated in expected.items() if collated
    )
    assert all('("ROW_ID" COLLATE "C")' in m for m in warned)


@pytest.mark.parametrize(
    "column, provider, locale, bytewise",
    [
        (None, "c", "C", True),
        (None, None, "C.UTF-8", True),
        (None, "c", "en_US.UTF-8", False),
        (None, "i", "C", False),  # ICU default collation: linguistic whatever datcollate says
        ("C", "i", "en_US.UTF-8", True),
        ("POSIX", "c", "en_US.UTF-8", True),
        ("en-x-icu", "c", "C", False),
        ("default", "c", "C.UTF-8", True),
    ],
)
def test_postgres_key_is_bytewise(
    column: str | None, provider: str | None, locale: str, bytewise: bool
) -> None:
    assert postgres_key_is_bytewise(column, provider, locale) is bytewise
