"""The earlier report a reconcile compares the audit trails with must itself be trusted.

Someone who can rewrite a trail with fresh links (its own check then passes) could also
re-seal the earlier report to record the rewritten heads. The earlier report must be the
manifest the store recorded, and, when the reconcile signs, signed with its key: else the
report says it cannot be trusted and the reconciliation is not clean. On SQLite and
PostgreSQL stores.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from reconcile_support import Store, reconcile, reconcile_outcome, target
from test_review_history import (
    history_command,
    review_ids,
    rewrite_with_fresh_links,
    waive_more,
    without_guards,
)

import load
import reconcile.signed_register as signed_register
from flows.signing_keys import signed_reports_path, write_key_pair
from reconcile import (
    check_audit_trails,
    finish_reconciliation_run,
    manifest_sha256,
    manifest_signer,
    pin_report,
    start_reconciliation_run,
    verify_report,
)
from reconcile.render_html import html_view
from reconcile.result import ReconciliationResult

pytestmark = pytest.mark.timeout(300)
PERSONS = 240  # enough for quarantined rows and duplicate pairs to review


def report_json(out: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out / "reconciliation.json").read_text("utf-8"))
    return loaded


def rewrite_the_trail(store: Store) -> None:
    """Edit a waiver's note and recompute every link after it: the trail passes its own check."""
    with target(store) as engine:
        ids = review_ids(engine, "quarantine_review")
        without_guards(engine)
        rewrite_with_fresh_links(engine, "quarantine_review", ids[0], "nothing to see")
        with engine.connect() as conn:
            assert all(t.intact for t in check_audit_trails(conn))


def rewrite_the_newest_review(store: Store) -> None:
    """Edit the newest waiver's note and recompute its link: a row only the latest report saw."""
    with target(store) as engine:
        newest = review_ids(engine, "quarantine_review")[-1]
        without_guards(engine)
        rewrite_with_fresh_links(engine, "quarantine_review", newest, "nothing to see")


def assert_not_trusted(result: ReconciliationResult, found: str) -> None:
    """The reconciliation is not clean because an earlier report cannot be trusted, saying ``found``."""
    assert result.status == "discrepancies"
    assert result.trail_anchor is not None and found in (result.trail_anchor.problem or "")


