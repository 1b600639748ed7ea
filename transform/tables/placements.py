"""CX_PLACEMENT -> placement (dates are free text from the 2012 conversion).

* START_DT_TXT required, END_DT_TXT optional, read by ``parse_text_date``: known formats
  DATE_FORMAT_NORMALISED, day/month ambiguous AMBIGUOUS_DATE (read month-first),
  unreadable INVALID_DATE, empty start MISSING_REQUIRED.
* End before start: CHRONOLOGY_VIOLATION on END_DT_TXT.
* Start before the child's birth (fact ``birth_dates``): CHRONOLOGY_VIOLATION on
  START_DT_TXT.
* Two placements of one child at once (fact ``placements_of_children``; periods are
  [start, end), an open end runs on): the later-starting one (on the same day, the higher
  ROW_ID) PLACEMENT_OVERLAP.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from transform.dates import birth_date, check_order, parse_text_date
from transform.facts import PlacementSpan
from transform.identity import target_id
from transform.row import RowWork

__all__ = ["overlaps", "placement_row"]


def overlaps(a: PlacementSpan, b: PlacementSpan) -> bool:
    """True when two placements share a day ([start, end), None end = still running)."""
    if a.start is None or b.start is None:
        return False
    a_end, b_end = a.end or dt.date.max, b.end or dt.date.max
    return a.start < b_end and b.start < a_end


def _overlap(work: RowWork, child: str | None, own: PlacementSpan) -> None:
    groups: dict[str, tuple[PlacementSpan, ...]] = work.fact("placements_of_children")
    raw = work["CHILD_CON_ID"]
    keys = [k for k in (child, raw.strip() if isinstance(raw, str) else None) if k]
    spans = next((groups[k] for k in keys if k in groups), ())
    for other in spans:
        if other.row_id == own.row_id or not overlaps(own, other):
            continue
        # overlaps() is only true when both starts are known
        if (own.start or dt.date.min, own.row_id) > (other.start or dt.date.min, other.row_id):
            work.reject("PLACEMENT_OVERLAP", "START_DT_TXT", f"overlaps placement {other.row_id}")
            return


def _before_birth(work: RowWork, child: str | None, start: dt.date | None) -> None:
    if child is None or start is None:
        return
    births: dict[str, Any] = work.fact("birth_dates")
    born = birth_date(births.get(child), as_of=work.context.as_of).value
    if born is not None and start < born:
        work.reject(
            "CHRONOLOGY_VIOLATION", "START_DT_TXT", "placement starts before the child's birth"
        )


def placement_row(work: RowWork) -> None:
    ident = work.own_id()
    work.set_main("placement", ident)
    start = work.take("START_DT_TXT", parse_text_date(work["START_DT_TXT"], required=True))
    end = work.take("END_DT_TXT", parse_text_date(work["END_DT_TXT"], required=False))
    if not check_order(start, end):
        work.reject("CHRONOLOGY_VIOLATION", "END_DT_TXT", "placement ends before it starts")
    child = work.link_key("CHILD_CON_ID")
    _before_birth(work, child, start)
    if check_order(start, end):
        _overlap(work, child, PlacementSpan(work.row_id, start, end))
    work.upsert(
        "placement",
        {
            "id": ident,
            "child_person_id": None if child is None else target_id("S_CONTACT", child),
            "case_id": work.link("CASE_ID"),
            "caregiver_person_id": work.link("RESOURCE_CON_ID"),
            "placement_type_code": work.code("PLCMT_TYPE_CD"),
            "start_date": start,
            "end_date": end,
            "end_reason_code": work.code("END_RSN_CD"),
            "legal_authority_code": work.code("LEGAL_AUTH_CD"),
            "is_active": work.yes_no("ACTIVE_FLG"),
        },
    )
