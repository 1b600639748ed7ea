"""The new store, defined once as SQLAlchemy models (see docs/target-schema.md).

On PostgreSQL tables live in four schemas (``icm``, ``restricted``, ``ref``,
``migration``); on SQLite the same names are used without a schema: engines
for SQLite get :data:`SQLITE_SCHEMA_MAP` as ``schema_translate_map`` (see
:func:`schema_translate_map`).

Ids of case data are UUIDs derived from the legacy key (``transform.identity.target_id``),
so a re-run computes the same id and links between tables can be resolved
without a round trip to the database.

Every ``icm``/``restricted``/``ref`` row carries the lineage columns of
:class:`Lineage`. ``(legacy_table, legacy_row_id)`` is unique per table,
except where one legacy row yields several target rows (``person_alias``:
one per alias; ``person_identifier``: one per identifier type), where the
discriminating column joins the unique key.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from transform.identity import target_id

__all__ = [
    "SCHEMAS",
    "SQLITE_SCHEMA_MAP",
    "Base",
    "schema_translate_map",
    "target_id",
    "target_metadata",
    "target_table",
]

SCHEMAS = ("icm", "restricted", "ref", "migration")
SQLITE_SCHEMA_MAP: dict[str | None, str | None] = {s: None for s in SCHEMAS}


def schema_translate_map(dialect_name: str) -> dict[str | None, str | None] | None:
    """The map an engine of ``dialect_name`` needs: schemas exist only on PostgreSQL."""
    return None if dialect_name == "postgresql" else SQLITE_SCHEMA_MAP


UTC_TS = sa.DateTime(timezone=True)

LEGACY_ROW_ID = sa.String(15).with_variant(sa.String(15, collation="C"), "postgresql")
"""A legacy ROW_ID. On PostgreSQL in collation "C" (byte order, exact), the order the
legacy rows are read in: the reconciliation's key-range reads (``legacy_row_id
COLLATE "C" > :after``) can then use the lineage and ledger indexes. In another
collation each range read scans the whole table (revision 0004)."""


class ExactDecimalText(sa.types.TypeDecorator[Decimal]):
    """A Decimal kept exactly as text: SQLite's NUMERIC keeps a double (15 significant
    digits), so 123456789012345.1234567 came back as 123456789012345.1250000.

    Reads a REAL written before revision 0006 as the decimal it shows.
    """

    impl = sa.String
    cache_ok = True

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        return format(number, "f")

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(str(value))


def exact_numeric(precision: int, scale: int) -> sa.types.TypeEngine[Decimal]:
    """NUMERIC(precision, scale): exact on PostgreSQL, exact text on SQLite (revision 0006)."""
    return sa.Numeric(precision, scale, asdecimal=True).with_variant(ExactDecimalText(), "sqlite")


class Base(DeclarativeBase):
    pass


class Lineage:
    """Lineage columns on every case-data row (target-schema.md, 'Lineage')."""

    legacy_table: Mapped[str] = mapped_column(sa.Text, nullable=False)
    legacy_row_id: Mapped[str] = mapped_column(LEGACY_ROW_ID, nullable=False)
    migration_run_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    legacy_last_upd: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    legacy_modification_num: Mapped[int | None] = mapped_column(sa.BigInteger)
    source_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    # The remaining Siebel system columns, kept as they were.
    legacy_created: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    legacy_created_by: Mapped[str | None] = mapped_column(sa.String(15))
    legacy_last_upd_by: Mapped[str | None] = mapped_column(sa.String(15))
    legacy_db_last_upd: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    legacy_conflict_id: Mapped[str | None] = mapped_column(sa.String(15))

    @declared_attr.directive
    def __table_args__(cls) -> tuple[object, ...]:
        extra: tuple[str, ...] = getattr(cls, "__lineage_key_extra__", ())
        name = cls.__tablename__  # type: ignore[attr-defined]
        schema = cls.__schema__  # type: ignore[attr-defined]
        return (
            sa.UniqueConstraint("legacy_table", "legacy_row_id", *extra, name=f"uq_{name}_lineage"),
            {"schema": schema},
        )


def _uuid_pk() -> Mapped[uuid.UUID]:
    return mapped_column(sa.Uuid, primary_key=True)


def _fk(target: str, nullable: bool = True) -> Mapped[uuid.UUID | None]:
    return mapped_column(sa.Uuid, sa.ForeignKey(target), nullable=nullable, index=True)


# --------------------------------------------------------------------- icm
class StaffUser(Lineage, Base):
    __tablename__ = "staff_user"
    __schema__ = "icm"
    id: Mapped[uuid.UUID] = _uuid_pk()
    login: Mapped[str | None] = mapped_column(sa.String(50))
    given_name: Mapped[str | None] = mapped_column(sa.String(50))
    family_name: Mapped[str | None] = mapped_column(sa.String(50))
    office_code: Mapped[str | None] = mapped_column(sa.String(30))
    is_active: Mapped[bool | None] = mapped_column(sa.Boolean)


class Address(Lineage, Base):
    __tablename__ = "address"
    __schema__ = "icm"
    id: Mapped[uuid.UUID] = _uuid_pk()
    address_name: Mapped[str | None] = mapped_column(sa.String(100))
    line1: Mapped[str | None] = mapped_column(sa.String(200))
    line2: Mapped[str | None] = mapped_column(sa.String(100))
    city: Mapped[str | None] = mapped_column(sa.String(50))
    province_code: Mapped[str | None] = mapped_column(sa.String(2))
    postal_code: Mapped[str | None] = mapped_column(sa.String(30))
    country_code: Mapped[str | None] = mapped_column(sa.String(2))
    no_fixed_address: Mapped[bool | None] = mapped_column(sa.Boolean)
    legacy_owner_row_id: Mapped[str | None] = mapped_column(sa.String(15))


class Person(Lineage, Base):
    __tablename__ = "person"
    __schema__ = "icm"
    id: Mapped[uuid.UUID] = _uuid_pk()
    given_name: Mapped[str | None] = mapped_column(sa.String(50))
    middle_name: Mapped[str | None] = mapped_column(sa.String(50))
    family_name: Mapped[str | None] = mapped_column(sa.String(50))
    preferred_name: Mapped[str | None] = mapped_column(sa.String(50))
    birth_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    sex_code: Mapped[str | None] = mapped_column(sa.String(30))
    is_unborn: Mapped[bool | None] = mapped_column(sa.Boolean)
    is_deceased: Mapped[bool | None] = mapped_column(sa.Boolean)
    deceased_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    indigenous_status_code: Mapped[str | None] = mapped_column(sa.String(30))
    primary_address_id: Mapped[uuid.UUID | None] = _fk("icm.address.id")
    cell_phone: Mapped[str | None] = mapped_column(sa.String(40))
    home_phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(350))
    record_status: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    # From the S_CONTACT_X extension row, when there is one.
    has_safety_alert: Mapped[bool | None] = mapped_column(sa.Boolean)
    alert_text: Mapped[str | None] = mapped_column(sa.String(2000))
    legacy_birth_date_text: Mapped[str | None] = mapped_column(sa.String(50))
    extension_row_id: Mapped[str | None] = mapped_column(sa.String(15))
    extension_source_hash: Mapped[str | None] = mapped_column(sa.String(64))


class PersonAlias(Lineage, Base):
    __tablename__ = "person_alias"
    __schema__ = "icm"
    __lineage_key_extra__ = ("alias_seq",)
    id: Mapped[uuid.UUID] = _uuid_pk()
    person_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("icm.person.id"), nullable=False, index=True
    )
    alias_seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    full_name: Mapped[str] = mapped_column(sa.String(100), nullable=False)


class PersonAddress(Lineage, Base):
    __tablename__ = "person_address"
    __schema__ = "icm"
    id: Mapped[uuid.UUID] = _uuid_pk()
    person_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("icm.person.id"), nullable=False, index=True
    )
    address_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("icm.address.id"), nullable=False, index=True
    )
    address_type_code: Mapped[str | None] = mapped_column(sa.String(30))
    start_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    is_active: Mapped[bool | None] = mapped_column(sa.Boolean)
    is_primary: Mapped[bool | None] = mapped_column(sa.Boolean)


class PersonRelationship(Lineage, Base):
    __tablename__ = "person_relationship"
    __schema__ = "icm"
    id: Mapped[uuid.UUID] = _uuid_pk()
    person_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("icm.person.id"), nullable=False, index=True
    )
    related_person_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("icm.person.id"), nullable=False, index=True
    )
    relationship_type_code: Mapped[str | None] = mapped_column(sa.String(30))
    start_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    is_biological: Mapped[bool | None] = mapped_column(sa.Boolean)


class CaseFile(Lineage, Base):
    __tablename__ = "case_file"
    __schema__ = "icm"
    id: Mapped[uuid.UUID] = _uuid_pk()
    case_number: Mapped[str | None] = mapped_column(sa.String(64))
    name: Mapped[str | None] = mapped_column(sa.String(100))
    case_type_code: Mapped[str | None] = mapped_column(sa.String(30))
    status_code: Mapped[str | None] = mapped_column(sa.String(30))
    opened_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    closed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    owner_position_row_id: Mapped[str | None] = mapped_column(sa.String(15))
    office_code: Mapped[str | None] = mapped_column(sa.String(30))
    legal_status_code: Mapped[str | None] = mapped_column(sa.String(30))
    legacy_mis_file_number: Mapped[str | None] = mapped_column(sa.String(30))
    close_reason_code: Mapped[str | None] = mapped_column(sa.String(30))


class CaseParticipant(Lineage, Base):
    __tablename__ = "case_participant"
    __schema__ = "icm"
    id: Mapped[uuid.UUID] = _uuid_pk()
    case_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("icm.case_file.id"), nullable=False, index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("icm.person.id"), nullable=False, index=True
    )
    role_code: Mapped[str | None] = mapped_column(sa.String(30))
    is_primary: Mapped[bool | None] = mapped_column(sa.Boolean)
    start_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date)


class IntakeReport(Lineage, Base):
    __tablename__ = "intake_report"
    __schema__ = "icm"
    id: Mapped[uuid.UUID] = _uuid_pk()
    report_number: Mapped[str | None] = mapped_column(sa.String(64))
    report_type_code: Mapped[str | None] = mapped_column(sa.String(30))
    status_code: Mapped[str | None] = mapped_column(sa.String(30))
    reported_at: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    screened_at: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    screening_decision_code: Mapped[str | None] = mapped_column(sa.String(30))
    response_priority_code: Mapped[str | None] = mapped_column(sa.String(30))
    finding_code: Mapped[str | None] = mapped_column(sa.String(30))
    case_id: Mapped[uuid.UUID | None] = _fk("icm.case_file.id")
    description: Mapped[str | None] = mapped_column(sa.String(2000))


class IntakeParticipant(Lineage, Base):
    __tablename__ = "intake_participant"
    __schema__ = "icm"
    id: Mapped[uuid.UUID] = _uuid_pk()
    intake_report_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("icm.intake_report.id"), nullable=False, index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("icm.person.id"), nullable=False, index=True
    )
    role_code: Mapped[str | None] = mapped_column(sa.String(30))
    allegation_code: Mapped[str | None] = mapped_column(sa.String(30))


class ServiceRequest(Lineage, Base):
    __tablename__ = "service_request"
    __schema__ = "icm"
    id: Mapped[uuid.UUID] = _uuid_pk()
    sr_number: Mapped[str | None] = mapped_column(sa.String(64))
    sr_type_code: Mapped[str | None] = mapped_column(sa.String(30))
    status_code: Mapped[str | None] = mapped_column(sa.String(30))
    requester_person_id: Mapped[uuid.UUID | None] = _fk("icm.person.id")
    case_id: Mapped[uuid.UUID | None] = _fk("icm.case_file.id")
    intake_report_id: Mapped[uuid.UUID | None] = _fk("icm.intake_report.id")
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    description: Mapped[str | None] = mapped_column(sa.String(2000))


class Activity(Lineage, Base):
    __tablename__ = "activity"
    __schema__ = "icm"
    id: Mapped[uuid.UUID] = _uuid_pk()
    activity_type_code: Mapped[str | None] = mapped_column(sa.String(30))
    status_code: Mapped[str | None] = mapped_column(sa.String(30))
    subject: Mapped[str | None] = mapped_column(sa.String(100))
    body: Mapped[str | None] = mapped_column(sa.Text)
    body_suspected_truncated: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False
    )
    planned_at: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    about_person_id: Mapped[uuid.UUID | None] = _fk("icm.person.id")
    service_request_id: Mapped[uuid.UUID | None] = _fk("icm.service_request.id")
    case_id: Mapped[uuid.UUID | None] = _fk("icm.case_file.id")
    intake_report_id: Mapped[uuid.UUID | None] = _fk("icm.intake_report.id")
    is_private: Mapped[bool | None] = mapped_column(sa.Boolean)
    assessment_decision_code: Mapped[str | None] = mapped_column(sa.String(30))
    risk_level_code: Mapped[str | None] = mapped_column(sa.String(30))
    note_sequence: Mapped[int | None] = mapped_column(sa.Integer)


class Placement(Lineage, Base):
    __tablename__ = "placement"
    __schema__ = "icm"
    id: Mapped[uuid.UUID] = _uuid_pk()
    child_person_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("icm.person.id"), nullable=False, index=True
    )
    case_id: Mapped[uuid.UUID | None] = _fk("icm.case_file.id")
    caregiver_person_id: Mapped[uuid.UUID | None] = _fk("icm.person.id")
    placement_type_code: Mapped[str | None] = mapped_column(sa.String(30))
    start_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    end_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    end_reason_code: Mapped[str | None] = mapped_column(sa.String(30))
    legal_authority_code: Mapped[str | None] = mapped_column(sa.String(30))
    is_active: Mapped[bool | None] = mapped_column(sa.Boolean)


class Attachment(Lineage, Base):
    __tablename__ = "attachment"
    __schema__ = "icm"
    id: Mapped[uuid.UUID] = _uuid_pk()
    activity_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("icm.activity.id"), nullable=False, index=True
    )
    case_id: Mapped[uuid.UUID | None] = _fk("icm.case_file.id")
    file_name: Mapped[str | None] = mapped_column(sa.String(200))
    file_ext: Mapped[str | None] = mapped_column(sa.String(10))
    size_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    file_date: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    revision: Mapped[str | None] = mapped_column(sa.String(15))
    source_type: Mapped[str | None] = mapped_column(sa.String(30))
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    storage_key: Mapped[str | None] = mapped_column(sa.Text)
    binary_status: Mapped[str] = mapped_column(sa.String(20), nullable=False)


class LegacyAuditEvent(Lineage, Base):
    __tablename__ = "legacy_audit_event"
    __schema__ = "icm"
    id: Mapped[uuid.UUID] = _uuid_pk()
    buscomp_name: Mapped[str | None] = mapped_column(sa.String(75))
    table_name: Mapped[str | None] = mapped_column(sa.String(30))
    record_row_id: Mapped[str | None] = mapped_column(sa.String(15))
    field_name: Mapped[str | None] = mapped_column(sa.String(75))
    old_value: Mapped[str | None] = mapped_column(sa.String(2000))
    new_value: Mapped[str | None] = mapped_column(sa.String(2000))
    operation: Mapped[str | None] = mapped_column(sa.String(30))
    user_row_id: Mapped[str | None] = mapped_column(sa.String(15))
    occurred_at: Mapped[dt.datetime | None] = mapped_column(UTC_TS)


# -------------------------------------------------------------- restricted
class PersonIdentifier(Lineage, Base):
    __tablename__ = "person_identifier"
    __schema__ = "restricted"
    __lineage_key_extra__ = ("id_type",)
    id: Mapped[uuid.UUID] = _uuid_pk()
    person_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("icm.person.id"), nullable=False, index=True
    )
    id_type: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    id_value: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    is_verified: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)


class IntakeReporter(Lineage, Base):
    __tablename__ = "intake_reporter"
    __schema__ = "restricted"
    id: Mapped[uuid.UUID] = _uuid_pk()
    intake_report_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("icm.intake_report.id"), nullable=False, index=True
    )
    reporter_type_code: Mapped[str | None] = mapped_column(sa.String(30))
    reporter_name: Mapped[str | None] = mapped_column(sa.String(100))
    reporter_phone: Mapped[str | None] = mapped_column(sa.String(40))


# --------------------------------------------------------------------- ref
class CodeSet(Lineage, Base):
    """One row per pick list (the S_LST_OF_VAL header rows, TYPE='LOV_TYPE')."""

    __tablename__ = "code_set"
    __schema__ = "ref"
    code_set: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    description: Mapped[str | None] = mapped_column(sa.String(255))


class CodeValue(Lineage, Base):
    __tablename__ = "code_value"
    __schema__ = "ref"
    id: Mapped[uuid.UUID] = _uuid_pk()
    code_set: Mapped[str] = mapped_column(sa.String(30), nullable=False, index=True)
    code: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    display_name: Mapped[str | None] = mapped_column(sa.String(75))
    language: Mapped[str | None] = mapped_column(sa.String(15))
    is_active: Mapped[bool | None] = mapped_column(sa.Boolean)
    sort_order: Mapped[Decimal | None] = mapped_column(exact_numeric(22, 7))
    parent_row_id: Mapped[str | None] = mapped_column(sa.String(15))
    description: Mapped[str | None] = mapped_column(sa.String(255))


class CodeCrosswalk(Base):
    """Steward-maintained map from every legacy spelling to a code (seeded from transform's CSV)."""

    __tablename__ = "code_crosswalk"
    __table_args__ = {"schema": "ref"}
    code_set: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    legacy_value: Mapped[str] = mapped_column(sa.String(75), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    note: Mapped[str | None] = mapped_column(sa.String(255))


# --------------------------------------------------------------- migration
class MigrationRun(Base):
    __tablename__ = "migration_run"
    __table_args__ = {"schema": "migration"}
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), nullable=False)  # full, delta, replay
    started_at: Mapped[dt.datetime] = mapped_column(UTC_TS, nullable=False)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # running, succeeded, failed
    source: Mapped[str] = mapped_column(sa.Text, nullable=False)  # credentials removed
    code_version: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    rules_version: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    requested_by: Mapped[str | None] = mapped_column(sa.String(100))
    detail: Mapped[str | None] = mapped_column(sa.Text)
    # The extraction date the date rules used (birth dates in the future, ...).
    as_of: Mapped[dt.date | None] = mapped_column(sa.Date)
    # Whether the run deletes from the store the legacy rows gone from the source (0007).
    prune_deleted: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, server_default=sa.false()
    )


