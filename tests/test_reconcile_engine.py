"""The comparison engine on a really migrated store: nothing on a clean migration, and every
kind of discrepancy found, with the right table, ROW_ID and fields, after tampering.

The store is built once per module by the real pipeline from a synthetic legacy
database (quarantined, excluded and normalised rows included); each test
tampers with its own copy (SQLite files copied, PostgreSQL cloned).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from databases import postgres_database
from reconcile_support import (
    PERSONS,
    SEED,
    Store,
    cloned_postgres,
    copy_files,
    copy_sqlite_store,
    found,
    generate_legacy,
    legacy,
    migrate,
    reconcile,
    summary,
    target,
)

import extract
import load
import synthetic
from flows.engines import make_source
from flows.pipeline import migrate_direct
from flows.reconcile_flow import expected_rows, reconcile_direct
from reconcile import Discrepancy, migration_run_of, reconcile_stores

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def legacy_base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return generate_legacy(tmp_path_factory.mktemp("legacy"))


@pytest.fixture(scope="module")
def sqlite_base(legacy_base: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Store:
    folder = tmp_path_factory.mktemp("sqlite-store")
    return migrate(*legacy_base, f"sqlite:///{folder / 'target.sqlite'}", folder / "store")


@pytest.fixture(scope="module")
def pg_base(
    legacy_base: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    with postgres_database() as url:
        yield migrate(*legacy_base, url, tmp_path_factory.mktemp("pg-store") / "store")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh copy of the migrated store, on each target engine."""
    if request.param == "sqlite":
        yield copy_sqlite_store(request.getfixturevalue("sqlite_base"), tmp_path / "copy")
        return
    base: Store = request.getfixturevalue("pg_base")
    with cloned_postgres(base.target_url) as url:
        yield replace(copy_files(base, tmp_path / "copy"), target_url=url)


@pytest.fixture
def sqlite_store(sqlite_base: Store, tmp_path: Path) -> Store:
    return copy_sqlite_store(sqlite_base, tmp_path / "copy")


def t(name: str) -> sa.Table:
    return load.target_table(name)


def rows(store: Store, stmt: sa.Select[Any]) -> list[sa.Row[Any]]:
    with target(store) as engine, engine.connect() as conn:
        return list(conn.execute(stmt))


def change(store: Store, *statements: sa.Executable, enforce_keys: bool = True) -> None:
    """Run ``statements`` on the target in one transaction (foreign keys off if asked)."""
    with target(store) as engine, engine.connect() as conn:
        if not enforce_keys:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            else:
                conn.exec_driver_sql("SET session_replication_role = replica")
        for stmt in statements:
            conn.execute(stmt)
        conn.commit()


def by_key(table: sa.Table, row_id: str) -> Any:
    return table.c.legacy_row_id == row_id


# ---------------------------------------------------------------- clean


def test_a_clean_migration_reconciles_clean(store: Store, tmp_path: Path) -> None:
    result = reconcile(store, tmp_path / "report")
    assert summary(result) == []
    assert result.status == "clean" and result.exit_code == 0
    assert len(result.tables) == 16
    for name, counts in result.tables.items():
        assert counts.source_rows > 0, name
        assert counts.source_rows == counts.loaded + counts.quarantined + counts.excluded, name
    # Quarantined, excluded and normalised rows are in there, and none is a false positive.
    assert sum(c.quarantined for c in result.tables.values()) > 0
    assert sum(c.excluded for c in result.tables.values()) > 0
    assert {"CODE_NORMALISED", "PLACEHOLDER_VALUE"} <= {f.code for f in result.flags}
    assert {"ORPHAN_REFERENCE", "DOB_IN_FUTURE"} <= {r.code for r in result.quarantine_reasons}
    assert all(0 < len(r.example_row_ids) <= 5 for r in result.quarantine_reasons)


# ---------------------------------------------------------------- content


