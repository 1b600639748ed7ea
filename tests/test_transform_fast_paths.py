"""The transform's fast paths agree with the slow paths they skip, on tricky values.

Each fast path answers only the common case (plain ASCII text, an active code as
given, 'Y'/'N', ten plain PHN digits, a lineage time equal to LAST_UPD...) and leaves
everything else to the code it skips. Here the two are compared value by value: the
slow path is reached with a ``str`` subclass (the fast paths take exact ``str`` only)
or is the code as it was before the fast path, copied below as the reference.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import ftfy
import numpy as np
import pandas as pd
import pytest
from stdnum.ca import bc_phn
from test_transform_support import context, legacy_row

import transform
from transform import text as text_module
from transform.codes import CodeLookup
from transform.identifiers import is_valid_phn, normalise_phn
from transform.lineage import lineage_of, modification_num
from transform.local_time import utc
from transform.outcome import Normalised, flagged, is_missing, ok
from transform.row import RowWork
from transform.schemas import build_frame


class Slow(str):
    """A str that no fast path takes (they test ``type(value) is str``)."""

    __slots__ = ()


TEXTS: list[Any] = [
    None,
    float("nan"),
    Decimal("NaN"),
    pd.NA,
    "",
    " ",
    "plain words",
    "trailing blanks   ",
    "why? because",
    "Ren?e",
    "Ren??e",
    "?lodie",
    "a\x00b",
    "\x00",
    "Ren\x00?e",
    "CÃ©line",
    "Ã…sa",
    "Donâ€™t",
    "Nguyá»…n",
    "stray \x92 control",
    "Ã x ©",  # two non-ASCII characters, not adjacent: no pair
    "Ã ©",
    "naïve café",
    "Zoë",
    "Нгуен Ван",
    "王小明",
    "محمد",
    "\ufffd lost",
    "emoji 😀 text",
    "lone \ud800 surrogate",
    "a" * 2000,
    "é" * 2001,
]

DIGIT_TEXTS: list[str] = [
    "",
    "no digits",
    "call 250-555-0101 now",
    "PHN 9698 658 215 typed in",
    "9698658215",
    "٩٦٩٨٦٥٨٢١٥",  # Arabic-Indic digits: regex \\d matches them
    "９６９８６５８２１５",  # fullwidth digits
    "²³¹ superscripts are digits but not decimals",
    "½ ⅓ Ⅻ 五 numerics",
    "mixed ٩6٩8 digits 12345",
    "lone \ud800 surrogate 123456789",
    "\x00 1234567890",
    "emoji 😀 1 2 3 4 5 6 7 8 9 0",
    "é" * 50 + "0123456789",
]


# ----------------------------------------------------------------- references
def reference_fix_encoding(text: str) -> str:
    """transform.text._fix_encoding before the non-ASCII prefilter."""
    if text.isascii() or not text_module._MOJIBAKE_PAIR.search(text):
        return text
    fixed = ftfy.fix_text(text, text_module.FTFY_CONFIG)
    return fixed if fixed != text else text_module._undouble(text)


def reference_find_pii(value: Any) -> list[str]:
    """transform.text.find_pii before the digit count on UTF-8 bytes."""
    if value is None or is_missing(value):
        return []
    if isinstance(value, str) and (
        (value.isascii() and sum(map(value.count, "0123456789")) < 10)
        or not text_module._PII_NECESSARY.search(value)
    ):
        return []
    kinds: set[str] = set()
    if text_module._PHN_GROUPED.search(value):
        kinds.add("PHN")
    for match in text_module._TEN_DIGITS.finditer(value):
        kinds.add("PHN" if bc_phn.is_valid(match.group()) else "PHONE")
    if text_module._PHONE.search(value):
        kinds.add("PHONE")
    return [kind for kind in text_module.PII_KINDS if kind in kinds]


def reference_modification_num(value: Any) -> int | None:
    """transform.lineage.modification_num before the int fast path (None beyond 64 bits)."""
    if value is None:
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except ArithmeticError:
        return None
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return int(number) if -(2**63) <= number < 2**63 else None


def _same(a: Any, b: Any) -> bool:
    """Equal, of the same type, and for datetimes with the same zone and fold."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dt.datetime):
        return a == b and a.tzinfo is b.tzinfo and a.fold == b.fold
    if isinstance(a, Decimal) and a.is_nan():
        return b.is_nan()
    return bool(a == b) if a is not pd.NA else b is pd.NA


