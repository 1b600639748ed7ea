"""Property test: migrating again after any edits of the source gives the store a fresh
migration of the edited source gives, whatever the batch sizes, and after a crash anywhere
in the re-run and a resume.

Hypothesis edits a small synthetic legacy database (tests/legacy_edits.py), migrates it,
edits it again (values set to adversarial ones, rows deleted, re-keyed or copied under a
variant of their key) and migrates again into the same store, each run with its own batch
size. The re-run may crash before any of its batch writes (the process dying between two
commits); a third run then resumes it, with a batch size of its own. It must hold that:

* a fresh migration of the edited source into an empty store gives the same rows in every
  result table (run ids aside), when no row went from the source;
* reconcile reports nothing, except each row that went from the source (deleted, or its
  ROW_ID edited) as ``deleted_in_source``: such rows are kept by a re-run, with what
  refers to them, since no trail says why they went. The one exception: a pick list's
  header gone while the list has a header in the source, which took the list's code set
  over, is also ``missing_in_target``;
* unless the re-run prunes (``prune_deleted``, drawn at random; a resumed run is told the
  opposite, and must go on as its run started): then the store equals a fresh migration
  whatever went, and reconcile reports nothing.
* a quarantine record a steward waived before the re-run (drawn at random) is still waived
  when the re-run left it as it was, and open again when it changed; one marked replayed
  that the re-run still quarantines is open again, with a history row of the run's; the
  review history stays whole.
* a probable duplicate pair a steward decided before the re-run (drawn at random) keeps its
  decision while the rules still propose it, or while a person of it is gone from the source
  and kept (reconcile then reports the pair too); otherwise it is gone, and the review
  history holds its decision as withdrawn.

This is what the re-run's skipping rests on: a row is left alone only when its source, its
outcome and everything it writes are what they were (load/output_digest.py), so an edit
anywhere, reaching rows that did not change themselves (a parent quarantined, a pick list
recoded, a duplicate key), still rewrites every row it changes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import sqlalchemy as sa
from databases import empty_target
from fuzz_support import fuzz_settings
from hypothesis import event, given
from hypothesis import strategies as st
from legacy_edits import LATER_ACTIONS, Edit, apply_edits, edit, legacy_snapshot
from reconcile_support import (
    Store,
    assert_fresh_migration_gives,
    assert_refusal_due,
    expected_after_rerun,
    generate_legacy,
    migrate_store,
    reconcile,
    target,
)

import flows.pipeline
import load
import synthetic
from flows.source_deletions import PruneRefused
from load.matches import WITHDRAWN

SEED = 20261205
_BATCH_SIZES = st.sampled_from([7, 23, 500])


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return generate_legacy(
        tmp_path_factory.mktemp("rerun-legacy"), persons=synthetic.MIN_PERSONS, seed=SEED
    )


EXAMPLES = {"sqlite": 12, "postgresql": 6}
"""Target engine -> the examples to run."""


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


QuarantineRecord = tuple[str, str, str]
"""What a steward reviewed of a quarantine record: its reason codes, details and raw row."""


def _quarantine(store: Store) -> dict[tuple[str, str], tuple[str, QuarantineRecord]]:
    """(table, ROW_ID) -> (status, record) of every quarantine record in the store."""
    table = load.target_table("quarantine")
    with target(store) as engine, engine.connect() as conn:
        return {
            (r.legacy_table, r.legacy_row_id): (r.status, (r.reason_codes, r.details, r.raw_row))
            for r in conn.execute(sa.select(table))
        }


def _review(store: Store, picks: list[int]) -> dict[tuple[str, str], tuple[str, QuarantineRecord]]:
    """A steward reviews the quarantined rows ``picks`` choose (positions in key order, modulo
    the count): the even picks ``waived``, the odd ``replayed``; returns the records as they
    were reviewed, with the status given."""
    records = _quarantine(store)
    keys = sorted(records)
    chosen = {keys[pick % len(keys)]: REVIEWED[pick % 2] for pick in picks} if keys else {}
    with target(store) as engine:
        for status in REVIEWED:
            rows = sorted(key for key, given in chosen.items() if given == status)
            if rows:
                load.review_quarantine(engine, rows, status, reviewed_by="fuzz", note="test")
    return {key: (status, records[key][1]) for key, status in chosen.items()}


REVIEWED = ("waived", "replayed")


def _position_of(legacy: Path, key: tuple[str, str]) -> int:
    """The position of the legacy row ``key`` (table, ROW_ID) in its table's ROW_ID order."""
    engine = sa.create_engine(f"sqlite:///{legacy}")
    try:
        with engine.connect() as conn:
            row_ids = conn.execute(
                sa.text(f'SELECT ROW_ID FROM "{key[0]}" ORDER BY ROW_ID')
            ).scalars()
            return list(row_ids).index(key[1])
    finally:
        engine.dispose()


