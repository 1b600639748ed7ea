"""The command line and the real Prefect flow (one Prefect test harness for the session)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from e2e_support import dump_target, ledger
from prefect.client.orchestration import get_client
from prefect.testing.utilities import prefect_test_harness
from typer.testing import CliRunner

import flows.migrate_flow as migrate_flow_module
import load
from flows.cli import app
from flows.engines import make_target_engine
from flows.migrate_flow import migrate_flow
from flows.pipeline import BatchReport, MigrationJob, PreparedBatch, migrate_direct

SECRET = "hunter2-not-a-real-secret"


@pytest.fixture(scope="module")
def prefect_harness() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("cli")
    paths = {
        "legacy": root / "legacy.sqlite",
        "files": root / "files",
        "manifest": root / "manifest.json",
    }
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "--persons",
            "40",
            "--seed",
            "3",
            "--source",
            f"sqlite:///{paths['legacy']}",
            "--attachments-dir",
            str(paths["files"]),
            "--manifest",
            str(paths["manifest"]),
        ],
    )
    assert result.exit_code == 0, result.output
    return paths


def _words(output: str) -> str:
    """The console's output with its line wrapping undone."""
    return " ".join(output.split())


def _person_names(legacy: Path) -> set[str]:
    engine = sa.create_engine(f"sqlite:///{legacy}")
    with engine.connect() as conn:
        rows = conn.execute(sa.text('SELECT "FST_NAME", "LAST_NAME" FROM "S_CONTACT"')).all()
    engine.dispose()
    return {n for r in rows for n in r if n and len(n) > 3}


def test_generate_writes_database_files_and_manifest(generated: dict[str, Path]) -> None:
    manifest = json.loads(generated["manifest"].read_text("utf-8"))
    assert manifest["persons"] == 40 and manifest["defects"]
    assert any(generated["files"].glob("*.SAF"))
    assert _person_names(generated["legacy"])


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        ("--persons", "10", "persons must be at least 40, got 10"),
        ("--defect-rate", "0.3", "defect_rate must be between 0 and 0.05, got 0.3"),
    ],
)
def test_generate_refuses_bad_inputs_with_a_message_not_a_traceback(
    option: str, value: str, reason: str, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "--source",
            f"sqlite:///{tmp_path / 'legacy.sqlite'}",
            "--attachments-dir",
            str(tmp_path / "files"),
            "--manifest",
            str(tmp_path / "manifest.json"),
            "--persons",
            "40",
            option,
            value,
        ],
    )
    assert result.exit_code == 2, result.output
    assert "Generation stopped" in result.output and reason in _words(result.output)
    assert "Traceback" not in result.output and not (tmp_path / "manifest.json").exists()


