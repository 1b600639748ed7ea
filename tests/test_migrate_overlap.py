"""Batch N+1 is extracted and transformed while batch N is written, and nothing else changes.

The store after an overlapped run equals the store after a run that writes each
batch before preparing the next; an error on either side stops the run with every
committed batch kept, and the next run resumes from there.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from e2e_support import SequentialSteps, dump_target, sqlite_legacy

import load
import synthetic
from flows.engines import make_source, make_target_engine
from flows.pipeline import (
    BatchReport,
    MigrationJob,
    PreparedBatch,
    migrate_direct,
    prepare_batch,
    prepare_migration,
    run_tables,
    write_prepared,
)

BATCH = 25


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    return sqlite_legacy(tmp_path_factory.mktemp("overlap-legacy"), persons=60, seed=11)


class Watched:
    """Writes in a writer thread, each waiting until the next prepare has started.

    Records, per write, whether that prepare started (False: the runner waited for
    the write before preparing the next batch). Optionally fails one prepare or write.
    """

    def __init__(self, *, fail_prepare: int | None = None, fail_write: int | None = None) -> None:
        self.writer = ThreadPoolExecutor(max_workers=1)
        self.changed = threading.Condition()
        self.prepares = 0
        self.writes = 0
        self.overlapped: list[bool] = []
        self.written: list[tuple[str, str | None]] = []
        self.fail_prepare, self.fail_write = fail_prepare, fail_write

    def prepare(self, job: MigrationJob, table: str, after: str | None) -> PreparedBatch | None:
        with self.changed:
            self.prepares += 1
            self.changed.notify_all()
            if self.prepares == self.fail_prepare:
                raise RuntimeError("prepare failed on purpose")
        return prepare_batch(job, table, after)

    def write(self, job: MigrationJob, prepared: PreparedBatch) -> Future[BatchReport]:
        with self.changed:
            self.writes += 1
            number, seen = self.writes, self.prepares

        def write() -> BatchReport:
            with self.changed:
                wait = (
                    10 if all(self.overlapped) else 0
                )  # once it did not overlap, do not wait again
                self.overlapped.append(self.changed.wait_for(lambda: self.prepares > seen, wait))
            if number == self.fail_write:
                raise RuntimeError("write failed on purpose")
            flags, attachments = (
                len(prepared.result.flags),
                prepared.result.upserts.get("attachment"),
            )
            report = write_prepared(job, prepared)
            # A retried write starts from the same batch: writing leaves it as it was.
            assert len(prepared.result.flags) == flags
            assert prepared.result.upserts.get("attachment") is attachments
            self.written.append((prepared.table, prepared.last_key))
            return report

        return self.writer.submit(write)


def _job(legacy: tuple[str, Path], target: sa.Engine, store: Path) -> MigrationJob:
    return prepare_migration(
        make_source(legacy[0]),
        target,
        source_label="legacy",
        batch_size=BATCH,
        attachments_dir=legacy[1],
        attachment_store=store,
        as_of=synthetic.AS_OF,
    )


def _run(
    legacy: tuple[str, Path], url: str, store: Path, steps: SequentialSteps | Watched
) -> sa.Engine:
    engine = make_target_engine(url)
    job = _job(legacy, engine, store)
    try:
        run_tables(job, steps=steps)
    finally:
        if isinstance(steps, Watched):
            steps.writer.shutdown(wait=True)
    return engine


@pytest.fixture(scope="module")
def reference(
    legacy: tuple[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[tuple[object, ...]]]:
    root = tmp_path_factory.mktemp("overlap-reference")
    engine = _run(legacy, f"sqlite:///{root / 'target.sqlite'}", root / "store", SequentialSteps())
    try:
        return dump_target(engine)
    finally:
        engine.dispose()


def test_each_batch_is_prepared_while_the_one_before_is_written(
    legacy: tuple[str, Path],
    reference: dict[str, list[tuple[object, ...]]],
    target_db_url: str,
    tmp_path: Path,
) -> None:
    steps = Watched()
    engine = _run(legacy, target_db_url, tmp_path / "store", steps)
    try:
        assert len(steps.overlapped) > 16  # more batches than tables
        assert all(steps.overlapped), steps.overlapped
        assert dump_target(engine) == reference
    finally:
        engine.dispose()


@pytest.mark.parametrize("side", ["prepare", "write"])
def test_an_error_keeps_every_committed_batch_and_the_next_run_resumes(
    legacy: tuple[str, Path],
    reference: dict[str, list[tuple[object, ...]]],
    target_db_url: str,
    tmp_path: Path,
    side: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    steps = Watched(fail_prepare=12) if side == "prepare" else Watched(fail_write=10)
    with pytest.raises(RuntimeError, match=f"{side} failed on purpose"):
        _run(legacy, target_db_url, tmp_path / "store", steps)
    # The error is reported once: no second failure is made up of the same write.
    assert "also failed" not in caplog.text
    # Every write that started has ended, committed, and is the last checkpoint of its table.
    assert steps.written
    table, last_key = steps.written[-1]
    engine = make_target_engine(target_db_url)
    try:
        checkpoint = load.read_checkpoint(engine, table)
        assert checkpoint is not None and checkpoint.last_row_id == last_key
        migrate_direct(
            legacy[0],
            target_db_url,
            attachments_dir=legacy[1],
            attachment_store=tmp_path / "store",
            batch_size=BATCH,
            as_of=synthetic.AS_OF,
        )
        assert dump_target(engine) == reference
    finally:
        engine.dispose()
