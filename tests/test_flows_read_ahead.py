"""Read-ahead: the next batch prepared (transformed in a worker process) while the current one is written.

It must change nothing but the time taken: the same store as a migration without
it, errors raised where they would have been, no batch prepared for nothing kept.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from e2e_support import dump_target

import extract
import synthetic
import transform
from flows.engines import make_engine, make_source, make_target_engine
from flows.pipeline import migrate_direct, reference_context
from flows.read_ahead import ReadAhead
from flows.transform_pool import TransformPool

# ---------------------------------------------------------------- ReadAhead


def test_a_batch_held_ahead_is_taken_by_its_key() -> None:
    ahead: ReadAhead[str] = ReadAhead()
    ahead.hold(("S_CASE", "1-A"), lambda: "started")
    assert ahead.take(("S_CASE", "1-A")) == "started"
    assert ahead.take(("S_CASE", "1-A")) is None, "a batch is taken once"


def test_a_batch_held_for_another_key_is_dropped() -> None:
    ahead: ReadAhead[str] = ReadAhead()
    ahead.hold(("S_CASE", "1-A"), lambda: "started")
    assert ahead.take(("S_CASE", "1-B")) is None
    assert ahead.take(("S_CASE", "1-A")) is None, "the other batch was dropped"


def test_an_error_of_the_start_is_raised_when_its_batch_is_taken() -> None:
    def fail() -> str:
        raise extract.SourceValueError("S_CASE 1-B CREATED: not a date")

    ahead: ReadAhead[str] = ReadAhead()
    ahead.hold(("S_CASE", "1-A"), fail)  # does not raise: the batch before is still to be written
    with pytest.raises(extract.SourceValueError, match="1-B CREATED"):
        ahead.take(("S_CASE", "1-A"))
    assert ahead.take(("S_CASE", "1-A")) is None, "a retry starts the batch again"


def test_an_error_of_a_batch_nobody_asks_for_is_dropped() -> None:
    def fail() -> str:
        raise extract.SourceValueError("S_CASE 1-B CREATED: not a date")

    ahead: ReadAhead[str] = ReadAhead()
    ahead.hold(("S_CASE", "1-A"), fail)
    assert ahead.take(("S_CONTACT", None)) is None


# ------------------------------------------------------------ TransformPool


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    root = tmp_path_factory.mktemp("legacy-read-ahead")
    url = f"sqlite:///{root / 'legacy.sqlite'}"
    engine = make_engine(url)
    synthetic.generate(engine, persons=80, seed=5, attachments_dir=root / "files")
    engine.dispose()
    return url, root / "files"


def _same_result(a: transform.TransformResult, b: transform.TransformResult) -> None:
    assert a.upserts.keys() == b.upserts.keys() and a.updates.keys() == b.updates.keys()
    for table in a.upserts:
        pd.testing.assert_frame_equal(a.upserts[table], b.upserts[table])
    for table in a.updates:
        pd.testing.assert_frame_equal(a.updates[table], b.updates[table])
    pd.testing.assert_frame_equal(a.ledger, b.ledger)
    assert a.quarantined == b.quarantined
    assert a.flags == b.flags
    assert a.last_key == b.last_key


def test_the_worker_process_transforms_exactly_as_in_process(legacy: tuple[str, Path]) -> None:
    url, _ = legacy
    source = make_source(url)
    base = reference_context(source, as_of=synthetic.AS_OF)
    (batch,) = list(extract.read_batches(source, "S_CONTACT", batch_size=10_000))
    context = transform.BatchContext(
        as_of=base.as_of,
        codes=base.codes,
        crosswalk=base.crosswalk,
        users=base.users,
        merged_into=base.merged_into,
        parent_outcomes={("S_ADDR_PER", k): "loaded" for k in batch.frame["PR_PER_ADDR_ID"]},
    )
    pool = TransformPool(base)
    try:
        in_worker = pool.transform_batch("S_CONTACT", batch.frame, context)
    finally:
        pool.close()
    local = transform.transform_batch("S_CONTACT", batch.frame, context)
    assert len(local.ledger) == len(batch.frame)
    assert (local.ledger["outcome"] == "quarantined").any(), "the batch holds defects"
    _same_result(in_worker, local)


def test_the_pool_refuses_a_context_of_another_run(legacy: tuple[str, Path]) -> None:
    url, _ = legacy
    base = reference_context(make_source(url), as_of=synthetic.AS_OF)
    other = reference_context(make_source(url), as_of=synthetic.AS_OF)
    pool = TransformPool(base)
    try:
        with pytest.raises(ValueError, match="not of the run"):
            pool.transform_batch("S_USER", pd.DataFrame(), other)
    finally:
        pool.close()


# ------------------------------------------------------------- end to end


def test_read_ahead_migrates_the_same_store(legacy: tuple[str, Path], tmp_path: Path) -> None:
    url, files = legacy
    dumps = []
    for read_ahead in (False, True):
        target = f"sqlite:///{tmp_path / f'target-{read_ahead}.sqlite'}"
        migrate_direct(
            url,
            target,
            attachments_dir=files,
            attachment_store=tmp_path / f"store-{read_ahead}",
            batch_size=37,  # many batches per table: most are prepared ahead
            as_of=synthetic.AS_OF,
            read_ahead=read_ahead,
        )
        dumps.append(dump_target(make_target_engine(target)))
    assert sum(len(rows) for rows in dumps[0].values()) > 1000
    assert dumps[1] == dumps[0]
