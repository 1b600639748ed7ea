"""S_CASE -> case_file; CX_CASE_CON -> case_participant.

Case:
* CLOSED_DT before OPEN_DT: CHRONOLOGY_VIOLATION.
* Status 'Closed' with no CLOSED_DT, or 'Open' with one: STATUS_DATE_MISMATCH on
  CLOSED_DT; nothing derived (D25). The status is read from its code and its display
  value, first word: 'closed...' / 'open...'.
* Status 'Entered in Error': loaded, flagged SOFT_DELETED on STATUS_CD (D16).
* No CX_CASE_CON row names the case (facts ``case_ids_with_participants``, read for the
  batch, and ``irregular_case_ids_with_participants``, the CASE_IDs written with blanks
  around them or in lower case): loaded, flagged NO_PARTICIPANTS on the whole row (D03).

Participant: both links required; END_DT before START_DT: CHRONOLOGY_VIOLATION.
"""

from __future__ import annotations

from transform.codes import fold_code_value
from transform.dates import check_order, legacy_date
from transform.row import RowWork

__all__ = ["case_participant_row", "case_row", "status_kind"]

ENTERED_IN_ERROR = "entered in error"


def _words(value: str | None) -> str:
    return fold_code_value(value.replace("_", " ")) if isinstance(value, str) else ""


def status_kind(display: str | None, code: str | None) -> str | None:
    """'closed', 'open', 'void' (Entered in Error) or None, from a status value and code."""
    for words in (_words(code), _words(display)):
        if words == ENTERED_IN_ERROR:
            return "void"
        first = words.split(" ", 1)[0] if words else ""
        if first in ("closed", "open"):
            return first
    return None


def _status_rules(work: RowWork, status: str | None, closed: object) -> None:
    kind = status_kind(work["STATUS_CD"], status)
    if kind == "void":
        work.flag("SOFT_DELETED", "STATUS_CD", work["STATUS_CD"], status)
    elif kind == "closed" and closed is None:
        work.flag("STATUS_DATE_MISMATCH", "CLOSED_DT", None, None)
    elif kind == "open" and closed is not None:
        work.flag("STATUS_DATE_MISMATCH", "CLOSED_DT", work["CLOSED_DT"], closed)


def case_row(work: RowWork) -> None:
    ident = work.own_id()
    work.set_main("case_file", ident)
    opened = work.take("OPEN_DT", legacy_date(work["OPEN_DT"]))
    closed = work.take("CLOSED_DT", legacy_date(work["CLOSED_DT"]))
    if not check_order(opened, closed):
        work.reject("CHRONOLOGY_VIOLATION", "CLOSED_DT", "case closed before it was opened")
    status = work.code("STATUS_CD")
    _status_rules(work, status, closed)
    with_participants: frozenset[str] = work.fact("case_ids_with_participants")
    irregular: frozenset[str] = work.fact("irregular_case_ids_with_participants")
    if work.row_id not in with_participants and work.row_id not in irregular:
        work.flag("NO_PARTICIPANTS", "", None, None)
    work.upsert(
        "case_file",
        {
            "id": ident,
            "case_number": work.verbatim("CASE_NUM"),
            "name": work.text("NAME"),
            "case_type_code": work.code("TYPE_CD"),
            "status_code": status,
            "opened_on": opened,
            "closed_on": closed,
            "owner_position_row_id": work.verbatim("PR_POSTN_ID"),
            "office_code": work.code("X_OFFICE_CD"),
            "legal_status_code": work.code("X_LEGAL_STATUS_CD"),
            "legacy_mis_file_number": work.verbatim("X_MIS_FILE_NUM"),
            "close_reason_code": work.code("X_CLOSE_RSN_CD"),
        },
    )


def case_participant_row(work: RowWork) -> None:
    ident = work.own_id()
    work.set_main("case_participant", ident)
    start = work.take("START_DT", legacy_date(work["START_DT"]))
    end = work.take("END_DT", legacy_date(work["END_DT"]))
    if not check_order(start, end):
        work.reject("CHRONOLOGY_VIOLATION", "END_DT", "participation ends before it starts")
    work.upsert(
        "case_participant",
        {
            "id": ident,
            "case_id": work.link("CASE_ID"),
            "person_id": work.link("CON_ID"),
            "role_code": work.code("ROLE_CD"),
            "is_primary": work.yes_no("PRIMARY_FLG"),
            "start_date": start,
            "end_date": end,
        },
    )
