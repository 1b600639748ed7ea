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

import pytest
import sqlalchemy as sa
from databases import PG_ADMIN_URL, _reachable, unavailable

from flows.engines import make_target_engine
from load import target_table
from load.schema_setup import init_target
from reconcile.target_reader import nth_key_after, read_ledger

KEYS = ["1+3+101", "1-10JFU", "1-10jfu", "1-ABC", "1-ABC ", "1-AB", "A", "a", "Z9", "Ärger", "é"]
EXPECTED_ORDER = sorted(KEYS)  # Python str order = code point order = UTF-8 byte order


@pytest.fixture(params=["sqlite", "postgresql-icu"])
def target_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/target.sqlite"
        return
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
    with ledger_engine.connect() as conn:
        default = (
            conn.execute(sa.select(ledger.c.legacy_row_id).order_by(ledger.c.legacy_row_id))
            .scalars()
            .all()
        )
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
