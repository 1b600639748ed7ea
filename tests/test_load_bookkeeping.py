"""Runs, checkpoints, ledger reads, match candidates and the crosswalk, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
import sqlalchemy as sa
from test_load_support import make_target, person_batch, row_ids, staff_batch

import load
from load.matches import WITHDRAWN
from load.runs import check_redacted


@pytest.fixture
def target(target_db_url: str) -> sa.Engine:
    engine = make_target(target_db_url)
    yield engine
    engine.dispose()


def start(engine: sa.Engine, source: str = "oracle+oracledb://icm:***@legacy/ICM") -> str:
    return load.start_run(
        engine, kind="full", source=source, code_version="c1", rules_version="r1", requested_by="me"
    )


def run_row(engine: sa.Engine, run_id: str) -> dict[str, object]:
    table = load.target_table("migration_run")
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(table).where(table.c.id == run_id)).mappings().one())


def test_a_run_is_recorded_finished_and_resumed_only_while_unfinished(target: sa.Engine) -> None:
    assert load.latest_unfinished_run(target) is None
    first = start(target)
    row = run_row(target, first)
    assert (row["status"], row["kind"], row["source"], row["requested_by"]) == (
        "running",
        "full",
        "oracle+oracledb://icm:***@legacy/ICM",
        "me",
    )
    assert row["finished_at"] is None
    assert load.latest_unfinished_run(target) == first

    load.finish_run(target, first, "failed", "TransientLoadError")
    assert (
        run_row(target, first)["status"] == "failed"
        and run_row(target, first)["finished_at"] is not None
    )
    assert load.latest_unfinished_run(target) is None
    assert load.latest_unfinished_run(target, include_failed=True) == first

    second = start(target)
    assert load.latest_unfinished_run(target) == second
    load.finish_run(target, second, "succeeded")
    assert load.latest_unfinished_run(target, include_failed=True) is None
    with pytest.raises(load.TerminalLoadError):
        load.finish_run(target, "no-such-run", "succeeded")
    with pytest.raises(load.TerminalLoadError):
        load.finish_run(target, second, "done")


SECRETS = [
    "postgresql+psycopg://icm:s3cret@db/icm",
    "DRIVER={Oracle};DBQ=ICM;UID=icm;PWD=s3cret",
    "DRIVER={Oracle};DBQ=ICM;UID=icm;Password={s3 cret}",
    "mssql+pyodbc://icm@dsn?password=s3cret",
    "icm:s3cret@legacy-host",
]
REDACTED = [
    "postgresql+psycopg://icm:***@db/icm",
    "DRIVER={Oracle};DBQ=ICM;UID=icm;PWD=***",
    "sqlite:///legacy.db",
    "postgresql://icm@db:5432/icm",
]


@pytest.mark.parametrize("source", SECRETS)
def test_a_password_is_recognised_without_repeating_it(source: str) -> None:
    with pytest.raises(load.UnredactedSourceError) as caught:
        check_redacted(source)
    assert "s3cret" not in str(caught.value) and "s3 cret" not in str(caught.value)


def test_a_run_with_a_password_in_its_source_is_refused_and_redacted_ones_stored(
    target: sa.Engine,
) -> None:
    with pytest.raises(load.UnredactedSourceError):
        start(target, SECRETS[0])
    assert load.latest_unfinished_run(target) is None
    for source in REDACTED:
        assert run_row(target, start(target, source))["source"] == source


def test_checkpoints_advance_complete_and_reset(target: sa.Engine) -> None:
    run = start(target)
    assert load.read_checkpoint(target, "S_USER") is None
    load.write_batch(target, staff_batch(["0-A", "0-B"]), run_id=run)
    load.write_batch(target, staff_batch(["0-C"]), run_id=run)
    checkpoint = load.read_checkpoint(target, "S_USER")
    assert checkpoint is not None
    assert (
        checkpoint.last_row_id,
        checkpoint.rows_done,
        checkpoint.completed,
        checkpoint.run_id,
    ) == (
        "0-C",
        3,
        False,
        run,
    )
    assert checkpoint.updated_at is not None and checkpoint.updated_at.tzinfo is not None
    load.mark_table_complete(target, "S_USER", run)
    load.mark_table_complete(target, "S_CASE", run)  # a table with no rows at all
    done = load.read_checkpoint(target, "S_USER")
    assert done is not None and done.completed and done.rows_done == 3 and done.last_row_id == "0-C"
    empty = load.read_checkpoint(target, "S_CASE")
    assert empty is not None and empty.completed and empty.rows_done == 0

    # A batch of a new run restarts the count.
    other = start(target)
    load.write_batch(target, staff_batch(["0-A"]), run_id=other)
    again = load.read_checkpoint(target, "S_USER")
    assert again is not None and (again.run_id, again.rows_done, again.completed) == (
        other,
        1,
        False,
    )

    assert load.reset_checkpoints(target) == 2
    assert (
        load.read_checkpoint(target, "S_USER") is None
        and load.read_checkpoint(target, "S_CASE") is None
    )


def test_ledger_outcomes_match_keys_exactly(target: sa.Engine) -> None:
    run = start(target)
    ids = row_ids(3)
    load.write_batch(target, person_batch(ids, quarantined=[ids[1]]), run_id=run)
    asked = {"S_CONTACT": [*ids, ids[0] + " ", ids[0].lower(), "1-MISSING"], "S_USER": ["0-A"]}
    assert load.ledger_outcomes(target, asked) == {
        ("S_CONTACT", ids[0]): "loaded",
        ("S_CONTACT", ids[1]): "quarantined",
        ("S_CONTACT", ids[2]): "loaded",
    }


def test_ledger_outcomes_reads_keys_in_chunks(target: sa.Engine) -> None:
    ids = row_ids(12000)
    load.write_batch(target, staff_batch(ids), run_id=start(target))
    found = load.ledger_outcomes(target, {"S_USER": ids[::-1]})
    assert len(found) == 12000 and set(found.values()) == {"loaded"}


def test_outcome_counts_per_table(target: sa.Engine) -> None:
    run = start(target)
    ids = row_ids(5)
    load.write_batch(target, person_batch(ids, quarantined=ids[:2]), run_id=run)
    load.write_batch(target, staff_batch(["0-A"]), run_id=run)
    assert load.outcome_counts(target) == {
        "S_CONTACT": {"loaded": 3, "quarantined": 2, "excluded": 0},
        "S_USER": {"loaded": 1, "quarantined": 0, "excluded": 0},
    }


def candidates(*pairs: tuple[str, str, float, list[str]]) -> pd.DataFrame:
    return pd.DataFrame(
        pairs, columns=["person_a_row_id", "person_b_row_id", "score", "evidence"], dtype=object
    )


def test_match_candidates_keep_the_stewards_decision(target: sa.Engine) -> None:
    run = start(target)
    written = load.write_match_candidates(
        target,
        candidates(
            ("1-B", "1-A", 0.9, ["family_name", "birth_date"]), ("1-A", "1-C", 0.7, ["phn"])
        ),
        run_id=run,
    )
    assert written == load.CandidateWrite(written=2, withdrawn=0)
    table = load.target_table("person_match_candidate")
    with target.begin() as conn:
        conn.execute(
            sa.update(table)
            .where(table.c.person_a_row_id == "1-A", table.c.person_b_row_id == "1-B")
            .values(decision="different", decided_by="steward", decided_at=dt.datetime.now(dt.UTC))
        )
    later = start(target)
    again = load.write_match_candidates(
        target,
        candidates(
            ("1-A", "1-B", 0.95, ["family_name", "birth_date", "phn"]), ("1-A", "1-C", 0.7, ["phn"])
        ),
        run_id=later,
    )
    assert again.written == 1  # the unchanged pair is left alone
    with target.connect() as conn:
        found = {(r.person_a_row_id, r.person_b_row_id): r for r in conn.execute(sa.select(table))}
    ab = found[("1-A", "1-B")]
    assert (ab.decision, ab.decided_by, ab.score, ab.run_id) == (
        "different",
        "steward",
        0.95,
        later,
    )
    assert json.loads(ab.evidence) == ["family_name", "birth_date", "phn"]
    ac = found[("1-A", "1-C")]
    assert (ac.decision, ac.run_id) == ("pending", run)


def test_a_decided_pair_no_longer_proposed_is_withdrawn_on_the_record(target: sa.Engine) -> None:
    """Every pair goes, as a fresh migration would have none; the stewards' decisions stay in
    the review history (even one set by hand that says neither who nor when), and a pair
    proposed again starts pending."""
    pairs = candidates(
        ("1-A", "1-B", 0.9, ["family_name"]),
        ("1-A", "1-C", 0.7, ["phn"]),
        ("1-B", "1-D", 0.6, ["phn"]),
    )
    load.write_match_candidates(target, pairs, run_id=start(target))
    table, review = load.target_table("person_match_candidate"), load.target_table("match_review")
    decided_at = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    with target.begin() as conn:  # decided by hand, as before match-decide: no history yet
        conn.execute(
            sa.update(table)
            .where(table.c.person_b_row_id == "1-B")
            .values(decision="same_person", decided_by="a.steward", decided_at=decided_at)
        )
        conn.execute(
            sa.update(table).where(table.c.person_b_row_id == "1-D").values(decision="different")
        )

    later = start(target)
    assert load.write_match_candidates(target, candidates(), run_id=later) == load.CandidateWrite(
        written=3, withdrawn=2
    )
    with target.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0
        row, unsigned = conn.execute(sa.select(review).order_by(review.c.person_b_row_id)).all()
    assert (unsigned.previous_decision, unsigned.decision) == ("different", WITHDRAWN)
    assert "an unknown steward at an unknown time" in unsigned.note
    assert (row.person_a_row_id, row.person_b_row_id) == ("1-A", "1-B")
    assert (row.previous_decision, row.decision) == ("same_person", WITHDRAWN)
    assert row.reviewed_by == f"icm-migrate run {later}"
    assert "a.steward" in row.note and "2026-11-02T09:30:00+00:00" in row.note
    withdrawn_at = row.reviewed_at.replace(tzinfo=row.reviewed_at.tzinfo or dt.UTC)
    assert withdrawn_at > decided_at  # when the run withdrew it, not when it was decided

    load.write_match_candidates(target, pairs, run_id=start(target))
    with target.connect() as conn:
        again = conn.execute(sa.select(table).where(table.c.person_b_row_id == "1-B")).one()
        assert conn.execute(sa.select(sa.func.count()).select_from(review)).scalar_one() == 2
    assert (again.decision, again.decided_by, again.decided_at) == ("pending", None, None)


def test_match_candidates_need_their_columns(target: sa.Engine) -> None:
    with pytest.raises(load.TerminalLoadError):
        load.write_match_candidates(
            target, pd.DataFrame({"person_a_row_id": ["1-A"]}), run_id=start(target)
        )


def test_seed_crosswalk_upserts_and_refuses_contradictions(target: sa.Engine) -> None:
    rows = [
        ("PLCMT_TYPE", "FOSTER HOME ", "FOSTER", None),
        ("PLCMT_TYPE", "Foster home", "FOSTER", "old"),
    ]
    assert load.seed_crosswalk(target, rows) == 2
    assert load.seed_crosswalk(target, rows) == 0
    assert (
        load.seed_crosswalk(target, [("PLCMT_TYPE", "Foster home", "FOSTER", "renamed 2014")]) == 1
    )
    with pytest.raises(load.TerminalLoadError):
        load.seed_crosswalk(target, [("X", "a", "A", None), ("X", "a", "B", None)])
    table = load.target_table("code_crosswalk")
    with target.connect() as conn:
        found = sorted(tuple(r) for r in conn.execute(sa.select(table)))
    assert found == [
        ("PLCMT_TYPE", "FOSTER HOME ", "FOSTER", None),
        ("PLCMT_TYPE", "Foster home", "FOSTER", "renamed 2014"),
    ]


def test_runs_and_reviews_are_timed_by_the_store_s_clock(pg_url: str) -> None:
    """On PostgreSQL the times compared with each other (a replay mark, a run's start) come
    from the server's clock, whatever the writing host's says: here the server's clock
    reads 2031, by a clock_timestamp() that the database's search path finds first."""
    from flows.engines import make_target_engine
    from load.transaction import store_now

    skewed = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)
    engine = make_target_engine(pg_url)
    load.init_target(engine)
    database = engine.url.database
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA skewed_clock")
        conn.exec_driver_sql(
            "CREATE FUNCTION skewed_clock.clock_timestamp() RETURNS timestamptz LANGUAGE sql "
            "AS $$ SELECT timestamptz '2031-01-01 00:00:00+00' $$"
        )
        conn.exec_driver_sql(
            f'ALTER DATABASE "{database}" SET search_path = skewed_clock, pg_catalog, public'
        )
    engine.dispose()
    engine = make_target_engine(pg_url)
    try:
        run_id = load.start_run(
            engine, kind="full", source="sqlite:///legacy", code_version="t", rules_version="t"
        )
        load.finish_run(engine, run_id, "succeeded")
        with engine.begin() as conn:
            assert store_now(conn) == skewed
            load.bookkeeping.record_status_changes(
                conn,
                [("S_CONTACT", "1-X", "open")],
                status="waived",
                reviewed_by="steward-1",
                note="checked",
            )
        run = load.target_table("migration_run")
        review = load.target_table("quarantine_review")
        with engine.connect() as conn:
            times = conn.execute(sa.select(run.c.started_at, run.c.finished_at)).one()
            reviewed = conn.execute(sa.select(review.c.reviewed_at)).scalar_one()
        assert (*times, reviewed) == (skewed, skewed, skewed)
    finally:
        engine.dispose()


