"""Every variant of transform.vocabulary.DEFECTS gets exactly its action and code.

Each case builds a batch with the variant injected into otherwise clean rows and checks
the row's outcome: quarantine -> quarantined with the code on the DEFECTS column;
normalise / flag / load -> loaded with a flag of that code on that column; exclude ->
excluded by that rule. Match variants are checked in test_transform_matching; the D21
attachment-file variants are load's (it reads the files).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from test_transform_support import D, ledger_row, legacy_row, outcome, run

import transform
from transform.facts import build_extension_groups, build_placements_of_children

Case = tuple[
    str, list[dict[str, Any]], str, dict[str, Any]
]  # table, rows, row under test, run kwargs


def one(table: str, row_id: str = "1-T1", **values: Any) -> Callable[[], Case]:
    return lambda: (table, [legacy_row(table, row_id, **values)], row_id, {})


def _merge(unresolved: bool) -> Case:
    rows = [legacy_row("CX_CASE_CON", "1-T1", CON_ID="1-P9")]
    return "CX_CASE_CON", rows, "1-T1", {"merged_into": {"1-P9": None if unresolved else "1-P1"}}


def _extensions(identical: bool) -> Case:
    rows = [
        legacy_row("S_CONTACT_X", "1-T1"),
        legacy_row("S_CONTACT_X", "1-T2", ATTRIB_03="小明" if identical else "Other alias"),
    ]
    return (
        "S_CONTACT_X",
        rows,
        "1-T2",
        {"facts": {"extension_groups": build_extension_groups(rows)}},
    )


def _relationships(second_type: str) -> Case:
    rows = [
        legacy_row(
            "S_PARTY_REL", "1-T1", PARTY_ID="1-P2", REL_PARTY_ID="1-P1", REL_TYPE_CD="Parent Of"
        ),
        legacy_row(
            "S_PARTY_REL", "1-T2", PARTY_ID="1-P1", REL_PARTY_ID="1-P2", REL_TYPE_CD=second_type
        ),
    ]
    return "S_PARTY_REL", rows, "1-T2", {}


def _overlap() -> Case:
    rows = [
        legacy_row("CX_PLACEMENT", "1-T1", START_DT_TXT="2014-03-05", END_DT_TXT="2015-01-01"),
        legacy_row("CX_PLACEMENT", "1-T2", START_DT_TXT="2014-06-01"),
    ]
    return (
        "CX_PLACEMENT",
        rows,
        "1-T2",
        {"facts": {"placements_of_children": build_placements_of_children(rows)}},
    )


CASES: dict[tuple[str, str], Callable[[], Case]] = {
    ("D02", "merge_repointed"): lambda: _merge(False),
    ("D02", "merge_unresolved"): lambda: _merge(True),
    ("D03", "orphan_case_participant"): one("CX_CASE_CON", CON_ID="1-NOPE"),
    ("D03", "orphan_contact_address"): one("S_CON_ADDR", ADDR_PER_ID="1-NOPE"),
    ("D03", "orphan_incident_participant"): one("S_INCIDENT_CON", INCIDENT_ID="1-NOPE"),
    ("D03", "case_without_participants"): one("S_CASE", "1-C9"),
    ("D04", "no_match_row_id"): one("S_CONTACT", PR_PER_ADDR_ID="No Match Row Id"),
    ("D05", "orphan_extension"): one("S_CONTACT_X", PAR_ROW_ID="1-NOPE"),
    ("D05", "duplicate_extension"): lambda: _extensions(False),
    ("D05", "identical_extension"): lambda: _extensions(True),
    ("D06", "known_format"): one("CX_PLACEMENT", START_DT_TXT="05-MAR-14"),
    ("D06", "ambiguous_day_month"): one("CX_PLACEMENT", START_DT_TXT="03/05/2014"),
    ("D06", "unparseable"): one("CX_PLACEMENT", START_DT_TXT="approx 2005"),
    ("D07", "future_birth"): one("S_CONTACT", BIRTH_DT=D(2030, 1, 1)),
    ("D07", "pivoted_year"): one("S_CONTACT", BIRTH_DT=D(2068, 4, 1)),
    ("D07", "placeholder_birth"): one("S_CONTACT", BIRTH_DT=D(1900, 1, 1)),
    ("D08", "case_closed_before_open"): one(
        "S_CASE", "1-C1", STATUS_CD="Closed", OPEN_DT=D(2014, 3, 1), CLOSED_DT=D(2013, 1, 1)
    ),
    ("D08", "placement_end_before_start"): one("CX_PLACEMENT", END_DT_TXT="2014-01-01"),
    ("D08", "placement_before_birth"): one("CX_PLACEMENT", START_DT_TXT="2009-01-01"),
    ("D08", "screened_before_reported"): one("S_INCIDENT", X_SCREEN_DT=D(2014, 2, 26, 9)),
    ("D09", "code_spelling_drift"): one("CX_PLACEMENT", PLCMT_TYPE_CD="FOSTER HOME "),
    ("D09", "renamed_code"): one("S_CASE", "1-C1", STATUS_CD="Active"),
    ("D09", "unknown_code"): one("S_CASE", "1-C1", TYPE_CD="Mystery Service"),
    ("D10", "retired_code"): one("S_CASE", "1-C1", X_LEGAL_STATUS_CD="Old Order"),
    ("D11", "flag_spelling"): one("S_CON_ADDR", ACTIVE_FLG="y"),
    ("D11", "invalid_flag"): one("S_CON_ADDR", ACTIVE_FLG="X"),
    ("D12", "placeholder_name"): one("S_CONTACT", MID_NAME="N/A"),
    ("D12", "baby_first_name"): one("S_CONTACT", FST_NAME="Baby Boy"),
    ("D12", "missing_family_name"): one("S_CONTACT", LAST_NAME="UNKNOWN"),
    ("D13", "mojibake"): one("S_CONTACT", LAST_NAME="CÃ´tÃ©"),
    ("D13", "nul_byte"): one("S_EVT_ACT", COMMENTS_LONG="Visited\x00 the home."),
    ("D13", "lossy_charset"): one("S_CONTACT", FST_NAME="Ren?e"),
    ("D14", "truncated_note"): one("S_INCIDENT", DESC_TEXT="word " * 399 + "trunc"),
    ("D15", "ambiguous_local_time"): one(
        "S_INCIDENT", REPORTED_DT=D(2012, 11, 4, 1, 30), X_SCREEN_DT=D(2012, 11, 5, 9)
    ),
    ("D16", "inactive_person"): one("S_CONTACT", ACTIVE_FLG="N"),
    ("D16", "do_not_use_name"): one("S_CONTACT", LAST_NAME="DO NOT USE - Nguyễn"),
    ("D16", "entered_in_error"): one("S_CASE", "1-C1", STATUS_CD="Entered in Error"),
    ("D17", "self_relationship"): one("S_PARTY_REL", PARTY_ID="1-P1", REL_PARTY_ID="1-P1"),
    ("D17", "relationship_cycle"): lambda: _relationships("Parent Of"),
    ("D17", "inverse_pair"): lambda: _relationships("Child Of"),
    ("D18", "overlapping_placement"): _overlap,
    ("D19", "key_trailing_blank"): one("CX_CASE_CON", CASE_ID="1-C1 "),
    ("D19", "key_lower_case"): one("S_INCIDENT_CON", CON_ID="1-p1"),
    ("D20", "created_after_updated"): one(
        "S_CASE", "1-C1", CREATED=D(2017, 1, 1), LAST_UPD=D(2016, 1, 1)
    ),
    ("D20", "unknown_user"): one("S_CASE", "1-C1", CREATED_BY="9-NOBODY"),
    ("D22", "pii_in_note"): one(
        "S_EVT_ACT", COMMENTS_LONG="Mother gave her PHN 9698 658 215 on the call."
    ),
    ("D23", "phn_with_spaces"): one("S_CONTACT", X_PHN="9698 658 215"),
    ("D23", "phn_bad_check_digit"): one("S_CONTACT", X_PHN="9698648215"),
    ("D23", "phn_wrong_length"): one("S_CONTACT", X_PHN="969865821"),
    ("D24", "postal_code_format"): one("S_ADDR_PER", ZIPCODE="v8w1g1"),
    ("D24", "province_spelling"): one("S_ADDR_PER", STATE="B.C."),
    ("D24", "no_fixed_address"): one("S_ADDR_PER", ADDR="NFA"),
    ("D25", "closed_without_date"): one("S_CASE", "1-C1", STATUS_CD="Closed", CLOSED_DT=None),
    ("D25", "open_with_close_date"): one(
        "S_CASE", "1-C1", STATUS_CD="Open", CLOSED_DT=D(2015, 1, 1)
    ),
    ("D26", "two_phone_numbers"): one("S_CONTACT", HOME_PH_NUM="250-555-0101 / 250-555-0102"),
    ("D26", "joined_aliases"): one("S_CONTACT_X", ATTRIB_03="Bill;Billy Nguyen"),
    ("D27", "dob_text_conflict"): one("S_CONTACT_X", ATTRIB_05="2011-01-01"),
    ("D28", "late_entry"): one("S_EVT_ACT", CREATED=D(2014, 5, 1), LAST_UPD=D(2014, 5, 2)),
}

MATCH_VARIANTS = {(d.defect, d.variant) for d in transform.DEFECTS if d.action == "match"}
LOAD_VARIANTS = {(d.defect, d.variant) for d in transform.DEFECTS if d.defect == "D21"}


def test_every_defect_variant_has_a_case() -> None:
    everything = {(d.defect, d.variant) for d in transform.DEFECTS}
    assert set(CASES) | MATCH_VARIANTS | LOAD_VARIANTS == everything
    assert not set(CASES) & (MATCH_VARIANTS | LOAD_VARIANTS)


@pytest.mark.parametrize(
    "expected",
    [d for d in transform.DEFECTS if (d.defect, d.variant) in CASES],
    ids=lambda d: f"{d.defect}-{d.variant}",
)
def test_defect_variant_gets_its_outcome(expected: transform.DefectExpectation) -> None:
    table, rows, row_id, kwargs = CASES[(expected.defect, expected.variant)]()
    assert table == expected.table
    result = run(table, rows, **kwargs)
    column = expected.column
    if expected.action == "quarantine":
        assert outcome(result, row_id) == "quarantined"
        record = next(q for q in result.quarantined if q.legacy_row_id == row_id)
        matching = [r for r in record.reasons if r.code == expected.code]
        assert matching, record.reasons
        if column is not None:
            assert column in {r.column for r in matching}
    elif expected.action == "exclude":
        assert outcome(result, row_id) == "excluded"
        assert ledger_row(result, row_id)["rule"] == expected.code
    else:
        assert expected.action in ("normalise", "flag", "load")
        assert outcome(result, row_id) == "loaded", [q.reasons for q in result.quarantined]
        fields = {
            f.field for f in result.flags if f.legacy_row_id == row_id and f.code == expected.code
        }
        assert fields, result.flags
        assert (column or "") in fields


def test_merged_person_is_re_pointed_to_the_survivor() -> None:
    table, rows, _, kwargs = _merge(False)
    result = run(table, rows, **kwargs)
    frame = result.upserts["case_participant"]
    assert frame["person_id"].tolist() == [transform.target_id("S_CONTACT", "1-P1")]


def test_both_rows_of_a_cycle_are_quarantined_and_inverse_keeps_the_lower() -> None:
    table, rows, _, kwargs = _relationships("Parent Of")
    result = run(table, rows, **kwargs)
    assert [outcome(result, r) for r in ("1-T1", "1-T2")] == ["quarantined", "quarantined"]
    table, rows, _, kwargs = _relationships("Child Of")
    result = run(table, rows, **kwargs)
    assert [outcome(result, r) for r in ("1-T1", "1-T2")] == ["loaded", "excluded"]


def test_differing_extension_doubles_are_all_quarantined_identical_keep_lowest() -> None:
    table, rows, _, kwargs = _extensions(False)
    result = run(table, rows, **kwargs)
    assert [outcome(result, r) for r in ("1-T1", "1-T2")] == ["quarantined", "quarantined"]
    table, rows, _, kwargs = _extensions(True)
    result = run(table, rows, **kwargs)
    assert [outcome(result, r) for r in ("1-T1", "1-T2")] == ["loaded", "excluded"]
    kept = [f for f in result.flags if f.code == "IDENTICAL_DUPLICATE_EXTENSION"]
    assert [(f.legacy_row_id, f.original_value) for f in kept] == [("1-T1", "1-T2")]


def test_overlap_quarantines_only_the_later_placement() -> None:
    table, rows, _, kwargs = _overlap()
    result = run(table, rows, **kwargs)
    assert [outcome(result, r) for r in ("1-T1", "1-T2")] == ["loaded", "quarantined"]


def test_placements_meeting_on_a_day_do_not_overlap() -> None:
    rows = [
        legacy_row("CX_PLACEMENT", "1-T1", START_DT_TXT="2014-03-05", END_DT_TXT="2014-06-01"),
        legacy_row("CX_PLACEMENT", "1-T2", START_DT_TXT="2014-06-01"),
    ]
    result = run(
        "CX_PLACEMENT", rows, facts={"placements_of_children": build_placements_of_children(rows)}
    )
    assert [outcome(result, r) for r in ("1-T1", "1-T2")] == ["loaded", "loaded"]


def test_ambiguous_local_time_is_read_as_first_occurrence() -> None:
    table, rows, _, kwargs = CASES[("D15", "ambiguous_local_time")]()
    result = run(table, rows, **kwargs)
    reported = result.upserts["intake_report"]["reported_at"].iloc[0]
    assert reported == dt.datetime(2012, 11, 4, 8, 30, tzinfo=dt.UTC)  # 01:30 PDT
