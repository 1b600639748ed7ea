"""S_CONTACT_X -> updates of its person (``updates['person']``) and person_alias rows.

* PAR_ROW_ID: the person must be loaded; none: ORPHAN_EXTENSION; quarantined or
  excluded: PARENT_QUARANTINED. The ledger row points at the person.
* Several rows for one person (fact ``extension_groups``): all identical -> the lowest
  ROW_ID is loaded (flag IDENTICAL_DUPLICATE_EXTENSION naming the copies), the others
  excluded by rule IDENTICAL_DUPLICATE_EXTENSION; differing -> every row quarantined
  DUPLICATE_EXTENSION (which one is right cannot be decided).
* ATTRIB_03: aliases, one person_alias row each (alias_seq 1..n, id
  ``target_id('S_CONTACT_X', ROW_ID, 'alias:<n>')``); ';'-joined: ALIASES_SPLIT.
* ATTRIB_05: kept as text (legacy_birth_date_text); a readable date other than the
  person's BIRTH_DT (fact ``birth_dates``): DOB_CONFLICT, BIRTH_DT kept. An ambiguous
  slash date agreeing with BIRTH_DT either way round is no conflict.
* ATTRIB_14 -> has_safety_alert; X_ALERT_TEXT -> alert_text (repaired, truncation flagged).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from transform.dates import birth_date, parse_text_date
from transform.facts import ExtensionGroup
from transform.identity import target_id
from transform.row import RowWork

__all__ = ["ALIAS_SEPARATOR", "extension_row", "split_aliases"]

ALIAS_SEPARATOR = ";"


def split_aliases(value: str | None) -> list[str]:
    """The aliases of ATTRIB_03: split on ';', each trimmed, empty parts left out."""
    if value is None:
        return []
    return [part.strip() for part in value.split(ALIAS_SEPARATOR) if part.strip()]


def _duplicates(work: RowWork, person_key: str | None) -> None:
    groups: dict[str, ExtensionGroup] = work.fact("extension_groups")
    raw = work["PAR_ROW_ID"]
    candidates = [person_key, raw.strip() if isinstance(raw, str) else None]
    group = next(
        (
            groups[k]
            for k in candidates
            if k is not None and k in groups and work.row_id in groups[k].row_ids
        ),
        None,
    )
    if group is None:
        return
    if not group.identical:
        work.reject(
            "DUPLICATE_EXTENSION",
            "PAR_ROW_ID",
            f"{len(group.row_ids)} differing rows for one person",
        )
    elif work.row_id != group.kept:
        work.exclude("IDENTICAL_DUPLICATE_EXTENSION")
    else:
        copies = ",".join(r for r in group.row_ids if r != group.kept)
        work.flag("IDENTICAL_DUPLICATE_EXTENSION", "PAR_ROW_ID", copies, group.kept)


def _swapped(day: dt.date) -> dt.date | None:
    try:
        return dt.date(day.year, day.day, day.month)
    except ValueError:
        return None


def _dob_conflict(work: RowWork, person_key: str) -> None:
    births: dict[str, Any] = work.fact("birth_dates")
    recorded = birth_date(births.get(person_key), as_of=work.context.as_of).value
    text = parse_text_date(work["ATTRIB_05"], required=False)
    if text.value is None or text.value == recorded:
        return
    if text.flag == "AMBIGUOUS_DATE" and _swapped(text.value) == recorded:
        return
    work.flag("DOB_CONFLICT", "ATTRIB_05", work["ATTRIB_05"], recorded)


def _aliases(work: RowWork, person_id: object) -> None:
    raw = work["ATTRIB_03"]
    repaired = work.text("ATTRIB_03")
    aliases = split_aliases(repaired)
    if len(aliases) > 1:
        work.flag("ALIASES_SPLIT", "ATTRIB_03", raw, " | ".join(aliases))
    for seq, alias in enumerate(aliases, start=1):
        work.upsert(
            "person_alias",
            {
                "id": target_id("S_CONTACT_X", work.row_id, f"alias:{seq}"),
                "person_id": person_id,
                "alias_seq": seq,
                "full_name": alias,
            },
        )


def extension_row(work: RowWork) -> None:
    person_key = work.link_key("PAR_ROW_ID", orphan_code="ORPHAN_EXTENSION")
    _duplicates(work, person_key)
    person_id = target_id("S_CONTACT", person_key) if person_key is not None else None
    if person_key is not None:
        work.set_main("person", person_id)
        _dob_conflict(work, person_key)
    work.update(
        "person",
        {
            "id": person_id,
            "has_safety_alert": work.yes_no("ATTRIB_14"),
            "alert_text": work.text("X_ALERT_TEXT", limit=2000),
            "legacy_birth_date_text": work.verbatim("ATTRIB_05"),
            "extension_row_id": work.row_id,
            "extension_source_hash": work.source_hash,
        },
    )
    _aliases(work, person_id)
