"""Facts: what some rules must know beyond the batch they transform.

Transform is pure, so flows read these from the source (through extract) and pass them
in ``BatchContext.facts[key]``. Each builder here takes the rows as read (a DataFrame, an
iterable of mappings, or a mapping ROW_ID -> other columns as ``extract.read_rows_by_key``
gives; legacy column names) and returns the ready-to-use fact.

A fact is read either once per table (``table``: bounded by the anomalies it holds) or
for each batch (``batch``: bounded by the rows the batch names), never as every row of a
table, so that memory does not grow with the legacy tables (:data:`FACT_SOURCES`).

========================================  ==============  ===============================================
key                                       needed by       built from (legacy rows), read per
========================================  ==============  ===============================================
``extension_groups``                      S_CONTACT_X     table: S_CONTACT_X rows (all columns) whose
                                                          PAR_ROW_ID occurs more than once
                                                          (:func:`build_extension_groups`)
``birth_dates``                           S_CONTACT_X,    batch: S_CONTACT ``ROW_ID, BIRTH_DT`` of the
                                          CX_PLACEMENT    persons the batch names (PAR_ROW_ID /
                                                          CHILD_CON_ID, every key variant)
                                                          (:func:`build_birth_dates`)
``case_ids_with_participants``            S_CASE          batch: CX_CASE_CON ``CASE_ID`` of the rows
                                                          whose CASE_ID is one of the batch's ROW_IDs
                                                          (:func:`build_case_ids_with_participants`)
``irregular_case_ids_with_participants``  S_CASE          table: CX_CASE_CON ``CASE_ID`` of the rows
                                                          whose CASE_ID is irregular: blanks around it
                                                          or lower case (:func:`is_irregular_key`)
                                                          (:func:`build_case_ids_with_participants`)
``relationships``                         S_PARTY_REL     batch: S_PARTY_REL ``ROW_ID, PARTY_ID,
                                                          REL_PARTY_ID, REL_TYPE_CD`` of the rows whose
                                                          PARTY_ID is one of the batch's REL_PARTY_IDs,
                                                          trimmed (:func:`build_relationships`)
``irregular_relationships``               S_PARTY_REL     table: the same columns of the rows whose
                                                          PARTY_ID has blanks around it
                                                          (:func:`is_untrimmed_key`)
                                                          (:func:`build_relationships`)
``placements_of_children``                CX_PLACEMENT    table: CX_PLACEMENT rows (at least ``ROW_ID,
                                                          CHILD_CON_ID, START_DT_TXT, END_DT_TXT``)
                                                          whose CHILD_CON_ID occurs more than once
                                                          (:func:`build_placements_of_children`)
``code_set_headers``                      S_LST_OF_VAL    table: S_LST_OF_VAL ``ROW_ID, TYPE, NAME`` of
                                                          the header rows (TYPE='LOV_TYPE'), one per
                                                          list (:func:`build_code_set_headers`)
========================================  ==============  ===============================================

Why two facts for cases and relationships: the batch reads its links exactly (an ``IN``
list), but a link written irregularly ('1-C1 ', '1-c1') belongs to its case or person
too, and no exact value finds it. Such links are anomalies (D19), few enough to gather
once per table; the rules look in both facts, and together they hold exactly what the
whole table would give.

A table's rules raise ``MissingFactError`` when a fact they need is absent: an empty
fact (no duplicates at all) must still be passed. Keys are grouped trimmed (a link with
a trailing blank still belongs to its person or case).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

import pandas as pd

from transform.codes import fold_code_value
from transform.dates import parse_text_date
from transform.errors import InputContractError
from transform.keys import key_variants
from transform.outcome import is_missing

__all__ = [
    "CODE_SET_HEADER_COLUMNS",
    "EXTENSION_CONTENT_COLUMNS",
    "FACTS_NEEDED",
    "FACT_SOURCES",
    "RELATIONSHIP_COLUMNS",
    "ExtensionGroup",
    "PlacementSpan",
    "RelationshipIndex",
    "RelationshipRow",
    "Rows",
    "build_birth_dates",
    "build_case_ids_with_participants",
    "build_code_set_headers",
    "build_extension_groups",
    "build_placements_of_children",
    "build_relationships",
    "is_irregular_key",
    "is_untrimmed_key",
    "plain_records",
]

Rows: TypeAlias = pd.DataFrame | Iterable[Mapping[str, Any]] | Mapping[str, Mapping[str, Any]]

FACTS_NEEDED: dict[str, tuple[str, ...]] = {
    "S_CONTACT_X": ("extension_groups", "birth_dates"),
    "S_CASE": ("case_ids_with_participants", "irregular_case_ids_with_participants"),
    "S_PARTY_REL": ("relationships", "irregular_relationships"),
    "CX_PLACEMENT": ("placements_of_children", "birth_dates"),
    "S_LST_OF_VAL": ("code_set_headers",),
}
"""Legacy table -> the fact keys its rules read."""

RELATIONSHIP_COLUMNS = ("ROW_ID", "PARTY_ID", "REL_PARTY_ID", "REL_TYPE_CD")
"""The S_PARTY_REL columns :func:`build_relationships` reads."""

CODE_SET_HEADER_COLUMNS = ("ROW_ID", "TYPE", "NAME")
"""The S_LST_OF_VAL columns :func:`build_code_set_headers` reads."""

LOV_TYPE = "LOV_TYPE"
"""S_LST_OF_VAL.TYPE of a list's header row (its NAME is the list's type)."""

FACT_SOURCES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "extension_groups": (
        "S_CONTACT_X",
        ("ROW_ID", "PAR_ROW_ID", "ATTRIB_03", "ATTRIB_05", "ATTRIB_14", "X_ALERT_TEXT"),
        "per batch: repeated rows of the PAR_ROW_IDs the batch looks up (every key variant, survivors of merged persons); per table: only repeated keys with blanks around them",
    ),
    "birth_dates": (
        "S_CONTACT",
        ("ROW_ID", "BIRTH_DT"),
        "per batch: rows of the persons the batch names (every key variant)",
    ),
    "case_ids_with_participants": (
        "CX_CASE_CON",
        ("CASE_ID",),
        "per batch: rows whose CASE_ID is one of the batch's ROW_IDs",
    ),
    "irregular_case_ids_with_participants": (
        "CX_CASE_CON",
        ("CASE_ID",),
        "per table: rows whose CASE_ID is irregular (is_irregular_key)",
    ),
    "relationships": (
        "S_PARTY_REL",
        RELATIONSHIP_COLUMNS,
        "per batch: rows whose PARTY_ID is one of the batch's REL_PARTY_IDs, trimmed",
    ),
    "irregular_relationships": (
        "S_PARTY_REL",
        RELATIONSHIP_COLUMNS,
        "per table: rows whose PARTY_ID has blanks around it (is_untrimmed_key)",
    ),
    "placements_of_children": (
        "CX_PLACEMENT",
        ("ROW_ID", "CHILD_CON_ID", "START_DT_TXT", "END_DT_TXT"),
        "per batch: repeated rows of the CHILD_CON_IDs the batch looks up (every key variant, survivors of merged children); per table: only repeated keys with blanks around them",
    ),
    "code_set_headers": (
        "S_LST_OF_VAL",
        CODE_SET_HEADER_COLUMNS,
        "per table: the header rows (TYPE='LOV_TYPE'), one per list",
    ),
}
"""Fact key -> (legacy table, columns to read, which rows: read per table or per batch)."""

EXTENSION_CONTENT_COLUMNS = ("ATTRIB_03", "ATTRIB_05", "ATTRIB_14", "X_ALERT_TEXT")
"""What two extension rows of one person must share to be identical copies."""


def plain_records(rows: Rows) -> list[dict[str, Any]]:
    """Rows as a list of dicts, whatever the reader gave: a DataFrame, an iterable of
    mappings, or a mapping ROW_ID -> mapping of the other columns (``read_rows_by_key``)."""
    if isinstance(rows, pd.DataFrame):
        return [{str(k): v for k, v in r.items()} for r in rows.to_dict("records")]
    if isinstance(rows, Mapping):
        return [{"ROW_ID": key, **dict(values)} for key, values in rows.items()]
    return [dict(r) for r in rows]


def _records(rows: Rows, fact: str, needed: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows as dicts, missing markers as None; a missing column is InputContractError."""
    records = plain_records(rows)
    out: list[dict[str, Any]] = []
    for record in records:
        absent = [c for c in needed if c not in record]
        if absent:
            raise InputContractError(f"fact {fact}: rows lack columns {absent}")
        out.append({k: (None if is_missing(v) else v) for k, v in record.items()})
    return out


