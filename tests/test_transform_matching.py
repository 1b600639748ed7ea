"""Duplicate persons (D01) and shared PHNs (D23) are proposed as pairs, never merged;
unrelated persons are not paired."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd

import transform

D = dt.datetime


def persons(*rows: dict[str, Any]) -> pd.DataFrame:
    base = dict.fromkeys(transform.MATCH_COLUMNS)
    return pd.DataFrame([{**base, **r} for r in rows], dtype=object)


ORIGINAL = {
    "ROW_ID": "1-P1",
    "FST_NAME": "William",
    "MID_NAME": "James",
    "LAST_NAME": "Thompson",
    "BIRTH_DT": D(2010, 5, 7),
    "X_PHN": "9698658215",
}


def pairs(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    return {
        (r["person_a_row_id"], r["person_b_row_id"]): r["code"] for r in frame.to_dict("records")
    }


def test_duplicate_variants_are_each_paired_with_the_original() -> None:
    copies = [
        {
            "ROW_ID": "1-P2",
            "FST_NAME": "WILLIAM",
            "MID_NAME": "James",
            "LAST_NAME": "THOMPSON",
            "BIRTH_DT": D(2010, 5, 7),
        },
        {
            "ROW_ID": "1-P3",
            "FST_NAME": "Bill",
            "MID_NAME": "James",
            "LAST_NAME": "Thompson",
            "BIRTH_DT": D(2010, 5, 7),
        },
        {
            "ROW_ID": "1-P4",
            "FST_NAME": "William",
            "MID_NAME": None,
            "LAST_NAME": "Thompson",
            "BIRTH_DT": D(2010, 7, 5),
        },
        {
            "ROW_ID": "1-P5",
            "FST_NAME": "William",
            "MID_NAME": None,
            "LAST_NAME": "Thomson",
            "BIRTH_DT": D(2010, 5, 7),
        },
    ]
    found = pairs(transform.find_match_candidates(persons(ORIGINAL, *copies)))
    for copy in copies:
        assert found.get(("1-P1", copy["ROW_ID"])) == "DUPLICATE_PERSON", copy


def test_pairs_carry_score_and_evidence() -> None:
    copy = {**ORIGINAL, "ROW_ID": "1-P0", "FST_NAME": "Bill", "X_PHN": None}
    frame = transform.find_match_candidates(persons(ORIGINAL, copy))
    assert list(frame.columns) == list(transform.MATCH_RESULT_COLUMNS)
    row = frame.to_dict("records")[0]
    assert (row["person_a_row_id"], row["person_b_row_id"]) == ("1-P0", "1-P1")
    assert json.loads(row["evidence"]) == [
        "family_name",
        "given_name:nickname",
        "birth_date",
        "middle_name",
    ]
    assert 0 < row["score"] < 1
    identical = transform.find_match_candidates(persons(ORIGINAL, {**ORIGINAL, "ROW_ID": "1-P2"}))
    assert identical["score"].tolist() == [1.0]


def test_shared_phn_between_different_people_is_proposed() -> None:
    other = {
        "ROW_ID": "1-P8",
        "FST_NAME": "Aroha",
        "LAST_NAME": "Ngata",
        "BIRTH_DT": D(1990, 1, 2),
        "X_PHN": "9698 658 215",
    }
    assert pairs(transform.find_match_candidates(persons(ORIGINAL, other))) == {
        ("1-P1", "1-P8"): "SHARED_PHN"
    }


def test_unrelated_people_twins_and_invalid_phns_are_not_paired() -> None:
    rows = [
        ORIGINAL,
        {
            "ROW_ID": "1-P2",
            "FST_NAME": "Oliver",
            "LAST_NAME": "Thompson",
            "BIRTH_DT": D(2010, 5, 7),
        },  # twin
        {
            "ROW_ID": "1-P3",
            "FST_NAME": "William",
            "LAST_NAME": "Nakamura",
            "BIRTH_DT": D(2010, 5, 7),
        },
        {
            "ROW_ID": "1-P4",
            "FST_NAME": "Mei",
            "LAST_NAME": "Chen",
            "BIRTH_DT": D(2001, 1, 1),
            "X_PHN": "9698648215",
        },
        {
            "ROW_ID": "1-P5",
            "FST_NAME": "Sipho",
            "LAST_NAME": "Dube",
            "BIRTH_DT": D(1999, 9, 9),
            "X_PHN": "9698648215",
        },
        {"ROW_ID": "1-P6", "FST_NAME": "Baby Boy", "LAST_NAME": "Smith", "BIRTH_DT": D(1900, 1, 1)},
        {"ROW_ID": "1-P7", "FST_NAME": "Baby Boy", "LAST_NAME": "Smith", "BIRTH_DT": D(1900, 1, 1)},
    ]
    frame = transform.find_match_candidates(persons(*rows))
    assert frame.empty
    assert list(frame.columns) == list(transform.MATCH_RESULT_COLUMNS)


def test_many_clean_persons_give_no_pairs() -> None:
    given = ["Ava", "Liam", "Noah", "Emma", "Mia", "Leo", "Zoë", "Aarav", "Hana", "Omar"]
    family = ["Nguyễn", "Smith", "Singh", "Li", "Brown", "Tremblay", "Wilson", "Khan", "Roy", "Lee"]
    rows = [
        {
            "ROW_ID": f"1-Q{i:03d}",
            "FST_NAME": given[i % 10],
            "LAST_NAME": family[i // 10],
            "BIRTH_DT": D(2000, 1, 1) + dt.timedelta(days=37 * i),
        }
        for i in range(100)
    ]
    assert transform.find_match_candidates(persons(*rows)).empty


def test_mojibake_and_do_not_use_copies_still_match() -> None:
    original = {
        "ROW_ID": "1-P1",
        "FST_NAME": "Céline",
        "LAST_NAME": "Côté",
        "BIRTH_DT": D(2011, 3, 4),
    }
    garbled = {
        "ROW_ID": "1-P2",
        "FST_NAME": "CÃ©line",
        "LAST_NAME": "DO NOT USE CÃ´tÃ©",
        "BIRTH_DT": D(2011, 3, 4),
    }
    assert pairs(transform.find_match_candidates(persons(original, garbled))) == {
        ("1-P1", "1-P2"): "DUPLICATE_PERSON"
    }
