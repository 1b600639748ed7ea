"""Clean legacy rows, a batch context and result helpers for the transform tests.

Imported by the other ``test_transform_*`` modules; its own tests check that every clean
row of every table loads with no flag, so a helper drifting into bad data fails here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

import transform
from transform.contract import columns_of
from transform.facts import build_relationships

D = dt.datetime
USERS = frozenset({"0-1", "1-U1"})

CODES: dict[str, dict[str, str]] = {
    "ICM_OFFICE": {"Victoria": "VIC"},
    "SEX_MF": {"Female": "F", "Male": "M"},
    "ICM_INDIG_STATUS": {"Not Indigenous": "NOT_INDIG"},
    "ADDRESS_TYPE": {"Home": "HOME"},
    "CONTACT_RELATIONSHIP_TYPE": {
        "Parent Of": "PARENT_OF",
        "Child Of": "CHILD_OF",
        "Sibling": "SIBLING",
    },
    "ICM_CASE_TYPE": {"Family Service": "FS"},
    "ICM_CASE_STATUS": {"Open": "OPEN", "Closed": "CLOSED", "Entered in Error": "ENTERED_IN_ERROR"},
    "ICM_LEGAL_STATUS": {"Voluntary": "VOL"},
    "ICM_CASE_CLOSE_RSN": {"Services Completed": "COMPLETED"},
    "ICM_CASE_ROLE": {"Subject Child": "CHILD"},
    "ICM_INC_TYPE": {"Child Protection Report": "CPR"},
    "ICM_INC_STATUS": {"Open": "OPEN"},
    "ICM_SCREEN_DECISION": {"Screened In": "IN"},
    "ICM_RESPONSE_PRIORITY": {"24 Hours": "P24"},
    "ICM_REPORTER_TYPE": {"Teacher": "TEACHER"},
    "ICM_FINDING": {"Substantiated": "SUB"},
    "ICM_INC_ROLE": {"Alleged Victim": "VICTIM"},
    "ICM_ALLEGATION": {"Neglect": "NEGLECT"},
    "SR_TYPE": {"Youth Agreement": "YAG"},
    "SR_STATUS": {"Open": "OPEN"},
    "TODO_TYPE": {"Contact Note": "NOTE"},
    "EVENT_STATUS": {"Done": "DONE"},
    "ICM_ASSESS_DECISION": {"Safe": "SAFE"},
    "ICM_RISK_LEVEL": {"Low": "LOW"},
    "ICM_PLCMT_TYPE": {"Foster Home": "FOSTER"},
    "ICM_PLCMT_END_RSN": {"Returned Home": "RETURNED"},
    "ICM_LEGAL_AUTH": {"CFCSA s.35": "S35"},
}
RETIRED = {("ICM_LEGAL_STATUS", "Old Order"): "OLD_ORDER"}
CROSSWALK = {("ICM_CASE_STATUS", "Active"): "OPEN"}

PARENTS: dict[tuple[str, str], str] = {
    ("S_ADDR_PER", "1-A1"): "loaded",
    ("S_CONTACT", "1-P1"): "loaded",
    ("S_CONTACT", "1-P2"): "loaded",
    ("S_CONTACT", "1-P3"): "loaded",
    ("S_CASE", "1-C1"): "loaded",
    ("S_INCIDENT", "1-I1"): "loaded",
    ("S_SRV_REQ", "1-S1"): "loaded",
    ("S_EVT_ACT", "1-E1"): "loaded",
}
BIRTHS = {"1-P1": D(2010, 5, 17), "1-P2": D(1985, 2, 3), "1-P3": D(2012, 8, 9)}

CLEAN: dict[str, dict[str, Any]] = {
    "S_USER": {
        "LOGIN": "JSMITH",
        "FST_NAME": "Jane",
        "LAST_NAME": "Smith",
        "X_OFFICE_CD": "Victoria",
        "ACTIVE_FLG": "Y",
    },
    "S_LST_OF_VAL": {
        "TYPE": "ICM_CASE_STATUS",
        "NAME": "OPEN",
        "VAL": "Open",
        "LANG_ID": "ENU",
        "ACTIVE_FLG": "Y",
        "ORDER_BY": Decimal("1.0000000"),
        "PAR_ROW_ID": None,
        "DESC_TEXT": "Case is open",
    },
    "S_ADDR_PER": {
        "ADDR_NAME": "Home of Nguyễn",
        "ADDR": "1200 Douglas St",
        "ADDR_LINE_2": "Suite 5",
        "CITY": "Victoria",
        "STATE": "BC",
        "ZIPCODE": "V8W 1G1",
        "COUNTRY": "Canada",
        "PER_ID": "1-P1",
        "X_NFA_FLG": "N",
    },
    "S_CONTACT": {
        "FST_NAME": "Zoë",
        "MID_NAME": "Ngọc",
        "LAST_NAME": "Nguyễn",
        "NICK_NAME": None,
        "BIRTH_DT": D(2010, 5, 17),
        "SEX_MF": "Female",
        "DECEASED_FLG": "N",
        "DECEASED_DT": None,
        "X_PHN": "9698658215",
        "PR_PER_ADDR_ID": "1-A1",
        "CELL_PH_NUM": "250-555-0101",
        "HOME_PH_NUM": None,
        "EMAIL_ADDR": "zoe@example.org",
        "INTEGRATION_ID": "MIS-0012345",
        "ACTIVE_FLG": "Y",
        "X_UNBORN_FLG": "N",
        "X_INDIG_STATUS_CD": "Not Indigenous",
    },
    "S_CONTACT_X": {
        "PAR_ROW_ID": "1-P1",
        "ATTRIB_03": "小明",
        "ATTRIB_05": "2010-05-17",
        "ATTRIB_14": "Y",
        "X_ALERT_TEXT": "Dog on premises — call ahead",
    },
    "S_CON_ADDR": {
        "CONTACT_ID": "1-P1",
        "ADDR_PER_ID": "1-A1",
        "ADDR_TYPE_CD": "Home",
        "START_DT": D(2012, 1, 1),
        "END_DT": None,
        "ACTIVE_FLG": "Y",
        "MAIN_ADDR_FLG": "Y",
    },
    "S_PARTY_REL": {
        "PARTY_ID": "1-P2",
        "REL_PARTY_ID": "1-P1",
        "REL_TYPE_CD": "Parent Of",
        "START_DT": D(2010, 5, 17),
        "END_DT": None,
        "X_BIOLOGICAL_FLG": "Y",
    },
    "S_CASE": {
        "CASE_NUM": "FS-000123",
        "NAME": "Nguyễn family",
        "TYPE_CD": "Family Service",
        "STATUS_CD": "Open",
        "OPEN_DT": D(2014, 3, 1),
        "CLOSED_DT": None,
        "PR_POSTN_ID": "1-POS1",
        "X_OFFICE_CD": "Victoria",
        "X_LEGAL_STATUS_CD": "Voluntary",
        "X_MIS_FILE_NUM": "MIS-F-001",
        "X_CLOSE_RSN_CD": None,
    },
    "CX_CASE_CON": {
        "CASE_ID": "1-C1",
        "CON_ID": "1-P1",
        "ROLE_CD": "Subject Child",
        "PRIMARY_FLG": "Y",
        "START_DT": D(2014, 3, 1),
        "END_DT": None,
    },
    "S_INCIDENT": {
        "INCIDENT_NUM": "CPR-0001",
        "TYPE_CD": "Child Protection Report",
        "STATUS_CD": "Open",
        "REPORTED_DT": D(2014, 2, 27, 14, 30),
        "X_SCREEN_DECISION_CD": "Screened In",
        "X_RESPONSE_PRIORITY_CD": "24 Hours",
        "X_SCREEN_DT": D(2014, 2, 28, 9, 0),
        "X_REPORTER_TYPE_CD": "Teacher",
        "X_REPORTER_NAME": "Amélie Tremblay",
        "X_REPORTER_PHONE": "250-555-0199",
        "CASE_ID": "1-C1",
        "DESC_TEXT": "Child arrived at school hungry.",
        "X_FINDING_CD": "Substantiated",
    },
    "S_INCIDENT_CON": {
        "INCIDENT_ID": "1-I1",
        "CON_ID": "1-P1",
        "ROLE_CD": "Alleged Victim",
        "X_ALLEGATION_CD": "Neglect",
    },
    "S_SRV_REQ": {
        "SR_NUM": "SR-0001",
        "SR_TYPE_CD": "Youth Agreement",
        "SR_STAT_ID": "Open",
        "CST_CON_ID": "1-P1",
        "X_CASE_ID": "1-C1",
        "X_INCIDENT_ID": "1-I1",
        "ACT_OPEN_DT": D(2014, 3, 2, 10),
        "ACT_CLOSE_DT": None,
        "DESC_TEXT": "Support agreement.",
    },
    "S_EVT_ACT": {
        "CREATED": D(2014, 3, 3, 11),
        "LAST_UPD": D(2014, 3, 4, 8),
        "TODO_CD": "Contact Note",
        "EVT_STAT_CD": "Done",
        "NAME": "Home visit",
        "COMMENTS_LONG": "Visited the home; all well. 子供は元気です。",
        "TODO_PLAN_START_DT": D(2014, 3, 3, 9),
        "TODO_ACTL_START_DT": D(2014, 3, 3, 9, 15),
        "TODO_ACTL_END_DT": D(2014, 3, 3, 10),
        "TARGET_PER_ID": "1-P1",
        "SRA_SR_ID": "1-S1",
        "X_CASE_ID": "1-C1",
        "X_INCIDENT_ID": "1-I1",
        "PRIV_FLG": "N",
        "X_ASSESS_DECISION_CD": "Safe",
        "X_RISK_LEVEL_CD": "Low",
        "X_NOTE_SEQ": Decimal("1"),
    },
    "CX_PLACEMENT": {
        "CHILD_CON_ID": "1-P1",
        "CASE_ID": "1-C1",
        "RESOURCE_CON_ID": "1-P2",
        "PLCMT_TYPE_CD": "Foster Home",
        "START_DT_TXT": "2014-03-05",
        "END_DT_TXT": None,
        "END_RSN_CD": None,
        "LEGAL_AUTH_CD": "CFCSA s.35",
        "ACTIVE_FLG": "Y",
    },
    "S_ACTIVITY_ATT": {
        "PAR_ROW_ID": "1-E1",
        "FILE_NAME": "visit-notes.pdf",
        "FILE_EXT": "pdf",
        "FILE_SIZE": Decimal("2048"),
        "FILE_DATE": D(2014, 3, 3, 12),
        "FILE_REV_NUM": "1",
        "FILE_SRC_TYPE": "FILE",
        "X_CASE_ID": "1-C1",
    },
    "S_AUDIT_ITEM": {
        "BUSCOMP_NAME": "Contact",
        "TBL_NAME": "S_CONTACT",
        "RECORD_ID": "1-P9",
        "FIELD_NAME": None,
        "OLD_VAL": None,
        "NEW_VAL": "1-P1",
        "OPERATION_CD": "Delete (Merge Record)",
        "USER_ID": "0-1",
        "OPERATION_DT": D(2013, 1, 1),
    },
}


def source_hash(row_id: str) -> str:
    return hashlib.sha256(row_id.encode()).hexdigest()


def legacy_row(table: str, row_id: str, **values: Any) -> dict[str, Any]:
    """A clean row of ``table`` with ``values`` overriding columns."""
    row: dict[str, Any] = dict.fromkeys(columns_of(table))
    row.update(
        ROW_ID=row_id,
        CREATED=D(2015, 1, 2, 3, 4, 5),
        CREATED_BY="0-1",
        LAST_UPD=D(2016, 6, 7, 8, 9, 10),
        LAST_UPD_BY="1-U1",
        MODIFICATION_NUM=Decimal("3"),
        CONFLICT_ID="0",
        DB_LAST_UPD=D(2016, 6, 7, 8, 9, 11),
    )
    row.update(CLEAN[table])
    if table == "S_CONTACT":
        row["PAR_ROW_ID"] = row_id
    unknown = set(values) - set(row)
    assert not unknown, f"not columns of {table}: {unknown}"
    row.update(values)
    row["source_hash"] = source_hash(row_id)
    return row


def batch_frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The frame extract gives: object dtype, contract column order, plus source_hash."""
    columns = [*columns_of(table), "source_hash"]
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in columns})


