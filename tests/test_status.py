"""``icm-migrate status``: where a store stands, on a really migrated store (SQLite and
PostgreSQL): the runs, the latest run's tables (done, under way, not started, also after a
crash), every legacy row's outcome, the stewards' open work, the latest reconciliation, and
whether a migration is writing the store now."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import sqlalchemy as sa
from reconcile_support import Store, legacy, migrate_store, reconcile, target
from rich.console import Console
from typer.testing import CliRunner

import flows.pipeline
import load
from extract.legacy_schema import LEGACY_TABLE_NAMES
from flows.cli import app
from flows.run_status import run_status
from load.store_lock import LOCK_SUFFIX
from transform import TABLE_LOAD_ORDER

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def store(store_copy: Store) -> Store:
    """A copy of the module's migrated store (conftest), per engine, of the test's own."""
    return store_copy


def status(store: Store) -> dict[str, Any]:
    out = io.StringIO()
    code = run_status(
        target=store.target_url, console=Console(file=io.StringIO()), as_json=True, out=out
    )
    assert code == 0
    document: dict[str, Any] = json.loads(out.getvalue())
    return document


def shown(store: Store) -> str:
    buffer = io.StringIO()
    code = run_status(target=store.target_url, console=Console(file=buffer, width=200))
    assert code == 0, buffer.getvalue()
    return " ".join(buffer.getvalue().split())


def legacy_rows(store: Store) -> dict[str, int]:
    with legacy(store) as engine, engine.connect() as conn:
        return {
            name: int(conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one())
            for name in LEGACY_TABLE_NAMES
        }


def test_a_migrated_store_accounts_for_every_legacy_row(store: Store, tmp_path: Path) -> None:
    with reconcile(store, tmp_path / "report") as result:
        assert result.status == "clean"
    document = status(store)
    assert document["schema_revision"] == load.head_revision() and not document["writing_now"]
    (run,) = document["runs"]
    assert (run["status"], run["kind"], run["finished_at"] is not None) == (
        "succeeded",
        "full",
        True,
    )
    tables = document["latest_run_tables"]
    assert [t["legacy_table"] for t in tables] == list(TABLE_LOAD_ORDER)
    assert {t["state"] for t in tables} == {"done"}
    rows = legacy_rows(store)
    assert {t: sum(c.values()) for t, c in document["outcomes"].items()} == {
        t: n for t, n in rows.items() if n
    }
    assert sum(document["quarantine_by_status"].values()) == sum(
        c["quarantined"] for c in document["outcomes"].values()
    )
    assert set(document["pairs_by_decision"]) == set(load.MATCH_DECISIONS)
    latest = document["latest_reconciliation"]
    assert (latest["status"], latest["migration_run_id"]) == ("clean", run["id"])
    assert latest["report_dir"] == str(tmp_path / "report")

    printed = shown(store)
    assert (
        f"Latest run: {len(TABLE_LOAD_ORDER)} of {len(TABLE_LOAD_ORDER)} legacy tables done"
        in printed
    )
    assert "No migration run is writing the store now" in printed
    assert "stopped before its end" not in printed
    assert f"Latest reconciliation {latest['id']}: clean" in printed


def test_a_crashed_run_shows_where_it_stopped(store: Store) -> None:
    write = flows.pipeline.write_prepared
    writes = 0

    def crashing(*args: Any, **kwargs: Any) -> flows.pipeline.BatchReport:
        nonlocal writes
        writes += 1
        if writes == 6:
            raise RuntimeError("the process died")
        return write(*args, **kwargs)

    with patch.object(flows.pipeline, "write_prepared", crashing), pytest.raises(RuntimeError):
        migrate_store(store, batch_size=23)
    document = status(store)
    latest, earlier = document["runs"]
    assert (latest["status"], earlier["status"]) == ("failed", "succeeded")
    states = [t["state"] for t in document["latest_run_tables"]]
    assert states[0] == "done" and states[-1] == "not started"
    # Done, then at most one under way, then not started: in load order.
    assert states == sorted(states, key=["done", "under way", "not started"].index)
    printed = shown(store)
    assert "of 16 legacy tables done" in printed
    assert "The latest run stopped before its end" in printed

    migrate_store(store)  # resumed: every table done again
    assert {t["state"] for t in status(store)["latest_run_tables"]} == {"done"}


def test_the_stewards_work_is_counted(store: Store) -> None:
    quarantine = load.target_table("quarantine")
    with target(store) as engine:
        with engine.connect() as conn:
            row = conn.execute(
                sa.select(quarantine.c.legacy_table, quarantine.c.legacy_row_id).limit(1)
            ).one()
        before = status(store)["quarantine_by_status"]
        load.review_quarantine(engine, [tuple(row)], "waived", reviewed_by="s", note="n")
    after = status(store)["quarantine_by_status"]
    assert after == {**before, "open": before["open"] - 1, "waived": before["waived"] + 1}
    assert f"Quarantine records: {after['open']:,} open, 0 replayed, 1 waived" in shown(store)


def test_a_run_writing_the_store_is_seen(store: Store) -> None:
    with target(store) as engine, load.store_lock(engine, exclusive=True):
        assert status(store)["writing_now"] is True
        assert "A migration run (or a steward's decision) is writing the store now" in shown(store)
    assert status(store)["writing_now"] is False


def test_a_store_not_yet_made_is_an_error(tmp_path: Path) -> None:
    buffer = io.StringIO()
    url = f"sqlite:///{tmp_path / 'nothing.sqlite'}"
    assert run_status(target=url, console=Console(file=buffer, width=200)) == 2
    assert "is not a store yet" in " ".join(buffer.getvalue().split())
    assert not (tmp_path / "nothing.sqlite").exists()  # a mistyped path makes no empty file


def test_an_empty_store_has_no_run_yet(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    load.init_target(sa.create_engine(url))
    buffer = io.StringIO()
    assert run_status(target=url, console=Console(file=buffer, width=200)) == 0
    assert "No migration run yet" in buffer.getvalue()
    assert not (tmp_path / f"empty.sqlite{LOCK_SUFFIX}").exists()  # asking locks nothing


def test_a_store_at_another_revision_is_refused_with_what_to_do(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    load.init_target(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0007'"))
    buffer = io.StringIO()
    code = run_status(target=str(engine.url), console=Console(file=buffer, width=200))
    said = " ".join(buffer.getvalue().split())
    assert (
        code == 2 and f"at schema revision 0007 and this code reads {load.head_revision()}" in said
    )


def test_an_engine_the_store_cannot_be_on_is_one_line(tmp_path: Path) -> None:
    buffer = io.StringIO()
    url = "mysql+pymysql://root@127.0.0.1:3306/mysql"
    assert run_status(target=url, console=Console(file=buffer, width=200)) == 2
    assert "Status stopped" in buffer.getvalue() and "Traceback" not in buffer.getvalue()


def test_the_command_line_prints_json_on_standard_output(store: Store) -> None:
    result = CliRunner().invoke(app, ["status", "--target", store.target_url, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["runs"][0]["status"] == "succeeded"
