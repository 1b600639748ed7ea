"""The pandera schemas against the load models, the copied contract against the YAML, and
a schema failure ending in quarantine with the target column named."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from test_transform_support import legacy_row, outcome, reasons, run

import extract
import transform
from load.target_schema import target_metadata, target_table
from transform.contract import LEGACY_COLUMNS, LINKS, PICK_LISTS, SYSTEM_COLUMNS, UNRESOLVED_REFS
from transform.schemas import build_frame, schema_failures


@pytest.mark.parametrize("name", sorted(transform.TARGET_SCHEMAS))
def test_schema_columns_equal_the_load_model_minus_run_id(name: str) -> None:
    model = target_table(name)
    expected = {c.name for c in model.columns} - {"migration_run_id"}
    assert set(transform.TARGET_SCHEMAS[name].columns) == expected


@pytest.mark.parametrize("name", sorted(transform.TARGET_SCHEMAS))
def test_schema_lengths_and_nullability_follow_the_load_model(name: str) -> None:
    schema = transform.TARGET_SCHEMAS[name]
    for column in target_table(name).columns:
        if column.name == "migration_run_id":
            continue
        checks = {c.name for c in schema.columns[column.name].checks}
        if isinstance(column.type, sa.String) and column.type.length:
            assert f"max_length_{column.type.length}" in checks, column.name
        nullable = schema.columns[column.name].nullable
        # binary_status is NOT NULL in the store but filled by load after transform.
        if column.name != "binary_status" and not column.nullable:
            assert not nullable, f"{name}.{column.name} must not be nullable"


def test_every_case_table_has_a_schema_and_a_legacy_source() -> None:
    case_tables = {
        t.name
        for t in target_metadata().tables.values()
        if t.schema in ("icm", "restricted", "ref")
    } - {"code_crosswalk"}
    assert case_tables == set(transform.TARGET_SCHEMAS)
    fed = {t for targets in transform.TARGET_TABLES_OF.values() for t in targets}
    assert fed == set(transform.TARGET_SCHEMAS)


def test_load_order_puts_every_parent_before_its_children() -> None:
    order = {legacy: i for i, legacy in enumerate(transform.TABLE_LOAD_ORDER)}
    first_writer = {}
    for legacy in transform.TABLE_LOAD_ORDER:
        for target in transform.TARGET_TABLES_OF[legacy]:
            first_writer.setdefault(target, legacy)
    for name, legacy in first_writer.items():
        for fk in target_table(name).foreign_keys:
            parent = fk.column.table.name
            if parent != name:
                assert order[first_writer[parent]] <= order[legacy], f"{name} -> {parent}"
    assert set(transform.TABLE_LOAD_ORDER) == set(extract.LEGACY_TABLE_NAMES)


def test_pick_lists_copy_equals_the_contract() -> None:
    assert extract.pick_lists() == PICK_LISTS


def test_legacy_columns_copy_equals_the_contract() -> None:
    spec = extract.legacy_spec()
    for name, table in spec.items():
        assert table.column_names == SYSTEM_COLUMNS + LEGACY_COLUMNS[name], name
    assert set(spec) == set(LEGACY_COLUMNS)


def test_links_are_the_contract_refs_except_the_documented_ones() -> None:
    for name, table in extract.legacy_spec().items():
        resolved = {link.column: link.parent for link in LINKS.get(name, ())}
        skipped = set(UNRESOLVED_REFS.get(name, ()))
        assert resolved == {c: p for c, p in table.refs.items() if c not in skipped}, name


def test_a_row_breaking_a_schema_check_is_quarantined_naming_the_target_column() -> None:
    # 'V8W' is not a Canadian postal code: the normaliser leaves it (flagged), the
    # address schema's A1A 1A1 check fails and the row is quarantined.
    result = run(
        "S_ADDR_PER",
        [legacy_row("S_ADDR_PER", "1-T1", ZIPCODE="V8W"), legacy_row("S_ADDR_PER", "1-T2")],
    )
    assert outcome(result, "1-T1") == "quarantined"
    assert ("SCHEMA_VIOLATION", "address.postal_code") in reasons(result, "1-T1")
    assert outcome(result, "1-T2") == "loaded"
    assert result.upserts["address"]["legacy_row_id"].tolist() == ["1-T2"]


def test_too_long_value_is_a_schema_violation_with_every_other_reason() -> None:
    row = legacy_row(
        "S_CONTACT", "1-T1", FST_NAME="A" * 51, BIRTH_DT=pd.Timestamp("2031-01-01").to_pydatetime()
    )
    result = run("S_CONTACT", [row])
    assert reasons(result, "1-T1") == {
        ("SCHEMA_VIOLATION", "person.given_name"),
        ("DOB_IN_FUTURE", "BIRTH_DT"),
    }


def test_schema_failures_map_to_row_positions() -> None:
    ok_row = (
        run("S_USER", [legacy_row("S_USER", "1-T1")]).upserts["staff_user"].to_dict("records")[0]
    )
    bad = dict(ok_row, login="x" * 51, is_active="Y")
    failures = schema_failures("staff_user", build_frame("staff_user", [ok_row, bad]))
    assert {(f.position, f.column) for f in failures} == {(1, "login"), (1, "is_active")}


def test_naive_datetime_and_nan_fail_the_schema() -> None:
    ok_row = (
        run("S_USER", [legacy_row("S_USER", "1-T1")]).upserts["staff_user"].to_dict("records")[0]
    )
    naive = dict(ok_row, legacy_last_upd=ok_row["legacy_last_upd"].replace(tzinfo=None))
    nan = dict(ok_row, legacy_row_id=float("nan"))
    failures = schema_failures("staff_user", build_frame("staff_user", [naive, nan]))
    assert {(f.position, f.column) for f in failures} == {
        (0, "legacy_last_upd"),
        (1, "legacy_row_id"),
    }


def test_a_row_with_a_missing_column_is_a_bug_not_bad_data() -> None:
    with pytest.raises(transform.OutputContractError):
        build_frame("staff_user", [{"id": None}])
