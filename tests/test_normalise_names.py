"""transform.names: placeholder names (D12) and 'DO NOT USE' names (D16)."""

from __future__ import annotations

import pytest

from transform.names import clean_name, is_placeholder_name, is_soft_deleted_name

PLACEHOLDERS = [
    "N/A",
    "n/a",
    "NA",
    "UNKNOWN",
    "Unknown",
    "unknown ",
    "UNK",
    "unk",
    ".",
    "-",
    "?",
    "..",
    "--",
    "XXX",
    "xxx",
    "X",
    "XX",
    "XXXX",
    " ",
    "   ",
    "\t",
    "NONE",
]
BABIES = [
    "Baby Boy",
    "Baby Girl",
    "Baby",
    "BABY BOY",
    "baby girl",
    " Baby  Girl ",
    "Baby Girl 2",
    "Baby Boy A",
]
REAL = [
    "Smith",
    "smith",
    "  Smith",
    "Smith ",
    "O'Brien",
    "Na",
    "na",
    "Xu",
    "Xi",
    "Ng",
    "Li",
    "Jean-Luc",
    "José",
    "Nguyễn",
    "王",
    "ਕੌਰ",
    "Sḵwx̱wú7mesh",
    "Unknownson",
    "Babyface",
    "Boy",
    "Girl",
    "Nax",
    "Dora X",
]


@pytest.mark.parametrize("value", PLACEHOLDERS)
@pytest.mark.parametrize("first_name", [True, False])
def test_placeholder_optional_is_null_and_flagged(value: str, first_name: bool) -> None:
    result = clean_name(value, required=False, first_name=first_name)
    assert (result.value, result.flag, result.reason) == (None, "PLACEHOLDER_VALUE", None)


@pytest.mark.parametrize("value", PLACEHOLDERS)
def test_placeholder_required_is_missing(value: str) -> None:
    result = clean_name(value, required=True)
    assert (result.value, result.flag, result.reason) == (None, None, "MISSING_REQUIRED")


@pytest.mark.parametrize("value", BABIES)
def test_baby_is_a_placeholder_only_as_a_first_name(value: str) -> None:
    first = clean_name(value, required=False, first_name=True)
    assert (first.value, first.flag) == (None, "PLACEHOLDER_VALUE")
    assert clean_name(value, required=True, first_name=True).reason == "MISSING_REQUIRED"
    as_family = clean_name(value, required=True)
    assert (as_family.value, as_family.flag, as_family.reason) == (value, None, None)


@pytest.mark.parametrize("value", REAL)
@pytest.mark.parametrize("required", [True, False])
def test_real_names_come_back_exactly(value: str, required: bool) -> None:
    for first_name in (True, False):
        result = clean_name(value, required=required, first_name=first_name)
        assert result.value is value  # the same string: not trimmed, not re-cased
        assert (result.flag, result.reason) == (None, None)
        assert not is_placeholder_name(value, first_name=first_name)


@pytest.mark.parametrize("value", [None, "", float("nan")])
def test_empty(value: str | None) -> None:
    assert clean_name(value, required=True).reason == "MISSING_REQUIRED"
    result = clean_name(value, required=False)
    assert (result.value, result.flag, result.reason) == (None, None, None)


def test_notes_carry_no_name() -> None:
    assert "baby" not in clean_name("Baby Girl", required=False, first_name=True).note.casefold()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("DO NOT USE", True),
        ("DO NOT USE - SMITH", True),
        ("do not use smith", True),
        ("Do Not Use", True),
        ("  DO NOT USE", True),
        ("**DO NOT USE** Smith", True),
        ("DO-NOT-USE Smith", True),
        ("DONOTUSE", True),
        ("Smith DO NOT USE", False),  # a prefix only
        ("Smith", False),
        ("Donna", False),
        ("Do Nottingham", False),
        ("DO NOT USER", False),
        ("", False),
        (None, False),
    ],
)
def test_is_soft_deleted_name(value: str | None, expected: bool) -> None:
    assert is_soft_deleted_name(value) is expected
