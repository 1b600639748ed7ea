"""One small legacy database on SQLite, PostgreSQL and MariaDB, read through every kind of source.

Sources: SQLAlchemy on all three engines (MariaDB through ``mysql+pyodbc`` with
the MariaDB ODBC driver, and through PyMySQL), and plain ODBC on each: the SQLite
file (SQLite3 driver), the PostgreSQL database (psqlODBC) and the MariaDB database
(MariaDB Connector/ODBC). Every source must give the same frames, the same hashes
and the same key order, and refuse writes; text holding NUL characters is read
whole wherever the engine can store it.

The helpers here (``legacy_database``, ``open_source``, ``insert_rows``) are
also used by the other ``test_extract_*`` modules.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from databases import mariadb_database, postgres_database, require_odbc_driver

import extract

ENGINES = ("sqlite", "postgresql", "mariadb")
# source kind -> the engine whose database it reads
SOURCE_KINDS = {
    "sqlite-sa": "sqlite",
    "sqlite-odbc": "sqlite",
    "postgresql-sa": "postgresql",
    "postgresql-odbc": "postgresql",
    "mariadb-pyodbc": "mariadb",
    "mariadb-pymysql": "mariadb",
    "mariadb-odbc": "mariadb",
}
Loader = Callable[[sa.Engine], None]


def insert_rows(engine: sa.Engine, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (missing columns NULL) into legacy ``table``."""
    columns = extract.legacy_spec()[table].column_names
    full = [{c: row.get(c) for c in columns} for row in rows]
    with engine.begin() as conn:
        conn.execute(extract.legacy_table(table).insert(), full)


@contextmanager
def legacy_database(engine_kind: str, directory: Path, load: Loader) -> Iterator[str]:
    """A fresh legacy database on ``engine_kind`` filled by ``load``; yields its (writable) SQLAlchemy URL."""
    if engine_kind == "sqlite":
        url = f"sqlite:///{directory / 'legacy.sqlite'}"
        manager: Any = None
    else:
        manager = postgres_database() if engine_kind == "postgresql" else mariadb_database()
        url = manager.__enter__()
    try:
        engine = sa.create_engine(url)
        extract.create_legacy_schema(engine)
        load(engine)
        engine.dispose()
        yield url
    finally:
        if manager is not None:
            manager.__exit__(None, None, None)


def odbc_connection_string(source_kind: str, url: str) -> str:
    parsed = sa.make_url(url)
    if source_kind == "sqlite-odbc":
        return f"DRIVER={{{require_odbc_driver('sqlite')}}};Database={parsed.database}"
    if source_kind == "mariadb-odbc":
        return (
            f"DRIVER={{{require_odbc_driver('mariadb')}}};Server={parsed.host};"
            f"Port={parsed.port or 3306};Database={parsed.database};"
            f"Uid={parsed.username};Pwd={parsed.password or ''}"
        )
    driver = require_odbc_driver("postgresql")
    return (
        f"DRIVER={{{driver}}};Server={parsed.host};Port={parsed.port or 5432};Database={parsed.database};"
        f"Uid={parsed.username};Pwd={parsed.password or ''};UseDeclareFetch=1"
    )


def source_url(source_kind: str, url: str) -> str:
    """The SQLAlchemy URL a ``*-sa``/MariaDB source reads ``url``'s database with."""
    if source_kind == "mariadb-pyodbc":
        driver = require_odbc_driver("mariadb")
        parsed = sa.make_url(url).set(
            drivername="mysql+pyodbc", query={"driver": driver, "charset": "utf8mb4"}
        )
        return parsed.render_as_string(hide_password=False)
    return url


def open_source(source_kind: str, url: str) -> extract.LegacySource:
    """A source of kind ``source_kind`` on the database at SQLAlchemy URL ``url``."""
    if source_kind.endswith("-odbc"):
        return extract.OdbcSource(odbc_connection_string(source_kind, url))
    return extract.source_from_engine(sa.create_engine(source_url(source_kind, url)))


