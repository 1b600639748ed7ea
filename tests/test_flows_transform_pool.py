"""The transform worker process (reconciliation computes the next batch's expected rows in it).

It must change nothing but the time taken: the same result as in this process,
only contexts of its own run, and it must not outlive the process that started it.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from e2e_support import sqlite_legacy

import extract
import synthetic
import transform
from flows.engines import make_source
from flows.pipeline import reference_context
from flows.transform_pool import TransformPool

# ------------------------------------------------------------ TransformPool


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    return sqlite_legacy(tmp_path_factory.mktemp("legacy-read-ahead"), persons=80, seed=5)


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
        in_worker = pool.submit("S_CONTACT", batch.frame, context).result()
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
            pool.submit("S_USER", pd.DataFrame(), other)
    finally:
        pool.close()


KILLED_PARENT = """
import sys, time
import pandas as pd
import synthetic
from flows.engines import make_source
from flows.pipeline import reference_context
from flows.transform_pool import TransformPool
base = reference_context(make_source(sys.argv[1]), as_of=synthetic.AS_OF)
pool = TransformPool(base)
pool.submit("S_USER", pd.DataFrame(), base).exception()  # the worker is up
print(" ".join(sys.argv[2:]), flush=True)
time.sleep(120)
"""


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found.update(int(p) for p in (task / "children").read_text().split())
    return found


def test_the_worker_ends_when_its_parent_is_killed(legacy: tuple[str, Path]) -> None:
    url, _ = legacy
    parent = subprocess.Popen(
        [sys.executable, "-c", KILLED_PARENT, url, "ready"],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "ready"
        workers = _children(parent.pid)
        assert workers, "the pool started a worker process"
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
            time.sleep(0.1)
        alive = {p for p in workers if Path(f"/proc/{p}").exists()}
        assert not alive, f"worker processes {alive} outlived their killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
