"""Hypothesis strategies of adversarial legacy values, per logical type, for the fuzz tests.

Text with control characters, NUL, combining marks, placeholders, mis-cased codes and padded
keys; dates from year 1 to 9999 with DST and far-future sentinels; numbers far out of
range, negative or fractional.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from test_transform_support import CODES

from extract.legacy_schema import ColumnSpec

_LONG_SEARCH = int(os.environ.get("ICM_FUZZ_EXAMPLES", "0"))


def fuzz_settings(examples: int) -> settings:
    """``examples`` derandomised examples (repeatable in CI); ``ICM_FUZZ_EXAMPLES=N`` searches
    N random examples instead."""
    return settings(
        max_examples=_LONG_SEARCH or examples,
        derandomize=not _LONG_SEARCH,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


KEYS = ["1-P1", "1-P2", "1-P3", "1-A1", "1-C1", "1-I1", "1-S1", "1-E1", "0-1", "1-U1", "1-P9"]
_AWKWARD_TEXT = [
    "NULL",
    "<null>",
    "null",
    " ",
    "  ",
    "\t",
    "N/A",
    "?",
    "-",
    "0",
    "Y",
    "N",
    "y",
    "n",
    "Yes",
    "No",
    "UNKNOWN",
    "\x00",
    "a\x00b",
    "Ã©",
    "Ã¯Â¿Â½",
    "\ufffd",
    "e\u0301",
    "ZZZZ",
    "DECEASED",
    "Baby Boy",
    "Unknown",
    "Zz_Deleted",
    "9698658215",
    "969 865 8215",
    "1234567890",
    "V8W 1G1",
    "v8w1g1",
    "BC",
    "B.C.",
    "Canada",
    "CA",
    "USA",
    "250-555-0101",
    "(250) 555-0101",
    "+1 250 555 0101",
    "2010-05-17",
    "17/05/2010",
    "05/17/2010",
    "2010-13-45",
    "0000-00-00",
    "31-DEC-99",
    "2010-05-17 25:61:61",
    "1-P1 ",
    " 1-P1",
    "1-p1",
    "1+2+XYZ",
    "\u200b",
    "\u202e",
    "😀",
    "\r\n",
    "a" * 300,
]


def _text(spec: ColumnSpec) -> st.SearchStrategy[str | None]:
    size = spec.length or 400
    codes = [display for values in CODES.values() for display in values]
    base = st.text(
        alphabet=st.characters(max_codepoint=0x2FFFF, exclude_categories=["Cs"]),
        min_size=1,
        max_size=size + 3,
    )
    pool = st.sampled_from(_AWKWARD_TEXT + KEYS + codes + [c.upper() for c in codes])
    return st.one_of(st.none(), pool, base)


def _date(_: ColumnSpec) -> st.SearchStrategy[dt.datetime | None]:
    return st.one_of(
        st.none(),
        st.datetimes(
            min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59)
        ),
        st.sampled_from(
            [
                dt.datetime(1, 1, 1),
                dt.datetime(9999, 12, 31, 23, 59, 59),
                dt.datetime(1900, 1, 1),
                dt.datetime(2024, 1, 15),
                dt.datetime(2024, 1, 16),
                dt.datetime(2021, 3, 14, 2, 30),
                dt.datetime(2021, 11, 7, 1, 30),
            ]
        ),
    )


def _number(spec: ColumnSpec) -> st.SearchStrategy[Decimal | None]:
    digits = spec.precision or 22
    return st.one_of(
        st.none(),
        st.decimals(
            allow_nan=False,
            allow_infinity=False,
            places=spec.scale or 0,
            min_value=-(10 ** (digits - (spec.scale or 0))) + 1,
            max_value=10 ** (digits - (spec.scale or 0)) - 1,
        ),
        st.sampled_from(
            [
                Decimal("0"),
                Decimal("-0"),
                Decimal("-1"),
                Decimal("0.5"),
                Decimal("1E+30"),
                Decimal("2147483648"),
                Decimal("9223372036854775808"),
            ]
        ),
    )


def legacy_value(spec: ColumnSpec) -> st.SearchStrategy[Any]:
    if spec.is_text:
        return _text(spec)
    if spec.logical_type == "date":
        return _date(spec)
    return _number(spec)
