"""What transform knows of the legacy source contract (extract/legacy_schema.yaml), as constants.

Transform is pure and does not read the YAML: the parts its rules depend on are
copied here, and tests compare them with the contract (``extract.legacy_spec()``
and ``extract.pick_lists()``), so a change on either side fails a test.

* :data:`SYSTEM_COLUMNS`: the Siebel system columns every table carries.
* :data:`LEGACY_COLUMNS`: per table, its own columns in contract order (after the
  system columns).
* :data:`PICK_LISTS`: ``"TABLE.COLUMN" -> LOV TYPE`` (the code set a pick-list
  column draws its display values from).
* :data:`LINKS`: the link columns transform resolves, per table, with the parent
  table, whether the link is to a person (merges apply) and whether it is required.
  They are the contract's ``refs`` minus ``S_ADDR_PER.PER_ID`` (the stale pre-7.7
  owner, kept as text in ``address.legacy_owner_row_id``, never resolved).
"""

from __future__ import annotations

from dataclasses import dataclass

from extract import SYSTEM_COLUMNS

__all__ = [
    "LEGACY_COLUMNS",
    "LINKS",
    "PICK_LISTS",
    "SYSTEM_COLUMNS",
    "UNRESOLVED_REFS",
    "Link",
    "code_set_of",
    "columns_of",
    "link_of",
]


LEGACY_COLUMNS: dict[str, tuple[str, ...]] = {
    "S_USER": ("LOGIN", "FST_NAME", "LAST_NAME", "X_OFFICE_CD", "ACTIVE_FLG"),
    "S_LST_OF_VAL": (
        "TYPE",
        "NAME",
        "VAL",
        "LANG_ID",
        "ACTIVE_FLG",
        "ORDER_BY",
        "PAR_ROW_ID",
        "DESC_TEXT",
    ),
    "S_CONTACT": (
        "PAR_ROW_ID",
        "FST_NAME",
        "MID_NAME",
        "LAST_NAME",
        "NICK_NAME",
        "BIRTH_DT",
        "SEX_MF",
        "DECEASED_FLG",
        "DECEASED_DT",
        "X_PHN",
        "PR_PER_ADDR_ID",
        "CELL_PH_NUM",
        "HOME_PH_NUM",
        "EMAIL_ADDR",
        "INTEGRATION_ID",
        "ACTIVE_FLG",
        "X_UNBORN_FLG",
        "X_INDIG_STATUS_CD",
    ),
    "S_CONTACT_X": ("PAR_ROW_ID", "ATTRIB_03", "ATTRIB_05", "ATTRIB_14", "X_ALERT_TEXT"),
    "S_ADDR_PER": (
        "ADDR_NAME",
        "ADDR",
        "ADDR_LINE_2",
        "CITY",
        "STATE",
        "ZIPCODE",
        "COUNTRY",
        "PER_ID",
        "X_NFA_FLG",
    ),
    "S_CON_ADDR": (
        "CONTACT_ID",
        "ADDR_PER_ID",
        "ADDR_TYPE_CD",
        "START_DT",
        "END_DT",
        "ACTIVE_FLG",
        "MAIN_ADDR_FLG",
    ),
    "S_PARTY_REL": (
        "PARTY_ID",
        "REL_PARTY_ID",
        "REL_TYPE_CD",
        "START_DT",
        "END_DT",
        "X_BIOLOGICAL_FLG",
    ),
    "S_CASE": (
        "CASE_NUM",
        "NAME",
        "TYPE_CD",
        "STATUS_CD",
        "OPEN_DT",
        "CLOSED_DT",
        "PR_POSTN_ID",
        "X_OFFICE_CD",
        "X_LEGAL_STATUS_CD",
        "X_MIS_FILE_NUM",
        "X_CLOSE_RSN_CD",
    ),
    "CX_CASE_CON": ("CASE_ID", "CON_ID", "ROLE_CD", "PRIMARY_FLG", "START_DT", "END_DT"),
    "S_INCIDENT": (
        "INCIDENT_NUM",
        "TYPE_CD",
        "STATUS_CD",
        "REPORTED_DT",
        "X_SCREEN_DECISION_CD",
        "X_RESPONSE_PRIORITY_CD",
        "X_SCREEN_DT",
        "X_REPORTER_TYPE_CD",
        "X_REPORTER_NAME",
        "X_REPORTER_PHONE",
        "CASE_ID",
        "DESC_TEXT",
        "X_FINDING_CD",
    ),
    "S_INCIDENT_CON": ("INCIDENT_ID", "CON_ID", "ROLE_CD", "X_ALLEGATION_CD"),
    "S_SRV_REQ": (
        "SR_NUM",
        "SR_TYPE_CD",
        "SR_STAT_ID",
        "CST_CON_ID",
        "X_CASE_ID",
        "X_INCIDENT_ID",
        "ACT_OPEN_DT",
        "ACT_CLOSE_DT",
        "DESC_TEXT",
    ),
    "S_EVT_ACT": (
        "TODO_CD",
        "EVT_STAT_CD",
        "NAME",
        "COMMENTS_LONG",
        "TODO_PLAN_START_DT",
        "TODO_ACTL_START_DT",
        "TODO_ACTL_END_DT",
        "TARGET_PER_ID",
        "SRA_SR_ID",
        "X_CASE_ID",
        "X_INCIDENT_ID",
        "PRIV_FLG",
        "X_ASSESS_DECISION_CD",
        "X_RISK_LEVEL_CD",
        "X_NOTE_SEQ",
    ),
    "CX_PLACEMENT": (
        "CHILD_CON_ID",
        "CASE_ID",
        "RESOURCE_CON_ID",
        "PLCMT_TYPE_CD",
        "START_DT_TXT",
        "END_DT_TXT",
        "END_RSN_CD",
        "LEGAL_AUTH_CD",
        "ACTIVE_FLG",
    ),
    "S_ACTIVITY_ATT": (
        "PAR_ROW_ID",
        "FILE_NAME",
        "FILE_EXT",
        "FILE_SIZE",
        "FILE_DATE",
        "FILE_REV_NUM",
        "FILE_SRC_TYPE",
        "X_CASE_ID",
    ),
    "S_AUDIT_ITEM": (
        "BUSCOMP_NAME",
        "TBL_NAME",
        "RECORD_ID",
        "FIELD_NAME",
        "OLD_VAL",
        "NEW_VAL",
        "OPERATION_CD",
        "USER_ID",
        "OPERATION_DT",
    ),
}

