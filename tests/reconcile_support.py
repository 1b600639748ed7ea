"""Helpers for the reconcile tests: a really migrated store, fresh copies of it to tamper with,
and looking discrepancies up.

The store is built once per test module by the real pipeline (synthetic legacy
database -> ``flows.pipeline.migrate_direct``); each test gets its own copy:
SQLite files are copied, a PostgreSQL target is cloned with ``CREATE DATABASE
... TEMPLATE`` (fast, and the template is never touched).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from databases import PG_ADMIN_URL
from e2e_support import dump_target, ledger
from legacy_edits import Snapshot

import synthetic
from extract.legacy_schema import legacy_spec
from flows.engines import make_engine, make_target_engine
from flows.pipeline import migrate_direct
from flows.reconcile_flow import ReconcileOutcome, reconcile_direct
from flows.source_deletions import PRUNE_LIMIT, PruneRefused
from reconcile import Discrepancy, ReconciliationResult
from transform import LOV_TYPE

PERSONS = 60
SEED = 20261128


@dataclass(frozen=True)
class Store:
    """A legacy source and the new store migrated from it."""

    legacy: Path  # the SQLite legacy database file
    files: Path  # the Siebel attachment files
    store: Path  # the new attachment store
    target_url: str
    source: str = ""  # another source than ``legacy`` (a URL or an ODBC connection string)

    @property
    def source_url(self) -> str:
        return self.source or f"sqlite:///{self.legacy}"


def generate_legacy(folder: Path, *, persons: int = PERSONS, seed: int = SEED) -> tuple[Path, Path]:
    """A synthetic legacy database (SQLite) and its attachment files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    legacy, files = folder / "legacy.sqlite", folder / "siebel-files"
    engine = sa.create_engine(f"sqlite:///{legacy}")
    try:
        synthetic.generate(engine, persons=persons, seed=seed, attachments_dir=files)
    finally:
        engine.dispose()
    return legacy, files


def migrate(legacy: Path, files: Path, target_url: str, store: Path) -> Store:
    """Run the real migration of ``legacy`` into ``target_url``."""
    migrated = Store(legacy=legacy, files=files, store=store, target_url=target_url)
    migrate_store(migrated)
    return migrated


def migrate_store(store: Store, *, batch_size: int = 5000, prune_deleted: bool = False) -> None:
    """Run the real migration of ``store``'s source into its target, as of the generator's date."""
    migrate_direct(
        store.source_url,
        store.target_url,
        attachments_dir=store.files,
        attachment_store=store.store,
        batch_size=batch_size,
        as_of=synthetic.AS_OF,
        prune_deleted=prune_deleted,
    )


