"""Duplicate extensions and children's placements, read per batch, decide as the whole table would.

``extension_groups`` (S_CONTACT_X) and ``placements_of_children`` (CX_PLACEMENT) used to
be built once per table from every row whose key repeats: children with several
placements are not anomalies, so that grew with the table. Now a batch reads the
repeated rows of the keys its rules may look up (trimmed, upper-cased, a merged-away
child's survivor), and the table only the repeated keys written with blanks around
them. Every batch must get exactly the transform results of the whole-table fact.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa
from test_extract_sources import insert_rows, legacy_database, open_source

import extract
import synthetic
import transform
from flows.facts import batch_facts, table_facts
from flows.pipeline import reference_context

GROUPED: dict[str, tuple[str, str, Callable[[Any], dict[str, Any]]]] = {
    "S_CONTACT_X": ("extension_groups", "PAR_ROW_ID", transform.build_extension_groups),
    "CX_PLACEMENT": (
        "placements_of_children",
        "CHILD_CON_ID",
        transform.build_placements_of_children,
    ),
}
PREFIXES = "012"  # extra ROW_IDs sort before, among and after the generated ones (1-...)


def _rows(conn: sa.Connection, table: str) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(extract.legacy_table(table).select())]


def _single(rows: list[dict[str, Any]], column: str) -> list[dict[str, Any]]:
    """Rows whose ``column`` occurs once, in ROW_ID order."""
    counts = Counter(r[column] for r in rows)
    return sorted((r for r in rows if counts[r[column]] == 1), key=lambda r: r["ROW_ID"])


def load_grouped(engine: sa.Engine, files: Path) -> None:
    """Generated data, plus keys that repeat written several ways, and merged-away children."""
    synthetic.generate(engine, persons=300, seed=11, attachments_dir=files)
    with engine.connect() as conn:
        placements = _rows(conn, "CX_PLACEMENT")
        extensions = _rows(conn, "S_CONTACT_X")
        persons = {r[0] for r in conn.execute(sa.text('SELECT "ROW_ID" FROM "S_CONTACT"'))}
    merges = extract.read_merge_map(extract.source_from_engine(engine))
    extra: dict[str, list[dict[str, Any]]] = {"CX_PLACEMENT": [], "S_CONTACT_X": []}

    def add(table: str, row: dict[str, Any], key: str, prefix: str = "") -> None:
        n = len(extra[table])
        prefix = prefix or PREFIXES[n % len(PREFIXES)]
        column = GROUPED[table][1]
        extra[table].append({**row, "ROW_ID": f"{prefix}-ZG{n:03d}", column: key})

    for table, rows in (("CX_PLACEMENT", placements), ("S_CONTACT_X", extensions)):
        column = GROUPED[table][1]
        singles = [r for r in _single(rows, column) if r[column] in persons]
        a, b, c, d, e = singles[:5]
        add(table, a, a[column] + " ")  # padded, twice: a group of its own under the trimmed key
        add(table, a, a[column] + " ")
        add(table, b, b[column])  # the key twice exactly, and once padded on each side
        add(table, b, " " + b[column])
        add(table, b, b[column] + " ")
        add(table, c, c[column].lower())  # lower case, twice
        add(
            table,
            {**c, **({"ATTRIB_03": "differs"} if table == "S_CONTACT_X" else {})},
            c[column].lower(),
        )
        add(table, d, "No Match Row Id")
        add(table, d, "No Match Row Id ")
        add(table, e, e[column])  # twice exactly, twice padded: one group of four
        add(table, e, e[column] + " ")
        add(table, e, e[column] + " ")
        add(table, d, "No Match Row Id ")
        add(table, e, e[column])  # twice exactly, twice padded: one group of four
        add(table, e, e[column] + " ")
        add(table, e, e[column] + " ")
    # A merged-away child is looked up as its survivor: placements of both overlap.
    template = _single(placements, "CHILD_CON_ID")[5]
    survivors = [(m, s) for m, s in sorted(merges.items()) if s in persons and m not in persons]
    for merged, survivor in survivors[:3]:
        add("CX_PLACEMENT", template, survivor, "0")  # first batch
        add("CX_PLACEMENT", template, survivor, "0")
        add("CX_PLACEMENT", template, merged, "9")  # last batch, after the survivor's: rejected
    assert len(survivors) >= 3
    for table, rows in extra.items():
        insert_rows(engine, table, rows)


def _context(src: extract.LegacySource, facts: dict[str, Any]) -> transform.BatchContext:
    base = reference_context(src, as_of=synthetic.AS_OF)
    loaded = {
        (table, key): "loaded"
        for table in ("S_CONTACT", "S_CASE")
        for page in extract.read_keys(src, table, ("ROW_ID",))
        for (key,) in page
    }
    return transform.BatchContext(
        as_of=base.as_of,
        codes=base.codes,
        crosswalk=base.crosswalk,
        users=base.users,
        parent_outcomes=loaded,
        merged_into=base.merged_into,
        facts=facts,
    )


def _decisions(result: transform.TransformResult) -> tuple[Any, ...]:
    return (result.ledger, sorted(result.quarantined, key=repr), sorted(result.flags, key=repr))


@pytest.mark.parametrize("engine_kind", ["sqlite", "postgresql"])
def test_grouped_facts_per_batch_decide_as_the_whole_table(
    engine_kind: str, tmp_path: Path
) -> None:
    with legacy_database(engine_kind, tmp_path, lambda e: load_grouped(e, tmp_path / "f")) as url:
        src = open_source(f"{engine_kind}-sa", url)
        try:
            codes = {table: _compare(src, table) for table in GROUPED}
        finally:
            src.close()
    assert {"DUPLICATE_EXTENSION", "IDENTICAL_DUPLICATE_EXTENSION"} <= codes["S_CONTACT_X"]
    assert "PLACEMENT_OVERLAP" in codes["CX_PLACEMENT"]


def _compare(src: extract.LegacySource, table: str) -> set[str]:
    """Transform every batch with the per-batch fact and with the whole table's; the codes seen."""
    fact, column, build = GROUPED[table]
    whole = build(extract.read_rows_where_key_repeats(src, table, column))
    once = table_facts(src, table)
    held = [row for rows in once.values() for row in rows]
    assert held and all(transform.is_untrimmed_key(row[column]) for row in held)
    base = _context(src, {})
    codes: set[str] = set()
    overlaps_of_merged = 0
    for batch in extract.read_batches(src, table, batch_size=17):
        facts = batch_facts(src, table, batch.frame, once=once, merged_into=base.merged_into)
        assert all(whole[key] == group for key, group in facts[fact].items())
        per_batch = transform.transform_batch(table, batch.frame, _context(src, facts))
        reference = {**facts, fact: whole}
        expected = transform.transform_batch(table, batch.frame, _context(src, reference))
        got, want = _decisions(per_batch), _decisions(expected)
        pd.testing.assert_frame_equal(got[0], want[0])
        assert got[1:] == want[1:]
        codes |= {f.code for f in expected.flags}
        for record in expected.quarantined:
            codes |= {reason.code for reason in record.reasons}
            overlaps_of_merged += record.legacy_row_id.startswith("9-ZG") and any(
                reason.code == "PLACEMENT_OVERLAP" for reason in record.reasons
            )
    if table == "CX_PLACEMENT":
        assert overlaps_of_merged == 3
    return codes