def test_generate_refuses_a_database_that_already_holds_legacy_rows(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "--source",
            f"sqlite:///{generated['legacy']}",
            "--attachments-dir",
            str(tmp_path / "files"),
            "--manifest",
            str(tmp_path / "manifest.json"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert "already has rows; generate into an empty database" in _words(result.output)


def test_demo_refuses_too_few_persons_before_migrating(tmp_path: Path) -> None:
    work = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--work-dir", str(work), "--persons", "39"])
    assert result.exit_code == 2, result.output
    assert "persons must be at least 40, got 39" in _words(result.output)
    assert not (work / "new-store.sqlite").exists()


@pytest.mark.parametrize("command", ["migrate", "reconcile", "init-target", "generate"])
def test_an_unusable_url_stops_a_command_with_exit_2_and_no_traceback(
    command: str, tmp_path: Path
) -> None:
    bogus = f"bogus://icm:{SECRET}@db/icm"
    good = f"sqlite:///{tmp_path / 'db.sqlite'}"
    args = {
        "migrate": ["--source", bogus, "--target", good],
        "reconcile": ["--source", good, "--target", bogus, "--out", str(tmp_path / "out")],
        "init-target": ["--target", bogus],
        "generate": ["--source", bogus, "--attachments-dir", "f", "--manifest", "m.json"],
    }[command]
    result = CliRunner().invoke(app, [command, *args])
    assert result.exit_code == 2, result.output
    said = _words(result.output)
    side = "target" if command in ("reconcile", "init-target") else "legacy"
    assert f"The {side}" in said and "names a database kind SQLAlchemy does not know" in said
    assert "Traceback" not in result.output and SECRET not in result.output
    assert not (tmp_path / "db.sqlite").exists() and not (tmp_path / "out").exists()


def test_init_target_says_when_the_target_cannot_be_reached() -> None:
    result = CliRunner().invoke(
        app, ["init-target", "--target", f"postgresql+psycopg://u:{SECRET}@127.0.0.1:1/icm"]
    )
    assert result.exit_code == 2, result.output
    assert "could not be reached" in _words(result.output) and SECRET not in result.output


def test_init_target_creates_the_schema(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["init-target", "--target", f"sqlite:///{tmp_path / 't.sqlite'}"]
    )
    assert result.exit_code == 0, result.output
    assert "target tables present" in result.output


def test_migrate_runs_the_prefect_flow_and_publishes_outcomes(
    prefect_harness: None,
    generated: dict[str, Path],
    pg_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    target = sa.make_url(pg_url).set(password=SECRET).render_as_string(hide_password=False)
    caplog.set_level(logging.DEBUG)
    result = CliRunner().invoke(
        app,
        [
            "migrate",
            "--source",
            f"sqlite:///{generated['legacy']}",
            "--target",
            target,
            "--attachments-dir",
            str(generated["files"]),
            "--attachment-store",
            str(tmp_path / "store"),
            "--batch-size",
            "50",
            "--prune-deleted",  # recorded with the run; a first run has nothing to prune
        ],
    )
    assert result.exit_code == 0, result.output
    assert "S_CONTACT" in result.output and "quarantined" in result.output

    engine = make_target_engine(pg_url)
    outcomes = ledger(engine)
    manifest = json.loads(generated["manifest"].read_text("utf-8"))
    assert len(outcomes) == sum(manifest["row_counts"].values())
    with engine.connect() as conn:
        sources = (
            conn.execute(sa.text("SELECT source FROM migration.migration_run")).scalars().all()
        )
        pruning = conn.execute(sa.text("SELECT prune_deleted FROM migration.migration_run"))
        assert pruning.scalars().all() == [True]
    flow_store = dump_target(engine)
    engine.dispose()

    # The flow's tasks (retries, overlap, progress) write what the plain functions write.
    direct = make_target_engine(f"sqlite:///{tmp_path / 'direct.sqlite'}")
    migrate_direct(
        f"sqlite:///{generated['legacy']}",
        str(direct.url),
        attachments_dir=generated["files"],
        attachment_store=tmp_path / "direct-store",
        batch_size=50,
    )
    assert dump_target(direct) == flow_store
    direct.dispose()

    # The flow published its per-table outcome counts as a table artifact.
    with get_client(sync_client=True) as client:
        artifacts = [a for a in client.read_artifacts() if a.key == "migration-outcomes"]
    assert artifacts, "the flow publishes a table artifact"
    table = artifacts[-1].data
    rows = json.loads(table) if isinstance(table, str) else table
    by_table = {r["table"]: r for r in rows}
    assert by_table["S_CONTACT"]["rows"] == manifest["row_counts"]["S_CONTACT"]
    # ... and the stewards' open work: every quarantined row's record, still open.
    quarantined = sum(r["quarantined"] for r in rows)
    assert f"Quarantine records: {quarantined:,} open, 0 replayed, 0 waived" in (
        artifacts[-1].description or ""
    )

    # Neither personal data nor credentials reach the logs, the output or the run record.
    text = caplog.text + result.output
    assert SECRET not in text and all(SECRET not in s for s in sources)
    leaked = [n for n in _person_names(generated["legacy"]) if n in text]
    assert leaked == []


def test_migrate_reports_a_broken_source_clearly(
    prefect_harness: None, generated: dict[str, Path], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(generated["legacy"].read_bytes())
    engine = sa.create_engine(f"sqlite:///{broken}")
    with engine.begin() as conn:
        conn.exec_driver_sql('DROP TABLE "S_INCIDENT"')
    engine.dispose()
    result = CliRunner().invoke(
        app,
        [
            "migrate",
            "--source",
            f"sqlite:///{broken}",
            "--target",
            f"sqlite:///{tmp_path / 't.sqlite'}",
        ],
    )
    assert result.exit_code == 2
    stopped = [line for line in result.output.splitlines() if line.startswith("Migration stopped:")]
    assert stopped and "S_INCIDENT" in stopped[0] and "not found" in stopped[0]


def test_flow_runs_record_no_credentials(prefect_harness: None) -> None:
    """Prefect keeps flow parameters: the migrate runs above passed references, not URLs."""
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs()
    assert runs, "the migrate flow ran under this harness"
    for run in runs:
        recorded = json.dumps(run.parameters, default=str)
        assert SECRET not in recorded
        assert "postgresql+psycopg://" not in recorded


def test_migrate_into_a_store_another_run_holds_stops_with_exit_2(
    prefect_harness: None, generated: dict[str, Path], tmp_path: Path
) -> None:
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    with load.store_lock(make_target_engine(target), exclusive=True):
        result = CliRunner().invoke(
            app, ["migrate", "--source", f"sqlite:///{generated['legacy']}", "--target", target]
        )
    assert result.exit_code == 2, result.output
    assert "another migration run or a reconciliation is using this store" in _words(result.output)


def test_init_target_waits_for_no_running_migration(tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    with load.store_lock(make_target_engine(target), exclusive=True):
        result = CliRunner().invoke(app, ["init-target", "--target", target])
    assert result.exit_code == 2, result.output
    assert "another migration run or a reconciliation is using this store" in _words(result.output)
    assert CliRunner().invoke(app, ["init-target", "--target", target]).exit_code == 0


def test_demo_generates_migrates_and_reconciles_clean(
    prefect_harness: None, tmp_path: Path
) -> None:
    work = tmp_path / "demo"
    result = CliRunner().invoke(
        app, ["demo", "--work-dir", str(work), "--persons", "40", "--seed", "9"]
    )
    assert result.exit_code == 0, result.output  # 0 only when the reconciliation is clean
    for name in ("reconciliation.json", "discrepancies.csv", "report.html", "manifest.json"):
        assert (work / "reports" / name).is_file(), name
    report = json.loads((work / "reports" / "reconciliation.json").read_text("utf-8"))
    assert report["status"] == "clean" and report["discrepancies"] == []
    verified = CliRunner().invoke(app, ["verify-report", str(work / "reports")])
    assert verified.exit_code == 0, verified.output
    # Pinned to the store, as the demo's last line says.
    assert "icm-migrate verify-report" in _words(result.output)
    store_url = f"sqlite:///{work / 'new-store.sqlite'}"
    public_key = str(work / "report-signing-key.pub")
    pinned = CliRunner().invoke(
        app,
        ["verify-report", str(work / "reports"), "--target", store_url, "--public-key", public_key],
    )
    assert pinned.exit_code == 0, pinned.output
    assert "manifest.json is the one the store recorded" in _words(pinned.output)
    assert "Signature verified" in _words(pinned.output)
    noted = (work / "report-signing-key.signed-reports").read_text("utf-8").splitlines()
    assert [json.loads(line)["report_dir"] for line in noted] == [str((work / "reports").resolve())]
    worklist = (work / "quarantine-worklist.csv").read_text("utf-8-sig").splitlines()
    quarantined = sum(counts["quarantined"] for counts in report["tables"].values())
    assert (
        quarantined > 0
        and len({tuple(line.split(",")[:2]) for line in worklist[1:]}) == quarantined
    )
    # The store at a glance, as the demo's last line says: the reconciliation it just ran.
    assert "icm-migrate status --target" in _words(result.output)
    # Each command the demo prints stays on one line, so it can be copied as printed.
    lines = result.output.splitlines()
    assert any(f"icm-migrate status --target {store_url}" in line for line in lines)
    assert any(
        f"icm-migrate verify-report {work / 'reports'} --target {store_url}" in line
        for line in lines
    )
    assert any(
        re.search(r"Report: .*reports \(manifest SHA-256 [0-9a-f]{64}\)", line) for line in lines
    )
    status = CliRunner().invoke(
        app, ["status", "--target", f"sqlite:///{work / 'new-store.sqlite'}", "--json"]
    )
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["latest_reconciliation"]["status"] == "clean"
    (work / "reports" / "discrepancies.csv").write_text("edited\n", encoding="utf-8")
    assert CliRunner().invoke(app, ["verify-report", str(work / "reports")]).exit_code != 0


@pytest.mark.parametrize(
    "error", [load.TransientLoadError, load.TerminalLoadError], ids=["transient", "terminal"]
)
def test_the_flow_retries_a_failed_write_only_when_a_retry_can_help(
    prefect_harness: None,
    generated: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    error: type[load.LoadError],
) -> None:
    """A write task that fails is retried with the same batch if, and only if, it is transient."""
    attempts: list[str | None] = []
    real = migrate_flow_module.write_prepared

    def failing_once(job: MigrationJob, prepared: PreparedBatch) -> BatchReport:
        if prepared.table == "S_CASE":
            attempts.append(prepared.after)
            if len(attempts) == 1:
                raise error("failed on purpose", table="case_file")
        return real(job, prepared)

    monkeypatch.setattr(migrate_flow_module, "write_prepared", failing_once)
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    arguments: dict[str, Any] = {
        "source": f"sqlite:///{generated['legacy']}",
        "target": target,
        "attachments_dir": str(generated["files"]),
        "attachment_store": str(tmp_path / "store"),
        "batch_size": 50,
    }
    manifest = json.loads(generated["manifest"].read_text("utf-8"))
    if error is load.TransientLoadError:
        counts = migrate_flow(**arguments)
        assert attempts[:2] == [None, None]  # the first S_CASE batch, written again
        assert sum(counts["S_CASE"].values()) == manifest["row_counts"]["S_CASE"]
    else:
        with pytest.raises(load.TerminalLoadError, match="failed on purpose"):
            migrate_flow(**arguments)
        assert attempts == [None]  # not retried
        engine = make_target_engine(target)
        assert not [k for k in ledger(engine) if k[0] == "S_CASE"]
        engine.dispose()
