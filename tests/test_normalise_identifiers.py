"""transform.identifiers: BC PHNs (D23)."""

from __future__ import annotations

import random

import pytest
from stdnum.ca import bc_phn

from transform.identifiers import is_valid_phn, normalise_phn
from transform.outcome import Normalised


@pytest.mark.parametrize(
    ("value", "expected", "flag"),
    [
        ("9698658215", "9698658215", None),
        ("9698 658 215", "9698658215", "PHN_NORMALISED"),
        ("9698-658-215", "9698658215", "PHN_NORMALISED"),
        (" 9698658215 ", "9698658215", "PHN_NORMALISED"),
        ("96986 58215", "9698658215", "PHN_NORMALISED"),
        ("9698648215", "9698648215", "PHN_INVALID"),  # bad check digit
        ("9698 648 215", "9698648215", "PHN_INVALID"),  # bad check digit, spaces removed
        ("969865821", "969865821", "PHN_INVALID"),  # too short
        ("96986582150", "96986582150", "PHN_INVALID"),  # too long
        ("5736504210", "5736504210", "PHN_INVALID"),  # does not start with 9
        ("9736A04212", "9736A04212", "PHN_INVALID"),  # not digits
        ("9698.658.215", "9698.658.215", "PHN_INVALID"),
        (None, None, None),
        ("", None, None),
        ("   ", None, None),
        (float("nan"), None, None),
    ],
)
def test_normalise_phn(value: str | None, expected: str | None, flag: str | None) -> None:
    result = normalise_phn(value)
    assert (result.value, result.flag, result.reason) == (expected, flag, None)
    assert "96" not in result.note  # no PHN in notes


def _random_valid_phns(count: int) -> list[str]:
    rng = random.Random(23)
    found: list[str] = []
    while len(found) < count:
        body = "9" + "".join(rng.choice("0123456789") for _ in range(8))
        check = bc_phn.calc_check_digit(body[1:])
        if len(check) == 1:
            found.append(body + check)
    return found


def test_every_valid_phn_round_trips() -> None:
    for phn in _random_valid_phns(500):
        assert is_valid_phn(phn)
        assert normalise_phn(phn) == Normalised(phn)
        spaced = normalise_phn(bc_phn.format(phn))
        assert (spaced.value, spaced.flag) == (phn, "PHN_NORMALISED")
        wrong = phn[:-1] + str((int(phn[-1]) + 1) % 10)
        assert not is_valid_phn(wrong)
        assert (normalise_phn(wrong).value, normalise_phn(wrong).flag) == (wrong, "PHN_INVALID")


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("9698658215", True),
        ("9698 658 215", True),
        ("9698648215", False),
        (None, False),
        ("", False),
    ],
)
def test_is_valid_phn(value: str | None, valid: bool) -> None:
    assert is_valid_phn(value) is valid
