"""transform.addresses: postal codes, provinces, countries, no fixed address (D24)."""

from __future__ import annotations

import pytest

from transform.addresses import (
    PROVINCES,
    is_no_fixed_address,
    normalise_country,
    normalise_postal_code,
    normalise_province,
)


@pytest.mark.parametrize(
    ("value", "country", "expected", "flag"),
    [
        ("V8W 1G1", "CA", "V8W 1G1", None),
        ("V8W 1G1", None, "V8W 1G1", None),  # no country: a BC system's address is Canadian
        ("v8w1g1", "CA", "V8W 1G1", "POSTAL_CODE_NORMALISED"),
        ("V8W-1G1", "CA", "V8W 1G1", "POSTAL_CODE_NORMALISED"),
        ("v8w 1g1", "CA", "V8W 1G1", "POSTAL_CODE_NORMALISED"),
        ("V8W1G1", None, "V8W 1G1", "POSTAL_CODE_NORMALISED"),
        (" V8W  1G1 ", "CA", "V8W 1G1", "POSTAL_CODE_NORMALISED"),
        ("K1A 0B1", "CA", "K1A 0B1", None),
        ("D8W 1G1", "CA", "D8W 1G1", "INVALID_POSTAL_CODE"),  # D is never used
        ("W8W 1G1", "CA", "W8W 1G1", "INVALID_POSTAL_CODE"),  # W never first
        ("V8W IG1", "CA", "V8W IG1", "INVALID_POSTAL_CODE"),  # I for 1: not repaired
        ("V8W 1G", "CA", "V8W 1G", "INVALID_POSTAL_CODE"),
        ("98101", "CA", "98101", "INVALID_POSTAL_CODE"),
        ("N/A", None, "N/A", "INVALID_POSTAL_CODE"),
        ("98101", "US", "98101", None),  # other countries: not checked
        ("sw1a 1aa", "GB", "sw1a 1aa", None),
        (None, "CA", None, None),
        ("", "CA", None, None),
        ("  ", "CA", None, None),
    ],
)
def test_normalise_postal_code(
    value: str | None, country: str | None, expected: str | None, flag: str | None
) -> None:
    result = normalise_postal_code(value, country)
    assert (result.value, result.flag, result.reason) == (expected, flag, None)


@pytest.mark.parametrize(
    ("value", "expected", "flag", "reason"),
    [
        ("BC", "BC", None, None),
        ("B.C.", "BC", "PROVINCE_NORMALISED", None),
        (" bc", "BC", "PROVINCE_NORMALISED", None),
        ("B.C", "BC", "PROVINCE_NORMALISED", None),
        ("bc", "BC", "PROVINCE_NORMALISED", None),
        ("B. C.", "BC", "PROVINCE_NORMALISED", None),
        ("British Columbia", "BC", "PROVINCE_NORMALISED", None),
        ("BRITISH COLUMBIA", "BC", "PROVINCE_NORMALISED", None),
        ("Colombie-Britannique", "BC", "PROVINCE_NORMALISED", None),
        ("Alta.", "AB", "PROVINCE_NORMALISED", None),
        ("Québec", "QC", "PROVINCE_NORMALISED", None),
        ("Quebec", "QC", "PROVINCE_NORMALISED", None),
        ("PQ", "QC", "PROVINCE_NORMALISED", None),
        ("P.E.I.", "PE", "PROVINCE_NORMALISED", None),
        ("Newfoundland and Labrador", "NL", "PROVINCE_NORMALISED", None),
        ("NF", "NL", "PROVINCE_NORMALISED", None),
        ("N.W.T.", "NT", "PROVINCE_NORMALISED", None),
        ("Yukon Territory", "YT", "PROVINCE_NORMALISED", None),
        ("N/A", None, "PLACEHOLDER_VALUE", None),
        ("Cascadia", None, None, "UNMAPPED_CODE"),
        ("WA", None, None, "UNMAPPED_CODE"),
        ("B", None, None, "UNMAPPED_CODE"),
        (None, None, None, None),
        ("", None, None, None),
    ],
)
def test_normalise_province(
    value: str | None, expected: str | None, flag: str | None, reason: str | None
) -> None:
    result = normalise_province(value)
    assert (result.value, result.flag, result.reason) == (expected, flag, reason)


@pytest.mark.parametrize("code", sorted(PROVINCES))
def test_all_thirteen_provinces_and_territories(code: str) -> None:
    assert normalise_province(code).value == code and normalise_province(code).flag is None
    for spelling in (code.lower(), f"{code[0]}.{code[1]}.", *PROVINCES[code]):
        result = normalise_province(spelling)
        assert (result.value, result.flag) == (code, "PROVINCE_NORMALISED"), spelling


def test_thirteen() -> None:
    assert sorted(PROVINCES) == [
        "AB",
        "BC",
        "MB",
        "NB",
        "NL",
        "NS",
        "NT",
        "NU",
        "ON",
        "PE",
        "QC",
        "SK",
        "YT",
    ]


def test_a_foreign_region_is_not_checked() -> None:
    assert normalise_province("WA", country_code="US").value == "WA"
    assert normalise_province("WA", country_code="US").flag is None


@pytest.mark.parametrize(
    ("value", "expected", "flag", "reason"),
    [
        ("Canada", "CA", None, None),  # the legacy display value: a documented mapping
        ("CA", "CA", None, None),
        ("CANADA", "CA", "COUNTRY_NORMALISED", None),
        ("Can.", "CA", "COUNTRY_NORMALISED", None),
        ("canada ", "CA", "COUNTRY_NORMALISED", None),
        ("CAN", "CA", "COUNTRY_NORMALISED", None),
        ("ca", "CA", "COUNTRY_NORMALISED", None),
        ("USA", "US", None, None),
        ("United States", "US", None, None),
        ("US", "US", None, None),
        ("U.S.A.", "US", "COUNTRY_NORMALISED", None),
        ("united states of america", "US", "COUNTRY_NORMALISED", None),
        ("Mexico", "MX", None, None),
        ("England", "GB", "COUNTRY_NORMALISED", None),
        ("Namibia", "NA", None, None),
        ("NA", None, "PLACEHOLDER_VALUE", None),  # a placeholder here, not Namibia
        ("N/A", None, "PLACEHOLDER_VALUE", None),
        ("Unknown", None, "PLACEHOLDER_VALUE", None),
        ("Atlantis", None, None, "UNMAPPED_CODE"),
        ("ZZ", None, None, "UNMAPPED_CODE"),
        (None, None, None, None),
        ("", None, None, None),
    ],
)
def test_normalise_country(
    value: str | None, expected: str | None, flag: str | None, reason: str | None
) -> None:
    result = normalise_country(value)
    assert (result.value, result.flag, result.reason) == (expected, flag, reason)


@pytest.mark.parametrize(
    ("line1", "nfa_flag", "expected"),
    [
        ("NFA", None, True),
        ("nfa", None, True),
        ("N.F.A.", None, True),
        ("N.F.A", None, True),
        ("N/F/A", None, True),
        ("No Fixed Address", None, True),
        ("NO FIXED ADDRESS", None, True),
        ("no fixed abode", None, True),
        (" NFA - staying at shelter", None, True),
        ("123 Main St", None, False),
        ("123 Main St", True, True),
        ("123 Main St", False, False),
        ("N Fairfield Rd", None, False),
        ("NFAB Holdings", None, False),
        (None, None, False),
        (None, True, True),
        ("", None, False),
    ],
)
def test_is_no_fixed_address(line1: str | None, nfa_flag: bool | None, expected: bool) -> None:
    assert is_no_fixed_address(line1, nfa_flag) is expected