def test_a_table_holds_only_its_repeated_keys_written_with_blanks(tmp_path: Path) -> None:
    def load(engine: sa.Engine) -> None:
        row = {"START_DT_TXT": dt.date(2020, 1, 1).isoformat(), "CASE_ID": "1-C"}
        children = ["1-A", "1-A", "1-A ", "1-A ", " 1-B", "1-B", "1-c", "1-c", "1-D "]
        insert_rows(
            engine,
            "CX_PLACEMENT",
            [{**row, "ROW_ID": f"1-P{i}", "CHILD_CON_ID": c} for i, c in enumerate(children)],
        )

    with legacy_database("sqlite", tmp_path, load) as url:
        src = open_source("sqlite-sa", url)
        try:
            once = table_facts(src, "CX_PLACEMENT")
            frame = next(extract.read_batches(src, "CX_PLACEMENT", batch_size=1)).frame  # 1-A
            facts = batch_facts(src, "CX_PLACEMENT", frame, once=once, merged_into={})
        finally:
            src.close()
    (held,) = once.values()
    assert [(r["ROW_ID"], r["CHILD_CON_ID"]) for r in held] == [("1-P2", "1-A "), ("1-P3", "1-A ")]
    spans = facts["placements_of_children"]
    assert list(spans) == ["1-A"]
    assert [s.row_id for s in spans["1-A"]] == ["1-P0", "1-P1", "1-P2", "1-P3"]
