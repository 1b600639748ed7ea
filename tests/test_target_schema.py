"""The target schema: Alembic creates every model table, and the migrations agree with the models."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from rich.console import Console

from flows.engines import make_target_engine
from flows.target import run_init_target
from load import SCHEMAS, target_metadata, target_table
from load.schema_setup import (
    UnsupportedTargetError,
    alembic_config,
    head_revision,
    init_target,
    present_target_tables,
    schema_differences,
    target_revision,
)

EXPECTED_TABLE_COUNT = 30


@pytest.fixture
def target(target_db_url: str) -> Iterator[sa.Engine]:
    """A migrated target database (SQLite or PostgreSQL), schema-translating engine."""
    engine = make_target_engine(target_db_url)
    init_target(engine)
    yield engine
    engine.dispose()


def _tables_in_database(engine: sa.Engine) -> set[tuple[str | None, str]]:
    """(schema, table) of every table, read from the database's own catalogue."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.execute(
                sa.text(
                    "SELECT table_schema, table_name FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                )
            )
            return {(r[0], r[1]) for r in rows}
        rows = conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'table'"))
        return {(None, r[0]) for r in rows}


def _expected_tables(dialect: str) -> set[tuple[str | None, str]]:
    on_pg = dialect == "postgresql"
    models = {(t.schema if on_pg else None, t.name) for t in target_metadata().tables.values()}
    return models | {("migration" if on_pg else None, "alembic_version")}


def _lineage(legacy_table: str, row_id: str) -> dict[str, Any]:
    return {
        "legacy_table": legacy_table,
        "legacy_row_id": row_id,
        "migration_run_id": str(uuid.uuid4()),
        "source_hash": "0" * 64,
    }


def _person(row_id: str, person_id: uuid.UUID | None = None) -> dict[str, Any]:
    return {
        "id": person_id or uuid.uuid4(),
        "record_status": "active",
        **_lineage("S_CONTACT", row_id),
    }


def _qualified(engine: sa.Engine, schema: str, name: str) -> str:
    return f"{schema}.{name}" if engine.dialect.name == "postgresql" else name


def test_models_define_30_tables_in_the_four_schemas() -> None:
    tables = target_metadata().tables.values()
    assert len(tables) == EXPECTED_TABLE_COUNT
    assert {t.schema for t in tables} == set(SCHEMAS)


def test_init_target_creates_every_model_table_in_its_schema(target_db_url: str) -> None:
    engine = make_target_engine(target_db_url)
    try:
        assert target_revision(engine) is None
        assert init_target(engine) == head_revision() == "0010"
        assert target_revision(engine) == head_revision()
        assert _tables_in_database(engine) == _expected_tables(engine.dialect.name)
        assert len(present_target_tables(engine)) == EXPECTED_TABLE_COUNT
    finally:
        engine.dispose()


def test_postgresql_keeps_each_table_in_its_schema_and_nothing_in_public(pg_url: str) -> None:
    engine = make_target_engine(pg_url)
    try:
        init_target(engine)
        found = _tables_in_database(engine)
    finally:
        engine.dispose()
    assert {s for s, _ in found} == set(SCHEMAS)
    assert ("icm", "person") in found
    assert ("restricted", "person_identifier") in found
    assert ("ref", "code_crosswalk") in found
    assert ("migration", "ledger") in found
    assert ("migration", "alembic_version") in found


def test_migrated_database_matches_the_models(target: sa.Engine) -> None:
    assert schema_differences(target) == []


def test_schema_comparison_detects_a_column_missing_from_the_database(target: sa.Engine) -> None:
    """The agreement check can fail: the database lacking a model column is reported.

    That is what a model column added without a migration looks like.
    """
    with target.begin() as conn:
        conn.execute(
            sa.text(f"ALTER TABLE {_qualified(target, 'icm', 'person')} DROP COLUMN alert_text")
        )
        conn.execute(sa.text(f"DROP INDEX {_qualified(target, 'icm', 'ix_icm_placement_case_id')}"))
    diffs = schema_differences(target)
    kinds = {(d[0], d[3].name) if d[0] == "add_column" else (d[0], d[1].name) for d in diffs}
    assert kinds == {("add_column", "alert_text"), ("add_index", "ix_icm_placement_case_id")}


def test_init_target_twice_is_harmless_and_keeps_rows(target: sa.Engine) -> None:
    person = target_table("person")
    with target.begin() as conn:
        conn.execute(sa.insert(person), [_person("1-ABC")])
    assert init_target(target) == head_revision()
    assert schema_differences(target) == []
    with target.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(person)).scalar_one() == 1