# ----------------------------------------------------------------------- text
@pytest.mark.parametrize("value", TEXTS)
def test_repair_text_all_fast_path_matches_the_slow_path(value: Any) -> None:
    fast_text, fast_flags = transform.repair_text_all(value)
    if isinstance(value, str):
        slow_text, slow_flags = transform.repair_text_all(Slow(value))
        assert fast_text == slow_text
        assert [(c, str(o), str(n)) for c, o, n in fast_flags] == [
            (c, str(o), str(n)) for c, o, n in slow_flags
        ]
        if value.isascii() and "\x00" not in value and "?" not in value:
            assert fast_text is value and fast_flags == []
    else:
        assert (fast_text, fast_flags) == (None, [])


@pytest.mark.parametrize("value", [v for v in TEXTS if isinstance(v, str)])
def test_fix_encoding_prefilter_changes_nothing(value: str) -> None:
    assert text_module._fix_encoding(value) == reference_fix_encoding(value)


@pytest.mark.parametrize("value", DIGIT_TEXTS + [v for v in TEXTS if isinstance(v, str)])
def test_decimal_count_is_what_regex_d_matches(value: str) -> None:
    assert text_module._decimal_count(value) == len(re.findall(r"\d", value))


@pytest.mark.parametrize("value", DIGIT_TEXTS + TEXTS)
def test_find_pii_matches_the_reference(value: Any) -> None:
    assert transform.find_pii(value) == reference_find_pii(value)


# ------------------------------------------------------------------------ PHN
PHNS = [
    "9698658215",
    "9698658216",  # bad check digit
    "0698658215",
    "969865821",
    "96986582150",
    "9698 658 215",
    "9698-658-215",
    " 9698658215",
    "9698658215 ",
    "９６９８６５８２１５",  # fullwidth: not ASCII, left to stdnum
    "٩٦٩٨٦٥٨٢١٥",
    "96986582l5",
    "",
    "   ",
]


@pytest.mark.parametrize("value", PHNS)
def test_phn_fast_path_matches_stdnum(value: str) -> None:
    assert is_valid_phn(value) == is_valid_phn(Slow(value)) == bool(bc_phn.is_valid(value))
    fast, slow = normalise_phn(value), normalise_phn(Slow(value))
    assert (fast.value, fast.flag, fast.reason, fast.note) == (
        slow.value,
        slow.flag,
        slow.reason,
        slow.note,
    )


# ----------------------------------------------------------- codes and flags
CODE_VALUES: list[Any] = [
    None,
    "",
    " ",
    "Open",
    "open",
    " Open",
    "Open ",
    "Active",  # crosswalk spelling
    "active",
    "Closed",
    "Nonsense",
    "Entered in Error",
    "entered  in error",
    "Open\x00",
    float("nan"),
    Decimal("NaN"),
    1,
]
LEGAL_VALUES: list[Any] = ["Voluntary", "Old Order", "old order", "VOLUNTARY", None]
FLAG_VALUES: list[Any] = [
    None,
    "",
    " ",
    "Y",
    "N",
    "y",
    "n",
    "Y ",
    " N",
    "T",
    "1",
    "0",
    "Yes",
    "X",
    True,
    False,
    float("nan"),
    Decimal("NaN"),
    1,
]


def _work(row: dict[str, Any]) -> RowWork:
    ctx = context("S_CASE", [row])
    return RowWork("S_CASE", row, ctx, CodeLookup.from_context(ctx))


def _record(work: RowWork) -> tuple[Any, ...]:
    return (list(work.reasons), list(work.flags))


@pytest.mark.parametrize(
    ("column", "value"),
    [("STATUS_CD", v) for v in CODE_VALUES] + [("X_LEGAL_STATUS_CD", v) for v in LEGAL_VALUES],
)
def test_code_fast_path_matches_the_lookup(column: str, value: Any) -> None:
    row = legacy_row("S_CASE", "1-C9", **{column: value})
    fast, slow = _work(row), _work(dict(row))
    got = fast.code(column)
    code_set = transform.code_set_of("S_CASE", column)
    expected = slow.take(column, slow.lookup.map(code_set, row[column]))
    assert got == expected and type(got) is type(expected)
    assert _record(fast) == _record(slow)


@pytest.mark.parametrize("value", FLAG_VALUES)
def test_yes_no_fast_path_matches_parse_flag(value: Any) -> None:
    row = legacy_row("S_USER", "1-U9", ACTIVE_FLG=value)
    ctx = context("S_USER", [row])
    fast = RowWork("S_USER", row, ctx, CodeLookup.from_context(ctx))
    slow = RowWork("S_USER", dict(row), ctx, CodeLookup.from_context(ctx))
    got = fast.yes_no("ACTIVE_FLG")
    expected = slow.take("ACTIVE_FLG", transform.parse_flag(value))
    assert got is expected or (got == expected and type(got) is type(expected))
    assert (fast.reasons, fast.flags) == (slow.reasons, slow.flags)


