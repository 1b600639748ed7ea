"""Whole-table and per-batch facts the transform rules need, read from the source.

Transform is pure, so what a rule must know beyond its own batch (the other
extension rows of a person, every relationship, a child's other placements,
birth dates) is read here, through extract, and handed over in
``BatchContext.facts``. Each fact is documented where the rule uses it
(``transform.facts``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import extract
import transform

__all__ = ["batch_facts", "table_facts"]


def table_facts(source: extract.LegacySource, table: str) -> dict[str, Any]:
    """Facts gathered once per table per run (bounded by the anomalies or by a few key columns)."""
    if table == "S_CONTACT_X":
        rows = extract.read_rows_where_key_repeats(source, "S_CONTACT_X", "PAR_ROW_ID")
        return {"extension_groups": transform.build_extension_groups(rows)}
    if table == "S_CASE":
        keys = extract.read_columns(source, "CX_CASE_CON", ("CASE_ID",))
        return {"case_ids_with_participants": transform.build_case_ids_with_participants(keys)}
    if table == "S_PARTY_REL":
        rels = extract.read_columns(
            source, "S_PARTY_REL", ("ROW_ID", "PARTY_ID", "REL_PARTY_ID", "REL_TYPE_CD")
        )
        return {"relationships": transform.build_relationships(rels)}
    if table == "CX_PLACEMENT":
        rows = extract.read_rows_where_key_repeats(source, "CX_PLACEMENT", "CHILD_CON_ID")
        return {"placements_of_children": transform.build_placements_of_children(rows)}
    return {}


def batch_facts(source: extract.LegacySource, table: str, frame: pd.DataFrame) -> dict[str, Any]:
    """Facts about the rows one batch refers to (birth dates of the persons it names)."""
    person_column = {"S_CONTACT_X": "PAR_ROW_ID", "CX_PLACEMENT": "CHILD_CON_ID"}.get(table)
    if person_column is None:
        return {}
    keys = {
        k for v in frame[person_column] if isinstance(v, str) for k in transform.key_variants(v)
    }
    rows = extract.read_rows_by_key(source, "S_CONTACT", keys, ("ROW_ID", "BIRTH_DT"))
    return {"birth_dates": transform.build_birth_dates(rows)}