# -- the sample -------------------------------------------------------------------------------

KEYS = [
    "1-ABC9", "1-ABC9 ", "1-abc9", "1+2+XYZ", "0-1", "1-Ж9", "1-Z", "1-a", "1-B", "1_X", "1-10", "1-9", "2-ÅB", "1-ä",
]  # fmt: skip
BYTE_ORDER = sorted(KEYS, key=lambda k: k.encode("utf-8"))
NAMES = ["Łukasz", "山田", "Zoë 🙂", "", "ABC ", None, 'O\'Neil, "Jr"', "x\ty", "NULL", "<null>"]
FLAGS = ["Y", " ", "", "N ", "y", None, "N"]
T0 = dt.datetime(2020, 1, 2, 3, 4, 5)


def sample_contacts() -> list[dict[str, Any]]:
    rows = []
    for i, key in enumerate(KEYS):
        rows.append(
            {
                "ROW_ID": key,
                "CREATED": T0 + dt.timedelta(days=i, seconds=i),
                "CREATED_BY": "0-1",
                "LAST_UPD": T0 + dt.timedelta(days=i + 1),
                "MODIFICATION_NUM": decimal.Decimal(i),
                "CONFLICT_ID": "0",
                "FST_NAME": NAMES[i % len(NAMES)],
                "LAST_NAME": NAMES[(i + 3) % len(NAMES)],
                "BIRTH_DT": None if i % 4 == 0 else dt.datetime(2000 + i, 1 + i % 12, 1 + i),
                "DECEASED_FLG": FLAGS[i % len(FLAGS)],
                "X_PHN": "9698 658 215" if i % 3 == 0 else "",
                "PR_PER_ADDR_ID": "No Match Row Id" if i == 2 else None,
                "EMAIL_ADDR": 'a,b"c]@example.org' if i == 1 else None,
            }
        )
    return rows


def sample_lov() -> list[dict[str, Any]]:
    orders = ["1.5", "0.1", "123.4567891", "10", "-2.25", None, "0"]
    return [
        {
            "ROW_ID": f"LOV-{i}",
            "TYPE": "ICM_CASE_STATUS",
            "NAME": f"CODE{i}",
            "VAL": [
                "Open",
                "Closed ",
                "Foster Home",
                "FOSTER HOME ",
                "",
                "Entered in Error",
                "ouvert",
            ][i],
            "ACTIVE_FLG": ["Y", "N", " ", "Y", "", "N", "y"][i],
            "ORDER_BY": decimal.Decimal(o) if o is not None else None,
        }
        for i, o in enumerate(orders)
    ]


def load_sample(engine: sa.Engine) -> None:
    insert_rows(engine, "S_CONTACT", sample_contacts())
    insert_rows(engine, "S_LST_OF_VAL", sample_lov())
    note = "Línea uno\n" + "x" * 20000 + ' "quoted" \\ end '
    insert_rows(
        engine,
        "S_EVT_ACT",
        [{"ROW_ID": "E-1", "COMMENTS_LONG": note, "X_NOTE_SEQ": decimal.Decimal(3)}],
    )
    insert_rows(
        engine,
        "S_ACTIVITY_ATT",
        [{"ROW_ID": "A-1", "FILE_SIZE": decimal.Decimal("123456789012345"), "FILE_DATE": T0}],
    )


@contextmanager
def lazy_databases(factory: pytest.TempPathFactory, load: Loader) -> Iterator[dict[str, str]]:
    """Engine -> URL of a legacy database filled by ``load``, created on first use, dropped at the end."""
    managers: list[Any] = []

    class Lazy(dict[str, str]):
        def __missing__(self, engine_kind: str) -> str:
            manager = legacy_database(engine_kind, factory.mktemp(engine_kind), load)
            managers.append(manager)
            self[engine_kind] = manager.__enter__()
            return self[engine_kind]

    try:
        yield Lazy()
    finally:
        for manager in reversed(managers):
            manager.__exit__(None, None, None)


