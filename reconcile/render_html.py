"""``report.html``: one self-contained page for data stewards.

The page needs nothing but itself: inline CSS and JavaScript, no external URL,
and a Content-Security-Policy that forbids fetching anything. It shows a
summary per legacy table (counts and a bar of outcomes), the discrepancies
grouped by kind and table with filters (kind, table, ROW_ID search), the
quarantine reasons with counts and example ROW_IDs, and the flags by code with
their meanings from :mod:`transform.vocabulary`. A banner says whether personal
data is masked or revealed, and who asked.

This module builds a plain view model (dicts and lists) from the result; the
Jinja2 template (autoescaped) only lays it out.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from pathlib import Path
from typing import Any

import jinja2

from reconcile.masking import as_text, safe_detail, shown
from reconcile.result import (
    DISCREPANCY_KINDS,
    KIND_MEANINGS,
    Discrepancy,
    FieldDiff,
    ReconciliationResult,
    TableCounts,
)
from transform.vocabulary import FLAG_CODES, REASON_CODES

__all__ = ["NO_LEGACY_TABLE", "OUTCOMES", "html_view", "render_html"]

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "report.html.j2"
NO_LEGACY_TABLE = "(no legacy table)"
UNKNOWN_CODE = "(not in the vocabulary)"
# The outcome bar: every legacy row ends in exactly one of these.
OUTCOMES = ("loaded", "quarantined", "excluded", "unaccounted")
# Summary columns after the outcomes, with their headings.
SUMMARY_COLUMNS = (
    ("source_rows", "Source rows"),
    ("loaded", "Loaded"),
    ("quarantined", "Quarantined"),
    ("excluded", "Excluded"),
    ("unaccounted", "Unaccounted"),
    ("missing_in_target", "Missing in target"),
    ("unexpected_in_target", "Unexpected in target"),
    ("mismatched", "Mismatched"),
    ("changed_in_source", "Changed in source"),
    ("deleted_in_source", "Deleted in source"),
    ("orphan_references", "Orphan references"),
    ("attachment_mismatches", "Attachment mismatches"),
)


def _thousands(number: int) -> str:
    return f"{number:,}"


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["thousands"] = _thousands
    return env


def _bar(counts: TableCounts) -> list[dict[str, Any]]:
    values = {name: max(getattr(counts, name), 0) for name in OUTCOMES}
    total = max(sum(values.values()), counts.source_rows)
    if total == 0:
        return []
    return [
        {"outcome": name, "count": n, "percent": round(100 * n / total, 2)}
        for name, n in values.items()
        if n
    ]


def _table_rows(result: ReconciliationResult) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "counts": {key: getattr(counts, key) for key, _ in SUMMARY_COLUMNS},
            "clean": counts.is_clean,
            "bar": _bar(counts),
        }
        for name, counts in sorted(result.tables.items())
    ]


def _value_row(v: FieldDiff, *, reveal: bool) -> dict[str, Any]:
    expected = shown(v.expected, v.pii_kind, reveal=reveal)
    actual = shown(v.actual, v.pii_kind, reveal=reveal)
    masked = v.pii_kind is not None and not reveal
    return {
        "field": v.field,
        "expected": expected,
        "actual": actual,
        "masked": masked,
        # 'C. T.' -> 'C. T.' tells a steward nothing: say the difference is hidden by the mask.
        "hidden_difference": masked
        and expected == actual
        and as_text(v.expected) != as_text(v.actual),
    }


def _discrepancy_row(d: Discrepancy, *, reveal: bool) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "legacy_table": d.legacy_table or NO_LEGACY_TABLE,
        "legacy_row_id": d.legacy_row_id or "",
        "target_table": d.target_table or "",
        "target_id": d.target_id or "",
        "fields": ", ".join(d.fields),
        "detail": safe_detail(d, reveal=reveal),
        "values": [_value_row(v, reveal=reveal) for v in d.values],
    }


def _kind_sections(result: ReconciliationResult) -> list[dict[str, Any]]:
    grouped: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for d in result.discrepancies:
        row = _discrepancy_row(d, reveal=result.pii_revealed)
        grouped[d.kind][row["legacy_table"]].append(row)
    return [
        {
            "kind": kind,
            "meaning": KIND_MEANINGS[kind],
            "count": sum(len(rows) for rows in grouped[kind].values()),
            "groups": [
                {"table": table, "rows": rows} for table, rows in sorted(grouped[kind].items())
            ],
        }
        for kind in DISCREPANCY_KINDS
        if kind in grouped
    ]


def _reasons(result: ReconciliationResult) -> list[dict[str, Any]]:
    ordered = sorted(result.quarantine_reasons, key=lambda r: (r.legacy_table, -r.count, r.code))
    return [
        {
            "legacy_table": r.legacy_table,
            "code": r.code,
            "meaning": REASON_CODES.get(r.code, UNKNOWN_CODE),
            "count": r.count,
            "examples": list(r.example_row_ids),
        }
        for r in ordered
    ]


def _flags(result: ReconciliationResult) -> list[dict[str, Any]]:
    by_code: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for f in result.flags:
        by_code[f.code].append((f.legacy_table, f.count))
    return [
        {
            "code": code,
            "meaning": FLAG_CODES.get(code, UNKNOWN_CODE),
            "total": sum(n for _, n in tables),
            "tables": sorted(tables),
        }
        for code, tables in sorted(by_code.items())
    ]


def html_view(result: ReconciliationResult) -> dict[str, Any]:
    """The template's context: everything already masked, counted and ordered."""
    sections = _kind_sections(result)
    return {
        "run_id": result.run_id,
        "generated_at": result.generated_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "status": result.status,
        "pii_revealed": result.pii_revealed,
        "requested_by": result.requested_by,
        "totals": {
            "tables": len(result.tables),
            "source_rows": sum(c.source_rows for c in result.tables.values()),
            "discrepancies": len(result.discrepancies),
        },
        "summary_columns": SUMMARY_COLUMNS,
        "outcomes": OUTCOMES,
        "tables": _table_rows(result),
        "sections": sections,
        "kind_options": [s["kind"] for s in sections],
        "table_options": sorted({g["table"] for s in sections for g in s["groups"]}),
        "reasons": _reasons(result),
        "flags": _flags(result),
    }


def render_html(result: ReconciliationResult) -> str:
    """The report page as HTML text."""
    return _environment().get_template(TEMPLATE_NAME).render(html_view(result))