class Ledger(Base):
    __tablename__ = "ledger"
    __table_args__ = {"schema": "migration"}
    legacy_table: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    legacy_row_id: Mapped[str] = mapped_column(LEGACY_ROW_ID, primary_key=True)
    outcome: Mapped[str] = mapped_column(
        sa.String(12), nullable=False
    )  # loaded, quarantined, excluded
    rule: Mapped[str | None] = mapped_column(sa.String(60))  # the named rule of an exclusion
    target_table: Mapped[str | None] = mapped_column(sa.String(60))
    target_id: Mapped[str | None] = mapped_column(sa.String(36))
    source_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    legacy_last_upd: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    legacy_modification_num: Mapped[int | None] = mapped_column(sa.BigInteger)
    # What the batch wrote for the row (load.output_digest): a re-run skips a row only while it holds.
    output_digest: Mapped[str | None] = mapped_column(sa.String(16))
    run_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)


class Quarantine(Base):
    __tablename__ = "quarantine"
    __table_args__ = {"schema": "migration"}
    legacy_table: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    legacy_row_id: Mapped[str] = mapped_column(LEGACY_ROW_ID, primary_key=True)
    run_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    reason_codes: Mapped[str] = mapped_column(sa.Text, nullable=False)  # JSON list of codes
    details: Mapped[str] = mapped_column(
        sa.Text, nullable=False
    )  # JSON list of {code, column, message}
    raw_row: Mapped[str] = mapped_column(
        sa.Text, nullable=False
    )  # JSON of the legacy row as extracted
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False, default="open")


