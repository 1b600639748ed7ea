"""The pick lists (S_LST_OF_VAL) of the synthetic ICM database, and the crosswalk's old spellings.

Each list is ``TYPE -> ((NAME, VAL, active), ...)``: NAME is the language-independent
code, VAL the display value that business columns store. Every list named in
``pick_lists`` of extract/legacy_schema.yaml is defined here. VALs are unique
within a list (also case-folded and trimmed), never longer than 30 characters
(the business columns' width), and a retired value (ACTIVE_FLG='N') never shares
its VAL with an active one.

``RENAMED`` holds old spellings that are in no list but in
transform/data/crosswalk.csv (D09 renamed_code); ``UNKNOWN_VALUES`` are in neither.
"""

from __future__ import annotations

__all__ = [
    "LISTS",
    "RENAMED",
    "UNKNOWN_VALUES",
    "active_values",
    "code_of",
    "crosswalk_rows",
    "retired_values",
    "val",
]

Entry = tuple[str, str, bool]

LISTS: dict[str, tuple[Entry, ...]] = {
    "ICM_OFFICE": (
        ("VIC", "Victoria", True),
        ("SAA", "Saanich", True),
        ("LAN", "Langford", True),
        ("NAN", "Nanaimo", True),
        ("CTN", "Courtenay", True),
        ("VDT", "Vancouver - Downtown", True),
        ("VEA", "Vancouver - East", True),
        ("SNE", "Surrey - Newton", True),
        ("SGU", "Surrey - Guildford", True),
        ("BBY", "Burnaby", True),
        ("RMD", "Richmond", True),
        ("KAM", "Kamloops", True),
        ("KEL", "Kelowna", True),
        ("PGE", "Prince George", True),
        ("TER", "Terrace", True),
        ("WLK", "Williams Lake", True),
        ("FSJ", "Fort St. John", True),
        ("NEL", "Nelson", True),
        ("CHW", "Chilliwack", True),
        ("ABB", "Abbotsford", True),
        ("VFS", "Victoria - Fort Street", False),
    ),
    "SEX_MF": (
        ("M", "Male", True),
        ("F", "Female", True),
        ("X", "Another Gender", True),
        ("U", "Unknown", True),
    ),
    "ICM_INDIG_STATUS": (
        ("FN_ON", "First Nations On Reserve", True),
        ("FN_OFF", "First Nations Off Reserve", True),
        ("METIS", "Métis", True),
        ("INUIT", "Inuit", True),
        ("NISGAA", "Nisga'a Citizen", True),
        ("NOT_INDIG", "Not Indigenous", True),
        ("UNKNOWN", "Not Known", True),
        ("DECLINED", "Declined to Answer", True),
        ("ABORIGINAL", "Aboriginal", False),
    ),
    "ADDRESS_TYPE": (
        ("RES", "Residential", True),
        ("MAIL", "Mailing", True),
        ("TEMP", "Temporary", True),
        ("SHELTER", "Shelter", True),
    ),
    "CONTACT_RELATIONSHIP_TYPE": (
        ("PARENT_OF", "Parent Of", True),
        ("CHILD_OF", "Child Of", True),
        ("SIBLING", "Sibling", True),
        ("SPOUSE", "Spouse", True),
        ("GRANDPARENT_OF", "Grandparent Of", True),
        ("GRANDCHILD_OF", "Grandchild Of", True),
        ("CAREGIVER_OF", "Caregiver Of", True),
        ("EXTENDED_FAMILY", "Extended Family", True),
        ("STEP_PARENT_OF", "Step Parent Of", False),
    ),
    "ICM_CASE_TYPE": (
        ("FAMILY_SERVICE", "Family Service", True),
        ("CHILD_SERVICE", "Child Service", True),
        ("RESOURCE", "Resource", True),
        ("YOUTH_SERVICE", "Youth Service", True),
        ("ADOPTION", "Adoption Service", False),
    ),
    "ICM_CASE_STATUS": (
        ("OPEN", "Open", True),
        ("CLOSED", "Closed", True),
        ("ENTERED_IN_ERROR", "Entered in Error", True),
    ),
    "ICM_LEGAL_STATUS": (
        ("VCA", "Voluntary Care Agreement", True),
        ("SNA", "Special Needs Agreement", True),
        ("ICO", "Interim Custody Order", True),
        ("TCO", "Temporary Custody Order", True),
        ("CCO", "Continuing Custody Order", True),
        ("SUPERVISION", "Supervision Order", True),
        ("NO_ORDER", "No Court Order", True),
        ("PERM_WARD", "Permanent Ward", False),
        ("TEMP_WARD", "Temporary Ward", False),
    ),
    "ICM_CASE_CLOSE_RSN": (
        ("SERVICES_COMPLETE", "Services Complete", True),
        ("FAMILY_MOVED", "Family Moved", True),
        ("RETURNED_HOME", "Child Returned Home", True),
        ("ADOPTED", "Adoption Finalized", True),
        ("AGED_OUT", "Youth Aged Out", True),
        ("TRANSFERRED", "Transferred to Agency", True),
        ("NFA", "No Further Action", True),
    ),
    "ICM_CASE_ROLE": (
        ("SUBJECT_CHILD", "Subject Child", True),
        ("PARENT", "Parent", True),
        ("CAREGIVER", "Caregiver", True),
        ("HOUSEHOLD_MEMBER", "Household Member", True),
        ("GUARDIAN", "Legal Guardian", False),
    ),
    "ICM_INC_TYPE": (
        ("CP_REPORT", "Child Protection Report", True),
        ("FDR", "Family Development Response", True),
        ("REQUEST_SERVICE", "Request for Service", True),
        ("QUALITY_OF_CARE", "Quality of Care Review", True),
        ("YOUTH_REQUEST", "Youth Services Request", True),
    ),
    "ICM_INC_STATUS": (
        ("OPEN", "Open", True),
        ("CLOSED", "Closed", True),
        ("PENDING", "Pending Screening", True),
    ),
    "ICM_SCREEN_DECISION": (
        ("SCREENED_IN", "Screened In", True),
        ("SCREENED_OUT", "Screened Out", True),
        ("REFERRED", "Referred to Community", True),
    ),
    "ICM_RESPONSE_PRIORITY": (
        ("IMMEDIATE", "Immediate", True),
        ("HRS_24", "Within 24 Hours", True),
        ("DAYS_5", "Within 5 Days", True),
        ("DAYS_10", "Within 10 Days", True),
    ),
    "ICM_REPORTER_TYPE": (
        ("TEACHER", "School Staff", True),
        ("POLICE", "Police", True),
        ("HEALTH", "Health Professional", True),
        ("PARENT", "Parent", True),
        ("RELATIVE", "Relative", True),
        ("NEIGHBOUR", "Neighbour", True),
        ("ANONYMOUS", "Anonymous", True),
        ("AGENCY", "Community Agency", True),
    ),
    "ICM_FINDING": (
        ("SUBSTANTIATED", "Substantiated", True),
        ("NOT_SUBSTANTIATED", "Not Substantiated", True),
        ("UNDETERMINED", "Unable to Determine", True),
        ("NOT_REQUIRED", "No Finding Required", True),
    ),
    "ICM_INC_ROLE": (
        ("CHILD", "Child", True),
        ("PARENT", "Parent", True),
        ("ALLEGED_MALTREATER", "Alleged Maltreater", True),
        ("REPORTER", "Reporter", True),
        ("OTHER_ADULT", "Other Adult", True),
    ),
    "ICM_ALLEGATION": (
        ("NEGLECT", "Neglect", True),
        ("PHYSICAL", "Physical Harm", True),
        ("SEXUAL", "Sexual Abuse", True),
        ("EMOTIONAL", "Emotional Harm", True),
        ("DV_EXPOSURE", "Domestic Violence Exposure", True),
        ("ABANDONMENT", "Abandonment", True),
    ),
    "SR_TYPE": (
        ("VOLUNTARY", "Voluntary Services", True),
        ("YOUTH_AGREEMENT", "Youth Agreement", True),
        ("FAMILY_SUPPORT", "Family Support", True),
        ("RESPITE", "Respite", True),
        ("COUNSELLING", "Counselling", True),
        ("PARENTING", "Parenting Program", True),
    ),
    "SR_STATUS": (
        ("OPEN", "Open", True),
        ("CLOSED", "Closed", True),
        ("PENDING", "Pending", True),
        ("CANCELLED", "Cancelled", True),
    ),
    "TODO_TYPE": (
        ("CONTACT_NOTE", "Contact Note", True),
        ("MEMO", "Memo", True),
        ("HOME_VISIT", "Home Visit", True),
        ("SAFETY_ASSESSMENT", "Safety Assessment", True),
        ("VULN_ASSESSMENT", "Vulnerability Assessment", True),
        ("ALERT", "Alert", True),
        ("COURT_HEARING", "Court Hearing", True),
        ("CASE_CONFERENCE", "Case Conference", True),
        ("PHONE_CALL", "Phone Call", True),
    ),
    "EVENT_STATUS": (
        ("DONE", "Done", True),
        ("NOT_STARTED", "Not Started", True),
        ("IN_PROGRESS", "In Progress", True),
        ("CANCELLED", "Cancelled", True),
    ),
    "ICM_ASSESS_DECISION": (
        ("SAFE", "Safe", True),
        ("UNSAFE", "Unsafe", True),
        ("SAFE_WITH_PLAN", "Safe with Plan", True),
    ),
    "ICM_RISK_LEVEL": (
        ("LOW", "Low", True),
        ("MEDIUM", "Medium", True),
        ("HIGH", "High", True),
        ("VERY_HIGH", "Very High", True),
    ),
    "ICM_PLCMT_TYPE": (
        ("FOSTER_HOME", "Foster Home", True),
        ("RESTRICTED_FOSTER", "Restricted Foster Home", True),
        ("SPECIALIZED_FOSTER", "Specialized Foster Home", True),
        ("STAFFED_RESIDENTIAL", "Staffed Residential", True),
        ("KINSHIP", "Extended Family Program", True),
        ("INDEPENDENT", "Independent Living", True),
        ("RECEIVING_HOME", "Receiving Home", False),
    ),
    "ICM_PLCMT_END_RSN": (
        ("RETURNED_HOME", "Returned Home", True),
        ("MOVED", "Moved to Another Placement", True),
        ("ADOPTED", "Adopted", True),
        ("AGED_OUT", "Aged Out", True),
        ("BREAKDOWN", "Placement Breakdown", True),
        ("TO_RELATIVE", "Transferred to Relative", True),
    ),
    "ICM_LEGAL_AUTH": (
        ("VCA", "Voluntary Care Agreement", True),
        ("SNA", "Special Needs Agreement", True),
        ("REMOVAL", "Removal", True),
        ("ICO", "Interim Custody Order", True),
        ("TCO", "Temporary Custody Order", True),
        ("CCO", "Continuing Custody Order", True),
    ),
}