def _persons(store: Store, where: Any, n: int, skip: set[str]) -> list[sa.Row[Any]]:
    person = t("person")
    found_rows = rows(store, sa.select(person).where(where).order_by(person.c.legacy_row_id))
    chosen = [r for r in found_rows if r.legacy_row_id not in skip][:n]
    assert len(chosen) == n, "the synthetic store has too few suitable persons"
    skip.update(r.legacy_row_id for r in chosen)
    return chosen


def test_each_small_edit_of_a_target_value_is_a_field_mismatch(
    store: Store, tmp_path: Path
) -> None:
    person, intake, code_value = t("person"), t("intake_report"), t("code_value")
    used: set[str] = set()
    (spaced,) = _persons(store, person.c.family_name.is_not(None), 1, used)
    (cased,) = _persons(store, person.c.given_name.is_not(None), 1, used)
    (null_text,) = _persons(store, person.c.middle_name.is_(None), 1, used)
    (null_marker,) = _persons(store, person.c.preferred_name.is_(None), 1, used)
    report = rows(
        store,
        sa.select(intake).where(intake.c.reported_at.is_not(None)).order_by(intake.c.legacy_row_id),
    )[0]
    code = rows(
        store,
        sa.select(code_value)
        .where(code_value.c.sort_order.is_not(None))
        .order_by(code_value.c.legacy_row_id),
    )[0]
    assert cased.given_name.swapcase() != cased.given_name
    change(
        store,
        sa.update(person)
        .where(by_key(person, spaced.legacy_row_id))
        .values(family_name=spaced.family_name + " "),
        sa.update(person)
        .where(by_key(person, cased.legacy_row_id))
        .values(given_name=cased.given_name.swapcase()),
        sa.update(person).where(by_key(person, null_text.legacy_row_id)).values(middle_name="NULL"),
        sa.update(person)
        .where(by_key(person, null_marker.legacy_row_id))
        .values(preferred_name="<null>"),
        sa.update(intake)
        .where(by_key(intake, report.legacy_row_id))
        .values(reported_at=report.reported_at + dt.timedelta(seconds=1)),
        sa.update(code_value)
        .where(by_key(code_value, code.legacy_row_id))
        .values(sort_order=Decimal(code.sort_order) + Decimal("0.01")),
    )

    result = reconcile(store, tmp_path / "report")

    def mismatch(legacy_table: str, row_id: str, target_table: str) -> Any:
        hits = found(result, "field_mismatch", legacy_table, row_id, target_table)
        assert len(hits) == 1, summary(result)
        return hits[0]

    trailing = mismatch("S_CONTACT", spaced.legacy_row_id, "person")
    assert trailing.fields == ("family_name",)
    assert trailing.values[0].actual == trailing.values[0].expected + " "
    assert trailing.values[0].pii_kind == "name"
    assert spaced.family_name not in trailing.detail  # values never in the detail
    assert mismatch("S_CONTACT", cased.legacy_row_id, "person").fields == ("given_name",)
    null_as_text = mismatch("S_CONTACT", null_text.legacy_row_id, "person")
    assert null_as_text.fields == ("middle_name",)
    assert (null_as_text.values[0].expected, null_as_text.values[0].actual) == (None, "NULL")
    assert mismatch("S_CONTACT", null_marker.legacy_row_id, "person").fields == ("preferred_name",)
    second = mismatch("S_INCIDENT", report.legacy_row_id, "intake_report")
    assert second.fields == ("reported_at",)
    assert second.values[0].actual - second.values[0].expected == dt.timedelta(seconds=1)
    cent = mismatch("S_LST_OF_VAL", code.legacy_row_id, "code_value")
    assert cent.fields == ("sort_order",)
    assert Decimal(str(cent.values[0].actual)) - Decimal(str(cent.values[0].expected)) == Decimal(
        "0.01"
    )
    assert len(result.discrepancies) == 6, summary(result)
    assert result.tables["S_CONTACT"].mismatched == 4 and result.status == "discrepancies"


