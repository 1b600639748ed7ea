"""The facts the transform rules need beyond their batch, read from the source.

Transform is pure, so what a rule must know beyond its own batch (the other
extension rows of a person, the relationships back, a child's other placements,
birth dates, whether a case has participants) is read here, through extract, and
handed over in ``BatchContext.facts``. Each fact is documented where the rule
uses it (``transform.facts``).

No fact holds a whole table: a table's facts hold its anomalies (links written
irregularly), read once per table in keyset pages of which only those rows are
kept; a batch's facts hold the rows its own rows name. Peak memory so does not
grow with the legacy tables.

Duplicate extensions and children with several placements are grouped by their
trimmed key, of the rows whose key (byte for byte) repeats. Per batch: the rows
whose key is one of the keys the batch's rules may look up, exactly (an ``IN``
list), and once per table those whose key has blanks around it, which no exact
lookup finds. Together they are, for every key the batch looks up, the group the
whole table gives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

import extract
import transform

__all__ = ["batch_facts", "table_facts"]

# Per table, the repeated rows whose key has blanks around it: completed per batch.
_UNTRIMMED_REPEATS = "untrimmed_repeats"
# Table -> (the fact, its key column, the columns its builder reads).
_GROUPED: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "S_CONTACT_X": (
        "extension_groups",
        "PAR_ROW_ID",
        transform.FACT_SOURCES["extension_groups"][1],
    ),
    "CX_PLACEMENT": (
        "placements_of_children",
        "CHILD_CON_ID",
        transform.FACT_SOURCES["placements_of_children"][1],
    ),
}
_BUILDERS: dict[str, Callable[[list[dict[str, Any]]], dict[str, Any]]] = {
    "extension_groups": transform.build_extension_groups,
    "placements_of_children": transform.build_placements_of_children,
}


def _rows_where(
    source: extract.LegacySource,
    table: str,
    columns: Sequence[str],
    column: str,
    keep: Callable[[Any], bool],
) -> list[dict[str, Any]]:
    """``columns`` of the rows of ``table`` whose ``column`` value passes ``keep``; one page held at a time."""
    at = columns.index(column)
    return [
        dict(zip(columns, row, strict=True))
        for page in extract.read_keys(source, table, columns)
        for row in page
        if keep(row[at])
    ]


def table_facts(source: extract.LegacySource, table: str) -> dict[str, Any]:
    """Facts gathered once per table per run (bounded by the anomalies they hold).

    Give them to :func:`batch_facts` for each batch of the table.
    """
    if table in _GROUPED:
        _fact, column, columns = _GROUPED[table]
        rows = extract.read_rows_where_key_repeats(
            source, table, column, columns=columns, keep=transform.is_untrimmed_key
        )
        return {_UNTRIMMED_REPEATS: rows}
    if table == "S_CASE":
        links = _rows_where(
            source, "CX_CASE_CON", ("CASE_ID",), "CASE_ID", transform.is_irregular_key
        )
        irregular = transform.build_case_ids_with_participants(links)
        return {"irregular_case_ids_with_participants": irregular}
    if table == "S_PARTY_REL":
        columns = transform.RELATIONSHIP_COLUMNS
        rels = _rows_where(source, "S_PARTY_REL", columns, "PARTY_ID", transform.is_untrimmed_key)
        return {"irregular_relationships": transform.build_relationships(rels)}
    if table == "S_LST_OF_VAL":
        columns = transform.CODE_SET_HEADER_COLUMNS
        headers = _rows_where(source, table, columns, "TYPE", lambda t: t == transform.LOV_TYPE)
        return {"code_set_headers": transform.build_code_set_headers(headers)}
    return {}


def _strings(frame: pd.DataFrame, column: str) -> list[str]:
    return [v for v in frame[column] if isinstance(v, str)]


def batch_facts(
    source: extract.LegacySource,
    table: str,
    frame: pd.DataFrame,
    *,
    once: Mapping[str, Any],
    merged_into: Mapping[str, str | None],
) -> dict[str, Any]:
    """Every fact the rules of one batch read: the table's (``once``, from :func:`table_facts`)
    and those about the rows the batch refers to: birth dates of the persons it names, the
    participants of its cases, the relationships back to its relationships, the other
    extensions and placements of its persons. ``merged_into``: the run's merge map (a
    link to a merged-away person is looked up as its survivor)."""
    facts = {k: v for k, v in once.items() if k != _UNTRIMMED_REPEATS}
    if table in _GROUPED:
        facts[_GROUPED[table][0]] = _grouped(source, table, frame, once, merged_into)
    if table == "S_CASE":
        # Exact ROW_IDs: a CASE_ID written otherwise is in the table's irregular fact.
        links = extract.read_rows_where_in(
            source, "CX_CASE_CON", "CASE_ID", _strings(frame, "ROW_ID"), ("CASE_ID",)
        )
        facts["case_ids_with_participants"] = transform.build_case_ids_with_participants(links)
    elif table == "S_PARTY_REL":
        # Trimmed: a PARTY_ID written with blanks around it is in the table's irregular fact.
        related = {v.strip() for v in _strings(frame, "REL_PARTY_ID")}
        rels = extract.read_rows_where_in(
            source, "S_PARTY_REL", "PARTY_ID", related, transform.RELATIONSHIP_COLUMNS
        )
        facts["relationships"] = transform.build_relationships(rels)
    person_column = {"S_CONTACT_X": "PAR_ROW_ID", "CX_PLACEMENT": "CHILD_CON_ID"}.get(table)
    if person_column is not None:
        keys = {k for v in _strings(frame, person_column) for k in transform.key_variants(v)}
        rows = extract.read_rows_by_key(source, "S_CONTACT", keys, ("ROW_ID", "BIRTH_DT"))
        facts["birth_dates"] = transform.build_birth_dates(rows)
    return facts


def _lookup_keys(values: Iterable[str], merged_into: Mapping[str, str | None]) -> set[str]:
    """Every key a rule may look a person link up by: each variant of each value (trimmed
    among them), and each variant of the survivor of a merged-away variant."""
    keys: set[str] = set()
    for value in values:
        for variant in transform.key_variants(value):
            keys.add(variant)
            survivor = merged_into.get(variant)
            if survivor:
                keys.update(transform.key_variants(survivor))
    return keys


def _grouped(
    source: extract.LegacySource,
    table: str,
    frame: pd.DataFrame,
    once: Mapping[str, Any],
    merged_into: Mapping[str, str | None],
) -> dict[str, Any]:
    """The groups of the batch's keys, as the whole table's repeated rows would give them."""
    if _UNTRIMMED_REPEATS not in once:
        raise ValueError(f"{table}: batch_facts needs the facts table_facts gave for the table")
    fact, column, columns = _GROUPED[table]
    keys = _lookup_keys(_strings(frame, column), merged_into)
    rows = _exact_repeats(source, table, column, (k for k in keys if k == k.strip()), columns)
    groups = _BUILDERS[fact]([*rows, *once[_UNTRIMMED_REPEATS]])
    return {key: group for key, group in groups.items() if key in keys}


def _exact_repeats(
    source: extract.LegacySource,
    table: str,
    column: str,
    values: Iterable[str],
    columns: Collection[str],
) -> list[dict[str, Any]]:
    """The rows whose ``column`` is one of ``values`` (exactly) and occurs in more than one row.

    Every row of a value is read with it, so its rows are counted in full.
    """
    rows = extract.read_rows_where_in(source, table, column, set(values), tuple(columns))
    counts = Counter(row[column] for row in rows)
    return [row for row in rows if counts[row[column]] > 1]