@pytest.fixture(scope="module")
def sample_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with lazy_databases(tmp_path_factory, load_sample) as urls:
        yield urls


@pytest.fixture(params=list(SOURCE_KINDS))
def source(
    request: pytest.FixtureRequest, sample_urls: dict[str, str]
) -> Iterator[extract.LegacySource]:
    kind = request.param
    src = open_source(kind, sample_urls[SOURCE_KINDS[kind]])
    yield src
    src.close()


def frame_records(
    src: extract.LegacySource, table: str, batch_size: int = 1000
) -> list[dict[str, Any]]:
    records = []
    for batch in extract.read_batches(src, table, batch_size=batch_size):
        records.extend(batch.frame.to_dict("records"))
    return records


def typed(records: list[dict[str, Any]]) -> list[dict[str, tuple[str, str]]]:
    """Records with each value as (type, str): Decimal('1.5') and Decimal('1.50') differ here."""
    return [{k: (type(v).__name__, str(v)) for k, v in r.items()} for r in records]


# -- tests --------------------------------------------------------------------------------------


def test_source_kind_and_contract(source: extract.LegacySource) -> None:
    assert source.kind in ENGINES
    extract.check_source(source)
    assert extract.count_rows(source, "S_CONTACT") == len(KEYS)
    assert extract.count_rows(source, "S_CASE") == 0


def test_oracle_meaning_is_applied(source: extract.LegacySource) -> None:
    rows = {r["ROW_ID"]: r for r in frame_records(source, "S_CONTACT")}
    assert list(rows) == BYTE_ORDER
    for i, key in enumerate(KEYS):
        row = rows[key]
        name = NAMES[i % len(NAMES)]
        assert row["FST_NAME"] == (name or None)  # '' is NULL; 'ABC ' keeps its blank
        flag = FLAGS[i % len(FLAGS)]
        assert row["DECEASED_FLG"] == (
            (flag or "").rstrip(" ") or None
        )  # CHAR: trimmed, then '' is NULL
        assert row["X_PHN"] == ("9698 658 215" if i % 3 == 0 else None)
        assert row["CREATED"] == T0 + dt.timedelta(days=i, seconds=i)
        assert type(row["CREATED"]) is dt.datetime and row["CREATED"].tzinfo is None
        assert row["MODIFICATION_NUM"] == decimal.Decimal(i) and isinstance(
            row["MODIFICATION_NUM"], decimal.Decimal
        )
    assert rows["1-ABC9"]["FST_NAME"] == "Łukasz"
    lov = {r["ROW_ID"]: r for r in frame_records(source, "S_LST_OF_VAL")}
    assert str(lov["LOV-0"]["ORDER_BY"]) == "1.5000000"
    assert str(lov["LOV-2"]["ORDER_BY"]) == "123.4567891"
    assert lov["LOV-1"]["VAL"] == "Closed " and lov["LOV-4"]["VAL"] is None
    assert [lov[f"LOV-{i}"]["ACTIVE_FLG"] for i in range(7)] == [
        "Y",
        "N",
        None,
        "Y",
        None,
        "N",
        "y",
    ]
    (note,) = frame_records(source, "S_EVT_ACT")
    assert len(note["COMMENTS_LONG"]) == len("Línea uno\n") + 20000 + len(' "quoted" \\ end ')
    assert note["COMMENTS_LONG"].endswith("end ")
    (att,) = frame_records(source, "S_ACTIVITY_ATT")
    assert str(att["FILE_SIZE"]) == "123456789012345"