# Old spellings, in no list but in transform/data/crosswalk.csv: (TYPE, legacy value) -> NAME.
RENAMED: dict[tuple[str, str], str] = {
    ("ICM_CASE_STATUS", "Active"): "OPEN",
    ("ICM_CASE_STATUS", "Completed"): "CLOSED",
    ("ICM_PLCMT_TYPE", "Foster Care"): "FOSTER_HOME",
    ("ICM_PLCMT_TYPE", "Group Home"): "STAFFED_RESIDENTIAL",
    ("ICM_LEGAL_STATUS", "Temp Custody Order"): "TCO",
    ("ICM_INC_TYPE", "CP Report"): "CP_REPORT",
    ("ICM_REPORTER_TYPE", "Teacher"): "TEACHER",
    ("ICM_INDIG_STATUS", "Status Indian On Reserve"): "FN_ON",
}

_CROSSWALK_NOTES: dict[tuple[str, str], str] = {
    ("ICM_CASE_STATUS", "Active"): "renamed to Open in the 2014 release",
    ("ICM_CASE_STATUS", "Completed"): "renamed to Closed in the 2014 release",
    ("ICM_PLCMT_TYPE", "Foster Care"): "MIS spelling carried by the 2012 conversion",
    ("ICM_PLCMT_TYPE", "Group Home"): "MIS spelling carried by the 2012 conversion",
    ("ICM_LEGAL_STATUS", "Temp Custody Order"): "MIS abbreviation",
    ("ICM_INC_TYPE", "CP Report"): "MIS abbreviation",
    ("ICM_REPORTER_TYPE", "Teacher"): "renamed to School Staff in 2016",
    ("ICM_INDIG_STATUS", "Status Indian On Reserve"): "renamed in 2017",
}

