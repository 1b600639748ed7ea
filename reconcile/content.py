"""Content: what the migration rules make of the current legacy rows, against the target, value by value.

For the rows of a key range that are loaded and unchanged since the migration,
``expected`` (the migration's own rules) recomputes the batch: a row it now gives
another outcome than the ledger's is a ``field_mismatch`` on the ledger's
``outcome`` (and ``rule``); each target row it makes (``upserts``, found by
lineage key, and ``updates`` of rows of other legacy tables, such as S_CONTACT_X
completing its person, found by id) is compared column by column
(:func:`reconcile.compare.compare_rows`). Columns another legacy table sets
through updates are compared where that table is checked; where no such row
set them, they must be empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

import pandas as pd
import sqlalchemy as sa

from load.target_schema import target_table
from reconcile.bookkeeping import check_flags, check_quarantine_records
from reconcile.compare import ATTACHMENT_BINARY_COLUMNS, compare_rows, diff_summary, same_value
from reconcile.range_report import (
    RangeReporter,
    extension_owner,
    foreign_extension_columns,
    lineage_key,
    pk_value,
    records,
)
from reconcile.result import FieldDiff
from reconcile.target_reader import (
    LedgerEntry,
    TargetRow,
    read_rows_by_lineage,
)
from transform.result import TransformResult

__all__ = ["ExpectedRows", "check_content"]

ExpectedRows = Callable[[str, pd.DataFrame], TransformResult]


def check_content(
    out: RangeReporter,
    frame: pd.DataFrame,
    expected: ExpectedRows,
    ledger: Mapping[str, LedgerEntry],
    unchanged: set[str],
    present: Mapping[str, list[TargetRow]],
    *,
    quarantine_records: Mapping[str, TargetRow],
    flags: Iterable[TargetRow],
) -> set[str]:
    """Compare what the rules make of the unchanged rows with the target; return the compared keys.

    The quarantine records and flags stored for the range are compared too
    (:mod:`reconcile.bookkeeping`).
    """
    result = expected(out.legacy_table, frame)
    outcomes = {str(rec["legacy_row_id"]): rec for rec in records(result.ledger)}
    compared = set()
    quarantined = set()
    for row_id in sorted(unchanged):
        entry, now = ledger[row_id], outcomes.get(row_id)
        if now is None:
            out.report(
                "field_mismatch",
                "mismatched",
                row_id,
                target="ledger",
                detail=f"the migration rules give {out.legacy_table} row {row_id} no outcome now",
            )
            continue
        diffs = _ledger_diffs(entry, now)
        if diffs:
            out.report(
                "field_mismatch",
                "mismatched",
                row_id,
                target="ledger",
                detail=f"the migration rules now give {out.legacy_table} row {row_id} another ledger "
                f"entry than the stored one ({', '.join(d.field for d in diffs)})",
                values=diffs,
            )
        elif entry.outcome == "loaded":
            compared.add(row_id)
        elif entry.outcome == "quarantined":
            quarantined.add(row_id)
    for name, rows in result.upserts.items():
        _compare_upserts(out, name, records(rows), compared, present)
    for name, rows in result.updates.items():
        _compare_updates(out, name, records(rows), compared, outcomes)
    check_quarantine_records(out, result.quarantined, quarantined, quarantine_records)
    check_flags(out, result.flags, compared, flags)
    return compared


def _compare_upserts(
    out: RangeReporter,
    name: str,
    rows: list[dict[str, Any]],
    compared: set[str],
    present: Mapping[str, list[TargetRow]],
) -> None:
    table = target_table(name)
    wanted = [r for r in rows if r.get("legacy_row_id") in compared]
    if not wanted:
        return
    found: dict[tuple[Any, ...], TargetRow] = {}
    for row in present.get(table.name, []):
        found[lineage_key(table, row)] = row
    foreign: dict[str, set[str]] = {}
    for r in wanted:
        if r.get("legacy_table") != out.legacy_table or table.name not in present:
            foreign.setdefault(str(r.get("legacy_table")), set()).add(str(r["legacy_row_id"]))
    for legacy_table, row_ids in foreign.items():
        for row in read_rows_by_lineage(out.conn, table, legacy_table, row_ids):
            found[lineage_key(table, row)] = row
    skip = ATTACHMENT_BINARY_COLUMNS if table.name == "attachment" else frozenset()
    for want in wanted:
        key = lineage_key(table, want)
        actual = found.get(key)
        row_id = str(want["legacy_row_id"])
        if actual is None:
            ident = want.get("id")
            out.missing(
                row_id,
                table.name,
                None if ident is None else str(ident),
                f"no {table.name} row with its lineage",
            )
            continue
        out.matched.add((table.name, key))
        want = dict(want)
        skipped = set(skip)
        for owner, columns in foreign_extension_columns(out.legacy_table, table.name):
            if actual.get(owner) is None:  # no extension row set them: they must be empty
                want.update(dict.fromkeys(columns))
            else:  # the extension row's own comparison covers them
                skipped.update(columns)
        _compare(out, row_id, table, want, actual, skipped)


def _compare_updates(
    out: RangeReporter,
    name: str,
    rows: list[dict[str, Any]],
    compared: set[str],
    outcomes: Mapping[str, dict[str, Any]],
) -> None:
    table = target_table(name)
    owner = extension_owner(out.legacy_table, table.name)
    by_target = {
        str(rec.get("target_id")): row_id
        for row_id, rec in outcomes.items()
        if rec.get("target_id") is not None
        and target_table(str(rec.get("target_table"))).name == table.name
    }
    wanted: list[tuple[str, dict[str, Any]]] = []
    for r in rows:
        row_id = r.get(owner) if owner else None
        if row_id is None and r.get("id") is not None:
            row_id = by_target.get(str(r["id"]))
        if row_id in compared:
            wanted.append((str(row_id), r))
    if not wanted:
        return
    (pk,) = table.primary_key.columns
    found = out.rows_by_primary_key(table, (r[pk.name] for _, r in wanted))
    for row_id, want in wanted:
        actual = found.get(want[pk.name])
        if actual is None:
            out.missing(
                row_id,
                table.name,
                str(want[pk.name]),
                f"the {table.name} row it completes is not there",
            )
            continue
        _compare(out, row_id, table, want, actual, set())


@cache
def _column_types(table: sa.Table) -> dict[str, sa.types.TypeEngine[Any]]:
    return {c.name: c.type for c in table.columns}


def _compare(
    out: RangeReporter,
    row_id: str,
    table: sa.Table,
    want: Mapping[str, Any],
    actual: Mapping[str, Any],
    skip: set[str],
) -> None:
    diffs = compare_rows(want, actual, _column_types(table), skip=skip)
    if not diffs:
        return
    fields = ", ".join(d.field for d in diffs)
    summary = diff_summary(diffs)
    out.report(
        "field_mismatch",
        "mismatched",
        row_id,
        target=table.name,
        target_id=pk_value(table, actual),
        detail=f"{table.name} differs from what the rules make of {out.legacy_table} row {row_id}: {fields}"
        + (f" ({summary})" if summary else ""),
        values=diffs,
    )


_LEDGER_COMPARED = (
    "outcome",
    "rule",
    "target_table",
    "target_id",
    "legacy_last_upd",
    "legacy_modification_num",
)
"""The ledger columns the rules give (source_hash is the changed_in_source check's; run_id and
output_digest are the migration's bookkeeping)."""


def _ledger_diffs(entry: LedgerEntry, now: Mapping[str, Any]) -> list[FieldDiff]:
    """The stored ledger entry against the one the rules give now, column by column."""
    columns = _ledger_column_types()
    return [
        FieldDiff(name, now.get(name), getattr(entry, name))
        for name in _LEDGER_COMPARED
        if not same_value(now.get(name), getattr(entry, name), columns[name])
    ]


@cache
def _ledger_column_types() -> dict[str, Any]:
    ledger = target_table("migration.ledger")
    return {name: ledger.c[name].type for name in _LEDGER_COMPARED}
