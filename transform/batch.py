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

from collections.abc import Mapping
from typing import Any

import pandas as pd

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


def transform_batch(table: str, frame: pd.DataFrame, context: BatchContext) -> TransformResult:
    """Transform one batch of extracted legacy rows of ``table`` (see the module docstring)."""
    rules = _rules_for(table)
    _check_input(table, frame)
    lookup = CodeLookup.from_context(context)
    works: list[RowWork] = []
    for record in frame.to_dict("records"):
        work = RowWork(table, {str(k): _plain(v) for k, v in record.items()}, context, lookup)
        audit_columns(work)
        rules.rule(work)
        works.append(work)
    _validate(works, rules)
    return _assemble(table, works, rules)


def _validate(works: list[RowWork], rules: TableRules) -> None:
    """Quarantine the rows whose target rows break a schema (SCHEMA_VIOLATION + column).

    A NULL in a NOT NULL column of a row already quarantined is the trace of a value
    rejected with its own reason, not a further problem: it is not reported again.
    """
    already = [w.quarantined for w in works]
    for update, tables in ((False, rules.upserts), (True, rules.updates)):
        for target in tables:
            owners: list[int] = []
            rows: list[dict[str, Any]] = []
            for i, work in enumerate(works):
                if work.exclusion and not work.quarantined:
                    continue  # not loaded, so not checked
                built = (work.updates if update else work.upserts).get(target, [])
                owners.extend([i] * len(built))
                rows.extend(built)
            frame = build_frame(target, rows, update=update)
            for failure in schema_failures(target, frame, update=update):
                owner = owners[failure.position]
                if failure.check == "not_nullable" and already[owner]:
                    continue
                works[owner].reject(
                    "SCHEMA_VIOLATION",
                    f"{target}.{failure.column}",
                    f"target {target}.{failure.column} fails check {failure.check}",
                )


def _ledger_row(table: str, work: RowWork) -> dict[str, Any]:
    outcome = work.outcome
    loaded = outcome == "loaded"
    return {
        "legacy_table": table,
        "legacy_row_id": work.row_id,
        "outcome": outcome,
        "rule": work.exclusion if outcome == "excluded" else None,
        "target_table": work.main_table if loaded else None,
        "target_id": str(work.main_id) if loaded and work.main_id is not None else None,
        "source_hash": work.source_hash,
        "legacy_last_upd": utc(work["LAST_UPD"]),
        "legacy_modification_num": modification_num(work["MODIFICATION_NUM"]),
    }


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=object) for c in columns})


def _assemble(table: str, works: list[RowWork], rules: TableRules) -> TransformResult:
    loaded = [w for w in works if w.outcome == "loaded"]
    upserts = {
        t: build_frame(t, [r for w in loaded for r in w.upserts.get(t, [])]) for t in rules.upserts
    }
    updates = {
        t: build_frame(t, [r for w in loaded for r in w.updates.get(t, [])], update=True)
        for t in rules.updates
    }
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
        ledger=_frame([_ledger_row(table, w) for w in works], LEDGER_COLUMNS),
        quarantined=quarantined,
        flags=flags,
        last_key=max((w.row_id for w in works), default=None),
    )
