"""Malformed input stops the migration with a clear error, and nothing is half-written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from e2e_support import dump_target, ledger

import extract
import synthetic
from flows.engines import make_engine, make_target_engine
from flows.pipeline import migrate_direct


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("legacy")
    engine = make_engine(f"sqlite:///{root / 'legacy.sqlite'}")
    synthetic.generate(engine, persons=120, seed=5, attachments_dir=root / "files")
    engine.dispose()
    return root / "legacy.sqlite", root / "files"


def _copy(legacy: tuple[Path, Path], tmp_path: Path) -> Path:
    path = tmp_path / "legacy.sqlite"
    shutil.copy(legacy[0], path)
    return path


def _sql(path: Path, statement: str) -> None:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


def _migrate(path: Path, target: Path, files: Path) -> dict[str, dict[str, int]]:
    return migrate_direct(
        f"sqlite:///{path}",
        f"sqlite:///{target}",
        attachments_dir=files,
        attachment_store=target.parent / "store",
        batch_size=10,
        as_of=synthetic.AS_OF,
    )


def test_a_missing_table_stops_before_anything_is_written(
    legacy: tuple[Path, Path], tmp_path: Path
) -> None:
    path = _copy(legacy, tmp_path)
    _sql(path, 'DROP TABLE "S_CASE"')
    target = tmp_path / "target.sqlite"
    with pytest.raises(extract.SourceSchemaError) as caught:
        _migrate(path, target, legacy[1])
    assert caught.value.table == "S_CASE" and "S_CASE" in str(caught.value)
    assert not caught.value.retryable
    assert not target.exists() or ledger(make_target_engine(f"sqlite:///{target}")) == {}


def _row_at(path: Path, table: str, column: str, offset: int) -> tuple[str, str]:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        row_id, value = conn.execute(
            sa.text(
                f'SELECT "ROW_ID", "{column}" FROM "{table}" ORDER BY "ROW_ID" LIMIT 1 OFFSET {offset}'
            )
        ).one()
    engine.dispose()
    return row_id, value


def test_a_bad_value_among_the_first_rows_stops_before_anything_is_written(
    legacy: tuple[Path, Path], tmp_path: Path
) -> None:
    path = _copy(legacy, tmp_path)
    row_id, _ = _row_at(path, "S_CASE", "OPEN_DT", 3)
    _sql(
        path,
        f"""UPDATE "S_CASE" SET "OPEN_DT" = 'sometime in spring' WHERE "ROW_ID" = '{row_id}'""",
    )
    target = tmp_path / "target.sqlite"
    with pytest.raises(extract.SourceValueError) as caught:
        _migrate(path, target, legacy[1])
    assert (caught.value.table, caught.value.row_id, caught.value.column) == (
        "S_CASE",
        row_id,
        "OPEN_DT",
    )
    assert not target.exists() or ledger(make_target_engine(f"sqlite:///{target}")) == {}


def test_a_bad_value_later_on_names_table_row_and_column(
    legacy: tuple[Path, Path], tmp_path: Path
) -> None:
    """Found mid-run: the bad batch is not written; fixing the source and running again finishes the same run."""
    path = _copy(legacy, tmp_path)
    row_id, opened = _row_at(path, "S_EVT_ACT", "TODO_PLAN_START_DT", 150)
    _sql(
        path,
        f"""UPDATE "S_EVT_ACT" SET "TODO_PLAN_START_DT" = 'sometime in spring' WHERE "ROW_ID" = '{row_id}'""",
    )
    target = tmp_path / "target.sqlite"
    with pytest.raises(extract.SourceValueError) as caught:
        _migrate(path, target, legacy[1])
    err = caught.value
    assert (err.table, err.row_id, err.column) == ("S_EVT_ACT", row_id, "TODO_PLAN_START_DT")
    assert "S_EVT_ACT" in str(err) and row_id in str(err) and "TODO_PLAN_START_DT" in str(err)
    assert "spring" not in str(err), "the message names the row, never the value"
    store = make_target_engine(f"sqlite:///{target}")
    outcomes = ledger(store)
    assert ("S_EVT_ACT", row_id) not in outcomes
    activity_rows = {k for k in outcomes if k[0] == "S_EVT_ACT"}
    assert len(activity_rows) == 150, (
        "the whole batches before the bad row, and nothing of its batch"
    )
    runs = sa.table("migration_run", sa.column("status"))
    with store.connect() as conn:
        assert conn.execute(sa.select(runs.c.status)).scalars().all() == ["failed"]

    _sql(
        path,
        f"""UPDATE "S_EVT_ACT" SET "TODO_PLAN_START_DT" = '{opened}' WHERE "ROW_ID" = '{row_id}'""",
    )
    _migrate(path, target, legacy[1])
    reference = tmp_path / "reference.sqlite"
    _migrate(legacy[0], reference, legacy[1])
    assert dump_target(store) == dump_target(make_target_engine(f"sqlite:///{reference}"))
    with store.connect() as conn:
        assert conn.execute(sa.select(runs.c.status)).scalars().all() == ["succeeded"]


def test_an_unreachable_source_is_a_transient_error(tmp_path: Path) -> None:
    target = tmp_path / "target.sqlite"
    with pytest.raises(extract.SourceUnavailable) as caught:
        migrate_direct("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", f"sqlite:///{target}")
    assert caught.value.retryable
    assert not target.exists() or ledger(make_target_engine(f"sqlite:///{target}")) == {}
