"""reconcile.compare: values compared by meaning across engines, and every small edit caught."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from reconcile.compare import PII_KIND_OF, canonical, compare_rows, diff_summary, same_value

DATE = sa.Date()
TS = sa.DateTime(timezone=True)
TEXT = sa.String(50)
NUM = sa.Numeric(22, 7)
INT = sa.BigInteger()
BOOL = sa.Boolean()
UUID = sa.Uuid()


@pytest.mark.parametrize(
    ("expected", "actual", "column_type"),
    [
        # A naive SQLite timestamp is UTC; PostgreSQL hands back aware values in the session zone.
        (dt.datetime(2012, 11, 4, 8, 30, tzinfo=dt.UTC), dt.datetime(2012, 11, 4, 8, 30), TS),
        (
            dt.datetime(2012, 11, 4, 8, 30, tzinfo=dt.UTC),
            dt.datetime(2012, 11, 4, 1, 30, tzinfo=ZoneInfo("America/Vancouver")),
            TS,
        ),
        (pd.Timestamp("2012-11-04 08:30", tz="UTC"), dt.datetime(2012, 11, 4, 8, 30), TS),
        # A DATE from SQLite text / PostgreSQL date / MariaDB DATETIME at midnight: the same day.
        (dt.date(2009, 3, 5), dt.datetime(2009, 3, 5, 0, 0), DATE),
        (pd.Timestamp("2009-03-05"), dt.date(2009, 3, 5), DATE),
        # Numbers by value, exactly.
        (Decimal("1.5000000"), 1.5, NUM),
        (3, Decimal("3"), INT),
        (np.int64(7), 7, INT),
        (1.0, 1, INT),
        (0.1, Decimal("0.1"), NUM),
        # UUIDs and their text; flags and 0/1.
        (
            uuid.UUID("6f0c3a52-6c1e-4d55-9a53-3b0f0d1f7a11"),
            "6f0c3a52-6c1e-4d55-9a53-3b0f0d1f7a11",
            UUID,
        ),
        (
            uuid.UUID("6f0c3a52-6c1e-4d55-9a53-3b0f0d1f7a11"),
            "6F0C3A52-6C1E-4D55-9A53-3B0F0D1F7A11",
            UUID,
        ),
        (True, 1, BOOL),
        (np.bool_(False), 0, BOOL),
        # Every missing marker is NULL.
        (None, None, TEXT),
        (float("nan"), None, NUM),
        (pd.NaT, None, TS),
        (pd.NA, None, TEXT),
        ("Céline", "Céline", TEXT),
    ],
)
def test_equal_by_meaning(
    expected: object, actual: object, column_type: sa.types.TypeEngine[object]
) -> None:
    assert same_value(expected, actual, column_type)


@pytest.mark.parametrize(
    ("expected", "actual", "column_type", "edit"),
    [
        ("Tremblay", "Tremblay ", TEXT, "trailing space"),
        ("Tremblay", "TREMBLAY", TEXT, "case"),
        (None, "NULL", TEXT, "NULL as text"),
        (None, "<null>", TEXT, "<null> as text"),
        (None, "", TEXT, "empty text for NULL"),
        (
            dt.datetime(2012, 11, 4, 8, 30, tzinfo=dt.UTC),
            dt.datetime(2012, 11, 4, 8, 30, 1),
            TS,
            "+1 s",
        ),
        (dt.datetime(2012, 11, 4, 8, 30), dt.datetime(2012, 11, 4, 8, 30, 0, 1), TS, "+1 µs"),
        (Decimal("1.5"), Decimal("1.51"), NUM, "+0.01"),
        (1.5, 1.51, NUM, "+0.01 float"),
        (100, 101, INT, "+1"),
        (dt.date(2009, 3, 5), dt.date(2009, 3, 6), DATE, "+1 day"),
        # Only a DATE column makes midnight a day: in a timestamp column a date is not an instant.
        (dt.date(2009, 3, 5), dt.datetime(2009, 3, 5), TS, "date vs timestamp"),
        (dt.date(2009, 3, 5), dt.datetime(2009, 3, 5, 0, 0, 1), DATE, "not midnight"),
        (True, "Y", BOOL, "flag as text"),
        (True, 1, TEXT, "true vs 1 outside a BOOLEAN column"),
        (None, False, BOOL, "unknown vs false"),
        (
            "6f0c3a52-6c1e-4d55-9a53-3b0f0d1f7a11",
            "6f0c3a52-6c1e-4d55-9a53-3b0f0d1f7a12",
            UUID,
            "another id",
        ),
        ("1", 1, TEXT, "text vs number"),
    ],
)
def test_every_small_edit_is_a_difference(
    expected: object, actual: object, column_type: sa.types.TypeEngine[object], edit: str
) -> None:
    assert not same_value(expected, actual, column_type), edit


def test_canonical_keeps_kinds_apart() -> None:
    assert canonical(True) == ("bool", True)
    assert canonical(1) == ("number", Decimal(1))
    assert canonical(dt.datetime(2020, 1, 1), DATE) == ("date", dt.date(2020, 1, 1))
    assert canonical(dt.datetime(2020, 1, 1)) == (
        "datetime",
        dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )


def test_compare_rows_names_the_target_columns_and_tags_personal_data() -> None:
    types = {
        "family_name": TEXT,
        "birth_date": DATE,
        "sex_code": TEXT,
        "migration_run_id": TEXT,
        "sha256": TEXT,
    }
    expected = {
        "family_name": "Tremblay",
        "birth_date": dt.date(2009, 3, 5),
        "sex_code": "F",
        "migration_run_id": "run-a",
        "sha256": "aa",
        "helper": "not a column",
    }
    actual = {
        "family_name": "Tremblay ",
        "birth_date": dt.date(2009, 3, 6),
        "sex_code": "F",
        "migration_run_id": "run-b",
        "sha256": "bb",
    }
    diffs = compare_rows(expected, actual, types, skip={"sha256"})
    assert [d.field for d in diffs] == ["family_name", "birth_date"]
    assert [d.pii_kind for d in diffs] == ["name", "date"]
    assert diffs[0].expected == "Tremblay" and diffs[0].actual == "Tremblay "


def test_diff_summary_is_a_deepdiff_without_values() -> None:
    types = {"family_name": TEXT, "birth_date": DATE, "alert_text": TEXT}
    diffs = compare_rows(
        {"family_name": "Tremblay", "birth_date": dt.date(2009, 3, 5), "alert_text": None},
        {"family_name": "TREMBLAY", "birth_date": "2009-03-05", "alert_text": "NULL"},
        types,
    )
    summary = diff_summary(diffs)
    assert summary.startswith("deepdiff: ")
    assert "values_changed: family_name" in summary
    assert "birth_date (date -> str)" in summary and "alert_text (NoneType -> str)" in summary
    for value in ("Tremblay", "TREMBLAY", "2009", "NULL"):
        assert value not in summary
    assert diff_summary([]) == ""


def test_personal_columns_have_a_pii_kind() -> None:
    assert PII_KIND_OF["given_name"] == "name"
    assert PII_KIND_OF["deceased_date"] == "date"
    assert PII_KIND_OF["id_value"] == "identifier"
    for column in (
        "reporter_name",
        "reporter_phone",
        "alert_text",
        "body",
        "description",
        "subject",
    ):
        assert PII_KIND_OF[column] == "text"
    assert "sex_code" not in PII_KIND_OF


def test_a_whole_row_agrees_with_comparing_it_value_by_value() -> None:
    """compare_rows' fast path for equal rows never hides a pair same_value tells apart."""
    instant = dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    pairs = [
        ("a", "a"),
        ("a", "a "),
        (1, True),
        (0, False),
        (1, Decimal("1")),
        (Decimal("1.0"), Decimal("1")),
        (1.0, 1),
        (float("nan"), float("nan")),
        (None, "NULL"),
        (None, None),
        (dt.date(2020, 1, 2), dt.datetime(2020, 1, 2)),
        (instant, instant.replace(tzinfo=None)),
        (instant, instant.astimezone(dt.timezone(dt.timedelta(hours=-8)))),
        (uuid.UUID(int=7), str(uuid.UUID(int=7))),
    ]
    kinds = [
        sa.Text(),
        sa.Integer(),
        sa.Boolean(),
        sa.Numeric(),
        sa.Date(),
        sa.DateTime(),
        sa.Uuid(),
    ]
    for want, found in pairs:
        for kind in kinds:
            types = {"c": kind, "d": sa.Text()}
            diffs = compare_rows({"c": want, "d": "x"}, {"c": found, "d": "x"}, types)
            assert bool(diffs) != same_value(want, found, kind), (want, found, kind)
