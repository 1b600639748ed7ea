"""``icm-migrate quarantine-review``: a data steward's decision on quarantined rows, recorded with
who, when and why, on a really migrated store (SQLite and PostgreSQL): all rows or none, kept
by a re-run, history kept when a changed record opens again, and reconcile still clean."""

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
from flows.run_quarantine import run_quarantine_list, run_quarantine_review

pytestmark = pytest.mark.timeout(300)
NOTE = "Confirmed with the district office: Jayden Smith's record is a test entry"


@pytest.fixture
def store(store_copy: Store) -> Store:
    """A copy of the module's migrated store (conftest), per engine, of the test's own."""
    return store_copy


def review(store: Store, status: str, **options: Any) -> tuple[int, str]:
    buffer = io.StringIO()
    code = run_quarantine_review(
        target=options.pop("target", store.target_url),
        status=status,
        note=options.pop("note", NOTE),
        reviewed_by=options.pop("reviewed_by", "steward-4"),
        console=Console(file=buffer, width=200, force_terminal=False),
        **options,
    )
    return code, " ".join(buffer.getvalue().split())


def worklist(store: Store, folder: Path) -> list[dict[str, str]]:
    out = folder / "worklist.csv"
    code = run_quarantine_list(
        target=store.target_url, out=out, console=Console(file=io.StringIO())
    )
    assert code == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def statuses(store: Store) -> dict[tuple[str, str], str]:
    quarantine = load.target_table("quarantine")
    with target(store) as engine, engine.connect() as conn:
        return {
            (t, r): s
            for t, r, s in conn.execute(
                sa.select(
                    quarantine.c.legacy_table, quarantine.c.legacy_row_id, quarantine.c.status
                )
            )
        }


def reviews(store: Store) -> list[dict[str, Any]]:
    table = load.target_table("quarantine_review")
    with target(store) as engine, engine.connect() as conn:
        return [r._asdict() for r in conn.execute(sa.select(table).order_by(table.c.id))]


def two_rows(store: Store, folder: Path) -> list[tuple[str, str]]:
    """Two quarantined rows of different tables."""
    lines = worklist(store, folder)
    first = lines[0]
    other = next(x for x in lines if x["legacy_table"] != first["legacy_table"])
    return [(x["legacy_table"], x["legacy_row_id"]) for x in (first, other)]


def test_a_waiver_is_recorded_with_who_when_and_why(store: Store, tmp_path: Path) -> None:
    rows = two_rows(store, tmp_path)
    before = statuses(store)
    started = dt.datetime.now(dt.UTC)
    code, printed = review(store, "waived", rows=[f"{t}:{r}" for t, r in rows])
    assert code == 0, printed
    assert "2 quarantine records now waived" in printed
    assert "Jayden" not in printed  # the note is the steward's text: stored, never shown
    after = statuses(store)
    assert {key: after[key] for key in rows} == dict.fromkeys(rows, "waived")
    assert {k: v for k, v in after.items() if k not in rows} == {
        k: v for k, v in before.items() if k not in rows
    }
    recorded = reviews(store)
    assert [(r["legacy_table"], r["legacy_row_id"]) for r in recorded] == sorted(rows)
    for r in recorded:
        assert (r["previous_status"], r["status"], r["reviewed_by"], r["note"]) == (
            "open",
            "waived",
            "steward-4",
            NOTE,
        )
        at = r["reviewed_at"]
        at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at
        assert started - dt.timedelta(seconds=1) <= at <= dt.datetime.now(dt.UTC)

    lines = {(x["legacy_table"], x["legacy_row_id"]): x for x in worklist(store, tmp_path)}
    for key in rows:
        assert (lines[key]["status"], lines[key]["last_review_status"]) == ("waived", "waived")
        assert lines[key]["last_reviewed_by"] == "steward-4"
        assert dt.datetime.fromisoformat(lines[key]["last_reviewed_at"]).tzinfo is not None
    assert "Jayden" not in (tmp_path / "worklist.csv").read_text("utf-8-sig")

    # The same decision again changes nothing and records nothing.
    code, printed = review(store, "waived", rows=[f"{t}:{r}" for t, r in rows])
    assert (
        code == 0 and "0 quarantine records now waived" in printed and "2 already were" in printed
    )
    assert len(reviews(store)) == 2


def test_a_rerun_keeps_the_decision_and_reconcile_stays_clean(store: Store, tmp_path: Path) -> None:
    rows = two_rows(store, tmp_path)
    assert review(store, "waived", rows=[f"{t}:{r}" for t, r in rows])[0] == 0
    migrate_store(store)
    assert {key: statuses(store)[key] for key in rows} == dict.fromkeys(rows, "waived")
    assert len(reviews(store)) == 2
    with reconcile(store, tmp_path / "report") as result:
        assert [(d.kind, d.legacy_table, d.legacy_row_id) for d in result.discrepancies] == []
        # The report counts each reason's records by status: the two waived ones among them.
        waived = {
            (r.legacy_table, r.code): r.by_status.get("waived", 0)
            for r in result.quarantine_reasons
        }
        assert sum(waived.values()) >= 2 and {t for (t, _), n in waived.items() if n} == {
            table for table, _ in rows
        }
        assert all(sum(r.by_status.values()) == r.count for r in result.quarantine_reasons)