# ---------------------------------------------------------------- keys


def test_deleted_inserted_and_unrecorded_rows_are_found(store: Store, tmp_path: Path) -> None:
    audit, alias, staff, ledger, attachment = (
        t(n) for n in ("legacy_audit_event", "person_alias", "staff_user", "ledger", "attachment")
    )
    gone_audit = rows(store, sa.select(audit.c.legacy_row_id).order_by(audit.c.legacy_row_id))[
        3
    ].legacy_row_id
    gone_alias = rows(
        store, sa.select(alias.c.legacy_row_id, alias.c.alias_seq).order_by(alias.c.legacy_row_id)
    )[0]
    # A leaf: no other legacy row's outcome depends on this one's ledger entry.
    unrecorded = rows(
        store, sa.select(attachment.c.legacy_row_id).order_by(attachment.c.legacy_row_id)
    )[1].legacy_row_id
    lineage = {
        "migration_run_id": "tamper",
        "source_hash": "0" * 64,
        "legacy_table": "S_USER",
        "is_active": True,
    }
    change(
        store,
        sa.delete(audit).where(by_key(audit, gone_audit)),
        sa.delete(alias).where(
            by_key(alias, gone_alias.legacy_row_id), alias.c.alias_seq == gone_alias.alias_seq
        ),
        sa.insert(staff).values(
            id=load.target_id("X", "inserted-1"), legacy_row_id="1-0NEW", **lineage
        ),
        sa.insert(staff).values(
            id=load.target_id("X", "inserted-2"), legacy_row_id="ZZZZ-NEW", **lineage
        ),
        sa.delete(ledger).where(
            ledger.c.legacy_table == "S_ACTIVITY_ATT", ledger.c.legacy_row_id == unrecorded
        ),
    )

    result = reconcile(store, tmp_path / "report")

    assert found(result, "missing_in_target", "S_AUDIT_ITEM", gone_audit, "legacy_audit_event"), (
        summary(result)
    )
    assert found(
        result, "missing_in_target", "S_CONTACT_X", gone_alias.legacy_row_id, "person_alias"
    )
    # One inserted inside the range of the source's keys, one past its last key.
    for row_id in ("1-0NEW", "ZZZZ-NEW"):
        assert found(result, "unexpected_in_target", "S_USER", row_id, "staff_user"), summary(
            result
        )
    assert found(result, "unaccounted", "S_ACTIVITY_ATT", unrecorded)
    # Its target row is now one no ledger entry says was loaded.
    assert found(result, "unexpected_in_target", "S_ACTIVITY_ATT", unrecorded, "attachment")
    counts = result.tables["S_ACTIVITY_ATT"]
    assert counts.unaccounted == 1
    assert counts.source_rows == counts.loaded + counts.quarantined + counts.excluded + 1
    counts = result.tables
    assert counts["S_USER"].unexpected_in_target == 2
    assert counts["S_AUDIT_ITEM"].missing_in_target == 1
    assert len(result.discrepancies) == 6, summary(result)


# ---------------------------------------------------------------- bookkeeping


