"""The legacy schema as code: every contract table, created on every engine, with byte-exact keys."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import yaml

import extract
from flows.engines import make_engine

KEYS = ["1-ABC9", "1-ABC9 ", "1-abc9", "1+2+XYZ"]


def test_the_code_holds_every_table_and_column_of_the_contract() -> None:
    path = Path(extract.legacy_schema.__file__).with_name("legacy_schema.yaml")
    contract = yaml.safe_load(path.read_text("utf-8"))
    tables = extract.legacy_metadata().tables
    assert set(tables) == set(contract["tables"]) == set(extract.LEGACY_TABLE_NAMES)
    for name, body in contract["tables"].items():
        expected = [*contract["system_columns"], *(body.get("columns") or {})]
        assert [c.name for c in tables[name].columns] == expected, name
        assert [c.name for c in tables[name].primary_key] == ["ROW_ID"]


def test_keys_compare_byte_for_byte_on_every_engine(any_db_url: str) -> None:
    """Case and trailing blanks make different keys (MariaDB needs utf8mb4_nopad_bin for that)."""
    engine = make_engine(any_db_url)
    extract.create_legacy_schema(engine)
    user = extract.legacy_table("S_USER")
    with engine.begin() as conn:
        conn.execute(user.insert(), [{"ROW_ID": k} for k in KEYS])
    with engine.connect() as conn:
        for key in KEYS:
            found = (
                conn.execute(sa.select(user.c.ROW_ID).where(key == user.c.ROW_ID)).scalars().all()
            )
            assert found == [key], (engine.dialect.name, key)
    engine.dispose()
