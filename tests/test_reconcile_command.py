"""``reconcile`` and ``verify-report`` as the command line runs them (through the Prefect flow):
exit codes, the written report (valid, sealed, PII masked unless asked), the run record,
and the flow's markdown artifact."""

from __future__ import annotations

import io
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa
from prefect.artifacts import Artifact
from reconcile_support import Store, copy_sqlite_store, generate_legacy, migrate, reconcile, target
from rich.console import Console

import load
import synthetic
from flows.reconcile_flow import summary_markdown
from flows.run_reconcile import run_reconcile, run_verify_report
from reconcile import REPORT_FILES, manifest_sha256, verify_report
from reconcile.run_record import read_reconciliation_run

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Store:
    legacy, files = generate_legacy(tmp_path_factory.mktemp("legacy"))
    folder = tmp_path_factory.mktemp("sqlite-store")
    return migrate(legacy, files, f"sqlite:///{folder / 'target.sqlite'}", folder / "store")


@pytest.fixture
def store(base: Store, tmp_path: Path) -> Store:
    return copy_sqlite_store(base, tmp_path / "copy")


def run(store: Store, out_dir: Path, **options: Any) -> tuple[int, str]:
    """run_reconcile with a captured console; returns (exit code, what it printed)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, force_terminal=False)
    code = run_reconcile(
        source=options.pop("source", store.source_url),
        target=options.pop("target", store.target_url),
        out_dir=out_dir,
        attachments_dir=store.files,
        attachment_store=store.store,
        console=console,
        as_of=synthetic.AS_OF,
        **options,
    )
    return code, buffer.getvalue()


def add_trailing_space(store: Store) -> str:
    """Tamper with one family name (of four letters or more); returns the original name."""
    person = load.target_table("person")
    with target(store) as engine, engine.begin() as conn:
        row = conn.execute(
            sa.select(person.c.id, person.c.family_name)
            .where(sa.func.length(person.c.family_name) >= 4)
            .order_by(person.c.legacy_row_id)
        ).first()
        assert row is not None
        conn.execute(
            sa.update(person).where(person.c.id == row.id).values(family_name=row.family_name + " ")
        )
    return str(row.family_name)


def report_text(out_dir: Path) -> str:
    return "\n".join((out_dir / name).read_text("utf-8-sig") for name in REPORT_FILES)


@pytest.mark.parametrize("parallel", [False, True], ids=["one process", "parallel"])
def test_exit_codes(store: Store, tmp_path: Path, parallel: bool) -> None:
    code, printed = run(store, tmp_path / "clean", parallel=parallel)
    assert code == 0, printed
    assert "clean" in printed
    add_trailing_space(store)
    code, printed = run(store, tmp_path / "tampered", parallel=parallel)
    assert code == 1, printed
    assert "field_mismatch: 1" in printed


@pytest.mark.parametrize(
    "source",
    [
        "sqlite:////nonexistent/folder/legacy.sqlite",
        "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/legacy",
    ],
)
def test_an_unreachable_source_is_exit_code_2(store: Store, tmp_path: Path, source: str) -> None:
    code, printed = run(store, tmp_path / "report", source=source)
    assert code == 2, printed
    assert "Reconciliation stopped" in printed
    assert "s3cret" not in printed
    assert not (tmp_path / "report").exists()


def test_a_target_never_migrated_is_exit_code_2(store: Store, tmp_path: Path) -> None:
    code, printed = run(store, tmp_path / "report", target=f"sqlite:///{tmp_path / 'empty.sqlite'}")
    assert code == 2, printed
    assert "no migration run" in printed


def test_the_report_validates_and_masks_personal_data(store: Store, tmp_path: Path) -> None:
    name = add_trailing_space(store)
    out = tmp_path / "report"
    code, _ = run(store, out)
    assert code == 1
    document = json.loads((out / "reconciliation.json").read_text("utf-8"))
    schema = json.loads(
        resources.files("reconcile")
        .joinpath("reconciliation-report.schema.json")
        .read_text("utf-8")
    )
    jsonschema.Draft202012Validator(schema).validate(document)
    assert verify_report(out) == []
    (mismatch,) = document["discrepancies"]
    assert mismatch["kind"] == "field_mismatch" and mismatch["fields"] == ["family_name"]
    assert mismatch["values"][0]["masked"] is True
    assert name not in report_text(out)
    assert document["pii_revealed"] is False


def test_revealing_personal_data_is_recorded_with_who_asked(store: Store, tmp_path: Path) -> None:
    name = add_trailing_space(store)
    out = tmp_path / "report"
    code, printed = run(store, out, reveal_pii=True, requested_by="auditor-7")
    assert code == 1, printed
    assert name + " " in (out / "reconciliation.json").read_text("utf-8")
    document = json.loads((out / "reconciliation.json").read_text("utf-8"))
    assert document["pii_revealed"] is True and document["requested_by"] == "auditor-7"
    runs = load.target_table("migration.reconciliation_run")
    with target(store) as engine:
        with engine.connect() as conn:
            (record_id,) = conn.execute(sa.select(runs.c.id)).scalars().all()
        record = read_reconciliation_run(engine, record_id)
    assert record is not None
    assert (record.pii_revealed, record.requested_by, record.status) == (
        True,
        "auditor-7",
        "discrepancies",
    )
    assert record.manifest_sha256 == manifest_sha256(out)
    assert record.finished_at is not None and record.migration_run_id == document["run_id"]
    # Asking without saying who asks is refused.
    code, printed = run(store, tmp_path / "anonymous", reveal_pii=True, requested_by=None)
    assert code == 2 and "who is asking" in printed


def test_verify_report(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "report"
    assert run(store, out)[0] == 0
    console = Console(file=io.StringIO())
    assert run_verify_report(out, console) == 0
    (out / "discrepancies.csv").write_text("kind\n", "utf-8")
    buffer = io.StringIO()
    assert run_verify_report(out, Console(file=buffer, width=200)) == 1
    assert "discrepancies.csv" in buffer.getvalue()
    assert run_verify_report(tmp_path / "nowhere", console) == 2


def test_the_flow_publishes_the_summary_as_markdown(store: Store, tmp_path: Path) -> None:
    add_trailing_space(store)
    assert run(store, tmp_path / "report")[0] == 1
    document = json.loads((tmp_path / "report" / "reconciliation.json").read_text("utf-8"))
    artifact = Artifact.get("reconciliation-summary")
    assert artifact is not None
    assert document["run_id"] in str(artifact.description)
    markdown = str(artifact.data)
    assert "| S_CONTACT |" in markdown and "| field_mismatch | 1 |" in markdown
    assert markdown.count("\n|") >= 18  # header, rule, 16 tables and the total


def test_summary_markdown_is_counts_and_codes_only(store: Store, tmp_path: Path) -> None:
    name = add_trailing_space(store)
    result = reconcile(store, tmp_path / "report")
    markdown = summary_markdown(result)
    assert "discrepancies" in markdown and "field_mismatch" in markdown
    assert name not in markdown
    reasons = sum(r.count for r in result.quarantine_reasons)  # every record is open
    pending = result.match_decisions["pending"]
    assert reasons and pending
    assert f"Quarantine reasons by record status: {reasons:,} open;" in markdown
    assert f"probable duplicate pairs by decision: {pending:,} pending." in markdown


def test_a_crash_is_exit_code_2_never_1(store: Store, tmp_path: Path) -> None:
    """A target value no reader can take (text where a UUID belongs, on SQLite) stops the run: 2."""
    with target(store) as engine, engine.begin() as conn:
        conn.exec_driver_sql("UPDATE staff_user SET id = 'not-a-uuid' WHERE rowid = 1")
    code, printed = run(store, tmp_path / "report")
    assert code == 2, printed
    assert "nothing was concluded" in printed