def test_frames_and_hashes_are_identical_on_every_source(sample_urls: dict[str, str]) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for kind, engine in SOURCE_KINDS.items():
        src = open_source(kind, sample_urls[engine])
        try:
            seen[kind] = {t: typed(frame_records(src, t)) for t in extract.LEGACY_TABLE_NAMES}
        finally:
            src.close()
    reference = seen["sqlite-sa"]
    assert len(reference["S_CONTACT"]) == len(KEYS)
    for kind, tables in seen.items():
        for table in extract.LEGACY_TABLE_NAMES:
            assert tables[table] == reference[table], f"{kind} differs from sqlite-sa on {table}"


NUL_TEXTS = ["x\x00y", "\x00 first", "last\x00", "Línea\x00" + "z" * 5000 + "\x00end 🙂"]
"""Notes holding NUL characters (D13): PostgreSQL text cannot hold NUL, SQLite and MariaDB can."""


def load_nul_notes(engine: sa.Engine) -> None:
    insert_rows(
        engine,
        "S_EVT_ACT",
        [
            {"ROW_ID": f"N-{i}", "NAME": text[:100], "COMMENTS_LONG": text}
            for i, text in enumerate(NUL_TEXTS)
        ],
    )


@pytest.fixture(scope="module")
def nul_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with lazy_databases(tmp_path_factory, load_nul_notes) as urls:
        yield urls


@pytest.mark.parametrize("kind", [k for k, e in SOURCE_KINDS.items() if e != "postgresql"])
def test_text_holding_nul_is_read_whole(kind: str, nul_urls: dict[str, str]) -> None:
    """A driver that hands text over as a C string cuts a note at its first NUL, silently."""
    src = open_source(kind, nul_urls[SOURCE_KINDS[kind]])
    try:
        rows = frame_records(src, "S_EVT_ACT")
    finally:
        src.close()
    assert [r["ROW_ID"] for r in rows] == [f"N-{i}" for i in range(len(NUL_TEXTS))]
    assert [r["COMMENTS_LONG"] for r in rows] == NUL_TEXTS
    assert [r["NAME"] for r in rows] == [t[:100] for t in NUL_TEXTS]
    for record in rows:
        assert record["source_hash"] == extract.source_hash("S_EVT_ACT", record)


def test_frame_layout(source: extract.LegacySource) -> None:
    (batch,) = list(extract.read_batches(source, "S_CONTACT", batch_size=100))
    columns = list(extract.legacy_spec()["S_CONTACT"].column_names)
    assert list(batch.frame.columns) == [*columns, "source_hash"]
    assert all(str(dtype) == "object" for dtype in batch.frame.dtypes)
    assert batch.table == "S_CONTACT" and batch.last_key == BYTE_ORDER[-1]
    for record in batch.frame.to_dict("records"):
        assert record["source_hash"] == extract.source_hash("S_CONTACT", record)
    assert batch.frame["source_hash"].nunique() == len(KEYS)


