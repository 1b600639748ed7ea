"""Clean rows round-trip exactly, per table; the driver's contract (ledger, reasons, errors)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from test_transform_support import (
    D,
    batch_frame,
    context,
    flag_of,
    flags,
    ledger_row,
    legacy_row,
    only_row,
    outcome,
    reasons,
    run,
    source_hash,
)

import transform
from transform.identity import target_id

UTC = dt.UTC


def lineage(table: str, row_id: str, **over: Any) -> dict[str, Any]:
    values = {
        "legacy_table": table,
        "legacy_row_id": row_id,
        "legacy_last_upd": dt.datetime(2016, 6, 7, 8, 9, 10, tzinfo=UTC),
        "legacy_modification_num": 3,
        "source_hash": source_hash(row_id),
        "legacy_created": dt.datetime(2015, 1, 2, 3, 4, 5, tzinfo=UTC),
        "legacy_created_by": "0-1",
        "legacy_last_upd_by": "1-U1",
        "legacy_db_last_upd": dt.datetime(2016, 6, 7, 8, 9, 11, tzinfo=UTC),
        "legacy_conflict_id": "0",
    }
    values.update(over)
    return values


def exact(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """Equal values of equal types (text byte for byte)."""
    assert set(actual) == set(expected)
    for key, value in expected.items():
        assert actual[key] == value, key
        assert type(actual[key]) is type(value), f"{key}: {type(actual[key])} != {type(value)}"
        if isinstance(value, str):
            assert actual[key].encode() == value.encode(), key


# ---------------------------------------------------------------- round trips
def test_person_round_trip() -> None:
    result = run("S_CONTACT", [legacy_row("S_CONTACT", "1-P1")])
    pid = target_id("S_CONTACT", "1-P1")
    exact(
        only_row(result, "person"),
        {
            "id": pid,
            "given_name": "Zoë",
            "middle_name": "Ngọc",
            "family_name": "Nguyễn",
            "preferred_name": None,
            "birth_date": dt.date(2010, 5, 17),
            "sex_code": "F",
            "is_unborn": False,
            "is_deceased": False,
            "deceased_date": None,
            "indigenous_status_code": "NOT_INDIG",
            "primary_address_id": target_id("S_ADDR_PER", "1-A1"),
            "cell_phone": "250-555-0101",
            "home_phone": None,
            "email": "zoe@example.org",
            "record_status": "active",
            "has_safety_alert": None,
            "alert_text": None,
            "legacy_birth_date_text": None,
            "extension_row_id": None,
            "extension_source_hash": None,
            **lineage("S_CONTACT", "1-P1"),
        },
    )
    identifiers = result.upserts["person_identifier"].to_dict("records")
    assert [
        (r["id"], r["id_type"], r["id_value"], r["is_verified"], r["person_id"])
        for r in identifiers
    ] == [
        (target_id("S_CONTACT", "1-P1", "BC_PHN"), "BC_PHN", "9698658215", True, pid),
        (target_id("S_CONTACT", "1-P1", "LEGACY_MIS"), "LEGACY_MIS", "MIS-0012345", False, pid),
    ]
    assert ledger_row(result, "1-P1") == {
        "legacy_table": "S_CONTACT",
        "legacy_row_id": "1-P1",
        "outcome": "loaded",
        "rule": None,
        "target_table": "person",
        "target_id": str(pid),
        "source_hash": source_hash("1-P1"),
        "legacy_last_upd": dt.datetime(2016, 6, 7, 8, 9, 10, tzinfo=UTC),
        "legacy_modification_num": 3,
    }


def test_extension_round_trip_updates_its_person() -> None:
    result = run("S_CONTACT_X", [legacy_row("S_CONTACT_X", "1-X1")])
    pid = target_id("S_CONTACT", "1-P1")
    exact(
        only_row(result, "person", update=True),
        {
            "id": pid,
            "has_safety_alert": True,
            "alert_text": "Dog on premises — call ahead",
            "legacy_birth_date_text": "2010-05-17",
            "extension_row_id": "1-X1",
            "extension_source_hash": source_hash("1-X1"),
        },
    )
    exact(
        only_row(result, "person_alias"),
        {
            "id": target_id("S_CONTACT_X", "1-X1", "alias:1"),
            "person_id": pid,
            "alias_seq": 1,
            "full_name": "小明",
            **lineage("S_CONTACT_X", "1-X1"),
        },
    )
    assert ledger_row(result, "1-X1")["target_table"] == "person"
    assert ledger_row(result, "1-X1")["target_id"] == str(pid)


def test_joined_aliases_become_one_row_each() -> None:
    result = run(
        "S_CONTACT_X", [legacy_row("S_CONTACT_X", "1-X1", ATTRIB_03=" Bill ; Billy Nguyễn;")]
    )
    aliases = result.upserts["person_alias"].sort_values("alias_seq")
    assert aliases["full_name"].tolist() == ["Bill", "Billy Nguyễn"]
    assert aliases["alias_seq"].tolist() == [1, 2]
    assert flag_of(result, "1-X1", "ALIASES_SPLIT").original_value == " Bill ; Billy Nguyễn;"


def test_address_round_trip_and_normalised_address() -> None:
    result = run("S_ADDR_PER", [legacy_row("S_ADDR_PER", "1-A1")])
    exact(
        only_row(result, "address"),
        {
            "id": target_id("S_ADDR_PER", "1-A1"),
            "address_name": "Home of Nguyễn",
            "line1": "1200 Douglas St",
            "line2": "Suite 5",
            "city": "Victoria",
            "province_code": "BC",
            "postal_code": "V8W 1G1",
            "country_code": "CA",
            "no_fixed_address": False,
            "legacy_owner_row_id": "1-P1",
            **lineage("S_ADDR_PER", "1-A1"),
        },
    )
    messy = legacy_row(
        "S_ADDR_PER", "1-A2", STATE=" bc", ZIPCODE="V8W-1G1", ADDR="NFA", X_NFA_FLG=None
    )
    row = only_row(run("S_ADDR_PER", [messy]), "address")
    assert (row["province_code"], row["postal_code"], row["line1"], row["no_fixed_address"]) == (
        "BC",
        "V8W 1G1",
        None,
        True,
    )


def test_case_round_trip() -> None:
    result = run("S_CASE", [legacy_row("S_CASE", "1-C1")])
    exact(
        only_row(result, "case_file"),
        {
            "id": target_id("S_CASE", "1-C1"),
            "case_number": "FS-000123",
            "name": "Nguyễn family",
            "case_type_code": "FS",
            "status_code": "OPEN",
            "opened_on": dt.date(2014, 3, 1),
            "closed_on": None,
            "owner_position_row_id": "1-POS1",
            "office_code": "VIC",
            "legal_status_code": "VOL",
            "legacy_mis_file_number": "MIS-F-001",
            "close_reason_code": None,
            **lineage("S_CASE", "1-C1"),
        },
    )


def test_link_tables_round_trip() -> None:
    person, case = target_id("S_CONTACT", "1-P1"), target_id("S_CASE", "1-C1")
    participant = only_row(
        run("CX_CASE_CON", [legacy_row("CX_CASE_CON", "1-T1")]), "case_participant"
    )
    assert (participant["case_id"], participant["person_id"], participant["role_code"]) == (
        case,
        person,
        "CHILD",
    )
    assert (participant["is_primary"], participant["start_date"]) == (True, dt.date(2014, 3, 1))
    address = only_row(run("S_CON_ADDR", [legacy_row("S_CON_ADDR", "1-T1")]), "person_address")
    assert (address["person_id"], address["address_id"]) == (
        person,
        target_id("S_ADDR_PER", "1-A1"),
    )
    assert (address["address_type_code"], address["is_active"], address["is_primary"]) == (
        "HOME",
        True,
        True,
    )
    rel = only_row(run("S_PARTY_REL", [legacy_row("S_PARTY_REL", "1-T1")]), "person_relationship")
    assert (rel["person_id"], rel["related_person_id"]) == (target_id("S_CONTACT", "1-P2"), person)
    assert (rel["relationship_type_code"], rel["is_biological"]) == ("PARENT_OF", True)
    inc = only_row(
        run("S_INCIDENT_CON", [legacy_row("S_INCIDENT_CON", "1-T1")]), "intake_participant"
    )
    assert (inc["intake_report_id"], inc["person_id"]) == (target_id("S_INCIDENT", "1-I1"), person)
    assert (inc["role_code"], inc["allegation_code"]) == ("VICTIM", "NEGLECT")


def test_intake_round_trip_in_utc_with_restricted_reporter() -> None:
    result = run("S_INCIDENT", [legacy_row("S_INCIDENT", "1-I1")])
    report = only_row(result, "intake_report")
    assert report["reported_at"] == dt.datetime(2014, 2, 27, 22, 30, tzinfo=UTC)  # 14:30 PST
    assert report["screened_at"] == dt.datetime(2014, 2, 28, 17, 0, tzinfo=UTC)
    assert report["reported_at"].utcoffset() == dt.timedelta(0)
    assert (report["report_type_code"], report["status_code"], report["finding_code"]) == (
        "CPR",
        "OPEN",
        "SUB",
    )
    assert (report["case_id"], report["description"]) == (
        target_id("S_CASE", "1-C1"),
        "Child arrived at school hungry.",
    )
    exact(
        only_row(result, "intake_reporter"),
        {
            "id": target_id("S_INCIDENT", "1-I1", "reporter"),
            "intake_report_id": target_id("S_INCIDENT", "1-I1"),
            "reporter_type_code": "TEACHER",
            "reporter_name": "Amélie Tremblay",
            "reporter_phone": "250-555-0199",
            **lineage("S_INCIDENT", "1-I1"),
        },
    )


def test_service_request_activity_attachment_round_trip() -> None:
    sr = only_row(run("S_SRV_REQ", [legacy_row("S_SRV_REQ", "1-S1")]), "service_request")
    assert sr["opened_at"] == dt.datetime(2014, 3, 2, 10, tzinfo=UTC)
    assert (sr["requester_person_id"], sr["intake_report_id"]) == (
        target_id("S_CONTACT", "1-P1"),
        target_id("S_INCIDENT", "1-I1"),
    )
    act = only_row(run("S_EVT_ACT", [legacy_row("S_EVT_ACT", "1-E1")]), "activity")
    assert act["body"] == "Visited the home; all well. 子供は元気です。"
    assert (act["body_suspected_truncated"], act["note_sequence"], act["is_private"]) == (
        False,
        1,
        False,
    )
    assert act["service_request_id"] == target_id("S_SRV_REQ", "1-S1")
    att = only_row(run("S_ACTIVITY_ATT", [legacy_row("S_ACTIVITY_ATT", "1-T1")]), "attachment")
    assert (att["activity_id"], att["size_bytes"], att["file_ext"]) == (
        target_id("S_EVT_ACT", "1-E1"),
        2048,
        "pdf",
    )
    assert (att["sha256"], att["storage_key"], att["binary_status"]) == (None, None, None)


def test_placement_round_trip() -> None:
    row = only_row(run("CX_PLACEMENT", [legacy_row("CX_PLACEMENT", "1-T1")]), "placement")
    assert (row["child_person_id"], row["caregiver_person_id"]) == (
        target_id("S_CONTACT", "1-P1"),
        target_id("S_CONTACT", "1-P2"),
    )
    assert (row["start_date"], row["end_date"], row["placement_type_code"]) == (
        dt.date(2014, 3, 5),
        None,
        "FOSTER",
    )


def test_reference_tables_round_trip() -> None:
    user = only_row(run("S_USER", [legacy_row("S_USER", "1-U1")]), "staff_user")
    assert (user["login"], user["given_name"], user["office_code"], user["is_active"]) == (
        "JSMITH",
        "Jane",
        "VIC",
        True,
    )
    value = only_row(run("S_LST_OF_VAL", [legacy_row("S_LST_OF_VAL", "1-L1")]), "code_value")
    assert (value["code_set"], value["code"], value["display_name"], value["sort_order"]) == (
        "ICM_CASE_STATUS",
        "OPEN",
        "Open",
        Decimal("1.0000000"),
    )
    header = legacy_row(
        "S_LST_OF_VAL", "1-L0", TYPE="LOV_TYPE", NAME="ICM_CASE_STATUS", VAL="ICM_CASE_STATUS"
    )
    result = run("S_LST_OF_VAL", [header])
    assert only_row(result, "code_set")["code_set"] == "ICM_CASE_STATUS"
    assert result.upserts["code_value"].empty
    assert ledger_row(result, "1-L0")["target_table"] == "code_set"


def test_audit_item_is_kept_verbatim() -> None:
    event = only_row(
        run("S_AUDIT_ITEM", [legacy_row("S_AUDIT_ITEM", "1-T1", OLD_VAL="  CÃ©line  ")]),
        "legacy_audit_event",
    )
    assert (event["old_value"], event["new_value"], event["record_row_id"]) == (
        "  CÃ©line  ",
        "1-P1",
        "1-P9",
    )
    assert event["occurred_at"] == dt.datetime(2013, 1, 1, tzinfo=UTC)


# ---------------------------------------------------------------- driver contract
def test_a_row_with_several_problems_lists_every_reason() -> None:
    row = legacy_row(
        "CX_PLACEMENT",
        "1-T1",
        CHILD_CON_ID="1-NOPE",
        CASE_ID="1-C7",
        PLCMT_TYPE_CD="Igloo",
        START_DT_TXT="approx 2005",
        END_RSN_CD="Gone Fishing",
    )
    result = run("CX_PLACEMENT", [row], parents={("S_CASE", "1-C7"): "quarantined"})
    assert reasons(result, "1-T1") == {
        ("ORPHAN_REFERENCE", "CHILD_CON_ID"),
        ("PARENT_QUARANTINED", "CASE_ID"),
        ("UNMAPPED_CODE", "PLCMT_TYPE_CD"),
        ("INVALID_DATE", "START_DT_TXT"),
        ("UNMAPPED_CODE", "END_RSN_CD"),
    }
    record = result.quarantined[0]
    assert record.reason_codes == (
        "INVALID_DATE",
        "ORPHAN_REFERENCE",
        "PARENT_QUARANTINED",
        "UNMAPPED_CODE",
    )
    assert "1-T1" in record.reasons[0].message and "Igloo" not in " ".join(
        r.message for r in record.reasons
    )
    json.dumps(record.raw_row)  # JSON-ready
    assert record.raw_row["CREATED"] == "2015-01-02T03:04:05"
    assert record.raw_row["START_DT_TXT"] == "approx 2005"
    assert record.source_hash == source_hash("1-T1")
    assert result.upserts["placement"].empty and result.flags == []


def test_raw_row_keeps_decimals_as_text() -> None:
    result = run(
        "S_ACTIVITY_ATT",
        [legacy_row("S_ACTIVITY_ATT", "1-T1", PAR_ROW_ID="1-NOPE", FILE_SIZE=Decimal("12.5"))],
    )
    record = result.quarantined[0]
    assert record.raw_row["FILE_SIZE"] == "12.5" and record.raw_row["MODIFICATION_NUM"] == "3"
    assert reasons(result, "1-T1") == {
        ("ORPHAN_REFERENCE", "PAR_ROW_ID"),
        ("SCHEMA_VIOLATION", "FILE_SIZE"),
    }


def test_parent_quarantined_or_excluded_quarantines_the_child() -> None:
    rows = [legacy_row("CX_CASE_CON", "1-T1"), legacy_row("CX_CASE_CON", "1-T2", CON_ID="1-P3")]
    result = run(
        "CX_CASE_CON",
        rows,
        parents={("S_CASE", "1-C1"): "excluded", ("S_CONTACT", "1-P3"): "quarantined"},
    )
    assert reasons(result, "1-T1") == {("PARENT_QUARANTINED", "CASE_ID")}
    assert reasons(result, "1-T2") == {
        ("PARENT_QUARANTINED", "CASE_ID"),
        ("PARENT_QUARANTINED", "CON_ID"),
    }


def test_ledger_has_one_row_per_input_row_in_a_mixed_batch() -> None:
    rows = [
        legacy_row("S_CONTACT", "1-P1"),
        legacy_row("S_CONTACT", "1-P2", LAST_NAME=None),
        legacy_row("S_CONTACT", "1-P3", ACTIVE_FLG="N", MID_NAME="XXX"),
    ]
    result = run("S_CONTACT", rows)
    assert result.ledger["legacy_row_id"].tolist() == ["1-P1", "1-P2", "1-P3"]
    assert result.ledger["outcome"].tolist() == ["loaded", "quarantined", "loaded"]
    assert result.upserts["person"]["legacy_row_id"].tolist() == ["1-P1", "1-P3"]
    assert flags(result, "1-P3") == {
        ("SOFT_DELETED", "ACTIVE_FLG"),
        ("PLACEHOLDER_VALUE", "MID_NAME"),
    }
    assert result.upserts["person"]["record_status"].tolist() == ["active", "inactive"]
    assert result.last_key == "1-P3"


def test_flags_keep_original_and_normalised_text_and_point_at_the_target() -> None:
    result = run(
        "S_CONTACT", [legacy_row("S_CONTACT", "1-P1", X_PHN="9698 658 215", BIRTH_DT=D(1900, 1, 1))]
    )
    phn = flag_of(result, "1-P1", "PHN_NORMALISED")
    assert (phn.original_value, phn.normalised_value, phn.field) == (
        "9698 658 215",
        "9698658215",
        "X_PHN",
    )
    assert (phn.target_table, phn.target_id) == ("person", str(target_id("S_CONTACT", "1-P1")))
    placeholder = flag_of(result, "1-P1", "PLACEHOLDER_DATE")
    assert (placeholder.original_value, placeholder.normalised_value) == (
        "1900-01-01T00:00:00",
        None,
    )
    assert only_row(result, "person")["birth_date"] is None


def test_void_and_invalid_phn_rows() -> None:
    result = run(
        "S_CONTACT",
        [legacy_row("S_CONTACT", "1-P1", LAST_NAME="DO NOT USE Nguyễn", X_PHN="9698648215")],
    )
    person = only_row(result, "person")
    assert (person["record_status"], person["family_name"]) == ("void", "DO NOT USE Nguyễn")
    phn = result.upserts["person_identifier"].set_index("id_type").loc["BC_PHN"]
    assert (phn["id_value"], phn["is_verified"]) == ("9698648215", False)


def test_dob_conflict_is_not_raised_for_the_same_date_read_either_way() -> None:
    result = run(
        "S_CONTACT_X",
        [legacy_row("S_CONTACT_X", "1-X1", PAR_ROW_ID="1-P2", ATTRIB_05="02/03/1985")],
    )
    assert "DOB_CONFLICT" not in {code for code, _ in flags(result, "1-X1")}
    conflict = run("S_CONTACT_X", [legacy_row("S_CONTACT_X", "1-X1", ATTRIB_05="2011-01-01")])
    flag = flag_of(conflict, "1-X1", "DOB_CONFLICT")
    assert (flag.original_value, flag.normalised_value) == ("2011-01-01", "2010-05-17")


def test_extension_of_a_quarantined_person_is_quarantined() -> None:
    result = run(
        "S_CONTACT_X",
        [legacy_row("S_CONTACT_X", "1-X1")],
        parents={("S_CONTACT", "1-P1"): "quarantined"},
    )
    assert reasons(result, "1-X1") == {("PARENT_QUARANTINED", "PAR_ROW_ID")}
    assert result.updates["person"].empty and result.upserts["person_alias"].empty


def test_truncated_body_sets_the_column_and_the_flag() -> None:
    body = "x" * (16 * 1024)
    result = run("S_EVT_ACT", [legacy_row("S_EVT_ACT", "1-E1", COMMENTS_LONG=body)])
    assert only_row(result, "activity")["body_suspected_truncated"] is True
    assert ("TRUNCATION_SUSPECT", "COMMENTS_LONG") in flags(result, "1-E1")


def test_pii_flag_does_not_copy_the_note() -> None:
    note = "Call dad at 250-555-0133."
    result = run("S_EVT_ACT", [legacy_row("S_EVT_ACT", "1-E1", COMMENTS_LONG=note)])
    flag = flag_of(result, "1-E1", "PII_IN_FREE_TEXT")
    assert (flag.original_value, flag.normalised_value) == (None, "PHONE")
    assert only_row(result, "activity")["body"] == note


def test_missing_markers_in_the_input_are_read_as_null() -> None:
    row = legacy_row("S_CASE", "1-C1")
    frame = batch_frame("S_CASE", [row])
    frame.loc[0, "CLOSED_DT"] = pd.NaT
    frame.loc[0, "X_CLOSE_RSN_CD"] = float("nan")
    result = transform.transform_batch("S_CASE", frame, context("S_CASE", [row]))
    assert outcome(result, "1-C1") == "loaded"
    case = only_row(result, "case_file")
    assert (case["closed_on"], case["close_reason_code"]) == (None, None)


def test_empty_batch() -> None:
    result = run("S_CONTACT", [])
    assert result.ledger.empty and result.last_key is None
    assert list(result.upserts["person"].columns) == list(
        transform.TARGET_SCHEMAS["person"].columns
    )


def test_parent_keys_lists_every_variant_and_merge_survivors() -> None:
    rows = [
        legacy_row("CX_CASE_CON", "1-T1", CASE_ID="1-c1 ", CON_ID="1-P9"),
        legacy_row("CX_CASE_CON", "1-T2", CASE_ID=None),
    ]
    keys = transform.parent_keys("CX_CASE_CON", batch_frame("CX_CASE_CON", rows), {"1-P9": "1-P1"})
    assert keys == {"S_CASE": {"1-c1 ", "1-c1", "1-C1"}, "S_CONTACT": {"1-P9", "1-P1"}}
    contact = [legacy_row("S_CONTACT", "1-P1", PR_PER_ADDR_ID="No Match Row Id")]
    assert transform.parent_keys("S_CONTACT", batch_frame("S_CONTACT", contact)) == {}
    assert (
        transform.parent_keys("S_USER", batch_frame("S_USER", [legacy_row("S_USER", "1-U1")])) == {}
    )


def test_configuration_errors_raise_terminal_errors() -> None:
    frame = batch_frame("S_CASE", [legacy_row("S_CASE", "1-C1")])
    with pytest.raises(transform.UnknownTableError):
        transform.transform_batch("S_NOPE", frame, context())
    with pytest.raises(transform.InputContractError, match="source_hash"):
        transform.transform_batch("S_CASE", frame.drop(columns=["source_hash"]), context())
    bare = transform.BatchContext(as_of=dt.date(2024, 1, 1), users=frozenset({"0-1", "1-U1"}))
    with pytest.raises(transform.MissingFactError, match="case_ids_with_participants"):
        transform.transform_batch("S_CASE", frame, bare)
    assert issubclass(transform.MissingFactError, transform.TerminalTransformError)


def test_ids_are_stable_uuids() -> None:
    first = run("S_CASE", [legacy_row("S_CASE", "1-C1")]).upserts["case_file"]["id"].iloc[0]
    again = run("S_CASE", [legacy_row("S_CASE", "1-C1")]).upserts["case_file"]["id"].iloc[0]
    assert isinstance(first, uuid.UUID) and first == again


@pytest.mark.parametrize("name", ["Ren?e", "Zo?", "?lodie"])
def test_letters_lost_to_question_marks_in_names_are_flagged(name: str) -> None:
    result = run("S_CONTACT", [legacy_row("S_CONTACT", "1-P1", FST_NAME=name)])
    flag = flag_of(result, "1-P1", "LOSSY_CHARSET")
    assert (flag.field, flag.original_value, flag.normalised_value) == ("FST_NAME", name, name)
    assert only_row(result, "person")["given_name"] == name


def test_numbers_from_a_driver_as_int_or_text_become_exact_decimals() -> None:
    rows = [
        legacy_row("S_LST_OF_VAL", "1-L1", ORDER_BY=2),
        legacy_row("S_LST_OF_VAL", "1-L2", ORDER_BY="2.5"),
        legacy_row("S_LST_OF_VAL", "1-L3", ORDER_BY="many"),
    ]
    result = run("S_LST_OF_VAL", rows)
    assert result.upserts["code_value"]["sort_order"].tolist() == [Decimal(2), Decimal("2.5")]
    assert reasons(result, "1-L3") == {("SCHEMA_VIOLATION", "ORDER_BY")}


# ---------------------------------------------------------------- numbers the target cannot hold
@pytest.mark.parametrize("number", [Decimal("1E+30"), Decimal("2") ** 63, Decimal("1.5")])
def test_a_modification_num_without_a_64_bit_whole_value_is_quarantined(number: Decimal) -> None:
    """Only a non-Oracle copy holds one (NUMBER(10,0)); loading it would fail the batch."""
    result = run("S_USER", [legacy_row("S_USER", "1-R1", MODIFICATION_NUM=number)])
    assert outcome(result, "1-R1") == "quarantined"
    assert reasons(result, "1-R1") == {("SCHEMA_VIOLATION", "MODIFICATION_NUM")}
    assert ledger_row(result, "1-R1")["legacy_modification_num"] is None


def test_the_largest_64_bit_modification_num_loads() -> None:
    number = Decimal(2**63 - 1)
    result = run("S_USER", [legacy_row("S_USER", "1-R1", MODIFICATION_NUM=number)])
    assert outcome(result, "1-R1") == "loaded"
    assert only_row(result, "staff_user")["legacy_modification_num"] == 2**63 - 1


@pytest.mark.parametrize(
    ("table", "column", "value", "target_column"),
    [
        ("S_EVT_ACT", "X_NOTE_SEQ", Decimal(2**31), "activity.note_sequence"),
        ("S_ACTIVITY_ATT", "FILE_SIZE", Decimal(2**63), "attachment.size_bytes"),
        ("S_LST_OF_VAL", "ORDER_BY", Decimal("1E+15"), "code_value.sort_order"),
        ("S_LST_OF_VAL", "ORDER_BY", Decimal("1.12345678"), "code_value.sort_order"),
    ],
)
def test_a_number_its_target_column_cannot_hold_is_quarantined(
    table: str, column: str, value: Decimal, target_column: str
) -> None:
    """Out of the column's range, or with more decimals than PostgreSQL would keep."""
    result = run(table, [legacy_row(table, "1-R1", **{column: value})])
    assert outcome(result, "1-R1") == "quarantined"
    assert ("SCHEMA_VIOLATION", target_column) in reasons(result, "1-R1")


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("S_EVT_ACT", "X_NOTE_SEQ", Decimal(2**31 - 1)),
        ("S_ACTIVITY_ATT", "FILE_SIZE", Decimal(2**63 - 1)),
        ("S_LST_OF_VAL", "ORDER_BY", Decimal("999999999999999.9999999")),
        ("S_LST_OF_VAL", "ORDER_BY", Decimal("-999999999999999.9999999")),
    ],
)
def test_the_largest_number_its_target_column_holds_loads(
    table: str, column: str, value: Decimal
) -> None:
    result = run(table, [legacy_row(table, "1-R1", **{column: value})])
    assert not any(code == "SCHEMA_VIOLATION" for code, _ in reasons(result, "1-R1"))


