"""Run the pure transform in a separate process, so it uses a second core.

Reconciliation computes what the rules make of batch N+1 here while it compares
batch N (``flows.reconcile_flow.ExpectedFromRules``). Transform is pure Python
and holds the interpreter lock while it runs, so a thread could not overlap it;
a worker process can. It gets the run-wide reference data once (pick lists,
crosswalk, users, merges) and then, per batch, only the rows, the parent
outcomes and the facts of that batch.

(Measured, and not used by the migration: on a 2-core machine the migration's
writes keep the PostgreSQL server busy on the other core, and a worker
preparing batches ahead gained nothing: 32.0 s against 32.7 s for 20,000
persons.)

The worker is started with ``spawn``: it imports only :mod:`transform` and
shares no connection, lock or thread with the process that started it.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import pandas as pd

import transform

__all__ = ["TransformPool"]

_base: transform.BatchContext | None = None
"""The run-wide context in a worker process (set by :func:`_start`)."""


def _start(base: transform.BatchContext, parent: int) -> None:
    global _base
    _base = base
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    """End this worker once the process that started it is gone (e.g. killed with SIGKILL).

    A pool worker otherwise waits forever for work that will never come.
    """
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _transform(
    table: str,
    frame: pd.DataFrame,
    parent_outcomes: Mapping[tuple[str, str], str],
    facts: Mapping[str, Any],
) -> transform.TransformResult:
    if _base is None:  # pragma: no cover - the pool always runs _start first
        raise RuntimeError("transform worker started without its reference data")
    context = dataclasses.replace(_base, parent_outcomes=parent_outcomes, facts=facts)
    return transform.transform_batch(table, frame, context)


class TransformPool:
    """One worker process transforming batches with a run's reference data."""

    def __init__(self, base: transform.BatchContext) -> None:
        self._base = base
        self._executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(dataclasses.replace(base, parent_outcomes={}, facts={}), os.getpid()),
        )

    def submit(
        self, table: str, frame: pd.DataFrame, context: transform.BatchContext
    ) -> Future[transform.TransformResult]:
        """Start ``transform.transform_batch`` in the worker; ``context`` must share the run's reference data."""
        base = self._base
        if not (
            context.as_of == base.as_of
            and context.codes is base.codes
            and context.crosswalk is base.crosswalk
            and context.users is base.users
            and context.merged_into is base.merged_into
        ):
            raise ValueError("the batch context is not of the run this pool was started for")
        return self._executor.submit(
            _transform, table, frame, context.parent_outcomes, context.facts
        )

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
