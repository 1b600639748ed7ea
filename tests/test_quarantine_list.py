"""``icm-migrate quarantine``: the data stewards' worklist of every quarantined legacy row, read
from a really migrated store (SQLite and PostgreSQL): complete, in order, filtered as asked,
free of personal data, and clear errors that leave no half-written file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from e2e_support import ledger
from reconcile_support import Store, target
from rich.console import Console
from typer.testing import CliRunner

import load
from flows.cli import app
from flows.run_quarantine import run_quarantine_list
from reconcile import QUARANTINE_CSV_COLUMNS
from transform import REASON_CODES, TABLE_LOAD_ORDER

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def store(migrated_store: Store) -> Store:
    """The module's migrated store (conftest), per engine; tests undo what they change."""
    return migrated_store


def run(store: Store, out: Path, **options: Any) -> tuple[int, str]:
    """run_quarantine_list with a captured console; returns (exit code, what it printed)."""
    buffer = io.StringIO()
    code = run_quarantine_list(
        target=options.pop("target", store.target_url),
        out=out,
        console=Console(file=buffer, width=200, force_terminal=False),
        **options,
    )
    return code, " ".join(buffer.getvalue().split())


def read_lines(out: Path) -> list[dict[str, str]]:
    with out.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == QUARANTINE_CSV_COLUMNS
        return list(reader)


def quarantined_in_store(store: Store) -> dict[tuple[str, str], dict[str, Any]]:
    """(table, ROW_ID) -> the quarantine record, of every row the ledger has quarantined."""
    quarantine = load.target_table("quarantine")
    with target(store) as engine:
        outcomes = ledger(engine)
        with engine.connect() as conn:
            records = {
                (r.legacy_table, r.legacy_row_id): r._asdict()
                for r in conn.execute(sa.select(quarantine))
            }
    return {
        key: record for key, record in records.items() if outcomes[key]["outcome"] == "quarantined"
    }


def test_every_reason_of_every_quarantined_row_is_listed_in_order(
    store: Store, tmp_path: Path
) -> None:
    code, printed = run(store, tmp_path / "worklist.csv")
    assert code == 0, printed
    lines = read_lines(tmp_path / "worklist.csv")
    records = quarantined_in_store(store)
    # The generator's defects quarantine rows of several tables.
    assert len(records) >= 10 and len({table for table, _ in records}) >= 3
    expected = {
        (table, row_id, detail["code"], detail["column"], detail["message"])
        for (table, row_id), record in records.items()
        for detail in json.loads(record["details"])
    }
    listed = [
        (x["legacy_table"], x["legacy_row_id"], x["reason"], x["legacy_column"], x["message"])
        for x in lines
    ]
    assert sorted(listed) == sorted(expected)
    for line in lines:
        record = records[(line["legacy_table"], line["legacy_row_id"])]
        assert (line["status"], line["run_id"]) == (record["status"], record["run_id"])
        assert line["meaning"] == REASON_CODES[line["reason"]]
    order = [(TABLE_LOAD_ORDER.index(t), r.encode()) for t, r, *_ in listed]
    assert order == sorted(order)
    assert f"Wrote {len(lines):,} reasons of {len(records):,} quarantined rows" in printed


def test_filters_keep_only_what_was_asked(store: Store, tmp_path: Path) -> None:
    every = tmp_path / "every.csv"
    assert run(store, every)[0] == 0
    all_lines = read_lines(every)
    out = tmp_path / "some.csv"

    assert run(store, out, tables=["S_CONTACT", "CX_PLACEMENT"])[0] == 0
    wanted = [x for x in all_lines if x["legacy_table"] in ("S_CONTACT", "CX_PLACEMENT")]
    assert read_lines(out) == wanted and {x["legacy_table"] for x in wanted} == {
        "S_CONTACT",
        "CX_PLACEMENT",
    }

    assert run(store, out, reasons=["ORPHAN_REFERENCE"])[0] == 0
    wanted = [x for x in all_lines if x["reason"] == "ORPHAN_REFERENCE"]
    assert read_lines(out) == wanted and len({x["legacy_table"] for x in wanted}) > 1

    # A steward waives one record: it alone is listed as waived, and open lists the rest.
    waived = all_lines[0]
    quarantine = load.target_table("quarantine")
    with target(store) as engine, engine.begin() as conn:
        conn.execute(
            sa.update(quarantine)
            .where(quarantine.c.legacy_table == waived["legacy_table"])
            .where(quarantine.c.legacy_row_id == waived["legacy_row_id"])
            .values(status="waived")
        )
    try:
        assert run(store, out, statuses=["waived"])[0] == 0
        assert read_lines(out) == [{**waived, "status": "waived"}]
        assert run(store, out, statuses=["open"])[0] == 0
        assert read_lines(out) == [
            x
            for x in all_lines
            if (x["legacy_table"], x["legacy_row_id"])
            != (waived["legacy_table"], waived["legacy_row_id"])
        ]
    finally:
        with target(store) as engine, engine.begin() as conn:
            conn.execute(sa.update(quarantine).values(status="open"))


def test_no_personal_data_in_the_worklist(store: Store, tmp_path: Path) -> None:
    """Not a name, birth date, PHN, phone or e-mail of any legacy person (the quarantined
    among them: their records' raw rows hold these)."""
    assert run(store, tmp_path / "worklist.csv")[0] == 0
    text = (tmp_path / "worklist.csv").read_text("utf-8-sig")
    columns = ("FST_NAME", "MID_NAME", "LAST_NAME", "NICK_NAME", "BIRTH_DT", "X_PHN")
    columns += ("CELL_PH_NUM", "HOME_PH_NUM", "EMAIL_ADDR")
    personal = {
        str(value).strip()
        for raw in legacy_snapshot(store.legacy, "S_CONTACT", columns)
        for value in raw
        if value is not None and len(str(value).strip()) >= 4
    }
    assert len(personal) > 100
    assert any(
        record["legacy_table"] == "S_CONTACT" for record in quarantined_in_store(store).values()
    )
    leaked = sorted(value for value in personal if value in text)
    assert leaked == []


