"""One migration at a time per store, no reconciliation while one runs, and a crashed
holder never leaves the store locked (SQLite and PostgreSQL stores)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
import sqlalchemy as sa
from reconcile_support import generate_legacy, migrate, reconcile

import load
import synthetic
from flows.engines import make_target_engine
from flows.pipeline import migrate_direct
from load.store_lock import LOCK_SUFFIX

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return generate_legacy(
        tmp_path_factory.mktemp("lock-legacy"), persons=synthetic.MIN_PERSONS, seed=7
    )


def _runs(target_url: str) -> int:
    """How many migration runs the store records (0: no store yet)."""
    engine = make_target_engine(target_url)
    try:
        if "migration.migration_run" not in load.present_target_tables(engine):
            return 0
        with engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).select_from(load.target_table("migration_run"))
            ).scalar_one()
    finally:
        engine.dispose()


def _holding(target_url: str, *, exclusive: bool) -> AbstractContextManager[None]:
    return load.store_lock(make_target_engine(target_url), exclusive=exclusive)


def _free(target_url: str, *, exclusive: bool) -> bool:
    """Whether this process can take the store's lock now (and gives it back)."""
    try:
        with _holding(target_url, exclusive=exclusive):
            return True
    except load.StoreBusyError:
        return False


def test_a_migration_is_refused_while_another_holds_the_store(
    legacy: tuple[Path, Path], target_db_url: str, tmp_path: Path
) -> None:
    with _holding(target_db_url, exclusive=True), pytest.raises(load.StoreBusyError) as busy:
        migrate_direct(
            f"sqlite:///{legacy[0]}",
            target_db_url,
            attachments_dir=legacy[1],
            attachment_store=tmp_path / "store",
            as_of=synthetic.AS_OF,
        )
    assert "another migration run or a reconciliation is using this store" in str(busy.value)
    assert "a retry may help" in str(busy.value)
    assert _runs(target_db_url) == 0  # refused before it wrote anything
    # Once the holder is done, the same migration runs.
    migrate(legacy[0], legacy[1], target_db_url, tmp_path / "store")
    assert _runs(target_db_url) == 1


def test_a_reconciliation_waits_for_no_migration_and_runs_beside_another(
    legacy: tuple[Path, Path], target_db_url: str, tmp_path: Path
) -> None:
    store = migrate(legacy[0], legacy[1], target_db_url, tmp_path / "store")
    with _holding(target_db_url, exclusive=True), pytest.raises(load.StoreBusyError) as busy:
        reconcile(store, tmp_path / "refused")
    assert "a migration run is writing this store" in str(busy.value)
    assert not (tmp_path / "refused").exists()
    with _holding(target_db_url, exclusive=False):  # another reconciliation reading it
        with reconcile(store, tmp_path / "beside") as result:
            assert result.status == "clean"
        with pytest.raises(load.StoreBusyError):  # ...and no migration meanwhile
            migrate(legacy[0], legacy[1], target_db_url, tmp_path / "store")


_HOLDER = textwrap.dedent(
    """
    import sys, time
    import load
    from flows.engines import make_target_engine

    with load.store_lock(make_target_engine(sys.argv[1]), exclusive=True):
        print("held", flush=True)
        time.sleep(600)
    """
)


def test_a_holder_killed_mid_run_leaves_the_store_unlocked(
    target_db_url: str, tmp_path: Path
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, target_db_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        # Another process's lock: refused both ways.
        assert not _free(target_db_url, exclusive=True)
        assert not _free(target_db_url, exclusive=False)
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
    assert holder.returncode == -signal.SIGKILL
    assert _free(target_db_url, exclusive=True)  # the kill released it


def test_a_sqlite_store_in_memory_or_in_a_folder_not_there_is_not_locked(tmp_path: Path) -> None:
    with _holding("sqlite://", exclusive=True):
        assert _free("sqlite://", exclusive=True)
    missing = tmp_path / "nowhere" / "target.sqlite"
    with _holding(f"sqlite:///{missing}", exclusive=True):
        assert _free(f"sqlite:///{missing}", exclusive=True)
    assert not missing.parent.exists()


def test_the_lock_file_sits_beside_the_sqlite_store(tmp_path: Path) -> None:
    target = tmp_path / "target.sqlite"
    with _holding(f"sqlite:///{target}", exclusive=True):
        assert (tmp_path / f"target.sqlite{LOCK_SUFFIX}").exists()
