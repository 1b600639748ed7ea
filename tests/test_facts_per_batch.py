"""Facts read per batch (plus the irregular links gathered per table) decide as the whole table would.

Relationships and case participants used to be read whole, once per table; now each
batch reads the rows its own rows name, and a table reads only its irregular links
(padded or lower-case keys). A reverse relationship or a participant in another batch,
or written irregularly, must still be found.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from test_extract_sources import insert_rows, lazy_databases, legacy_database, open_source
from test_transform_support import context, flags, legacy_row, outcome, reasons

import extract
import synthetic
import transform
from flows.facts import batch_facts, table_facts

# ROW_ID: (PARTY_ID, REL_PARTY_ID, REL_TYPE_CD). Read in batches of two: [R1 R2] [R3 R4] [R5 R6].
RELATIONSHIPS = {
    "1-R1": ("1-P1", "1-P2", "Parent Of"),
    "1-R2": ("1-P1", "1-P3", "Parent Of"),
    "1-R3": ("1-P2", "1-P3 ", "Sibling"),
    "1-R4": ("1-P2", "1-P1", "Child Of"),  # R1 back, in the next batch: excluded
    "1-R5": ("1-P3 ", "1-P1", "Parent Of"),  # R2 back as a cycle, PARTY_ID padded: both rejected
    "1-R6": ("1-P3", "1-P2", "Sibling"),  # R3 back (R3 names 1-P3 padded): excluded
}
# CX_CASE_CON ROW_ID -> CASE_ID: 1-C2 and 1-C3 are named only irregularly, 1-C4 not at all.
PARTICIPANTS = {"1-T1": "1-C1", "1-T2": "1-c2", "1-T3": "1-C3 ", "1-T4": None}
CASES = ("1-C1", "1-C2", "1-C3", "1-C4")


def load_links(engine: sa.Engine) -> None:
    rels = [
        legacy_row("S_PARTY_REL", k, PARTY_ID=p, REL_PARTY_ID=r, REL_TYPE_CD=t)
        for k, (p, r, t) in RELATIONSHIPS.items()
    ]
    insert_rows(engine, "S_PARTY_REL", rels)
    insert_rows(engine, "S_CASE", [legacy_row("S_CASE", k) for k in CASES])
    insert_rows(
        engine,
        "CX_CASE_CON",
        [legacy_row("CX_CASE_CON", k, CASE_ID=c) for k, c in PARTICIPANTS.items()],
    )


@pytest.fixture(scope="module")
def link_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with lazy_databases(tmp_path_factory, load_links) as urls:
        yield urls


@pytest.fixture(params=["sqlite-sa", "postgresql-sa"])
def source(
    request: pytest.FixtureRequest, link_urls: dict[str, str]
) -> Iterator[extract.LegacySource]:
    src = open_source(request.param, link_urls[request.param.split("-")[0]])
    yield src
    src.close()


def transform_in_batches(
    source: extract.LegacySource, table: str, batch_size: int
) -> list[transform.TransformResult]:
    """Every batch of ``table`` with its facts read as the pipeline reads them."""
    once = table_facts(source, table)
    results = []
    for batch in extract.read_batches(source, table, batch_size=batch_size):
        facts = batch_facts(source, table, batch.frame, once=once, merged_into={})
        results.append(transform.transform_batch(table, batch.frame, context(facts=facts)))
    return results


def test_reverse_relationships_are_found_in_other_batches(source: extract.LegacySource) -> None:
    results = transform_in_batches(source, "S_PARTY_REL", batch_size=2)
    assert len(results) == 3
    by_row = {row_id: result for result in results for row_id in result.ledger["legacy_row_id"]}
    assert {k: outcome(by_row[k], k) for k in RELATIONSHIPS} == {
        "1-R1": "loaded",
        "1-R2": "quarantined",
        "1-R3": "loaded",
        "1-R4": "excluded",
        "1-R5": "quarantined",
        "1-R6": "excluded",
    }
    for row_id in ("1-R2", "1-R5"):
        assert reasons(by_row[row_id], row_id) == {("RELATIONSHIP_CYCLE", "REL_PARTY_ID")}


def test_a_batch_reads_only_the_relationships_its_rows_name(source: extract.LegacySource) -> None:
    first = next(extract.read_batches(source, "S_PARTY_REL", batch_size=2))
    index = batch_facts(source, "S_PARTY_REL", first.frame, once={}, merged_into={})[
        "relationships"
    ]
    rows = {r.row_id for rows in index.by_pair.values() for r in rows}
    assert rows == {"1-R3", "1-R4", "1-R6"}  # PARTY_ID 1-P2 or 1-P3, exactly
    irregular = table_facts(source, "S_PARTY_REL")["irregular_relationships"]
    assert [r.row_id for r in irregular.between("1-P3", "1-P1")] == ["1-R5"]
    assert len(irregular.by_pair) == 1


def test_cases_named_irregularly_or_in_other_batches_have_participants(
    source: extract.LegacySource,
) -> None:
    results = transform_in_batches(source, "S_CASE", batch_size=2)
    assert len(results) == 2
    by_row = {row_id: result for result in results for row_id in result.ledger["legacy_row_id"]}
    flagged = {k for k in CASES if ("NO_PARTICIPANTS", "") in flags(by_row[k], k)}
    assert flagged == {"1-C4"}
    assert table_facts(source, "S_CASE") == {
        "irregular_case_ids_with_participants": frozenset({"1-c2", "1-C2", "1-C3 ", "1-C3"})
    }


# -- the same answers as whole-table facts, on generated data ---------------------------------


def load_generated(engine: sa.Engine, files: Path) -> None:
    synthetic.generate(engine, persons=300, seed=7, attachments_dir=files)
    with engine.connect() as conn:
        rels = conn.execute(sa.text('SELECT "PARTY_ID", "REL_PARTY_ID" FROM "S_PARTY_REL"')).all()
        cases = conn.execute(sa.text('SELECT "ROW_ID" FROM "S_CASE"')).scalars().all()
    rng = random.Random(7)
    # Links written irregularly, some of them back to an existing row: padded, lower case.
    extra: list[dict[str, Any]] = []
    for i, (party, related) in enumerate(rng.sample(rels, 40)):
        padded = [related + " ", " " + related, related.lower(), related][i % 4]
        kind = ["Parent Of", "Child Of", "Sibling"][i % 3]
        row = legacy_row("S_PARTY_REL", f"ZZ-R{i:03d}", PARTY_ID=padded, REL_PARTY_ID=party)
        extra.append({**row, "REL_TYPE_CD": kind})
    insert_rows(engine, "S_PARTY_REL", extra)
    links = [
        legacy_row("CX_CASE_CON", f"ZZ-T{i:03d}", CASE_ID=[c + " ", c.lower(), "\t" + c][i % 3])
        for i, c in enumerate(rng.sample(cases, 30))
    ]
    insert_rows(engine, "CX_CASE_CON", links)


def test_per_batch_facts_answer_as_whole_table_facts(tmp_path: Path) -> None:
    with legacy_database(
        "sqlite", tmp_path, lambda engine: load_generated(engine, tmp_path / "files")
    ) as url:
        src = open_source("sqlite-sa", url)
        try:
            whole_rels = transform.build_relationships(
                extract.read_columns(src, "S_PARTY_REL", transform.RELATIONSHIP_COLUMNS)
            )
            whole_cases = transform.build_case_ids_with_participants(
                extract.read_columns(src, "CX_CASE_CON", ("CASE_ID",))
            )
            compared = _compare_relationships(src, whole_rels) + _compare_cases(src, whole_cases)
        finally:
            src.close()
    assert compared > 500


def _compare_relationships(src: extract.LegacySource, whole: Any) -> int:
    irregular = table_facts(src, "S_PARTY_REL")["irregular_relationships"]
    found_back = 0
    compared = 0
    for batch in extract.read_batches(src, "S_PARTY_REL", batch_size=97):
        index = batch_facts(src, "S_PARTY_REL", batch.frame, once={}, merged_into={})[
            "relationships"
        ]
        for party, related in zip(
            batch.frame["PARTY_ID"], batch.frame["REL_PARTY_ID"], strict=True
        ):
            p, r = party.strip(), related.strip()
            expected = [row.row_id for row in whole.between(r, p)]
            got = sorted(row.row_id for f in (index, irregular) for row in f.between(r, p))
            assert got == expected, (party, related)
            found_back += bool(expected)
            compared += 1
    assert found_back >= 10  # the generated reverse rows are there to be found
    return compared


def _compare_cases(src: extract.LegacySource, whole: frozenset[str]) -> int:
    irregular = table_facts(src, "S_CASE")["irregular_case_ids_with_participants"]
    compared = 0
    for batch in extract.read_batches(src, "S_CASE", batch_size=53):
        fact = batch_facts(src, "S_CASE", batch.frame, once={}, merged_into={})[
            "case_ids_with_participants"
        ]
        for row_id in batch.frame["ROW_ID"]:
            assert (row_id in fact or row_id in irregular) == (row_id in whole), row_id
            compared += 1
    return compared
