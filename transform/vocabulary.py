"""The vocabulary of reports: quarantine reason codes, data-quality flag codes,
exclusion rules, and what the pipeline does with each known legacy defect.

This is the contract between the synthetic generator's manifest (which
lists, per injected defect, the action and code expected), the transform
rules (which produce them) and the tests that check one against the other.
docs/codes.md is generated from here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DEFECTS",
    "EXCLUSION_RULES",
    "FLAG_CODES",
    "MATCH_CODES",
    "REASON_CODES",
    "DefectExpectation",
    "render_codes_markdown",
]

# Quarantine: the row is not loaded; raw row and every applicable reason are kept.
REASON_CODES: dict[str, str] = {
    "ORPHAN_REFERENCE": "a link column points at a ROW_ID that does not exist in the legacy table it refers to",
    "FK_TO_MERGED_PARTY": "a link points at a person merged away, and the audit trail does not resolve the survivor",
    "PARENT_QUARANTINED": "a row this one depends on was quarantined, so loading it would leave a dangling link",
    "ORPHAN_EXTENSION": "an S_CONTACT_X row whose PAR_ROW_ID has no S_CONTACT row",
    "DUPLICATE_CODE_SET": "a second S_LST_OF_VAL header row (TYPE='LOV_TYPE') of a list: one list has one code set, the header with the lowest ROW_ID",
    "DUPLICATE_EXTENSION": "two differing S_CONTACT_X rows for one person: which one is right cannot be decided",
    "INVALID_DATE": "a required date that no known format parses, an impossible calendar date, or a local time whose UTC time is past year 9999",
    "DOB_IN_FUTURE": "a birth date after the extraction date (including two-digit years pivoted into the future)",
    "CHRONOLOGY_VIOLATION": "an end before its start, a placement before the child's birth, a screening before the report",
    "UNMAPPED_CODE": "a pick-list value that neither the legacy list nor the crosswalk maps to a code",
    "MISSING_REQUIRED": "a required value is empty (or only a placeholder)",
    "SELF_RELATIONSHIP": "a person related to itself",
    "RELATIONSHIP_CYCLE": "A parent of B and B parent of A: both rows are quarantined",
    "PLACEMENT_OVERLAP": "a child in two placements at once: the later-starting one is quarantined",
    "SCHEMA_VIOLATION": "the row breaks the target schema in a way no rule above names (type, length, range)",
}

# Flags: the row is loaded; the flag keeps the original value for a data steward.
FLAG_CODES: dict[str, str] = {
    "MERGED_PARTY_REPOINTED": "a link to a merged-away person was re-pointed to the survivor named by S_AUDIT_ITEM",
    "NO_PARTICIPANTS": "a case with no participant rows",
    "NO_MATCH_ROW_ID": "the 'No Match Row Id' sentinel in a primary pointer, loaded as NULL",
    "IDENTICAL_DUPLICATE_EXTENSION": "an S_CONTACT_X row identical to another for the same person (the copy is excluded)",
    "DATE_FORMAT_NORMALISED": "a free-text date in a known format, converted to a date",
    "AMBIGUOUS_DATE": "a free-text slash date whose day and month could be swapped; read month-first (MM/DD/YYYY, the 2012 conversion's format) and flagged",
    "PLACEHOLDER_DATE": "a placeholder date (1900-01-01, 00/00/0000, 'unknown'), loaded as NULL",
    "CODE_NORMALISED": "a pick-list value in an old or irregular spelling, mapped to its code through the crosswalk",
    "RETIRED_CODE": "a pick-list value only present as inactive (ACTIVE_FLG='N'), used after retirement",
    "FLAG_NORMALISED": "a Y/N flag spelled y, n, T, F, 1 or 0, read as true or false",
    "INVALID_FLAG": "a Y/N flag holding an unknown value; loaded as unknown (NULL)",
    "PLACEHOLDER_VALUE": "a placeholder (N/A, UNKNOWN, '.', XXX, Baby Boy/Girl) in a name, province or country, loaded as NULL",
    "MOJIBAKE_REPAIRED": "double-encoded UTF-8 or CP1252 residue repaired",
    "NUL_REMOVED": "NUL characters removed from text",
    "LOSSY_CHARSET": "characters lost to '?' in an earlier conversion; cannot be repaired",
    "TRUNCATION_SUSPECT": "text exactly at its column's limit, ending mid-word",
    "AMBIGUOUS_LOCAL_TIME": "a local time inside the DST fall-back hour; read as the first occurrence",
    "NONEXISTENT_LOCAL_TIME": "a local time inside the DST spring-forward gap; shifted forward one hour",
    "SOFT_DELETED": "a soft-deleted record (inactive, 'Entered in Error', 'DO NOT USE'); loaded as inactive or void",
    "KEY_NORMALISED": "a link with trailing blanks or the wrong case, matched to its key after trimming/upper-casing",
    "AUDIT_INCONSISTENT": "CREATED after LAST_UPD",
    "UNKNOWN_USER": "CREATED_BY or LAST_UPD_BY is not an S_USER row",
    "ATTACHMENT_MISSING": "attachment metadata with no file in the Siebel file system",
    "ATTACHMENT_SIZE_MISMATCH": "the file's size differs from FILE_SIZE",
    "ATTACHMENT_EMPTY": "a zero-byte attachment file",
    "PII_IN_FREE_TEXT": "a PHN or phone number typed into free text; the text is not altered",
    "PHN_NORMALISED": "a PHN with spaces or dashes, stored as its 10 digits",
    "PHN_INVALID": "a PHN with a bad check digit or length; loaded as unverified",
    "POSTAL_CODE_NORMALISED": "a Canadian postal code reformatted to 'A1A 1A1'",
    "PROVINCE_NORMALISED": "a province spelled 'B.C.', ' bc' and the like, stored as its 2-letter code",
    "INVALID_POSTAL_CODE": "a postal code that is not a valid Canadian code (country CA or none); loaded unchanged",
    "COUNTRY_NORMALISED": "a country name or code stored as ISO 3166 alpha-2",
    "NO_FIXED_ADDRESS": "an address line 'NFA' (or the NFA flag): stored as no fixed address",
    "INVALID_PHONE": "a phone field that holds no North American number; loaded unchanged",
    "STATUS_DATE_MISMATCH": "a case Closed with no CLOSED_DT, or Open with one; nothing derived",
    "OVERLOADED_FIELD": "two values in one field (e.g. two phone numbers); the first is kept, the original flagged",
    "ALIASES_SPLIT": "';'-joined aliases split into one person_alias row each",
    "DOB_CONFLICT": "S_CONTACT_X.ATTRIB_05 (text birth date) disagrees with BIRTH_DT; BIRTH_DT kept",
    "LATE_ENTRY": "a note created more than 30 days after the event it records",
}

# Exclusions: the row is not loaded by a named rule (and is not a problem).
EXCLUSION_RULES: dict[str, str] = {
    "IDENTICAL_DUPLICATE_EXTENSION": "an S_CONTACT_X row identical (but for ROW_ID and system columns) to a lower ROW_ID for the same person",
    "INVERSE_RELATIONSHIP": "the inverse of a relationship already loaded (B 'Child Of' A beside A 'Parent Of' B)",
}


@dataclass(frozen=True)
class DefectExpectation:
    """What the pipeline must do with a row carrying one variant of a known defect.

    ``action`` is one of: quarantine (ledger outcome quarantined, ``code`` among
    its reasons), normalise / flag (loaded, a dq_flag with ``code``), exclude
    (ledger outcome excluded with rule ``code``), match (a
    person_match_candidate pairs the row with the manifest's related row),
    load (loaded; ``code`` is then a flag that marks it, e.g. SOFT_DELETED).
    """

    defect: str
    variant: str
    table: str
    column: str | None
    action: str
    code: str


def _e(
    defect: str, variant: str, table: str, column: str | None, action: str, code: str
) -> DefectExpectation:
    return DefectExpectation(defect, variant, table, column, action, code)


# Every variant the generator injects, with the outcome the pipeline must give it.
DEFECTS: tuple[DefectExpectation, ...] = (
    _e("D01", "duplicate_person", "S_CONTACT", None, "match", "DUPLICATE_PERSON"),
    _e("D02", "merge_repointed", "CX_CASE_CON", "CON_ID", "normalise", "MERGED_PARTY_REPOINTED"),
    _e("D02", "merge_unresolved", "CX_CASE_CON", "CON_ID", "quarantine", "FK_TO_MERGED_PARTY"),
    _e("D03", "orphan_case_participant", "CX_CASE_CON", "CON_ID", "quarantine", "ORPHAN_REFERENCE"),
    _e(
        "D03",
        "orphan_contact_address",
        "S_CON_ADDR",
        "ADDR_PER_ID",
        "quarantine",
        "ORPHAN_REFERENCE",
    ),
    _e(
        "D03",
        "orphan_incident_participant",
        "S_INCIDENT_CON",
        "INCIDENT_ID",
        "quarantine",
        "ORPHAN_REFERENCE",
    ),
    _e("D03", "case_without_participants", "S_CASE", None, "flag", "NO_PARTICIPANTS"),
    _e("D04", "no_match_row_id", "S_CONTACT", "PR_PER_ADDR_ID", "normalise", "NO_MATCH_ROW_ID"),
    _e("D05", "orphan_extension", "S_CONTACT_X", "PAR_ROW_ID", "quarantine", "ORPHAN_EXTENSION"),
    _e(
        "D05",
        "duplicate_extension",
        "S_CONTACT_X",
        "PAR_ROW_ID",
        "quarantine",
        "DUPLICATE_EXTENSION",
    ),
    _e(
        "D05",
        "identical_extension",
        "S_CONTACT_X",
        "PAR_ROW_ID",
        "exclude",
        "IDENTICAL_DUPLICATE_EXTENSION",
    ),
    _e(
        "D06", "known_format", "CX_PLACEMENT", "START_DT_TXT", "normalise", "DATE_FORMAT_NORMALISED"
    ),
    _e("D06", "ambiguous_day_month", "CX_PLACEMENT", "START_DT_TXT", "flag", "AMBIGUOUS_DATE"),
    _e("D06", "unparseable", "CX_PLACEMENT", "START_DT_TXT", "quarantine", "INVALID_DATE"),
    _e("D07", "future_birth", "S_CONTACT", "BIRTH_DT", "quarantine", "DOB_IN_FUTURE"),
    _e("D07", "pivoted_year", "S_CONTACT", "BIRTH_DT", "quarantine", "DOB_IN_FUTURE"),
    _e("D07", "placeholder_birth", "S_CONTACT", "BIRTH_DT", "normalise", "PLACEHOLDER_DATE"),
    _e(
        "D08",
        "case_closed_before_open",
        "S_CASE",
        "CLOSED_DT",
        "quarantine",
        "CHRONOLOGY_VIOLATION",
    ),
    _e(
        "D08",
        "placement_end_before_start",
        "CX_PLACEMENT",
        "END_DT_TXT",
        "quarantine",
        "CHRONOLOGY_VIOLATION",
    ),
    _e(
        "D08",
        "placement_before_birth",
        "CX_PLACEMENT",
        "START_DT_TXT",
        "quarantine",
        "CHRONOLOGY_VIOLATION",
    ),
    _e(
        "D08",
        "screened_before_reported",
        "S_INCIDENT",
        "X_SCREEN_DT",
        "quarantine",
        "CHRONOLOGY_VIOLATION",
    ),
    _e(
        "D09",
        "code_spelling_drift",
        "CX_PLACEMENT",
        "PLCMT_TYPE_CD",
        "normalise",
        "CODE_NORMALISED",
    ),
    _e("D09", "renamed_code", "S_CASE", "STATUS_CD", "normalise", "CODE_NORMALISED"),
    _e("D09", "unknown_code", "S_CASE", "TYPE_CD", "quarantine", "UNMAPPED_CODE"),
    _e("D10", "retired_code", "S_CASE", "X_LEGAL_STATUS_CD", "flag", "RETIRED_CODE"),
    _e("D11", "flag_spelling", "S_CON_ADDR", "ACTIVE_FLG", "normalise", "FLAG_NORMALISED"),
    _e("D11", "invalid_flag", "S_CON_ADDR", "ACTIVE_FLG", "flag", "INVALID_FLAG"),
    _e("D12", "placeholder_name", "S_CONTACT", "MID_NAME", "normalise", "PLACEHOLDER_VALUE"),
    _e("D12", "baby_first_name", "S_CONTACT", "FST_NAME", "normalise", "PLACEHOLDER_VALUE"),
    _e("D12", "missing_family_name", "S_CONTACT", "LAST_NAME", "quarantine", "MISSING_REQUIRED"),
    _e("D13", "mojibake", "S_CONTACT", "LAST_NAME", "normalise", "MOJIBAKE_REPAIRED"),
    _e("D13", "nul_byte", "S_EVT_ACT", "COMMENTS_LONG", "normalise", "NUL_REMOVED"),
    _e("D13", "lossy_charset", "S_CONTACT", "FST_NAME", "flag", "LOSSY_CHARSET"),
    _e("D14", "truncated_note", "S_INCIDENT", "DESC_TEXT", "flag", "TRUNCATION_SUSPECT"),
    _e("D15", "ambiguous_local_time", "S_INCIDENT", "REPORTED_DT", "flag", "AMBIGUOUS_LOCAL_TIME"),
    _e("D16", "inactive_person", "S_CONTACT", "ACTIVE_FLG", "load", "SOFT_DELETED"),
    _e("D16", "do_not_use_name", "S_CONTACT", "LAST_NAME", "load", "SOFT_DELETED"),
    _e("D16", "entered_in_error", "S_CASE", "STATUS_CD", "load", "SOFT_DELETED"),
    _e(
        "D17", "self_relationship", "S_PARTY_REL", "REL_PARTY_ID", "quarantine", "SELF_RELATIONSHIP"
    ),
    _e(
        "D17",
        "relationship_cycle",
        "S_PARTY_REL",
        "REL_PARTY_ID",
        "quarantine",
        "RELATIONSHIP_CYCLE",
    ),
    _e("D17", "inverse_pair", "S_PARTY_REL", None, "exclude", "INVERSE_RELATIONSHIP"),
    _e(
        "D18",
        "overlapping_placement",
        "CX_PLACEMENT",
        "START_DT_TXT",
        "quarantine",
        "PLACEMENT_OVERLAP",
    ),
    _e("D19", "key_trailing_blank", "CX_CASE_CON", "CASE_ID", "normalise", "KEY_NORMALISED"),
    _e("D19", "key_lower_case", "S_INCIDENT_CON", "CON_ID", "normalise", "KEY_NORMALISED"),
    _e("D20", "created_after_updated", "S_CASE", "CREATED", "flag", "AUDIT_INCONSISTENT"),
    _e("D20", "unknown_user", "S_CASE", "CREATED_BY", "flag", "UNKNOWN_USER"),
    _e("D21", "missing_file", "S_ACTIVITY_ATT", "FILE_NAME", "flag", "ATTACHMENT_MISSING"),
    _e("D21", "size_mismatch", "S_ACTIVITY_ATT", "FILE_SIZE", "flag", "ATTACHMENT_SIZE_MISMATCH"),
    _e("D21", "empty_file", "S_ACTIVITY_ATT", "FILE_SIZE", "flag", "ATTACHMENT_EMPTY"),
    _e("D22", "pii_in_note", "S_EVT_ACT", "COMMENTS_LONG", "flag", "PII_IN_FREE_TEXT"),
    _e("D23", "phn_with_spaces", "S_CONTACT", "X_PHN", "normalise", "PHN_NORMALISED"),
    _e("D23", "phn_bad_check_digit", "S_CONTACT", "X_PHN", "flag", "PHN_INVALID"),
    _e("D23", "phn_wrong_length", "S_CONTACT", "X_PHN", "flag", "PHN_INVALID"),
    _e("D23", "shared_phn", "S_CONTACT", "X_PHN", "match", "SHARED_PHN"),
    _e("D24", "postal_code_format", "S_ADDR_PER", "ZIPCODE", "normalise", "POSTAL_CODE_NORMALISED"),
    _e("D24", "province_spelling", "S_ADDR_PER", "STATE", "normalise", "PROVINCE_NORMALISED"),
    _e("D24", "no_fixed_address", "S_ADDR_PER", "ADDR", "normalise", "NO_FIXED_ADDRESS"),
    _e("D25", "closed_without_date", "S_CASE", "CLOSED_DT", "flag", "STATUS_DATE_MISMATCH"),
    _e("D25", "open_with_close_date", "S_CASE", "CLOSED_DT", "flag", "STATUS_DATE_MISMATCH"),
    _e("D26", "two_phone_numbers", "S_CONTACT", "HOME_PH_NUM", "normalise", "OVERLOADED_FIELD"),
    _e("D26", "joined_aliases", "S_CONTACT_X", "ATTRIB_03", "normalise", "ALIASES_SPLIT"),
    _e("D27", "dob_text_conflict", "S_CONTACT_X", "ATTRIB_05", "flag", "DOB_CONFLICT"),
    _e("D28", "late_entry", "S_EVT_ACT", "CREATED", "flag", "LATE_ENTRY"),
)

MATCH_CODES: dict[str, str] = {
    "DUPLICATE_PERSON": "two person rows that probably record the same person (names, birth date, PHN)",
    "SHARED_PHN": "two person rows that carry the same PHN",
}


def render_codes_markdown() -> str:
    """docs/codes.md: every code with its meaning, and each defect variant's expected outcome."""
    lines = [
        "# Reason, flag and exclusion codes",
        "",
        "Generated from `transform/vocabulary.py` (a test checks this file is current).",
        "",
    ]
    sections = (
        ("Quarantine reasons (the row is not loaded)", REASON_CODES),
        ("Data-quality flags (the row is loaded; the flag keeps the original value)", FLAG_CODES),
        ("Exclusion rules (the row is not loaded by a named rule)", EXCLUSION_RULES),
        ("Match codes (a probable duplicate pair for a steward to decide)", MATCH_CODES),
    )
    for title, codes in sections:
        lines += [f"## {title}", "", "| code | meaning |", "|---|---|"]
        lines += [f"| `{code}` | {meaning} |" for code, meaning in codes.items()]
        lines.append("")
    lines += [
        "## Expected outcome per defect variant",
        "",
        "| defect | variant | table | column | action | code |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {d.defect} | {d.variant} | {d.table} | {d.column or ''} | {d.action} | `{d.code}` |"
        for d in DEFECTS
    ]
    return "\n".join(lines) + "\n"
