"""``report.html``: one self-contained page for data stewards.

The page needs nothing but itself: inline CSS and JavaScript, no external URL,
and a Content-Security-Policy that forbids fetching anything. It shows a
summary per legacy table (counts and a bar of outcomes), the discrepancies
grouped by kind and table with filters (kind, table, ROW_ID search), the
quarantine reasons with counts and example ROW_IDs, and the flags by code with
their meanings from :mod:`transform.vocabulary`. A banner says whether personal
data is masked or revealed, and who asked.

The page lists at most :data:`HTML_ROWS_PER_GROUP` discrepancies of each
(kind, legacy table) group, the first in report order, and says how many more
there are; every count it shows is the full count, and discrepancies.csv and
reconciliation.json list them all. So the page, and the memory to write it,
stay bounded however many discrepancies were found.

This module builds a plain view model (dicts and lists) from the result; the
Jinja2 template (autoescaped) only lays it out. The listed rows are read
lazily while :func:`write_html` streams the page out.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

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

__all__ = [
    "HTML_ROWS_PER_GROUP",
    "NO_LEGACY_TABLE",
    "OUTCOMES",
    "html_view",
    "render_html",
    "write_html",
]

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "report.html.j2"
NO_LEGACY_TABLE = "(no legacy table)"
# At most this many discrepancies of one (kind, legacy table) are listed on the page.
HTML_ROWS_PER_GROUP = 1000
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


def _listed_rows(
    result: ReconciliationResult, kind: str, legacy_table: str | None, limit: int
) -> Iterator[dict[str, Any]]:
    for d in result.group_head(kind, legacy_table, limit):
        yield _discrepancy_row(d, reveal=result.pii_revealed)


def _kind_sections(result: ReconciliationResult, rows_per_group: int) -> list[dict[str, Any]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (kind, legacy_table), count in result.group_counts().items():
        listed = min(count, max(rows_per_group, 0))
        grouped[kind].append(
            {
                "table": legacy_table or NO_LEGACY_TABLE,
                "count": count,
                "listed": listed,
                "more": count - listed,
                "rows": _listed_rows(result, kind, legacy_table, listed),
            }
        )
    return [
        {
            "kind": kind,
            "meaning": KIND_MEANINGS[kind],
            "count": sum(g["count"] for g in grouped[kind]),
            "groups": sorted(grouped[kind], key=lambda g: str(g["table"])),
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
            "statuses": [(status, n) for status, n in r.by_status.items() if n],
        }
        for r in ordered
    ]


_DECISION_MEANINGS = {
    "pending": "not decided yet",
    "same_person": "decided: one person recorded twice (never merged by the migration)",
    "different": "decided: two different persons",
}


def _match_decisions(result: ReconciliationResult) -> list[dict[str, Any]]:
    """The probable duplicate pairs by decision, pending first."""
    order = {decision: i for i, decision in enumerate(_DECISION_MEANINGS)}
    return [
        {
            "decision": decision,
            "meaning": _DECISION_MEANINGS.get(decision, UNKNOWN_CODE),
            "count": n,
        }
        for decision, n in sorted(
            result.match_decisions.items(), key=lambda item: (order.get(item[0], 99), item[0])
        )
        if n
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


def html_view(
    result: ReconciliationResult, *, rows_per_group: int = HTML_ROWS_PER_GROUP
) -> dict[str, Any]:
    """The template's context: everything already masked, counted and ordered.

    Each group's ``rows`` is read lazily, once: render a view once.
    """
    sections = _kind_sections(result, rows_per_group)
    listed = sum(g["listed"] for s in sections for g in s["groups"])
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
            "listed": listed,
        },
        "rows_per_group": rows_per_group,
        "summary_columns": SUMMARY_COLUMNS,
        "outcomes": OUTCOMES,
        "tables": _table_rows(result),
        "sections": sections,
        "kind_options": [s["kind"] for s in sections],
        "table_options": sorted({g["table"] for s in sections for g in s["groups"]}),
        "reasons": _reasons(result),
        "flags": _flags(result),
        "match_decisions": _match_decisions(result),
        "audit_trails": [
            {
                "table": trail.table,
                "rows": trail.rows,
                "head_id": trail.head_id,
                "head_sha256": trail.head_sha256,
                "intact": trail.intact,
                "describe": trail.describe(),
            }
            for trail in result.audit_trails
        ],
        "trail_anchor": (
            {
                "describe": result.trail_anchor.describe(),
                "problem": result.trail_anchor.problem is not None,
            }
            if result.trail_anchor is not None
            else None
        ),
    }


def write_html(
    result: ReconciliationResult, out: TextIO, *, rows_per_group: int = HTML_ROWS_PER_GROUP
) -> None:
    """Write the report page to ``out``, streamed as the template renders it."""
    view = html_view(result, rows_per_group=rows_per_group)
    for chunk in _environment().get_template(TEMPLATE_NAME).generate(view):
        out.write(chunk)


def render_html(result: ReconciliationResult, *, rows_per_group: int = HTML_ROWS_PER_GROUP) -> str:
    """The report page as HTML text."""
    view = html_view(result, rows_per_group=rows_per_group)
    return _environment().get_template(TEMPLATE_NAME).render(view)
