"""Property test: any rows every engine can store are read the same, and hashed the same,
through every kind of source.

Hypothesis writes random S_CONTACT and S_LST_OF_VAL rows (text of any script with control
characters, trailing and leading blanks; one-character flags; dates of years 1000-9999 to
the second, as MariaDB's DATETIME holds them; integers and 7-decimal numbers of up to 15
significant digits, as SQLite's REAL holds them exactly) into SQLite, PostgreSQL and
MariaDB, then reads them back through all seven source kinds (SQLAlchemy and plain ODBC).
Every source must give the frames, the types and the source hashes of the SQLite
SQLAlchemy source, in the same key order. NUL is left out: PostgreSQL text cannot hold it
(tests/test_extract_sources.py reads it on the others).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fuzz_support import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st
from test_extract_sources import (
    SOURCE_KINDS,
    frame_records,
    insert_rows,
    lazy_databases,
    open_source,
    typed,
)

import extract
from extract.legacy_schema import ColumnSpec, legacy_spec

TABLES = ("S_CONTACT", "S_LST_OF_VAL")

_TEXT = st.characters(max_codepoint=0x2FFFF, exclude_categories=["Cs"], exclude_characters="\x00")


def _value(spec: ColumnSpec) -> st.SearchStrategy[Any]:
    if spec.logical_type == "flag":
        return st.one_of(st.none(), st.sampled_from(["Y", "N", "y", " ", "", "1", "é"]))
    if spec.is_text:
        size = min(spec.length or 60, 60)
        return st.one_of(
            st.none(),
            st.sampled_from(["", " ", "NULL", "a ", " a"]),
            st.text(alphabet=_TEXT, max_size=size),
        )
    if spec.logical_type == "date":
        return st.one_of(
            st.none(),
            st.datetimes(
                min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59)
            ).map(lambda d: d.replace(microsecond=0)),
        )
    scale = spec.scale or 0
    digits = min((spec.precision or 22) - scale, 15 - scale)
    return st.one_of(
        st.none(),
        st.decimals(
            min_value=-(10**digits) + 1,
            max_value=10**digits - 1,
            places=scale,
            allow_nan=False,
            allow_infinity=False,
        ),
    )


_KEYS = st.text(alphabet=st.sampled_from("1-+_ AbZz9äЖ"), min_size=1, max_size=15).filter(
    lambda k: k.strip(" ") != "" or k == " "
)
"""ROW_IDs, awkward ones included (blanks, case, non-ASCII): read in byte order everywhere."""


@st.composite
def _rows(draw: st.DrawFn, table: str) -> list[dict[str, Any]]:
    keys = draw(st.lists(_KEYS, min_size=1, max_size=5, unique=True))
    specs = [c for c in legacy_spec()[table].columns if c.name != "ROW_ID"]
    return [{"ROW_ID": key, **{c.name: draw(_value(c)) for c in specs}} for key in keys]


def _no_rows(engine: sa.Engine) -> None:
    """The databases start empty; each example writes its own rows."""


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with lazy_databases(tmp_path_factory, _no_rows) as urls:
        for engine in ("sqlite", "postgresql", "mariadb"):
            urls[engine]
        yield urls


def _replace_rows(url: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for table in TABLES:
                conn.execute(extract.legacy_table(table).delete())
        for table, table_rows in rows.items():
            insert_rows(engine, table, table_rows)
    finally:
        engine.dispose()


def _read(kind: str, url: str) -> dict[str, Any]:
    source = open_source(kind, url)
    try:
        return {table: typed(frame_records(source, table, batch_size=3)) for table in TABLES}
    finally:
        source.close()


def test_any_storable_rows_read_and_hash_the_same_on_every_source(
    databases: dict[str, str],
) -> None:
    @fuzz_settings(15)
    @given(contacts=_rows("S_CONTACT"), values=_rows("S_LST_OF_VAL"))
    def check(contacts: list[dict[str, Any]], values: list[dict[str, Any]]) -> None:
        rows = {"S_CONTACT": contacts, "S_LST_OF_VAL": values}
        for engine in ("sqlite", "postgresql", "mariadb"):
            _replace_rows(databases[engine], rows)
        reference = _read("sqlite-sa", databases["sqlite"])
        assert [r["ROW_ID"][1] for r in reference["S_CONTACT"]] == sorted(
            (r["ROW_ID"] for r in contacts), key=lambda k: k.encode()
        )
        for kind, engine in SOURCE_KINDS.items():
            if kind == "sqlite-sa":
                continue
            found = _read(kind, databases[engine])
            for table in TABLES:
                assert found[table] == reference[table], f"{kind} differs from sqlite-sa on {table}"

    check()
