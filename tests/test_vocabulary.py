"""The vocabulary of codes is complete, consistent and documented."""

from __future__ import annotations

from pathlib import Path

from transform import vocabulary as v

ROOT = Path(__file__).resolve().parents[1]


def test_every_defect_of_the_contract_has_an_expected_outcome() -> None:
    assert sorted({d.defect for d in v.DEFECTS}) == [f"D{i:02d}" for i in range(1, 29)]


def test_every_expected_code_is_defined_for_its_action() -> None:
    where = {
        "quarantine": v.REASON_CODES,
        "normalise": v.FLAG_CODES,
        "flag": v.FLAG_CODES,
        "load": v.FLAG_CODES,
        "exclude": v.EXCLUSION_RULES,
        "match": v.MATCH_CODES,
    }
    wrong = [(d.defect, d.variant, d.code) for d in v.DEFECTS if d.code not in where[d.action]]
    assert wrong == []


def test_variants_are_unique() -> None:
    keys = [(d.defect, d.variant) for d in v.DEFECTS]
    assert len(keys) == len(set(keys))


def test_codes_doc_is_current() -> None:
    assert (ROOT / "docs" / "codes.md").read_text("utf-8") == v.render_codes_markdown()