def test_quarantine_records_and_flags_are_checked_like_target_rows(
    store: Store, tmp_path: Path
) -> None:
    quarantine, flag, ledger = t("quarantine"), t("dq_flag"), t("ledger")
    records = rows(
        store,
        sa.select(quarantine).order_by(quarantine.c.legacy_table, quarantine.c.legacy_row_id),
    )
    gone, edited_raw, edited_codes = records[0], records[1], records[2]
    raw = json.loads(edited_raw.raw_row)
    column = next(c for c, v in raw.items() if isinstance(v, str) and c != "ROW_ID")
    raw[column] += " "
    flags = [
        f
        for f in rows(store, sa.select(flag).order_by(flag.c.id))
        if f.code not in load.FILE_FLAG_CODES and f.original_value is not None
    ]
    lost_flag = flags[0]
    edited_flag = next(f for f in flags if f.legacy_row_id != lost_flag.legacy_row_id)
    loaded_row = rows(
        store,
        sa.select(ledger.c.legacy_row_id, ledger.c.target_id)
        .where(ledger.c.legacy_table == "S_CONTACT", ledger.c.outcome == "loaded")
        .order_by(ledger.c.legacy_row_id),
    )[0]
    touched = {gone, edited_raw, edited_codes}
    assert len({(r.legacy_table, r.legacy_row_id) for r in touched}) == 3
    change(
        store,
        sa.delete(quarantine).where(
            quarantine.c.legacy_table == gone.legacy_table,
            by_key(quarantine, gone.legacy_row_id),
        ),
        sa.update(quarantine)
        .where(
            quarantine.c.legacy_table == edited_raw.legacy_table,
            by_key(quarantine, edited_raw.legacy_row_id),
        )
        .values(raw_row=json.dumps(raw, ensure_ascii=False, sort_keys=True)),
        sa.update(quarantine)
        .where(
            quarantine.c.legacy_table == edited_codes.legacy_table,
            by_key(quarantine, edited_codes.legacy_row_id),
        )
        .values(reason_codes='["MADE_UP"]'),
        sa.insert(quarantine).values(
            legacy_table="S_CONTACT",
            legacy_row_id=loaded_row.legacy_row_id,
            run_id="tamper",
            reason_codes="[]",
            details="[]",
            raw_row="{}",
            status="open",
        ),
        sa.delete(flag).where(flag.c.id == lost_flag.id),
        sa.update(flag)
        .where(flag.c.id == edited_flag.id)
        .values(original_value=edited_flag.original_value + "x"),
        sa.insert(flag).values(
            legacy_table="S_CONTACT",
            legacy_row_id=loaded_row.legacy_row_id,
            target_table="person",
            target_id=loaded_row.target_id,
            code="MADE_UP",
            field="BIRTH_DT",
            run_id="tamper",
        ),
        sa.insert(flag).values(
            legacy_table=gone.legacy_table,
            legacy_row_id=gone.legacy_row_id,
            code="MADE_UP",
            field="",
            run_id="tamper",
        ),
    )

    result = reconcile(store, tmp_path / "report")

    assert found(result, "missing_in_target", gone.legacy_table, gone.legacy_row_id, "quarantine")
    raw_hit = found(
        result, "field_mismatch", edited_raw.legacy_table, edited_raw.legacy_row_id, "quarantine"
    )
    assert [d.fields for d in raw_hit] == [(f"raw_row.{column}",)], summary(result)
    assert raw_hit[0].values[0].pii_kind == "text"
    codes_hit = found(
        result,
        "field_mismatch",
        edited_codes.legacy_table,
        edited_codes.legacy_row_id,
        "quarantine",
    )
    assert [d.fields for d in codes_hit] == [("reason_codes",)]
    assert found(
        result, "unexpected_in_target", "S_CONTACT", loaded_row.legacy_row_id, "quarantine"
    )
    assert found(
        result, "missing_in_target", lost_flag.legacy_table, lost_flag.legacy_row_id, "dq_flag"
    )
    flag_hit = found(
        result, "field_mismatch", edited_flag.legacy_table, edited_flag.legacy_row_id, "dq_flag"
    )
    assert [d.fields for d in flag_hit] == [("original_value",)]
    assert flag_hit[0].values[0].pii_kind == "text"
    assert edited_flag.original_value not in flag_hit[0].detail
    made_up = found(result, "unexpected_in_target", None, None, "dq_flag")
    assert {(d.legacy_table, d.legacy_row_id) for d in made_up} == {
        ("S_CONTACT", loaded_row.legacy_row_id),
        (gone.legacy_table, gone.legacy_row_id),
    }
    assert len(result.discrepancies) == 8, summary(result)


