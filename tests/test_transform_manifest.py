"""Transform agrees with the synthetic generator's manifest, row by row, in memory.

The generator's world (clean rows + every injected defect variant) is transformed table
by table in TABLE_LOAD_ORDER, with the facts, merge map and parent outcomes a flow would
gather; every manifest entry must get exactly its action and code, matching must find
exactly the injected pairs, and rows without an injected defect must load unflagged
(but for the kept copy of an identical extension, which names its excluded copies).
"""

from __future__ import annotations

import collections
import csv
import hashlib
import io
import json
from importlib import resources
from typing import Any

import pandas as pd
import pytest

import transform
from synthetic.generator import build_world, inject_defects
from synthetic.manifest import DefectEntry
from synthetic.narrative import NoteSpec
from synthetic.timeline import AS_OF
from transform.contract import columns_of

SEED, PERSONS = 7, 300


def _oracle(column: str, value: Any) -> Any:
    """The value as extract delivers it: notes rendered, '' NULL, CHAR flags right-trimmed."""
    if isinstance(value, NoteSpec):
        value = value.render()
    if isinstance(value, str) and column.endswith("_FLG"):
        value = value.rstrip()
    return None if value == "" else value


def _extracted(rows: list[dict[str, Any]], table: str) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        record = {c: _oracle(c, row.get(c)) for c in columns_of(table)}
        record["source_hash"] = hashlib.sha256(json.dumps(record, default=str).encode()).hexdigest()
        out.append(record)
    return out


def _repeats(rows: list[dict[str, Any]], column: str) -> list[dict[str, Any]]:
    counts = collections.Counter(r[column] for r in rows if r[column] is not None)
    return [r for r in rows if r[column] is not None and counts[r[column]] > 1]


def _merge_map(tables: dict[str, list[dict[str, Any]]]) -> dict[str, str | None]:
    persons = {r["ROW_ID"] for r in tables["S_CONTACT"]}
    edges: dict[str, set[str | None]] = collections.defaultdict(set)
    for r in tables["S_AUDIT_ITEM"]:
        if (
            r["OPERATION_CD"] == "Delete (Merge Record)"
            and r["TBL_NAME"] == "S_CONTACT"
            and r["RECORD_ID"]
        ):
            edges[r["RECORD_ID"]].add(r["NEW_VAL"])
    merged: dict[str, str | None] = {}
    for record, survivors in edges.items():
        survivor = next(iter(survivors)) if len(survivors) == 1 else None
        merged[record] = survivor if survivor in persons else None
    return merged


