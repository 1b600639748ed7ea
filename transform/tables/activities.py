"""S_SRV_REQ -> service_request; S_EVT_ACT -> activity; S_ACTIVITY_ATT -> attachment.

Their date-times (ACT_OPEN_DT, TODO_*_DT, FILE_DATE) are recorded in UTC like the system
columns (only S_INCIDENT's business times are local).

Service request: closed before opened: CHRONOLOGY_VIOLATION; DESC_TEXT as for intakes.

Activity (notes, assessments):
* COMMENTS_LONG: NUL removed (NUL_REMOVED), mojibake repaired; exactly at the old 16 KB
  cap (:data:`COMMENTS_CAP` characters) and ending mid-word: body_suspected_truncated
  true + TRUNCATION_SUSPECT; a PHN or phone number typed in: PII_IN_FREE_TEXT (text kept).
* CREATED more than :data:`LATE_ENTRY_DAYS` days after TODO_ACTL_START_DT: LATE_ENTRY.
* TODO_ACTL_END_DT before TODO_ACTL_START_DT: CHRONOLOGY_VIOLATION.

Attachment: metadata only; sha256, storage_key and binary_status are None here: load
fills them after reading ``<ROW_ID>_<FILE_REV_NUM>.SAF`` (and flags a missing, empty or
mis-sized file).
"""

from __future__ import annotations

import datetime as dt

from transform.dates import check_order
from transform.local_time import utc
from transform.row import RowWork
from transform.tables.free_text import flag_pii
from transform.text import is_truncation_suspect

__all__ = [
    "COMMENTS_CAP",
    "LATE_ENTRY_DAYS",
    "activity_row",
    "attachment_row",
    "service_request_row",
]

COMMENTS_CAP = 16 * 1024
LATE_ENTRY_DAYS = 30
DESCRIPTION_LIMIT = 2000


def service_request_row(work: RowWork) -> None:
    ident = work.own_id()
    work.set_main("service_request", ident)
    opened, closed = utc(work["ACT_OPEN_DT"]), utc(work["ACT_CLOSE_DT"])
    if not check_order(opened, closed):
        work.reject("CHRONOLOGY_VIOLATION", "ACT_CLOSE_DT", "closed before it was opened")
    flag_pii(work, "DESC_TEXT")
    work.upsert(
        "service_request",
        {
            "id": ident,
            "sr_number": work.verbatim("SR_NUM"),
            "sr_type_code": work.code("SR_TYPE_CD"),
            "status_code": work.code("SR_STAT_ID"),
            "requester_person_id": work.link("CST_CON_ID"),
            "case_id": work.link("X_CASE_ID"),
            "intake_report_id": work.link("X_INCIDENT_ID"),
            "opened_at": opened,
            "closed_at": closed,
            "description": work.text("DESC_TEXT", limit=DESCRIPTION_LIMIT),
        },
    )


def _late_entry(work: RowWork) -> None:
    created, started = work["CREATED"], work["TODO_ACTL_START_DT"]
    if created is None or started is None:
        return
    if created - started > dt.timedelta(days=LATE_ENTRY_DAYS):
        work.flag("LATE_ENTRY", "CREATED", created, started)


def activity_row(work: RowWork) -> None:
    ident = work.own_id()
    work.set_main("activity", ident)
    started, ended = utc(work["TODO_ACTL_START_DT"]), utc(work["TODO_ACTL_END_DT"])
    if not check_order(started, ended):
        work.reject("CHRONOLOGY_VIOLATION", "TODO_ACTL_END_DT", "activity ends before it starts")
    _late_entry(work)
    flag_pii(work, "COMMENTS_LONG")
    truncated = is_truncation_suspect(work["COMMENTS_LONG"], COMMENTS_CAP)
    work.upsert(
        "activity",
        {
            "id": ident,
            "activity_type_code": work.code("TODO_CD"),
            "status_code": work.code("EVT_STAT_CD"),
            "subject": work.text("NAME"),
            "body": work.text("COMMENTS_LONG", limit=COMMENTS_CAP),
            "body_suspected_truncated": truncated,
            "planned_at": utc(work["TODO_PLAN_START_DT"]),
            "started_at": started,
            "ended_at": ended,
            "about_person_id": work.link("TARGET_PER_ID"),
            "service_request_id": work.link("SRA_SR_ID"),
            "case_id": work.link("X_CASE_ID"),
            "intake_report_id": work.link("X_INCIDENT_ID"),
            "is_private": work.yes_no("PRIV_FLG"),
            "assessment_decision_code": work.code("X_ASSESS_DECISION_CD"),
            "risk_level_code": work.code("X_RISK_LEVEL_CD"),
            "note_sequence": work.whole_number("X_NOTE_SEQ"),
        },
    )


def attachment_row(work: RowWork) -> None:
    ident = work.own_id()
    work.set_main("attachment", ident)
    work.upsert(
        "attachment",
        {
            "id": ident,
            "activity_id": work.link("PAR_ROW_ID"),
            "case_id": work.link("X_CASE_ID"),
            "file_name": work.text("FILE_NAME"),
            "file_ext": work.verbatim("FILE_EXT"),
            "size_bytes": work.whole_number("FILE_SIZE"),
            "file_date": utc(work["FILE_DATE"]),
            "revision": work.verbatim("FILE_REV_NUM"),
            "source_type": work.verbatim("FILE_SRC_TYPE"),
            "sha256": None,
            "storage_key": None,
            "binary_status": None,
        },
    )