@pytest.mark.parametrize(
    ("column", "target_column"),
    [
        ("LAST_UPD_BY", "service_request.legacy_last_upd_by"),
        ("CREATED_BY", "service_request.legacy_created_by"),
        ("CONFLICT_ID", "service_request.legacy_conflict_id"),
    ],
)
def test_a_nul_in_a_column_copied_as_it_is_is_quarantined(column: str, target_column: str) -> None:
    """Found by the re-run property test on a PostgreSQL store: a LAST_UPD_BY holding a NUL
    reached the lineage columns, and the load failed ("DataError", naming no row)."""
    result = run("S_SRV_REQ", [legacy_row("S_SRV_REQ", "1-R1", **{column: "0-\x001"})])
    assert outcome(result, "1-R1") == "quarantined"
    assert ("SCHEMA_VIOLATION", target_column) in reasons(result, "1-R1")


def test_a_second_header_of_one_pick_list_is_quarantined() -> None:
    """One list, one code set (its primary key): the header with the lowest ROW_ID loads, a
    copy (an EIM reload under another key, say) is quarantined, not a failed load."""
    header = {"TYPE": "LOV_TYPE", "NAME": "ICM_CASE_STATUS", "VAL": "ICM_CASE_STATUS"}
    rows = [legacy_row("S_LST_OF_VAL", key, **header) for key in ("1-H1", "1-h1", "1-H0 ")]
    headers = transform.build_code_set_headers(rows)
    assert headers == {"ICM_CASE_STATUS": "1-H0 "}  # byte order: '0' < '1', 'H' < 'h'
    result = run("S_LST_OF_VAL", rows, facts={"code_set_headers": headers})
    assert [outcome(result, key) for key in ("1-H0 ", "1-H1", "1-h1")] == [
        "loaded",
        "quarantined",
        "quarantined",
    ]
    assert reasons(result, "1-h1") == {("DUPLICATE_CODE_SET", "NAME")}
    assert only_row(result, "code_set")["legacy_row_id"] == "1-H0 "