def _edit_of(legacy: Path, key: tuple[str, str]) -> Edit:
    """An edit of the legacy row ``key`` that changes its raw row and nothing the rules read."""
    return Edit("set", key[0], _position_of(legacy, key), "CONFLICT_ID", "7")


def _unpair(legacy: Path, pair: tuple[str, str]) -> Edit:
    """The deletion of the pair's first person from the source: the rules stop proposing it."""
    return Edit("delete", "S_CONTACT", _position_of(legacy, ("S_CONTACT", pair[0])))


def _assert_reviews_settled(
    store: Store, reviewed: dict[tuple[str, str], tuple[str, QuarantineRecord]]
) -> None:
    """A waived record the re-run left as it was is still waived; one it changed is open again;
    so is a replayed record the re-run did not load; each record opened again has a history
    row of the run's own; the history is whole. Then the decisions are undone, for the store to
    compare with a fresh migration's."""
    now = _quarantine(store)
    for key, (decided, record) in reviewed.items():
        if key in now:
            status, current = now[key]
            kept = decided == "waived" and current == record
            assert status == ("waived" if kept else "open"), (key, decided, status)
    # Each reviewed record now open was opened by the run, on the record: by its batch write
    # when it changed, at the end of the run when a replay did not load it.
    settled = sum(key in now and now[key][0] == "open" for key in reviewed)
    reviews = load.target_table("quarantine_review")
    quarantine = load.target_table("quarantine")
    with target(store) as engine, engine.begin() as conn:
        by_run = reviews.c.reviewed_by.startswith("icm-migrate run ")
        counted = sa.select(sa.func.count()).select_from(reviews)
        assert conn.execute(counted.where(~by_run)).scalar() == len(reviewed)
        assert conn.execute(counted.where(by_run)).scalar() == settled
        conn.execute(sa.update(quarantine).values(status="open"))
    if settled:
        event("a replayed record was still quarantined")
    elif reviewed:
        event("rows were reviewed before the re-run")


DECISIONS = ("same_person", "different")


def _pairs(store: Store) -> dict[tuple[str, str], str]:
    """Every stored probable duplicate pair -> its decision."""
    table = load.target_table("person_match_candidate")
    with target(store) as engine, engine.connect() as conn:
        rows = conn.execute(
            sa.select(table.c.person_a_row_id, table.c.person_b_row_id, table.c.decision)
        )
        return {(a, b): decision for a, b, decision in rows}


def _decide(store: Store, picks: list[int]) -> dict[tuple[str, str], str]:
    """A steward decides the pairs ``picks`` choose (positions in key order, modulo the count),
    the even picks ``same_person``, the odd ``different``; returns pair -> decision."""
    keys = sorted(_pairs(store))
    decided = {keys[pick % len(keys)]: DECISIONS[pick % 2] for pick in picks} if keys else {}
    with target(store) as engine:
        for decision in DECISIONS:
            chosen = [pair for pair, d in decided.items() if d == decision]
            if chosen:
                load.decide_matches(engine, chosen, decision, decided_by="fuzz", note="test")
    return decided


def _assert_decisions_kept_or_withdrawn(
    store: Store, decided: dict[tuple[str, str], str], held: set[str]
) -> set[tuple[str, str]]:
    """A decided pair still stored keeps its decision; one the re-run removed was withdrawn on
    the record; one with a person gone from the source whom the store still ``held`` is kept
    (and returned: reconcile reports it, as the rules do not propose it). Then the decisions
    are undone, for the store to compare with a fresh migration's."""
    now = _pairs(store)
    review = load.target_table("match_review")
    candidate = load.target_table("person_match_candidate")
    kept = {pair for pair in decided if set(pair) & held}
    assert kept <= now.keys()
    with target(store) as engine, engine.begin() as conn:
        withdrawn = {
            (r.person_a_row_id, r.person_b_row_id): r.previous_decision
            for r in conn.execute(sa.select(review).where(review.c.decision == WITHDRAWN))
        }
        assert {pair: now[pair] for pair in decided if pair in now} == {
            pair: decision for pair, decision in decided.items() if pair in now
        }
        assert withdrawn == {pair: d for pair, d in decided.items() if pair not in now}
        conn.execute(
            sa.update(candidate).values(decision="pending", decided_by=None, decided_at=None)
        )
    if kept:
        event("a decided pair was kept: a person of it is gone from the source")
    elif withdrawn:
        event("a decided pair was withdrawn")
    elif decided:
        event("pairs were decided before the re-run")
    return kept