@pytest.mark.parametrize("batch_size", [1, 2, 7])
def test_keyset_batches_cover_every_row_once_in_byte_order(
    source: extract.LegacySource, batch_size: int
) -> None:
    batches = list(extract.read_batches(source, "S_CONTACT", batch_size=batch_size))
    keys = [k for b in batches for k in b.frame["ROW_ID"]]
    assert keys == BYTE_ORDER
    assert all(0 < len(b.frame) <= batch_size for b in batches)
    assert [b.last_key for b in batches] == [b.frame["ROW_ID"].iloc[-1] for b in batches]
    assert len(batches) == -(-len(KEYS) // batch_size)


def test_resume_after_a_key(source: extract.LegacySource) -> None:
    for cut in ("1-ABC9", "1-ABC9 ", "1-a", BYTE_ORDER[-1], "1-AB"):
        batches = extract.read_batches(source, "S_CONTACT", batch_size=3, after=cut)
        keys = [k for b in batches for k in b.frame["ROW_ID"]]
        assert keys == [k for k in BYTE_ORDER if k.encode() > cut.encode()], cut


def test_read_keys_and_columns(source: extract.LegacySource) -> None:
    pages = list(extract.read_keys(source, "S_CONTACT", ("DECEASED_FLG", "ROW_ID"), batch_size=4))
    assert all(0 < len(p) <= 4 for p in pages)
    assert [row[1] for page in pages for row in page] == BYTE_ORDER
    flags = {row[1]: row[0] for page in pages for row in page}
    assert flags["1-ABC9 "] is None  # KEYS[1] -> ' '
    rows = extract.read_columns(source, "S_CONTACT", ("ROW_ID", "X_PHN"), batch_size=5)
    assert [r["ROW_ID"] for r in rows] == BYTE_ORDER
    assert rows[0] == {"ROW_ID": "0-1", "X_PHN": None}


def _write_attempt(src: extract.LegacySource, *, commit_first: bool) -> None:
    statement = "INSERT INTO " + (
        '"S_USER" ("ROW_ID")' if src.kind != "mariadb" else "S_USER (ROW_ID)"
    )
    statement += " VALUES ('written')"
    if isinstance(src, extract.SqlAlchemySource):
        with src.read_only_connection() as conn:
            if commit_first:
                conn.exec_driver_sql(
                    statement.replace("INSERT INTO", "SELECT 1 FROM").split(" (")[0]
                )
                conn.commit()
            conn.exec_driver_sql(statement)
            conn.commit()
    else:
        assert isinstance(src, extract.OdbcSource)
        with src.read_only_connection() as conn:
            if commit_first:
                conn.commit()
            conn.cursor().execute(statement)
            conn.commit()


@pytest.mark.parametrize("commit_first", [False, True])
def test_source_refuses_writes(source: extract.LegacySource, commit_first: bool) -> None:
    with pytest.raises(extract.ExtractError) as caught:
        _write_attempt(source, commit_first=commit_first)
    assert "read" in str(caught.value).lower() or "25006" in str(caught.value)
    assert extract.count_rows(source, "S_USER") == 0
    # The same source still reads afterwards.
    assert extract.count_rows(source, "S_CONTACT") == len(KEYS)


@pytest.mark.parametrize("kind", ["sqlite-sa", "postgresql-sa", "mariadb-pyodbc"])
def test_the_callers_engine_is_writable_again_after_use(
    sample_urls: dict[str, str], kind: str
) -> None:
    """Read-only is per checkout: the pooled connection goes back to the caller's engine unaltered."""
    engine = sa.create_engine(
        source_url(kind, sample_urls[SOURCE_KINDS[kind]]), pool_size=1, max_overflow=0
    )
    src = extract.source_from_engine(engine)
    assert extract.count_rows(src, "S_CONTACT") == len(KEYS)
    with pytest.raises(extract.ExtractError):
        _write_attempt(src, commit_first=False)
    with engine.connect() as conn:  # the same DBAPI connection (pool of one)
        conn.execute(extract.legacy_table("S_USER").insert(), [{"ROW_ID": "probe"}])
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
        conn.rollback()
    assert extract.count_rows(src, "S_USER") == 0
    engine.dispose()


def test_read_only_sqlite_url(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    extract.create_legacy_schema(engine)
    insert_rows(engine, "S_USER", [{"ROW_ID": "0-1"}])
    engine.dispose()
    url = extract.read_only_url(f"sqlite:///{path}")
    assert "mode=ro" in url
    assert extract.read_only_url(url) == url
    assert extract.read_only_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    ro_engine = sa.create_engine(url)
    with pytest.raises(sa.exc.OperationalError, match="readonly"), ro_engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM S_USER")
    src = extract.source_from_engine(ro_engine)
    assert extract.read_user_ids(src) == frozenset({"0-1"})
    missing = extract.source_from_engine(
        sa.create_engine(extract.read_only_url(f"sqlite:///{tmp_path / 'no.sqlite'}"))
    )
    with pytest.raises(extract.SourceUnavailable):
        extract.check_source(missing)
    assert not (tmp_path / "no.sqlite").exists()
