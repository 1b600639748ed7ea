"""``icm-migrate review-history``: every review on record, for the auditors, on a really migrated
store (SQLite and PostgreSQL): the stewards' decisions and what runs did, oldest first, with the
stewards' notes left out unless asked for."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from reconcile_support import Store, target
from rich.console import Console
from typer.testing import CliRunner

import load
from flows.cli import app
from flows.run_review_history import run_review_history
from reconcile import HIDDEN_NOTE, REVIEW_CSV_COLUMNS

pytestmark = pytest.mark.timeout(300)
PERSONS = 240
NOTE = "Spoke with Jayden Smith's caseworker"
DAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(store_copy: Store) -> Store:
    """A copy of the module's migrated store (conftest), per engine, of the test's own."""
    return store_copy


def written(store: Store, folder: Path, *, reveal_notes: bool = False) -> list[dict[str, str]]:
    out = folder / "history.csv"
    buffer = io.StringIO()
    code = run_review_history(
        target=store.target_url, out=out, console=Console(file=buffer), reveal_notes=reveal_notes
    )
    assert code == 0, buffer.getvalue()
    with out.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == REVIEW_CSV_COLUMNS
        return list(reader)


def reviewed(store: Store) -> tuple[tuple[str, str], tuple[str, str]]:
    """A quarantined row waived on DAY, then a pair decided an hour later and withdrawn by a run
    (the rules stop proposing it); returns the row and the pair."""
    quarantine = load.target_table("quarantine")
    candidate = load.target_table("person_match_candidate")
    with target(store) as engine:
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(quarantine.c.legacy_table, quarantine.c.legacy_row_id).limit(1)
            ).one()
            pair = conn.execute(
                sa.select(candidate.c.person_a_row_id, candidate.c.person_b_row_id).limit(1)
            ).one()
        load.review_quarantine(
            engine, [tuple(row)], "waived", reviewed_by="steward-4", note=NOTE, at=DAY
        )
        load.decide_matches(
            engine,
            [tuple(pair)],
            "same_person",
            decided_by="steward-7",
            note=NOTE,
            at=DAY + dt.timedelta(hours=1),
        )
        none = pd.DataFrame(columns=list(load.MATCH_COLUMNS))
        assert load.write_match_candidates(engine, none, run_id="run-9").withdrawn == 1
    return (row[0], row[1]), (pair[0], pair[1])


def test_every_review_is_listed_oldest_first_with_the_notes_hidden(
    store: Store, tmp_path: Path
) -> None:
    (table, row_id), (a, b) = reviewed(store)
    lines = written(store, tmp_path)
    columns = REVIEW_CSV_COLUMNS[:7]  # up to reviewed_by
    shown = [tuple(x[c] for c in columns) for x in lines]
    assert shown == [
        ("quarantine", table, row_id, "", "open", "waived", "steward-4"),
        ("match", "S_CONTACT", a, b, "pending", "same_person", "steward-7"),
        ("match", "S_CONTACT", a, b, "same_person", "withdrawn", "icm-migrate run run-9"),
    ]
    assert [dt.datetime.fromisoformat(x["reviewed_at"]) for x in lines[:2]] == [
        DAY,
        DAY + dt.timedelta(hours=1),
    ]
    assert {x["note"] for x in lines} == {HIDDEN_NOTE}
    assert "Jayden" not in (tmp_path / "history.csv").read_text("utf-8-sig")


def test_the_notes_are_shown_when_asked_for(store: Store, tmp_path: Path) -> None:
    reviewed(store)
    lines = written(store, tmp_path, reveal_notes=True)
    assert [x["note"] for x in lines[:2]] == [NOTE, NOTE]
    assert "steward-7" in lines[2]["note"]  # the withdrawal says whose decision it was


def test_the_command_line_writes_it(store: Store, tmp_path: Path) -> None:
    reviewed(store)
    out = tmp_path / "history.csv"
    result = CliRunner().invoke(
        app, ["review-history", "--target", store.target_url, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(out.read_text("utf-8-sig").splitlines()) == 4  # the header and three reviews


def test_a_store_never_migrated_is_an_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    load.init_target(sa.create_engine(url))
    buffer = io.StringIO()
    out = tmp_path / "history.csv"
    code = run_review_history(target=url, out=out, console=Console(file=buffer, width=200))
    assert code == 2
    assert "Review history stopped" in buffer.getvalue()
    assert not out.exists()
