"""transform.keys: key anomalies (D19), orphans (D03) and merge residue (D02)."""

from __future__ import annotations

import pytest

from transform.keys import key_variants, resolve_key, resolve_person_key

KEYS = {"1-ABC", "1-DEF", "1-SURV", "1-abc-lower", "1-SPACE "}
exists = KEYS.__contains__


@pytest.mark.parametrize(
    ("value", "expected", "flag", "reason"),
    [
        ("1-ABC", "1-ABC", None, None),
        ("1-ABC ", "1-ABC", "KEY_NORMALISED", None),
        ("  1-ABC  ", "1-ABC", "KEY_NORMALISED", None),
        ("1-abc", "1-ABC", "KEY_NORMALISED", None),
        ("1-abc ", "1-ABC", "KEY_NORMALISED", None),
        ("1-abc-lower", "1-abc-lower", None, None),  # exact match first
        ("1-SPACE ", "1-SPACE ", None, None),
        ("1-NOPE", "1-NOPE", None, "ORPHAN_REFERENCE"),  # the key as given, for the message
        ("1-nope ", "1-nope ", None, "ORPHAN_REFERENCE"),
        (None, None, None, None),
        ("", None, None, None),
        ("   ", None, "KEY_NORMALISED", None),
        (float("nan"), None, None, None),
    ],
)
def test_resolve_key(
    value: str | None, expected: str | None, flag: str | None, reason: str | None
) -> None:
    result = resolve_key(value, exists)
    assert (result.value, result.flag, result.reason) == (expected, flag, reason)


@pytest.mark.parametrize(
    ("value", "variants"),
    [
        ("1-ABC", ["1-ABC"]),
        ("1-ABC ", ["1-ABC ", "1-ABC"]),
        (" 1-abc ", [" 1-abc ", "1-abc", "1-ABC"]),
        ("1-abc", ["1-abc", "1-ABC"]),
        ("  ", ["  "]),
    ],
)
def test_key_variants(value: str, variants: list[str]) -> None:
    assert key_variants(value) == variants


def test_variants_are_what_resolve_key_looks_up() -> None:
    asked: list[str] = []

    def spy(key: str) -> bool:
        asked.append(key)
        return False

    resolve_key(" 1-abc ", spy)
    assert asked == key_variants(" 1-abc ")


MERGED: dict[str, str | None] = {
    "1-GONE": "1-SURV",
    "1-GONE2": "1-SURV ",  # survivor spelled with a blank in the audit trail
    "1-LOST": None,  # audit trail names no survivor
    "1-DANGLING": "1-ALSO-GONE",  # survivor does not exist either
    "1-ABC": "1-DEF",  # exists: existence wins over the audit trail
}


@pytest.mark.parametrize(
    ("value", "expected", "flag", "reason"),
    [
        ("1-ABC", "1-ABC", None, None),
        ("1-abc ", "1-ABC", "KEY_NORMALISED", None),
        ("1-GONE", "1-SURV", "MERGED_PARTY_REPOINTED", None),
        ("1-gone ", "1-SURV", "MERGED_PARTY_REPOINTED", None),
        ("1-GONE2", "1-SURV", "MERGED_PARTY_REPOINTED", None),
        ("1-LOST", "1-LOST", None, "FK_TO_MERGED_PARTY"),
        ("1-DANGLING", "1-DANGLING", None, "FK_TO_MERGED_PARTY"),
        ("1-NOPE", "1-NOPE", None, "ORPHAN_REFERENCE"),
        (None, None, None, None),
    ],
)
def test_resolve_person_key(
    value: str | None, expected: str | None, flag: str | None, reason: str | None
) -> None:
    result = resolve_person_key(value, exists, MERGED)
    assert (result.value, result.flag, result.reason) == (expected, flag, reason)