# Values in neither a list nor the crosswalk (D09 unknown_code), per list.
UNKNOWN_VALUES: dict[str, tuple[str, ...]] = {
    "ICM_CASE_TYPE": ("Guardianship (MIS)", "FS-GEN", "Protective Family Svc"),
}


def active_values(list_type: str) -> tuple[str, ...]:
    """The active display values of a list, in list order."""
    return tuple(v for _, v, active in LISTS[list_type] if active)


def retired_values(list_type: str) -> tuple[str, ...]:
    return tuple(v for _, v, active in LISTS[list_type] if not active)


def val(list_type: str, code: str) -> str:
    """The display value of ``code`` in ``list_type``."""
    for name, value, _ in LISTS[list_type]:
        if name == code:
            return value
    raise KeyError(f"list {list_type} has no code {code!r}")


def code_of(list_type: str, value: str) -> str:
    """The code (NAME) of display value ``value`` in ``list_type``."""
    for name, display, _ in LISTS[list_type]:
        if display == value:
            return name
    raise KeyError(f"list {list_type} has no value {value!r}")


def crosswalk_rows() -> list[tuple[str, str, str, str]]:
    """(code_set, legacy_value, code, note), as written to transform/data/crosswalk.csv."""
    return [
        (t, legacy, code, _CROSSWALK_NOTES[(t, legacy)]) for (t, legacy), code in RENAMED.items()
    ]