class QuarantineReview(Base):
    """Each change a data steward made to a quarantine record's status, with who, when and why.

    Append-only: the record's ``status`` holds the latest decision, and a re-run that finds
    the record's reasons or raw row changed opens it again, but the decisions made stay
    here for the auditors (revision 0008). The store refuses UPDATE and DELETE on it, and
    each row is chained to the one before by a hash (revision 0009, ``load.audit_chain``).
    """

    __tablename__ = "quarantine_review"
    __table_args__ = (
        sa.Index("ix_quarantine_review_row", "legacy_table", "legacy_row_id"),
        {"schema": "migration"},
    )
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    legacy_table: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    legacy_row_id: Mapped[str] = mapped_column(LEGACY_ROW_ID, nullable=False)
    previous_status: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    reviewed_by: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    reviewed_at: Mapped[dt.datetime] = mapped_column(UTC_TS, nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False)
    # SHA-256 linking the row to the one before it (load.audit_chain, revision 0009).
    chain_sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)


class DqFlag(Base):
    __tablename__ = "dq_flag"
    __table_args__ = (
        sa.UniqueConstraint("legacy_table", "legacy_row_id", "code", "field", name="uq_dq_flag"),
        {"schema": "migration"},
    )
    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    legacy_table: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    legacy_row_id: Mapped[str] = mapped_column(LEGACY_ROW_ID, nullable=False)
    target_table: Mapped[str | None] = mapped_column(sa.String(60))
    target_id: Mapped[str | None] = mapped_column(sa.String(36))
    code: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    field: Mapped[str] = mapped_column(
        sa.String(60), nullable=False
    )  # '' when the flag is on the whole row
    original_value: Mapped[str | None] = mapped_column(sa.Text)
    normalised_value: Mapped[str | None] = mapped_column(sa.Text)
    run_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)


