"""The transform driver: one batch of one legacy table in, one TransformResult out.

For every row: the shared audit-column rules, then the table's rule (which reads the
columns through a :class:`~transform.row.RowWork`, recording reasons, flags, an
exclusion and the target rows). Then every built frame is validated against its strict
pandera schema (``lazy=True``); each failure is mapped back to its legacy row, which is
quarantined with SCHEMA_VIOLATION naming the target column. Finally the result is
assembled: upsert/update frames of the loaded rows only, one ledger row per input row,
a quarantine record (every reason, raw row) per quarantined row, and the flags of the
loaded rows.

Outcome precedence: any reason -> quarantined; else an exclusion -> excluded; else loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd
from pandas.api.types import is_object_dtype

from transform.codes import CodeLookup
from transform.contract import LINKS, columns_of
from transform.errors import InputContractError, UnknownTableError
from transform.keys import key_variants
from transform.lineage import SOURCE_HASH, modification_num, raw_row
from transform.local_time import utc
from transform.outcome import is_missing
from transform.result import LEDGER_COLUMNS, BatchContext, Flag, QuarantineRecord, TransformResult
from transform.row import NO_MATCH_ROW_ID, RowWork
from transform.schemas import UPDATE_SCHEMAS, build_frame, schema_failures
from transform.schemas.validation import object_column
from transform.tables import RULES, TableRules, audit_columns

__all__ = [
    "COLUMNS_SET_BY_UPDATES",
    "TABLE_LOAD_ORDER",
    "TARGET_TABLES_OF",
    "parent_keys",
    "transform_batch",
]

TABLE_LOAD_ORDER: tuple[str, ...] = (
    "S_USER",
    "S_LST_OF_VAL",
    "S_ADDR_PER",
    "S_CONTACT",
    "S_CONTACT_X",
    "S_CON_ADDR",
    "S_PARTY_REL",
    "S_CASE",
    "CX_CASE_CON",
    "S_INCIDENT",
    "S_INCIDENT_CON",
    "S_SRV_REQ",
    "S_EVT_ACT",
    "CX_PLACEMENT",
    "S_ACTIVITY_ATT",
    "S_AUDIT_ITEM",
)
"""The legacy tables in target foreign-key order: every parent before its children."""

TARGET_TABLES_OF: dict[str, tuple[str, ...]] = {t: RULES[t].targets for t in TABLE_LOAD_ORDER}
"""Legacy table -> the target tables it writes, the main one (the ledger's) first."""

COLUMNS_SET_BY_UPDATES: dict[str, tuple[str, ...]] = {
    table: tuple(c for c in schema.columns if c != "id") for table, schema in UPDATE_SCHEMAS.items()
}
"""Target table -> the columns another legacy table sets through ``updates`` (person: the
S_CONTACT_X columns). An upsert of the table's own legacy row carries them as None: load
must not overwrite them on conflict, or a re-run of S_CONTACT alone would erase them."""


def _rules_for(table: str) -> TableRules:
    try:
        return RULES[table]
    except KeyError:
        raise UnknownTableError(
            f"No transform rules for legacy table {table!r}. Available: {list(RULES)}"
        ) from None


def parent_keys(
    table: str, frame: pd.DataFrame, merged_into: Mapping[str, str | None] | None = None
) -> dict[str, set[str]]:
    """Legacy parent table -> every key variant the batch's link columns refer to.

    Flows fetch the ledger outcome of each into ``BatchContext.parent_outcomes``. Pass
    ``merged_into`` (the run's merge map) so that the survivors of merged-away persons
    are fetched too: without them a link to a merged person cannot be re-pointed.
    """
    _rules_for(table)
    keys: dict[str, set[str]] = {}
    for link in LINKS.get(table, ()):
        if link.column not in frame.columns:
            raise InputContractError(f"{table} batch has no column {link.column}")
        bucket = keys.setdefault(link.parent, set())
        for value in frame[link.column]:
            if not isinstance(value, str) or not value.strip() or value.strip() == NO_MATCH_ROW_ID:
                continue
            variants = key_variants(value)
            bucket.update(variants)
            if link.person and merged_into:
                for variant in variants:
                    survivor = merged_into.get(variant)
                    if survivor:
                        bucket.update(key_variants(survivor))
    return {parent: found for parent, found in keys.items() if found}


def _check_input(table: str, frame: pd.DataFrame) -> None:
    missing = [c for c in (*columns_of(table), SOURCE_HASH) if c not in frame.columns]
    if missing:
        raise InputContractError(f"{table} batch lacks columns {missing}")
    duplicated = frame["ROW_ID"][frame["ROW_ID"].duplicated()]
    if not duplicated.empty:
        raise InputContractError(f"{table} batch repeats ROW_IDs {sorted(set(duplicated))[:5]}")


def _plain(value: Any) -> Any:
    return None if is_missing(value) else value


_UNBOXED_TYPES = frozenset({str, type(None), dt.datetime, dt.date, Decimal})
"""Value types that ``DataFrame.to_dict`` returns as they are held in an object column."""


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts of plain values (missing markers as None).

    The same dicts as ``frame.to_dict("records")`` followed by :func:`_plain` on every
    value, read column by column without pandas' per-value boxing: every column of an
    extracted batch is object dtype holding str, None, datetime, date or Decimal. Any
    other frame (another dtype, or a value pandas would box, e.g. a numpy scalar) takes
    the to_dict path.
    """
    keys = [str(k) for k in frame.columns]
    if frame.columns.has_duplicates or not all(map(is_object_dtype, frame.dtypes)):
        return _boxed_records(frame)
    columns: list[list[Any]] = []
    for position in range(frame.shape[1]):
        values = frame.iloc[:, position].tolist()
        types = set(map(type, values))
        if not types <= _UNBOXED_TYPES:
            return _boxed_records(frame)
        if Decimal in types:  # the only one of these types with a missing marker (NaN)
            values = [_plain(v) if type(v) is Decimal else v for v in values]
        columns.append(values)
    return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]


def _boxed_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _plain(v) for k, v in r.items()} for r in frame.to_dict("records")]


def transform_batch(table: str, frame: pd.DataFrame, context: BatchContext) -> TransformResult:
    """Transform one batch of extracted legacy rows of ``table`` (see the module docstring)."""
    rules = _rules_for(table)
    _check_input(table, frame)
    lookup = CodeLookup.from_context(context)
    works: list[RowWork] = []
    for record in _records(frame):
        work = RowWork(table, record, context, lookup)
        audit_columns(work)
        rules.rule(work)
        works.append(work)
    built = _validate(works, rules)
    return _assemble(table, works, rules, built)


_Built = dict[tuple[bool, str], tuple[pd.DataFrame, list[int]]]
"""(update?, target table) -> the frame validated and the work index behind each of its rows."""


def _validate(works: list[RowWork], rules: TableRules) -> _Built:
    """Quarantine the rows whose target rows break a schema (SCHEMA_VIOLATION + column).

    A NULL in a NOT NULL column of a row already quarantined is the trace of a value
    rejected with its own reason, not a further problem: it is not reported again.
    Returns the frames validated, for :func:`_assemble` to keep the loaded rows of.
    """
    already = [w.quarantined for w in works]
    built: _Built = {}
    for update, tables in ((False, rules.upserts), (True, rules.updates)):
        for target in tables:
            owners: list[int] = []
            rows: list[dict[str, Any]] = []
            for i, work in enumerate(works):
                if work.exclusion and not work.quarantined:
                    continue  # not loaded, so not checked
                made = (work.updates if update else work.upserts).get(target)
                if made:
                    owners.extend([i] * len(made))
                    rows.extend(made)
            frame = build_frame(target, rows, update=update)
            built[(update, target)] = (frame, owners)
            ignored = {p for p, owner in enumerate(owners) if already[owner]}
            for failure in schema_failures(target, frame, update=update, nulls_ignored_at=ignored):
                owner = owners[failure.position]
                works[owner].reject(
                    "SCHEMA_VIOLATION",
                    f"{target}.{failure.column}",
                    f"target {target}.{failure.column} fails check {failure.check}",
                )
    return built


def _loaded_rows(target: str, update: bool, built: _Built, loaded: list[bool]) -> pd.DataFrame:
    """The frame of ``target`` holding the rows of loaded legacy rows only: the validated
    frame itself, or its loaded rows (in order, renumbered from 0)."""
    frame, owners = built[(update, target)]
    keep = [position for position, owner in enumerate(owners) if loaded[owner]]
    if len(keep) == len(owners):
        return frame
    if not keep:
        return build_frame(target, [], update=update)
    return frame.iloc[keep].reset_index(drop=True)


def _ledger_row(table: str, work: RowWork) -> tuple[Any, ...]:
    """The ledger row of ``work``, in :data:`LEDGER_COLUMNS` order."""
    outcome = work.outcome
    loaded = outcome == "loaded"
    return (
        table,
        work.row_id,
        outcome,
        work.exclusion if outcome == "excluded" else None,
        work.main_table if loaded else None,
        str(work.main_id) if loaded and work.main_id is not None else None,
        work.source_hash,
        *_ledger_lineage(work),
    )


def _ledger_lineage(work: RowWork) -> tuple[Any, Any]:
    """legacy_last_upd and legacy_modification_num, as in the row's target rows."""
    lineage = work.lineage
    if lineage is not None:
        return lineage["legacy_last_upd"], lineage["legacy_modification_num"]
    return utc(work["LAST_UPD"]), modification_num(work["MODIFICATION_NUM"])


def _ledger(table: str, works: list[RowWork]) -> pd.DataFrame:
    """One ledger row per work: object columns :data:`LEDGER_COLUMNS`, RangeIndex."""
    rows = [_ledger_row(table, w) for w in works]
    columns = zip(*rows, strict=True) if rows else ([] for _ in LEDGER_COLUMNS)
    return pd.DataFrame({c: object_column(v) for c, v in zip(LEDGER_COLUMNS, columns, strict=True)})


def _assemble(
    table: str, works: list[RowWork], rules: TableRules, built: _Built
) -> TransformResult:
    is_loaded = [w.outcome == "loaded" for w in works]
    loaded = [w for w, keep in zip(works, is_loaded, strict=True) if keep]
    upserts = {t: _loaded_rows(t, False, built, is_loaded) for t in rules.upserts}
    updates = {t: _loaded_rows(t, True, built, is_loaded) for t in rules.updates}
    quarantined = [
        QuarantineRecord(table, w.row_id, tuple(w.reasons), raw_row(table, w.row), w.source_hash)
        for w in works
        if w.quarantined
    ]
    flags = [
        Flag(
            legacy_table=table,
            legacy_row_id=w.row_id,
            target_table=w.main_table,
            target_id=None if w.main_id is None else str(w.main_id),
            code=f.code,
            field=f.field,
            original_value=f.original_value,
            normalised_value=f.normalised_value,
        )
        for w in loaded
        for f in w.flags
    ]
    return TransformResult(
        legacy_table=table,
        upserts=upserts,
        updates=updates,
        ledger=_ledger(table, works),
        quarantined=quarantined,
        flags=flags,
        last_key=max((w.row_id for w in works), default=None),
    )
