"""``source_hash``: documented, engine-independent, and different for any two different rows."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from typing import Any

import pytest

import extract

TABLE = "S_LST_OF_VAL"


def row(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict.fromkeys(extract.legacy_spec()[TABLE].column_names)
    base["ROW_ID"] = "1-ABC9"
    base.update(values)
    return base


def test_canonical_form_is_the_documented_json() -> None:
    r = row(
        CREATED=dt.datetime(2020, 1, 2, 3, 4, 5),
        LAST_UPD=dt.datetime(2020, 1, 2, 3, 4, 5, 120),
        MODIFICATION_NUM=decimal.Decimal("3"),
        ORDER_BY=decimal.Decimal("1.5"),
        VAL='Zoë "x"',
    )
    encoded = extract.canonical_row(TABLE, r)
    table, pairs = json.loads(encoded.decode("utf-8"))
    assert table == TABLE
    assert [p[0] for p in pairs] == list(extract.legacy_spec()[TABLE].column_names)
    values = dict(pairs)
    assert values["CREATED"] == "2020-01-02T03:04:05"
    assert values["LAST_UPD"] == "2020-01-02T03:04:05.000120"
    assert values["MODIFICATION_NUM"] == "3"
    assert values["ORDER_BY"] == "1.5000000"
    assert values["DESC_TEXT"] is None
    assert 'Zoë \\"x\\"' in encoded.decode("utf-8")  # not \u00eb: ensure_ascii=False
    assert b", " not in encoded and b": " not in encoded
    assert extract.source_hash(TABLE, r) == hashlib.sha256(encoded).hexdigest()
    assert len(extract.source_hash(TABLE, r)) == 64


def test_golden_hash_is_stable() -> None:
    """Changing the encoding changes every stored hash: it must be a deliberate, visible change."""
    r = row(
        CREATED=dt.datetime(2020, 1, 2, 3, 4, 5),
        ORDER_BY=decimal.Decimal("1.5"),
        VAL="Open",
        ACTIVE_FLG="Y",
    )
    expected_text = (
        '["S_LST_OF_VAL",[["ROW_ID","1-ABC9"],["CREATED","2020-01-02T03:04:05"],["CREATED_BY",null],'
        '["LAST_UPD",null],["LAST_UPD_BY",null],["MODIFICATION_NUM",null],["CONFLICT_ID",null],'
        '["DB_LAST_UPD",null],["TYPE",null],["NAME",null],["VAL","Open"],["LANG_ID",null],'
        '["ACTIVE_FLG","Y"],["ORDER_BY","1.5000000"],["PAR_ROW_ID",null],["DESC_TEXT",null]]]'
    )
    assert extract.canonical_row(TABLE, r) == expected_text.encode()
    assert extract.source_hash(TABLE, r) == hashlib.sha256(expected_text.encode()).hexdigest()


def test_same_value_from_different_drivers_hashes_the_same() -> None:
    """What the engines hand over differently, once given its Oracle meaning, hashes the same."""
    spec = extract.legacy_spec()[TABLE]
    raw_by_driver = [
        {"CREATED": "2020-01-02 03:04:05.000000", "ORDER_BY": 1.5, "MODIFICATION_NUM": 3, "ACTIVE_FLG": "Y"},  # SQLite
        {"CREATED": dt.datetime(2020, 1, 2, 3, 4, 5), "ORDER_BY": decimal.Decimal("1.5000000"),
         "MODIFICATION_NUM": decimal.Decimal("3"), "ACTIVE_FLG": "Y"},  # PostgreSQL, MariaDB
        {"CREATED": "2020-01-02T03:04:05", "ORDER_BY": "1.5", "MODIFICATION_NUM": "3", "ACTIVE_FLG": "Y "},  # text
        {"CREATED": dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "ORDER_BY": decimal.Decimal("1.50"),
         "MODIFICATION_NUM": 3.0, "ACTIVE_FLG": b"Y"},
    ]  # fmt: skip
    hashes = set()
    for raw in raw_by_driver:
        values = {
            name: extract.oracle_value(spec.column(name), value) for name, value in raw.items()
        }
        hashes.add(extract.source_hash(TABLE, row(**values)))
    assert len(hashes) == 1


@pytest.mark.parametrize(
    "a, b",
    [
        ({"VAL": None}, {"VAL": "NULL"}),
        ({"VAL": None}, {"VAL": ""}),
        ({"VAL": None}, {"VAL": "<null>"}),
        ({"VAL": None}, {"VAL": "null"}),
        ({"VAL": ""}, {"VAL": "NULL"}),
        ({"VAL": "x "}, {"VAL": "x"}),
        ({"VAL": " x"}, {"VAL": "x"}),
        ({"VAL": "Open"}, {"VAL": "open"}),
        ({"VAL": "a\x00"}, {"VAL": "a"}),
        ({"VAL": "a\x00b"}, {"VAL": "a b"}),
        ({"VAL": "a,b", "NAME": "c"}, {"VAL": "a", "NAME": "b,c"}),
        ({"VAL": 'a","b'}, {"VAL": "a", "NAME": "b"}),
        ({"VAL": "a]", "NAME": None}, {"VAL": "a", "NAME": "]"}),
        ({"TYPE": "AB", "NAME": None}, {"TYPE": "A", "NAME": "B"}),
        (
            {"VAL": "\u00e9"},
            {"VAL": "e\u0301"},
        ),  # precomposed vs e + combining accent: not normalised
        ({"ORDER_BY": decimal.Decimal("1.5")}, {"ORDER_BY": decimal.Decimal("15")}),
        ({"ORDER_BY": decimal.Decimal("1")}, {"ORDER_BY": None}),
        ({"ORDER_BY": decimal.Decimal("0")}, {"ORDER_BY": None}),
        ({"CREATED": dt.datetime(2020, 1, 2)}, {"CREATED": dt.datetime(2020, 1, 2, 0, 0, 1)}),
        ({"CREATED": dt.datetime(2020, 1, 2)}, {"CREATED": dt.datetime(2020, 1, 2, 0, 0, 0, 1)}),
        ({"ROW_ID": "1-ABC9"}, {"ROW_ID": "1-ABC9 "}),
        ({"ROW_ID": "1-ABC9"}, {"ROW_ID": "1-abc9"}),
    ],
)
def test_every_difference_changes_the_hash(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert extract.source_hash(TABLE, row(**a)) != extract.source_hash(TABLE, row(**b))


def test_table_name_is_part_of_the_hash() -> None:
    user = dict.fromkeys(extract.legacy_spec()["S_USER"].column_names)
    user["ROW_ID"] = "X"
    case = dict.fromkeys(extract.legacy_spec()["S_CASE"].column_names)
    case["ROW_ID"] = "X"
    assert extract.source_hash("S_USER", user) != extract.source_hash("S_CASE", case)


def test_equal_numbers_hash_the_same_and_negative_zero_is_zero() -> None:
    assert extract.source_hash(TABLE, row(ORDER_BY=decimal.Decimal("1.5"))) == extract.source_hash(
        TABLE, row(ORDER_BY=decimal.Decimal("1.500"))
    )
    assert extract.source_hash(TABLE, row(MODIFICATION_NUM=3)) == extract.source_hash(
        TABLE, row(MODIFICATION_NUM=decimal.Decimal("3"))
    )
    assert extract.source_hash(TABLE, row(ORDER_BY=decimal.Decimal("-0"))) == extract.source_hash(
        TABLE, row(ORDER_BY=decimal.Decimal("0"))
    )
    # More digits than the scale: kept, not rounded away.
    assert extract.source_hash(
        TABLE, row(ORDER_BY=decimal.Decimal("1.23456789"))
    ) != extract.source_hash(TABLE, row(ORDER_BY=decimal.Decimal("1.2345679")))
    spec = extract.legacy_spec()[TABLE].column("ORDER_BY")
    assert extract.canonical_value(spec, decimal.Decimal("1E+3")) == "1000.0000000"


def test_extra_keys_are_ignored_and_missing_columns_rejected() -> None:
    r = row(VAL="Open")
    assert extract.source_hash(TABLE, {**r, "source_hash": "abc"}) == extract.source_hash(TABLE, r)
    del r["DESC_TEXT"]
    with pytest.raises(KeyError, match="DESC_TEXT"):
        extract.source_hash(TABLE, r)


@pytest.mark.parametrize(
    "values",
    [
        {"VAL": 3},
        {"ORDER_BY": 1.5},
        {"ORDER_BY": "1.5"},
        {"ORDER_BY": True},
        {"CREATED": "2020-01-02"},
        {"CREATED": dt.date(2020, 1, 2)},
        {"CREATED": dt.datetime(2020, 1, 2, tzinfo=dt.UTC)},
        {"ORDER_BY": decimal.Decimal("NaN")},
    ],
)
def test_values_without_their_oracle_meaning_are_rejected(values: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        extract.canonical_row(TABLE, row(**values))
