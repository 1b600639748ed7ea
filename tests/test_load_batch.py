"""write_batch on SQLite and PostgreSQL: lineage, ledger, idempotency, rewrites, atomicity."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import pandas as pd
import pytest
import sqlalchemy as sa
from test_load_support import (
    dump,
    extension_batch,
    make_target,
    person_batch,
    row_ids,
    source_hash,
    staff_batch,
)

import load
from transform.identity import target_id
from transform.result import Reason


@pytest.fixture
def target(target_db_url: str) -> sa.Engine:
    engine = make_target(target_db_url)
    yield engine
    engine.dispose()


def new_run(engine: sa.Engine) -> str:
    return load.start_run(
        engine, kind="full", source="sqlite:///legacy.db", code_version="t", rules_version="t"
    )


def rows(engine: sa.Engine, sql: str, **params: object) -> list[tuple[object, ...]]:
    table_sql = sql
    if engine.dialect.name == "sqlite":
        for schema in load.SCHEMAS:
            table_sql = table_sql.replace(f"{schema}.", "")
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(table_sql), params)]


def test_rows_land_with_lineage_run_id_ledger_and_checkpoint(target: sa.Engine) -> None:
    run = new_run(target)
    ids = row_ids(6)
    counts = load.write_batch(target, person_batch(ids, quarantined=[ids[2]]), run_id=run)

    assert (counts.loaded, counts.quarantined, counts.excluded, counts.flags, counts.unchanged) == (
        5,
        1,
        0,
        5,
        0,
    )
    assert counts.strategy == ("copy" if target.dialect.name == "postgresql" else "executemany")
    persons = rows(
        target,
        "SELECT id, legacy_table, legacy_row_id, migration_run_id, source_hash FROM icm.person",
    )
    assert sorted(p[2] for p in persons) == sorted(set(ids) - {ids[2]})
    for pid, legacy_table, row_id, run_id, hash_ in persons:
        assert uuid.UUID(str(pid)) == target_id("S_CONTACT", row_id)
        assert (legacy_table, run_id, hash_) == ("S_CONTACT", run, source_hash("S_CONTACT", row_id))
    assert len(rows(target, "SELECT id FROM restricted.person_identifier")) == 10
    ledger = rows(
        target, "SELECT legacy_row_id, outcome, target_table, run_id FROM migration.ledger"
    )
    assert sorted(ledger) == sorted(
        (r, "quarantined" if r == ids[2] else "loaded", None if r == ids[2] else "person", run)
        for r in ids
    )
    (quarantine,) = rows(
        target,
        "SELECT legacy_row_id, reason_codes, details, raw_row, status FROM migration.quarantine",
    )
    assert quarantine[0] == ids[2] and json.loads(str(quarantine[1])) == ["DOB_IN_FUTURE"]
    assert json.loads(str(quarantine[2]))[0]["column"] == "BIRTH_DT" and quarantine[4] == "open"
    assert json.loads(str(quarantine[3]))["ROW_ID"] == ids[2]
    assert len(rows(target, "SELECT id FROM migration.dq_flag WHERE code = 'PHN_NORMALISED'")) == 5
    checkpoint = load.read_checkpoint(target, "S_CONTACT")
    assert checkpoint is not None
    assert (
        checkpoint.run_id,
        checkpoint.last_row_id,
        checkpoint.rows_done,
        checkpoint.completed,
    ) == (
        run,
        ids[-1],
        6,
        False,
    )


def test_the_same_batch_twice_changes_nothing(target: sa.Engine) -> None:
    first = new_run(target)
    ids = row_ids(8)
    load.write_batch(target, staff_batch(row_ids(3, 100)), run_id=first)
    load.write_batch(target, person_batch(ids, quarantined=ids[::3]), run_id=first)
    load.write_batch(target, extension_batch({"1-X01": (ids[1], ["Ann", "Annie"])}), run_id=first)
    before = dump(target)

    second = new_run(target)
    assert second != first
    again = [
        load.write_batch(target, staff_batch(row_ids(3, 100)), run_id=second),
        load.write_batch(target, person_batch(ids, quarantined=ids[::3]), run_id=second),
        load.write_batch(
            target, extension_batch({"1-X01": (ids[1], ["Ann", "Annie"])}), run_id=second
        ),
    ]
    assert dump(target) == before  # migration_run_id, flag ids and all
    assert [c.unchanged for c in again] == [3, 8, 1]
    assert sum(c.loaded + c.quarantined + c.flags + c.target_rows_written for c in again) == 0
    assert load.read_checkpoint(target, "S_CONTACT").run_id == second  # type: ignore[union-attr]


def test_a_changed_row_is_rewritten_and_its_flags_replaced(target: sa.Engine) -> None:
    first, second = new_run(target), new_run(target)
    ids = row_ids(4)
    load.write_batch(target, person_batch(ids), run_id=first)
    counts = load.write_batch(target, person_batch(ids, versions={ids[1]: 2}), run_id=second)

    assert (counts.loaded, counts.unchanged) == (1, 3)
    persons = dict(rows(target, "SELECT legacy_row_id, family_name FROM icm.person"))
    assert persons[ids[1]] == "Family1v2" and persons[ids[0]] == "Family0v1"
    runs = dict(rows(target, "SELECT legacy_row_id, migration_run_id FROM icm.person"))
    assert runs == {ids[0]: first, ids[1]: second, ids[2]: first, ids[3]: first}
    identifier_runs = rows(
        target,
        "SELECT DISTINCT migration_run_id FROM restricted.person_identifier WHERE legacy_row_id = :r",
        r=ids[1],
    )
    assert identifier_runs == [(second,)]
    flags = rows(
        target,
        "SELECT legacy_row_id, original_value, run_id FROM migration.dq_flag ORDER BY legacy_row_id",
    )
    assert flags[1] == (ids[1], "9 000000001 v2", second)
    assert flags[0] == (ids[0], "9 000000000 v1", first)
    ledger = dict(rows(target, "SELECT legacy_row_id, source_hash FROM migration.ledger"))
    assert ledger[ids[1]] == source_hash("S_CONTACT", ids[1], 2)


def test_loaded_then_quarantined_deletes_its_target_rows(target: sa.Engine) -> None:
    run = new_run(target)
    ids = row_ids(3)
    load.write_batch(target, person_batch(ids), run_id=run)
    counts = load.write_batch(
        target, person_batch(ids, quarantined=[ids[0]], versions={ids[0]: 2}), run_id=run
    )

    assert (counts.quarantined, counts.unchanged, counts.target_rows_deleted) == (1, 2, 3)
    assert (
        rows(target, "SELECT legacy_row_id FROM icm.person WHERE legacy_row_id = :r", r=ids[0])
        == []
    )
    assert (
        rows(
            target, "SELECT id FROM restricted.person_identifier WHERE legacy_row_id = :r", r=ids[0]
        )
        == []
    )
    assert (
        rows(target, "SELECT code FROM migration.dq_flag WHERE legacy_row_id = :r", r=ids[0]) == []
    )
    assert rows(
        target, "SELECT outcome FROM migration.ledger WHERE legacy_row_id = :r", r=ids[0]
    ) == [("quarantined",)]
    assert len(rows(target, "SELECT legacy_row_id FROM migration.quarantine")) == 1

    # ... and back to loaded: the quarantine record goes, the rows return.
    load.write_batch(target, person_batch(ids, versions={ids[0]: 3}), run_id=run)
    assert rows(target, "SELECT legacy_row_id FROM migration.quarantine") == []
    assert len(rows(target, "SELECT id FROM icm.person")) == 3


def test_an_identifier_no_longer_produced_is_deleted(target: sa.Engine) -> None:
    run = new_run(target)
    ids = row_ids(2)
    load.write_batch(target, person_batch(ids), run_id=run)
    load.write_batch(target, person_batch(ids, versions={ids[0]: 2}, phn_for=[ids[1]]), run_id=run)
    found = rows(
        target, "SELECT legacy_row_id, id_type FROM restricted.person_identifier ORDER BY 1, 2"
    )
    assert found == [(ids[0], "LEGACY_MIS"), (ids[1], "BC_PHN"), (ids[1], "LEGACY_MIS")]


def test_aliases_no_longer_produced_are_deleted_and_extension_columns_survive(
    target: sa.Engine,
) -> None:
    run = new_run(target)
    ids = row_ids(2)
    load.write_batch(target, person_batch(ids), run_id=run)
    load.write_batch(
        target, extension_batch({"1-X01": (ids[0], ["Ann", "Annie", "Anna"])}), run_id=run
    )
    assert len(rows(target, "SELECT id FROM icm.person_alias")) == 3

    counts = load.write_batch(
        target, extension_batch({"1-X01": (ids[0], ["Ann"])}, version=2), run_id=run
    )
    assert counts.target_rows_deleted == 2
    assert rows(target, "SELECT alias_seq, full_name FROM icm.person_alias") == [(1, "Ann")]
    alert = "SELECT alert_text, extension_row_id FROM icm.person WHERE legacy_row_id = :r"
    assert rows(target, alert, r=ids[0]) == [("alert v2", "1-X01")]

    # The person's own row changes: its upsert keeps what S_CONTACT_X set.
    load.write_batch(target, person_batch(ids, versions={ids[0]: 2}), run_id=run)
    assert rows(target, alert, r=ids[0]) == [("alert v2", "1-X01")]

    # The extension row is quarantined: its aliases go and the person's extension columns are cleared.
    load.write_batch(
        target,
        extension_batch({"1-X01": (ids[0], [])}, version=3, quarantined=["1-X01"]),
        run_id=run,
    )
    assert rows(target, "SELECT id FROM icm.person_alias") == []
    assert rows(target, alert, r=ids[0]) == [(None, None)]


def test_a_failure_in_a_later_table_rolls_back_everything(target: sa.Engine) -> None:
    run = new_run(target)
    ids = row_ids(3)
    result = person_batch(ids)
    identifiers = result.upserts["person_identifier"].copy()
    identifiers.loc[identifiers["legacy_row_id"] == ids[1], "person_id"] = target_id(
        "S_CONTACT", "1-NOPE"
    )
    result.upserts["person_identifier"] = identifiers

    with pytest.raises(load.TerminalLoadError) as caught:
        load.write_batch(target, result, run_id=run)

    error = caught.value
    assert (error.table, error.legacy_row_id, error.column) == (
        "person_identifier",
        ids[1],
        "person_id",
    )
    assert not error.retryable and "retry will not help" in str(error)
    for table in (
        "icm.person",
        "restricted.person_identifier",
        "migration.ledger",
        "migration.dq_flag",
    ):
        assert rows(target, f"SELECT * FROM {table}") == [], table
    assert load.read_checkpoint(target, "S_CONTACT") is None


def test_a_value_too_long_for_its_column_fails_alike_on_both_engines(target: sa.Engine) -> None:
    result = person_batch(row_ids(2))
    persons = result.upserts["person"].copy()
    persons.loc[1, "given_name"] = "x" * 51
    result.upserts["person"] = persons
    with pytest.raises(load.TerminalLoadError) as caught:
        load.write_batch(target, result, run_id=new_run(target))
    assert (caught.value.table, caught.value.legacy_row_id, caught.value.column) == (
        "person",
        "1-000001",
        "given_name",
    )
    assert "x" * 51 not in str(caught.value)
    assert rows(target, "SELECT * FROM migration.ledger") == []


def test_an_update_of_a_missing_row_is_an_error(target: sa.Engine) -> None:
    with pytest.raises(load.TerminalLoadError) as caught:
        load.write_batch(
            target, extension_batch({"1-X09": ("1-NOPERSON", [])}), run_id=new_run(target)
        )
    assert (caught.value.table, caught.value.legacy_row_id) == ("person", "1-X09")


@pytest.mark.parametrize(
    "breach", ["unloaded_target_row", "duplicate_ledger", "missing_column", "unknown_table"]
)
def test_a_broken_contract_writes_nothing(sqlite_url: str, breach: str) -> None:
    """Checked before any connection is opened, so one engine is enough."""
    target = make_target(sqlite_url)
    ids = row_ids(3)
    result = person_batch(ids, quarantined=[ids[0]])
    if breach == "unloaded_target_row":
        extra = person_batch([ids[0]]).upserts["person"]
        result.upserts["person"] = pd.concat([result.upserts["person"], extra], ignore_index=True)
    elif breach == "duplicate_ledger":
        result.ledger = pd.concat([result.ledger, result.ledger.iloc[[1]]], ignore_index=True)
    elif breach == "missing_column":
        result.upserts["person"] = result.upserts["person"].drop(columns=["record_status"])
    else:
        result.upserts["no_such_table"] = result.upserts.pop("person")
    with pytest.raises(load.TerminalLoadError):
        load.write_batch(target, result, run_id=new_run(target))
    assert rows(target, "SELECT * FROM migration.ledger") == []


def test_staff_users_keep_their_values(target: sa.Engine) -> None:
    run = new_run(target)
    load.write_batch(target, staff_batch(["0-A", "0-B"]), run_id=run)
    found = rows(
        target,
        "SELECT legacy_row_id, login, is_active, legacy_modification_num FROM icm.staff_user ORDER BY 1",
    )
    assert found == [("0-A", "USER0", True, 1), ("0-B", "USER1", False, 1)]
    assert load.outcome_counts(target) == {"S_USER": {"loaded": 2, "quarantined": 0, "excluded": 0}}


def test_a_parent_still_referred_to_waits_for_the_sweep_at_the_end_of_the_run(
    target: sa.Engine,
) -> None:
    """A person turned quarantined while an alias still refers to it stays until the run's
    sweep (its dependents are written later in the run); the sweep refuses, naming it, while
    something refers to it, and deletes it once that row is rewritten (here the extension
    row, quarantined in turn)."""
    run = new_run(target)
    ids = row_ids(2)
    load.write_batch(target, person_batch(ids), run_id=run)
    load.write_batch(target, extension_batch({"1-X01": (ids[0], ["Ann"])}), run_id=run)
    load.write_batch(
        target, person_batch(ids, quarantined=[ids[0]], versions={ids[0]: 2}), run_id=run
    )
    persons = "SELECT legacy_row_id FROM icm.person ORDER BY 1"
    assert rows(target, persons) == [(ids[0],), (ids[1],)]
    outcome = "SELECT outcome FROM migration.ledger WHERE legacy_row_id = :r"
    assert rows(target, outcome, r=ids[0]) == [("quarantined",)]

    before = dump(target)
    with pytest.raises(load.TerminalLoadError) as caught:
        load.sweep_unloaded(target)
    assert (caught.value.table, caught.value.legacy_row_id) == ("person", ids[0])
    assert "refer to them" in str(caught.value)
    assert dump(target) == before

    load.write_batch(
        target, extension_batch({"1-X01": (ids[0], ["Ann"])}, quarantined=["1-X01"]), run_id=run
    )
    assert load.sweep_unloaded(target) == 1
    assert rows(target, persons) == [(ids[1],)]
    assert load.sweep_unloaded(target) == 0


def test_repeated_flags_are_written_once_and_contradicting_ones_refused(target: sa.Engine) -> None:
    ids = row_ids(2)
    result = person_batch(ids)
    result.flags.append(result.flags[0])
    counts = load.write_batch(target, result, run_id=new_run(target))
    assert counts.flags == 2
    assert len(rows(target, "SELECT id FROM migration.dq_flag")) == 2

    clash = person_batch(ids, versions={ids[0]: 2})
    first = clash.flags[0]
    clash.flags.append(type(first)(**{**first.__dict__, "original_value": "something else"}))
    with pytest.raises(load.TerminalLoadError) as caught:
        load.write_batch(target, clash, run_id=new_run(target))
    assert (caught.value.legacy_row_id, caught.value.column) == (ids[0], "X_PHN")


def test_a_row_whose_output_alone_changed_is_rewritten(target: sa.Engine) -> None:
    """Same source and outcome, another value (a pick list or a rule changed): rewritten."""
    first, second = new_run(target), new_run(target)
    ids = row_ids(4)
    load.write_batch(target, person_batch(ids), run_id=first)
    recoded = person_batch(ids)
    persons = recoded.upserts["person"]
    persons.loc[persons["legacy_row_id"] == ids[1], "sex_code"] = "FEM"
    counts = load.write_batch(target, recoded, run_id=second)

    assert (counts.loaded, counts.unchanged, counts.target_rows_written) == (1, 3, 1)
    found = rows(target, "SELECT legacy_row_id, sex_code, migration_run_id FROM icm.person")
    assert sorted(found) == [
        (ids[0], "M", first),
        (ids[1], "FEM", second),
        (ids[2], "M", first),
        (ids[3], "F", first),
    ]
    ledger = dict(rows(target, "SELECT legacy_row_id, run_id FROM migration.ledger"))
    assert ledger == {ids[0]: first, ids[1]: second, ids[2]: first, ids[3]: first}
    # The same batch once more: nothing left to rewrite.
    assert load.write_batch(target, recoded, run_id=new_run(target)).unchanged == 4


def test_a_target_row_an_unchanged_row_no_longer_produces_is_deleted(target: sa.Engine) -> None:
    run = new_run(target)
    ids = row_ids(2)
    load.write_batch(target, person_batch(ids), run_id=run)
    counts = load.write_batch(target, person_batch(ids, phn_for=[ids[1]]), run_id=run)

    assert (counts.loaded, counts.target_rows_deleted) == (1, 1)
    found = rows(
        target, "SELECT legacy_row_id, id_type FROM restricted.person_identifier ORDER BY 1, 2"
    )
    assert found == [(ids[0], "LEGACY_MIS"), (ids[1], "BC_PHN"), (ids[1], "LEGACY_MIS")]


def test_an_unchanged_row_whose_update_changed_is_rewritten(target: sa.Engine) -> None:
    """An extension row's update of its person is part of its output."""
    run = new_run(target)
    ids = row_ids(2)
    load.write_batch(target, person_batch(ids), run_id=run)
    load.write_batch(target, extension_batch({"1-X01": (ids[0], ["Ann"])}), run_id=run)
    changed = extension_batch({"1-X01": (ids[0], ["Ann"])})
    changed.updates["person"]["alert_text"] = "another alert"
    counts = load.write_batch(target, changed, run_id=run)

    assert (counts.loaded, counts.unchanged) == (1, 0)
    alert = "SELECT alert_text FROM icm.person WHERE legacy_row_id = :r"
    assert rows(target, alert, r=ids[0]) == [("another alert",)]