def test_a_changed_record_opens_again_and_its_history_stays(store: Store, tmp_path: Path) -> None:
    lines = worklist(store, tmp_path)
    person = next(x for x in lines if x["reason"] == "DOB_IN_FUTURE")
    key = (person["legacy_table"], person["legacy_row_id"])
    assert review(store, "waived", rows=[f"{key[0]}:{key[1]}"])[0] == 0
    legacy = sa.create_engine(f"sqlite:///{store.legacy}")
    try:
        with legacy.begin() as conn:
            conn.execute(
                sa.text("UPDATE S_CONTACT SET NICK_NAME = 'Edited' WHERE ROW_ID = :r"),
                {"r": key[1]},
            )
    finally:
        legacy.dispose()
    migrate_store(store)
    assert statuses(store)[key] == "open"  # its raw row changed: to review again
    waived, reopened = reviews(store)  # the steward's waiver stays; the run's change follows
    assert (waived["legacy_row_id"], waived["status"]) == (key[1], "waived")
    assert (reopened["legacy_row_id"], reopened["previous_status"], reopened["status"]) == (
        key[1],
        "waived",
        "open",
    )
    assert reopened["reviewed_by"].startswith("icm-migrate run ")
    line = next(
        x for x in worklist(store, tmp_path) if (x["legacy_table"], x["legacy_row_id"]) == key
    )
    assert (line["status"], line["last_review_status"]) == ("open", "open")


