"""Reconciliation with the expected rows computed in a worker process reports exactly the same."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from reconcile_support import Store, copy_sqlite_store, generate_legacy, migrate, reconcile, target

import load
import synthetic
from flows.engines import make_source
from flows.reconcile_flow import expected_rows
from flows.transform_pool import TransformPool
from reconcile import migration_run_of, reconcile_stores

BATCH = 23


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Store:
    root = tmp_path_factory.mktemp("reconcile-parallel")
    legacy, files = generate_legacy(root / "legacy")
    return migrate(legacy, files, f"sqlite:///{root / 'target.sqlite'}", root / "store")


def _tamper(store: Store) -> None:
    person = load.target_table("person")
    activity = load.target_table("activity")
    with target(store) as engine, engine.begin() as conn:
        ids = conn.execute(sa.select(person.c.id).order_by(person.c.id).limit(3)).scalars().all()
        conn.execute(
            sa.update(person)
            .where(person.c.id.in_(ids))
            .values(family_name=person.c.family_name + " ")
        )
        gone = conn.execute(sa.select(activity.c.id).order_by(activity.c.id).limit(2)).scalars()
        conn.execute(sa.delete(activity).where(activity.c.id.in_(list(gone))))


def _summary(store: Store, pool: bool) -> tuple[object, list[tuple[str, ...]], int]:
    source = make_source(store.source_url)
    with target(store) as engine, engine.connect() as conn:
        run = migration_run_of(conn)
        expected = expected_rows(
            source,
            engine,
            migration_run_id=run.id,
            as_of=synthetic.AS_OF,
            batch_size=BATCH,
            pool=TransformPool if pool else None,
        )
        try:
            result = reconcile_stores(
                source,
                engine,
                expected,
                attachment_store=store.store,
                attachments_dir=store.files,
                batch_size=BATCH,
            )
        finally:
            expected.close()
            source.close()
    found = sorted(
        (d.kind, d.legacy_table, d.legacy_row_id or "", ",".join(d.fields))
        for d in result.discrepancies
    )
    return result.tables, found, expected.computed_ahead


def test_parallel_reconciliation_reports_the_same(base: Store, tmp_path: Path) -> None:
    store = copy_sqlite_store(base, tmp_path / "copy")
    _tamper(store)
    tables, found, ahead = _summary(store, pool=False)
    assert ahead == 0
    kinds = {kind for kind, *_ in found}
    assert {"field_mismatch", "missing_in_target"} <= kinds, found
    tables_p, found_p, ahead_p = _summary(store, pool=True)
    batches_after_the_first = sum(
        max(0, -(-counts.source_rows // BATCH) - 1)
        for counts in tables.values()  # type: ignore[attr-defined]
    )
    assert batches_after_the_first > 5
    assert ahead_p == batches_after_the_first, (
        "every batch but a table's first came from the worker"
    )
    assert (tables_p, found_p) == (tables, found)


def test_reconcile_direct_in_parallel_is_clean_on_a_clean_store(
    base: Store, tmp_path: Path
) -> None:
    store = copy_sqlite_store(base, tmp_path / "copy")
    result = reconcile(store, tmp_path / "out", parallel=True, batch_size=50)
    assert len(result.discrepancies) == 0 and result.exit_code == 0
    assert sum(t.source_rows for t in result.tables.values()) > 500
