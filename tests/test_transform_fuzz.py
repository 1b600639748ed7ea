"""Property tests: whatever values a legacy batch holds, transform accounts for every row.

Hypothesis builds batches of every legacy table from clean rows (tests/test_transform_support)
with any column replaced by an adversarial value of its logical type: text with control
characters, NUL, combining marks, placeholders, mis-cased codes and padded keys, over-long
text; dates from year 1 to 9999; numbers far out of range, negative or fractional. For
every batch the transform must:

* not raise (bad data is quarantined with reasons, never an exception);
* give exactly one ledger outcome per input row (loaded, quarantined or excluded);
* give every quarantined row a record with at least one reason and its raw row;
* give target rows that pass their strict pandera schema (checked by pandera itself,
  not by the driver's fast path), only for loaded rows;
* give flags only for loaded rows.

Runs derandomised (the same examples each run), so CI is repeatable; set
``ICM_FUZZ_EXAMPLES`` to search longer with random seeds.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa
import pytest
from fuzz_support import KEYS, fuzz_settings, legacy_value
from hypothesis import given
from hypothesis import strategies as st
from test_transform_support import (
    CLEAN,
    assert_result_contract,
    batch_frame,
    context,
    legacy_row,
)

import transform
from extract.legacy_schema import legacy_spec

FUZZ = fuzz_settings(25)


@st.composite
def _batch(draw: st.DrawFn, table: str) -> list[dict[str, Any]]:
    """1-4 rows of ``table``: clean rows with some columns replaced, distinct ROW_IDs."""
    spec = legacy_spec()[table]
    fuzzable = [c for c in spec.columns if c.name != "ROW_ID"]
    count = draw(st.integers(1, 4))
    row_ids = draw(
        st.lists(
            st.sampled_from(["1-R1", "1-R2", "1-r1", " 1-R1", "1-R1 ", "1-R3", "1+2+XYZ", *KEYS]),
            min_size=count,
            max_size=count,
            unique=True,
        )
    )
    rows = []
    for row_id in row_ids:
        row = legacy_row(table, row_id)
        for column in draw(
            st.lists(st.sampled_from(fuzzable), max_size=6, unique_by=lambda c: c.name)
        ):
            row[column.name] = draw(legacy_value(column))
        rows.append(row)
    return rows


def _check(table: str, rows: list[dict[str, Any]]) -> None:
    frame = batch_frame(table, rows)
    result = transform.transform_batch(table, frame, context(table, rows))
    assert_result_contract(table, result, len(rows))
    outcomes = dict(zip(result.ledger["legacy_row_id"], result.ledger["outcome"], strict=True))
    assert set(outcomes) == {r["ROW_ID"] for r in rows}
    assert set(outcomes.values()) <= {"loaded", "quarantined", "excluded"}
    quarantined = {q.legacy_row_id: q for q in result.quarantined}
    assert set(quarantined) == {k for k, v in outcomes.items() if v == "quarantined"}
    for record in quarantined.values():
        assert record.reasons, f"{table} {record.legacy_row_id}: quarantined without a reason"
        assert record.raw_row, f"{table} {record.legacy_row_id}: no raw row"
    excluded = result.ledger[result.ledger["outcome"] == "excluded"]
    assert excluded["rule"].notna().all(), "an exclusion names its rule"
    loaded = {k for k, v in outcomes.items() if v == "loaded"}
    assert {f.legacy_row_id for f in result.flags} <= loaded
    for name, target in result.upserts.items():
        if not target.empty:
            assert set(target["legacy_row_id"]) <= loaded, name
            _validate_strictly(name, target, update=False)
    for name, target in result.updates.items():
        if not target.empty:
            _validate_strictly(name, target, update=True)


def _validate_strictly(name: str, frame: pd.DataFrame, *, update: bool) -> None:
    try:
        transform.schema_of(name, update=update).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:  # pragma: no cover - the failure message
        pytest.fail(f"{name}: loaded rows break the schema:\n{exc.failure_cases.head(20)}")


@pytest.mark.parametrize("table", list(CLEAN))
def test_any_batch_is_fully_accounted_for(table: str) -> None:
    @FUZZ
    @given(rows=_batch(table))
    def check(rows: list[dict[str, Any]]) -> None:
        _check(table, rows)

    check()
