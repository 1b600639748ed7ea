"""transform.codes: pick-list drift (D09) and retired codes (D10)."""

from __future__ import annotations

import datetime as dt

import pytest

from transform.codes import CodeLookup, fold_code_value
from transform.result import BatchContext, CodeEntry

PLCMT = "ICM_PLCMT_TYPE"
STATUS = "ICM_CASE_STATUS"


def _entry(code_set: str, code: str, display: str, active: bool = True) -> CodeEntry:
    return CodeEntry(code_set=code_set, code=code, display_value=display, is_active=active)


ENTRIES = [
    _entry(PLCMT, "FOSTER", "Foster Home"),
    _entry(PLCMT, "KIN", "Kinship Care"),
    _entry(PLCMT, "GROUP", "Group Home", active=False),
    _entry(PLCMT, "SPEC", "Specialized Resource", active=False),
    _entry(STATUS, "OPEN", "Open"),
    _entry(STATUS, "CLOSED", "Closed"),
    _entry(STATUS, "EIE", "Entered in Error"),
    # two display values folding alike but meaning different codes
    _entry("ODD", "A", "Alpha"),
    _entry("ODD", "B", "ALPHA"),
]
CODES = {(e.code_set, e.display_value): e for e in ENTRIES}
CROSSWALK = {
    (PLCMT, "Foster Care Home"): "FOSTER",
    (PLCMT, "Relative Placement"): "KIN",
    (STATUS, "Active"): "OPEN",  # the renamed value
    (STATUS, "Closed - Complete"): "CLOSED",
    (STATUS, "Opened"): "OPEN",
    ("WALK", "Beta"): "B1",
    ("WALK", "BETA"): "B2",
}
LOOKUP = CodeLookup(CODES, CROSSWALK)


@pytest.mark.parametrize(
    ("code_set", "value", "code", "flag", "reason"),
    [
        (PLCMT, "Foster Home", "FOSTER", None, None),
        (STATUS, "Open", "OPEN", None, None),
        (STATUS, "Entered in Error", "EIE", None, None),
        # D10: only present as inactive
        (PLCMT, "Group Home", "GROUP", "RETIRED_CODE", None),
        # irregular spelling of a retired value: retirement is what the steward sees
        (PLCMT, "GROUP HOME ", "GROUP", "RETIRED_CODE", None),
        # D09: crosswalk exact
        (PLCMT, "Foster Care Home", "FOSTER", "CODE_NORMALISED", None),
        (STATUS, "Active", "OPEN", "CODE_NORMALISED", None),
        # D09: trimmed / case-folded against the list
        (PLCMT, "FOSTER HOME ", "FOSTER", "CODE_NORMALISED", None),
        (PLCMT, "foster home", "FOSTER", "CODE_NORMALISED", None),
        (PLCMT, "  Foster   Home", "FOSTER", "CODE_NORMALISED", None),
        (PLCMT, "Foster\tHome", "FOSTER", "CODE_NORMALISED", None),
        # ... and against the crosswalk's spellings
        (PLCMT, "relative placement", "KIN", "CODE_NORMALISED", None),
        (STATUS, " ACTIVE", "OPEN", "CODE_NORMALISED", None),
        # unknown
        (PLCMT, "Other", None, None, "UNMAPPED_CODE"),
        (PLCMT, "Foster", None, None, "UNMAPPED_CODE"),
        (PLCMT, "Open", None, None, "UNMAPPED_CODE"),  # a value of another list
        ("NO_SUCH_LIST", "Open", None, None, "UNMAPPED_CODE"),
        # ambiguous after folding: never guessed
        ("ODD", "Alpha", "A", None, None),
        ("ODD", "ALPHA", "B", None, None),
        ("ODD", "alpha", None, None, "UNMAPPED_CODE"),
        ("WALK", "Beta", "B1", "CODE_NORMALISED", None),
        ("WALK", "beta", None, None, "UNMAPPED_CODE"),
        # missing
        (PLCMT, None, None, None, None),
        (PLCMT, "", None, None, None),
        (PLCMT, "   ", None, None, None),
    ],
)
def test_map(
    code_set: str, value: str | None, code: str | None, flag: str | None, reason: str | None
) -> None:
    result = LOOKUP.map(code_set, value)
    assert (result.value, result.flag, result.reason) == (code, flag, reason)


def test_an_exact_retired_value_wins_over_the_crosswalk() -> None:
    lookup = CodeLookup(CODES, {**CROSSWALK, (PLCMT, "Group Home"): "FOSTER"})
    result = lookup.map(PLCMT, "Group Home")
    assert (result.value, result.flag) == ("GROUP", "RETIRED_CODE")


def test_folded_active_value_and_crosswalk_agreeing_is_not_ambiguous() -> None:
    lookup = CodeLookup(CODES, {(PLCMT, "FOSTER HOME"): "FOSTER"})
    assert lookup.map(PLCMT, "foster home").value == "FOSTER"


def test_folded_active_value_and_crosswalk_disagreeing_is_unmapped() -> None:
    lookup = CodeLookup(CODES, {(PLCMT, "FOSTER HOME"): "KIN"})
    assert lookup.map(PLCMT, "foster home ").reason == "UNMAPPED_CODE"
    assert lookup.map(PLCMT, "FOSTER HOME").value == "KIN"  # the exact crosswalk entry


def test_from_context() -> None:
    context = BatchContext(as_of=dt.date(2024, 1, 1), codes=CODES, crosswalk=CROSSWALK)
    assert CodeLookup.from_context(context).map(STATUS, "Active").value == "OPEN"


def test_notes_carry_no_value() -> None:
    for value in ("Zorblax", "foster home", "Group Home"):
        assert value.casefold() not in LOOKUP.map(PLCMT, value).note.casefold()


def test_fold() -> None:
    assert fold_code_value("  Foster\u00a0 HOME ") == "foster home"
    assert fold_code_value("STRASSE") == fold_code_value("straße")