def legacy_snapshot(legacy: Path, table: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(f"sqlite:///{legacy}")
    try:
        with engine.connect() as conn:
            return [
                tuple(row)
                for row in conn.execute(
                    sa.select(*(sa.column(c) for c in columns)).select_from(sa.table(table))
                )
            ]
    finally:
        engine.dispose()


def test_a_row_quarantined_no_more_is_not_listed(store: Store, tmp_path: Path) -> None:
    """A record whose ledger outcome is not ``quarantined`` (a row since loaded) is history."""
    out = tmp_path / "worklist.csv"
    assert run(store, out)[0] == 0
    first = read_lines(out)[0]
    table = load.target_table("ledger")
    key = (table.c.legacy_table == first["legacy_table"]) & (
        table.c.legacy_row_id == first["legacy_row_id"]
    )
    with target(store) as engine, engine.begin() as conn:
        conn.execute(sa.update(table).where(key).values(outcome="loaded"))
    try:
        assert run(store, out)[0] == 0
        assert (first["legacy_table"], first["legacy_row_id"]) not in {
            (x["legacy_table"], x["legacy_row_id"]) for x in read_lines(out)
        }
    finally:
        with target(store) as engine, engine.begin() as conn:
            conn.execute(sa.update(table).where(key).values(outcome="quarantined"))


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"tables": ["S_CONTAKT"]}, "unknown legacy table 'S_CONTAKT'"),
        ({"reasons": ["DOB_IN_PAST"]}, "unknown reason code 'DOB_IN_PAST'"),
        ({"statuses": ["closed"]}, "unknown status 'closed'; known: open, replayed, waived"),
    ],
)
def test_a_filter_that_can_match_nothing_is_refused(
    store: Store, tmp_path: Path, options: dict[str, list[str]], named: str
) -> None:
    out = tmp_path / "worklist.csv"
    code, printed = run(store, out, **options)
    assert code == 2 and named in printed, printed
    assert not out.exists()


def test_errors_name_the_cause_and_leave_no_file(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "worklist.csv"
    code, printed = run(store, out, target=f"sqlite:///{tmp_path / 'nothing.sqlite'}")
    assert code == 2 and "is not a store yet" in printed, printed
    assert not (tmp_path / "nothing.sqlite").exists()  # a mistyped path makes no empty file
    empty = sa.create_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    load.init_target(empty)
    code, printed = run(store, out, target=str(empty.url))
    assert code == 2 and "no migration run" in printed, printed
    with empty.begin() as conn:  # a store of an older schema: upgrade it first
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0007'"))
    code, printed = run(store, out, target=str(empty.url))
    assert code == 2 and "at schema revision 0007" in printed and "init-target" in printed
    code, printed = run(store, out, target="nosuchdialect://x")
    assert code == 2 and "target" in printed, printed
    assert not out.exists()

    missing_folder = tmp_path / "no-such-folder" / "worklist.csv"
    code, printed = run(store, missing_folder)
    assert code == 2 and "could not be written" in printed, printed
    assert [p for p in tmp_path.rglob("*") if "worklist" in p.name] == []


def test_a_store_being_migrated_is_not_listed(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "worklist.csv"
    with target(store) as engine, load.store_lock(engine, exclusive=True):
        code, printed = run(store, out)
    assert code == 2 and "a migration run is writing this store" in printed, printed
    assert not out.exists()


def test_an_unreadable_record_still_lists_its_codes(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "worklist.csv"
    assert run(store, out)[0] == 0
    first = read_lines(out)[0]
    quarantine = load.target_table("quarantine")
    key = (quarantine.c.legacy_table == first["legacy_table"]) & (
        quarantine.c.legacy_row_id == first["legacy_row_id"]
    )
    with target(store) as engine, engine.begin() as conn:
        details = conn.execute(sa.select(quarantine.c.details).where(key)).scalar_one()
        conn.execute(sa.update(quarantine).where(key).values(details="=not json"))
    try:
        assert run(store, out)[0] == 0
        (line,) = [
            x
            for x in read_lines(out)
            if (x["legacy_table"], x["legacy_row_id"])
            == (first["legacy_table"], first["legacy_row_id"])
        ]
        assert (line["reason"], line["legacy_column"], line["message"]) == (
            first["reason"],
            "",
            "",
        )
    finally:
        with target(store) as engine, engine.begin() as conn:
            conn.execute(sa.update(quarantine).where(key).values(details=details))


def test_the_command_line_takes_repeated_filters(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "worklist.csv"
    result = CliRunner().invoke(
        app,
        [
            *("quarantine", "--target", store.target_url, "--out", str(out)),
            *("--table", "S_CONTACT", "--table", "CX_PLACEMENT", "--status", "open"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert {x["legacy_table"] for x in read_lines(out)} == {"S_CONTACT", "CX_PLACEMENT"}
    refused = CliRunner().invoke(
        app, ["quarantine", "--target", store.target_url, "--out", str(out), "--status", "done"]
    )
    assert refused.exit_code == 2
    assert "unknown status 'done'" in " ".join(refused.output.split())