PICK_LISTS: dict[str, str] = {
    "S_USER.X_OFFICE_CD": "ICM_OFFICE",
    "S_CONTACT.SEX_MF": "SEX_MF",
    "S_CONTACT.X_INDIG_STATUS_CD": "ICM_INDIG_STATUS",
    "S_CON_ADDR.ADDR_TYPE_CD": "ADDRESS_TYPE",
    "S_PARTY_REL.REL_TYPE_CD": "CONTACT_RELATIONSHIP_TYPE",
    "S_CASE.TYPE_CD": "ICM_CASE_TYPE",
    "S_CASE.STATUS_CD": "ICM_CASE_STATUS",
    "S_CASE.X_OFFICE_CD": "ICM_OFFICE",
    "S_CASE.X_LEGAL_STATUS_CD": "ICM_LEGAL_STATUS",
    "S_CASE.X_CLOSE_RSN_CD": "ICM_CASE_CLOSE_RSN",
    "CX_CASE_CON.ROLE_CD": "ICM_CASE_ROLE",
    "S_INCIDENT.TYPE_CD": "ICM_INC_TYPE",
    "S_INCIDENT.STATUS_CD": "ICM_INC_STATUS",
    "S_INCIDENT.X_SCREEN_DECISION_CD": "ICM_SCREEN_DECISION",
    "S_INCIDENT.X_RESPONSE_PRIORITY_CD": "ICM_RESPONSE_PRIORITY",
    "S_INCIDENT.X_REPORTER_TYPE_CD": "ICM_REPORTER_TYPE",
    "S_INCIDENT.X_FINDING_CD": "ICM_FINDING",
    "S_INCIDENT_CON.ROLE_CD": "ICM_INC_ROLE",
    "S_INCIDENT_CON.X_ALLEGATION_CD": "ICM_ALLEGATION",
    "S_SRV_REQ.SR_TYPE_CD": "SR_TYPE",
    "S_SRV_REQ.SR_STAT_ID": "SR_STATUS",
    "S_EVT_ACT.TODO_CD": "TODO_TYPE",
    "S_EVT_ACT.EVT_STAT_CD": "EVENT_STATUS",
    "S_EVT_ACT.X_ASSESS_DECISION_CD": "ICM_ASSESS_DECISION",
    "S_EVT_ACT.X_RISK_LEVEL_CD": "ICM_RISK_LEVEL",
    "CX_PLACEMENT.PLCMT_TYPE_CD": "ICM_PLCMT_TYPE",
    "CX_PLACEMENT.END_RSN_CD": "ICM_PLCMT_END_RSN",
    "CX_PLACEMENT.LEGAL_AUTH_CD": "ICM_LEGAL_AUTH",
}


