"""A migration killed with SIGKILL at several moments, then resumed, ends identical to an uninterrupted one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from e2e_support import dump_target, ledger, sqlite_legacy

import load
import synthetic
from flows.engines import make_target_engine
from flows.pipeline import migrate_direct

ROOT = Path(__file__).resolve().parents[1]
BATCH = 9
KILL_AFTER_LEDGER_ROWS = (30, 400, 800)

WORKER = """
import datetime as dt, sys
from pathlib import Path
from flows.pipeline import migrate_direct
src, tgt, files, store, batch = sys.argv[1:6]
migrate_direct(src, tgt, attachments_dir=Path(files), attachment_store=Path(store),
               batch_size=int(batch), as_of=dt.date.fromisoformat(sys.argv[6]))
"""


def _ledger_rows(target: str) -> int:
    """Ledger rows committed so far (0 while the ledger does not exist or is locked this instant)."""
    if target.startswith("sqlite"):
        if not Path(sa.make_url(target).database or "").exists():
            return 0
        engine = sa.create_engine(target, connect_args={"timeout": 0.2})
        query = "SELECT count(*) FROM ledger"
    else:
        engine = sa.create_engine(target)
        query = "SELECT count(*) FROM migration.ledger"
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(query)).scalar_one())
    except sa.exc.OperationalError:  # SQLite: not created yet, or locked by the writer
        return 0
    except sa.exc.ProgrammingError:  # PostgreSQL: not created yet
        return 0
    finally:
        engine.dispose()


def _run_until(args: list[str], target: str, ledger_rows: int | None) -> int:
    """Run the worker; SIGKILL it once the ledger holds ``ledger_rows`` rows. Returns its exit code."""
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, *args], cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    deadline = time.monotonic() + 240
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if ledger_rows is not None and _ledger_rows(target) >= ledger_rows:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.02)
        return proc.wait(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    return sqlite_legacy(tmp_path_factory.mktemp("legacy"), persons=60, seed=11)


def test_killed_and_resumed_equals_uninterrupted(
    legacy: tuple[str, Path], target_db_url: str, tmp_path: Path
) -> None:
    """Each batch is written while the next is prepared: kills land in either."""
    source, files = legacy
    reference = tmp_path / "reference.sqlite"
    migrate_direct(
        source,
        f"sqlite:///{reference}",
        attachments_dir=files,
        attachment_store=tmp_path / "store-ref",
        batch_size=BATCH,
        as_of=synthetic.AS_OF,
    )
    total = len(ledger(make_target_engine(f"sqlite:///{reference}")))
    assert total > max(KILL_AFTER_LEDGER_ROWS)

    target = target_db_url
    args = [
        source,
        target,
        str(files),
        str(tmp_path / "store"),
        str(BATCH),
        synthetic.AS_OF.isoformat(),
    ]
    kills = 0
    for rows in KILL_AFTER_LEDGER_ROWS:
        code = _run_until(args, target, rows)
        assert code == -signal.SIGKILL, (
            f"the worker should have been killed after {rows} ledger rows"
        )
        kills += 1
        assert _ledger_rows(target) < total, "killed before the end"
    assert _run_until(args, target, None) == 0
    assert kills == len(KILL_AFTER_LEDGER_ROWS)

    engine = make_target_engine(target)
    try:
        assert dump_target(engine) == dump_target(make_target_engine(f"sqlite:///{reference}"))
        runs = load.target_table("migration_run")
        with engine.connect() as conn:
            statuses = conn.execute(sa.select(runs.c.status)).scalars().all()
        assert statuses == ["succeeded"], "every restart resumed the one unfinished run"
    finally:
        engine.dispose()