class Checkpoint(Base):
    __tablename__ = "checkpoint"
    __table_args__ = {"schema": "migration"}
    legacy_table: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    run_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    last_row_id: Mapped[str | None] = mapped_column(sa.String(15))
    completed: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    rows_done: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTC_TS, nullable=False)


class PersonMatchCandidate(Base):
    __tablename__ = "person_match_candidate"
    __table_args__ = {"schema": "migration"}
    person_a_row_id: Mapped[str] = mapped_column(sa.String(15), primary_key=True)
    person_b_row_id: Mapped[str] = mapped_column(sa.String(15), primary_key=True)
    score: Mapped[float] = mapped_column(sa.Float, nullable=False)
    evidence: Mapped[str] = mapped_column(sa.Text, nullable=False)  # JSON list of agreeing fields
    decision: Mapped[str] = mapped_column(sa.String(20), nullable=False, default="pending")
    decided_by: Mapped[str | None] = mapped_column(sa.String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    run_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)


class MatchReview(Base):
    """Each decision a data steward made on a probable duplicate pair, with who, when and why.

    Append-only: the candidate row holds the latest decision; every change stays here
    for the auditors (revision 0008), refused UPDATE and DELETE, and hash-chained like
    :class:`QuarantineReview` (revision 0009).
    """

    __tablename__ = "match_review"
    __table_args__ = (
        sa.Index("ix_match_review_pair", "person_a_row_id", "person_b_row_id"),
        {"schema": "migration"},
    )
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    person_a_row_id: Mapped[str] = mapped_column(sa.String(15), nullable=False)
    person_b_row_id: Mapped[str] = mapped_column(sa.String(15), nullable=False)
    previous_decision: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    decision: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    reviewed_by: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    reviewed_at: Mapped[dt.datetime] = mapped_column(UTC_TS, nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False)
    # SHA-256 linking the row to the one before it (load.audit_chain, revision 0009).
    chain_sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)


