"""Check a :class:`TransformResult` against the load contract before anything is written.

A broken contract is a bug upstream, not bad data: it raises
:class:`TerminalLoadError` naming the table, ROW_ID and column, and nothing
of the batch is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

import pandas as pd
import sqlalchemy as sa

from load.bookkeeping import unique_flags
from load.errors import TerminalLoadError
from load.ledger import OUTCOMES
from load.lineage import lineage_key_columns
from load.output_digest import DIGEST_COLUMN, output_digests
from load.target_schema import target_table
from transform.result import LEDGER_COLUMNS, Flag, QuarantineRecord, TransformResult

__all__ = ["RUN_COLUMN", "BatchPlan", "LegacyKey", "plan_batch", "too_long_value"]

RUN_COLUMN = "migration_run_id"
LegacyKey = tuple[str, str]
_NOT_UPDATABLE = ("id", "legacy_table", "legacy_row_id", RUN_COLUMN)


@dataclass(frozen=True)
class BatchPlan:
    """A checked batch: the frames by table object, and the ledger's verdict per legacy row."""

    legacy_table: str
    ledger: pd.DataFrame  # with the output_digest of each row
    states: dict[LegacyKey, tuple[str, str, str]]  # key -> (outcome, source_hash, output_digest)
    upserts: list[tuple[sa.Table, pd.DataFrame]]
    updates: list[tuple[sa.Table, pd.DataFrame]]
    quarantined: list[QuarantineRecord]
    flags: list[Flag]
    last_key: str | None


def _table(name: str) -> sa.Table:
    try:
        return target_table(name)
    except KeyError:
        raise TerminalLoadError(
            "the batch names a target table that does not exist", table=name
        ) from None


def _keys(frame: pd.DataFrame) -> Iterable[LegacyKey]:
    return zip(frame["legacy_table"], frame["legacy_row_id"], strict=True)


def _check_ledger(result: TransformResult) -> dict[LegacyKey, tuple[str, str]]:
    ledger = result.ledger
    missing = [c for c in LEDGER_COLUMNS if c not in ledger.columns]
    if missing:
        raise TerminalLoadError(
            f"the ledger frame lacks columns {missing}", table=result.legacy_table
        )
    states: dict[LegacyKey, tuple[str, str]] = {}
    for legacy_table, row_id, outcome, source_hash in zip(
        ledger["legacy_table"],
        ledger["legacy_row_id"],
        ledger["outcome"],
        ledger["source_hash"],
        strict=True,
    ):
        if legacy_table != result.legacy_table or not isinstance(row_id, str) or not row_id:
            raise TerminalLoadError(
                "a ledger row of another table, or without a ROW_ID",
                table=str(legacy_table),
                legacy_row_id=None,
            )
        if outcome not in OUTCOMES or not isinstance(source_hash, str) or not source_hash:
            raise TerminalLoadError(
                f"a ledger row with outcome {outcome!r} or without a source hash",
                table=legacy_table,
                legacy_row_id=row_id,
            )
        if (legacy_table, row_id) in states:
            raise TerminalLoadError(
                "two ledger rows for one legacy row", table=legacy_table, legacy_row_id=row_id
            )
        states[(legacy_table, row_id)] = (outcome, source_hash)
    return states


def _longer_than(value: object, *, length: int) -> bool:
    return isinstance(value, str) and len(value) > length


def too_long_value(table: sa.Table, frame: pd.DataFrame) -> tuple[str, str] | None:
    """(ROW_ID, column) of the first value longer than its varchar column allows, if any.

    SQLite does not enforce lengths; PostgreSQL does. Checking here makes both fail alike.
    """
    for column in table.c:
        length = getattr(column.type, "length", None)
        if (
            not isinstance(column.type, sa.String)
            or length is None
            or column.name not in frame.columns
        ):
            continue
        values = frame[column.name]
        too_long = values.map(partial(_longer_than, length=length))
        if too_long.any():
            return str(frame.loc[too_long.idxmax(), "legacy_row_id"]), column.name
    return None


