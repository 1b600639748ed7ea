"""transform.flags: Y/N flag drift (D11). Unknown is never defaulted to False."""

from __future__ import annotations

import pytest

from transform.flags import parse_flag


@pytest.mark.parametrize(
    ("value", "expected", "flag"),
    [
        ("Y", True, None),
        ("N", False, None),
        ("y", True, "FLAG_NORMALISED"),
        ("T", True, "FLAG_NORMALISED"),
        ("t", True, "FLAG_NORMALISED"),
        ("1", True, "FLAG_NORMALISED"),
        ("n", False, "FLAG_NORMALISED"),
        ("F", False, "FLAG_NORMALISED"),
        ("f", False, "FLAG_NORMALISED"),
        ("0", False, "FLAG_NORMALISED"),
        ("Y ", True, "FLAG_NORMALISED"),
        (" N", False, "FLAG_NORMALISED"),
        (None, None, None),
        ("", None, None),
        (" ", None, None),
        ("  ", None, None),
        (float("nan"), None, None),
        ("X", None, "INVALID_FLAG"),
        ("?", None, "INVALID_FLAG"),
        ("Yes", None, "INVALID_FLAG"),
        ("2", None, "INVALID_FLAG"),
        ("YN", None, "INVALID_FLAG"),
        (True, True, None),
        (False, False, None),
    ],
)
def test_parse_flag(value: str | None, expected: bool | None, flag: str | None) -> None:
    result = parse_flag(value)
    assert result.value is expected
    assert (result.flag, result.reason) == (flag, None)


def test_unknown_is_never_false() -> None:
    for value in (None, "", " ", "X", "Q", "-"):
        assert parse_flag(value).value is None
