"""Property test, end to end: a legacy copy in PostgreSQL or MariaDB, read through SQLAlchemy or
a plain ODBC driver, migrates to the store its SQLite original gives, and reconciles clean.

tests/test_extract_fuzz.py shows that extract reads two tables' random rows alike from every
source kind. This goes further: Hypothesis edits a small synthetic legacy database (SQLite;
adversarial values in any column of any table, rows deleted, keys padded or lower-cased:
tests/legacy_edits.py), copies it into PostgreSQL and MariaDB, and runs the whole
migration from each source kind with a small batch size (key ranges, lookups, attachments,
matching: everything that reads the source). It must hold that:

* each source kind gives the store the SQLite original gives, row for row (run ids aside);
* reconcile, re-reading that source kind, reports nothing.

A value an engine cannot hold as the original does is not a finding about the service.
PostgreSQL gets the edited legacy with its NULs removed (as the synthetic generator makes it
for PostgreSQL) and MariaDB gets it with its times cut to the second (DATETIME); each of
those SQLite originals is then the reference. Where an engine still refuses the copy, or
stores other values (in their Oracle meaning: a year before 1000 in MariaDB, a fraction in a
NUMBER(4,0), a number out of range), that engine sits the example out.

A second test migrates again from a source kind drawn at random, after more edits copied
into its engine, pruning or not, and checks what tests/test_migrate_rerun_fuzz.py checks of a
SQLite source: the store a fresh migration gives (when nothing went, or the run pruned), and
reconcile reporting only the rows kept though gone from the source.

Derandomised and few examples (each is up to nine migrations); ``ICM_FUZZ_EXAMPLES=N`` searches
longer.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from databases import mariadb_database, postgres_database, require_odbc_driver
from e2e_support import dump_target
from fuzz_support import fuzz_settings
from hypothesis import event, given
from hypothesis import strategies as st
from legacy_edits import LATER_ACTIONS, Edit, apply_edits, edit, legacy_snapshot, raw_rows
from reconcile_support import (
    Store,
    assert_fresh_migration_gives,
    assert_refusal_due,
    expected_after_rerun,
    generate_legacy,
    migrate_store,
    reconcile,
)

import extract
import synthetic
from extract.legacy_schema import ColumnSpec, legacy_spec
from flows.engines import make_engine, make_target_engine
from flows.source_deletions import PruneRefused

SEED = 20261206
EXAMPLES = 4
BATCH_SIZE = 29
RERUN_EXAMPLES = 6
_BATCH_SIZES = st.sampled_from([7, 23, 500])


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return generate_legacy(
        tmp_path_factory.mktemp("source-legacy"), persons=synthetic.MIN_PERSONS, seed=SEED
    )


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    """One PostgreSQL and one MariaDB database (utf8mb4, byte-order collation) for the copies."""
    with postgres_database() as pg, mariadb_database() as maria:
        yield {"postgresql": pg, "mariadb": maria}


def _odbc(driver: str, url: str, extra: str = "") -> str:
    parsed = sa.make_url(url)
    return (
        f"DRIVER={{{driver}}};Server=127.0.0.1;Port={parsed.port};Database={parsed.database};"
        f"Uid={parsed.username};Pwd=;{extra}"
    )


def source_kinds(servers: dict[str, str], legacy: Path) -> dict[str, tuple[str, str]]:
    """Source kind -> (the engine holding its copy: 'sqlite', 'postgresql', 'mariadb'; the
    source string the service is given)."""
    sqlite, pg, maria = (
        require_odbc_driver("sqlite"),
        require_odbc_driver("postgresql"),
        require_odbc_driver("mariadb"),
    )
    maria_db = sa.make_url(servers["mariadb"]).database
    return {
        "sqlite-odbc": ("sqlite", f"DRIVER={{{sqlite}}};Database={legacy}"),
        "postgresql": ("postgresql", servers["postgresql"]),
        "postgresql-odbc": ("postgresql", _odbc(pg, servers["postgresql"], "UseDeclareFetch=1")),
        "mariadb": ("mariadb", servers["mariadb"]),
        "mariadb-odbc": ("mariadb", _odbc(maria, servers["mariadb"])),
        "mysql+pyodbc": (
            "mariadb",
            f"mysql+pyodbc://root@127.0.0.1:3306/{maria_db}"
            f"?driver={maria.replace(' ', '+')}&charset=utf8mb4",
        ),
    }


_FRACTION = re.compile(r"^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)\.\d+$")


def without_nul(spec: ColumnSpec, raw: Any) -> Any:
    """What a PostgreSQL legacy can hold: text without NUL (ROW_IDs hold none:
    tests/legacy_edits.py)."""
    return raw.replace("\x00", "") if isinstance(raw, str) else raw


def as_is(spec: ColumnSpec, raw: Any) -> Any:
    """What a SQLite legacy holds: everything."""
    return raw


def to_the_second(spec: ColumnSpec, raw: Any) -> Any:
    """What a MariaDB legacy (DATETIME) holds: times to the second, fractions cut."""
    if spec.logical_type == "date" and isinstance(raw, str) and (whole := _FRACTION.match(raw)):
        return whole.group(1)
    return raw


def fitted(legacy: Path, copy: Path, fit: Callable[[ColumnSpec, Any], Any]) -> None:
    """``copy``: ``legacy`` with each stored value replaced by ``fit(spec, value)``. The driver's
    values, written back untyped (in Python: SQLite's LIKE and replace() stop at a NUL)."""
    shutil.copyfile(legacy, copy)
    engine = sa.create_engine(f"sqlite:///{copy}")
    try:
        with engine.begin() as conn:
            for name, table_spec in legacy_spec().items():
                specs = table_spec.columns
                table = sa.table(name, *(sa.column(spec.name) for spec in specs))
                for raw in raw_rows(conn, name):
                    fits = ((s.name, v, fit(s, v)) for s, v in zip(specs, raw, strict=True))
                    changed = {column: new for column, old, new in fits if new != old}
                    if changed:
                        conn.execute(
                            sa.update(table).where(raw[0] == table.c.ROW_ID).values(changed)
                        )
    finally:
        engine.dispose()


def copy_legacy(legacy: Path, url: str) -> str | None:
    """Copy ``legacy`` into the database at ``url`` (emptied first). None when the copy holds
    what the original holds; else why not (the engine refused a value, or changed it)."""
    source, engine = make_engine(f"sqlite:///{legacy}"), make_engine(url)
    try:
        extract.create_legacy_schema(engine, drop_first=True)
        try:
            with source.connect() as read, engine.begin() as write:
                for table in extract.legacy_metadata().sorted_tables:
                    names = [spec.name for spec in legacy_spec()[table.name].columns]
                    rows = [dict(zip(names, r, strict=True)) for r in raw_rows(read, table.name)]
                    if rows:
                        write.execute(table.insert(), rows)
        except sa.exc.DBAPIError as error:
            return f"refused: {type(error.orig).__name__}"
        expected, held = legacy_snapshot(legacy), legacy_snapshot(engine)
        one_sided = sorted(held.keys() ^ expected.keys())
        if one_sided:
            return f"changed: {one_sided[0][0]} ROW_ID {one_sided[0][1]!r} only on one side"
        for key in sorted(held.keys() & expected.keys()):
            for column, mine, original in zip(
                legacy_spec()[key[0]].columns, held[key], expected[key], strict=True
            ):
                if mine != original:
                    return f"changed: {key[0]}.{column.name} {original!r} -> {mine!r}"
        return None
    finally:
        source.dispose()
        engine.dispose()


def test_every_source_kind_migrates_any_legacy_as_sqlite_does(
    pristine: tuple[Path, Path],
    servers: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    @fuzz_settings(EXAMPLES)
    @given(edits=st.lists(edit(), min_size=1, max_size=8))
    def check(edits: list[Edit]) -> None:
        folder = tmp_path_factory.mktemp("source-run")
        legacy = folder / "legacy.sqlite"
        shutil.copyfile(pristine[0], legacy)
        apply_edits(legacy, edits)
        originals = {
            "sqlite": legacy,
            "postgresql": folder / "nul-free.sqlite",
            "mariadb": folder / "to-the-second.sqlite",
        }
        fitted(legacy, originals["postgresql"], without_nul)
        fitted(legacy, originals["mariadb"], to_the_second)

        def migrate(source: str, name: str) -> Store:
            store = Store(
                legacy=legacy,
                files=pristine[1],
                store=folder / name / "store",
                target_url=f"sqlite:///{folder / name}.sqlite",
                source=source,
            )
            migrate_store(store, batch_size=BATCH_SIZE)
            return store

        references: dict[str, dict[str, list[tuple[object, ...]]]] = {}

        def reference(original: Path) -> dict[str, list[tuple[object, ...]]]:
            """The store of a SQLite original; originals alike byte for byte share one."""
            content = hashlib.sha256(original.read_bytes()).hexdigest()
            if content not in references:
                store = migrate(f"sqlite:///{original}", f"reference-{original.stem}")
                references[content] = _dump(store.target_url)
            return references[content]

        copied: dict[str, str | None] = {"sqlite": None}
        for kind, (holder, source) in source_kinds(servers, legacy).items():
            if holder not in copied:
                copied[holder] = copy_legacy(originals[holder], servers[holder])
            if copied[holder] is not None:
                event(f"{holder} sits out: {copied[holder]}")
                continue
            event(f"{kind} migrated")
            store = migrate(source, kind)
            differences = _differences(_dump(store.target_url), reference(originals[holder]))
            assert differences == {}, (kind, differences)
            with reconcile(store, folder / kind / "report") as result:
                found = [(d.kind, d.legacy_table, d.legacy_row_id) for d in result.discrepancies]
                assert found == [], (kind, found[:10])
        shutil.rmtree(folder)

    check()


FITS = {"sqlite": as_is, "postgresql": without_nul, "mariadb": to_the_second}
"""The engine holding a copy -> what of a SQLite legacy it holds."""


def test_a_rerun_from_any_source_kind_equals_a_fresh_migration(
    pristine: tuple[Path, Path],
    servers: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    kinds = sorted(source_kinds(servers, pristine[0]))

    @fuzz_settings(RERUN_EXAMPLES)
    @given(
        kind=st.sampled_from(kinds),
        edits=st.lists(edit(), max_size=6),
        later=st.lists(edit(LATER_ACTIONS), min_size=1, max_size=6),
        batch_sizes=st.tuples(_BATCH_SIZES, _BATCH_SIZES, _BATCH_SIZES),
        prune=st.booleans(),
    )
    def check(
        kind: str,
        edits: list[Edit],
        later: list[Edit],
        batch_sizes: tuple[int, int, int],
        prune: bool,
    ) -> None:
        folder = tmp_path_factory.mktemp("source-rerun")
        legacy, original = folder / "legacy.sqlite", folder / "original.sqlite"
        shutil.copyfile(pristine[0], legacy)
        apply_edits(legacy, edits)
        holder, source = source_kinds(servers, original)[kind]

        def held() -> bool:
            """The edited legacy, as the holder holds it, in ``original`` and in the holder."""
            fitted(legacy, original, FITS[holder])
            refused = None if holder == "sqlite" else copy_legacy(original, servers[holder])
            if refused is not None:
                event(f"{holder} sits out: {refused}")
            return refused is None

        if not held():
            return
        first, again, fresh_batch = batch_sizes
        store = Store(original, pristine[1], folder / "store", f"sqlite:///{folder}/t.db", source)
        migrate_store(store, batch_size=first)
        before = legacy_snapshot(original)
        apply_edits(legacy, later)
        if not held():
            return
        after = legacy_snapshot(original)
        gone = before.keys() - after.keys()
        try:
            migrate_store(store, batch_size=again, prune_deleted=prune)
        except PruneRefused as refused:  # only where most of a small table went
            assert prune
            assert_refusal_due(refused, before, after)
            event("the prune was refused")
            return
        event(f"{kind} migrated again")
        if not gone or prune:
            fresh = Store(original, pristine[1], folder / "fresh", f"sqlite:///{folder}/f.db")
            assert_fresh_migration_gives(store, fresh, fresh_batch)
        with reconcile(store, folder / "report") as result:
            found = {(d.kind, d.legacy_table, d.legacy_row_id) for d in result.discrepancies}
        assert found == expected_after_rerun(store, before, after, pruned=prune), kind
        shutil.rmtree(folder)

    check()


def _differences(
    got: dict[str, list[tuple[object, ...]]], want: dict[str, list[tuple[object, ...]]]
) -> dict[str, dict[str, list[tuple[object, ...]]]]:
    """Per table, up to three rows only the source kind's store holds and three only the
    reference holds."""
    out = {}
    for table in sorted(got.keys() | want.keys()):
        mine, theirs = set(got.get(table, [])), set(want.get(table, []))
        if mine != theirs:
            out[table] = {
                "only here": sorted(mine - theirs, key=repr)[:3],
                "only in the reference": sorted(theirs - mine, key=repr)[:3],
            }
    return out


def _dump(target_url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = make_target_engine(target_url)
    try:
        return dump_target(engine)
    finally:
        engine.dispose()