def _check_upsert(
    name: str, frame: pd.DataFrame, states: dict[LegacyKey, tuple[str, str]]
) -> tuple[sa.Table, pd.DataFrame]:
    table = _table(name)
    if "legacy_row_id" not in table.c or RUN_COLUMN not in table.c:
        raise TerminalLoadError("upserts go to tables with lineage columns only", table=table.name)
    expected = {c.name for c in table.c} - {RUN_COLUMN}
    missing = sorted(expected - set(frame.columns))
    extra = sorted(set(frame.columns) - expected - {RUN_COLUMN})
    if missing or extra:
        raise TerminalLoadError(
            f"upsert frame columns differ from the model: missing {missing}, unknown {extra}",
            table=table.name,
        )
    for key in _keys(frame):
        if states.get(key, ("",))[0] != "loaded":
            raise TerminalLoadError(
                "a target row for a legacy row the ledger does not mark loaded",
                table=table.name,
                legacy_row_id=str(key[1]),
            )
    lineage = list(lineage_key_columns(table))
    pk = [c.name for c in table.primary_key.columns]
    for columns in (lineage, pk):
        repeated = frame.duplicated(subset=columns, keep="first")
        if repeated.any():
            row_id = str(frame.loc[repeated.idxmax(), "legacy_row_id"])
            raise TerminalLoadError(
                f"two target rows with one key {columns}", table=table.name, legacy_row_id=row_id
            )
    return table, frame


def _check_update(name: str, frame: pd.DataFrame) -> tuple[sa.Table, pd.DataFrame]:
    table = _table(name)
    if "id" not in frame.columns or "id" not in table.c:
        raise TerminalLoadError("an update frame needs the id column", table=table.name)
    unknown = sorted(set(frame.columns) - {c.name for c in table.c})
    forbidden = sorted(set(frame.columns) & set(_NOT_UPDATABLE) - {"id"})
    if unknown or forbidden:
        raise TerminalLoadError(
            f"update frame sets unknown columns {unknown} or key columns {forbidden}",
            table=table.name,
        )
    if frame["id"].duplicated().any():
        raise TerminalLoadError("two updates of one target row", table=table.name)
    return table, frame


def _check_quarantine(result: TransformResult, states: dict[LegacyKey, tuple[str, str]]) -> None:
    seen: set[LegacyKey] = set()
    for record in result.quarantined:
        key = (record.legacy_table, record.legacy_row_id)
        if states.get(key, ("",))[0] != "quarantined" or key in seen or not record.reasons:
            raise TerminalLoadError(
                "a quarantine record without a reason, repeated, or not quarantined in the ledger",
                table=record.legacy_table,
                legacy_row_id=record.legacy_row_id,
            )
        seen.add(key)
    for key, (outcome, _) in states.items():
        if outcome == "quarantined" and key not in seen:
            raise TerminalLoadError(
                "a quarantined ledger row without its quarantine record",
                table=key[0],
                legacy_row_id=key[1],
            )


def plan_batch(result: TransformResult) -> BatchPlan:
    """Check ``result`` against the load contract; raise :class:`TerminalLoadError` on the first breach."""
    states = _check_ledger(result)
    upserts = [
        _check_upsert(name, frame, states)
        for name, frame in result.upserts.items()
        if not frame.empty
    ]
    updates = [
        _check_update(name, frame) for name, frame in result.updates.items() if not frame.empty
    ]
    _check_quarantine(result, states)
    flags = unique_flags(result.flags)
    for flag in flags:
        if (flag.legacy_table, flag.legacy_row_id) not in states:
            raise TerminalLoadError(
                f"a {flag.code} flag on a legacy row that is not in the batch",
                table=flag.legacy_table,
                legacy_row_id=flag.legacy_row_id,
            )
    digests = output_digests(
        result.ledger,
        [(t.name, f) for t, f in upserts],
        [(t.name, f) for t, f in updates],
        result.quarantined,
        flags,
        ignore=(RUN_COLUMN,),
    )
    ledger = result.ledger.assign(**{DIGEST_COLUMN: digests})
    return BatchPlan(
        legacy_table=result.legacy_table,
        ledger=ledger,
        states={
            key: (*state, digest)
            for (key, state), digest in zip(states.items(), digests, strict=True)
        },
        upserts=upserts,
        updates=updates,
        quarantined=list(result.quarantined),
        flags=flags,
        last_key=result.last_key,
    )
