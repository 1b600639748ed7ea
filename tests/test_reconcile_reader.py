"""Key ranges over the new store follow the legacy source's byte order, whatever the database collation.

A PostgreSQL database whose default collation is linguistic (ICU en-US) sorts
'1+3+101' after '1-10JFU' (punctuation ignored); byte order, as extract reads
the source, puts it first. Reading the ledger by key range must use byte order,
or rows would fall into the wrong range and be reported missing or unexpected.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from databases import PG_ADMIN_URL, _reachable, unavailable

from flows.engines import make_target_engine
from load import target_table
from load.schema_setup import alembic_config, init_target
from reconcile.target_reader import (
    lineage_tables,
    nth_key_after,
    read_flags,
    read_ledger,
    read_lineage_rows,
    read_quarantine_records,
)

KEYS = ["1+3+101", "1-10JFU", "1-10jfu", "1-ABC", "1-ABC ", "1-AB", "A", "a", "Z9", "Ärger", "é"]
EXPECTED_ORDER = sorted(KEYS)  # Python str order = code point order = UTF-8 byte order


@contextmanager
def icu_database() -> Iterator[str]:
    """A fresh PostgreSQL database whose default collation is linguistic (ICU en-US)."""
    if not _reachable(PG_ADMIN_URL):
        unavailable("PostgreSQL at " + PG_ADMIN_URL)
    name = f"icm_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            sa.text(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
            )
        )
    try:
        yield sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql-icu"])
def target_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/target.sqlite"
        return
    with icu_database() as url:
        yield url


@pytest.fixture
def ledger_engine(target_url: str) -> Iterator[sa.Engine]:
    engine = make_target_engine(target_url)
    init_target(engine)
    ledger = target_table("migration.ledger")
    with engine.begin() as conn:
        conn.execute(
            sa.insert(ledger),
            [
                {
                    "legacy_table": "S_CONTACT",
                    "legacy_row_id": key,
                    "outcome": "loaded",
                    "source_hash": "0" * 64,
                    "run_id": "run",
                    "legacy_last_upd": dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                }
                for key in KEYS
            ],
        )
    yield engine
    engine.dispose()


def test_the_database_collation_would_get_the_order_wrong(ledger_engine: sa.Engine) -> None:
    """The check below can fail: PostgreSQL with ICU en-US sorts differently unless told otherwise."""
    ledger = target_table("migration.ledger")
    key = ledger.c.legacy_row_id
    with ledger_engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # the store's own column is in "C" (revision 0004)
            key = key.collate("default")
        default = conn.execute(sa.select(ledger.c.legacy_row_id).order_by(key)).scalars().all()
    if ledger_engine.dialect.name == "postgresql":
        assert default != EXPECTED_ORDER
    else:
        assert default == EXPECTED_ORDER


@pytest.mark.parametrize("cut", [None, "1+3+101", "1-10JFU", "1-AB", "1-ABC", "A", "Z9", "é"])
def test_key_ranges_split_the_ledger_in_byte_order(
    ledger_engine: sa.Engine, cut: str | None
) -> None:
    with ledger_engine.connect() as conn:
        below = read_ledger(conn, "S_CONTACT", None, cut) if cut is not None else {}
        above = read_ledger(conn, "S_CONTACT", cut, None)
    assert sorted(below) == [k for k in EXPECTED_ORDER if cut is not None and k <= cut]
    assert sorted(above) == [k for k in EXPECTED_ORDER if cut is None or k > cut]


def test_nth_key_after_walks_the_keys_in_byte_order(ledger_engine: sa.Engine) -> None:
    ledger = target_table("migration.ledger")
    walked: list[str] = []
    after: str | None = None
    with ledger_engine.connect() as conn:
        while (upto := nth_key_after(conn, ledger, "S_CONTACT", after, 3)) is not None:
            walked.extend(sorted(read_ledger(conn, "S_CONTACT", after, upto)))
            after = upto
    assert walked == EXPECTED_ORDER


def _range_reads(engine: sa.Engine) -> list[tuple[str, Any]]:
    """The statements (and parameters) the reconciliation's key-range readers send."""
    sent: list[tuple[str, Any]] = []

    def keep(*args: Any) -> None:
        sent.append((args[2], args[3]))  # conn, cursor, statement, parameters, ...

    sa.event.listen(engine, "before_cursor_execute", keep)
    try:
        with engine.connect() as conn:
            read_ledger(conn, "S_CONTACT", "1-A", "1-Z")
            read_quarantine_records(conn, "S_CONTACT", "1-A", "1-Z")
            read_flags(conn, "S_CONTACT", "1-A", None)
            for table in lineage_tables():
                read_lineage_rows(conn, table, "S_CONTACT", None, "1-Z")
            nth_key_after(conn, target_table("migration.ledger"), "S_CONTACT", "1-A", 5000)
    finally:
        sa.event.remove(engine, "before_cursor_execute", keep)
    return sent


def _key_searched(plan: list[str], postgres: bool) -> bool:
    """Whether ``plan`` finds the key range in an index (not by reading every row of the
    legacy table, or of the whole table, and filtering them)."""
    if postgres:
        return (
            not any("Seq Scan" in line for line in plan)
            and any(
                "legacy_row_id" in line
                for line in plan
                if line.lstrip().startswith(("Index Cond:", "Recheck Cond:"))
            )
            and not any(
                "legacy_row_id" in line for line in plan if line.lstrip().startswith("Filter:")
            )
        )
    return not any(line.startswith("SCAN ") for line in plan) and any(
        line.startswith("SEARCH ") and "legacy_row_id" in line for line in plan
    )


def _whole_table_scans(engine: sa.Engine) -> list[str]:
    """The plans of the range reads that do not search the key range in an index."""
    scans = []
    with engine.connect() as conn:
        postgres = conn.dialect.name == "postgresql"
        if postgres:  # the tables here are tiny: a scan would be cheaper, if allowed
            conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in _range_reads(engine):
            explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            plan = [str(row[-1]) for row in conn.exec_driver_sql(explain + statement, parameters)]
            if not _key_searched(plan, postgres):
                scans.append(statement + "\n" + "\n".join(plan))
    return scans


def test_key_range_reads_search_the_store_indexes(target_url: str) -> None:
    """Each range read costs the range, not the table: a scan per batch made reconciling quadratic."""
    engine = make_target_engine(target_url)
    init_target(engine)
    try:
        assert _range_reads(engine)
        assert _whole_table_scans(engine) == []
    finally:
        engine.dispose()


def test_before_revision_0004_the_range_reads_scan_whole_tables() -> None:
    """The check above can fail: with legacy_row_id in the database collation, PostgreSQL
    cannot use the indexes for byte-order ranges."""
    with icu_database() as url:
        engine = make_target_engine(url)
        try:
            with engine.begin() as conn:
                command.upgrade(alembic_config(conn), "0003")
            scans = _whole_table_scans(engine)
            assert len(scans) == len(_range_reads(engine))
            init_target(engine)  # upgrading an existing store puts it right
            assert _whole_table_scans(engine) == []
        finally:
            engine.dispose()
