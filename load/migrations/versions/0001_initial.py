"""Initial target schema: the 26 tables of docs/target-schema.md in icm, restricted, ref, migration.

Revision ID: 0001
Revises:
Create Date: 2026-11-28

Started from ``alembic revision --autogenerate`` against an empty PostgreSQL
database, then tidied. Frozen: it does not import the models, so later model
changes need a new revision (tests/test_target_schema.py fails until then).

On SQLite the connection translates ``icm``/``ref``/``migration`` to no
schema (see load.schema_setup). The ``restricted`` tables are the exception:
SQLAlchemy's SQLite compiler silently omits a foreign key whose two tables
carry different schema names (``restricted`` -> ``icm``) before any
translation, so there they are created unqualified outright.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["downgrade", "upgrade"]

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CREATED_SCHEMAS = ("icm", "restricted", "ref", "migration")


def _lineage_columns() -> list[sa.Column[object]]:
    """The lineage and Siebel system columns every icm/restricted/ref row carries."""
    return [
        sa.Column("legacy_table", sa.Text(), nullable=False),
        sa.Column("legacy_row_id", sa.String(length=15), nullable=False),
        sa.Column("migration_run_id", sa.String(length=36), nullable=False),
        sa.Column("legacy_last_upd", sa.DateTime(timezone=True), nullable=True),
        sa.Column("legacy_modification_num", sa.BigInteger(), nullable=True),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("legacy_created", sa.DateTime(timezone=True), nullable=True),
        sa.Column("legacy_created_by", sa.String(length=15), nullable=True),
        sa.Column("legacy_last_upd_by", sa.String(length=15), nullable=True),
        sa.Column("legacy_db_last_upd", sa.DateTime(timezone=True), nullable=True),
        sa.Column("legacy_conflict_id", sa.String(length=15), nullable=True),
    ]


def _on_postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    postgres = _on_postgresql()
    if postgres:
        for schema in CREATED_SCHEMAS:
            op.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    restricted = "restricted" if postgres else None
    icm = "icm." if postgres else ""

    # ------------------------------------------------------------ icm
    op.create_table(
        "address",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("address_name", sa.String(length=100), nullable=True),
        sa.Column("line1", sa.String(length=200), nullable=True),
        sa.Column("line2", sa.String(length=100), nullable=True),
        sa.Column("city", sa.String(length=50), nullable=True),
        sa.Column("province_code", sa.String(length=2), nullable=True),
        sa.Column("postal_code", sa.String(length=30), nullable=True),
        sa.Column("country_code", sa.String(length=2), nullable=True),
        sa.Column("no_fixed_address", sa.Boolean(), nullable=True),
        sa.Column("legacy_owner_row_id", sa.String(length=15), nullable=True),
        *_lineage_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_address_lineage"),
        schema="icm",
    )

    op.create_table(
        "case_file",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_number", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("case_type_code", sa.String(length=30), nullable=True),
        sa.Column("status_code", sa.String(length=30), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("owner_position_row_id", sa.String(length=15), nullable=True),
        sa.Column("office_code", sa.String(length=30), nullable=True),
        sa.Column("legal_status_code", sa.String(length=30), nullable=True),
        sa.Column("legacy_mis_file_number", sa.String(length=30), nullable=True),
        sa.Column("close_reason_code", sa.String(length=30), nullable=True),
        *_lineage_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_case_file_lineage"),
        schema="icm",
    )

    op.create_table(
        "legacy_audit_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("buscomp_name", sa.String(length=75), nullable=True),
        sa.Column("table_name", sa.String(length=30), nullable=True),
        sa.Column("record_row_id", sa.String(length=15), nullable=True),
        sa.Column("field_name", sa.String(length=75), nullable=True),
        sa.Column("old_value", sa.String(length=2000), nullable=True),
        sa.Column("new_value", sa.String(length=2000), nullable=True),
        sa.Column("operation", sa.String(length=30), nullable=True),
        sa.Column("user_row_id", sa.String(length=15), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        *_lineage_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_legacy_audit_event_lineage"),
        schema="icm",
    )

    op.create_table(
        "staff_user",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("login", sa.String(length=50), nullable=True),
        sa.Column("given_name", sa.String(length=50), nullable=True),
        sa.Column("family_name", sa.String(length=50), nullable=True),
        sa.Column("office_code", sa.String(length=30), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=True),
        *_lineage_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_staff_user_lineage"),
        schema="icm",
    )

    op.create_table(
        "intake_report",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("report_number", sa.String(length=64), nullable=True),
        sa.Column("report_type_code", sa.String(length=30), nullable=True),
        sa.Column("status_code", sa.String(length=30), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("screened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("screening_decision_code", sa.String(length=30), nullable=True),
        sa.Column("response_priority_code", sa.String(length=30), nullable=True),
        sa.Column("finding_code", sa.String(length=30), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.String(length=2000), nullable=True),
        *_lineage_columns(),
        sa.ForeignKeyConstraint(["case_id"], ["icm.case_file.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_intake_report_lineage"),
        schema="icm",
    )
    op.create_index("ix_icm_intake_report_case_id", "intake_report", ["case_id"], schema="icm")

    op.create_table(
        "person",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("given_name", sa.String(length=50), nullable=True),
        sa.Column("middle_name", sa.String(length=50), nullable=True),
        sa.Column("family_name", sa.String(length=50), nullable=True),
        sa.Column("preferred_name", sa.String(length=50), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex_code", sa.String(length=30), nullable=True),
        sa.Column("is_unborn", sa.Boolean(), nullable=True),
        sa.Column("is_deceased", sa.Boolean(), nullable=True),
        sa.Column("deceased_date", sa.Date(), nullable=True),
        sa.Column("indigenous_status_code", sa.String(length=30), nullable=True),
        sa.Column("primary_address_id", sa.Uuid(), nullable=True),
        sa.Column("cell_phone", sa.String(length=40), nullable=True),
        sa.Column("home_phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=350), nullable=True),
        sa.Column("record_status", sa.String(length=10), nullable=False),
        sa.Column("has_safety_alert", sa.Boolean(), nullable=True),
        sa.Column("alert_text", sa.String(length=2000), nullable=True),
        sa.Column("legacy_birth_date_text", sa.String(length=50), nullable=True),
        sa.Column("extension_row_id", sa.String(length=15), nullable=True),
        sa.Column("extension_source_hash", sa.String(length=64), nullable=True),
        *_lineage_columns(),
        sa.ForeignKeyConstraint(["primary_address_id"], ["icm.address.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_person_lineage"),
        schema="icm",
    )
    op.create_index(
        "ix_icm_person_primary_address_id", "person", ["primary_address_id"], schema="icm"
    )

    op.create_table(
        "case_participant",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("role_code", sa.String(length=30), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        *_lineage_columns(),
        sa.ForeignKeyConstraint(["case_id"], ["icm.case_file.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["icm.person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_case_participant_lineage"),
        schema="icm",
    )
    op.create_index(
        "ix_icm_case_participant_case_id", "case_participant", ["case_id"], schema="icm"
    )
    op.create_index(
        "ix_icm_case_participant_person_id", "case_participant", ["person_id"], schema="icm"
    )

    op.create_table(
        "intake_participant",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("intake_report_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("role_code", sa.String(length=30), nullable=True),
        sa.Column("allegation_code", sa.String(length=30), nullable=True),
        *_lineage_columns(),
        sa.ForeignKeyConstraint(["intake_report_id"], ["icm.intake_report.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["icm.person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_intake_participant_lineage"),
        schema="icm",
    )
    op.create_index(
        "ix_icm_intake_participant_intake_report_id",
        "intake_participant",
        ["intake_report_id"],
        schema="icm",
    )
    op.create_index(
        "ix_icm_intake_participant_person_id", "intake_participant", ["person_id"], schema="icm"
    )

    op.create_table(
        "person_address",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("address_id", sa.Uuid(), nullable=False),
        sa.Column("address_type_code", sa.String(length=30), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=True),
        *_lineage_columns(),
        sa.ForeignKeyConstraint(["address_id"], ["icm.address.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["icm.person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_person_address_lineage"),
        schema="icm",
    )
    op.create_index(
        "ix_icm_person_address_address_id", "person_address", ["address_id"], schema="icm"
    )
    op.create_index(
        "ix_icm_person_address_person_id", "person_address", ["person_id"], schema="icm"
    )

    op.create_table(
        "person_alias",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("alias_seq", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=100), nullable=False),
        *_lineage_columns(),
        sa.ForeignKeyConstraint(["person_id"], ["icm.person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "legacy_table", "legacy_row_id", "alias_seq", name="uq_person_alias_lineage"
        ),
        schema="icm",
    )
    op.create_index("ix_icm_person_alias_person_id", "person_alias", ["person_id"], schema="icm")

    op.create_table(
        "person_relationship",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("related_person_id", sa.Uuid(), nullable=False),
        sa.Column("relationship_type_code", sa.String(length=30), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("is_biological", sa.Boolean(), nullable=True),
        *_lineage_columns(),
        sa.ForeignKeyConstraint(["person_id"], ["icm.person.id"]),
        sa.ForeignKeyConstraint(["related_person_id"], ["icm.person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_person_relationship_lineage"),
        schema="icm",
    )
    op.create_index(
        "ix_icm_person_relationship_person_id", "person_relationship", ["person_id"], schema="icm"
    )
    op.create_index(
        "ix_icm_person_relationship_related_person_id",
        "person_relationship",
        ["related_person_id"],
        schema="icm",
    )

    op.create_table(
        "placement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("child_person_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("caregiver_person_id", sa.Uuid(), nullable=True),
        sa.Column("placement_type_code", sa.String(length=30), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_reason_code", sa.String(length=30), nullable=True),
        sa.Column("legal_authority_code", sa.String(length=30), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=True),
        *_lineage_columns(),
        sa.ForeignKeyConstraint(["caregiver_person_id"], ["icm.person.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["icm.case_file.id"]),
        sa.ForeignKeyConstraint(["child_person_id"], ["icm.person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_placement_lineage"),
        schema="icm",
    )
    op.create_index(
        "ix_icm_placement_caregiver_person_id", "placement", ["caregiver_person_id"], schema="icm"
    )
    op.create_index("ix_icm_placement_case_id", "placement", ["case_id"], schema="icm")
    op.create_index(
        "ix_icm_placement_child_person_id", "placement", ["child_person_id"], schema="icm"
    )

    op.create_table(
        "service_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sr_number", sa.String(length=64), nullable=True),
        sa.Column("sr_type_code", sa.String(length=30), nullable=True),
        sa.Column("status_code", sa.String(length=30), nullable=True),
        sa.Column("requester_person_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("intake_report_id", sa.Uuid(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("description", sa.String(length=2000), nullable=True),
        *_lineage_columns(),
        sa.ForeignKeyConstraint(["case_id"], ["icm.case_file.id"]),
        sa.ForeignKeyConstraint(["intake_report_id"], ["icm.intake_report.id"]),
        sa.ForeignKeyConstraint(["requester_person_id"], ["icm.person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_service_request_lineage"),
        schema="icm",
    )
    op.create_index("ix_icm_service_request_case_id", "service_request", ["case_id"], schema="icm")
    op.create_index(
        "ix_icm_service_request_intake_report_id",
        "service_request",
        ["intake_report_id"],
        schema="icm",
    )
    op.create_index(
        "ix_icm_service_request_requester_person_id",
        "service_request",
        ["requester_person_id"],
        schema="icm",
    )

    op.create_table(
        "activity",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("activity_type_code", sa.String(length=30), nullable=True),
        sa.Column("status_code", sa.String(length=30), nullable=True),
        sa.Column("subject", sa.String(length=100), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("body_suspected_truncated", sa.Boolean(), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("about_person_id", sa.Uuid(), nullable=True),
        sa.Column("service_request_id", sa.Uuid(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("intake_report_id", sa.Uuid(), nullable=True),
        sa.Column("is_private", sa.Boolean(), nullable=True),
        sa.Column("assessment_decision_code", sa.String(length=30), nullable=True),
        sa.Column("risk_level_code", sa.String(length=30), nullable=True),
        sa.Column("note_sequence", sa.Integer(), nullable=True),
        *_lineage_columns(),
        sa.ForeignKeyConstraint(["about_person_id"], ["icm.person.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["icm.case_file.id"]),
        sa.ForeignKeyConstraint(["intake_report_id"], ["icm.intake_report.id"]),
        sa.ForeignKeyConstraint(["service_request_id"], ["icm.service_request.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_activity_lineage"),
        schema="icm",
    )
    op.create_index(
        "ix_icm_activity_about_person_id", "activity", ["about_person_id"], schema="icm"
    )
    op.create_index("ix_icm_activity_case_id", "activity", ["case_id"], schema="icm")
    op.create_index(
        "ix_icm_activity_intake_report_id", "activity", ["intake_report_id"], schema="icm"
    )
    op.create_index(
        "ix_icm_activity_service_request_id", "activity", ["service_request_id"], schema="icm"
    )

    op.create_table(
        "attachment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_ext", sa.String(length=10), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("file_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.String(length=15), nullable=True),
        sa.Column("source_type", sa.String(length=30), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("storage_key", sa.Text(), nullable=True),
        sa.Column("binary_status", sa.String(length=20), nullable=False),
        *_lineage_columns(),
        sa.ForeignKeyConstraint(["activity_id"], ["icm.activity.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["icm.case_file.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_attachment_lineage"),
        schema="icm",
    )
    op.create_index("ix_icm_attachment_activity_id", "attachment", ["activity_id"], schema="icm")
    op.create_index("ix_icm_attachment_case_id", "attachment", ["case_id"], schema="icm")

    # ------------------------------------------------------------ restricted
    op.create_table(
        "intake_reporter",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("intake_report_id", sa.Uuid(), nullable=False),
        sa.Column("reporter_type_code", sa.String(length=30), nullable=True),
        sa.Column("reporter_name", sa.String(length=100), nullable=True),
        sa.Column("reporter_phone", sa.String(length=40), nullable=True),
        *_lineage_columns(),
        sa.ForeignKeyConstraint(["intake_report_id"], [f"{icm}intake_report.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_intake_reporter_lineage"),
        schema=restricted,
    )
    op.create_index(
        "ix_restricted_intake_reporter_intake_report_id",
        "intake_reporter",
        ["intake_report_id"],
        schema=restricted,
    )

    op.create_table(
        "person_identifier",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("id_type", sa.String(length=20), nullable=False),
        sa.Column("id_value", sa.String(length=30), nullable=False),
        sa.Column("is_verified", sa.Boolean(), nullable=False),
        *_lineage_columns(),
        sa.ForeignKeyConstraint(["person_id"], [f"{icm}person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "legacy_table", "legacy_row_id", "id_type", name="uq_person_identifier_lineage"
        ),
        schema=restricted,
    )
    op.create_index(
        "ix_restricted_person_identifier_person_id",
        "person_identifier",
        ["person_id"],
        schema=restricted,
    )

    # ------------------------------------------------------------ ref
    op.create_table(
        "code_crosswalk",
        sa.Column("code_set", sa.String(length=30), nullable=False),
        sa.Column("legacy_value", sa.String(length=75), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("note", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("code_set", "legacy_value"),
        schema="ref",
    )

    op.create_table(
        "code_set",
        sa.Column("code_set", sa.String(length=30), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=True),
        *_lineage_columns(),
        sa.PrimaryKeyConstraint("code_set"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_code_set_lineage"),
        schema="ref",
    )

    op.create_table(
        "code_value",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code_set", sa.String(length=30), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("display_name", sa.String(length=75), nullable=True),
        sa.Column("language", sa.String(length=15), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=True),
        sa.Column("sort_order", sa.Numeric(precision=22, scale=7), nullable=True),
        sa.Column("parent_row_id", sa.String(length=15), nullable=True),
        sa.Column("description", sa.String(length=255), nullable=True),
        *_lineage_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", name="uq_code_value_lineage"),
        schema="ref",
    )
    op.create_index("ix_ref_code_value_code_set", "code_value", ["code_set"], schema="ref")

    # ------------------------------------------------------------ migration
    op.create_table(
        "checkpoint",
        sa.Column("legacy_table", sa.String(length=30), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("last_row_id", sa.String(length=15), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("rows_done", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("legacy_table"),
        schema="migration",
    )

    op.create_table(
        "dq_flag",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("legacy_table", sa.String(length=30), nullable=False),
        sa.Column("legacy_row_id", sa.String(length=15), nullable=False),
        sa.Column("target_table", sa.String(length=60), nullable=True),
        sa.Column("target_id", sa.String(length=36), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("original_value", sa.Text(), nullable=True),
        sa.Column("normalised_value", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("legacy_table", "legacy_row_id", "code", "field", name="uq_dq_flag"),
        schema="migration",
    )

    op.create_table(
        "ledger",
        sa.Column("legacy_table", sa.String(length=30), nullable=False),
        sa.Column("legacy_row_id", sa.String(length=15), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=True),
        sa.Column("target_table", sa.String(length=60), nullable=True),
        sa.Column("target_id", sa.String(length=36), nullable=True),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("legacy_last_upd", sa.DateTime(timezone=True), nullable=True),
        sa.Column("legacy_modification_num", sa.BigInteger(), nullable=True),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("legacy_table", "legacy_row_id"),
        schema="migration",
    )

    op.create_table(
        "migration_run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("code_version", sa.String(length=40), nullable=False),
        sa.Column("rules_version", sa.String(length=40), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        schema="migration",
    )

    op.create_table(
        "person_match_candidate",
        sa.Column("person_a_row_id", sa.String(length=15), nullable=False),
        sa.Column("person_b_row_id", sa.String(length=15), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("person_a_row_id", "person_b_row_id"),
        schema="migration",
    )

    op.create_table(
        "quarantine",
        sa.Column("legacy_table", sa.String(length=30), nullable=False),
        sa.Column("legacy_row_id", sa.String(length=15), nullable=False),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("reason_codes", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("raw_row", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("legacy_table", "legacy_row_id"),
        schema="migration",
    )


def downgrade() -> None:
    postgres = _on_postgresql()
    restricted = "restricted" if postgres else None
    op.drop_table("quarantine", schema="migration")
    op.drop_table("person_match_candidate", schema="migration")
    op.drop_table("migration_run", schema="migration")
    op.drop_table("ledger", schema="migration")
    op.drop_table("dq_flag", schema="migration")
    op.drop_table("checkpoint", schema="migration")
    op.drop_table("code_value", schema="ref")
    op.drop_table("code_set", schema="ref")
    op.drop_table("code_crosswalk", schema="ref")
    op.drop_table("person_identifier", schema=restricted)
    op.drop_table("intake_reporter", schema=restricted)
    op.drop_table("attachment", schema="icm")
    op.drop_table("activity", schema="icm")
    op.drop_table("service_request", schema="icm")
    op.drop_table("placement", schema="icm")
    op.drop_table("person_relationship", schema="icm")
    op.drop_table("person_alias", schema="icm")
    op.drop_table("person_address", schema="icm")
    op.drop_table("intake_participant", schema="icm")
    op.drop_table("case_participant", schema="icm")
    op.drop_table("person", schema="icm")
    op.drop_table("intake_report", schema="icm")
    op.drop_table("staff_user", schema="icm")
    op.drop_table("legacy_audit_event", schema="icm")
    op.drop_table("case_file", schema="icm")
    op.drop_table("address", schema="icm")
    if postgres:
        # Schema "migration" stays: it holds Alembic's version table.
        for schema in ("icm", "restricted", "ref"):
            op.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}"'))