def test_row_id_is_read_once_as_text() -> None:
    work = _work(legacy_row("S_CASE", "1-C9"))
    assert work.row_id == "1-C9"
    numeric = _work(dict(legacy_row("S_CASE", "1-C9"), ROW_ID=12))
    assert numeric.row_id == "12"


def test_ok_shares_one_instance_per_boolean() -> None:
    assert ok(True) is ok(True) and ok(False) is ok(False)
    assert ok(True) == Normalised(True) and ok(False) == Normalised(False)
    assert ok(1) == Normalised(1) and ok(1).value is not True
    assert ok(0).value == 0 and type(ok(0).value) is int
    assert flagged(True, "X").flag == "X"


# -------------------------------------------------------------------- lineage
LAST_UPD = dt.datetime(2016, 6, 7, 8, 9, 10)
TIMES: list[Any] = [
    LAST_UPD,
    LAST_UPD.replace(fold=1),
    LAST_UPD.replace(microsecond=1),
    LAST_UPD.replace(tzinfo=dt.UTC),
    LAST_UPD.replace(tzinfo=dt.timezone(dt.timedelta(hours=-7))),
    pd.Timestamp(LAST_UPD),
    np.datetime64("NaT"),
    pd.NaT,
    None,
    dt.datetime(2015, 1, 2, 3, 4, 5),
]


@pytest.mark.parametrize("last_upd", [LAST_UPD, LAST_UPD.replace(fold=1), None, pd.NaT])
@pytest.mark.parametrize("other", TIMES)
def test_lineage_times_equal_to_last_upd_are_converted_alike(last_upd: Any, other: Any) -> None:
    row = legacy_row("S_CASE", "1-C9", LAST_UPD=last_upd, CREATED=other, DB_LAST_UPD=other)
    lineage = lineage_of("S_CASE", row)
    assert _same(lineage["legacy_last_upd"], utc(last_upd))
    assert _same(lineage["legacy_created"], utc(other))
    assert _same(lineage["legacy_db_last_upd"], utc(other))


@pytest.mark.parametrize(
    "value",
    [
        None,
        0,
        3,
        -4,
        2**70,
        True,
        False,
        Decimal("3"),
        Decimal("3.0"),
        Decimal("3.5"),
        Decimal("NaN"),
        Decimal("Infinity"),
        "7",
        "7.5",
        "x",
        7.0,
        7.5,
        float("nan"),
        np.int64(5),
        2**63 - 1,
        2**63,
        -(2**63),
        -(2**63) - 1,
        Decimal("1E+30"),
        Decimal("9223372036854775808"),
    ],
)
def test_modification_num_matches_the_reference(value: Any) -> None:
    got, expected = modification_num(value), reference_modification_num(value)
    assert got == expected and type(got) is type(expected)


# ---------------------------------------------------------------- build_frame
def _staff_row() -> dict[str, Any]:
    row = legacy_row("S_USER", "1-U9")
    ctx = context("S_USER", [row])
    result = transform.transform_batch("S_USER", pd.DataFrame([row], dtype=object), ctx)
    return dict(result.upserts["staff_user"].to_dict("records")[0])


def test_build_frame_keeps_every_value_as_given() -> None:
    good = _staff_row()
    odd = dict(good, login=Decimal("NaN"), is_active=np.bool_(True))
    frame = build_frame("staff_user", [good, odd])
    assert list(frame.columns) == list(transform.schema_of("staff_user").columns)
    assert all(dtype == np.dtype(object) for dtype in frame.dtypes)
    assert frame["login"].tolist()[1] is odd["login"]
    assert frame["is_active"].tolist()[1] is odd["is_active"]
    assert frame.to_dict("records")[0] == good
    person = build_frame("person", [], update=True)
    assert frame.index.equals(pd.RangeIndex(2)) and person.empty


@pytest.mark.parametrize(
    ("change", "missing", "extra"),
    [
        ({"drop": "login"}, ["login"], []),
        ({"add": "nickname"}, [], ["nickname"]),
        ({"drop": "login", "add": "nickname"}, ["login"], ["nickname"]),  # same width
    ],
)
def test_build_frame_names_the_misfit_row(
    change: dict[str, str], missing: list[str], extra: list[str]
) -> None:
    good = _staff_row()
    bad = dict(good)
    if "drop" in change:
        del bad[change["drop"]]
    if "add" in change:
        bad[change["add"]] = "x"
    with pytest.raises(transform.OutputContractError) as raised:
        build_frame("staff_user", [good, bad, bad])
    assert str(raised.value) == (
        f"S_USER 1-U9: row for staff_user has missing columns {missing} and unknown columns {extra}"
    )
