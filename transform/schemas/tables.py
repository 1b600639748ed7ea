"""One strict pandera schema per target table (docs/target-schema.md, load/target_schema.py).

Columns are exactly the load model's columns minus ``migration_run_id`` (load fills it);
a contract test compares them. Lengths follow the model's ``String(n)``. Beyond types,
lengths and nullability the schemas check what the target promises:

* ``person.record_status`` in (active, inactive, void);
* ``address.province_code`` two capital letters, ``address.country_code`` two capital
  letters, ``address.postal_code`` ``A1A 1A1`` when the country is Canada (or unknown:
  a BC system's addresses are Canadian unless they say otherwise);
* ``person_identifier.id_type`` in (BC_PHN, LEGACY_MIS);
* ``attachment.binary_status`` in (present, missing, size_mismatch) once load has read
  the file (transform leaves it, ``sha256`` and ``storage_key`` None), ``sha256`` hex.

:data:`ROW_CHECK_COLUMNS` names the target column each whole-row check is about, so a
failure maps back to a column.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pandera.pandas as pa

from transform.schemas.columns import (
    SHA256_HEX,
    boolean,
    date,
    decimal,
    integer,
    lineage_columns,
    matches,
    one_of,
    row_check,
    text,
    timestamp,
    uuid_column,
)

__all__ = [
    "BINARY_STATUSES",
    "ID_TYPES",
    "RECORD_STATUSES",
    "ROW_CHECK_COLUMNS",
    "TARGET_SCHEMAS",
    "UPDATE_SCHEMAS",
    "schema_of",
]

RECORD_STATUSES = ("active", "inactive", "void")
ID_TYPES = ("BC_PHN", "LEGACY_MIS")
BINARY_STATUSES = ("present", "missing", "size_mismatch")
CANADIAN_POSTAL_CODE = r"[A-Z]\d[A-Z] \d[A-Z]\d"


_POSTAL = re.compile(CANADIAN_POSTAL_CODE)


def _canadian_postal_code(frame: pd.DataFrame) -> pd.Series:
    """True per row unless the address is Canadian and its postal code is not A1A 1A1."""

    def row_ok(code: Any, country: Any) -> bool:
        if code is None or country not in (None, "CA"):
            return True
        return isinstance(code, str) and _POSTAL.fullmatch(code) is not None

    verdicts = [
        row_ok(c, k) for c, k in zip(frame["postal_code"], frame["country_code"], strict=True)
    ]
    return pd.Series(verdicts, index=frame.index, dtype=bool)


ROW_CHECK_COLUMNS: dict[str, str] = {"postal_code_canadian_format": "postal_code"}


def _schema(
    name: str, columns: dict[str, pa.Column], checks: list[pa.Check] | None = None
) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {**columns, **lineage_columns()},
        checks=checks or [],
        strict=True,
        coerce=False,
        name=name,
    )


_CODE = 30  # every *_code column is String(30)


def _code() -> pa.Column:
    return text(_CODE)


_TABLES: dict[str, tuple[dict[str, pa.Column], list[pa.Check]]] = {
    "staff_user": (
        {
            "id": uuid_column(nullable=False),
            "login": text(50),
            "given_name": text(50),
            "family_name": text(50),
            "office_code": _code(),
            "is_active": boolean(),
        },
        [],
    ),
    "code_set": (
        {"code_set": text(30, nullable=False), "description": text(255)},
        [],
    ),
    "code_value": (
        {
            "id": uuid_column(nullable=False),
            "code_set": text(30, nullable=False),
            "code": text(30, nullable=False),
            "display_name": text(75),
            "language": text(15),
            "is_active": boolean(),
            "sort_order": decimal(precision=22, scale=7),
            "parent_row_id": text(15),
            "description": text(255),
        },
        [],
    ),
    "address": (
        {
            "id": uuid_column(nullable=False),
            "address_name": text(100),
            "line1": text(200),
            "line2": text(100),
            "city": text(50),
            "province_code": text(2, checks=(matches(r"[A-Z]{2}", "two_capital_letters"),)),
            "postal_code": text(30),
            "country_code": text(2, checks=(matches(r"[A-Z]{2}", "iso_alpha2"),)),
            "no_fixed_address": boolean(),
            "legacy_owner_row_id": text(15),
        },
        [row_check(_canadian_postal_code, "postal_code_canadian_format")],
    ),
    "person": (
        {
            "id": uuid_column(nullable=False),
            "given_name": text(50),
            "middle_name": text(50),
            "family_name": text(50),
            "preferred_name": text(50),
            "birth_date": date(),
            "sex_code": _code(),
            "is_unborn": boolean(),
            "is_deceased": boolean(),
            "deceased_date": date(),
            "indigenous_status_code": _code(),
            "primary_address_id": uuid_column(),
            "cell_phone": text(40),
            "home_phone": text(40),
            "email": text(350),
            "record_status": text(
                10, nullable=False, checks=(one_of(RECORD_STATUSES, "record_status_allowed"),)
            ),
            "has_safety_alert": boolean(),
            "alert_text": text(2000),
            "legacy_birth_date_text": text(50),
            "extension_row_id": text(15),
            "extension_source_hash": text(64, checks=(matches(SHA256_HEX, "sha256_hex"),)),
        },
        [],
    ),
    "person_alias": (
        {
            "id": uuid_column(nullable=False),
            "person_id": uuid_column(nullable=False),
            "alias_seq": integer(nullable=False, minimum=1, bits=32),
            "full_name": text(100, nullable=False),
        },
        [],
    ),
    "person_identifier": (
        {
            "id": uuid_column(nullable=False),
            "person_id": uuid_column(nullable=False),
            "id_type": text(20, nullable=False, checks=(one_of(ID_TYPES, "id_type_allowed"),)),
            "id_value": text(30, nullable=False),
            "is_verified": boolean(nullable=False),
        },
        [],
    ),
    "person_address": (
        {
            "id": uuid_column(nullable=False),
            "person_id": uuid_column(nullable=False),
            "address_id": uuid_column(nullable=False),
            "address_type_code": _code(),
            "start_date": date(),
            "end_date": date(),
            "is_active": boolean(),
            "is_primary": boolean(),
        },
        [],
    ),
    "person_relationship": (
        {
            "id": uuid_column(nullable=False),
            "person_id": uuid_column(nullable=False),
            "related_person_id": uuid_column(nullable=False),
            "relationship_type_code": _code(),
            "start_date": date(),
            "end_date": date(),
            "is_biological": boolean(),
        },
        [],
    ),
    "case_file": (
        {
            "id": uuid_column(nullable=False),
            "case_number": text(64),
            "name": text(100),
            "case_type_code": _code(),
            "status_code": _code(),
            "opened_on": date(),
            "closed_on": date(),
            "owner_position_row_id": text(15),
            "office_code": _code(),
            "legal_status_code": _code(),
            "legacy_mis_file_number": text(30),
            "close_reason_code": _code(),
        },
        [],
    ),
    "case_participant": (
        {
            "id": uuid_column(nullable=False),
            "case_id": uuid_column(nullable=False),
            "person_id": uuid_column(nullable=False),
            "role_code": _code(),
            "is_primary": boolean(),
            "start_date": date(),
            "end_date": date(),
        },
        [],
    ),
    "intake_report": (
        {
            "id": uuid_column(nullable=False),
            "report_number": text(64),
            "report_type_code": _code(),
            "status_code": _code(),
            "reported_at": timestamp(),
            "screened_at": timestamp(),
            "screening_decision_code": _code(),
            "response_priority_code": _code(),
            "finding_code": _code(),
            "case_id": uuid_column(),
            "description": text(2000),
        },
        [],
    ),
    "intake_reporter": (
        {
            "id": uuid_column(nullable=False),
            "intake_report_id": uuid_column(nullable=False),
            "reporter_type_code": _code(),
            "reporter_name": text(100),
            "reporter_phone": text(40),
        },
        [],
    ),
    "intake_participant": (
        {
            "id": uuid_column(nullable=False),
            "intake_report_id": uuid_column(nullable=False),
            "person_id": uuid_column(nullable=False),
            "role_code": _code(),
            "allegation_code": _code(),
        },
        [],
    ),
    "service_request": (
        {
            "id": uuid_column(nullable=False),
            "sr_number": text(64),
            "sr_type_code": _code(),
            "status_code": _code(),
            "requester_person_id": uuid_column(),
            "case_id": uuid_column(),
            "intake_report_id": uuid_column(),
            "opened_at": timestamp(),
            "closed_at": timestamp(),
            "description": text(2000),
        },
        [],
    ),
    "activity": (
        {
            "id": uuid_column(nullable=False),
            "activity_type_code": _code(),
            "status_code": _code(),
            "subject": text(100),
            "body": text(),
            "body_suspected_truncated": boolean(nullable=False),
            "planned_at": timestamp(),
            "started_at": timestamp(),
            "ended_at": timestamp(),
            "about_person_id": uuid_column(),
            "service_request_id": uuid_column(),
            "case_id": uuid_column(),
            "intake_report_id": uuid_column(),
            "is_private": boolean(),
            "assessment_decision_code": _code(),
            "risk_level_code": _code(),
            "note_sequence": integer(bits=32),
        },
        [],
    ),
    "placement": (
        {
            "id": uuid_column(nullable=False),
            "child_person_id": uuid_column(nullable=False),
            "case_id": uuid_column(),
            "caregiver_person_id": uuid_column(),
            "placement_type_code": _code(),
            "start_date": date(),
            "end_date": date(),
            "end_reason_code": _code(),
            "legal_authority_code": _code(),
            "is_active": boolean(),
        },
        [],
    ),
    "attachment": (
        {
            "id": uuid_column(nullable=False),
            "activity_id": uuid_column(nullable=False),
            "case_id": uuid_column(),
            "file_name": text(200),
            "file_ext": text(10),
            "size_bytes": integer(minimum=0),
            "file_date": timestamp(),
            "revision": text(15),
            "source_type": text(30),
            "sha256": text(64, checks=(matches(SHA256_HEX, "sha256_hex"),)),
            "storage_key": text(),
            # NOT NULL in the store: load sets it after reading the file.
            "binary_status": text(20, checks=(one_of(BINARY_STATUSES, "binary_status_allowed"),)),
        },
        [],
    ),
    "legacy_audit_event": (
        {
            "id": uuid_column(nullable=False),
            "buscomp_name": text(75),
            "table_name": text(30),
            "record_row_id": text(15),
            "field_name": text(75),
            "old_value": text(2000),
            "new_value": text(2000),
            "operation": text(30),
            "user_row_id": text(15),
            "occurred_at": timestamp(),
        },
        [],
    ),
}

TARGET_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    name: _schema(name, columns, checks) for name, (columns, checks) in _TABLES.items()
}
"""Target table -> its strict schema (full upsert rows)."""

_PERSON_EXTENSION_COLUMNS = (
    "id",
    "has_safety_alert",
    "alert_text",
    "legacy_birth_date_text",
    "extension_row_id",
    "extension_source_hash",
)


def _update_schema(table: str, columns: tuple[str, ...]) -> pa.DataFrameSchema:
    full: dict[str, Any] = _TABLES[table][0]
    return pa.DataFrameSchema(
        {name: full[name] for name in columns}, strict=True, coerce=False, name=f"{table} (update)"
    )


UPDATE_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "person": _update_schema("person", _PERSON_EXTENSION_COLUMNS),
}
"""Target table -> the strict schema of the partial rows transform updates (S_CONTACT_X)."""


def schema_of(table: str, *, update: bool = False) -> pa.DataFrameSchema:
    """The schema of a target table's upsert (or update) frame; KeyError lists what exists."""
    schemas = UPDATE_SCHEMAS if update else TARGET_SCHEMAS
    try:
        return schemas[table]
    except KeyError:
        raise KeyError(
            f"No schema for target table {table!r}. Available: {sorted(schemas)}"
        ) from None
