"""Probable duplicates matched with the persons on disk: the same pairs, a fraction of the memory.

``flows.matching_step.match_candidates`` reads S_CONTACT a page at a time and keeps the
persons, their blocks and the pairs of shared blocks in a temporary SQLite database;
``transform.find_match_candidates`` on every person at once is the reference.
"""

from __future__ import annotations

import datetime as dt
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from test_extract_batches import RecordingSource
from test_extract_sources import legacy_database, open_source

import extract
import synthetic
import transform
from flows.matching_step import match_candidates, match_pages

PERSONS = 3000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[extract.LegacySource]:
    directory = tmp_path_factory.mktemp("matching")

    def load(engine: sa.Engine) -> None:
        synthetic.generate(engine, persons=PERSONS, seed=3, attachments_dir=directory / "files")

    with legacy_database("sqlite", directory, load) as url:
        source = open_source("sqlite-sa", url)
        yield source
        source.close()


def all_at_once(source: extract.LegacySource) -> pd.DataFrame:
    """What run_matching did before: every person's columns read, then matched at once."""
    persons = extract.read_columns(source, "S_CONTACT", transform.MATCH_COLUMNS)
    return transform.find_match_candidates(persons)


def test_on_disk_the_pairs_are_exactly_those_of_every_person_at_once(
    generated: extract.LegacySource,
) -> None:
    reference = all_at_once(generated)
    assert set(reference["code"]) == {"DUPLICATE_PERSON", "SHARED_PHN"}
    assert len(reference) > 50
    for batch_size in (137, 5000):
        found = match_candidates(generated, batch_size=batch_size)
        pd.testing.assert_frame_equal(found, reference)


def test_on_disk_matching_holds_a_fraction_of_the_memory(generated: extract.LegacySource) -> None:
    def peak(run: Any) -> int:
        tracemalloc.start()
        try:
            run()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    before = peak(lambda: all_at_once(generated))
    after = peak(lambda: match_candidates(generated, batch_size=500))
    assert after < before / 3, (after, before)


def person(row_id: str, given: str | None, family: str, **values: Any) -> dict[str, Any]:
    row = dict.fromkeys(transform.MATCH_COLUMNS)
    row.update(ROW_ID=row_id, FST_NAME=given, LAST_NAME=family, BIRTH_DT=dt.datetime(2001, 2, 3))
    row.update(values)
    return row


def test_a_persons_blocks_are_distinct() -> None:
    ava = transform.match_person(person("1-B", "Ava", "Li", NICK_NAME="Ava"))
    assert transform.block_keys(ava) == {
        ("family_dob", "li", "2001-02-03"),
        ("family_dob", "li", "2001-03-02"),  # day and month swapped
        ("given_dob", "ava", "2001-02-03"),  # given = nick: one block, not two
    }


def test_the_pairs_of_shared_blocks_are_matched_on_disk() -> None:
    """A nickname pair and a shared PHN are found; persons sharing no block are not paired."""
    rows = [
        person("1-A", "William", "Stone"),
        person("1-B", "Ava", "Li", NICK_NAME="Ava"),
        person("1-C", "Bill", "Stone"),  # given name block of 1-A (nickname)
        person("1-D", "Zed", "Other", BIRTH_DT=None, X_PHN="9698 658 215"),
        person("1-E", "Yan", "Else", BIRTH_DT=None, X_PHN="9698 658 215"),
    ]
    found = match_pages([rows[:2], rows[2:4], rows[4:]])
    assert [(r.person_a_row_id, r.person_b_row_id, r.code) for r in found.itertuples()] == [
        ("1-A", "1-C", "DUPLICATE_PERSON"),
        ("1-D", "1-E", "SHARED_PHN"),
    ]
    pd.testing.assert_frame_equal(found, transform.find_match_candidates(rows))


def test_run_matching_reads_s_contact_in_pages(generated: extract.LegacySource) -> None:
    recording = RecordingSource(generated)
    match_candidates(recording, batch_size=400)
    queries = [q for q, _ in recording.fetched if q.table == "S_CONTACT"]
    assert queries and all(q.limit == 400 for q in queries)
    assert all(n <= 400 for _, n in recording.fetched)
