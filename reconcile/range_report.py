"""What the checks of one key range share: the running tally, the reporter, and small row helpers."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa

from load.extension_columns import EXTENSIONS
from reconcile.compare import PLAIN_TYPES, plain
from reconcile.result import Discrepancy, DiscrepancyKind, FieldDiff
from reconcile.spool import DiscrepancySpool
from reconcile.target_reader import TargetRow, lineage_key_columns, read_rows_by_primary_key

__all__ = [
    "RangeReporter",
    "RangeTally",
    "extension_owner",
    "foreign_extension_columns",
    "id_value",
    "lineage_key",
    "pk_value",
    "records",
]


@dataclass
class RangeTally:
    """Running counts of one legacy table (what becomes its TableCounts).

    Its discrepancies are not kept here: each goes straight to ``spool`` (on
    disk), in ``section``, the table's place in the report order.
    """

    counts: Counter[str] = field(default_factory=Counter)
    spool: DiscrepancySpool = field(default_factory=DiscrepancySpool)
    section: int = 0

    def add(self, discrepancy: Discrepancy, counter: str) -> None:
        self.spool.add(discrepancy, self.section)
        self.counts[counter] += 1


def pk_value(table: sa.Table, row: Mapping[str, Any]) -> str:
    """The row's primary key as text (what a discrepancy's ``target_id`` shows)."""
    columns = table.primary_key.columns
    if len(columns) == 1:  # most tables: the text of one value, without a join
        return str(row[next(iter(columns)).name])
    return ":".join(str(row[c.name]) for c in columns)


def lineage_key(table: sa.Table, row: Mapping[str, Any]) -> tuple[Any, ...]:
    """The row's unique lineage key: (legacy_table, legacy_row_id, *discriminators)."""
    return tuple(map(plain, map(row.get, lineage_key_columns(table))))


def id_value(table: sa.Table, text: str) -> object:
    """A ledger ``target_id`` (text) as ``table``'s primary key value (a UUID where it is one)."""
    (pk,) = table.primary_key.columns
    if isinstance(pk.type, sa.Uuid):
        try:
            return uuid.UUID(text)
        except ValueError:
            return text
    return text


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts of plain Python values (missing markers as None).

    Read column by column; :func:`~reconcile.compare.plain` runs only on the columns
    holding something else (pandas or numpy scalars, NaN, NaT).
    """
    if frame.columns.has_duplicates:
        return [{k: plain(v) for k, v in rec.items()} for rec in frame.to_dict("records")]
    names = [str(k) for k in frame.columns]
    if not names:
        return [{} for _ in range(len(frame))]
    columns: list[list[Any]] = []
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position].tolist()
        if not set(map(type, values)) <= PLAIN_TYPES:
            values = [plain(v) for v in values]
        columns.append(values)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def extension_owner(legacy_table: str, target_name: str) -> str | None:
    """The column naming the ``legacy_table`` row that set extension columns of ``target_name``."""
    for ext in EXTENSIONS:
        if ext.legacy_table == legacy_table and ext.target_table == target_name:
            return ext.owner_column
    return None


def foreign_extension_columns(
    legacy_table: str, target_name: str
) -> list[tuple[str, tuple[str, ...]]]:
    """(owner column, columns) that another legacy table sets on rows of ``target_name``."""
    return [
        (ext.owner_column, ext.columns)
        for ext in EXTENSIONS
        if ext.target_table == target_name and ext.legacy_table != legacy_table
    ]


class RangeReporter:
    """Reports the discrepancies of one key range of one legacy table into its tally."""

    def __init__(self, conn: sa.Connection, legacy_table: str, tally: RangeTally) -> None:
        self.conn = conn
        self.legacy_table = legacy_table
        self.tally = tally
        self.missing_reported: set[tuple[str, str]] = set()
        # (target table, lineage key) of the target rows the rules make and that were found.
        self.matched: set[tuple[str, tuple[Any, ...]]] = set()
        # Target table -> primary key -> its row (None: not there), as read in this range.
        self._by_primary_key: dict[str, dict[Any, TargetRow | None]] = {}

    def rows_by_primary_key(self, table: sa.Table, keys: Iterable[Any]) -> dict[Any, TargetRow]:
        """Rows of ``table`` by (single-column) primary key, each read at most once per range.

        An extension table's rows (S_CONTACT_X) complete rows loaded from another table:
        the check that the ledger's target row exists and the comparison read the same rows.
        """
        known = self._by_primary_key.setdefault(table.name, {})
        wanted = set(keys)
        unread = wanted.difference(known)
        if unread:
            found = read_rows_by_primary_key(self.conn, table, unread)
            for key in unread:
                known[key] = found.get(key)
        return {key: row for key in wanted if (row := known[key]) is not None}

    def report(
        self,
        kind: DiscrepancyKind,
        counter: str,
        row_id: str | None,
        *,
        target: str | None = None,
        target_id: str | None = None,
        detail: str = "",
        values: Iterable[FieldDiff] = (),
        legacy_table: str | None = None,
    ) -> None:
        diffs = list(values)
        self.tally.add(
            Discrepancy(
                kind=kind,
                legacy_table=legacy_table or self.legacy_table,
                legacy_row_id=row_id,
                target_table=target,
                target_id=target_id,
                fields=[d.field for d in diffs],
                detail=detail,
                values=diffs,
            ),
            counter,
        )

    def missing(self, row_id: str, target_name: str, target_id: str | None, why: str) -> None:
        if (row_id, target_name) in self.missing_reported:
            return
        self.missing_reported.add((row_id, target_name))
        self.report(
            "missing_in_target",
            "missing_in_target",
            row_id,
            target=target_name,
            target_id=target_id,
            detail=f"{self.legacy_table} row {row_id}: {why}",
        )