def reseal_with_the_new_heads(store: Store, out: Path) -> None:
    """Make the earlier report record the rewritten trails' heads, and re-seal its manifest."""
    document = report_json(out)
    with target(store) as engine, engine.connect() as conn:
        for trail in check_audit_trails(conn):
            document["audit_trails"][trail.table]["head_sha256"] = trail.head_sha256
    data = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    (out / "reconciliation.json").write_bytes(data)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    manifest["files"]["reconciliation.json"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    body = {k: v for k, v in manifest.items() if k not in ("content_sha256", "signature")}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    manifest["content_sha256"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")


def record_the_forged_manifest(store: Store, out: Path) -> None:
    """Point the store's record of the latest reconciliation at the re-sealed manifest."""
    runs = load.target_table("migration.reconciliation_run")
    with target(store) as engine, engine.begin() as conn:
        latest = conn.execute(
            sa.select(runs.c.id).order_by(runs.c.started_at.desc()).limit(1)
        ).scalar_one()
        conn.execute(
            sa.update(runs).where(runs.c.id == latest).values(manifest_sha256=manifest_sha256(out))
        )


def test_the_report_says_which_earlier_report_the_trails_were_compared_with(
    store_copy: Store, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    first = reconcile(store_copy, out)
    assert first.status == "clean" and first.trail_anchor is not None
    assert first.trail_anchor.report_dir is None
    assert report_json(out)["audit_trail_anchor"]["used"] is False
    again = reconcile(store_copy, out)
    assert again.status == "clean", again.trail_anchor
    anchor = again.trail_anchor
    assert anchor is not None and anchor.report_dir == str(out) and anchor.heads is not None
    assert "this store recorded that manifest" in anchor.checks
    recorded = report_json(out)["audit_trail_anchor"]
    assert (recorded["report_dir"], recorded["used"], recorded["problem"]) == (str(out), True, None)
    assert "Earlier report: compared with the earlier report in" in (out / "report.html").read_text(
        "utf-8"
    )
    assert html_view(again)["trail_anchor"]["problem"] is False


def test_an_earlier_report_resealed_to_hide_a_rewritten_trail_is_not_trusted(
    store_copy: Store, tmp_path: Path
) -> None:
    waive_more(store_copy, 3)
    out = tmp_path / "report"
    assert reconcile(store_copy, out).status == "clean"
    rewrite_the_trail(store_copy)
    reseal_with_the_new_heads(store_copy, out)
    result = reconcile(store_copy, out)
    assert result.status == "discrepancies"
    assert result.trail_anchor is not None and result.trail_anchor.heads is None
    assert result.trail_anchor.problem is not None
    assert "not a manifest this store recorded" in result.trail_anchor.problem
    assert all(t.previous_head_kept is None for t in result.audit_trails)
    recorded = report_json(out)["audit_trail_anchor"]
    assert recorded["used"] is False and "re-sealed" in recorded["problem"]
    page = (out / "report.html").read_text("utf-8")
    assert 'id="trail-anchor" data-trusted="no"' in page


@pytest.mark.parametrize(
    ("signature", "found"),
    [
        ("kept", "signature does not verify"),
        ("removed", "it is not signed, not with the key"),
    ],
)
def test_with_signed_reports_a_forger_who_also_edits_the_store_record_is_caught(
    store_copy: Store, tmp_path: Path, signature: str, found: str
) -> None:
    waive_more(store_copy, 3)
    key = tmp_path / "signing-key"
    write_key_pair(key)
    out = tmp_path / "report"
    assert reconcile(store_copy, out, signing_key=key).status == "clean"
    signed_again = reconcile(store_copy, out, signing_key=key)
    assert signed_again.status == "clean"
    assert signed_again.trail_anchor is not None
    assert any("signed with this reconcile's key" in c for c in signed_again.trail_anchor.checks)
    rewrite_the_trail(store_copy)
    reseal_with_the_new_heads(store_copy, out)  # the old signature no longer verifies
    if signature == "removed":
        manifest = json.loads((out / "manifest.json").read_text("utf-8"))
        del manifest["signature"]
        (out / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
    record_the_forged_manifest(store_copy, out)
    result = reconcile(store_copy, out, signing_key=key)
    assert_not_trusted(result, found)


def test_an_earlier_report_not_signed_with_the_key_is_accepted_only_when_said(
    store_copy: Store, tmp_path: Path
) -> None:
    waive_more(store_copy, 3)
    out = tmp_path / "report"
    reconcile(store_copy, out)
    key = tmp_path / "signing-key"
    write_key_pair(key)
    # The operator says signing starts here: the unsigned earlier report is used.
    started = reconcile(store_copy, out, signing_key=key, first_run_with_key=True)
    assert started.status == "clean", started.trail_anchor
    assert started.trail_anchor is not None and started.trail_anchor.heads is not None
    assert any("accepted as the first run with it" in c for c in started.trail_anchor.checks)
    signed = reconcile(store_copy, out, signing_key=key)
    assert signed.status == "clean" and signed.trail_anchor is not None
    assert any("signed with this reconcile's key" in c for c in signed.trail_anchor.checks)
    # Unsaid, an unsigned latest report is refused: its signature may have been removed.
    reconcile(store_copy, out)
    refused = reconcile(store_copy, out, signing_key=key)
    assert refused.status == "discrepancies"
    assert refused.trail_anchor is not None and refused.trail_anchor.problem is not None
    assert "it is not signed, not with the key" in refused.trail_anchor.problem
    assert "--first-run-with-key" in refused.trail_anchor.problem
    # A new key, in a new folder: the latest report is still checked, and said to be
    # signed with another key until the operator says the key changed.
    other = tmp_path / "new-key"
    write_key_pair(other)
    moved = reconcile(store_copy, tmp_path / "new-folder", signing_key=other)
    assert moved.trail_anchor is not None and moved.trail_anchor.problem is not None
    assert "signed with another key" in moved.trail_anchor.problem
    changed = reconcile(
        store_copy, tmp_path / "newer-folder", signing_key=other, first_run_with_key=True
    )
    assert changed.status == "clean", changed.trail_anchor


def record_a_failed_run(store: Store, folder: Path) -> None:
    with target(store) as engine:
        record = start_reconciliation_run(
            engine,
            migration_run_id=None,
            pii_revealed=False,
            requested_by=None,
            report_dir=str(folder.resolve()),
        )
        finish_reconciliation_run(engine, record, status="failed")


def test_the_latest_recorded_report_anchors_whatever_the_output_folder(
    store_copy: Store, tmp_path: Path
) -> None:
    waive_more(store_copy, 3)
    first = tmp_path / "first"
    reconcile(store_copy, first)
    record_a_failed_run(store_copy, tmp_path / "failed")  # wrote no report
    rewrite_the_trail(store_copy)
    result = reconcile(store_copy, tmp_path / "second")
    assert result.status == "discrepancies"
    assert result.trail_anchor is not None and result.trail_anchor.report_dir == str(first)
    trail = next(t for t in result.audit_trails if t.table == "quarantine_review")
    assert trail.previous_head_kept is False


def test_the_latest_report_removed_is_a_finding(store_copy: Store, tmp_path: Path) -> None:
    waive_more(store_copy, 3)
    first = tmp_path / "first"
    reconcile(store_copy, first)
    shutil.rmtree(first)
    result = reconcile(store_copy, tmp_path / "second")
    assert result.status == "discrepancies"
    assert result.trail_anchor is not None and result.trail_anchor.problem is not None
    assert "is no longer there" in result.trail_anchor.problem
    # That report is now the latest, and anchors the next one.
    assert reconcile(store_copy, tmp_path / "third").status == "clean"


def test_an_older_report_in_the_output_folder_is_checked_too(
    store_copy: Store, tmp_path: Path
) -> None:
    waive_more(store_copy, 3)
    old, latest = tmp_path / "old", tmp_path / "latest"
    reconcile(store_copy, old)
    reconcile(store_copy, latest)
    reseal_with_the_new_heads(store_copy, old)  # the folder the new report chains to
    result = reconcile(store_copy, old)
    assert result.status == "discrepancies"
    assert result.trail_anchor is not None and result.trail_anchor.report_dir == str(old)
    assert "not a manifest this store recorded" in (result.trail_anchor.problem or "")


def history_since(store: Store, folder: Path, report: Path, key: Path | None) -> tuple[int, str]:
    return history_command(store, folder, since_report=report, public_key=key)


def test_review_history_trusts_a_report_as_reconcile_does(
    store_copy: Store, tmp_path: Path
) -> None:
    waive_more(store_copy, 3)
    key = tmp_path / "signing-key"
    write_key_pair(key)
    out = tmp_path / "report"
    reconcile(store_copy, out, signing_key=key)
    public = tmp_path / "signing-key.pub"
    code, output = history_since(store_copy, tmp_path, out, public)
    assert code == 0 and "is still on record" in output, output
    rewrite_the_trail(store_copy)
    reseal_with_the_new_heads(store_copy, out)
    code, output = history_since(store_copy, tmp_path, out, None)
    assert code == 2 and "cannot be trusted" in output and "this store recorded" in output, output
    record_the_forged_manifest(store_copy, out)
    # The store's record forged too: only the signature tells.
    assert history_since(store_copy, tmp_path, out, None)[0] == 0
    code, output = history_since(store_copy, tmp_path, out, public)
    assert code == 2 and "signature does not verify" in output, output
    code, output = history_since(store_copy, tmp_path, tmp_path / "nowhere", None)
    assert code == 2 and "there is no manifest.json in the folder" in output, output


def test_review_history_refuses_a_public_key_with_no_report_to_check(
    store_copy: Store, tmp_path: Path
) -> None:
    code, output = history_command(store_copy, tmp_path, public_key=tmp_path / "any.pub")
    assert code == 2 and "none was given" in output
    assert not (tmp_path / "history.csv").exists()


def forget_the_latest_reconciliation(store: Store) -> None:
    """Delete the store's record of its latest reconciliation, as one who can write it could."""
    runs = load.target_table("migration.reconciliation_run")
    with target(store) as engine, engine.begin() as conn:
        latest = conn.execute(
            sa.select(runs.c.id).order_by(runs.c.started_at.desc()).limit(1)
        ).scalar_one()
        conn.execute(sa.delete(runs).where(runs.c.id == latest))


@pytest.mark.parametrize("register", ["kept", "removed"])
def test_the_key_register_catches_a_store_that_forgot_its_latest_reconciliation(
    store_copy: Store, tmp_path: Path, register: str
) -> None:
    waive_more(store_copy, 3)
    key = tmp_path / "signing-key"
    write_key_pair(key)
    first, second = tmp_path / "first", tmp_path / "second"
    assert reconcile(store_copy, first, signing_key=key).status == "clean"
    waive_more(store_copy, 2)  # trail rows the first report never saw
    assert reconcile(store_copy, second, signing_key=key).status == "clean"
    noted = signed_reports_path(key).read_text("utf-8").splitlines()
    assert [json.loads(line)["report_dir"] for line in noted] == [str(first), str(second)]
    # Rewrite a row only the second report saw, and make the store forget that report.
    rewrite_the_newest_review(store_copy)
    forget_the_latest_reconciliation(store_copy)
    if register == "removed":
        signed_reports_path(key).unlink()
    result = reconcile(store_copy, tmp_path / "third", signing_key=key)
    anchor = result.trail_anchor
    assert anchor is not None
    if register == "removed":
        # The store's latest is now the first report, which never saw the rewritten row:
        # without the register, nothing outside the store remembers the second.
        assert anchor.report_dir == str(first) and anchor.problem is None
        assert result.status == "clean"
        return
    assert result.status == "discrepancies"
    assert anchor.report_dir == str(second)
    assert "the store no longer records the last report this key signed" in (anchor.problem or "")
    recorded = report_json(tmp_path / "third")["audit_trail_anchor"]
    assert recorded["problem"] == anchor.problem
    # The forgotten report is signed with the key: its heads still name the rewrite.
    assert recorded["used"] is True
    assert any("its signature by this reconcile's key" in check for check in anchor.checks)
    trail = next(t for t in result.audit_trails if t.table == "quarantine_review")
    assert trail.previous_head_kept is False


def test_a_store_restored_from_an_earlier_backup_is_reported_once(
    store_copy: Store, tmp_path: Path
) -> None:
    key = tmp_path / "signing-key"
    write_key_pair(key)
    reconcile(store_copy, tmp_path / "first", signing_key=key)
    reconcile(store_copy, tmp_path / "second", signing_key=key)
    forget_the_latest_reconciliation(store_copy)  # as a restore from a backup before it would
    restored = reconcile(store_copy, tmp_path / "third", signing_key=key)
    assert restored.status == "discrepancies"
    assert "restored from a backup" in (
        (restored.trail_anchor and restored.trail_anchor.problem) or ""
    )
    # The next reconcile is anchored on the report that said so.
    assert reconcile(store_copy, tmp_path / "fourth", signing_key=key).status == "clean"


def test_the_key_register_report_is_checked_and_its_heads_used(
    store_copy: Store, tmp_path: Path
) -> None:
    """The store's latest report is an unsigned one written after the key's last: both are
    checked, and the trails must still hold the heads of the further along."""
    waive_more(store_copy, 3)
    key = tmp_path / "signing-key"
    write_key_pair(key)
    signed = tmp_path / "signed"
    reconcile(store_copy, signed, signing_key=key)
    reconcile(store_copy, tmp_path / "unsigned")
    both = reconcile(store_copy, tmp_path / "third", signing_key=key, first_run_with_key=True)
    assert both.status == "clean", both.trail_anchor
    assert both.trail_anchor is not None and both.trail_anchor.heads is not None
    assert any(str(signed) in check for check in both.trail_anchor.checks)
    # The key's last report removed from its folder: a finding, even though the store's
    # latest report is fine.
    reconcile(store_copy, tmp_path / "unsigned-again")
    shutil.rmtree(tmp_path / "third")
    gone = reconcile(store_copy, tmp_path / "fourth", signing_key=key, first_run_with_key=True)
    assert gone.status == "discrepancies"
    assert gone.trail_anchor is not None and gone.trail_anchor.report_dir == str(tmp_path / "third")
    assert "is no longer there" in (gone.trail_anchor.problem or "")


def test_a_backdated_record_of_the_keys_last_report_still_anchors_the_trails(
    store_copy: Store, tmp_path: Path
) -> None:
    """The store keeps the record but makes it look older than an earlier report, so that
    report is the store's latest: the key's last report's heads are checked all the same."""
    waive_more(store_copy, 3)
    key = tmp_path / "signing-key"
    write_key_pair(key)
    first, second = tmp_path / "first", tmp_path / "second"
    reconcile(store_copy, first, signing_key=key)
    waive_more(store_copy, 2)
    reconcile(store_copy, second, signing_key=key)
    runs = load.target_table("migration.reconciliation_run")
    rewrite_the_newest_review(store_copy)
    with target(store_copy) as engine, engine.begin() as conn:
        oldest = conn.execute(sa.select(sa.func.min(runs.c.started_at))).scalar_one()
        conn.execute(
            sa.update(runs)
            .where(runs.c.report_dir == str(second.resolve()))
            .values(started_at=oldest - dt.timedelta(days=1))
        )
    result = reconcile(store_copy, tmp_path / "third", signing_key=key)
    assert result.trail_anchor is not None and result.trail_anchor.problem is None
    # The store's latest, by its clock, is the first; the report recorded as the anchor is
    # the one whose heads were further along.
    assert result.trail_anchor.report_dir == str(second)
    assert result.status == "discrepancies"
    trail = next(t for t in result.audit_trails if t.table == "quarantine_review")
    assert trail.previous_head_kept is False


def test_a_register_that_cannot_be_written_leaves_the_report_signed_and_says_so(
    store_copy: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(path: Path, data: bytes) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(signed_register, "write_bytes_atomically", read_only)
    key = tmp_path / "signing-key"
    write_key_pair(key)
    out = tmp_path / "report"
    outcome = reconcile_outcome(store_copy, out, signing_key=key)
    assert outcome.result.status == "clean"
    assert "cannot be written (Read-only file system)" in (outcome.register_problem or "")
    assert manifest_signer(out) is not None and not signed_reports_path(key).exists()
    with target(store_copy) as engine, engine.connect() as conn:
        assert pin_report(conn, out).problems == ()


@pytest.mark.parametrize("where", ["trailing slash", "copy", "copy naming the latest"])
def test_a_record_pointed_at_an_older_reports_folder_is_caught(
    store_copy: Store, tmp_path: Path, where: str
) -> None:
    """The store's latest record keeps its manifest's hash but names the folder of an older
    report (the same folder written with a trailing slash, or a copy of it elsewhere),
    which would then anchor the trails instead."""
    waive_more(store_copy, 3)
    first, second = tmp_path / "first", tmp_path / "second"
    reconcile(store_copy, first)
    waive_more(store_copy, 2)
    reconcile(store_copy, second)
    if where.startswith("copy"):
        shutil.copytree(first, tmp_path / "first-copy")
        named = str((tmp_path / "first-copy").resolve())
        # The copy's folder is recorded as holding a later report than the one in it.
        found = "this folder holds an earlier report than the store's latest for it"
        if where == "copy naming the latest":
            # A name in history/ is no link of the chain: an empty folder named after the
            # latest manifest proves nothing.
            (tmp_path / "first-copy" / "history" / f"{manifest_sha256(second)}.json").mkdir(
                parents=True
            )
            found = "is not listed in the manifest"
    else:
        named = f"{first.resolve()}/"
        found = "this folder holds an earlier report than the store's latest for it"
    runs = load.target_table("migration.reconciliation_run")
    rewrite_the_newest_review(store_copy)
    with target(store_copy) as engine, engine.begin() as conn:
        conn.execute(
            sa.update(runs)
            .where(runs.c.report_dir == str(second.resolve()))
            .values(report_dir=named)
        )
    result = reconcile(store_copy, tmp_path / "third")
    assert_not_trusted(result, found)


def test_the_keys_last_report_replaced_by_an_older_genuine_one_is_caught(
    store_copy: Store, tmp_path: Path
) -> None:
    """An unsigned reconcile is the store's latest; the key's last report's folder now holds a
    copy of an older signed report (genuine, and recorded by the store)."""
    key = tmp_path / "signing-key"
    write_key_pair(key)
    first, second = tmp_path / "first", tmp_path / "second"
    reconcile(store_copy, first, signing_key=key)
    reconcile(store_copy, second, signing_key=key)
    reconcile(store_copy, tmp_path / "unsigned")
    shutil.rmtree(second)
    shutil.copytree(first, second)
    result = reconcile(store_copy, tmp_path / "third", signing_key=key, first_run_with_key=True)
    assert result.status == "discrepancies"
    assert result.trail_anchor is not None and result.trail_anchor.report_dir == str(second)
    assert "was replaced in its folder" in (result.trail_anchor.problem or "")


def test_the_keys_last_report_resealed_with_a_forged_record_is_caught_by_its_signature(
    store_copy: Store, tmp_path: Path
) -> None:
    waive_more(store_copy, 3)
    key = tmp_path / "signing-key"
    write_key_pair(key)
    signed = tmp_path / "signed"
    reconcile(store_copy, signed, signing_key=key)
    reconcile(store_copy, tmp_path / "unsigned")
    rewrite_the_trail(store_copy)
    reseal_with_the_new_heads(store_copy, signed)
    runs = load.target_table("migration.reconciliation_run")
    with target(store_copy) as engine, engine.begin() as conn:
        conn.execute(
            sa.update(runs)
            .where(runs.c.report_dir == str(signed.resolve()))
            .values(manifest_sha256=manifest_sha256(signed))
        )
    # The register still names the genuine manifest, no longer in the folder's chain.
    replaced = reconcile(store_copy, tmp_path / "third", signing_key=key, first_run_with_key=True)
    assert replaced.status == "discrepancies"
    assert "was replaced in its folder" in (
        (replaced.trail_anchor and replaced.trail_anchor.problem) or ""
    )


def test_the_keys_last_report_must_be_signed_even_on_a_first_run_with_the_key(
    store_copy: Store, tmp_path: Path
) -> None:
    """Its folder re-sealed without a signature, the genuine manifest kept in its history so
    the chain still holds it, and the store's record forged to match: the register says the
    key signed it, so --first-run-with-key does not excuse the missing signature."""
    waive_more(store_copy, 3)
    key = tmp_path / "signing-key"
    write_key_pair(key)
    signed = tmp_path / "signed"
    reconcile(store_copy, signed, signing_key=key)
    genuine = manifest_sha256(signed)
    reconcile(store_copy, tmp_path / "unsigned")
    rewrite_the_trail(store_copy)
    (signed / "history").mkdir(exist_ok=True)
    shutil.copy(signed / "manifest.json", signed / "history" / f"{genuine}.json")
    reseal_with_the_new_heads(store_copy, signed)
    manifest = json.loads((signed / "manifest.json").read_text("utf-8"))
    manifest["previous_manifest_sha256"] = genuine
    manifest["chain_length"] += 1
    del manifest["signature"]
    body = {k: v for k, v in manifest.items() if k != "content_sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    manifest["content_sha256"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    (signed / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
    with target(store_copy) as engine, engine.connect() as conn:
        assert verify_report(signed) == []  # a consistent forgery, but for its signature
    # The store records the forged manifest too, a second after the genuine one.
    runs = load.target_table("migration.reconciliation_run")
    with target(store_copy) as engine, engine.begin() as conn:
        original = conn.execute(sa.select(runs).where(runs.c.manifest_sha256 == genuine)).one()
        forged = dict(original._mapping)
        forged.update(
            id=str(uuid.uuid4()),
            started_at=original.started_at + dt.timedelta(seconds=1),
            manifest_sha256=manifest_sha256(signed),
        )
        conn.execute(sa.insert(runs).values(**forged))
    result = reconcile(store_copy, tmp_path / "third", signing_key=key, first_run_with_key=True)
    assert result.status == "discrepancies"
    assert result.trail_anchor is not None and result.trail_anchor.report_dir == str(signed)
    assert "it is not signed" in (result.trail_anchor.problem or ""), result.trail_anchor.problem


def test_a_folder_rolled_back_behind_a_name_in_its_history_is_caught(
    store_copy: Store, tmp_path: Path
) -> None:
    """The folder's earlier signed report put back, with an empty folder in history/ named
    after the manifest it replaced: the chain is what the links lead to, not the names."""
    waive_more(store_copy, 3)
    key = tmp_path / "signing-key"
    write_key_pair(key)
    folder, backup = tmp_path / "report", tmp_path / "backup"
    reconcile(store_copy, folder, signing_key=key)
    shutil.copytree(folder, backup)
    waive_more(store_copy, 2)  # rows only the second report sees
    reconcile(store_copy, folder, signing_key=key)
    latest = manifest_sha256(folder)
    rewrite_the_newest_review(store_copy)
    shutil.rmtree(folder)
    shutil.copytree(backup, folder)
    (folder / "history" / f"{latest}.json").mkdir(parents=True)
    assert f"history/{latest}.json is not listed in the manifest" in verify_report(folder)
    with target(store_copy) as engine, engine.connect() as conn:
        assert any("rolled back" in problem for problem in pin_report(conn, folder).problems)
    result = reconcile(store_copy, tmp_path / "third", signing_key=key)
    assert result.status == "discrepancies"
    assert result.trail_anchor is not None and result.trail_anchor.problem is not None


def test_a_forged_later_head_does_not_stand_in_for_the_keys_genuine_one(
    store_copy: Store, tmp_path: Path
) -> None:
    """The store's latest report is unsigned (accepted with --first-run-with-key): re-sealed
    with the heads of a rewritten trail plus one row more, and recorded. The heads the key's
    last report recorded must still hold, though the forged ones are further along."""
    waive_more(store_copy, 3)
    key = tmp_path / "signing-key"
    write_key_pair(key)
    reconcile(store_copy, tmp_path / "signed", signing_key=key)
    unsigned = tmp_path / "unsigned"
    reconcile(store_copy, unsigned)
    rewrite_the_trail(store_copy)  # a row the signed report saw
    waive_more(store_copy, 1)  # one more row, linked to the rewritten chain
    document = report_json(unsigned)
    with target(store_copy) as engine, engine.connect() as conn:
        for trail in check_audit_trails(conn):
            document["audit_trails"][trail.table]["head_id"] = trail.head_id
    (unsigned / "reconciliation.json").write_text(
        json.dumps(document, ensure_ascii=False, indent=2), "utf-8"
    )
    reseal_with_the_new_heads(store_copy, unsigned)
    record_the_forged_manifest(store_copy, unsigned)
    result = reconcile(store_copy, tmp_path / "third", signing_key=key, first_run_with_key=True)
    assert result.status == "discrepancies"
    trail = next(t for t in result.audit_trails if t.table == "quarantine_review")
    assert trail.previous_head_kept is False


def write_unsigned_successor(store: Store, folder: Path, *, delta: dt.timedelta) -> None:
    """Write into ``folder`` an unsigned report chained to the one there (kept in history/),
    recording the rewritten trails' heads, and record it in the store ``delta`` after it."""
    genuine = manifest_sha256(folder)
    (folder / "history").mkdir(exist_ok=True)
    shutil.copy(folder / "manifest.json", folder / "history" / f"{genuine}.json")
    reseal_with_the_new_heads(store, folder)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["previous_manifest_sha256"] = genuine
    manifest["chain_length"] += 1
    manifest.pop("signature", None)
    body = {k: v for k, v in manifest.items() if k != "content_sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    manifest["content_sha256"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")
    assert verify_report(folder) == []
    runs = load.target_table("migration.reconciliation_run")
    with target(store) as engine, engine.begin() as conn:
        original = conn.execute(sa.select(runs).where(runs.c.manifest_sha256 == genuine)).one()
        forged = dict(original._mapping)
        forged.update(
            id=str(uuid.uuid4()),
            started_at=original.started_at + delta,
            manifest_sha256=manifest_sha256(folder),
        )
        conn.execute(sa.insert(runs).values(**forged))


@pytest.mark.parametrize("first_run_with_key", [False, True])
def test_an_unsigned_report_written_over_a_signed_one_is_not_excused(
    store_copy: Store, tmp_path: Path, first_run_with_key: bool
) -> None:
    """The key's last report, also the store's latest: an unsigned successor forged in its
    folder and recorded a second before it (so the signed one stays the latest record)."""
    waive_more(store_copy, 3)
    key = tmp_path / "signing-key"
    write_key_pair(key)
    signed = tmp_path / "signed"
    assert reconcile(store_copy, signed, signing_key=key).status == "clean"
    rewrite_the_trail(store_copy)  # a row the signed report saw
    write_unsigned_successor(store_copy, signed, delta=-dt.timedelta(seconds=1))
    result = reconcile(
        store_copy, tmp_path / "third", signing_key=key, first_run_with_key=first_run_with_key
    )
    assert result.status == "discrepancies", result.trail_anchor
    problem = (result.trail_anchor and result.trail_anchor.problem) or ""
    if first_run_with_key:
        assert "--first-run-with-key does not excuse a report written over a signed one" in problem
    else:
        assert "it is not signed, not with the key" in problem


def test_a_problem_with_the_latest_folder_does_not_hide_a_rewrite_from_the_keys_report(
    store_copy: Store, tmp_path: Path
) -> None:
    """A stray file in the latest signed folder makes it untrusted; its signed
    reconciliation.json still vouches for its heads, so the rewrite is named as well."""
    waive_more(store_copy, 3)
    key = tmp_path / "signing-key"
    write_key_pair(key)
    signed = tmp_path / "signed"
    assert reconcile(store_copy, signed, signing_key=key).status == "clean"
    rewrite_the_trail(store_copy)
    (signed / ".reconciliation.json.abc123.tmp").write_text("{", "utf-8")
    result = reconcile(store_copy, tmp_path / "second", signing_key=key)
    assert result.status == "discrepancies"
    assert "not listed in the manifest" in (
        (result.trail_anchor and result.trail_anchor.problem) or ""
    )
    trail = next(t for t in result.audit_trails if t.table == "quarantine_review")
    assert trail.previous_head_kept is False


def test_a_later_report_of_another_store_in_the_keys_folder_lends_no_heads(
    store_copy: Store, tmp_path: Path
) -> None:
    """After the key's last report for this store, the same key wrote another store's report
    into the folder (simulated: a report this store does not record, which the register
    notes for another store). Its heads are not this store's record of its trails."""
    key = tmp_path / "signing-key"
    write_key_pair(key)
    folder = tmp_path / "shared-folder"
    reconcile(store_copy, folder, signing_key=key)
    reconcile(store_copy, folder, signing_key=key)
    register = signed_reports_path(key)
    lines = register.read_text("utf-8").splitlines()
    other = json.loads(lines[-1])
    other["store"] = "postgresql://staging:5432/icm_store"
    register.write_text("\n".join([*lines[:-1], json.dumps(other)]) + "\n", "utf-8")
    forget_the_latest_reconciliation(store_copy)
    result = reconcile(store_copy, tmp_path / "next", signing_key=key)
    assert result.status == "discrepancies"
    assert result.trail_anchor is not None and result.trail_anchor.problem is not None
    assert result.trail_anchor.heads is None
    assert report_json(tmp_path / "next")["audit_trail_anchor"]["used"] is False