def test_probable_duplicate_pairs_are_checked(store: Store, tmp_path: Path) -> None:
    candidate = t("person_match_candidate")
    order = (candidate.c.person_a_row_id, candidate.c.person_b_row_id)
    stored = rows(store, sa.select(candidate).order_by(*order))
    assert len(stored) >= 2, "the synthetic store has too few probable duplicates"
    lost, altered = stored[0], stored[1]
    change(
        store,
        sa.delete(candidate).where(
            candidate.c.person_a_row_id == lost.person_a_row_id,
            candidate.c.person_b_row_id == lost.person_b_row_id,
        ),
        sa.update(candidate)
        .where(
            candidate.c.person_a_row_id == altered.person_a_row_id,
            candidate.c.person_b_row_id == altered.person_b_row_id,
        )
        .values(evidence="[]", decision="same_person", decided_by="a steward"),
    )

    result = reconcile(store, tmp_path / "report")

    pair = f"{lost.person_a_row_id}:{lost.person_b_row_id}"
    (missing,) = found(result, "missing_in_target", "S_CONTACT", lost.person_a_row_id)
    assert (missing.target_table, missing.target_id) == ("person_match_candidate", pair)
    (mismatch,) = found(result, "field_mismatch", "S_CONTACT", altered.person_a_row_id)
    assert mismatch.target_table == "person_match_candidate"
    assert mismatch.fields == ("evidence",)  # the steward's decision is theirs: not compared
    assert result.tables["S_CONTACT"].missing_in_target == 1
    assert result.tables["S_CONTACT"].mismatched == 1
    assert len(result.discrepancies) == 2, summary(result)


# ---------------------------------------------------------------- integrity


def test_a_link_to_a_deleted_parent_is_an_orphan(store: Store, tmp_path: Path) -> None:
    participant, person = t("case_participant"), t("person")
    child = rows(store, sa.select(participant).order_by(participant.c.legacy_row_id))[0]
    (parent,) = rows(
        store, sa.select(person.c.legacy_row_id).where(person.c.id == child.person_id)
    )[0]
    change(store, sa.delete(person).where(person.c.id == child.person_id), enforce_keys=False)

    result = reconcile(store, tmp_path / "report")

    orphan = found(
        result, "orphan_reference", "CX_CASE_CON", child.legacy_row_id, "case_participant"
    )
    assert [d.fields for d in orphan] == [("person_id",)], summary(result)
    assert orphan[0].target_id == str(child.id)
    assert found(result, "missing_in_target", "S_CONTACT", parent, "person")
    assert result.tables["CX_CASE_CON"].orphan_references >= 1


def test_a_changed_attachment_file_is_found(sqlite_store: Store, tmp_path: Path) -> None:
    store = sqlite_store
    attachment = t("attachment")
    present = rows(
        store,
        sa.select(attachment)
        .where(attachment.c.binary_status == "present", attachment.c.size_bytes > 1)
        .order_by(attachment.c.legacy_row_id),
    )
    truncated, edited = present[0], next(r for r in present[1:] if r.sha256 != present[0].sha256)
    with (store.store / truncated.storage_key).open("r+b") as handle:
        handle.truncate(truncated.size_bytes - 1)
    (store.files / f"{edited.legacy_row_id}_{edited.revision or ''}.SAF").write_bytes(
        b"edited after the migration"
    )

    result = reconcile(store, tmp_path / "report")

    stored = found(
        result, "attachment_mismatch", "S_ACTIVITY_ATT", truncated.legacy_row_id, "attachment"
    )
    assert [set(d.fields) for d in stored] == [{"size_bytes", "sha256"}], summary(result)
    siebel = found(
        result, "attachment_mismatch", "S_ACTIVITY_ATT", edited.legacy_row_id, "attachment"
    )
    assert [d.fields for d in siebel] == [("sha256",)]
    assert "changed since the migration" in siebel[0].detail
    assert result.tables["S_ACTIVITY_ATT"].attachment_mismatches == len(
        found(result, "attachment_mismatch")
    )