def code_entries() -> dict[tuple[str, str], transform.CodeEntry]:
    entries = {
        (code_set, display): transform.CodeEntry(code_set, code, display, True)
        for code_set, values in CODES.items()
        for display, code in values.items()
    }
    for (code_set, display), code in RETIRED.items():
        entries[(code_set, display)] = transform.CodeEntry(code_set, code, display, False)
    return entries


def default_facts(table: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "extension_groups": {},
        "birth_dates": dict(BIRTHS),
        "case_ids_with_participants": frozenset({"1-C1", "1-C2"}),
        "irregular_case_ids_with_participants": frozenset(),
        "placements_of_children": {},
        "code_set_headers": {},
    }
    if table == "S_PARTY_REL":
        facts["relationships"] = build_relationships(rows)
        facts["irregular_relationships"] = build_relationships([])
    return facts


def context(
    table: str = "",
    rows: list[dict[str, Any]] | None = None,
    *,
    parents: dict[tuple[str, str], str] | None = None,
    facts: dict[str, Any] | None = None,
    merged_into: dict[str, str | None] | None = None,
    users: frozenset[str] = USERS,
) -> transform.BatchContext:
    all_facts = default_facts(table, rows or [])
    all_facts.update(facts or {})
    return transform.BatchContext(
        as_of=dt.date(2024, 1, 15),
        codes=code_entries(),
        crosswalk=CROSSWALK,
        users=users,
        parent_outcomes={**PARENTS, **(parents or {})},
        merged_into=merged_into or {},
        facts=all_facts,
    )