def copy_files(base: Store, folder: Path) -> Store:
    """Copies of the legacy database, the Siebel files and the attachment store in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    legacy = folder / "legacy.sqlite"
    shutil.copyfile(base.legacy, legacy)
    files = shutil.copytree(base.files, folder / "siebel-files")
    store = shutil.copytree(base.store, folder / "store")
    return replace(base, legacy=legacy, files=Path(files), store=Path(store))


def copy_sqlite_store(base: Store, folder: Path) -> Store:
    copied = copy_files(base, folder)
    target = folder / "target.sqlite"
    shutil.copyfile(sa.make_url(base.target_url).database or "", target)
    return replace(copied, target_url=f"sqlite:///{target}")


@contextmanager
def cloned_postgres(template_url: str) -> Iterator[str]:
    """A new PostgreSQL database copied from ``template_url``'s database; dropped afterwards."""
    template = sa.make_url(template_url).database
    name = f"icm_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        try:
            yield sa.make_url(template_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def reconcile_outcome(store: Store, out_dir: Path, **options: Any) -> ReconcileOutcome:
    """Reconcile ``store`` with the plain function the flow runs (no Prefect), as of the generator's date."""
    return reconcile_direct(
        source=store.source_url,
        target=store.target_url,
        out_dir=out_dir,
        attachment_store=store.store,
        attachments_dir=store.files,
        as_of=synthetic.AS_OF,
        **options,
    )


def reconcile(store: Store, out_dir: Path, **options: Any) -> ReconciliationResult:
    """:func:`reconcile_outcome`'s result."""
    return reconcile_outcome(store, out_dir, **options).result


@contextmanager
def target(store: Store) -> Iterator[sa.Engine]:
    engine = make_target_engine(store.target_url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def legacy(store: Store) -> Iterator[sa.Engine]:
    engine = make_engine(store.source_url)
    try:
        yield engine
    finally:
        engine.dispose()


def found(
    result: ReconciliationResult,
    kind: str,
    legacy_table: str | None = None,
    row_id: str | None = None,
    target_table: str | None = None,
) -> list[Discrepancy]:
    """The result's discrepancies of ``kind`` matching the other arguments given."""
    return [
        d
        for d in result.discrepancies
        if d.kind == kind
        and (legacy_table is None or d.legacy_table == legacy_table)
        and (row_id is None or d.legacy_row_id == row_id)
        and (target_table is None or d.target_table == target_table)
    ]


def summary(
    result: ReconciliationResult,
) -> list[tuple[str, str | None, str | None, str | None, tuple[str, ...]]]:
    """Every discrepancy as (kind, legacy table, ROW_ID, target table, fields), for readable failures."""
    return [
        (d.kind, d.legacy_table, d.legacy_row_id, d.target_table, tuple(d.fields))
        for d in result.discrepancies
    ]


_TYPE, _NAME = (
    [c.name for c in legacy_spec()["S_LST_OF_VAL"].columns].index(n) for n in ("TYPE", "NAME")
)


def code_sets_taken_over(store: Store, before: Snapshot, after: Snapshot) -> set[tuple[str, str]]:
    """The loaded pick-list headers gone from the source whose list has a header in the source
    now: it took their code set (one per list, keyed by its name) over."""
    engine = make_target_engine(store.target_url)
    try:
        outcomes = ledger(engine)
    finally:
        engine.dispose()
    listed = {v[_NAME] for k, v in after.items() if k[0] == "S_LST_OF_VAL" and v[_TYPE] == LOV_TYPE}
    return {
        key
        for key in before.keys() - after.keys()
        if key[0] == "S_LST_OF_VAL"
        and before[key][_TYPE] == LOV_TYPE
        and before[key][_NAME] in listed
        and outcomes[key]["outcome"] == "loaded"
    }


def expected_after_rerun(
    store: Store, before: Snapshot, after: Snapshot, *, pruned: bool
) -> set[tuple[str, str, str]]:
    """(kind, table, ROW_ID) reconcile must report once ``store`` was migrated again from a
    source that went from ``before`` to ``after``. A re-run that did not prune keeps each row
    gone from the source (``deleted_in_source``); the one exception, a pick list's header gone
    while its list has a header in the source, which took the list's code set over, is also
    ``missing_in_target``. A pruning re-run leaves nothing to report."""
    if pruned:
        return set()
    return {("deleted_in_source", *key) for key in before.keys() - after.keys()} | {
        ("missing_in_target", *key) for key in code_sets_taken_over(store, before, after)
    }


def assert_refusal_due(refused: PruneRefused, before: Snapshot, after: Snapshot) -> None:
    """A pruning re-run refused only for a table that lost more than the limit of its rows."""
    assert refused.table is not None
    went = sum(1 for key in before.keys() - after.keys() if key[0] == refused.table)
    held = sum(1 for key in before if key[0] == refused.table)
    assert went > PRUNE_LIMIT * held, (refused.table, went, held)


def assert_fresh_migration_gives(store: Store, fresh: Store, batch_size: int) -> None:
    """``store`` holds, in every result table (run ids aside), what a fresh migration of
    ``fresh``'s source into ``fresh``'s empty target gives."""
    migrate_store(fresh, batch_size=batch_size)
    store_engine = make_target_engine(store.target_url)
    fresh_engine = make_target_engine(fresh.target_url)
    try:
        rows, fresh_rows = dump_target(store_engine), dump_target(fresh_engine)
    finally:
        store_engine.dispose()
        fresh_engine.dispose()
    differing = {
        name: (
            sorted(set(rows[name]) - set(fresh_rows[name]), key=repr)[:3],
            sorted(set(fresh_rows[name]) - set(rows[name]), key=repr)[:3],
        )
        for name in rows.keys() | fresh_rows.keys()
        if rows.get(name) != fresh_rows.get(name)
    }
    assert differing == {}, differing


@contextmanager
def copied_store(base: Store, folder: Path) -> Iterator[Store]:
    """A copy of ``base`` of one's own in ``folder``: its legacy database, files and attachment
    store, and its target (a SQLite file copied, a PostgreSQL database cloned and dropped after)."""
    copied = copy_files(base, folder)
    if base.target_url.startswith("sqlite"):
        target_file = folder / "target.sqlite"
        shutil.copyfile(sa.make_url(base.target_url).database or "", target_file)
        yield replace(copied, target_url=f"sqlite:///{target_file}")
    else:
        with cloned_postgres(base.target_url) as url:
            yield replace(copied, target_url=url)
