"""S_CONTACT -> person, and restricted.person_identifier (BC_PHN from X_PHN, LEGACY_MIS
from INTEGRATION_ID; id ``target_id('S_CONTACT', ROW_ID, id_type)``).

* Names: encodings repaired (flagged), placeholders NULL + PLACEHOLDER_VALUE ('Baby Boy'
  as a first name too); an empty or placeholder family name is MISSING_REQUIRED.
* record_status: 'void' for a name starting 'DO NOT USE', 'inactive' for ACTIVE_FLG
  false, else 'active'; the first two flagged SOFT_DELETED (never dropped).
* BIRTH_DT: in the future DOB_IN_FUTURE; 1900-01-01 NULL + PLACEHOLDER_DATE.
  DECEASED_DT before the birth date: CHRONOLOGY_VIOLATION.
* PR_PER_ADDR_ID: 'No Match Row Id' is NULL + NO_MATCH_ROW_ID; otherwise a link to the
  address (orphan / quarantined address quarantine the person).
* Phones: ``NNN-NNN-NNNN``; two numbers in one field keep the first (OVERLOADED_FIELD).
* PHN: spaces removed (PHN_NORMALISED); an invalid PHN is stored unverified (PHN_INVALID).
  LEGACY_MIS identifiers are stored as given, unverified (nothing to check them against).
* The S_CONTACT_X columns (has_safety_alert ...) are None here: S_CONTACT_X updates them.
"""

from __future__ import annotations

from transform.dates import birth_date, legacy_date
from transform.identifiers import is_valid_phn, normalise_phn
from transform.identity import target_id
from transform.names import is_soft_deleted_name
from transform.phones import normalise_phone
from transform.row import NO_MATCH_ROW_ID, RowWork
from transform.tables.person_names import read_name

__all__ = ["NAME_COLUMNS", "person_row"]

NAME_COLUMNS = ("FST_NAME", "MID_NAME", "LAST_NAME", "NICK_NAME")


def _record_status(work: RowWork) -> str:
    active = work.yes_no("ACTIVE_FLG")
    for column in NAME_COLUMNS:
        if is_soft_deleted_name(work[column]):
            work.flag("SOFT_DELETED", column, work[column], "void")
            return "void"
    if active is False:
        work.flag("SOFT_DELETED", "ACTIVE_FLG", work["ACTIVE_FLG"], "inactive")
        return "inactive"
    return "active"


def _primary_address(work: RowWork) -> object:
    raw = work["PR_PER_ADDR_ID"]
    if isinstance(raw, str) and raw.strip() == NO_MATCH_ROW_ID:
        work.flag("NO_MATCH_ROW_ID", "PR_PER_ADDR_ID", raw, None)
        return None
    return work.link("PR_PER_ADDR_ID")


def _identifiers(work: RowWork) -> None:
    person_id = work.main_id
    phn = work.take("X_PHN", normalise_phn(work["X_PHN"]))
    if phn is not None:
        work.upsert(
            "person_identifier",
            {
                "id": target_id("S_CONTACT", work.row_id, "BC_PHN"),
                "person_id": person_id,
                "id_type": "BC_PHN",
                "id_value": phn,
                "is_verified": is_valid_phn(phn),
            },
        )
    mis = work["INTEGRATION_ID"]
    if isinstance(mis, str) and mis.strip():
        work.upsert(
            "person_identifier",
            {
                "id": target_id("S_CONTACT", work.row_id, "LEGACY_MIS"),
                "person_id": person_id,
                "id_type": "LEGACY_MIS",
                "id_value": mis,
                "is_verified": False,
            },
        )


def person_row(work: RowWork) -> None:
    ident = work.own_id()
    work.set_main("person", ident)
    born = work.take("BIRTH_DT", birth_date(work["BIRTH_DT"], as_of=work.context.as_of))
    died = work.take("DECEASED_DT", legacy_date(work["DECEASED_DT"]))
    if born is not None and died is not None and died < born:
        work.reject("CHRONOLOGY_VIOLATION", "DECEASED_DT", "deceased before birth")
    work.upsert(
        "person",
        {
            "id": ident,
            "given_name": read_name(work, "FST_NAME", first_name=True),
            "middle_name": read_name(work, "MID_NAME"),
            "family_name": read_name(work, "LAST_NAME", required=True),
            "preferred_name": read_name(work, "NICK_NAME", first_name=True),
            "birth_date": born,
            "sex_code": work.code("SEX_MF"),
            "is_unborn": work.yes_no("X_UNBORN_FLG"),
            "is_deceased": work.yes_no("DECEASED_FLG"),
            "deceased_date": died,
            "indigenous_status_code": work.code("X_INDIG_STATUS_CD"),
            "primary_address_id": _primary_address(work),
            "cell_phone": work.take("CELL_PH_NUM", normalise_phone(work["CELL_PH_NUM"])),
            "home_phone": work.take("HOME_PH_NUM", normalise_phone(work["HOME_PH_NUM"])),
            "email": work.text("EMAIL_ADDR"),
            "record_status": _record_status(work),
            "has_safety_alert": None,
            "alert_text": None,
            "legacy_birth_date_text": None,
            "extension_row_id": None,
            "extension_source_hash": None,
        },
    )
    _identifiers(work)