def run(table: str, rows: list[dict[str, Any]], **kw: Any) -> transform.TransformResult:
    """Transform ``rows`` with a context built for them (keywords go to :func:`context`)."""
    result = transform.transform_batch(table, batch_frame(table, rows), context(table, rows, **kw))
    assert_result_contract(table, result, len(rows))
    return result


def outcome(result: transform.TransformResult, row_id: str) -> str:
    ledger = result.ledger[result.ledger["legacy_row_id"] == row_id]
    assert len(ledger) == 1
    return str(ledger["outcome"].iloc[0])


def ledger_row(result: transform.TransformResult, row_id: str) -> dict[str, Any]:
    rows = result.ledger[result.ledger["legacy_row_id"] == row_id].to_dict("records")
    assert len(rows) == 1
    return rows[0]


def reasons(result: transform.TransformResult, row_id: str) -> set[tuple[str, str | None]]:
    return {
        (r.code, r.column)
        for q in result.quarantined
        if q.legacy_row_id == row_id
        for r in q.reasons
    }


def flags(result: transform.TransformResult, row_id: str) -> set[tuple[str, str]]:
    return {(f.code, f.field) for f in result.flags if f.legacy_row_id == row_id}


def flag_of(result: transform.TransformResult, row_id: str, code: str) -> transform.Flag:
    found = [f for f in result.flags if f.legacy_row_id == row_id and f.code == code]
    assert len(found) == 1, f"{code} on {row_id}: {found}"
    return found[0]


