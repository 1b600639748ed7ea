"""The reconciliation report renderings: JSON against the schema, CSV, HTML, and PII masking.

``sample_result()`` is a realistic hand-built result (every discrepancy kind,
names in several scripts, a birth date, a PHN, a note) that the manifest and
browser tests reuse.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import reconcile
from reconcile import (
    DISCREPANCY_KINDS,
    Discrepancy,
    FieldDiff,
    FlagSummary,
    ReasonSummary,
    ReconciliationResult,
    TableCounts,
    mask,
    render_csv,
    render_html,
    render_json,
)
from reconcile.masking import DETAIL_WITHHELD
from transform.vocabulary import FLAG_CODES, REASON_CODES

SCHEMA_PATH = Path(reconcile.__file__).parent / "reconciliation-report.schema.json"
RUN_ID = "5b0f7d2e-3c1a-4e8b-9f00-1a2b3c4d5e6f"
GENERATED_AT = dt.datetime(2025, 3, 14, 9, 26, 53, tzinfo=dt.UTC)

# Raw personal values in the sample: none may appear in a masked report.
NOTE = "Mother called about Jayden on 604-555-0199; PHN 9698 658 215 given"
RAW_PII = (
    "Céline Tremblay",
    "Celine Tremblay",
    "Tremblay",
    "Céline",
    "王小明",
    "王晓明",
    "Σωκράτης Παπαδόπουλος",
    "Παπαδόπουλος",
    "Анна Петрова",
    "Петрова",
    "2009-03-05",
    "2009-05-03",
    "9698658215",
    "9698658216",
    NOTE,
    "604-555-0199",
    "Jayden",
)


def _counts(**overrides: int) -> TableCounts:
    base = {
        "source_rows": 0,
        "loaded": 0,
        "quarantined": 0,
        "excluded": 0,
        "unaccounted": 0,
        "missing_in_target": 0,
        "unexpected_in_target": 0,
        "mismatched": 0,
        "changed_in_source": 0,
    }
    return TableCounts(**{**base, **overrides})


def sample_tables() -> dict[str, TableCounts]:
    return {
        "S_CONTACT": _counts(
            source_rows=1204,
            loaded=1190,
            quarantined=12,
            excluded=0,
            unaccounted=2,
            mismatched=2,
            changed_in_source=1,
            unexpected_in_target=1,
        ),
        "S_CASE": _counts(
            source_rows=310, loaded=308, quarantined=1, excluded=1, missing_in_target=1
        ),
        "CX_CASE_CON": _counts(source_rows=655, loaded=653, quarantined=2, orphan_references=1),
        "S_ADDR_PER": _counts(source_rows=800, loaded=801, deleted_in_source=1),
        "S_ACTIVITY_ATT": _counts(source_rows=40, loaded=40, attachment_mismatches=1),
        "S_EVT_ACT": _counts(source_rows=5000, loaded=5000, mismatched=1),
        "S_PARTY_REL": _counts(source_rows=90, loaded=85, excluded=5),
    }


def sample_discrepancies() -> list[Discrepancy]:
    person = "person"
    return [
        Discrepancy(
            "unaccounted", "S_CONTACT", "1-UNAC1", detail="no ledger outcome for this ROW_ID"
        ),
        Discrepancy(
            "unaccounted", "S_CONTACT", "1-UNAC2", detail="no ledger outcome for this ROW_ID"
        ),
        Discrepancy(
            "missing_in_target",
            "S_CASE",
            "1-MISS01",
            target_table="case_file",
            detail="ledger says loaded; no case_file row has this lineage",
        ),
        Discrepancy(
            "unexpected_in_target",
            None,
            None,
            target_table=person,
            target_id="0f9c1d7e-1111-4c2b-8a77-000000000001",
            detail="a person row with no lineage to a loaded legacy row",
        ),
        Discrepancy(
            "field_mismatch",
            "S_CONTACT",
            "1-7XK2Q",
            target_table=person,
            target_id="0f9c1d7e-2222-4c2b-8a77-000000000002",
            fields=("family_name", "given_name", "birth_date", "sex_code"),
            detail="4 columns differ from the transformed legacy row",
            values=(
                FieldDiff("family_name", "Céline Tremblay", "Celine Tremblay", "name"),
                FieldDiff("given_name", "王小明", "王晓明", "name"),
                FieldDiff("birth_date", dt.date(2009, 3, 5), "2009-05-03", "date"),
                FieldDiff("sex_code", "F", "U"),
            ),
        ),
        Discrepancy(
            "field_mismatch",
            "S_CONTACT",
            "1-7XK2Q",
            target_table="person_identifier",
            target_id="0f9c1d7e-3333-4c2b-8a77-000000000003",
            fields=("id_value",),
            detail="id_value differs",
            values=(FieldDiff("id_value", "9698658215", "9698658216", "identifier"),),
        ),
        Discrepancy(
            "field_mismatch",
            "S_EVT_ACT",
            "1-NOTE9",
            target_table="activity",
            target_id="0f9c1d7e-4444-4c2b-8a77-000000000004",
            fields=("body", "note_sequence"),
            detail="body differs",
            values=(
                FieldDiff("body", NOTE, NOTE[:40], "text"),
                FieldDiff("note_sequence", 3, Decimal("4")),
            ),
        ),
        Discrepancy(
            "orphan_reference",
            "CX_CASE_CON",
            "1-ORPH1",
            target_table="case_participant",
            target_id="0f9c1d7e-5555-4c2b-8a77-000000000005",
            fields=("person_id",),
            detail="person_id points at no person row",
        ),
        Discrepancy(
            "changed_in_source",
            "S_CONTACT",
            "1-CHG01",
            target_table=person,
            target_id="0f9c1d7e-6666-4c2b-8a77-000000000006",
            fields=("family_name",),
            detail="MODIFICATION_NUM 3 -> 4 since the run",
            values=(
                FieldDiff("family_name", "Σωκράτης Παπαδόπουλος", "Анна Петрова", "name"),
                FieldDiff("legacy_last_upd", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), None),
            ),
        ),
        Discrepancy(
            "deleted_in_source",
            "S_ADDR_PER",
            "1-DEL01",
            detail="ledger outcome loaded; no legacy row",
        ),
        Discrepancy(
            "attachment_mismatch",
            "S_ACTIVITY_ATT",
            "1-ATT01",
            target_table="attachment",
            target_id="0f9c1d7e-7777-4c2b-8a77-000000000007",
            fields=("size_bytes",),
            detail="stored file size differs",
            values=(FieldDiff("size_bytes", 2048, 1024),),
        ),
        Discrepancy(
            "unexpected_in_target",
            "S_CONTACT",
            "1-GHOST",
            target_table=person,
            target_id="0f9c1d7e-8888-4c2b-8a77-000000000008",
            detail="lineage names a ROW_ID the ledger did not load",
        ),
    ]


def sample_result(**changes: Any) -> ReconciliationResult:
    result = ReconciliationResult(
        run_id=RUN_ID,
        generated_at=GENERATED_AT,
        tables=sample_tables(),
        discrepancies=sample_discrepancies(),
        quarantine_reasons=[
            ReasonSummary(
                "S_CONTACT", "DOB_IN_FUTURE", 9, ["1-Q1", "1-Q2", "1-Q3"], {"waived": 2, "open": 7}
            ),
            ReasonSummary("S_CONTACT", "MISSING_REQUIRED", 3, ["1-Q7"]),
            ReasonSummary("CX_CASE_CON", "ORPHAN_REFERENCE", 2, ["1-Q4", "1-Q5"]),
            ReasonSummary("S_CASE", "UNMAPPED_CODE", 1, ["1-Q6"]),
        ],
        flags=[
            FlagSummary("S_CONTACT", "PHN_NORMALISED", 12),
            FlagSummary("S_CASE", "CODE_NORMALISED", 4),
            FlagSummary("S_CONTACT", "CODE_NORMALISED", 2),
            FlagSummary("S_EVT_ACT", "NOT_A_KNOWN_FLAG", 1),
        ],
        match_decisions={"same_person": 2, "pending": 5, "different": 0},
    )
    return dataclasses.replace(result, **changes) if changes else result


def revealed() -> ReconciliationResult:
    return sample_result(pii_revealed=True, requested_by="steward.jlee")


def clean_result() -> ReconciliationResult:
    return ReconciliationResult(
        run_id=RUN_ID,
        generated_at=GENERATED_AT,
        tables={"S_CONTACT": _counts(source_rows=10, loaded=8, quarantined=1, excluded=1)},
    )


def _validate(document: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA_PATH.read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


# --- JSON ---------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [sample_result, revealed, clean_result])
def test_json_is_valid_against_the_schema(make: Any) -> None:
    document = json.loads(render_json(make()))
    _validate(document)
    assert dt.datetime.fromisoformat(document["generated_at"]) == GENERATED_AT


def test_schema_check_can_fail() -> None:
    document = json.loads(render_json(sample_result()))
    del document["tables"]["S_CASE"]["unaccounted"]
    document["discrepancies"][0]["kind"] = "lost"
    with pytest.raises(AssertionError, match="lost"):
        _validate(document)


def test_json_carries_counts_discrepancies_and_summaries() -> None:
    result = sample_result()
    document = json.loads(render_json(result))
    assert document["report_version"] == 1
    assert document["run_id"] == RUN_ID
    assert document["status"] == "discrepancies"
    assert document["tables"]["S_CONTACT"]["source_rows"] == 1204
    assert document["tables"]["S_ADDR_PER"]["deleted_in_source"] == 1
    assert len(document["discrepancies"]) == len(result.discrepancies)
    assert {d["kind"] for d in document["discrepancies"]} == set(DISCREPANCY_KINDS)
    assert document["summary"]["discrepancies_by_kind"]["field_mismatch"] == 3
    mismatch = next(d for d in document["discrepancies"] if d["legacy_row_id"] == "1-7XK2Q")
    assert mismatch["fields"] == ["family_name", "given_name", "birth_date", "sex_code"]
    assert mismatch["values"][0] == {
        "field": "family_name",
        "expected": "C. T.",
        "actual": "C. T.",
        "pii_kind": "name",
        "masked": True,
    }
    assert mismatch["values"][3]["expected"] == "F" and mismatch["values"][3]["masked"] is False
    assert document["quarantine_reasons"][0] == {
        "legacy_table": "S_CONTACT",
        "code": "DOB_IN_FUTURE",
        "count": 9,
        "example_row_ids": ["1-Q1", "1-Q2", "1-Q3"],
        "by_status": {"open": 7, "waived": 2},
    }
    assert {"legacy_table": "S_CASE", "code": "CODE_NORMALISED", "count": 4} in document["flags"]
    assert document["match_decisions"] == {"different": 0, "pending": 5, "same_person": 2}
    assert document["pii_revealed"] is False and document["requested_by"] is None


def test_unexpected_target_row_without_lineage_has_null_legacy_keys() -> None:
    document = json.loads(render_json(sample_result()))
    orphan_rows = [d for d in document["discrepancies"] if d["legacy_row_id"] is None]
    assert [(d["kind"], d["legacy_table"]) for d in orphan_rows] == [("unexpected_in_target", None)]


# --- status -------------------------------------------------------------------------------


def test_status_clean_only_without_any_discrepancy() -> None:
    clean = clean_result()
    assert (clean.status, clean.exit_code) == ("clean", 0)
    assert json.loads(render_json(clean))["status"] == "clean"
    assert (sample_result().status, sample_result().exit_code) == ("discrepancies", 1)


@pytest.mark.parametrize(
    "counter",
    [
        "unaccounted",
        "missing_in_target",
        "mismatched",
        "deleted_in_source",
        "attachment_mismatches",
    ],
)
def test_a_counted_problem_alone_makes_discrepancies(counter: str) -> None:
    counts = dataclasses.replace(clean_result().tables["S_CONTACT"], **{counter: 1})
    result = dataclasses.replace(clean_result(), tables={"S_CONTACT": counts})
    assert result.discrepancies == ()
    assert result.status == "discrepancies"


def test_one_listed_discrepancy_alone_makes_discrepancies() -> None:
    result = dataclasses.replace(clean_result(), discrepancies=[sample_discrepancies()[0]])
    assert result.status == "discrepancies"
    assert json.loads(render_json(result))["status"] == "discrepancies"


def test_result_checks_its_invariants() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        dataclasses.replace(clean_result(), generated_at=dt.datetime(2025, 1, 1, 12, 0))
    with pytest.raises(ValueError, match="requested_by"):
        dataclasses.replace(clean_result(), pii_revealed=True)
    with pytest.raises(ValueError, match="unknown discrepancy kind"):
        Discrepancy("lost", "S_CASE", "1-A")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="legacy_row_id"):
        Discrepancy("missing_in_target", "S_CASE", None)
    pacific = dt.timezone(dt.timedelta(hours=-8))
    shifted = dataclasses.replace(
        clean_result(), generated_at=dt.datetime(2025, 1, 1, 4, 0, tzinfo=pacific)
    )
    assert shifted.generated_at == dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.UTC)
    assert shifted.generated_at.utcoffset() == dt.timedelta(0)


# --- masking ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "masked"),
    [
        ("Céline Tremblay", "name", "C. T."),
        ("Σωκράτης Παπαδόπουλος", "name", "Σ. Π."),
        ("王小明", "name", "王."),
        ("  (Jim) O'Brien ", "name", "J. O."),
        ("2009-03-05", "date", "2009"),
        (dt.date(2009, 3, 5), "date", "2009"),
        (dt.datetime(1987, 12, 31, 23, 0, tzinfo=dt.UTC), "date", "1987"),
        ("05/03/09", "date", "[date redacted]"),
        ("9698658215", "identifier", "******8215"),
        ("604", "identifier", "**4"),
        (NOTE, "text", f"[redacted {len(NOTE)} chars]"),
        (None, "name", ""),
        ("ACTIVE", None, "ACTIVE"),
        (True, None, "true"),
    ],
)
def test_mask(value: Any, kind: Any, masked: str) -> None:
    assert mask(value, kind) == masked


def test_detail_quoting_a_personal_value_is_withheld_unless_revealed() -> None:
    leaky = Discrepancy(
        "field_mismatch",
        "S_CONTACT",
        "1-LEAK",
        fields=("family_name",),
        detail="family_name: Tremblay became Tremblai",
        values=(FieldDiff("family_name", "Céline Tremblay", "Céline Tremblai", "name"),),
    )
    masked = dataclasses.replace(clean_result(), discrepancies=[leaky])
    for text in (render_json(masked), render_csv(masked), render_html(masked)):
        assert "Tremblay" not in text
        assert DETAIL_WITHHELD in text
    shown = dataclasses.replace(masked, pii_revealed=True, requested_by="auditor")
    assert "Tremblay became Tremblai" in render_json(shown)


def _escaped_forms(raw: str) -> set[str]:
    return {raw, html.escape(raw), html.escape(raw, quote=False), json.dumps(raw)[1:-1]}


@pytest.mark.parametrize("render", [render_json, render_csv, render_html])
def test_no_raw_personal_value_in_a_masked_report(render: Any) -> None:
    text = render(sample_result())
    leaked = [raw for raw in RAW_PII if any(form in text for form in _escaped_forms(raw))]
    assert leaked == []
    assert "C. T." in text and "******8215" in text and "2009" in text


@pytest.mark.parametrize("render", [render_json, render_csv, render_html])
def test_personal_values_appear_when_revealed(render: Any) -> None:
    text = render(revealed())
    for raw in (
        "Céline Tremblay",
        "王小明",
        "Σωκράτης Παπαδόπουλος",
        "Анна Петрова",
        "2009-03-05",
        "9698658215",
    ):
        assert any(form in text for form in _escaped_forms(raw)), raw


# --- CSV ----------------------------------------------------------------------------------


def test_csv_has_one_row_per_discrepancy() -> None:
    result = sample_result()
    rows = list(csv.DictReader(io.StringIO(render_csv(result), newline="")))
    assert [r["kind"] for r in rows] == [d.kind for d in result.discrepancies]
    assert [r["legacy_row_id"] for r in rows] == [
        d.legacy_row_id or "" for d in result.discrepancies
    ]
    first_mismatch = rows[4]
    assert first_mismatch["fields"] == "family_name;given_name;birth_date;sex_code"
    assert (
        first_mismatch["expected"]
        == "family_name=C. T.; given_name=王.; birth_date=2009; sex_code=F"
    )
    assert (
        first_mismatch["actual"] == "family_name=C. T.; given_name=王.; birth_date=2009; sex_code=U"
    )
    assert first_mismatch["masked"] == "true"
    assert rows[-2]["expected"] == "size_bytes=2048" and rows[-2]["masked"] == "false"


def test_csv_defuses_spreadsheet_formulas() -> None:
    sneaky = Discrepancy("deleted_in_source", "S_ADDR_PER", "1-DEL9", detail="=HYPERLINK(1)")
    rows = list(
        csv.reader(
            io.StringIO(render_csv(dataclasses.replace(clean_result(), discrepancies=[sneaky])))
        )
    )
    assert rows[1][6] == "'=HYPERLINK(1)"


# --- HTML ---------------------------------------------------------------------------------


def test_html_is_self_contained() -> None:
    page = render_html(sample_result())
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert re.search(r"https?:|//[a-z]", page, re.IGNORECASE) is None
    assert (
        re.search(r"<(link|img|iframe|object|embed)\b|\b(src|href)\s*=|@import|url\(", page) is None
    )
    assert "<style>" in page and "<script>" in page


def test_html_shows_counts_reasons_and_flags_with_meanings() -> None:
    page = render_html(sample_result())
    assert 'data-table="S_CONTACT"' in page
    assert re.search(
        r'<tr class="summary-row" data-table="S_CONTACT">.*?data-count="source_rows">1,204<',
        page,
        re.S,
    )
    assert html.escape(REASON_CODES["DOB_IN_FUTURE"]) in page
    assert html.escape(FLAG_CODES["PHN_NORMALISED"]) in page
    assert "(not in the vocabulary)" in page  # NOT_A_KNOWN_FLAG
    assert "1-Q1, 1-Q2, 1-Q3" in page
    assert "icm-migrate quarantine --target URL --out worklist.csv" in page  # the full list
    assert re.search(
        r'data-code="DOB_IN_FUTURE">.*?<span data-status="open">7 open</span>, '
        r'<span data-status="waived">2 waived</span>',
        page,
        re.S,
    )
    decisions = re.findall(
        r'<tr class="decision" data-decision="(\w+)">.*?>([\d,]+)</td>', page, re.S
    )
    assert decisions == [("pending", "5"), ("same_person", "2")]  # pending first, none of 0
    assert "Personal data is masked" in page and "REVEALED" not in page
    assert page.count('class="discrepancy"') == len(sample_result().discrepancies)
    assert page.count("differs in the masked part") == 3  # family_name, given_name, birth_date


def test_html_banner_names_who_revealed() -> None:
    page = render_html(revealed())
    assert "Personal data is REVEALED" in page and "steward.jlee" in page


def test_html_escapes_markup_in_values() -> None:
    hostile = Discrepancy(
        "field_mismatch",
        "S_CASE",
        "1-XSS",
        fields=("name",),
        detail="<script>alert(1)</script>",
        values=(FieldDiff("name", "<b>x</b>", "y"),),
    )
    page = render_html(dataclasses.replace(clean_result(), discrepancies=[hostile]))
    assert (
        "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )
    assert "<b>x</b>" not in page


def test_clean_report_says_so() -> None:
    page = render_html(clean_result())
    assert 'id="no-discrepancies"' in page and "status-clean" in page
    assert "<script>" not in page  # nothing to filter
