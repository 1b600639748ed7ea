"""The rules of each legacy table: which target tables it feeds and how one row is built.

:data:`RULES` maps a legacy table to its :class:`TableRules`; the batch driver
(``transform.batch``) applies the shared audit-column rules, then the table's rule, to
every row.
"""

from __future__ import annotations

from dataclasses import dataclass

from transform.row import Rule
from transform.tables.activities import activity_row, attachment_row, service_request_row
from transform.tables.addresses import address_row, person_address_row
from transform.tables.audit import audit_row
from transform.tables.cases import case_participant_row, case_row
from transform.tables.common import audit_columns
from transform.tables.extensions import extension_row
from transform.tables.intakes import intake_participant_row, intake_row
from transform.tables.persons import person_row
from transform.tables.placements import placement_row
from transform.tables.reference import code_list_row, user_row
from transform.tables.relationships import relationship_row

__all__ = ["RULES", "TableRules", "audit_columns"]


@dataclass(frozen=True)
class TableRules:
    """``upserts``: target tables given full rows (the main one first); ``updates``: target
    tables given partial rows; ``rule``: builds one row."""

    rule: Rule
    upserts: tuple[str, ...]
    updates: tuple[str, ...] = ()

    @property
    def targets(self) -> tuple[str, ...]:
        """Every target table, the main one first (the ledger's target_table)."""
        return tuple(dict.fromkeys((*self.updates, *self.upserts)))


RULES: dict[str, TableRules] = {
    "S_USER": TableRules(user_row, ("staff_user",)),
    "S_LST_OF_VAL": TableRules(code_list_row, ("code_value", "code_set")),
    "S_ADDR_PER": TableRules(address_row, ("address",)),
    "S_CONTACT": TableRules(person_row, ("person", "person_identifier")),
    "S_CONTACT_X": TableRules(extension_row, ("person_alias",), updates=("person",)),
    "S_CON_ADDR": TableRules(person_address_row, ("person_address",)),
    "S_PARTY_REL": TableRules(relationship_row, ("person_relationship",)),
    "S_CASE": TableRules(case_row, ("case_file",)),
    "CX_CASE_CON": TableRules(case_participant_row, ("case_participant",)),
    "S_INCIDENT": TableRules(intake_row, ("intake_report", "intake_reporter")),
    "S_INCIDENT_CON": TableRules(intake_participant_row, ("intake_participant",)),
    "S_SRV_REQ": TableRules(service_request_row, ("service_request",)),
    "S_EVT_ACT": TableRules(activity_row, ("activity",)),
    "CX_PLACEMENT": TableRules(placement_row, ("placement",)),
    "S_ACTIVITY_ATT": TableRules(attachment_row, ("attachment",)),
    "S_AUDIT_ITEM": TableRules(audit_row, ("legacy_audit_event",)),
}