def only_row(
    result: transform.TransformResult, target: str, *, update: bool = False
) -> dict[str, Any]:
    frame = (result.updates if update else result.upserts)[target]
    assert len(frame) == 1, f"{target}: {len(frame)} rows"
    row: dict[str, Any] = frame.to_dict("records")[0]
    return row


def _no_nan(frame: pd.DataFrame, what: str) -> None:
    for column in frame.columns:
        assert frame[column].dtype == object, f"{what}.{column} is {frame[column].dtype}"
        for value in frame[column]:
            assert value is not pd.NaT and value is not pd.NA, f"{what}.{column} holds {value!r}"
            assert not (isinstance(value, float) and math.isnan(value)), (
                f"{what}.{column} holds NaN"
            )
            assert not isinstance(value, pd.Timestamp), f"{what}.{column} holds a Timestamp"


def assert_result_contract(table: str, result: transform.TransformResult, rows: int) -> None:
    """What every result must hold: one ledger row per input row, plain values, schema columns."""
    assert list(result.ledger.columns) == list(transform.LEDGER_COLUMNS)
    assert len(result.ledger) == rows
    assert result.ledger["legacy_row_id"].is_unique
    _no_nan(result.ledger, "ledger")
    for name, frame in result.upserts.items():
        assert set(frame.columns) == set(transform.TARGET_SCHEMAS[name].columns)
        _no_nan(frame, name)
    for name, frame in result.updates.items():
        _no_nan(frame, f"{name} (update)")
    quarantined = {q.legacy_row_id for q in result.quarantined}
    assert quarantined == set(
        result.ledger[result.ledger["outcome"] == "quarantined"]["legacy_row_id"]
    )
    loaded = set(result.ledger[result.ledger["outcome"] == "loaded"]["legacy_row_id"])
    assert {f.legacy_row_id for f in result.flags} <= loaded
    assert set(result.upserts) | set(result.updates) == set(transform.TARGET_TABLES_OF[table])


# ------------------------------------------------------------------ own tests
@pytest.mark.parametrize("table", transform.TABLE_LOAD_ORDER)
def test_clean_row_of_every_table_loads_without_flags(table: str) -> None:
    row_id = {"S_CONTACT": "1-P1", "S_CASE": "1-C1"}.get(table, "1-X1")
    result = run(table, [legacy_row(table, row_id)])
    assert outcome(result, row_id) == "loaded"
    assert result.flags == []
    assert result.quarantined == []
    assert result.last_key == row_id


def test_every_table_has_a_clean_row() -> None:
    assert set(CLEAN) == set(transform.TABLE_LOAD_ORDER)
