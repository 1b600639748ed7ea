"""The column-wise fast paths give exactly what the row-wise reference functions give.

``oracle_columns`` must equal ``oracle_rows`` (values, types and errors) and
``source_hashes`` must equal ``source_hash`` row by row, on random pages that
mix clean values with every awkward value a driver can hand over.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
from collections.abc import Callable
from typing import Any

import pytest

import extract
from extract.canonical import source_hash, source_hashes
from extract.oracle import oracle_columns, oracle_rows

D = decimal.Decimal
TEXT: list[Any] = [
    None,
    "",
    " ",
    "x",
    "x ",
    " x",
    "Y",
    "N",
    "Y ",
    "y",
    "a\x00b",
    'q"u\\o',
    "é",
    "%s",
    b"abc",
    b"",
    b"\xff",
    12,
]
DATE: list[Any] = [
    None,
    "",
    "2020-01-02",
    "2020-01-02 03:04:05",
    "2020-01-02 03:04:05.000000",
    "2020-01-02 03:04:05.000120",
    "2020-02-30",
    "20200102",
    " 2020-01-02",
    "garbage",
    "٢٠٢٠-٠١-٠٢",
    dt.datetime(2020, 1, 2, 3, 4, 5),
    dt.datetime(2020, 1, 2, 3, 4, 5, 7),
    dt.date(2020, 1, 2),
    1.5,
]
NUM: list[Any] = [
    None,
    "",
    0,
    3,
    -0.0,
    1.5,
    3.0,
    0.1,
    123.4567891,
    float("nan"),
    D("1.5"),
    D("1.50"),
    D("-0"),
    D("1E+3"),
    D("1.234567890"),
    D("9" * 70),
    D("NaN"),
    "1.5",
    "1,5",
    "abc",
    b"7",
    10**30,
]


def _pool(kind: str) -> list[Any]:
    return {"date": DATE, "number": NUM}.get(kind, TEXT)


def _outcome(call: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        return ("ok", repr(call()))
    except Exception as exc:  # the same error, naming the same place, is part of "the same"
        return (
            "error",
            type(exc).__name__,
            str(exc),
            getattr(exc, "row_id", None),
            getattr(exc, "column", None),
        )


@pytest.mark.parametrize("seed", range(4))
def test_column_wise_equals_row_wise(seed: int) -> None:
    rng = random.Random(seed)
    checked_ok = 0
    for _ in range(3000):
        table = rng.choice(["S_LST_OF_VAL", "S_CONTACT", "S_EVT_ACT"])
        spec = extract.legacy_spec()[table]
        names = list(spec.column_names)
        clean = rng.random() < 0.5
        rows = []
        for i in range(rng.randint(1, 6)):
            row = []
            for col in spec.columns:
                pool = _pool(col.logical_type)
                if col.name == "ROW_ID":
                    row.append(f"1-A{i}")
                elif clean:
                    row.append(
                        rng.choice(
                            [v for v in pool if v is None or isinstance(v, (str, dt.datetime, D))][
                                :8
                            ]
                        )
                    )
                else:
                    row.append(rng.choice(pool))
            rows.append(tuple(row))
        by_rows = _outcome(lambda t=table, n=names, r=rows: oracle_rows(t, n, r))
        by_columns = _outcome(
            lambda t=table, n=names, r=rows: [
                tuple(x) for x in zip(*oracle_columns(t, n, r), strict=True)
            ]
        )
        assert by_rows == by_columns, (table, rows)
        if by_rows[0] == "ok":
            converted = oracle_rows(table, names, rows)
            one_by_one = [source_hash(table, dict(zip(names, r, strict=True))) for r in converted]
            assert (
                source_hashes(table, [list(c) for c in zip(*converted, strict=True)]) == one_by_one
            )
            checked_ok += 1
    assert checked_ok > 50, "enough pages converted cleanly to compare their hashes"
