"""Crash safety: a writer SIGKILLed inside a batch leaves whole batches only, and a re-run
resumes from the checkpoint to exactly the tables of an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from databases import postgres_database
from test_load_support import DUMPED, crash_rows, dump, make_target, run_worker

import load
from flows.engines import make_target_engine

SUPPORT = Path(__file__).with_name("test_load_support.py")
TOTAL, BATCH = 6000, 1000
APP = "icm-crash-worker"


@contextmanager
def sibling_target(url: str, tmp_path: Path) -> Iterator[str]:
    """A second fresh target of the same engine as ``url``."""
    if url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'reference.sqlite'}"
    else:
        with postgres_database() as other:
            yield other


def in_write_transaction(engine: sa.Engine, url: str) -> bool:
    if url.startswith("sqlite"):
        return Path(sa.make_url(url).database + "-journal").exists()  # type: ignore[operator]
    with engine.connect() as conn:
        states = conn.execute(
            sa.text(
                "SELECT state FROM pg_stat_activity WHERE application_name = :app AND xact_start IS NOT NULL"
            ),
            {"app": APP},
        ).scalars()
        return any(s in ("active", "idle in transaction") for s in states)


def wait_for(condition: Any, proc: subprocess.Popen[str], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            pytest.fail(
                f"the worker ended before {what}: {proc.stderr.read() if proc.stderr else ''}"
            )
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.002)


def normalised(engine: sa.Engine, run_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """Table dumps with the run id masked and dq_flag's surrogate id left out (sequences are not
    transactional on PostgreSQL: a rolled-back batch uses up ids)."""
    out = {}
    for table, rows in dump(engine, DUMPED).items():
        masked = [tuple("RUN" if v == run_id else v for v in row) for row in rows]
        out[table] = sorted(row[1:] for row in masked) if table == "dq_flag" else masked
    return out


def test_a_killed_writer_resumes_to_the_tables_of_an_uninterrupted_run(
    target_db_url: str, tmp_path: Path
) -> None:
    make_target(target_db_url).dispose()
    worker_url = target_db_url
    if not target_db_url.startswith("sqlite"):
        worker_url = (
            sa.make_url(target_db_url)
            .update_query_dict({"application_name": APP})
            .render_as_string(False)
        )
    engine = make_target_engine(target_db_url)
    proc = subprocess.Popen(
        [sys.executable, str(SUPPORT), "worker", worker_url, str(TOTAL), str(BATCH)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def two_batches_done() -> bool:
            checkpoint = load.read_checkpoint(engine, "S_CONTACT")
            return checkpoint is not None and checkpoint.rows_done >= 2 * BATCH

        wait_for(two_batches_done, proc, "two committed batches")
        wait_for(lambda: in_write_transaction(engine, target_db_url), proc, "a batch in progress")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        if target_db_url.startswith("sqlite"):  # killed inside a write: SQLite left a hot journal
            assert in_write_transaction(engine, target_db_url)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    # Whole batches only: the ledger, the rows and the checkpoint agree.
    crashed_run = load.latest_unfinished_run(engine)
    checkpoint = load.read_checkpoint(engine, "S_CONTACT")
    assert crashed_run is not None and checkpoint is not None and not checkpoint.completed
    assert checkpoint.run_id == crashed_run
    assert checkpoint.rows_done % BATCH == 0 and 2 * BATCH <= checkpoint.rows_done < TOTAL
    assert checkpoint.last_row_id == crash_rows(TOTAL)[checkpoint.rows_done - 1]
    counts = load.outcome_counts(engine)["S_CONTACT"]
    assert sum(counts.values()) == checkpoint.rows_done
    with engine.connect() as conn:
        persons = conn.execute(
            sa.select(sa.func.count()).select_from(load.target_table("person"))
        ).scalar_one()
    assert persons == counts["loaded"]

    # The re-run resumes the same run from the checkpoint and finishes it.
    assert run_worker(target_db_url, TOTAL, BATCH) == crashed_run
    finished = load.read_checkpoint(engine, "S_CONTACT")
    assert finished is not None and finished.completed and finished.rows_done == TOTAL
    assert load.latest_unfinished_run(engine) is None
    resumed = normalised(engine, crashed_run)
    engine.dispose()

    with sibling_target(target_db_url, tmp_path) as reference_url:
        make_target(reference_url).dispose()
        reference_run = run_worker(reference_url, TOTAL, BATCH)
        reference = make_target_engine(reference_url)
        expected = normalised(reference, reference_run)
        reference.dispose()
    assert len(expected["ledger"]) == TOTAL
    assert resumed == expected
