"""Reconcile: independently re-read both sides and report what is lost, unexpected or changed.

Public API (import from ``reconcile``, not from its modules). The report side:
:class:`ReconciliationResult` (the data the comparison computes once), the pure
renderers, :func:`write_report` and :func:`verify_report`. The comparison side:
:func:`reconcile_stores` (the engine), its errors, and the run record of a reconciliation.
"""

from reconcile.audit_trail import (
    AuditTrail,
    check_audit_trails,
    head_in_trail,
    recorded_heads,
)
from reconcile.compare import PII_KIND_OF, same_value
from reconcile.disclosure_list import DisclosureLine, disclosure_lines
from reconcile.engine import ExpectedRows, Progress, migration_run_of, reconcile_stores
from reconcile.errors import ReconcileError, TerminalReconcileError, TransientReconcileError
from reconcile.folder_lock import report_folder_lock
from reconcile.manifest import (
    MANIFEST_NAME,
    ManifestError,
    manifest_sha256,
    manifest_signer,
    verify_report,
    write_manifest,
)
from reconcile.masking import mask, safe_detail, shown
from reconcile.match_list import MATCH_CSV_COLUMNS, MatchLine, match_lines, write_match_csv
from reconcile.quarantine_list import (
    QUARANTINE_CSV_COLUMNS,
    QUARANTINE_STATUSES,
    QuarantineLine,
    quarantine_lines,
    write_quarantine_csv,
)
from reconcile.render_csv import FORMULA_STARTS, render_csv
from reconcile.render_html import render_html
from reconcile.render_json import REPORT_VERSION, render_json
from reconcile.report import REPORT_FILES, ReportPaths, write_report
from reconcile.report_pin import ReportPin, pin_report
from reconcile.result import (
    DISCREPANCY_KINDS,
    KIND_MEANINGS,
    PII_KINDS,
    Discrepancy,
    DiscrepancyKind,
    FieldDiff,
    FlagSummary,
    PiiKind,
    ReasonSummary,
    ReconciliationResult,
    TableCounts,
)
from reconcile.review_history import (
    HIDDEN_NOTE,
    REVIEW_CSV_COLUMNS,
    ReviewLine,
    review_lines,
    write_review_csv,
)
from reconcile.run_record import (
    ReconciliationRunRecord,
    finish_reconciliation_run,
    latest_reconciliation_run,
    read_reconciliation_run,
    start_reconciliation_run,
)
from reconcile.signed_register import (
    REGISTER_SUFFIX,
    RegisterError,
    SignedReport,
    last_signed_report,
    note_signed_report,
)
from reconcile.signing import (
    KeyPair,
    SigningKeyError,
    key_fingerprint,
    new_key_pair,
    private_key_from_pem,
    public_key_from_pem,
    signer_of,
)
from reconcile.trail_anchor import TrailAnchor, trail_anchor, trusted_report

__all__ = [
    "DISCREPANCY_KINDS",
    "FORMULA_STARTS",
    "HIDDEN_NOTE",
    "KIND_MEANINGS",
    "MANIFEST_NAME",
    "MATCH_CSV_COLUMNS",
    "PII_KINDS",
    "PII_KIND_OF",
    "QUARANTINE_CSV_COLUMNS",
    "QUARANTINE_STATUSES",
    "REGISTER_SUFFIX",
    "REPORT_FILES",
    "REPORT_VERSION",
    "REVIEW_CSV_COLUMNS",
    "AuditTrail",
    "DisclosureLine",
    "Discrepancy",
    "DiscrepancyKind",
    "ExpectedRows",
    "FieldDiff",
    "FlagSummary",
    "KeyPair",
    "ManifestError",
    "MatchLine",
    "PiiKind",
    "Progress",
    "QuarantineLine",
    "ReasonSummary",
    "ReconcileError",
    "ReconciliationResult",
    "ReconciliationRunRecord",
    "RegisterError",
    "ReportPaths",
    "ReportPin",
    "ReviewLine",
    "SignedReport",
    "SigningKeyError",
    "TableCounts",
    "TerminalReconcileError",
    "TrailAnchor",
    "TransientReconcileError",
    "check_audit_trails",
    "disclosure_lines",
    "finish_reconciliation_run",
    "head_in_trail",
    "key_fingerprint",
    "last_signed_report",
    "latest_reconciliation_run",
    "manifest_sha256",
    "manifest_signer",
    "mask",
    "match_lines",
    "migration_run_of",
    "new_key_pair",
    "note_signed_report",
    "pin_report",
    "private_key_from_pem",
    "public_key_from_pem",
    "quarantine_lines",
    "read_reconciliation_run",
    "reconcile_stores",
    "recorded_heads",
    "render_csv",
    "render_html",
    "render_json",
    "report_folder_lock",
    "review_lines",
    "safe_detail",
    "same_value",
    "shown",
    "signer_of",
    "start_reconciliation_run",
    "trail_anchor",
    "trusted_report",
    "verify_report",
    "write_manifest",
    "write_match_csv",
    "write_quarantine_csv",
    "write_report",
    "write_review_csv",
]
