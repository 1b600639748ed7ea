"""S_PARTY_REL -> person_relationship (D17), with the facts ``relationships`` (rows read for
the batch) and ``irregular_relationships`` (rows whose PARTY_ID has blanks around it).

* PARTY_ID and REL_PARTY_ID the same person: SELF_RELATIONSHIP.
* A directed type and the same type back (A 'Parent Of' B, B 'Parent Of' A): both rows
  RELATIONSHIP_CYCLE.
* A row and its inverse (A 'Parent Of' B, B 'Child Of' A; A 'Sibling' B, B 'Sibling' A):
  the higher ROW_ID is excluded by rule INVERSE_RELATIONSHIP (the lower one is loaded and
  says it all). Inverses are looked up in :data:`INVERSE_TYPES` on the folded display value.
* END_DT before START_DT: CHRONOLOGY_VIOLATION.

ROW_IDs are compared as text (byte order, the order extract reads them in).
"""

from __future__ import annotations

from transform.codes import fold_code_value
from transform.dates import check_order, legacy_date
from transform.facts import RelationshipIndex, RelationshipRow
from transform.identity import target_id
from transform.row import RowWork

__all__ = ["INVERSE_TYPES", "inverse_of", "relationship_row"]

_PAIRS: tuple[tuple[str, str], ...] = (
    ("Parent Of", "Child Of"),
    ("Grandparent Of", "Grandchild Of"),
    ("Step-Parent Of", "Step-Child Of"),
    ("Foster Parent Of", "Foster Child Of"),
    ("Guardian Of", "Ward Of"),
    ("Aunt/Uncle Of", "Niece/Nephew Of"),
    ("Caregiver Of", "Cared For By"),
    ("Sibling", "Sibling"),
    ("Sibling Of", "Sibling Of"),
    ("Half-Sibling", "Half-Sibling"),
    ("Step-Sibling", "Step-Sibling"),
    ("Spouse Of", "Spouse Of"),
    ("Spouse", "Spouse"),
    ("Partner Of", "Partner Of"),
    ("Cousin", "Cousin"),
    ("Cousin Of", "Cousin Of"),
)

INVERSE_TYPES: dict[str, str] = {
    **{fold_code_value(a): fold_code_value(b) for a, b in _PAIRS},
    **{fold_code_value(b): fold_code_value(a) for a, b in _PAIRS},
}
"""Folded relationship type -> the folded type of the inverse relationship."""


def inverse_of(type_key: str) -> str | None:
    return INVERSE_TYPES.get(type_key)


def _rows_between(work: RowWork, party: str, related: str) -> list[RelationshipRow]:
    """Every S_PARTY_REL row from ``party`` to ``related`` (trimmed), in ROW_ID order.

    The batch's fact holds the rows whose PARTY_ID is written trimmed, the irregular
    one those written with blanks around it: together, every such row.
    """
    found: dict[str, RelationshipRow] = {}
    for key in ("relationships", "irregular_relationships"):
        index: RelationshipIndex = work.fact(key)
        found.update((row.row_id, row) for row in index.between(party, related))
    return sorted(found.values(), key=lambda row: row.row_id)


def _pair_rules(work: RowWork, party: str, related: str) -> None:
    kind = work["REL_TYPE_CD"]
    type_key = fold_code_value(kind) if isinstance(kind, str) else ""
    inverse = inverse_of(type_key)
    for other in _rows_between(work, related, party):
        if other.row_id == work.row_id:
            continue
        if inverse is not None and inverse != type_key and other.type_key == type_key:
            work.reject(
                "RELATIONSHIP_CYCLE",
                "REL_PARTY_ID",
                f"{other.row_id} is the same relationship back",
            )
        elif inverse is not None and other.type_key == inverse and work.row_id > other.row_id:
            work.exclude("INVERSE_RELATIONSHIP")


def _party(work: RowWork, column: str) -> str | None:
    raw = work[column]
    return raw.strip() or None if isinstance(raw, str) else None


def relationship_row(work: RowWork) -> None:
    ident = work.own_id()
    work.set_main("person_relationship", ident)
    person_key = work.link_key("PARTY_ID")
    related_key = work.link_key("REL_PARTY_ID")
    party, related = _party(work, "PARTY_ID"), _party(work, "REL_PARTY_ID")
    same_resolved = person_key is not None and person_key == related_key
    if same_resolved or (party is not None and party == related):
        work.reject("SELF_RELATIONSHIP", "REL_PARTY_ID", "a person related to itself")
    if party is not None and related is not None:
        _pair_rules(work, party, related)
    start = work.take("START_DT", legacy_date(work["START_DT"]))
    end = work.take("END_DT", legacy_date(work["END_DT"]))
    if not check_order(start, end):
        work.reject("CHRONOLOGY_VIOLATION", "END_DT", "relationship ends before it starts")
    work.upsert(
        "person_relationship",
        {
            "id": ident,
            "person_id": None if person_key is None else target_id("S_CONTACT", person_key),
            "related_person_id": None
            if related_key is None
            else target_id("S_CONTACT", related_key),
            "relationship_type_code": work.code("REL_TYPE_CD"),
            "start_date": start,
            "end_date": end,
            "is_biological": work.yes_no("X_BIOLOGICAL_FLG"),
        },
    )
