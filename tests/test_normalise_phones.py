"""transform.phones: phone formats and two numbers in one field (D26)."""

from __future__ import annotations

import pytest

from transform.phones import format_phone, normalise_phone


@pytest.mark.parametrize(
    ("value", "expected", "flag"),
    [
        ("250-555-0101", "250-555-0101", None),
        ("(250) 555-0101", "250-555-0101", None),
        ("(250)555-0101", "250-555-0101", None),
        ("2505550101", "250-555-0101", None),
        ("250 555 0101", "250-555-0101", None),
        ("250.555.0101", "250-555-0101", None),
        ("+1 250 555 0101", "250-555-0101", None),
        ("+1 (250) 555-0101", "250-555-0101", None),
        ("1-250-555-0101", "250-555-0101", None),
        ("12505550101", "250-555-0101", None),
        (" 250-555-0101 ", "250-555-0101", None),
        # two numbers in one field: the first, flagged
        ("250-555-0101 / 250-555-0102", "250-555-0101", "OVERLOADED_FIELD"),
        ("250-555-0101/604-555-0102", "250-555-0101", "OVERLOADED_FIELD"),
        ("(250) 555-0101; 604 555 0102", "250-555-0101", "OVERLOADED_FIELD"),
        ("2505550101, 6045550102", "250-555-0101", "OVERLOADED_FIELD"),
        ("250-555-0101 or 604-555-0102", "250-555-0101", "OVERLOADED_FIELD"),
        ("250-555-0101 OR 604-555-0102", "250-555-0101", "OVERLOADED_FIELD"),
        ("250-555-0101 / 604-555-0102 / 778-555-0103", "250-555-0101", "OVERLOADED_FIELD"),
        # not a number: kept as given, flagged
        ("555-0101", "555-0101", "INVALID_PHONE"),
        ("250-555-010", "250-555-010", "INVALID_PHONE"),
        ("250-555-0101 ext 12", "250-555-0101 ext 12", "INVALID_PHONE"),
        ("250-555-0101 (cell)", "250-555-0101 (cell)", "INVALID_PHONE"),
        ("250-555-0101 / cell", "250-555-0101 / cell", "INVALID_PHONE"),
        ("050-555-0101", "050-555-0101", "INVALID_PHONE"),  # no area code starts with 0
        ("250-155-0101", "250-155-0101", "INVALID_PHONE"),  # nor an exchange with 1
        ("22505550101", "22505550101", "INVALID_PHONE"),
        ("unknown", "unknown", "INVALID_PHONE"),
        ("N/A", "N/A", "INVALID_PHONE"),
        (None, None, None),
        ("", None, None),
        ("  ", None, None),
    ],
)
def test_normalise_phone(value: str | None, expected: str | None, flag: str | None) -> None:
    result = normalise_phone(value)
    assert (result.value, result.flag, result.reason) == (expected, flag, None)
    assert "555" not in result.note


def test_format_phone() -> None:
    assert format_phone("(604) 555-0199") == "604-555-0199"
    assert format_phone("604-555-019") is None
