"""``icm-migrate matches`` and ``match-decide``: the probable duplicate persons for the data
stewards, and their decisions, on a really migrated store (SQLite and PostgreSQL): the list is
every stored pair with its evidence and no personal data; decisions are all or none, recorded
with who, when and why, kept by a re-run, and leave reconcile clean."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from reconcile_support import (
    Store,
    migrate_store,
    reconcile,
    target,
)
from rich.console import Console
from typer.testing import CliRunner

import load
from flows.cli import app
from flows.identity import current_user
from flows.run_matches import run_match_decide, run_match_list
from reconcile import MATCH_CSV_COLUMNS
from transform import MATCH_CODES

pytestmark = pytest.mark.timeout(300)
PERSONS = 240
NOTE = "Same birth certificate number on both files (Jayden Smith)"


@pytest.fixture
def store(store_copy: Store) -> Store:
    """A copy of the module's migrated store (conftest), per engine, of the test's own."""
    return store_copy


def listed(store: Store, folder: Path, **options: Any) -> list[dict[str, str]]:
    out = folder / "matches.csv"
    buffer = io.StringIO()
    code = run_match_list(target=store.target_url, out=out, console=Console(file=buffer), **options)
    assert code == 0, buffer.getvalue()
    with out.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == MATCH_CSV_COLUMNS
        return list(reader)


def decide(store: Store, decision: str, **options: Any) -> tuple[int, str]:
    buffer = io.StringIO()
    code = run_match_decide(
        target=options.pop("target", store.target_url),
        decision=decision,
        note=options.pop("note", NOTE),
        decided_by=options.pop("decided_by", "steward-4"),
        console=Console(file=buffer, width=200, force_terminal=False),
        **options,
    )
    return code, " ".join(buffer.getvalue().split())


def stored(store: Store) -> dict[tuple[str, str], dict[str, Any]]:
    table = load.target_table("person_match_candidate")
    with target(store) as engine, engine.connect() as conn:
        return {
            (r.person_a_row_id, r.person_b_row_id): r._asdict()
            for r in conn.execute(sa.select(table))
        }


def history(store: Store) -> list[dict[str, Any]]:
    table = load.target_table("match_review")
    with target(store) as engine, engine.connect() as conn:
        return [r._asdict() for r in conn.execute(sa.select(table).order_by(table.c.id))]


def test_the_list_is_every_stored_pair_best_first(store: Store, tmp_path: Path) -> None:
    lines = listed(store, tmp_path)
    pairs = stored(store)
    assert len(pairs) >= 5
    assert {(x["person_a_row_id"], x["person_b_row_id"]) for x in lines} == set(pairs)
    scores = [float(x["score"]) for x in lines]
    assert scores == sorted(scores, reverse=True)
    for line in lines:
        pair = pairs[(line["person_a_row_id"], line["person_b_row_id"])]
        assert float(line["score"]) == pytest.approx(float(pair["score"]))
        assert line["meaning"] == MATCH_CODES[line["code"]]
        assert line["agreeing_fields"] and line["decision"] == "pending"
        assert f'"{line["code"]}"' in pair["evidence"]
    high = listed(store, tmp_path, min_score=0.5)
    assert high == [x for x in lines if float(x["score"]) >= 0.5] and 0 < len(high) < len(lines)


def test_no_personal_data_in_the_list(store: Store, tmp_path: Path) -> None:
    text = "\n".join(",".join(x.values()) for x in listed(store, tmp_path))
    person = load.target_table("person")
    with target(store) as engine, engine.connect() as conn:
        names = {
            value
            for row in conn.execute(sa.select(person.c.given_name, person.c.family_name))
            for value in row
            if value and len(value) >= 4
        }
    assert len(names) > 20
    assert sorted(n for n in names if n in text) == []


def test_a_decision_is_recorded_with_who_when_and_why(store: Store, tmp_path: Path) -> None:
    lines = listed(store, tmp_path)
    first, second = lines[0], lines[1]
    started = dt.datetime.now(dt.UTC)
    code, printed = decide(
        store,
        "same_person",
        # Either order names the pair.
        pairs=[
            f"{first['person_a_row_id']}:{first['person_b_row_id']}",
            f"{second['person_b_row_id']}:{second['person_a_row_id']}",
        ],
    )
    assert code == 0, printed
    assert "2 duplicate candidate pairs now same_person" in printed and "Jayden" not in printed
    keys = [(x["person_a_row_id"], x["person_b_row_id"]) for x in (first, second)]
    pairs = stored(store)
    for key in keys:
        assert (pairs[key]["decision"], pairs[key]["decided_by"]) == ("same_person", "steward-4")
        at = pairs[key]["decided_at"]
        at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at
        assert started - dt.timedelta(seconds=1) <= at <= dt.datetime.now(dt.UTC)
    assert [
        (h["person_a_row_id"], h["person_b_row_id"], h["previous_decision"], h["decision"])
        for h in history(store)
    ] == [(*key, "pending", "same_person") for key in sorted(keys)]
    assert {h["note"] for h in history(store)} == {NOTE}
    assert "Jayden" not in (tmp_path / "matches.csv").read_text("utf-8-sig")
    decided = listed(store, tmp_path, decisions=["same_person"])
    assert [(x["person_a_row_id"], x["person_b_row_id"]) for x in decided] == keys
    assert {x["decided_by"] for x in decided} == {"steward-4"}

    # Back to pending: no one has decided it now; the history keeps both changes.
    code, printed = decide(store, "pending", pairs=[":".join(keys[0])])
    assert code == 0 and "1 duplicate candidate pairs now pending" in printed, printed
    assert (stored(store)[keys[0]]["decided_by"], stored(store)[keys[0]]["decided_at"]) == (
        None,
        None,
    )
    assert len(history(store)) == 3


def test_a_rerun_keeps_decisions_and_reconcile_stays_clean(store: Store, tmp_path: Path) -> None:
    lines = listed(store, tmp_path)
    pair = f"{lines[0]['person_a_row_id']}:{lines[0]['person_b_row_id']}"
    assert decide(store, "different", pairs=[pair])[0] == 0
    migrate_store(store)
    key = (lines[0]["person_a_row_id"], lines[0]["person_b_row_id"])
    assert stored(store)[key]["decision"] == "different"
    with reconcile(store, tmp_path / "report") as result:
        assert [(d.kind, d.legacy_table, d.legacy_row_id) for d in result.discrepancies] == []
        assert result.match_decisions == {"different": 1, "pending": len(lines) - 1}


def test_all_pairs_or_none(store: Store, tmp_path: Path) -> None:
    lines = listed(store, tmp_path)
    good = f"{lines[0]['person_a_row_id']}:{lines[0]['person_b_row_id']}"
    before = stored(store)
    code, printed = decide(store, "different", pairs=[good, "1-NOPE:1-NADA"])
    assert code == 2 and "ROW_IDs 1-NADA and 1-NOPE are not a stored" in printed, printed
    assert "nothing was changed" in printed
    assert stored(store) == before and history(store) == []


@pytest.mark.parametrize(
    ("decision", "options", "named"),
    [
        ("merged", {}, "unknown decision 'merged'"),
        ("different", {"note": ""}, "must say why"),
        ("different", {"decided_by": " "}, "must say who"),
        ("different", {"pairs": ["1-A"]}, "is not ROW_ID:ROW_ID"),
        ("different", {"pairs": ["1-A:1-A"]}, "a person paired with itself"),
        ("different", {"pairs": []}, "no pair named"),
    ],
)
def test_a_decision_that_cannot_be_recorded_as_asked_is_refused(
    store: Store, tmp_path: Path, decision: str, options: dict[str, Any], named: str
) -> None:
    if "pairs" not in options:
        line = listed(store, tmp_path)[0]
        options["pairs"] = [f"{line['person_a_row_id']}:{line['person_b_row_id']}"]
    before = stored(store)
    code, printed = decide(store, decision, **options)
    assert code == 2 and named in printed, printed
    assert stored(store) == before and history(store) == []


def test_the_list_cut_down_is_the_pair_list(store: Store, tmp_path: Path) -> None:
    """A steward keeps the lines decided and hands the list back with --pairs."""
    lines = listed(store, tmp_path, min_score=0.5)
    with (tmp_path / "decided.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=MATCH_CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(lines)
    result = CliRunner().invoke(
        app,
        [
            *("match-decide", "--target", store.target_url, "--decision", "different"),
            *("--note", "checked against the birth registry", "--pairs"),
            str(tmp_path / "decided.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    different = {k for k, v in stored(store).items() if v["decision"] == "different"}
    assert different == {(x["person_a_row_id"], x["person_b_row_id"]) for x in lines}
    assert {h["reviewed_by"] for h in history(store)} == {current_user()}
    refused = CliRunner().invoke(
        app,
        [
            *("matches", "--target", store.target_url, "--out", str(tmp_path / "m.csv")),
            *("--decision", "maybe"),
        ],
    )
    assert refused.exit_code == 2 and "unknown decision 'maybe'" in " ".join(refused.output.split())


def test_a_store_being_migrated_is_not_decided(store: Store, tmp_path: Path) -> None:
    line = listed(store, tmp_path)[0]
    with target(store) as engine, load.store_lock(engine, exclusive=True):
        code, printed = decide(
            store, "different", pairs=[f"{line['person_a_row_id']}:{line['person_b_row_id']}"]
        )
    assert code == 2 and "using this store" in printed, printed
    assert history(store) == []