def _facts(table: str, tables: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    rows = tables[table]
    facts: dict[str, Any] = {}
    if table == "S_CONTACT_X":
        facts["extension_groups"] = transform.build_extension_groups(_repeats(rows, "PAR_ROW_ID"))
    if table == "S_CASE":
        facts["case_ids_with_participants"] = transform.build_case_ids_with_participants(
            tables["CX_CASE_CON"]
        )
        facts["irregular_case_ids_with_participants"] = frozenset()
    if table == "S_PARTY_REL":
        facts["relationships"] = transform.build_relationships(rows)
        facts["irregular_relationships"] = transform.build_relationships([])
    if table == "CX_PLACEMENT":
        facts["placements_of_children"] = transform.build_placements_of_children(
            _repeats(rows, "CHILD_CON_ID")
        )
    if table in ("S_CONTACT_X", "CX_PLACEMENT"):
        facts["birth_dates"] = transform.build_birth_dates(tables["S_CONTACT"])
    if table == "S_LST_OF_VAL":
        facts["code_set_headers"] = transform.build_code_set_headers(rows)
    return facts


@pytest.fixture(scope="module")
def migrated() -> tuple[
    list[DefectEntry], dict[str, list[dict[str, Any]]], dict[str, transform.TransformResult]
]:
    world = build_world(SEED, PERSONS)
    injector = inject_defects(world, seed=SEED, defect_rate=0.03, dialect="sqlite")
    tables = {name: _extracted(rows, name) for name, rows in world.tables.items()}
    codes: dict[tuple[str, str], transform.CodeEntry] = {}
    for row in tables["S_LST_OF_VAL"]:
        if row["TYPE"] not in (None, "LOV_TYPE") and row["NAME"] and row["VAL"]:
            entry = transform.CodeEntry(
                row["TYPE"], row["NAME"], row["VAL"], row["ACTIVE_FLG"] == "Y"
            )
            if (entry.code_set, entry.display_value) not in codes or entry.is_active:
                codes[(entry.code_set, entry.display_value)] = entry
    text = resources.files("transform").joinpath("data", "crosswalk.csv").read_text("utf-8")
    crosswalk = {
        (r["code_set"], r["legacy_value"]): r["code"] for r in csv.DictReader(io.StringIO(text))
    }
    merged = _merge_map(tables)
    ledger: dict[tuple[str, str], str] = {}
    results: dict[str, transform.TransformResult] = {}
    for table in transform.TABLE_LOAD_ORDER:
        frame = pd.DataFrame(
            tables[table], columns=[*columns_of(table), "source_hash"], dtype=object
        )
        keys = transform.parent_keys(table, frame, merged)
        context = transform.BatchContext(
            as_of=AS_OF,
            codes=codes,
            crosswalk=crosswalk,
            users=frozenset(r["ROW_ID"] for r in tables["S_USER"]),
            parent_outcomes={
                (p, k): ledger[(p, k)] for p, ks in keys.items() for k in ks if (p, k) in ledger
            },
            merged_into=merged,
            facts=_facts(table, tables),
        )
        result = transform.transform_batch(table, frame, context)
        results[table] = result
        ledger.update(
            {
                (table, r): o
                for r, o in zip(
                    result.ledger["legacy_row_id"], result.ledger["outcome"], strict=True
                )
            }
        )
    return injector.entries, tables, results


def _mismatch(entry: DefectEntry, result: transform.TransformResult) -> str | None:
    row = result.ledger[result.ledger["legacy_row_id"] == entry.row_id].to_dict("records")[0]
    reasons = {
        (r.code, r.column)
        for q in result.quarantined
        if q.legacy_row_id == entry.row_id
        for r in q.reasons
    }
    flags = {(f.code, f.field) for f in result.flags if f.legacy_row_id == entry.row_id}
    if entry.action == "quarantine":
        ok = row["outcome"] == "quarantined" and any(
            code == entry.code and (entry.column is None or column == entry.column)
            for code, column in reasons
        )
    elif entry.action == "exclude":
        ok = row["outcome"] == "excluded" and row["rule"] == entry.code
    else:
        ok = row["outcome"] == "loaded" and (entry.code, entry.column or "") in flags
    return (
        None
        if ok
        else f"{entry.variant} {entry.row_id}: {row['outcome']} {sorted(reasons)} {sorted(flags)}"
    )


def test_every_manifest_entry_gets_its_outcome(migrated: Any) -> None:
    entries, _, results = migrated
    checked = [e for e in entries if e.action != "match" and e.defect != "D21"]
    expected = {d.variant for d in transform.DEFECTS if d.action != "match" and d.defect != "D21"}
    assert {e.variant for e in checked} == expected  # every variant injected at least once
    problems = [p for e in checked if (p := _mismatch(e, results[e.table])) is not None]
    assert problems == []


def test_matching_finds_exactly_the_injected_pairs(migrated: Any) -> None:
    entries, tables, _ = migrated
    found = transform.find_match_candidates(tables["S_CONTACT"])
    pairs = dict(
        zip(
            zip(found["person_a_row_id"], found["person_b_row_id"], strict=True),
            found["code"],
            strict=True,
        )
    )
    expected = {
        tuple(sorted((e.row_id, e.related_row_id))): e.code for e in entries if e.action == "match"
    }
    assert expected and pairs == expected


def test_rows_without_a_defect_load_unflagged(migrated: Any) -> None:
    entries, _, results = migrated
    defective = {e.row_id for e in entries} | {
        e.related_row_id for e in entries if e.related_row_id
    }
    problems = [
        (table, q.legacy_row_id, q.reason_codes)
        for table, result in results.items()
        for q in result.quarantined
        if q.legacy_row_id not in defective
    ]
    problems += [
        (table, f.legacy_row_id, f.code)
        for table, result in results.items()
        for f in result.flags
        if f.legacy_row_id not in defective and f.code != "IDENTICAL_DUPLICATE_EXTENSION"
    ]
    assert problems == []
