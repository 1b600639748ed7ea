"""Property test: migrating again after any edits of the source gives the store a fresh
migration of the edited source gives, whatever the batch sizes, and after a crash anywhere
in the re-run and a resume.

Hypothesis edits a small synthetic legacy database (tests/legacy_edits.py), migrates it,
edits it again (values set to adversarial ones, rows copied under a variant of their key)
and migrates again into the same store, each run with its own batch size. The re-run may
crash before any of its batch writes (the process dying between two commits); a third run
then resumes it, with a batch size of its own. A fresh
migration of the edited source into an empty store must give the same rows in every
result table (run ids aside), and the re-run store must reconcile clean. This is what the
re-run's skipping rests on: a row is left alone only when its source, its outcome and
everything it writes are what they were (load/output_digest.py), so an edit anywhere,
reaching rows that did not change themselves (a parent quarantined, a pick list recoded,
a duplicate key), still rewrites every row it changes.

Rows deleted from the source without a trail, and so rows whose ROW_ID is edited, are
kept by a re-run (reconcile reports them): the later edits neither delete nor re-key a
row, and tests/test_migrate_rerun.py covers deletions.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from databases import postgres_database
from e2e_support import dump_target
from fuzz_support import fuzz_settings
from hypothesis import event, given
from hypothesis import strategies as st
from legacy_edits import Edit, apply_edits, edit
from reconcile_support import Store, generate_legacy, reconcile

import flows.pipeline
import synthetic
from flows.engines import make_target_engine
from flows.pipeline import migrate_direct

SEED = 20261205
_BATCH_SIZES = st.sampled_from([7, 23, 500])


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return generate_legacy(
        tmp_path_factory.mktemp("rerun-legacy"), persons=synthetic.MIN_PERSONS, seed=SEED
    )


@contextmanager
def _sqlite_target(folder: Path) -> Iterator[str]:
    yield f"sqlite:///{folder / 'target.sqlite'}"


@contextmanager
def _postgres_target(folder: Path) -> Iterator[str]:
    with postgres_database() as url:
        yield url


TARGETS: dict[str, tuple[Callable[[Path], AbstractContextManager[str]], int]] = {
    "sqlite": (_sqlite_target, 10),
    "postgresql": (_postgres_target, 6),
}
"""Target engine -> a fresh target database in a folder, and the examples to run."""


class Crash(Exception):
    """Stands for the process dying at that moment."""


@contextmanager
def _crash_before_write(number: int | None) -> Iterator[None]:
    """The ``number``-th batch write of the run (1: the first) raises :class:`Crash` before it
    begins; None: no crash. A run with fewer writes does not crash."""
    write = flows.pipeline.write_prepared
    writes = 0

    def crashing(*args: Any, **kwargs: Any) -> flows.pipeline.BatchReport:
        nonlocal writes
        writes += 1
        if writes == number:
            raise Crash
        return write(*args, **kwargs)

    with patch.object(flows.pipeline, "write_prepared", crashing):
        yield


def _migrate(store: Store, batch_size: int) -> None:
    migrate_direct(
        store.source_url,
        store.target_url,
        attachments_dir=store.files,
        attachment_store=store.store,
        batch_size=batch_size,
        as_of=synthetic.AS_OF,
    )


@pytest.mark.parametrize("engine", list(TARGETS))
def test_a_rerun_after_any_source_edit_equals_a_fresh_migration(
    engine: str, pristine: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    fresh_target, examples = TARGETS[engine]

    @fuzz_settings(examples)
    @given(
        edits=st.lists(edit(), max_size=6),
        later=st.lists(edit(("set", "set", "copy"), keys=False), min_size=1, max_size=6),
        batch_sizes=st.tuples(_BATCH_SIZES, _BATCH_SIZES, _BATCH_SIZES, _BATCH_SIZES),
        crash_at=st.none() | st.integers(1, 80),
    )
    def check(
        edits: list[Edit],
        later: list[Edit],
        batch_sizes: tuple[int, int, int, int],
        crash_at: int | None,
    ) -> None:
        folder = tmp_path_factory.mktemp("rerun")
        legacy = folder / "legacy.sqlite"
        shutil.copyfile(pristine[0], legacy)
        apply_edits(legacy, edits)
        first, again, resumed, fresh_batch = batch_sizes
        with fresh_target(folder) as target_url:
            store = Store(legacy, pristine[1], folder / "store", target_url)
            _migrate(store, first)
            apply_edits(legacy, later)
            try:
                with _crash_before_write(crash_at):
                    _migrate(store, again)
            except Crash:
                event("the re-run crashed and was resumed")
                _migrate(store, resumed)

            fresh = Store(legacy, pristine[1], folder / "fresh-store", f"sqlite:///{folder}/f.db")
            _migrate(fresh, fresh_batch)
            rerun_engine = make_target_engine(store.target_url)
            fresh_engine = make_target_engine(fresh.target_url)
            try:
                rerun_rows, fresh_rows = dump_target(rerun_engine), dump_target(fresh_engine)
            finally:
                rerun_engine.dispose()
                fresh_engine.dispose()
            differing = {
                name: (
                    sorted(set(rerun_rows[name]) - set(fresh_rows[name]), key=repr)[:3],
                    sorted(set(fresh_rows[name]) - set(rerun_rows[name]), key=repr)[:3],
                )
                for name in rerun_rows
                if rerun_rows[name] != fresh_rows[name]
            }
            assert differing == {}, differing
            with reconcile(store, folder / "report") as result:
                found = [(d.kind, d.legacy_table, d.legacy_row_id) for d in result.discrepancies]
                assert found == [], found[:10]
        shutil.rmtree(folder)

    check()
