"""Reconcile checks every column of every target table: no column is left out of the comparison.

On a really migrated store (SQLite and PostgreSQL), one value of every column of every
target table the transform writes (but ``migration_run_id``, the run that wrote the row) is
changed by the smallest edit of its type: text cased or one character changed, a number
plus one (or 0.01), a time plus one second, a date plus one day, a flag flipped, a link
pointed elsewhere, a NULL given a value. Each edit is in its own row where the table has
enough rows. Reconcile must report every edited row: a ``field_mismatch`` naming the
column, or for a key or a link the discrepancy that edit makes (``missing_in_target`` /
``unexpected_in_target``, ``orphan_reference``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from databases import postgres_database
from reconcile_support import (
    Store,
    cloned_postgres,
    copy_files,
    copy_sqlite_store,
    generate_legacy,
    migrate,
    reconcile,
    target,
)

import load
import transform
from reconcile import Discrepancy
from reconcile.compare import ATTACHMENT_BINARY_COLUMNS

pytestmark = pytest.mark.timeout(600)

KEY_COLUMNS = frozenset({"legacy_table", "legacy_row_id"})
UNCHECKED = {"migration_run_id"}
"""Which run wrote a row is the run log's business, not the legacy row's."""


@dataclass(frozen=True)
class Tamper:
    table: str
    row_key: str  # legacy_row_id before the edit
    row_id: str  # the target id (primary key) before the edit
    column: str
    new_row_id: str  # after the edit (another only when the edit is of the primary key)

    @property
    def row_ids(self) -> set[str]:
        return {self.row_id, self.new_row_id}


PERSONS = 200
"""Enough for every target table to have a row per edit (service requests are rare)."""


@pytest.fixture(scope="module")
def legacy_base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return generate_legacy(tmp_path_factory.mktemp("legacy"), persons=PERSONS)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(
    request: pytest.FixtureRequest,
    legacy_base: tuple[Path, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp(f"{request.param}-store")
    if request.param == "sqlite":
        base = migrate(*legacy_base, f"sqlite:///{folder / 'target.sqlite'}", folder / "store")
        yield copy_sqlite_store(base, folder / "copy")
        return
    with postgres_database() as url:
        base = migrate(*legacy_base, url, folder / "store")
        with cloned_postgres(base.target_url) as clone:
            yield replace(copy_files(base, folder / "copy"), target_url=clone)


def _changed(value: Any, column: sa.Column[Any]) -> list[Any]:
    """The smallest edit of ``value`` (a value of its type when NULL), then a larger one
    for when a unique constraint refuses it (a sequence number taken by the next row)."""
    first = _smallest_edit(value, column)
    if isinstance(first, int) and not isinstance(first, bool):
        return [first, first + 1000]
    return [first]


def _smallest_edit(value: Any, column: sa.Column[Any]) -> Any:
    python_type = column.type.python_type
    if value is None:
        return {
            str: "x",
            bool: True,
            int: 1,
            Decimal: Decimal("1"),
            dt.date: dt.date(2000, 1, 1),
            dt.datetime: dt.datetime(2000, 1, 1, tzinfo=dt.UTC),
            uuid.UUID: uuid.UUID(int=1),
        }[python_type]
    if isinstance(value, bool):
        return not value
    if isinstance(value, str):
        if value.swapcase() != value:
            return value.swapcase()
        return value[:-1] + ("1" if value[-1:] != "1" else "2")
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 0.01
    if isinstance(value, Decimal):
        return value + Decimal("0.01")
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(seconds=1)
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=1)
    if isinstance(value, uuid.UUID):
        return uuid.UUID(int=value.int ^ 1)
    raise AssertionError(f"{column}: no edit for {type(value).__name__}")


def _edit(
    conn: sa.Connection,
    table: sa.Table,
    key: sa.Column[Any],
    row: sa.Row[Any],
    column: sa.Column[Any],
    done: list[Tamper],
    refused: list[str],
) -> None:
    """Set the first edit of the value the store's constraints accept (each in a savepoint):
    into ``done``, or the column into ``refused`` when none is accepted."""
    row_id = str(row._mapping[key])
    for new_value in _changed(getattr(row, column.name), column):
        savepoint = conn.begin_nested()
        try:
            conn.execute(
                sa.update(table).where(key == row._mapping[key]).values({column.name: new_value})
            )
        except sa.exc.IntegrityError:
            savepoint.rollback()
            continue
        savepoint.commit()
        new_row_id = str(new_value) if column.name == key.name else row_id
        done.append(Tamper(table.name, row.legacy_row_id, row_id, column.name, new_row_id))
        return
    refused.append(f"{table.name}.{column.name}")


def _tamper_every_column(store: Store) -> tuple[list[Tamper], list[str]]:
    """Edit one value of every checked column; returns the edits and the columns the store's
    own constraints refused to change (each edit in its own savepoint)."""
    done: list[Tamper] = []
    refused: list[str] = []
    with target(store) as engine, engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        else:
            conn.exec_driver_sql("SET session_replication_role = replica")
        for name in transform.TARGET_SCHEMAS:
            table = load.target_table(name)
            (key,) = table.primary_key.columns  # id; code_set's is its code_set
            rows = list(conn.execute(sa.select(table).order_by(key)))
            columns = [c for c in table.columns if c.name not in UNCHECKED]
            keys = [c for c in columns if c.name in KEY_COLUMNS | {key.name}]
            # A key edit makes the row another row (missing + unexpected), which hides any
            # other edit of it: keys get rows of their own, at the end.
            assert len(rows) > len(keys), f"the synthetic store has too few {name} rows"
            others, own = rows[: -len(keys)], rows[-len(keys) :]
            used: set[str] = set()
            for position, column in enumerate(c for c in columns if c not in keys):
                # A row not edited yet, holding a value in this column if any row does.
                start = position % len(others)
                candidates = others[start:] + others[:start]
                fresh = [r for r in candidates if str(r._mapping[key]) not in used] or candidates
                row = next((r for r in fresh if getattr(r, column.name) is not None), fresh[0])
                used.add(str(row._mapping[key]))
                _edit(conn, table, key, row, column, done, refused)
            for row, column in zip(own, keys, strict=True):
                _edit(conn, table, key, row, column, done, refused)
        conn.commit()
    return done, refused


def _key_columns(table: sa.Table) -> frozenset[str]:
    """The primary key and the lineage key (legacy_table, legacy_row_id and, for a table with
    several rows per legacy row, what tells them apart: alias_seq, id_type)."""
    names = {c.name for c in table.primary_key.columns}
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint) and "legacy_row_id" in constraint.columns:
            names.update(c.name for c in constraint.columns)
    return frozenset(names)


def _reported(edit: Tamper, found: list[Discrepancy]) -> bool:
    """Whether ``found`` (the discrepancies on the edited row) report ``edit`` as it should be:
    a key edit makes the row another one; a link edit may also be an orphan; an attachment's
    binary columns are checked against the stored and the Siebel file."""
    table = load.target_table(edit.table)
    for d in found:
        if d.kind == "field_mismatch" and edit.column in d.fields:
            return True
        if d.kind == "orphan_reference" and edit.column in d.fields:
            return True
        if d.kind == "attachment_mismatch" and (
            edit.column in d.fields or edit.column in ATTACHMENT_BINARY_COLUMNS
        ):
            return True
        if d.kind in ("missing_in_target", "unexpected_in_target") and edit.column in _key_columns(
            table
        ):
            return True
    return False


def test_an_edit_of_any_column_of_any_target_table_is_reported(
    store: Store, tmp_path: Path
) -> None:
    tampered, refused = _tamper_every_column(store)
    assert len(tampered) > 300, "every target table's columns were edited"
    assert not refused, f"the store refused edits: {refused}"

    with reconcile(store, tmp_path / "report") as result:
        on_row: dict[tuple[str | None, str | None], list[Discrepancy]] = {}
        for d in result.discrepancies:
            on_row.setdefault((d.target_table, d.target_id), []).append(d)
        missed = []
        for edit in tampered:
            found = [d for row_id in edit.row_ids for d in on_row.get((edit.table, row_id), [])]
            if not _reported(edit, found):
                missed.append(
                    f"{edit.table}.{edit.column} ({edit.row_key}): {[(d.kind, d.fields) for d in found]}"
                )
        assert not missed, "edits reconcile did not report:\n" + "\n".join(missed)


BOOKKEEPING_UNCHECKED: dict[str, frozenset[str]] = {
    "ledger": frozenset({"run_id", "output_digest"}),
    "quarantine": frozenset({"run_id", "status"}),
    "dq_flag": frozenset({"run_id", "id"}),
    "person_match_candidate": frozenset({"run_id", "decision", "decided_by", "decided_at"}),
}
"""What reconcile leaves alone in the bookkeeping tables: the run that wrote a row; the
ledger's output digest (a re-run's lossy shortcut: an edit of it only makes the next run
rewrite the row); what stewards decide (a record's status, a pair's decision); a flag's
surrogate id."""

BOOKKEEPING_KEYS: dict[str, frozenset[str]] = {
    "ledger": frozenset({"legacy_table", "legacy_row_id"}),
    "quarantine": frozenset({"legacy_table", "legacy_row_id"}),
    "dq_flag": frozenset({"legacy_table", "legacy_row_id", "code", "field"}),
    "person_match_candidate": frozenset({"person_a_row_id", "person_b_row_id"}),
}
"""What identifies a bookkeeping row: an edit of it makes the row another one."""

LEDGER_EDIT_KINDS = {
    "legacy_table": {"unaccounted"},
    "legacy_row_id": {"unaccounted"},
    "outcome": {"unaccounted"},  # an outcome no run writes
    "source_hash": {"changed_in_source"},
}
"""How reconcile reports an edit of these ledger columns."""


def _legacy_keys(name: str, row: sa.Row[Any]) -> set[str]:
    if name == "person_match_candidate":
        return {row.person_a_row_id, row.person_b_row_id}
    return {row.legacy_row_id}


def test_an_edit_of_any_bookkeeping_column_is_reported(store: Store, tmp_path: Path) -> None:
    """Ledger, quarantine records, flags and duplicate pairs: each column edited in a row of
    its own, and each edit reported on that row."""
    edits: list[tuple[str, str, set[str]]] = []
    with target(store) as engine, engine.connect() as conn:
        for name, unchecked in BOOKKEEPING_UNCHECKED.items():
            table = load.target_table(name)
            keys = list(table.primary_key.columns)
            rows = list(conn.execute(sa.select(table).order_by(*keys)))
            columns = [c for c in table.columns if c.name not in unchecked]
            assert len(rows) >= len(columns), f"the synthetic store has too few {name} rows"
            step = len(rows) // len(columns)
            for position, column in enumerate(columns):
                row = rows[position * step]
                new_value = _changed(getattr(row, column.name), column)[0]
                conn.execute(
                    sa.update(table)
                    .where(*[key == row._mapping[key.name] for key in keys])
                    .values({column.name: new_value})
                )
                legacy_keys = _legacy_keys(name, row)
                if column.name in ("legacy_row_id", "person_a_row_id", "person_b_row_id"):
                    legacy_keys.add(new_value)
                edits.append((name, column.name, legacy_keys))
        conn.commit()

    with reconcile(store, tmp_path / "report") as result:
        by_row: dict[str | None, list[Discrepancy]] = {}
        for d in result.discrepancies:
            by_row.setdefault(d.legacy_row_id, []).append(d)
        missed = []
        for name, column, legacy_keys in edits:
            found = [d for key in legacy_keys for d in by_row.get(key, [])]
            ledger_kinds = LEDGER_EDIT_KINDS.get(column, set()) if name == "ledger" else set()
            reported = any(
                (d.target_table == name and column in d.fields)
                or (
                    d.target_table == name
                    and column in BOOKKEEPING_KEYS[name]
                    and d.kind in ("missing_in_target", "unexpected_in_target")
                )
                or d.kind in ledger_kinds
                for d in found
            )
            if not reported:
                missed.append(
                    f"{name}.{column} {legacy_keys}: {[(d.kind, d.target_table, d.fields) for d in found]}"
                )
        assert not missed, "edits reconcile did not report:\n" + "\n".join(missed)
