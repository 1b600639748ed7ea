"""The output digest: equal for equal output whatever the batch around a row, different for any change."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fuzz_support import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from load.output_digest import output_digests, row_hashes
from transform.result import Flag, QuarantineRecord, Reason

KEYS = ["1-A", "1-B", "1-C"]
UTC = dt.UTC


def _ledger(keys: list[str] = KEYS) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "legacy_table": ["S_CONTACT"] * len(keys),
            "legacy_row_id": keys,
            "outcome": ["loaded"] * len(keys),
            "target_table": ["person"] * len(keys),
            "target_id": [str(uuid.uuid5(uuid.NAMESPACE_OID, k)) for k in keys],
            "source_hash": [f"hash-{k}" for k in keys],
        }
    )


def _persons(keys: list[str] = KEYS, **columns: list[Any]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "id": [uuid.uuid5(uuid.NAMESPACE_OID, k) for k in keys],
            "family_name": [f"Family {k}" for k in keys],
            "birth_date": [dt.date(2010, 1, 1 + i) for i in range(len(keys))],
            "updated_at": [dt.datetime(2020, 1, 1, 9, i, tzinfo=UTC) for i in range(len(keys))],
            "note_sequence": list(range(len(keys))),
            "is_active": [True] * len(keys),
            "legacy_table": ["S_CONTACT"] * len(keys),
            "legacy_row_id": keys,
            "migration_run_id": ["run"] * len(keys),
        }
    )
    for name, values in columns.items():
        frame[name] = values
    return frame


def _flag(key: str, code: str = "PHN_NORMALISED") -> Flag:
    return Flag("S_CONTACT", key, "person", None, code, "X_PHN", "9 1", "91")


def _digests(
    persons: pd.DataFrame | None = None,
    *,
    ledger: pd.DataFrame | None = None,
    flags: tuple[Flag, ...] = (),
    quarantined: tuple[QuarantineRecord, ...] = (),
    updates: pd.DataFrame | None = None,
) -> dict[str, str]:
    ledger = _ledger() if ledger is None else ledger
    persons = _persons() if persons is None else persons
    found = output_digests(
        ledger,
        [("person", persons)],
        [] if updates is None else [("person", updates)],
        quarantined,
        flags,
        ignore=("migration_run_id",),
    )
    return dict(zip(ledger["legacy_row_id"], found, strict=True))


def test_a_row_has_the_same_digest_whatever_else_is_in_its_batch() -> None:
    alone = _digests(_persons(["1-B"]), ledger=_ledger(["1-B"]))
    # With neighbours whose gaps turn the numbers into floats and the times into objects.
    persons = _persons(
        ["1-B", "1-A", "1-C"],
        note_sequence=[0, None, 3],  # row 0 is 1-B, as alone
        updated_at=[dt.datetime(2020, 1, 1, 9, 0, tzinfo=UTC), None, "not a time"],
    )
    assert persons["note_sequence"].dtype == np.float64
    together = _digests(persons, ledger=_ledger(["1-C", "1-B", "1-A"]))
    assert together["1-B"] == alone["1-B"]
    assert _digests()["1-B"] == _digests(_persons().iloc[::-1])["1-B"]  # row order
    assert len(set(_digests().values())) == 3


def test_the_run_id_is_left_out() -> None:
    assert _digests(_persons(migration_run_id=["other"] * 3)) == _digests()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("family_name", "Family 1-B "),  # a trailing blank
        ("family_name", "family 1-B"),  # case
        ("family_name", None),  # NULL ...
        ("family_name", "None"),  # ... is not the text 'None'
        ("birth_date", dt.date(2010, 1, 3)),
        ("birth_date", dt.datetime(2010, 1, 2)),  # a datetime is not a date
        ("updated_at", dt.datetime(2020, 1, 1, 9, 1, 0, 1, tzinfo=UTC)),  # a microsecond
        ("updated_at", dt.datetime(2020, 1, 1, 9, 1)),  # naive is not aware
        ("note_sequence", 2),
        ("note_sequence", "1"),  # a number is not its text
        ("is_active", False),
        ("is_active", 1),
        ("id", uuid.uuid5(uuid.NAMESPACE_OID, "other")),
    ],
)
def test_any_change_of_a_value_changes_the_digest(column: str, value: Any) -> None:
    persons = _persons()
    persons[column] = persons[column].astype(object)
    persons.at[1, column] = value
    before, after = _digests(), _digests(persons)
    assert after["1-B"] != before["1-B"]
    assert {k: after[k] for k in ("1-A", "1-C")} == {k: before[k] for k in ("1-A", "1-C")}


def test_the_same_value_in_two_columns_is_not_the_same_output() -> None:
    one = _persons(family_name=["x", "y", "z"])
    other = _persons(family_name=["x", "y", "z"])
    one["middle_name"], other["middle_name"] = [None, "a", None], [None, None, None]
    other.at[1, "family_name"] = "a"
    one.at[1, "family_name"] = None
    assert _digests(one)["1-B"] != _digests(other)["1-B"]


def test_rows_flags_quarantine_records_and_updates_are_all_part_of_it() -> None:
    base = _digests(flags=(_flag("1-A"),))
    assert _digests(flags=(_flag("1-A"), _flag("1-A", "PARENT_QUARANTINED")))["1-A"] != base["1-A"]
    assert _digests(flags=(replace(_flag("1-A"), original_value="9 2"),))["1-A"] != base["1-A"]
    assert _digests(flags=(_flag("1-B"),))["1-A"] == _digests()["1-A"]

    ledger = _ledger()
    ledger.loc[1, ["outcome", "target_table", "target_id"]] = ["quarantined", None, None]
    record = QuarantineRecord(
        "S_CONTACT", "1-B", (Reason("DOB_IN_FUTURE", "BIRTH_DT", "future"),), {"ROW_ID": "1-B"}, "h"
    )
    persons = _persons().drop(index=1)
    quarantined = _digests(persons, ledger=ledger, quarantined=(record,))
    other_reason = replace(record, reasons=(Reason("PARENT_QUARANTINED", None, "parent"),))
    assert (
        _digests(persons, ledger=ledger, quarantined=(other_reason,))["1-B"] != quarantined["1-B"]
    )

    # One target row fewer (an identifier no longer produced).
    assert _digests(_persons().drop(index=1))["1-B"] != _digests()["1-B"]

    # An update belongs to the ledger row pointing at the updated row.
    update = pd.DataFrame({"id": [ledger.at[0, "target_id"]], "alert_text": ["alert"]})
    with_update = _digests(updates=update)
    assert with_update["1-A"] != _digests()["1-A"]
    assert with_update["1-B"] == _digests()["1-B"]
    update.at[0, "alert_text"] = "another"
    assert _digests(updates=update)["1-A"] != with_update["1-A"]


def test_row_hashes_depend_on_the_table() -> None:
    persons = _persons()
    columns = ["family_name", "birth_date"]
    assert list(row_hashes("person", persons, columns)) != list(
        row_hashes("staff_user", persons, columns)
    )


_ANY_VALUE = st.one_of(
    st.none(),
    st.text(max_size=5),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.sampled_from([UTC, dt.timezone(dt.timedelta(hours=-8))])),
    st.uuids(),
)


def _hashes(values: list[Any]) -> list[int]:
    return row_hashes("t", pd.DataFrame({"c": pd.Series(values, dtype=object)}), ["c"]).tolist()


@fuzz_settings(300)
@given(values=st.lists(_ANY_VALUE, min_size=1, max_size=6))
def test_a_value_hashes_alike_whatever_else_its_column_holds(values: list[Any]) -> None:
    assert _hashes(values) == [_hashes([v])[0] for v in values]


def test_a_time_past_pandas_range_leaves_the_other_times_hashes_alone() -> None:
    """Found by the re-run property test (tests/test_migrate_rerun_fuzz.py): one time in year
    5567 made every other time of its batch's column hash by its text, so every row of the
    batch got another digest than in a batch without it, and a re-run rewrote them all."""
    times = [dt.datetime(2020, 1, 1, 9, i, tzinfo=UTC) for i in range(3)]
    far = dt.datetime(5567, 12, 1, 21, 34, 32, tzinfo=UTC)
    typed = row_hashes("t", pd.DataFrame({"c": times}), ["c"]).tolist()
    assert _hashes([*times, far])[:3] == typed
    assert _hashes([far])[0] not in typed
