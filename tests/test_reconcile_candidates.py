"""reconcile.candidates: the probable duplicate pairs proposed now, against the stored ones."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from databases import postgres_database

from flows.engines import make_target_engine
from load import target_table
from load.matches import candidate_pairs, write_match_candidates
from load.schema_setup import init_target
from reconcile.candidates import check_match_candidates


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/target.sqlite"
        made = make_target_engine(url)
        init_target(made)
        yield made
        made.dispose()
        return
    with postgres_database() as url:
        made = make_target_engine(url)
        init_target(made)
        yield made
        made.dispose()


def pairs(*rows: tuple[str, str, float, list[str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(a, b, s, e) for a, b, s, e in rows],
        columns=["person_a_row_id", "person_b_row_id", "score", "evidence"],
        dtype=object,
    )


STORED = pairs(
    ("1-A", "1-B", 0.9, ["birth_date", "family_name"]),
    ("1-C", "1-D", 0.8, ["phn"]),
    ("1-E", "1-F", 0.7, ["given_name"]),
    ("1-Z", "1-Y", 0.6, ["phn"]),  # stored as (1-Y, 1-Z)
)


def test_the_same_pairs_reconcile_clean_whatever_the_steward_decided(engine: sa.Engine) -> None:
    write_match_candidates(engine, STORED, run_id="run")
    candidate = target_table("migration.person_match_candidate")
    with engine.begin() as conn:
        conn.execute(sa.update(candidate).values(decision="different", decided_by="steward"))
    # Made in another order and with a and b swapped: the same unordered pairs.
    swapped = pairs(*((b, a, s, e) for a, b, s, e in STORED.itertuples(index=False))).iloc[::-1]
    made = candidate_pairs(swapped)
    with engine.connect() as conn:
        assert list(check_match_candidates(conn, made)) == []


def test_a_lost_an_extra_and_an_altered_pair_are_found(engine: sa.Engine) -> None:
    write_match_candidates(engine, STORED, run_id="run")
    candidate = target_table("migration.person_match_candidate")
    with engine.begin() as conn:
        conn.execute(sa.delete(candidate).where(candidate.c.person_a_row_id == "1-C"))
        conn.execute(
            sa.update(candidate).where(candidate.c.person_a_row_id == "1-E").values(score=0.71)
        )
        conn.execute(
            sa.insert(candidate).values(
                person_a_row_id="2-A",
                person_b_row_id="2-B",
                score=1.0,
                evidence='["phn"]',
                decision="pending",
                run_id="tamper",
            )
        )
    with engine.connect() as conn:
        found = list(check_match_candidates(conn, candidate_pairs(STORED)))
    assert [(d.kind, d.legacy_row_id, d.target_id, d.fields) for d in found] == [
        ("missing_in_target", "1-C", "1-C:1-D", ()),
        ("field_mismatch", "1-E", "1-E:1-F", ("score",)),
        ("unexpected_in_target", "2-A", "2-A:2-B", ()),
    ]
    assert all(d.legacy_table == "S_CONTACT" for d in found)
    assert all(d.target_table == "person_match_candidate" for d in found)
    (score,) = found[1].values
    assert (score.expected, score.actual) == (0.7, 0.71)
