"""One legacy table, one key range: the legacy rows read now, against the ledger and the target.

For the range ``(after, upto]`` of one legacy table, :func:`check_range` takes
the current source rows in it (``None`` past the end of the source) and reads
the ledger rows and the lineage rows of every target table in the same range.
It finds:

* completeness: a source row with no ledger outcome (``unaccounted``);
* keys: a ledger row whose legacy row is gone (``deleted_in_source``), a loaded
  row with no target row (``missing_in_target``), a target row with no loaded
  legacy row, or one the rules do not make (``unexpected_in_target``);
* changes: a source row whose hash differs from the ledger's (``changed_in_source``;
  its content is then not compared: it simply changed);
* content: for every other loaded row, each target row the rules make of the
  current source row (upserts, and updates of other rows such as S_CONTACT_X
  completing its person) compared column by column (``field_mismatch``); a row
  the rules now give another outcome than the ledger's is a ``field_mismatch``
  on the ledger's ``outcome`` (and ``rule``). See :mod:`reconcile.content`;
* bookkeeping: quarantine records and data-quality flags, present where the
  ledger says and as the rules make them now. See :mod:`reconcile.bookkeeping`.

Every read is bounded by the range: the engine cuts ranges of at most a batch of keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
import sqlalchemy as sa

import extract
from load.target_schema import target_table
from reconcile.bookkeeping import check_bookkeeping_presence
from reconcile.content import ExpectedRows, check_content
from reconcile.range_report import RangeReporter, RangeTally, id_value, lineage_key, pk_value
from reconcile.target_reader import (
    LedgerEntry,
    TargetRow,
    read_flags,
    read_ledger,
    read_lineage_rows,
    read_quarantine_records,
)

__all__ = ["ExpectedRows", "RangeTally", "check_range"]

OUTCOMES = ("loaded", "quarantined", "excluded")


class _Range(RangeReporter):
    def __init__(
        self,
        conn: sa.Connection,
        legacy_table: str,
        target_names: Iterable[str],
        tally: RangeTally,
    ) -> None:
        super().__init__(conn, legacy_table, tally)
        self.target_names = tuple(target_names)

    def run(
        self,
        after: str | None,
        upto: str | None,
        frame: pd.DataFrame | None,
        expected: ExpectedRows,
    ) -> None:
        source = (
            {}
            if frame is None
            else dict(zip(frame[extract.KEY_COLUMN], frame[extract.HASH_COLUMN], strict=True))
        )
        ledger = read_ledger(self.conn, self.legacy_table, after, upto)
        present = {
            name: read_lineage_rows(self.conn, target_table(name), self.legacy_table, after, upto)
            for name in self.target_names
        }
        quarantine_records = read_quarantine_records(self.conn, self.legacy_table, after, upto)
        flags = read_flags(self.conn, self.legacy_table, after, upto)
        unchanged = self.completeness(source, ledger)
        loaded = {k for k, e in ledger.items() if e.outcome == "loaded"}
        self.missing_main_rows(ledger, present)
        self.unloaded_target_rows(present, loaded)
        check_bookkeeping_presence(self, ledger, quarantine_records, flags)
        if frame is not None and unchanged:
            compared = check_content(
                self,
                frame,
                expected,
                ledger,
                unchanged,
                present,
                quarantine_records=quarantine_records,
                flags=flags,
            )
            self.rows_not_made(present, compared)

    def completeness(
        self, source: Mapping[str, str], ledger: Mapping[str, LedgerEntry]
    ) -> set[str]:
        """Count outcomes; report unaccounted, changed and deleted rows; return the unchanged keys."""
        unchanged = set()
        counts = self.tally.counts
        for row_id, source_hash in source.items():
            counts["source_rows"] += 1
            entry = ledger.get(row_id)
            if entry is None or entry.outcome not in OUTCOMES:
                why = (
                    "no ledger outcome"
                    if entry is None
                    else f"an unknown ledger outcome {entry.outcome!r}"
                )
                self.report(
                    "unaccounted",
                    "unaccounted",
                    row_id,
                    detail=f"{self.legacy_table} row {row_id} has {why}",
                )
                continue
            counts[entry.outcome] += 1
            if entry.source_hash != source_hash:
                self.report(
                    "changed_in_source",
                    "changed_in_source",
                    row_id,
                    target=entry.target_table,
                    target_id=entry.target_id,
                    detail=f"{self.legacy_table} row {row_id} was changed after it was migrated (source hash differs)",
                )
            else:
                unchanged.add(row_id)
        for row_id, entry in ledger.items():
            if row_id not in source:
                self.report(
                    "deleted_in_source",
                    "deleted_in_source",
                    row_id,
                    target=entry.target_table,
                    target_id=entry.target_id,
                    detail=f"the ledger has {entry.outcome} {self.legacy_table} row {row_id}, "
                    "which no longer exists in the source",
                )
        return unchanged

    def missing_main_rows(
        self, ledger: Mapping[str, LedgerEntry], present: Mapping[str, list[TargetRow]]
    ) -> None:
        """A loaded ledger row whose target row (the ledger's target_table/target_id) is not there."""
        ids_present = {
            (name, pk_value(target_table(name), row))
            for name, rows in present.items()
            for row in rows
        }
        keys_present = {row["legacy_row_id"] for rows in present.values() for row in rows}
        to_fetch: dict[str, list[str]] = {}
        for row_id, entry in ledger.items():
            if entry.outcome != "loaded":
                continue
            if not entry.target_table or not entry.target_id:
                if row_id not in keys_present:
                    self.missing(
                        row_id,
                        entry.target_table or "?",
                        None,
                        "loaded, but no target row has its lineage",
                    )
                continue
            name = self.own_target_name(entry.target_table)
            if name is None:
                self.missing(
                    row_id,
                    entry.target_table,
                    entry.target_id,
                    f"loaded into {entry.target_table!r}, says the ledger, which is not a table "
                    f"{self.legacy_table} loads into",
                )
                continue
            if (name, entry.target_id) not in ids_present:
                to_fetch.setdefault(name, []).append(row_id)
        for name, row_ids in to_fetch.items():
            table = target_table(name)
            wanted = {row_id: id_value(table, str(ledger[row_id].target_id)) for row_id in row_ids}
            found = self.rows_by_primary_key(table, wanted.values())
            for row_id, ident in wanted.items():
                if ident not in found:
                    self.missing(
                        row_id, name, str(ident), f"loaded into {name}, but that row is not there"
                    )

    def own_target_name(self, name: str) -> str | None:
        """The target table ``name`` (as the ledger holds it) is, if this legacy table loads into it."""
        try:
            found = target_table(name).name
        except KeyError:
            return None
        return found if found in self.target_names else None

    def unloaded_target_rows(
        self, present: Mapping[str, list[TargetRow]], loaded: set[str]
    ) -> None:
        for name, rows in present.items():
            table = target_table(name)
            for row in rows:
                if row["legacy_row_id"] not in loaded:
                    self.report(
                        "unexpected_in_target",
                        "unexpected_in_target",
                        row["legacy_row_id"],
                        target=name,
                        target_id=pk_value(table, row),
                        detail=f"a {name} row with lineage {self.legacy_table} {row['legacy_row_id']}, "
                        "which the ledger does not have as loaded",
                    )

    def rows_not_made(self, present: Mapping[str, list[TargetRow]], compared: set[str]) -> None:
        """Target rows of compared legacy rows that the rules do not make (an extra alias, say)."""
        for name, rows in present.items():
            table = target_table(name)
            for row in rows:
                if (
                    row["legacy_row_id"] in compared
                    and (name, lineage_key(table, row)) not in self.matched
                ):
                    self.report(
                        "unexpected_in_target",
                        "unexpected_in_target",
                        row["legacy_row_id"],
                        target=name,
                        target_id=pk_value(table, row),
                        detail=f"a {name} row with lineage {self.legacy_table} {row['legacy_row_id']} "
                        "that the migration rules do not make from it",
                    )


def check_range(
    conn: sa.Connection,
    legacy_table: str,
    target_names: Iterable[str],
    after: str | None,
    upto: str | None,
    frame: pd.DataFrame | None,
    expected: ExpectedRows,
    tally: RangeTally,
) -> None:
    """Reconcile one key range of ``legacy_table`` (see the module doc); results go into ``tally``."""
    _Range(conn, legacy_table, target_names, tally).run(after, upto, frame, expected)