@dataclass(frozen=True)
class Link:
    """A link column resolved against its parent table's ledger outcomes."""

    column: str
    parent: str
    person: bool = False  # a link to S_CONTACT: merged-away persons are re-pointed
    required: bool = False  # NULL is MISSING_REQUIRED (the target column is NOT NULL)


LINKS: dict[str, tuple[Link, ...]] = {
    "S_CONTACT": (Link("PR_PER_ADDR_ID", "S_ADDR_PER"),),
    "S_CONTACT_X": (Link("PAR_ROW_ID", "S_CONTACT", required=True),),
    "S_CON_ADDR": (
        Link("CONTACT_ID", "S_CONTACT", person=True, required=True),
        Link("ADDR_PER_ID", "S_ADDR_PER", required=True),
    ),
    "S_PARTY_REL": (
        Link("PARTY_ID", "S_CONTACT", person=True, required=True),
        Link("REL_PARTY_ID", "S_CONTACT", person=True, required=True),
    ),
    "CX_CASE_CON": (
        Link("CASE_ID", "S_CASE", required=True),
        Link("CON_ID", "S_CONTACT", person=True, required=True),
    ),
    "S_INCIDENT": (Link("CASE_ID", "S_CASE"),),
    "S_INCIDENT_CON": (
        Link("INCIDENT_ID", "S_INCIDENT", required=True),
        Link("CON_ID", "S_CONTACT", person=True, required=True),
    ),
    "S_SRV_REQ": (
        Link("CST_CON_ID", "S_CONTACT", person=True),
        Link("X_CASE_ID", "S_CASE"),
        Link("X_INCIDENT_ID", "S_INCIDENT"),
    ),
    "S_EVT_ACT": (
        Link("TARGET_PER_ID", "S_CONTACT", person=True),
        Link("SRA_SR_ID", "S_SRV_REQ"),
        Link("X_CASE_ID", "S_CASE"),
        Link("X_INCIDENT_ID", "S_INCIDENT"),
    ),
    "CX_PLACEMENT": (
        Link("CHILD_CON_ID", "S_CONTACT", person=True, required=True),
        Link("CASE_ID", "S_CASE"),
        Link("RESOURCE_CON_ID", "S_CONTACT", person=True),
    ),
    "S_ACTIVITY_ATT": (
        Link("PAR_ROW_ID", "S_EVT_ACT", required=True),
        Link("X_CASE_ID", "S_CASE"),
    ),
}

UNRESOLVED_REFS: dict[str, tuple[str, ...]] = {"S_ADDR_PER": ("PER_ID",)}
"""Contract refs deliberately not resolved (kept as text)."""


def columns_of(table: str) -> tuple[str, ...]:
    """Every column of a legacy table in contract order (system columns first)."""
    return SYSTEM_COLUMNS + LEGACY_COLUMNS[table]


def code_set_of(table: str, column: str) -> str:
    """The LOV type (code set) of a pick-list column; KeyError names the column."""
    try:
        return PICK_LISTS[f"{table}.{column}"]
    except KeyError:
        raise KeyError(f"{table}.{column} is not a pick-list column") from None


def link_of(table: str, column: str) -> Link:
    """The :class:`Link` of a link column."""
    try:
        return _LINK_OF[(table, column)]
    except KeyError:
        raise KeyError(f"{table}.{column} is not a link column") from None


_LINK_OF: dict[tuple[str, str], Link] = {
    (table, link.column): link
    for table, links in LINKS.items()
    for link in reversed(links)  # the first link of a column wins
}