def test_an_attachment_recorded_missing_is_checked_too(sqlite_store: Store, tmp_path: Path) -> None:
    """Editing a present binary to ``missing`` (sha256 and storage_key cleared, so the row is
    consistent in itself) must not take it out of the file checks; nor may a file appear
    in the Siebel folder for a row recorded missing; nor may a hash change case."""
    store = sqlite_store
    attachment = t("attachment")
    present = rows(
        store,
        sa.select(attachment)
        .where(attachment.c.binary_status == "present")
        .order_by(attachment.c.legacy_row_id),
    )
    missing = rows(
        store,
        sa.select(attachment)
        .where(attachment.c.binary_status == "missing")
        .order_by(attachment.c.legacy_row_id),
    )
    hidden, cased = present[0], present[1]
    appeared = missing[0]
    change(
        store,
        sa.update(attachment)
        .where(by_key(attachment, hidden.legacy_row_id))
        .values(binary_status="missing", sha256=None, storage_key=None),
        sa.update(attachment)
        .where(by_key(attachment, cased.legacy_row_id))
        .values(sha256=cased.sha256.upper(), storage_key=cased.storage_key.upper()),
    )
    (store.files / f"{appeared.legacy_row_id}_{appeared.revision or ''}.SAF").write_bytes(b"late")

    result = reconcile(store, tmp_path / "report")

    def mismatch(row: Any) -> Discrepancy:
        hits = found(result, "attachment_mismatch", "S_ACTIVITY_ATT", row.legacy_row_id)
        assert len(hits) == 1, summary(result)
        return hits[0]

    assert mismatch(hidden).fields == ("binary_status",)
    assert "recorded as missing" in mismatch(hidden).detail
    assert mismatch(appeared).fields == ("binary_status",)
    assert (mismatch(appeared).values[0].expected, mismatch(appeared).values[0].actual) == (
        "size_mismatch",
        "missing",
    )
    assert mismatch(cased).fields == ("sha256",)
    assert len(found(result, "attachment_mismatch")) == 3, summary(result)


# ---------------------------------------------------------------- source side


def test_source_rows_edited_or_deleted_since_the_migration(
    sqlite_store: Store, tmp_path: Path
) -> None:
    store = sqlite_store
    contact, attachments, audit = (
        extract.legacy_table(n) for n in ("S_CONTACT", "S_ACTIVITY_ATT", "S_AUDIT_ITEM")
    )
    with legacy(store) as engine, engine.begin() as conn:
        edited = conn.execute(
            sa.select(contact.c.ROW_ID)
            .where(contact.c.LAST_NAME.is_not(None))
            .order_by(contact.c.ROW_ID)
        ).all()[2][0]
        last_attachment = conn.execute(sa.select(sa.func.max(attachments.c.ROW_ID))).scalar_one()
        audit_row = conn.execute(
            sa.select(audit.c.ROW_ID)
            .where(audit.c.OPERATION_CD != extract.MERGE_OPERATION)
            .order_by(audit.c.ROW_ID)
        ).all()[1][0]
        conn.execute(
            sa.update(contact)
            .where(contact.c["ROW_ID"] == edited)
            .values(LAST_NAME=contact.c.LAST_NAME + "x")
        )
        conn.execute(sa.delete(attachments).where(attachments.c["ROW_ID"] == last_attachment))
        conn.execute(sa.delete(audit).where(audit.c["ROW_ID"] == audit_row))

    result = reconcile(store, tmp_path / "report")

    assert found(result, "changed_in_source", "S_CONTACT", edited), summary(result)
    assert not found(
        result, "field_mismatch", "S_CONTACT", edited
    )  # it changed: not also a mismatch
    assert found(
        result, "deleted_in_source", "S_ACTIVITY_ATT", last_attachment
    )  # past the last key
    assert found(result, "deleted_in_source", "S_AUDIT_ITEM", audit_row)
    assert result.tables["S_CONTACT"].changed_in_source == 1
    assert result.tables["S_AUDIT_ITEM"].deleted_in_source == 1
    assert len(result.discrepancies) == 3, summary(result)


