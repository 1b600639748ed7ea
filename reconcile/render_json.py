"""``reconciliation.json``: the machine-readable report, valid against
``reconciliation-report.schema.json`` (report_version 1).

Besides the keys the schema requires, it carries: per table the three
integrity counts; per discrepancy its compared ``values`` (masked unless the
report reveals PII); ``summary`` (discrepancies per kind),
``quarantine_reasons``, ``flags``, ``pii_revealed`` and ``requested_by``.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from reconcile.masking import safe_detail, shown
from reconcile.result import COUNT_FIELDS, Discrepancy, ReconciliationResult

__all__ = ["REPORT_VERSION", "render_json", "report_document"]

REPORT_VERSION = 1


def _discrepancy(d: Discrepancy, *, reveal: bool) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "legacy_table": d.legacy_table,
        "legacy_row_id": d.legacy_row_id,
        "target_table": d.target_table,
        "target_id": d.target_id,
        "fields": list(d.fields),
        "detail": safe_detail(d, reveal=reveal),
        "values": [
            {
                "field": v.field,
                "expected": shown(v.expected, v.pii_kind, reveal=reveal),
                "actual": shown(v.actual, v.pii_kind, reveal=reveal),
                "pii_kind": v.pii_kind,
                "masked": v.pii_kind is not None and not reveal,
            }
            for v in d.values
        ],
    }


def report_document(result: ReconciliationResult) -> dict[str, Any]:
    """The report as a JSON-ready dict (what :func:`render_json` serialises)."""
    reveal = result.pii_revealed
    return {
        "report_version": REPORT_VERSION,
        "run_id": result.run_id,
        "generated_at": result.generated_at.isoformat(),
        "status": result.status,
        "pii_revealed": reveal,
        "requested_by": result.requested_by,
        "summary": {
            "tables": len(result.tables),
            "source_rows": sum(c.source_rows for c in result.tables.values()),
            "discrepancies": len(result.discrepancies),
            "discrepancies_by_kind": result.kind_counts(),
        },
        "tables": {
            name: {key: getattr(counts, key) for key in COUNT_FIELDS}
            for name, counts in sorted(result.tables.items())
        },
        "discrepancies": [_discrepancy(d, reveal=reveal) for d in result.discrepancies],
        "quarantine_reasons": [
            {**asdict(r), "example_row_ids": list(r.example_row_ids)}
            for r in result.quarantine_reasons
        ],
        "flags": [asdict(f) for f in result.flags],
    }


def render_json(result: ReconciliationResult) -> str:
    """The report as JSON text: UTF-8 friendly (non-ASCII kept), indented, newline-terminated."""
    return json.dumps(report_document(result), ensure_ascii=False, indent=2) + "\n"
