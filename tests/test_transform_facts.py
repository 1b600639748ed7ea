"""The whole-table fact builders flows feed into BatchContext.facts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import transform
from transform.facts import ExtensionGroup, PlacementSpan


def test_extension_groups_keep_only_persons_with_several_rows() -> None:
    rows = pd.DataFrame(
        [
            {
                "ROW_ID": "1-X2",
                "PAR_ROW_ID": "1-P1",
                "ATTRIB_03": "A",
                "ATTRIB_05": None,
                "ATTRIB_14": "Y",
                "X_ALERT_TEXT": None,
            },
            {
                "ROW_ID": "1-X1",
                "PAR_ROW_ID": "1-P1 ",
                "ATTRIB_03": "A",
                "ATTRIB_05": None,
                "ATTRIB_14": "Y",
                "X_ALERT_TEXT": None,
            },
            {
                "ROW_ID": "1-X3",
                "PAR_ROW_ID": "1-P2",
                "ATTRIB_03": "A",
                "ATTRIB_05": None,
                "ATTRIB_14": "Y",
                "X_ALERT_TEXT": None,
            },
            {
                "ROW_ID": "1-X4",
                "PAR_ROW_ID": "1-P2",
                "ATTRIB_03": "B",
                "ATTRIB_05": None,
                "ATTRIB_14": "Y",
                "X_ALERT_TEXT": None,
            },
            {
                "ROW_ID": "1-X5",
                "PAR_ROW_ID": "1-P3",
                "ATTRIB_03": "C",
                "ATTRIB_05": None,
                "ATTRIB_14": "Y",
                "X_ALERT_TEXT": None,
            },
        ],
        dtype=object,
    )
    groups = transform.build_extension_groups(rows)
    assert groups == {
        "1-P1": ExtensionGroup(("1-X1", "1-X2"), identical=True),
        "1-P2": ExtensionGroup(("1-X3", "1-X4"), identical=False),
    }
    assert groups["1-P1"].kept == "1-X1"


def test_case_ids_with_participants_holds_every_key_variant() -> None:
    fact = transform.build_case_ids_with_participants([{"CASE_ID": "1-c1 "}, {"CASE_ID": None}])
    assert fact == frozenset({"1-c1 ", "1-c1", "1-C1"})


def test_irregular_keys_are_those_no_exact_lookup_finds() -> None:
    assert [transform.is_untrimmed_key(v) for v in ("1-P1 ", " 1-P1", "\t1-P1")] == [True] * 3
    assert not any(transform.is_untrimmed_key(v) for v in ("1-P1", "1-p1", "  ", "", None, 7))
    assert [transform.is_irregular_key(v) for v in ("1-c1", "1-C1 ", " 1-C1")] == [True] * 3
    assert not any(transform.is_irregular_key(v) for v in ("1-C1", "  ", "", None))


def test_relationships_are_indexed_by_pair_with_folded_types() -> None:
    index = transform.build_relationships(
        [
            {
                "ROW_ID": "1-R1",
                "PARTY_ID": "1-P1 ",
                "REL_PARTY_ID": "1-P2",
                "REL_TYPE_CD": " PARENT  of",
            }
        ]
    )
    assert [(r.row_id, r.type_key) for r in index.between("1-P1", "1-P2")] == [
        ("1-R1", "parent of")
    ]
    assert index.between("1-P2", "1-P1") == ()


def test_placements_of_children_parse_their_dates() -> None:
    rows = [
        {
            "ROW_ID": "1-L2",
            "CHILD_CON_ID": "1-P1",
            "START_DT_TXT": "05-MAR-14",
            "END_DT_TXT": "unknown",
        },
        {
            "ROW_ID": "1-L1",
            "CHILD_CON_ID": "1-P1",
            "START_DT_TXT": "2013-01-01",
            "END_DT_TXT": "20140301",
        },
        {
            "ROW_ID": "1-L3",
            "CHILD_CON_ID": "1-P2",
            "START_DT_TXT": "2013-01-01",
            "END_DT_TXT": None,
        },
    ]
    assert transform.build_placements_of_children(rows) == {
        "1-P1": (
            PlacementSpan("1-L1", dt.date(2013, 1, 1), dt.date(2014, 3, 1)),
            PlacementSpan("1-L2", dt.date(2014, 3, 5), None),
        )
    }


def test_birth_dates_and_missing_columns() -> None:
    assert transform.build_birth_dates(
        [{"ROW_ID": "1-P1", "BIRTH_DT": dt.datetime(2010, 1, 1)}]
    ) == {"1-P1": dt.datetime(2010, 1, 1)}
    with pytest.raises(transform.InputContractError, match="BIRTH_DT"):
        transform.build_birth_dates([{"ROW_ID": "1-P1"}])


def test_every_table_needing_facts_names_their_sources() -> None:
    needed = {key for keys in transform.FACTS_NEEDED.values() for key in keys}
    assert needed == set(transform.FACT_SOURCES)


def test_builders_take_what_extract_readers_give() -> None:
    by_key = {
        "1-P1": {"ROW_ID": "1-P1", "BIRTH_DT": dt.datetime(2010, 1, 1)},
        "1-P2": {"BIRTH_DT": None},
    }
    assert transform.build_birth_dates(by_key) == {"1-P1": dt.datetime(2010, 1, 1), "1-P2": None}
    as_list = [{"CASE_ID": "1-C1"}]
    as_frame = pd.DataFrame(as_list, dtype=object)
    assert transform.build_case_ids_with_participants(
        as_list
    ) == transform.build_case_ids_with_participants(as_frame)


def test_match_candidates_take_a_list_of_rows() -> None:
    row = {
        "ROW_ID": "1-P1",
        "FST_NAME": "Ava",
        "MID_NAME": None,
        "LAST_NAME": "Li",
        "NICK_NAME": None,
    }
    rows = [
        {**row, "BIRTH_DT": dt.datetime(2010, 1, 1), "X_PHN": None},
        {**row, "ROW_ID": "1-P2", "BIRTH_DT": dt.datetime(2010, 1, 1), "X_PHN": None},
    ]
    frame = transform.find_match_candidates(rows)
    assert frame[["person_a_row_id", "person_b_row_id", "code"]].values.tolist() == [
        ["1-P1", "1-P2", "DUPLICATE_PERSON"]
    ]