def test_a_review_timed_in_another_zone_is_stored_and_chained_as_the_same_instant(
    target: sa.Engine,
) -> None:
    """Vancouver time in, UTC stored (SQLite would keep the wall time and drop the zone),
    and the hash link computed from what is stored, so it verifies."""
    from reconcile import check_audit_trails

    vancouver = dt.timezone(dt.timedelta(hours=-8))
    at = dt.datetime(2026, 12, 4, 16, 30, 5, 123456, tzinfo=vancouver)
    with target.begin() as conn:
        load.bookkeeping.record_status_changes(
            conn,
            [("S_CONTACT", "1-X", "open"), ("S_CONTACT", "1-Y", "open")],
            status="waived",
            reviewed_by="steward-1",
            note="checked",
            at=at,
        )
    review = load.target_table("quarantine_review")
    with target.connect() as conn:
        stored = conn.execute(sa.select(review.c.reviewed_at)).scalars().all()
        trails = {t.table: t for t in check_audit_trails(conn)}
    assert [s.replace(tzinfo=s.tzinfo or dt.UTC) for s in stored] == [at, at]
    assert (trails["quarantine_review"].rows, trails["quarantine_review"].intact) == (2, True)


def test_concurrent_disclosures_keep_one_chain_whatever_the_database_s_isolation(
    pg_url: str,
) -> None:
    """Disclosures are written under the shared store lock, so writers overlap: each waits
    for the trail's lock and reads the latest head, even where the database defaults to
    REPEATABLE READ (a snapshot from before the lock would fork the chain)."""
    from concurrent.futures import ThreadPoolExecutor

    from flows.engines import make_target_engine
    from reconcile import check_audit_trails

    engine = make_target_engine(pg_url)
    load.init_target(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            f'ALTER DATABASE "{engine.url.database}" '
            "SET default_transaction_isolation = 'repeatable read'"
        )
    engine.dispose()
    engine = make_target_engine(pg_url)

    def disclose(worker: int) -> None:
        for i in range(10):
            with load.write_transaction(engine) as conn:
                load.record_disclosure(
                    conn, requested_by=f"auditor-{worker}", command="test", what=f"item {i}"
                )

    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(disclose, range(4)))
        with engine.connect() as conn:
            trails = {t.table: t for t in check_audit_trails(conn)}
        assert (trails["disclosure"].rows, trails["disclosure"].intact) == (40, True)
        with pytest.raises(load.TerminalLoadError, match="READ COMMITTED"), engine.begin() as conn:
            load.record_disclosure(conn, requested_by="auditor-9", command="test", what="x")
    finally:
        engine.dispose()


def test_a_role_that_may_only_read_and_insert_can_append_to_the_trails(pg_url: str) -> None:
    """The natural grant for an append-only table is SELECT and INSERT: that must do."""
    import uuid

    from flows.engines import make_target_engine

    engine = make_target_engine(pg_url)
    load.init_target(engine)
    role = f"icm_test_appender_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA migration TO {role}")
        conn.exec_driver_sql(f"GRANT SELECT, INSERT ON migration.disclosure TO {role}")
        conn.exec_driver_sql(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA migration TO {role}")
    appender = make_target_engine(engine.url.set(username=role).render_as_string(False))
    try:
        with load.write_transaction(appender) as conn:
            load.record_disclosure(conn, requested_by="auditor-1", command="test", what="x")
        with appender.connect() as conn:
            count = conn.execute(sa.text("SELECT count(*) FROM migration.disclosure")).scalar()
        assert count == 1
    finally:
        appender.dispose()
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        engine.dispose()
