"""Random edits of a synthetic legacy database (SQLite), for the end-to-end property tests.

An edit sets any column of any row to an adversarial value of its logical type
(tests/fuzz_support.py), ROW_IDs included; deletes a row; or copies a row under a
variant of its key (padded, lower case), as irregular loads leave them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from fuzz_support import legacy_value
from hypothesis import strategies as st

from extract.legacy_schema import LEGACY_TABLE_NAMES, legacy_spec, legacy_table
from extract.oracle import oracle_value

__all__ = [
    "ALL_ACTIONS",
    "LATER_ACTIONS",
    "Edit",
    "Snapshot",
    "apply_edits",
    "edit",
    "expected_source_changes",
    "legacy_snapshot",
    "raw_rows",
]

Snapshot = dict[tuple[str, str], tuple[Any, ...]]
"""Every legacy row by (table, ROW_ID): its values' Oracle meaning, in column order."""


@dataclass(frozen=True)
class Edit:
    """One change to the row at ``position`` (in ROW_ID order, modulo the count) of ``table``:
    ``set`` its ``column`` to ``value``; ``delete`` it; or ``copy`` it under the ROW_ID
    ``value`` (a variant of its own: padded, other case), as irregular loads leave them."""

    action: str
    table: str
    position: int
    column: str = ""
    value: Any = None


_KEY_VARIANTS = (str.lower, lambda k: " " + k, lambda k: k + " ", lambda k: k.replace("-", "+"))
ALL_ACTIONS = ("set", "set", "set", "delete", "copy")
LATER_ACTIONS = ("set", "set", "set", "set", "copy", "delete")
"""For edits after a migration: most examples then delete nothing."""


@st.composite
def edit(draw: st.DrawFn, actions: tuple[str, ...] = ALL_ACTIONS, *, keys: bool = True) -> Edit:
    """An :class:`Edit` whose action is drawn from ``actions`` (repeat one to weight it);
    without ``keys``, a ``set`` leaves ROW_ID alone (a new key is the old row's deletion)."""
    table = draw(st.sampled_from(LEGACY_TABLE_NAMES))
    position = draw(st.integers(0, 10_000))
    action = draw(st.sampled_from(actions))
    if action == "delete":
        return Edit(action, table, position)
    if action == "copy":
        return Edit(action, table, position, "ROW_ID", draw(st.sampled_from(_KEY_VARIANTS)))
    columns = [c for c in legacy_spec()[table].columns if keys or c.name != "ROW_ID"]
    column = draw(st.sampled_from(columns))
    value = draw(legacy_value(column))
    if column.name == "ROW_ID":
        # Never NULL, no NUL, at most VARCHAR(15): extract refuses any other key
        # (tests/test_extract_oracle.py).
        value = ((value or "").replace("\x00", "") or "1-FUZZ")[:15]
    return Edit(action, table, position, column.name, value)


def apply_edits(legacy: Path, edits: list[Edit]) -> None:
    """Apply ``edits`` through the legacy tables' own column types (as the generator writes)."""
    engine = sa.create_engine(f"sqlite:///{legacy}")
    try:
        with engine.begin() as conn:
            for change in edits:
                _apply(conn, change)
    finally:
        engine.dispose()


def _apply(conn: sa.Connection, change: Edit) -> None:
    table = legacy_table(change.table)
    row_ids = list(conn.execute(sa.select(table.c.ROW_ID).order_by(table.c.ROW_ID)).scalars())
    if not row_ids:
        return
    row_id = row_ids[change.position % len(row_ids)]
    this_row = row_id == table.c.ROW_ID
    if change.action == "delete":
        conn.execute(sa.delete(table).where(this_row))
        return
    new_key = change.value(row_id)[:15] if change.action == "copy" else change.value
    if change.column == "ROW_ID" and new_key in row_ids:
        return  # the primary key stays unique
    if change.action == "copy":
        row = dict(conn.execute(sa.select(table).where(this_row)).one()._mapping)
        conn.execute(sa.insert(table).values({**row, "ROW_ID": new_key}))
    else:
        conn.execute(sa.update(table).where(this_row).values({change.column: new_key}))


def legacy_snapshot(legacy: Path | sa.Engine) -> Snapshot:
    """Every legacy row (of a SQLite file, or of any engine), by (table, ROW_ID), as its stored
    values' Oracle meaning."""
    engine = sa.create_engine(f"sqlite:///{legacy}") if isinstance(legacy, Path) else legacy
    rows: Snapshot = {}
    try:
        with engine.connect() as conn:
            for name in LEGACY_TABLE_NAMES:
                specs = legacy_spec()[name].columns
                for raw in raw_rows(conn, name):
                    values = tuple(
                        oracle_value(spec, v) for spec, v in zip(specs, raw, strict=True)
                    )
                    rows[(name, values[0])] = values
    finally:
        if isinstance(legacy, Path):
            engine.dispose()
    return rows


def raw_rows(conn: sa.Connection, name: str) -> list[tuple[Any, ...]]:
    """The rows of legacy table ``name`` as the driver gives them, in the contract's column
    order. Not through the tables' SQLAlchemy types: Numeric(4, 0) reads SQLite's 0.5 as 0."""
    columns = [sa.column(spec.name) for spec in legacy_spec()[name].columns]
    return [tuple(r) for r in conn.execute(sa.select(*columns).select_from(sa.table(name)))]


def expected_source_changes(before: Snapshot, after: Snapshot) -> set[tuple[str, str, str]]:
    """(kind, table, ROW_ID) reconcile must report for the source edited after the migration."""
    return (
        {("deleted_in_source", *key) for key in before.keys() - after.keys()}
        | {("unaccounted", *key) for key in after.keys() - before.keys()}
        | {
            ("changed_in_source", *key)
            for key in before.keys() & after.keys()
            if before[key] != after[key]
        }
    )
