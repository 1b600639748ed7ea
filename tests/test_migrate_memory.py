"""What a migration keeps from one batch to the next does not grow with the batches.

Each frame pandera validates is copied, and the copy keeps itself alive through its
cached ``.pandera`` accessor: garbage in a reference cycle, holding the batch's
values. Under the raised collector thresholds of a run it waited for a full
collection, tens of batches later; the pipeline now frees it after each batch.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pandas as pd
import pytest
from e2e_support import SequentialSteps

import synthetic
from flows.engines import make_engine, make_source, make_target_engine
from flows.pipeline import (
    MigrationJob,
    PreparedBatch,
    prepare_migration,
    run_tables,
)


def _frames() -> int:
    return sum(isinstance(o, pd.DataFrame) for o in gc.get_objects())


def test_no_frame_outlives_its_batch(tmp_path: Path) -> None:
    legacy = f"sqlite:///{tmp_path / 'legacy.sqlite'}"
    engine = make_engine(legacy)
    synthetic.generate(engine, persons=60, seed=5, attachments_dir=tmp_path / "files")
    engine.dispose()
    target = make_target_engine(f"sqlite:///{tmp_path / 'target.sqlite'}")
    job = prepare_migration(
        make_source(legacy),
        target,
        source_label="legacy",
        batch_size=25,
        attachments_dir=tmp_path / "files",
        attachment_store=tmp_path / "store",
        as_of=synthetic.AS_OF,
    )
    alive: list[int] = []

    class Counted(SequentialSteps):
        """Each write done before the next batch starts, so that only leftovers are counted."""

        def prepare(self, job: MigrationJob, table: str, after: str | None) -> PreparedBatch | None:
            alive.append(_frames())  # what the batches before this one left behind
            return super().prepare(job, table, after)

    try:
        run_tables(job, steps=Counted())
    finally:
        target.dispose()
    assert len(alive) > 40
    assert max(alive) <= 2, alive


@pytest.mark.parametrize("frames", [1, 3])
def test_a_frame_in_a_reference_cycle_is_what_is_counted(frames: int) -> None:
    """The check above sees the garbage it guards against (no collection in between)."""
    gc.disable()
    try:
        before = _frames()
        for _ in range(frames):
            frame = pd.DataFrame({"a": [1, 2]})
            frame.attrs["self"] = frame  # a cycle, as pandera's accessor makes
            del frame
        assert _frames() == before + frames
    finally:
        gc.enable()
        gc.collect()
