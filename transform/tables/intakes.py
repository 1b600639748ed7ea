"""S_INCIDENT -> intake_report + restricted.intake_reporter; S_INCIDENT_CON -> intake_participant.

Intake report:
* REPORTED_DT and X_SCREEN_DT are local (America/Vancouver) wall-clock times: stored in
  UTC; a time in the fall-back hour AMBIGUOUS_LOCAL_TIME (first occurrence), in the
  spring-forward gap NONEXISTENT_LOCAL_TIME.
* Screened before reported: CHRONOLOGY_VIOLATION on X_SCREEN_DT.
* DESC_TEXT: repaired, TRUNCATION_SUSPECT at 2000 characters mid-word, PII_IN_FREE_TEXT.
* CASE_ID optional link.
* The reporter (X_REPORTER_*; confidential) goes to restricted.intake_reporter, id
  ``target_id('S_INCIDENT', ROW_ID, 'reporter')``, when any of its columns is set.
"""

from __future__ import annotations

from transform.dates import check_order
from transform.identity import target_id
from transform.local_time import local_to_utc
from transform.phones import normalise_phone
from transform.row import RowWork
from transform.tables.free_text import flag_pii
from transform.tables.person_names import read_name

__all__ = ["DESCRIPTION_LIMIT", "intake_participant_row", "intake_row"]

DESCRIPTION_LIMIT = 2000
REPORTER_COLUMNS = ("X_REPORTER_TYPE_CD", "X_REPORTER_NAME", "X_REPORTER_PHONE")


def _reporter(work: RowWork, report_id: object) -> None:
    if all(work[c] is None for c in REPORTER_COLUMNS):
        return
    name = read_name(work, "X_REPORTER_NAME")
    work.upsert(
        "intake_reporter",
        {
            "id": target_id("S_INCIDENT", work.row_id, "reporter"),
            "intake_report_id": report_id,
            "reporter_type_code": work.code("X_REPORTER_TYPE_CD"),
            "reporter_name": name,
            "reporter_phone": work.take(
                "X_REPORTER_PHONE", normalise_phone(work["X_REPORTER_PHONE"])
            ),
        },
    )


def intake_row(work: RowWork) -> None:
    ident = work.own_id()
    work.set_main("intake_report", ident)
    reported = work.take("REPORTED_DT", local_to_utc(work["REPORTED_DT"]))
    screened = work.take("X_SCREEN_DT", local_to_utc(work["X_SCREEN_DT"]))
    if not check_order(reported, screened):
        work.reject("CHRONOLOGY_VIOLATION", "X_SCREEN_DT", "screened before it was reported")
    flag_pii(work, "DESC_TEXT")
    work.upsert(
        "intake_report",
        {
            "id": ident,
            "report_number": work.verbatim("INCIDENT_NUM"),
            "report_type_code": work.code("TYPE_CD"),
            "status_code": work.code("STATUS_CD"),
            "reported_at": reported,
            "screened_at": screened,
            "screening_decision_code": work.code("X_SCREEN_DECISION_CD"),
            "response_priority_code": work.code("X_RESPONSE_PRIORITY_CD"),
            "finding_code": work.code("X_FINDING_CD"),
            "case_id": work.link("CASE_ID"),
            "description": work.text("DESC_TEXT", limit=DESCRIPTION_LIMIT),
        },
    )
    _reporter(work, ident)


def intake_participant_row(work: RowWork) -> None:
    ident = work.own_id()
    work.set_main("intake_participant", ident)
    work.upsert(
        "intake_participant",
        {
            "id": ident,
            "intake_report_id": work.link("INCIDENT_ID"),
            "person_id": work.link("CON_ID"),
            "role_code": work.code("ROLE_CD"),
            "allegation_code": work.code("X_ALLEGATION_CD"),
        },
    )