def _key(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def is_untrimmed_key(value: Any) -> bool:
    """A link with blanks around it ('1-P1 '): no exact lookup of its trimmed key finds it."""
    return isinstance(value, str) and value != value.strip() and bool(value.strip())


def is_irregular_key(value: Any) -> bool:
    """A link whose key variants are more than itself (blanks around it, or lower case):
    it stands for a key that no exact lookup of that key finds."""
    return isinstance(value, str) and value != "" and key_variants(value) != [value]


# ---------------------------------------------------------------- S_CONTACT_X
@dataclass(frozen=True)
class ExtensionGroup:
    """The S_CONTACT_X rows of one person, when there are several.

    ``identical``: every row has the same content (:data:`EXTENSION_CONTENT_COLUMNS`):
    the lowest ROW_ID is loaded, the others excluded (IDENTICAL_DUPLICATE_EXTENSION);
    otherwise every row is quarantined DUPLICATE_EXTENSION.
    """

    row_ids: tuple[str, ...]  # sorted
    identical: bool

    @property
    def kept(self) -> str:
        return self.row_ids[0]


def build_extension_groups(rows: Rows) -> dict[str, ExtensionGroup]:
    """``extension_groups``: trimmed PAR_ROW_ID -> its :class:`ExtensionGroup` (several rows only)."""
    needed = ("ROW_ID", "PAR_ROW_ID", *EXTENSION_CONTENT_COLUMNS)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in _records(rows, "extension_groups", needed):
        key = _key(record["PAR_ROW_ID"])
        if key is not None:
            groups[key].append(record)
    fact: dict[str, ExtensionGroup] = {}
    for key, members in groups.items():
        if len(members) < 2:
            continue
        contents = {tuple(m[c] for c in EXTENSION_CONTENT_COLUMNS) for m in members}
        fact[key] = ExtensionGroup(
            tuple(sorted(str(m["ROW_ID"]) for m in members)), len(contents) == 1
        )
    return fact


# ------------------------------------------------------------- birth dates
def build_birth_dates(rows: Rows) -> dict[str, dt.datetime | dt.date | None]:
    """``birth_dates``: S_CONTACT ROW_ID (exact) -> BIRTH_DT as extracted."""
    return {
        str(r["ROW_ID"]): r["BIRTH_DT"]
        for r in _records(rows, "birth_dates", ("ROW_ID", "BIRTH_DT"))
    }


# ------------------------------------------------------------------- S_CASE
def build_case_ids_with_participants(rows: Rows) -> frozenset[str]:
    """``case_ids_with_participants`` (and its irregular part): every key variant of every
    CX_CASE_CON.CASE_ID of ``rows``."""
    found: set[str] = set()
    for record in _records(rows, "case_ids_with_participants", ("CASE_ID",)):
        value = record["CASE_ID"]
        if isinstance(value, str):
            found.update(key_variants(value))
    return frozenset(found)


# -------------------------------------------------------------- S_LST_OF_VAL
def build_code_set_headers(rows: Rows) -> dict[str, str]:
    """``code_set_headers``: list name -> the ROW_ID of its first header row (TYPE='LOV_TYPE')
    in byte order. A list has one code set: a later header of the same name is quarantined
    (DUPLICATE_CODE_SET); the other rows of ``rows`` are ignored."""
    first: dict[str, str] = {}
    for record in _records(rows, "code_set_headers", CODE_SET_HEADER_COLUMNS):
        name, row_id = record["NAME"], record["ROW_ID"]
        if record["TYPE"] != LOV_TYPE or not isinstance(name, str) or not isinstance(row_id, str):
            continue
        known = first.get(name)
        if known is None or row_id.encode() < known.encode():
            first[name] = row_id
    return first


# -------------------------------------------------------------- S_PARTY_REL
@dataclass(frozen=True)
class RelationshipRow:
    row_id: str
    party: str
    related: str
    type_key: str  # REL_TYPE_CD trimmed, blanks collapsed, case-folded


@dataclass(frozen=True)
class RelationshipIndex:
    """``relationships`` (and ``irregular_relationships``): S_PARTY_REL rows, indexed by
    (PARTY_ID, REL_PARTY_ID) trimmed."""

    by_pair: Mapping[tuple[str, str], tuple[RelationshipRow, ...]]

    def between(self, party: str, related: str) -> tuple[RelationshipRow, ...]:
        """Every row from ``party`` to ``related``."""
        return self.by_pair.get((party, related), ())


def build_relationships(rows: Rows) -> RelationshipIndex:
    pairs: dict[tuple[str, str], list[RelationshipRow]] = defaultdict(list)
    for record in _records(rows, "relationships", RELATIONSHIP_COLUMNS):
        party, related = _key(record["PARTY_ID"]), _key(record["REL_PARTY_ID"])
        if party is None or related is None:
            continue
        kind = record["REL_TYPE_CD"]
        type_key = fold_code_value(kind) if isinstance(kind, str) else ""
        pairs[(party, related)].append(
            RelationshipRow(str(record["ROW_ID"]), party, related, type_key)
        )
    return RelationshipIndex({k: tuple(v) for k, v in pairs.items()})


# ------------------------------------------------------------- CX_PLACEMENT
@dataclass(frozen=True)
class PlacementSpan:
    """One placement of a child: start and end as read from the free text (None if unreadable)."""

    row_id: str
    start: dt.date | None
    end: dt.date | None


def build_placements_of_children(rows: Rows) -> dict[str, tuple[PlacementSpan, ...]]:
    """``placements_of_children``: trimmed CHILD_CON_ID -> its placements (children with several)."""
    needed = ("ROW_ID", "CHILD_CON_ID", "START_DT_TXT", "END_DT_TXT")
    children: dict[str, list[PlacementSpan]] = defaultdict(list)
    for record in _records(rows, "placements_of_children", needed):
        child = _key(record["CHILD_CON_ID"])
        if child is None:
            continue
        start = parse_text_date(record["START_DT_TXT"], required=False).value
        end = parse_text_date(record["END_DT_TXT"], required=False).value
        children[child].append(PlacementSpan(str(record["ROW_ID"]), start, end))
    return {k: tuple(sorted(v, key=lambda s: s.row_id)) for k, v in children.items() if len(v) > 1}