def test_a_stewards_quarantine_status_stands_until_the_record_changes(target: sa.Engine) -> None:
    ids = row_ids(3)
    batch = person_batch(ids, quarantined=[ids[0]])
    load.write_batch(target, batch, run_id=new_run(target))
    with target.begin() as conn:
        conn.execute(sa.update(load.target_table("migration.quarantine")).values(status="waived"))
        # As a store written before output digests were kept: every row is rewritten once.
        conn.execute(sa.update(load.target_table("migration.ledger")).values(output_digest=None))
    before = dump(target)

    counts = load.write_batch(target, batch, run_id=new_run(target))
    assert (counts.quarantined, counts.loaded, counts.unchanged) == (1, 2, 0)
    status = "SELECT status FROM migration.quarantine"
    assert rows(target, status) == [("waived",)]
    after = dump(target)
    assert after.pop("ledger") != before.pop("ledger")  # the digests, and the rows' run id
    assert after == before  # target rows, records and flags as they were, run ids too

    (record,) = batch.quarantined
    other = Reason("PARENT_QUARANTINED", None, f"S_CONTACT {ids[0]}: its parent is quarantined")
    batch.quarantined[0] = replace(record, reasons=(*record.reasons, other))
    load.write_batch(target, batch, run_id=new_run(target))
    assert rows(target, status) == [("open",)]
