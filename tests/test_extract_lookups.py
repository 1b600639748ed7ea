"""Reference reads for the transform's context, the same through every source kind."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from test_extract_batches import RecordingSource
from test_extract_sources import SOURCE_KINDS, insert_rows, lazy_databases, open_source

import extract

MERGE = extract.MERGE_OPERATION
# (RECORD_ID, NEW_VAL, OPERATION_CD, TBL_NAME)
AUDIT = [
    ("A", "B", MERGE, "S_CONTACT"),
    ("C", "D", MERGE, "S_CONTACT"),
    ("D", "E", MERGE, "S_CONTACT"),
    ("F", "G", MERGE, "S_CONTACT"),
    ("G", "F", MERGE, "S_CONTACT"),
    ("H", "Z", MERGE, "S_CONTACT"),
    ("I", "J", "Delete", "S_CONTACT"),
    ("K", "B", MERGE, "S_ORG_EXT"),
    ("M", "B", MERGE, "S_CONTACT"),
    ("M", "E", MERGE, "S_CONTACT"),
    ("M2", "B", MERGE, "S_CONTACT"),
    ("M2", "B", MERGE, "S_CONTACT"),
    ("P", "", MERGE, "S_CONTACT"),
    ("Q", "B ", MERGE, "S_CONTACT"),
    ("R", "C", MERGE, "S_CONTACT"),
    ("S", "S", MERGE, "S_CONTACT"),
    ("T", "M", MERGE, "S_CONTACT"),
    ("", "B", MERGE, "S_CONTACT"),
]
EXPECTED_MERGES = {
    "A": "B", "C": "E", "D": "E", "F": None, "G": None, "H": None, "M": None, "M2": "B",
    "P": None, "Q": None, "R": "E", "S": None, "T": None,
}  # fmt: skip
MANY = [f"K-{i:04d}" for i in range(1200)]
EXTENSIONS = [
    ("X1", "P1"), ("X2", "P1"), ("X3", "P1 "), ("X4", "p1"), ("X5", "P2"), ("X6", "P2"), ("X7", "P2"),
    ("X8", ""), ("X9", ""), ("X10", None), ("X11", None), ("X12", "P3"),
]  # fmt: skip

# (ROW_ID, PARTY_ID): a link column with repeated, padded, lower-case and empty values.
PARTY_RELS = [
    ("R01", "P1"), ("R02", "P1 "), ("R03", "p1"), ("R04", "P2"), ("R05", "P1"), ("R06", ""),
    ("R07", None), *((f"RM-{i:04d}", MANY[i // 2]) for i in range(1200)),
]  # fmt: skip


def load_lookups(engine: sa.Engine) -> None:
    insert_rows(engine, "S_USER", [{"ROW_ID": k} for k in ("0-1", "1-U1", "1-U1 ")])
    insert_rows(
        engine,
        "S_LST_OF_VAL",
        [
            {"ROW_ID": "L1", "TYPE": "ICM_CASE_STATUS", "NAME": "OPEN", "VAL": "Open", "ACTIVE_FLG": "Y",
             "ORDER_BY": decimal.Decimal("1")},
            {"ROW_ID": "L2", "TYPE": "ICM_CASE_STATUS", "NAME": "CLOSED", "VAL": "Closed ", "ACTIVE_FLG": " "},
            {"ROW_ID": "L0", "TYPE": "LOV_TYPE", "NAME": "ICM_CASE_STATUS", "VAL": "ICM_CASE_STATUS", "ACTIVE_FLG": "Y"},
        ],
    )  # fmt: skip
    contacts = ["B", "C", "D", "E", "J", "1-ABC9", "1-ABC9 ", *MANY]
    birth = dt.datetime(2010, 3, 4)
    insert_rows(
        engine, "S_CONTACT", [{"ROW_ID": k, "BIRTH_DT": birth, "FST_NAME": "N"} for k in contacts]
    )
    insert_rows(
        engine,
        "S_AUDIT_ITEM",
        [
            {
                "ROW_ID": f"AU-{i:02d}",
                "RECORD_ID": r,
                "NEW_VAL": n,
                "OPERATION_CD": op,
                "TBL_NAME": t,
            }
            for i, (r, n, op, t) in enumerate(AUDIT)
        ],
    )
    insert_rows(
        engine,
        "S_CONTACT_X",
        [{"ROW_ID": k, "PAR_ROW_ID": p, "ATTRIB_03": f"alias of {k}"} for k, p in EXTENSIONS],
    )
    insert_rows(
        engine,
        "S_PARTY_REL",
        [
            {"ROW_ID": k, "PARTY_ID": p, "REL_PARTY_ID": "B", "REL_TYPE_CD": f"type {k}"}
            for k, p in PARTY_RELS
        ],
    )


@pytest.fixture(scope="module")
def lookup_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with lazy_databases(tmp_path_factory, load_lookups) as urls:
        yield urls


@pytest.fixture(params=list(SOURCE_KINDS))
def source(
    request: pytest.FixtureRequest, lookup_urls: dict[str, str]
) -> Iterator[extract.LegacySource]:
    src = open_source(request.param, lookup_urls[SOURCE_KINDS[request.param]])
    yield src
    src.close()


def test_code_lists(source: extract.LegacySource) -> None:
    rows = extract.read_code_lists(source, batch_size=2)
    assert [r["ROW_ID"] for r in rows] == ["L0", "L1", "L2"]
    assert set(rows[0]) == set(extract.legacy_spec()["S_LST_OF_VAL"].column_names)
    closed = rows[2]
    assert (closed["TYPE"], closed["NAME"], closed["VAL"], closed["ACTIVE_FLG"]) == (
        "ICM_CASE_STATUS",
        "CLOSED",
        "Closed ",
        None,
    )
    assert str(rows[1]["ORDER_BY"]) == "1.0000000"


def test_user_ids(source: extract.LegacySource) -> None:
    assert extract.read_user_ids(source, batch_size=2) == frozenset({"0-1", "1-U1", "1-U1 "})


def test_merge_map_follows_chains_to_a_person(source: extract.LegacySource) -> None:
    assert extract.read_merge_map(source, batch_size=3) == EXPECTED_MERGES


def test_rows_by_key_in_chunks_match_exactly(source: extract.LegacySource) -> None:
    wanted = [*MANY[::2], "missing", "", "1-ABC9", "1-abc9"]
    found = extract.read_rows_by_key(
        source, "S_CONTACT", wanted, ("ROW_ID", "BIRTH_DT"), chunk_size=250
    )
    assert set(found) == {*MANY[::2], "1-ABC9"}
    assert found["1-ABC9"] == {"ROW_ID": "1-ABC9", "BIRTH_DT": dt.datetime(2010, 3, 4)}
    only = extract.read_rows_by_key(source, "S_CONTACT", {"1-ABC9 "}, ("FST_NAME",))
    assert only == {"1-ABC9 ": {"FST_NAME": "N"}}
    assert extract.read_rows_by_key(source, "S_CONTACT", [], ("ROW_ID",)) == {}


def test_rows_where_key_repeats(source: extract.LegacySource) -> None:
    rows = extract.read_rows_where_key_repeats(source, "S_CONTACT_X", "PAR_ROW_ID", batch_size=2)
    assert [(r["PAR_ROW_ID"], r["ROW_ID"]) for r in rows] == [
        ("P1", "X1"),
        ("P1", "X2"),
        ("P2", "X5"),
        ("P2", "X6"),
        ("P2", "X7"),
    ]
    assert set(rows[0]) == set(extract.legacy_spec()["S_CONTACT_X"].column_names)
    assert rows[0]["ATTRIB_03"] == "alias of X1"


def test_rows_where_key_repeats_keeps_the_values_asked_for(source: extract.LegacySource) -> None:
    rows = extract.read_rows_where_key_repeats(
        source,
        "S_CONTACT_X",
        "PAR_ROW_ID",
        columns=("ATTRIB_03",),
        keep=lambda value: value != "P1",
        batch_size=2,
    )
    assert rows == [
        {"ROW_ID": k, "PAR_ROW_ID": "P2", "ATTRIB_03": f"alias of {k}"} for k in ("X5", "X6", "X7")
    ]
    kept = extract.read_rows_where_key_repeats(
        source, "S_CONTACT_X", "PAR_ROW_ID", columns=(), keep=lambda value: value.startswith("P1")
    )
    assert kept == [{"ROW_ID": "X1", "PAR_ROW_ID": "P1"}, {"ROW_ID": "X2", "PAR_ROW_ID": "P1"}]


def test_rows_where_in_match_exactly_in_chunks_and_pages(source: extract.LegacySource) -> None:
    some = set(MANY[:600:3])  # two rows each
    wanted = ["P1", "missing", "", *some]
    rows = extract.read_rows_where_in(
        source,
        "S_PARTY_REL",
        "PARTY_ID",
        wanted,
        ("ROW_ID", "REL_TYPE_CD"),
        chunk_size=50,
        batch_size=7,
    )
    expected = ["R01", "R05", *(k for k, p in PARTY_RELS if p in some)]
    assert [r["ROW_ID"] for r in rows] == sorted(expected)
    assert rows[0] == {"ROW_ID": "R01", "REL_TYPE_CD": "type R01"}
    irregular = extract.read_rows_where_in(
        source,
        "S_PARTY_REL",
        "PARTY_ID",
        {"P1 ", "p1", None},
        ("PARTY_ID",),  # type: ignore[arg-type]
    )
    assert irregular == [{"PARTY_ID": "P1 "}, {"PARTY_ID": "p1"}]
    assert extract.read_rows_where_in(source, "S_PARTY_REL", "PARTY_ID", [], ("ROW_ID",)) == []


def test_rows_where_in_reads_a_bounded_query_at_a_time(lookup_urls: dict[str, str]) -> None:
    source = RecordingSource(open_source("sqlite-sa", lookup_urls["sqlite"]))
    try:
        rows = extract.read_rows_where_in(
            source,
            "S_PARTY_REL",
            "PARTY_ID",
            MANY[:600],
            ("ROW_ID",),
            chunk_size=100,
            batch_size=30,
        )
    finally:
        source.close()
    assert len(rows) == 1200
    queries = [q for q, _ in source.fetched]
    assert {q.key_column for q in queries} == {"PARTY_ID"}
    assert all(q.keys is not None and len(q.keys) <= 100 and q.limit == 30 for q in queries)
    assert len(queries) == 6 * 7  # 200 rows a chunk: 6 full pages of 30 and a short one


def test_rows_where_in_needs_a_text_link_column(source: extract.LegacySource) -> None:
    with pytest.raises(ValueError, match="START_DT"):
        extract.read_rows_where_in(source, "S_PARTY_REL", "START_DT", ["x"], ("ROW_ID",))
    with pytest.raises(KeyError, match="NOPE"):
        extract.read_rows_where_in(source, "S_PARTY_REL", "PARTY_ID", ["x"], ("NOPE",))


def test_lookups_are_identical_across_sources(lookup_urls: dict[str, str]) -> None:
    results: dict[str, Any] = {}
    for kind, engine in SOURCE_KINDS.items():
        src = open_source(kind, lookup_urls[engine])
        try:
            results[kind] = (
                extract.read_code_lists(src),
                extract.read_merge_map(src),
                extract.read_rows_where_key_repeats(src, "S_CONTACT_X", "PAR_ROW_ID"),
                extract.read_columns(src, "S_CONTACT", ("ROW_ID", "BIRTH_DT")),
                extract.read_rows_where_in(
                    src, "S_PARTY_REL", "PARTY_ID", ["P1", "P1 ", "p1", *MANY], ("ROW_ID",)
                ),
            )
        finally:
            src.close()
    reference = results["sqlite-sa"]
    for kind, result in results.items():
        assert result == reference, kind