def test_foreign_keys_are_enforced(target: sa.Engine) -> None:
    person_id = uuid.uuid4()
    with target.begin() as conn:
        conn.execute(sa.insert(target_table("person")), [_person("1-P1", person_id)])
    participant = {
        "id": uuid.uuid4(),
        "case_id": uuid.uuid4(),  # no such case
        "person_id": person_id,
        **_lineage("CX_CASE_CON", "1-CC1"),
    }
    with pytest.raises(sa.exc.IntegrityError), target.begin() as conn:
        conn.execute(sa.insert(target_table("case_participant")), [participant])
    with target.connect() as conn:
        count = conn.execute(
            sa.select(sa.func.count()).select_from(target_table("case_participant"))
        )
        assert count.scalar_one() == 0


def test_restricted_tables_reference_icm_persons(target: sa.Engine) -> None:
    """The cross-schema key restricted -> icm holds on SQLite too (SQLAlchemy would drop it there)."""
    identifier = {
        "id": uuid.uuid4(),
        "person_id": uuid.uuid4(),  # no such person
        "id_type": "BC_PHN",
        "id_value": "9123456789",
        "is_verified": False,
        **_lineage("S_CONTACT", "1-P2"),
    }
    with pytest.raises(sa.exc.IntegrityError), target.begin() as conn:
        conn.execute(sa.insert(target_table("person_identifier")), [identifier])


def test_lineage_key_rejects_a_duplicate_legacy_row(target: sa.Engine) -> None:
    person = target_table("person")
    with target.begin() as conn:
        conn.execute(sa.insert(person), [_person("1-DUP")])
    with pytest.raises(sa.exc.IntegrityError), target.begin() as conn:
        conn.execute(sa.insert(person), [_person("1-DUP")])
    with target.begin() as conn:
        conn.execute(sa.insert(person), [_person("1-OTHER")])
        assert conn.execute(sa.select(sa.func.count()).select_from(person)).scalar_one() == 2


def test_timestamps_round_trip_in_utc(target: sa.Engine) -> None:
    at = dt.datetime(2019, 3, 10, 9, 30, tzinfo=dt.UTC)
    person = _person("1-TS")
    person["legacy_last_upd"] = at
    with target.begin() as conn:
        conn.execute(sa.insert(target_table("person")), [person])
        stored = conn.execute(sa.select(target_table("person").c.legacy_last_upd)).scalar_one()
    assert stored.replace(tzinfo=stored.tzinfo or dt.UTC) == at


def test_downgrade_to_base_removes_the_tables_and_upgrade_restores_them(target: sa.Engine) -> None:
    with target.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert target_revision(target) is None
    assert present_target_tables(target) == []
    assert init_target(target) == head_revision()
    assert schema_differences(target) == []


def test_run_init_target_reports_revision_and_tables_without_the_password(tmp_path: Path) -> None:
    out = io.StringIO()
    console = Console(file=out, width=200)
    url = f"sqlite:///{tmp_path / 'flow.sqlite'}"
    assert run_init_target(url, console) == head_revision()
    assert run_init_target(url, console) == head_revision()
    text = out.getvalue()
    assert f"{EXPECTED_TABLE_COUNT} of {EXPECTED_TABLE_COUNT} target tables" in text
    assert "already at revision" in text


def test_run_init_target_never_prints_the_password(pg_url: str) -> None:
    url = sa.make_url(pg_url).set(password="s3cret-pw").render_as_string(hide_password=False)
    out = io.StringIO()
    run_init_target(url, Console(file=out, width=200))  # trust auth: any password is accepted
    text = out.getvalue()
    assert "s3cret-pw" not in text
    assert "127.0.0.1:5432" in text and f"revision {head_revision()}" in text


def test_unsupported_dialect_is_a_terminal_error() -> None:
    engine = sa.create_engine("mysql+pymysql://root@127.0.0.1:3306/none")  # never connects
    with pytest.raises(UnsupportedTargetError, match="PostgreSQL or SQLite") as caught:
        init_target(engine)
    assert caught.value.retryable is False
    with pytest.raises(UnsupportedTargetError):
        target_revision(engine)


def _code_value(row_id: str, sort_order: Decimal) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "code_set": "ICM_CASE_STATUS",
        "code": row_id,
        "sort_order": sort_order,
        **_lineage("S_LST_OF_VAL", row_id),
    }