class Disclosure(Base):
    """Each time a command showed personal data in the clear: who asked, which command, and
    what it wrote where, never the data (revision 0010, ``load.disclosures``).

    Written before the data is shown. Append-only and hash-chained like the review
    histories (``load.audit_chain``).
    """

    __tablename__ = "disclosure"
    __table_args__ = {"schema": "migration"}
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    disclosed_at: Mapped[dt.datetime] = mapped_column(UTC_TS, nullable=False)
    requested_by: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    command: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    what: Mapped[str] = mapped_column(sa.Text, nullable=False)
    chain_sha256: Mapped[str] = mapped_column(sa.String(64), nullable=False)


class ReconciliationRun(Base):
    """One row per ``reconcile`` run: what was checked, its outcome, and who asked to see personal data."""

    __tablename__ = "reconciliation_run"
    __table_args__ = {"schema": "migration"}
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    # The migration run reconciled.
    migration_run_id: Mapped[str | None] = mapped_column(sa.String(36))
    started_at: Mapped[dt.datetime] = mapped_column(UTC_TS, nullable=False)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTC_TS)
    # running, clean, discrepancies or failed
    status: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    pii_revealed: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    requested_by: Mapped[str | None] = mapped_column(sa.String(100))
    report_dir: Mapped[str | None] = mapped_column(sa.Text)
    manifest_sha256: Mapped[str | None] = mapped_column(sa.String(64))


def target_metadata() -> sa.MetaData:
    """The metadata of every target table (schema-qualified; translate for SQLite)."""
    return Base.metadata


def target_table(name: str) -> sa.Table:
    """Look a target table up by its bare name (``person``) or qualified name (``icm.person``)."""
    tables = Base.metadata.tables
    if name in tables:
        return tables[name]
    for table in tables.values():
        if table.name == name:
            return table
    raise KeyError(
        f"Target table {name!r} does not exist. Available: {sorted(t.name for t in tables.values())}"
    )