def test_small_batches_find_the_same(sqlite_store: Store, tmp_path: Path) -> None:
    """Key ranges cut anywhere (11 rows a batch) give the same answer as one batch per table."""
    store = sqlite_store
    staff, audit, person = t("staff_user"), t("legacy_audit_event"), t("person")
    lineage = {"migration_run_id": "tamper", "source_hash": "0" * 64, "legacy_table": "S_USER"}
    first_person = rows(store, sa.select(person.c.legacy_row_id).order_by(person.c.legacy_row_id))[
        8
    ].legacy_row_id
    change(
        store,
        sa.insert(staff).values(
            id=load.target_id("X", "in-range"), legacy_row_id="1-10K", **lineage
        ),
        sa.delete(audit).where(
            audit.c.legacy_row_id.in_(sa.select(audit.c.legacy_row_id).limit(3).scalar_subquery())
        ),
        sa.update(person).where(by_key(person, first_person)).values(family_name="Changed"),
    )
    whole = reconcile(store, tmp_path / "whole")
    pieces = reconcile(store, tmp_path / "pieces", batch_size=11)
    assert len(whole.discrepancies) == 5
    assert sorted(summary(pieces)) == sorted(summary(whole))
    assert pieces.tables == whole.tables


@pytest.mark.parametrize("legacy_engine", ["postgresql", "mariadb"])
def test_a_clean_migration_from_another_legacy_engine_reconciles_clean(
    legacy_engine: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Dates, timestamps and numbers read from PostgreSQL or MariaDB compare by meaning too."""
    url: str = request.getfixturevalue("pg_url" if legacy_engine == "postgresql" else "mariadb_url")
    engine = sa.create_engine(url)
    try:
        synthetic.generate(engine, persons=PERSONS, seed=SEED, attachments_dir=tmp_path / "files")
    finally:
        engine.dispose()
    target_url = f"sqlite:///{tmp_path / 'target.sqlite'}"
    migrate_direct(
        url,
        target_url,
        attachments_dir=tmp_path / "files",
        attachment_store=tmp_path / "store",
        as_of=synthetic.AS_OF,
    )
    outcome = reconcile_direct(
        source=url,
        target=target_url,
        out_dir=tmp_path / "report",
        attachment_store=tmp_path / "store",
        attachments_dir=tmp_path / "files",
        as_of=synthetic.AS_OF,
    )
    assert [
        (d.kind, d.legacy_table, d.legacy_row_id, d.fields) for d in outcome.result.discrepancies
    ] == []
    assert sum(c.source_rows for c in outcome.result.tables.values()) > 500


def test_the_rows_an_extension_table_completes_are_read_once_per_range(
    store: Store, tmp_path: Path
) -> None:
    """S_CONTACT_X completes person rows loaded from S_CONTACT: the check that each ledger
    target row is there and the comparison of the completed columns read them once per range."""
    batch = 10
    reads: list[str] = []
    source = make_source(store.source_url)
    with target(store) as engine:

        @sa.event.listens_for(engine, "before_cursor_execute")
        def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if re.search(r"\bperson\.id (IN|= ANY)", statement):
                reads.append(statement)

        with engine.connect() as conn:
            run = migration_run_of(conn)
        expected = expected_rows(
            source, engine, migration_run_id=run.id, as_of=synthetic.AS_OF, batch_size=batch
        )
        try:
            result = reconcile_stores(
                source, engine, expected, batch_size=batch, tables=["S_CONTACT_X"]
            )
        finally:
            expected.close()
            source.close()
    counts = result.tables["S_CONTACT_X"]
    assert counts.loaded > 2 * batch and len(result.discrepancies) == 0
    assert len(reads) == math.ceil(counts.source_rows / batch)