@pytest.mark.parametrize(
    "sort_order",
    [Decimal("123456789012345.1234567"), Decimal("-999999999999999.9999999"), Decimal("0E-7")],
)
def test_a_numeric_keeps_every_digit_on_both_engines(
    target: sa.Engine, sort_order: Decimal
) -> None:
    """SQLite's NUMERIC is a double (15 digits): the store keeps NUMERIC(22,7) as exact text there."""
    table = target_table("code_value")
    with target.begin() as conn:
        conn.execute(sa.insert(table), [_code_value("1-N", sort_order)])
        stored = conn.execute(sa.select(table.c.sort_order)).scalar_one()
    assert type(stored) is Decimal and stored == sort_order


def test_a_sqlite_store_upgraded_to_0006_keeps_its_sort_orders(tmp_path: Path) -> None:
    engine = make_target_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0005")
            conn.exec_driver_sql(
                "INSERT INTO code_value (id, code_set, code, sort_order, legacy_table, "
                "legacy_row_id, migration_run_id, source_hash) VALUES "
                "('00000000000000000000000000000001', 'S', 'C', 2.5, 'S_LST_OF_VAL', '1-O', 'r', "
                f"'{'0' * 64}')"
            )
        assert init_target(engine) == "0010"
        assert schema_differences(engine) == []
        table = target_table("code_value")
        with engine.begin() as conn:
            assert conn.execute(sa.select(table.c.sort_order)).scalar_one() == Decimal("2.5")
            conn.execute(sa.insert(table), [_code_value("1-N", Decimal("123456789012345.1234567"))])
            found = conn.execute(
                sa.select(table.c.sort_order).where(table.c.legacy_row_id == "1-N")
            ).scalar_one()
        assert found == Decimal("123456789012345.1234567")
    finally:
        engine.dispose()


def _review_rows(name: str, n: int) -> list[dict[str, Any]]:
    at = dt.datetime(2026, 11, 20, 8, 30, 15, 250000, tzinfo=dt.UTC)
    if name == "quarantine_review":
        return [
            {
                "legacy_table": "S_CONTACT",
                "legacy_row_id": f"1-Q{i}",
                "previous_status": "open",
                "status": "waived",
                "reviewed_by": "steward-1",
                "reviewed_at": at + dt.timedelta(minutes=i),
                "note": f"note {i}, café",
            }
            for i in range(n)
        ]
    return [
        {
            "person_a_row_id": f"1-A{i}",
            "person_b_row_id": f"1-B{i}",
            "previous_decision": "pending",
            "decision": "different",
            "reviewed_by": "steward-2",
            "reviewed_at": at + dt.timedelta(minutes=i),
            "note": f"pair {i}",
        }
        for i in range(n)
    ]


def test_revision_0009_chains_the_reviews_written_before_it_and_guards_them(
    target_db_url: str,
) -> None:
    """Rows written at 0008 get hash links in id order; then UPDATE and DELETE are refused."""
    from load.audit_chain import GENESIS, chain_digest
    from reconcile import check_audit_trails

    engine = make_target_engine(target_db_url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0008")
            for name, n in (("quarantine_review", 3), ("match_review", 2)):
                old = sa.table(  # the table as revision 0008 made it
                    name,
                    *(
                        sa.column(c.name, c.type)
                        for c in target_table(name).columns
                        if c.name not in ("id", "chain_sha256")
                    ),
                    schema="migration" if engine.dialect.name == "postgresql" else None,
                )
                conn.execute(sa.insert(old), _review_rows(name, n))
        assert init_target(engine) == "0010"
        assert schema_differences(engine) == []
        with engine.connect() as conn:
            trails = {t.table: t for t in check_audit_trails(conn)}
            table = target_table("quarantine_review")
            stored = (
                conn.execute(sa.select(table.c.chain_sha256).order_by(table.c.id)).scalars().all()
            )
        assert {n: (t.rows, t.intact) for n, t in trails.items()} == {
            "quarantine_review": (3, True),
            "match_review": (2, True),
            "disclosure": (0, True),
        }
        expected, previous = [], GENESIS
        for row in _review_rows("quarantine_review", 3):
            previous = chain_digest(previous, "quarantine_review", row)
            expected.append(previous)
        assert stored == expected
        for statement in (
            f"UPDATE {_qualified(engine, 'migration', 'quarantine_review')} SET note = 'x'",
            f"DELETE FROM {_qualified(engine, 'migration', 'match_review')}",
        ):
            refused = pytest.raises(sa.exc.IntegrityError, match="is append-only")
            with refused, engine.begin() as conn:
                conn.exec_driver_sql(statement)
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0008")
            conn.exec_driver_sql(f"DELETE FROM {_qualified(engine, 'migration', 'match_review')}")
        assert target_revision(engine) == "0008"
    finally:
        engine.dispose()
