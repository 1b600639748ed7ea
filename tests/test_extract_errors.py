"""The right error, naming table and column: missing table or column, wrong type, bad value, no server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from databases import require_odbc_driver
from test_extract_sources import SOURCE_KINDS, insert_rows, legacy_database, open_source

import extract


def recreate_table(
    engine: sa.Engine,
    table: str,
    *,
    types: dict[str, Any] | None = None,
    without: tuple[str, ...] = (),
) -> None:
    """Drop legacy ``table`` and create it again with some column types changed or columns left out."""
    original = extract.legacy_table(table)
    metadata = sa.MetaData()
    columns = [
        sa.Column(c.name, (types or {}).get(c.name, c.type), primary_key=c.primary_key)
        for c in original.columns
        if c.name not in without
    ]
    replacement = sa.Table(table, metadata, *columns, **original.dialect_kwargs)
    with engine.begin() as conn:
        original.drop(conn)
        replacement.create(conn)


def no_rows(_engine: sa.Engine) -> None:
    return None


@pytest.mark.parametrize("kind", list(SOURCE_KINDS))
def test_schema_errors_name_table_and_column(kind: str, tmp_path: Path) -> None:
    with legacy_database(SOURCE_KINDS[kind], tmp_path, no_rows) as url:
        engine = sa.create_engine(url)
        source = open_source(kind, url)
        extract.check_source(source)  # the contract as created: fine
        source.close()

        recreate_table(engine, "S_USER", types={"ACTIVE_FLG": sa.Integer()})
        source = open_source(kind, url)
        with pytest.raises(extract.SourceSchemaError) as caught:
            extract.check_source(source)
        source.close()
        assert (caught.value.table, caught.value.column) == ("S_USER", "ACTIVE_FLG")
        assert "S_USER.ACTIVE_FLG" in str(caught.value) and "flag" in str(caught.value)
        recreate_table(engine, "S_USER")

        recreate_table(engine, "S_CASE", without=("STATUS_CD",))
        source = open_source(kind, url)
        with pytest.raises(extract.SourceSchemaError) as caught:
            extract.check_source(source)
        assert (caught.value.table, caught.value.column) == ("S_CASE", "STATUS_CD")
        assert str(caught.value).startswith(
            "Legacy column S_CASE.STATUS_CD not found in the source"
        )
        assert "TYPE_CD" in str(caught.value)  # what exists is listed
        with pytest.raises(extract.SourceSchemaError):
            next(extract.read_batches(source, "S_CASE", batch_size=10), None)
        source.close()

        with engine.begin() as conn:
            extract.legacy_table("S_CASE").drop(conn)
        source = open_source(kind, url)
        with pytest.raises(extract.SourceSchemaError) as caught:
            extract.check_source(source)
        message = str(caught.value)
        assert message.startswith("Legacy table 'S_CASE' not found in the source. Available: [")
        assert "'S_CONTACT'" in message and caught.value.table == "S_CASE"
        assert isinstance(caught.value, extract.TerminalExtractError) and not caught.value.retryable
        with pytest.raises(extract.SourceSchemaError, match="S_CASE"):
            extract.count_rows(source, "S_CASE")
        source.close()
        engine.dispose()


def load_bad_values(engine: sa.Engine) -> None:
    good = {"CREATED": dt.datetime(2020, 1, 2), "OPEN_DT": dt.datetime(2019, 5, 6), "NAME": "Case"}
    insert_rows(engine, "S_CASE", [{**good, "ROW_ID": f"1-{i:03d}"} for i in range(150)])
    with engine.begin() as conn:
        conn.exec_driver_sql(
            """INSERT INTO "S_CASE" ("ROW_ID", "OPEN_DT") VALUES ('1-BAD', 'approx 2005')"""
        )
        conn.exec_driver_sql(
            """INSERT INTO "S_USER" ("ROW_ID", "MODIFICATION_NUM") VALUES ('0-1', 'three')"""
        )


@pytest.mark.parametrize("kind", ["sqlite-sa", "sqlite-odbc"])
def test_text_in_a_date_or_number_column_is_named(kind: str, tmp_path: Path) -> None:
    """SQLite stores any text in a DATETIME column; the row is named, the value is not shown."""
    with legacy_database("sqlite", tmp_path, load_bad_values) as url:
        source = open_source(kind, url)
        with pytest.raises(extract.SourceValueError) as caught:
            extract.check_source(source)
        assert (caught.value.table, caught.value.row_id, caught.value.column) == (
            "S_USER",
            "0-1",
            "MODIFICATION_NUM",
        )
        with pytest.raises(extract.SourceValueError) as caught:
            list(extract.read_batches(source, "S_CASE", batch_size=100))
        err = caught.value
        assert (err.table, err.row_id, err.column) == ("S_CASE", "1-BAD", "OPEN_DT")
        assert "S_CASE" in str(err) and "'1-BAD'" in str(err) and "OPEN_DT" in str(err)
        assert "approx" not in str(err)
        assert isinstance(err, extract.SourceSchemaError) and not err.retryable
        # The batches before the bad row are read normally.
        first = next(extract.read_batches(source, "S_CASE", batch_size=100))
        assert len(first.frame) == 100
        source.close()


def test_undecodable_bytes_in_text_are_named(tmp_path: Path) -> None:
    def load(engine: sa.Engine) -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                """INSERT INTO "S_CASE" ("ROW_ID", "NAME") VALUES ('1-X', x'C328')"""
            )

    with legacy_database("sqlite", tmp_path, load) as url:
        source = open_source("sqlite-sa", url)
        with pytest.raises(extract.SourceValueError) as caught:
            list(extract.read_batches(source, "S_CASE", batch_size=10))
        assert (caught.value.row_id, caught.value.column) == ("1-X", "NAME")
        assert "UTF-8" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres:sekrit@127.0.0.1:1/legacy?connect_timeout=3",
        "mysql+pymysql://root:sekrit@127.0.0.1:1/legacy",
    ],
)
def test_unreachable_server_is_transient(url: str) -> None:
    source = extract.source_from_engine(sa.create_engine(url))
    with pytest.raises(extract.SourceUnavailable) as caught:
        extract.check_source(source)
    assert isinstance(caught.value, extract.TransientExtractError) and caught.value.retryable
    assert "sekrit" not in str(caught.value)
    with pytest.raises(extract.SourceUnavailable):
        extract.count_rows(source, "S_CASE")


def test_unreachable_server_through_odbc_is_transient() -> None:
    driver = require_odbc_driver("postgresql")
    source = extract.OdbcSource(
        f"DRIVER={{{driver}}};Server=127.0.0.1;Port=1;Database=x;Uid=postgres;Pwd=sekrit;"
    )
    with pytest.raises(extract.SourceUnavailable) as caught:
        extract.check_source(source)
    assert caught.value.retryable and "sekrit" not in str(caught.value)
    assert "08001" in str(caught.value)


def test_missing_odbc_driver_is_terminal() -> None:
    source = extract.OdbcSource("DRIVER={No Such Driver};Server=127.0.0.1;Pwd=sekrit")
    with pytest.raises(extract.SourceConfigError) as caught:
        extract.count_rows(source, "S_CASE")
    assert not caught.value.retryable and "sekrit" not in str(caught.value)


@pytest.mark.parametrize("kind", ["postgresql-sa", "postgresql-odbc"])
def test_lost_connection_is_transient_and_the_next_call_reconnects(
    kind: str, tmp_path: Path
) -> None:
    def load(engine: sa.Engine) -> None:
        insert_rows(engine, "S_USER", [{"ROW_ID": "0-1"}])

    with legacy_database("postgresql", tmp_path, load) as url:
        source = open_source(kind, url)
        assert extract.read_user_ids(source) == frozenset({"0-1"})
        admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        admin.dispose()
        with pytest.raises(extract.SourceUnavailable) as caught:
            extract.read_user_ids(source)
        assert caught.value.table == "S_USER"
        assert extract.read_user_ids(source) == frozenset({"0-1"})  # what a retry does
        source.close()


def test_an_odbc_source_sees_only_its_own_database(tmp_path: Path) -> None:
    """MariaDB Connector/ODBC lists every database's tables unless asked for one: a legacy
    table missing here but present in another database on the server is still missing."""

    def without_cases(engine: sa.Engine) -> None:
        with engine.begin() as conn:
            extract.legacy_table("S_CASE").drop(conn)

    with (
        legacy_database("mariadb", tmp_path / "other", no_rows),
        legacy_database("mariadb", tmp_path / "here", without_cases) as url,
    ):
        source = open_source("mariadb-odbc", url)
        with pytest.raises(extract.SourceSchemaError) as caught:
            extract.check_source(source)
        source.close()
    assert str(caught.value).startswith("Legacy table 'S_CASE' not found in the source.")
    assert caught.value.table == "S_CASE"
