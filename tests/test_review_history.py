"""``icm-migrate review-history``: every review on record, for the auditors, on a really migrated
store (SQLite and PostgreSQL): the stewards' decisions and what runs did, oldest first, with the
stewards' notes left out unless asked for."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import pwd
import shutil
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from reconcile_support import Store, reconcile, target
from rich.console import Console
from typer.testing import CliRunner

import load
from flows.cli import app
from flows.run_disclosures import run_disclosures
from flows.run_review_history import run_review_history
from reconcile import HIDDEN_NOTE, REVIEW_CSV_COLUMNS, check_audit_trails

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
        target=store.target_url,
        out=out,
        console=Console(file=buffer),
        reveal_notes=reveal_notes,
        requested_by="auditor-3",
    )
    assert code == 0, buffer.getvalue()
    assert " ".join(buffer.getvalue().split()).count("every hash link verified") == 3
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


REVIEWS = ("quarantine_review", "match_review")
HISTORIES = (*REVIEWS, "disclosure")


def history_command(
    store: Store,
    folder: Path,
    *,
    since_report: Path | None = None,
    public_key: Path | None = None,
) -> tuple[int, str]:
    buffer = io.StringIO()
    code = run_review_history(
        target=store.target_url,
        out=folder / "history.csv",
        console=Console(file=buffer, width=300),
        since_report=since_report,
        public_key=public_key,
    )
    return code, " ".join(buffer.getvalue().split())


def review_ids(engine: sa.Engine, name: str) -> list[int]:
    table = load.target_table(name)
    with engine.connect() as conn:
        return list(conn.execute(sa.select(table.c.id).order_by(table.c.id)).scalars())


def qualified(engine: sa.Engine, name: str) -> str:
    return f"migration.{name}" if engine.dialect.name == "postgresql" else name


def without_guards(engine: sa.Engine) -> None:
    """Lift the store's refusal of edits, as the database's owner could."""
    with engine.begin() as conn:
        for name in HISTORIES:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"ALTER TABLE migration.{name} DISABLE TRIGGER USER")
            else:
                for action in ("update", "delete", "replace"):
                    conn.exec_driver_sql(f"DROP TRIGGER {name}_no_{action}")


def waive_more(store: Store, count: int, notes: tuple[str, ...] = ()) -> None:
    quarantine = load.target_table("quarantine")
    with target(store) as engine:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(quarantine.c.legacy_table, quarantine.c.legacy_row_id)
                .where(quarantine.c.status == "open")
                .order_by(quarantine.c.legacy_row_id)
                .limit(count)
            ).all()
        assert len(rows) == count
        for i, row in enumerate(rows):
            load.review_quarantine(
                engine,
                [tuple(row)],
                "waived",
                reviewed_by="steward-5",
                note=notes[i] if i < len(notes) else f"{NOTE} ({i})",
                at=DAY + dt.timedelta(days=1, minutes=i),
            )


def test_the_store_refuses_to_edit_or_remove_a_review(store: Store, tmp_path: Path) -> None:
    reviewed(store)
    written(store, tmp_path, reveal_notes=True)  # a disclosure too
    with target(store) as engine:
        before = {name: review_ids(engine, name) for name in HISTORIES}
        statements = [f"UPDATE {qualified(engine, name)} SET id = id" for name in HISTORIES] + [
            f"DELETE FROM {qualified(engine, name)}" for name in HISTORIES
        ]
        if engine.dialect.name == "postgresql":
            statements += [f"TRUNCATE {qualified(engine, name)}" for name in HISTORIES]
        else:  # REPLACE deletes the row it replaces without firing DELETE triggers
            statements += [
                f"INSERT OR REPLACE INTO {name} SELECT * FROM {name} WHERE id = {before[name][0]}"
                for name in HISTORIES
            ]
        for statement in statements:
            name = next(n for n in HISTORIES if n in statement)
            refused = pytest.raises(sa.exc.IntegrityError, match=f"migration.{name} is append-only")
            with refused, engine.begin() as conn:
                conn.exec_driver_sql(statement)
        assert {name: review_ids(engine, name) for name in HISTORIES} == before
        with engine.connect() as conn:
            assert all(trail.intact for trail in check_audit_trails(conn))


def test_every_hash_link_can_be_recomputed_from_the_revealed_list(
    store: Store, tmp_path: Path
) -> None:
    """With the notes revealed, each line's chained_text is what its link covers, matches
    the line's cells (a note that looks like a formula is escaped in its own cell only),
    and recomputes the link with nothing but SHA-256."""
    formulas = ("-- duplicate of the other record", "=1+1", "@team: same person")
    reviewed(store)
    waive_more(store, 3, notes=formulas)
    lines = written(store, tmp_path, reveal_notes=True)
    assert len(lines) == 6
    for review, name in (("quarantine", "quarantine_review"), ("match", "match_review")):
        previous = "0" * 64
        ordered = sorted(
            (x for x in lines if x["review"] == review), key=lambda x: int(x["review_id"])
        )
        for line in ordered:
            at = dt.datetime.fromisoformat(line["reviewed_at"]).astimezone(dt.UTC)
            keys = (
                [line["legacy_table"], line["legacy_row_id"]]
                if review == "quarantine"
                else [line["legacy_row_id"], line["other_row_id"]]
            )
            *cells, note = json.loads(line["chained_text"])
            assert cells == [
                name,
                *keys,
                line["previous"],
                line["new"],
                line["reviewed_by"],
                at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            ]
            assert line["note"] in (note, f"'{note}")
            previous = hashlib.sha256(f"{previous}\n{line['chained_text']}".encode()).hexdigest()
            assert line["chain_sha256"] == previous, line["review_id"]
    notes = [json.loads(x["chained_text"])[-1] for x in lines]
    assert set(formulas) <= set(notes)
    hidden = written(store, tmp_path)  # without the notes, no text that holds them
    assert {x["chained_text"] for x in hidden} == {""}


@pytest.mark.parametrize("change", ["edit", "remove"])
def test_a_review_changed_behind_the_store_s_back_is_found(
    store: Store, tmp_path: Path, change: str
) -> None:
    """With the guards lifted, an edited or removed review breaks the link where it happened:
    review-history exits 1 and reconcile reports the store not clean, naming the row."""
    reviewed(store)
    waive_more(store, 3)
    with target(store) as engine:
        ids = review_ids(engine, "quarantine_review")
        assert len(ids) == 4
        without_guards(engine)
        table = qualified(engine, "quarantine_review")
        with engine.begin() as conn:
            if change == "edit":
                conn.exec_driver_sql(f"UPDATE {table} SET status = 'open' WHERE id = {ids[1]}")
            else:
                conn.exec_driver_sql(f"DELETE FROM {table} WHERE id = {ids[1]}")
        with engine.connect() as conn:
            trails = {t.table: t for t in check_audit_trails(conn)}
    broken_at = ids[1] if change == "edit" else ids[2]
    quarantine = trails["quarantine_review"]
    assert (quarantine.intact, quarantine.broken_links, quarantine.first_broken_id) == (
        False,
        1,
        broken_at,
    )
    assert trails["match_review"].intact
    code, output = history_command(store, tmp_path)
    assert code == 1, output
    rows = len(ids) - (change == "remove")
    assert f"{rows} rows, 1 hash link does not verify, the first at id {broken_at}" in output
    result = reconcile(store, tmp_path / "report")
    assert result.status == "discrepancies" and result.exit_code == 1
    document = json.loads((tmp_path / "report" / "reconciliation.json").read_text("utf-8"))
    assert document["status"] == "discrepancies"
    assert document["audit_trails"]["quarantine_review"]["intact"] is False
    assert document["audit_trails"]["quarantine_review"]["first_broken_id"] == broken_at
    assert document["audit_trails"]["match_review"]["intact"] is True
    page = (tmp_path / "report" / "report.html").read_text("utf-8")
    assert 'data-table="quarantine_review" data-intact="no"' in page


def test_reviews_removed_since_a_report_are_found(store: Store, tmp_path: Path) -> None:
    """The report records each history's head: appending later is fine, removing what it
    saw is not, even from the end, where no link breaks."""
    reviewed(store)
    reconcile(store, tmp_path / "report")
    document = json.loads((tmp_path / "report" / "reconciliation.json").read_text("utf-8"))
    assert {n: t["rows"] for n, t in document["audit_trails"].items()} == {
        "quarantine_review": 1,
        "match_review": 2,
        "disclosure": 0,
    }
    waive_more(store, 1)
    code, output = history_command(store, tmp_path, since_report=tmp_path / "report")
    assert code == 0, output
    assert "Every review that the report in" in output and "still on record" in output
    with target(store) as engine:
        last = review_ids(engine, "match_review")[-1]
        without_guards(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql(
                f"DELETE FROM {qualified(engine, 'match_review')} WHERE id = {last}"
            )
        with engine.connect() as conn:
            assert all(trail.intact for trail in check_audit_trails(conn))
    code, output = history_command(store, tmp_path, since_report=tmp_path / "report")
    assert code == 1, output
    assert "Changed since the report: migration.match_review no longer holds" in output


def test_a_report_that_does_not_verify_is_not_trusted_for_its_heads(
    store: Store, tmp_path: Path
) -> None:
    reviewed(store)
    reconcile(store, tmp_path / "report")
    path = tmp_path / "report" / "reconciliation.json"
    path.write_text(path.read_text("utf-8").replace('"rows": 2', '"rows": 3'), "utf-8")
    code, output = history_command(store, tmp_path, since_report=tmp_path / "report")
    assert code == 2, output
    assert "cannot be trusted: reconciliation.json was altered" in output
    assert not (tmp_path / "history.csv").exists()


def disclosures(store: Store, *, as_json: bool = False) -> tuple[int, str]:
    buffer, printed = io.StringIO(), io.StringIO()
    code = run_disclosures(
        target=store.target_url,
        console=Console(file=buffer, width=300),
        as_json=as_json,
        out=printed,
    )
    return code, printed.getvalue() if as_json else " ".join(buffer.getvalue().split())


def test_revealing_the_notes_is_recorded_first_and_refused_without_a_name(
    store: Store, tmp_path: Path
) -> None:
    reviewed(store)
    assert disclosures(store)[1].startswith("No personal data was ever shown in the clear")
    buffer = io.StringIO()
    out = tmp_path / "history.csv"
    code = run_review_history(
        target=store.target_url, out=out, console=Console(file=buffer), reveal_notes=True
    )
    assert code == 2 and not out.exists()
    assert "disclosure record can say who asked" in " ".join(buffer.getvalue().split())
    assert disclosures(store)[1].startswith("No personal data was ever shown in the clear")
    written(store, tmp_path, reveal_notes=True)
    written(store, tmp_path)  # notes hidden: nothing to record
    code, printed = disclosures(store, as_json=True)
    assert code == 0, printed
    document = json.loads(printed)
    assert document["intact"] is True
    (only,) = document["disclosures"]
    assert (only["requested_by"], only["command"]) == ("auditor-3", "review-history --reveal-notes")
    assert str(out.resolve()) in only["what"]
    assert "Jayden" not in printed  # what was shown is described, never copied
    code, shown = disclosures(store)
    assert code == 0 and "auditor-3" in shown and "every hash link verified" in shown


def test_a_report_with_personal_data_revealed_is_recorded(store: Store, tmp_path: Path) -> None:
    reconcile(store, tmp_path / "masked")
    reconcile(store, tmp_path / "revealed", reveal_pii=True, requested_by="privacy-officer")
    code, printed = disclosures(store, as_json=True)
    assert code == 0, printed
    (only,) = json.loads(printed)["disclosures"]
    assert (only["requested_by"], only["command"]) == ("privacy-officer", "reconcile --reveal-pii")
    assert str(tmp_path / "revealed") in only["what"]


def test_a_disclosure_edited_behind_the_store_s_back_is_found(store: Store, tmp_path: Path) -> None:
    reviewed(store)
    written(store, tmp_path, reveal_notes=True)
    with target(store) as engine:
        refused = pytest.raises(
            sa.exc.IntegrityError, match=r"migration\.disclosure is append-only"
        )
        with refused, engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE {qualified(engine, 'disclosure')} SET requested_by = 'x'")
        without_guards(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE {qualified(engine, 'disclosure')} SET requested_by = 'x'")
    code, shown = disclosures(store)
    assert code == 1, shown
    assert (
        "Changed after it was written: migration.disclosure: 1 row, 1 hash link does not verify"
        in shown
    )
    code, printed = disclosures(store, as_json=True)
    assert code == 1 and json.loads(printed)["intact"] is False


def test_the_command_line_records_who_revealed_the_notes(store: Store, tmp_path: Path) -> None:
    reviewed(store)
    out = tmp_path / "history.csv"
    runner = CliRunner()
    result = runner.invoke(  # the account is recorded, not what USER or LOGNAME claim
        app,
        ["review-history", "--target", store.target_url, "--out", str(out), "--reveal-notes"],
        env={"USER": "mallory", "LOGNAME": "mallory"},
    )
    assert result.exit_code == 0, result.output
    assert NOTE in out.read_text("utf-8-sig")
    result = runner.invoke(app, ["disclosures", "--target", store.target_url, "--json"])
    assert result.exit_code == 0, result.output
    (only,) = json.loads(result.stdout)["disclosures"]
    assert (only["requested_by"], only["command"]) == (
        pwd.getpwuid(os.getuid()).pw_name,
        "review-history --reveal-notes",
    )


def rewrite_with_fresh_links(engine: sa.Engine, name: str, row_id: int, note: str) -> None:
    """Edit a row and recompute every link from it on, as someone covering their tracks
    would: the trail then passes its own check."""
    from load.audit_chain import GENESIS, chain_digest

    table = load.target_table(name)
    with engine.begin() as conn:
        conn.execute(sa.update(table).where(table.c.id == row_id).values(note=note))
        previous = GENESIS
        for row in conn.execute(sa.select(table).order_by(table.c.id)).mappings().all():
            previous = chain_digest(previous, name, row)
            conn.execute(
                sa.update(table).where(table.c.id == row["id"]).values(chain_sha256=previous)
            )


def test_a_trail_rewritten_with_fresh_links_is_caught_by_the_previous_report(
    store: Store, tmp_path: Path
) -> None:
    reviewed(store)
    waive_more(store, 2)
    first = reconcile(store, tmp_path / "report")
    assert all(t.intact and t.previous_head_kept is None for t in first.audit_trails)
    again = reconcile(store, tmp_path / "report")  # replaces the report, chained to it
    assert [(t.table, t.intact, t.previous_head_kept) for t in again.audit_trails] == [
        ("quarantine_review", True, True),
        ("match_review", True, True),
        ("disclosure", True, True),
    ]
    kept = tmp_path / "kept-report"
    shutil.copytree(tmp_path / "report", kept)
    with target(store) as engine:
        ids = review_ids(engine, "quarantine_review")
        without_guards(engine)
        rewrite_with_fresh_links(engine, "quarantine_review", ids[1], "nothing to see")
        with engine.connect() as conn:
            assert all(t.intact for t in check_audit_trails(conn))  # its own check passes
    code, output = history_command(store, tmp_path, since_report=kept)
    assert code == 1, output
    assert "Changed since the report: migration.quarantine_review" in output
    result = reconcile(store, tmp_path / "report")
    assert result.status == "discrepancies"
    trail = next(t for t in result.audit_trails if t.table == "quarantine_review")
    assert (trail.intact, trail.previous_head_kept, trail.previous_head_id) == (
        False,
        False,
        ids[-1],
    )
    assert "the last row the previous report saw" in trail.describe()
    document = json.loads((tmp_path / "report" / "reconciliation.json").read_text("utf-8"))
    assert document["audit_trails"]["quarantine_review"]["previous_head_kept"] is False


def test_notes_are_not_written_when_their_disclosure_cannot_be_recorded(
    store: Store, tmp_path: Path
) -> None:
    reviewed(store)
    with target(store) as engine, engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "CREATE FUNCTION migration.refuse_disclosure() RETURNS trigger LANGUAGE plpgsql "
                "AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER broken BEFORE INSERT ON migration.disclosure "
                "FOR EACH ROW EXECUTE FUNCTION migration.refuse_disclosure()"
            )
        else:
            conn.exec_driver_sql(
                "CREATE TRIGGER broken BEFORE INSERT ON disclosure "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
    buffer = io.StringIO()
    out = tmp_path / "history.csv"
    code = run_review_history(
        target=store.target_url,
        out=out,
        console=Console(file=buffer, width=300),
        reveal_notes=True,
        requested_by="auditor-3",
    )
    assert code == 2, buffer.getvalue()
    assert "Review history stopped" in buffer.getvalue()
    assert not out.exists()
