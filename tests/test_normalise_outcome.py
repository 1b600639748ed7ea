"""transform.outcome, and every code the normalisers can emit being in the vocabulary."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import importlib
import re
from pathlib import Path

import pandas as pd
import pytest

from transform.outcome import Normalised, flagged, is_missing, ok, rejected
from transform.vocabulary import FLAG_CODES, REASON_CODES

ROOT = Path(__file__).resolve().parents[1]
NORMALISERS = [
    "outcome",
    "dates",
    "local_time",
    "flags",
    "codes",
    "names",
    "text",
    "identifiers",
    "addresses",
    "phones",
    "keys",
]
CODE_LITERAL = re.compile(r"[A-Z]+(?:_[A-Z0-9]+)+")


def test_helpers() -> None:
    assert ok(1) == Normalised(1, None, None, "")
    assert flagged("x", "CODE_NORMALISED", "n") == Normalised("x", "CODE_NORMALISED", None, "n")
    assert rejected("INVALID_DATE") == Normalised(None, None, "INVALID_DATE", "")
    assert rejected("ORPHAN_REFERENCE", value="1-X").value == "1-X"
    assert rejected("INVALID_DATE").is_rejected and not ok(1).is_rejected
    assert flagged(None, "PLACEHOLDER_DATE").is_flagged and not ok(None).is_flagged
    assert Normalised[int](None, flag="X").flag == "X"
    with pytest.raises(dataclasses.FrozenInstanceError):
        ok(1).value = 2  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "missing"),
    [
        (None, True),
        (float("nan"), True),
        (pd.NaT, True),
        (pd.NA, True),
        ("", False),
        ("x", False),
        (0, False),
        (dt.datetime(2020, 1, 1), False),
        (pd.Timestamp("2020-01-01"), False),
    ],
)
def test_is_missing(value: object, missing: bool) -> None:
    assert is_missing(value) is missing


def _code_literals(module: str) -> set[str]:
    """Upper-case string constants that look like codes (names in ``__all__`` excluded)."""
    loaded = importlib.import_module(f"transform.{module}")
    tree = ast.parse((ROOT / "transform" / f"{module}.py").read_text("utf-8"))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CODE_LITERAL.fullmatch(node.value)
        and not hasattr(loaded, node.value)
    }


def test_every_code_used_is_in_the_vocabulary() -> None:
    used = set().union(*(_code_literals(module) for module in NORMALISERS))
    known = set(FLAG_CODES) | set(REASON_CODES)
    assert used - known == set()
    # the scan does see the codes (the check can fail)
    assert {"INVALID_DATE", "AMBIGUOUS_DATE", "UNMAPPED_CODE", "INVALID_PHONE"} <= used