def test_the_next_run_settles_a_replay_loaded_or_open_again(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``replayed`` waits for the next run: the row it loads leaves the quarantine; one it still
    quarantines is open again, on the record, and back on the worklist of open rows."""
    lines = worklist(store, tmp_path)
    person = next(x for x in lines if x["reason"] == "DOB_IN_FUTURE")
    fixed = (person["legacy_table"], person["legacy_row_id"])
    unfixed = next(
        (x["legacy_table"], x["legacy_row_id"])
        for x in lines
        if x["legacy_table"] != "S_CONTACT" and x["reason"] != "PARENT_QUARANTINED"
    )
    assert review(store, "replayed", rows=[f"{t}:{r}" for t, r in (fixed, unfixed)])[0] == 0
    legacy = sa.create_engine(f"sqlite:///{store.legacy}")
    try:
        with legacy.begin() as conn:  # the steward had the birth date fixed in ICM
            conn.execute(
                sa.text("UPDATE S_CONTACT SET BIRTH_DT = '1990-05-17 00:00:00' WHERE ROW_ID = :r"),
                {"r": fixed[1]},
            )
    finally:
        legacy.dispose()

    migrate_store(store)
    now = statuses(store)
    assert fixed not in now and now[unfixed] == "open"
    history = reviews(store)
    assert len(history) == 3
    settled = history[-1]
    assert (settled["legacy_table"], settled["legacy_row_id"]) == unfixed
    assert (settled["previous_status"], settled["status"]) == ("replayed", "open")
    assert settled["reviewed_by"].startswith("icm-migrate run ")
    open_rows = {(x["legacy_table"], x["legacy_row_id"]) for x in worklist(store, tmp_path)}
    assert unfixed in open_rows and fixed not in open_rows
    assert "1 quarantined rows a steward marked replayed are still quarantined" in caplog.text

    migrate_store(store)  # nothing left to settle: nothing recorded
    assert len(reviews(store)) == 3
    with reconcile(store, tmp_path / "report") as result:
        assert [(d.kind, d.legacy_table, d.legacy_row_id) for d in result.discrepancies] == []


def a_run(engine: sa.Engine) -> str:
    """A migration run begun now."""
    return load.start_run(
        engine,
        kind="full",
        source="sqlite:///legacy.sqlite",
        code_version="t",
        rules_version="t",
    )


def test_a_replay_marked_after_the_run_began_waits_for_the_next_run(
    store: Store, tmp_path: Path
) -> None:
    """Marked while a crashed run was stopped, before it resumed: the run may have passed that
    table already, so its end leaves the mark for the run after it."""
    (key, _) = two_rows(store, tmp_path)
    with target(store) as engine:
        crashed = a_run(engine)
    assert review(store, "replayed", rows=[f"{key[0]}:{key[1]}"])[0] == 0
    with target(store) as engine:
        assert load.reopen_unloaded_replays(engine, run_id=crashed) == 0
        assert statuses(store)[key] == "replayed"
        later = a_run(engine)
        assert load.reopen_unloaded_replays(engine, run_id=later) == 1
        assert load.reopen_unloaded_replays(engine, run_id=later) == 0
    assert statuses(store)[key] == "open"
    assert [(r["status"], r["reviewed_by"]) for r in reviews(store)] == [
        ("replayed", "steward-4"),
        ("open", f"icm-migrate run {later}"),
    ]

    # Marked by hand in SQL, with no history: taken as marked before any run.
    quarantine = load.target_table("quarantine")
    with target(store) as engine:
        with engine.begin() as conn:
            conn.execute(
                sa.update(quarantine)
                .where(quarantine.c.legacy_table == key[0], quarantine.c.legacy_row_id == key[1])
                .values(status="replayed")
            )
        assert load.reopen_unloaded_replays(engine, run_id=later) == 1
    assert statuses(store)[key] == "open"


def test_all_rows_or_none(store: Store, tmp_path: Path) -> None:
    (table, row_id), _ = two_rows(store, tmp_path)
    loaded = _a_loaded_row(store)
    before = statuses(store)
    for wrong in [(table, "1-NOPE"), loaded]:
        code, printed = review(
            store, "waived", rows=[f"{table}:{row_id}", f"{wrong[0]}:{wrong[1]}"]
        )
        assert code == 2, printed
        assert f"table {wrong[0]}" in printed and f"ROW_ID {wrong[1]}" in printed, printed
        assert "nothing was changed" in printed
    assert statuses(store) == before and reviews(store) == []


def _a_loaded_row(store: Store) -> tuple[str, str]:
    ledger = load.target_table("ledger")
    with target(store) as engine, engine.connect() as conn:
        row = conn.execute(
            sa.select(ledger.c.legacy_table, ledger.c.legacy_row_id)
            .where(ledger.c.outcome == "loaded")
            .order_by(ledger.c.legacy_table, ledger.c.legacy_row_id)
        ).first()
    assert row is not None
    return row[0], row[1]


@pytest.mark.parametrize(
    ("status", "options", "named"),
    [
        ("closed", {}, "unknown status 'closed'"),
        ("waived", {"note": "  "}, "must say why"),
        ("waived", {"reviewed_by": ""}, "must say who"),
        ("waived", {"rows": ["S_CONTACT 1-X"]}, "is not TABLE:ROW_ID"),
        ("waived", {"rows": ["S_CONTAKT:1-X"]}, "unknown legacy table 'S_CONTAKT'"),
        ("waived", {"rows": []}, "no row named"),
    ],
)
def test_a_review_that_cannot_be_recorded_as_asked_is_refused(
    store: Store, tmp_path: Path, status: str, options: dict[str, Any], named: str
) -> None:
    if "rows" not in options:
        options["rows"] = [":".join(two_rows(store, tmp_path)[0])]
    code, printed = review(store, status, **options)
    assert code == 2 and named in printed, printed
    assert reviews(store) == [] and set(statuses(store).values()) == {"open"}


def test_the_worklist_cut_down_is_the_row_list(store: Store, tmp_path: Path) -> None:
    """A steward filters the worklist to the rows decided and hands it back with --rows."""
    assert (
        run_quarantine_list(
            target=store.target_url,
            out=tmp_path / "orphans.csv",
            console=Console(file=io.StringIO()),
            reasons=["ORPHAN_REFERENCE"],
        )
        == 0
    )
    with (tmp_path / "orphans.csv").open(encoding="utf-8-sig", newline="") as handle:
        wanted = {(x["legacy_table"], x["legacy_row_id"]) for x in csv.DictReader(handle)}
    assert len(wanted) > 1
    result = CliRunner().invoke(
        app,
        [
            *("quarantine-review", "--target", store.target_url, "--status", "waived"),
            *("--note", "orphans of a purged office", "--rows", str(tmp_path / "orphans.csv")),
        ],
    )
    assert result.exit_code == 0, result.output
    assert {k for k, s in statuses(store).items() if s == "waived"} == wanted
    assert {r["reviewed_by"] for r in reviews(store)} == {current_user()}

    (tmp_path / "bad.csv").write_text("table,row\nS_CONTACT,1-X\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            *("quarantine-review", "--target", store.target_url, "--status", "open"),
            *("--note", "reopen", "--rows", str(tmp_path / "bad.csv")),
        ],
    )
    assert result.exit_code == 2
    assert "no column legacy_row_id, legacy_table" in " ".join(result.output.split())


def test_a_store_being_migrated_is_not_reviewed(store: Store, tmp_path: Path) -> None:
    rows = [":".join(two_rows(store, tmp_path)[0])]
    with target(store) as engine, load.store_lock(engine, exclusive=True):
        code, printed = review(store, "waived", rows=rows)
    assert code == 2 and "using this store" in printed, printed
    assert reviews(store) == []