@pytest.mark.parametrize("engine", list(EXAMPLES))
def test_a_rerun_after_any_source_edit_equals_a_fresh_migration(
    engine: str, pristine: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    @fuzz_settings(EXAMPLES[engine])
    @given(
        edits=st.lists(edit(), max_size=6),
        later=st.lists(edit(LATER_ACTIONS), min_size=1, max_size=6),
        batch_sizes=st.tuples(_BATCH_SIZES, _BATCH_SIZES, _BATCH_SIZES, _BATCH_SIZES),
        crash_at=st.none() | st.integers(1, 80),
        prune=st.booleans(),
        review=st.lists(st.integers(0, 10_000), max_size=3),
        touch=st.booleans(),
        decide=st.lists(st.integers(0, 10_000), max_size=3),
        unpair=st.booleans(),
    )
    def check(
        edits: list[Edit],
        later: list[Edit],
        batch_sizes: tuple[int, int, int, int],
        crash_at: int | None,
        prune: bool,
        review: list[int],
        touch: bool,
        decide: list[int],
        unpair: bool,
    ) -> None:
        folder = tmp_path_factory.mktemp("rerun")
        legacy = folder / "legacy.sqlite"
        shutil.copyfile(pristine[0], legacy)
        apply_edits(legacy, edits)
        first, again, resumed, fresh_batch = batch_sizes
        with empty_target(engine, folder) as target_url:
            store = Store(legacy, pristine[1], folder / "store", target_url)
            migrate_store(store, batch_size=first)
            reviewed = _review(store, review)
            decided = _decide(store, decide)
            before = legacy_snapshot(legacy)
            if touch and reviewed:  # the source row of a reviewed record is edited too
                later = [*later, _edit_of(legacy, min(reviewed))]
            if unpair and decided:  # a person of a decided pair goes from the source
                later = [*later, _unpair(legacy, min(decided))]
            apply_edits(legacy, later)
            after = legacy_snapshot(legacy)
            gone = before.keys() - after.keys()
            try:
                try:
                    with _crash_before_write(crash_at):
                        migrate_store(store, batch_size=again, prune_deleted=prune)
                except Crash:
                    event("the re-run crashed and was resumed")
                    # Told the other way: the run goes on as it started.
                    migrate_store(store, batch_size=resumed, prune_deleted=not prune)
            except PruneRefused as refused:  # only where most of a small table went
                assert prune
                assert_refusal_due(refused, before, after)
                event("the prune was refused")
                shutil.rmtree(folder)
                return

            _assert_reviews_settled(store, reviewed)
            held = set() if prune else {row_id for table, row_id in gone if table == "S_CONTACT"}
            kept = _assert_decisions_kept_or_withdrawn(store, decided, held)
            if not gone or prune:
                assert_fresh_migration_gives(
                    store,
                    Store(legacy, pristine[1], folder / "fresh-store", f"sqlite:///{folder}/f.db"),
                    fresh_batch,
                )
            if gone:
                event(f"rows went from the source, {'pruned' if prune else 'kept'}")
            expected = expected_after_rerun(store, before, after, pruned=prune)
            expected |= {("unexpected_in_target", "S_CONTACT", a) for a, _ in kept}
            with reconcile(store, folder / "report") as result:
                found = {(d.kind, d.legacy_table, d.legacy_row_id) for d in result.discrepancies}
                trails = result.audit_trails
            assert found == expected
            # Whatever the stewards and the runs appended, every hash link verifies.
            assert [(t.table, t.intact) for t in trails] == [
                ("quarantine_review", True),
                ("match_review", True),
                ("disclosure", True),
            ]
        shutil.rmtree(folder)

    check()
