"""The facts the transform rules need beyond their batch, read from the source.

Transform is pure, so what a rule must know beyond its own batch (the other
extension rows of a person, the relationships back, a child's other placements,
birth dates, whether a case has participants) is read here, through extract, and
handed over in ``BatchContext.facts``. Each fact is documented where the rule
uses it (``transform.facts``).

No fact holds a whole table: a table's facts hold its anomalies (rows whose key
repeats, links written irregularly), read once per table in keyset pages of
which only those rows are kept; a batch's facts hold the rows its own rows name.
Peak memory so does not grow with the legacy tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

import extract
import transform

__all__ = ["batch_facts", "table_facts"]


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
    """Facts gathered once per table per run (bounded by the anomalies they hold)."""
    if table == "S_CONTACT_X":
        rows = extract.read_rows_where_key_repeats(source, "S_CONTACT_X", "PAR_ROW_ID")
        return {"extension_groups": transform.build_extension_groups(rows)}
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
    if table == "CX_PLACEMENT":
        rows = extract.read_rows_where_key_repeats(source, "CX_PLACEMENT", "CHILD_CON_ID")
        return {"placements_of_children": transform.build_placements_of_children(rows)}
    return {}


def _strings(frame: pd.DataFrame, column: str) -> list[str]:
    return [v for v in frame[column] if isinstance(v, str)]


def batch_facts(source: extract.LegacySource, table: str, frame: pd.DataFrame) -> dict[str, Any]:
    """Facts about the rows one batch refers to: birth dates of the persons it names, the
    participants of its cases, the relationships back to its relationships."""
    if table == "S_CASE":
        # Exact ROW_IDs: a CASE_ID written otherwise is in the table's irregular fact.
        links = extract.read_rows_where_in(
            source, "CX_CASE_CON", "CASE_ID", _strings(frame, "ROW_ID"), ("CASE_ID",)
        )
        return {"case_ids_with_participants": transform.build_case_ids_with_participants(links)}
    if table == "S_PARTY_REL":
        # Trimmed: a PARTY_ID written with blanks around it is in the table's irregular fact.
        related = {v.strip() for v in _strings(frame, "REL_PARTY_ID")}
        rels = extract.read_rows_where_in(
            source, "S_PARTY_REL", "PARTY_ID", related, transform.RELATIONSHIP_COLUMNS
        )
        return {"relationships": transform.build_relationships(rels)}
    person_column = {"S_CONTACT_X": "PAR_ROW_ID", "CX_PLACEMENT": "CHILD_CON_ID"}.get(table)
    if person_column is None:
        return {}
    keys = {k for v in _strings(frame, person_column) for k in transform.key_variants(v)}
    rows = extract.read_rows_by_key(source, "S_CONTACT", keys, ("ROW_ID", "BIRTH_DT"))
    return {"birth_dates": transform.build_birth_dates(rows)}
