"""Database errors become Transient/Terminal LoadErrors that name the table and never quote row values."""

from __future__ import annotations

import pickle
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from test_load_support import make_target, person_batch, row_ids, staff_batch

import load
from flows.engines import make_target_engine


def new_run(engine: sa.Engine) -> str:
    return load.start_run(engine, kind="full", source="test", code_version="t", rules_version="t")


def test_a_locked_sqlite_database_is_transient_and_the_retry_succeeds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'target.sqlite'}"
    make_target(url).dispose()
    impatient = make_target_engine(url)

    @sa.event.listens_for(impatient.engine, "connect")
    def _no_wait(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout=0")

    run = new_run(impatient)
    holder = sqlite3.connect(tmp_path / "target.sqlite", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(load.TransientLoadError) as caught:
            load.write_batch(impatient, staff_batch(["0-A"]), run_id=run)
        assert caught.value.retryable and "retry may help" in str(caught.value)
        assert caught.value.__cause__ is None and "User0" not in str(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    counts = load.write_batch(impatient, staff_batch(["0-A"]), run_id=run)
    assert counts.loaded == 1
    impatient.dispose()


def test_a_missing_table_is_terminal_and_named(target_db_url: str) -> None:
    engine = make_target(target_db_url)
    run = new_run(engine)
    with engine.begin() as conn:
        load.target_table("checkpoint").drop(conn)
    with pytest.raises(load.TerminalLoadError) as caught:
        load.write_batch(engine, staff_batch(["0-A"]), run_id=run)
    assert caught.value.table == "checkpoint" and not caught.value.retryable
    assert load.outcome_counts(engine) == {}  # the ledger rows went with the rollback
    engine.dispose()


def test_an_integrity_error_names_table_and_column_without_values(target_db_url: str) -> None:
    engine = make_target(target_db_url)
    secret = "Zebediah-Personal"
    table = load.target_table("person")
    values = {
        "id": load.target_id("S_CONTACT", "1-A"),
        "family_name": secret,
        "legacy_table": "S_CONTACT",
        "legacy_row_id": "1-A",
        "migration_run_id": "r",
        "source_hash": "h",
        "record_status": None,
    }
    with pytest.raises(sa.exc.IntegrityError) as raised, engine.begin() as conn:
        conn.execute(sa.insert(table).values(values))
    error = load.classify_db_error(raised.value, legacy_row_id="1-A")
    assert isinstance(error, load.TerminalLoadError)
    assert (error.table, error.column, error.legacy_row_id) == ("person", "record_status", "1-A")
    assert secret not in str(error)
    engine.dispose()


def test_a_not_null_violation_in_a_batch_names_the_row(target_db_url: str) -> None:
    engine = make_target(target_db_url)
    result = person_batch(row_ids(3))
    persons = result.upserts["person"].copy()
    persons.loc[2, "record_status"] = None
    result.upserts["person"] = persons
    with pytest.raises(load.TerminalLoadError) as caught:
        load.write_batch(engine, result, run_id=new_run(engine))
    assert (caught.value.table, caught.value.legacy_row_id, caught.value.column) == (
        "person",
        "1-000002",
        "record_status",
    )
    assert "Family2" not in str(caught.value) and caught.value.__cause__ is None
    engine.dispose()


def test_a_lock_timeout_on_postgres_is_transient(pg_url: str) -> None:
    make_target(pg_url).dispose()
    engine = make_target_engine(
        sa.make_url(pg_url)
        .update_query_dict({"options": "-c lock_timeout=200"})
        .render_as_string(False)
    )
    run = new_run(engine)
    blocker = make_target_engine(pg_url)
    with blocker.connect() as conn:
        conn.execute(sa.text("LOCK TABLE migration.ledger IN ACCESS EXCLUSIVE MODE"))
        with pytest.raises(load.TransientLoadError) as caught:
            load.write_batch(engine, staff_batch(["0-A"]), run_id=run)
        assert caught.value.sqlstate == "55P03"
        conn.rollback()
    assert load.write_batch(engine, staff_batch(["0-A"]), run_id=run).loaded == 1
    engine.dispose()
    blocker.dispose()


def test_a_lost_postgres_connection_is_transient(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        with admin.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(sa.exc.DBAPIError) as raised:
            conn.execute(sa.text("SELECT 1"))
    error = load.classify_db_error(raised.value, table="person")
    assert isinstance(error, load.TransientLoadError) and error.table == "person"
    engine.dispose()
    admin.dispose()


def test_a_postgres_deadlock_is_transient(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (k int PRIMARY KEY, v int)"))
        conn.execute(sa.text("INSERT INTO t VALUES (1, 0), (2, 0)"))
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker(first: int, second: int) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("SET LOCAL deadlock_timeout = '50ms'"))
                conn.execute(sa.text("UPDATE t SET v = v + 1 WHERE k = :k"), {"k": first})
                barrier.wait(timeout=10)
                conn.execute(sa.text("UPDATE t SET v = v + 1 WHERE k = :k"), {"k": second})
        except sa.exc.DBAPIError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=args) for args in ((1, 2), (2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(errors) == 1
    error = load.classify_db_error(errors[0])
    assert isinstance(error, load.TransientLoadError) and error.sqlstate == "40P01"
    engine.dispose()


def test_a_load_error_survives_pickling_unchanged() -> None:
    """An error may cross from a worker process: same class, message and fields, advice not doubled."""
    error = load.TerminalLoadError(
        "a required value is missing", table="person", legacy_row_id="1-A", column="family_name"
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is load.TerminalLoadError
    assert str(copy) == str(error)
    assert str(copy).count("a retry will not help") == 1
    assert (copy.table, copy.legacy_row_id, copy.column) == ("person", "1-A", "family_name")
