"""``verify-report --target``: a report folder checked against the store that recorded it.

A folder alone cannot tell a re-sealed forgery (files and manifest rewritten together)
nor a folder restored to an earlier, genuine report: the store's reconciliation
records can. On SQLite and PostgreSQL stores.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from reconcile_support import Store, reconcile, target
from rich.console import Console

import load
import reconcile.manifest as manifest_module
from flows.run_reconcile import run_verify_report
from reconcile import (
    finish_reconciliation_run,
    manifest_sha256,
    pin_report,
    start_reconciliation_run,
    verify_report,
)
from reconcile.manifest import chain_hashes

pytestmark = pytest.mark.timeout(300)


def verify(out_dir: Path, target_url: str | None) -> tuple[int, str]:
    buffer = io.StringIO()
    code = run_verify_report(out_dir, Console(file=buffer, width=300), target=target_url)
    return code, " ".join(buffer.getvalue().split())


def reseal_with_an_edit(out_dir: Path) -> None:
    """Edit discrepancies.csv and rewrite the manifest to match, as a careful forger would."""
    csv = out_dir / "discrepancies.csv"
    csv.write_bytes(csv.read_bytes() + b"forged line\r\n")
    manifest = json.loads((out_dir / "manifest.json").read_text("utf-8"))
    data = csv.read_bytes()
    manifest["files"]["discrepancies.csv"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    body = {key: value for key, value in manifest.items() if key != "content_sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    manifest["content_sha256"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")


def edit_a_family_name(store: Store) -> None:
    person = load.target_table("person")
    with target(store) as engine, engine.begin() as conn:
        first = conn.execute(sa.select(sa.func.min(person.c.legacy_row_id))).scalar_one()
        conn.execute(
            sa.update(person)
            .where(person.c.legacy_row_id == first)
            .values(family_name=person.c.family_name + "x")
        )


def test_a_report_is_pinned_to_the_reconciliation_that_wrote_it(
    store_copy: Store, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    result = reconcile(store_copy, out)
    code, printed = verify(out, store_copy.target_url)
    assert code == 0, printed
    assert f"of migration run {result.run_id}" in printed and "status clean" in printed
    with target(store_copy) as engine, engine.connect() as conn:
        pin = pin_report(conn, out)
    assert pin.problems == () and pin.superseded_by is None
    assert pin.recorded_by is not None and pin.recorded_by.manifest_sha256 == manifest_sha256(out)


def test_a_resealed_forgery_is_caught_by_the_store(store_copy: Store, tmp_path: Path) -> None:
    out = tmp_path / "report"
    reconcile(store_copy, out)
    reseal_with_an_edit(out)
    assert verify_report(out) == []  # self-consistent: only the store can tell
    assert verify(out, None)[0] == 0
    code, printed = verify(out, store_copy.target_url)
    assert code == 1, printed
    assert "manifest.json is not a manifest this store recorded" in printed
    assert "Pinned" not in printed


def test_a_folder_rolled_back_to_an_earlier_report_is_caught(
    store_copy: Store, tmp_path: Path
) -> None:
    out, kept = tmp_path / "report", tmp_path / "kept-copy"
    assert reconcile(store_copy, out).status == "clean"
    shutil.copytree(out, kept)
    edit_a_family_name(store_copy)
    assert reconcile(store_copy, out).status == "discrepancies"
    assert verify(out, store_copy.target_url)[0] == 0
    # The clean report put back over the one that found the edit: intact on its own.
    shutil.rmtree(out)
    shutil.copytree(kept, out)
    assert verify(out, None)[0] == 0
    code, printed = verify(out, store_copy.target_url)
    assert code == 1, printed
    assert "this folder holds an earlier report than the store's latest for it" in printed
    # The same genuine report kept in another folder is pinned, and said to be superseded.
    code, printed = verify(kept, store_copy.target_url)
    assert code == 0, printed
    assert "status clean" in printed and "this is a copy of an earlier report" in printed
    # Put back through a symbolic link to the kept copy: the folder is still the one written to.
    shutil.rmtree(out)
    out.symlink_to(kept, target_is_directory=True)
    code, printed = verify(out, store_copy.target_url)
    assert code == 1, printed
    assert "this folder holds an earlier report than the store's latest for it" in printed


def test_a_folder_replaced_by_an_older_report_from_another_folder_is_caught(
    store_copy: Store, tmp_path: Path
) -> None:
    clean, out = tmp_path / "clean", tmp_path / "report"
    assert reconcile(store_copy, clean).status == "clean"
    edit_a_family_name(store_copy)
    assert reconcile(store_copy, out).status == "discrepancies"
    # The report that found the edit replaced by the earlier clean one, from beside it.
    shutil.rmtree(out)
    shutil.copytree(clean, out)
    code, printed = verify(out, store_copy.target_url)
    assert code == 1, printed
    assert "this folder holds an earlier report than the store's latest for it" in printed
    assert "replaced" in printed
    # In its own folder, the clean report is still the latest written there.
    assert verify(clean, store_copy.target_url)[0] == 0


def test_a_reconcile_that_started_later_but_finished_first_is_no_rollback(
    store_copy: Store, tmp_path: Path
) -> None:
    """Reconciles into one folder may overlap (each takes the store's lock shared): the one
    that finishes last chains to the other's manifest, whichever started first."""
    out = tmp_path / "report"
    reconcile(store_copy, out)
    reconcile(store_copy, out)
    runs = load.target_table("migration.reconciliation_run")
    with target(store_copy) as engine, engine.begin() as conn:
        first, second = conn.execute(
            sa.select(runs.c.id, runs.c.started_at).order_by(runs.c.started_at)
        ).all()
        # As if the run that wrote the folder's report had started first.
        conn.execute(
            sa.update(runs).where(runs.c.id == first.id).values(started_at=second.started_at)
        )
        conn.execute(
            sa.update(runs).where(runs.c.id == second.id).values(started_at=first.started_at)
        )
    code, printed = verify(out, store_copy.target_url)
    assert code == 0, printed


def test_a_report_from_another_store_is_not_pinned(
    store_copy: Store, migrated_store: Store, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    reconcile(store_copy, out)
    code, printed = verify(out, migrated_store.target_url)
    assert code == 1, printed
    assert "made from another store" in printed


def test_a_report_whose_run_never_recorded_it_says_so(store_copy: Store, tmp_path: Path) -> None:
    out = tmp_path / "report"
    reconcile(store_copy, out)
    runs = load.target_table("migration.reconciliation_run")
    with target(store_copy) as engine:
        with engine.begin() as conn:  # as if the run had crashed before recording its manifest
            conn.execute(sa.update(runs).values(manifest_sha256=None, status="running"))
        record = start_reconciliation_run(
            engine, migration_run_id=None, pii_revealed=False, requested_by=None, report_dir=None
        )
        finish_reconciliation_run(engine, record, status="failed")
    code, printed = verify(out, store_copy.target_url)
    assert code == 1, printed
    assert "ended 'running' before recording it: reconcile again for a recorded report" in printed


def test_a_store_that_cannot_be_read_is_exit_code_2(store_copy: Store, tmp_path: Path) -> None:
    out = tmp_path / "report"
    reconcile(store_copy, out)
    code, printed = verify(out, f"sqlite:///{tmp_path / 'no-such-store.sqlite'}")
    assert code == 2, printed
    assert "Verify-report stopped" in printed
    assert not (tmp_path / "no-such-store.sqlite").exists()


def test_reconciles_side_by_side_into_one_folder_take_turns_with_it(
    store_copy: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second reconcile starts while the first is writing the folder, half done (its
    report files replaced, its manifest not yet written). Without the folder's lock, the
    second would read the half-written folder as its earlier report (files that do not
    match their manifest: not clean), and both could chain to the same earlier manifest."""
    out = tmp_path / "report"
    assert reconcile(store_copy, out).status == "clean"
    calls: list[str] = []
    real_carry = manifest_module._carry_history

    def carry(previous: Path, out_dir: Path) -> tuple[str, int]:
        calls.append(threading.current_thread().name)
        if len(calls) == 1:
            time.sleep(3)  # half written: time enough for the other to read or write it
        return real_carry(previous, out_dir)

    monkeypatch.setattr(manifest_module, "_carry_history", carry)
    statuses: dict[str, str] = {}

    def run(name: str) -> None:
        statuses[name] = reconcile(store_copy, out).status

    first = threading.Thread(target=run, args=("first",), name="first")
    first.start()
    while not calls and first.is_alive():
        time.sleep(0.02)  # the first is writing: the second starts now
    second = threading.Thread(target=run, args=("second",), name="second")
    second.start()
    first.join()
    second.join()
    assert calls[0] == "first"
    assert statuses == {"first": "clean", "second": "clean"}
    assert verify_report(out) == []
    with target(store_copy) as engine, engine.connect() as conn:
        assert pin_report(conn, out).problems == ()
        recorded = conn.execute(
            sa.select(load.target_table("migration.reconciliation_run").c.manifest_sha256)
        ).scalars()
        assert set(recorded) <= chain_hashes(out)  # every report written there is in its chain
    assert reconcile(store_copy, tmp_path / "next").status == "clean"
