"""Real database engines for tests: SQLite always, PostgreSQL and MariaDB when reachable.

Each server test gets a fresh, uniquely named database that is dropped
afterwards. Without a server a test skips, except under ``CI=true``, where a
missing server or driver fails the test: CI must exercise every engine.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get(
    "ICM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MARIADB_ADMIN_URL = os.environ.get("ICM_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/")
ODBC_DRIVERS = {
    "sqlite": "SQLite3",
    "postgresql": "PostgreSQL Unicode",
    "mariadb": "MariaDB Unicode",
}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(what: str) -> None:
    """Skip locally, fail in CI: nothing may be skipped there for a missing server or driver."""
    if in_ci():
        pytest.fail(f"{what} is not available, and CI=true requires it", pytrace=False)
    pytest.skip(f"{what} is not available")


def _reachable(url: str) -> bool:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database; yields its SQLAlchemy URL (psycopg 3)."""
    if not _reachable(PG_ADMIN_URL):
        unavailable("PostgreSQL at " + PG_ADMIN_URL)
    name = f"icm_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(PG_ADMIN_URL).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def empty_target(engine: str, folder: Path) -> Iterator[str]:
    """A URL of an empty database of ``engine`` for a new store: 'sqlite' (a file in
    ``folder``) or 'postgresql' (dropped afterwards)."""
    if engine == "sqlite":
        yield f"sqlite:///{folder / 'target.sqlite'}"
    else:
        with postgres_database() as url:
            yield url


@contextmanager
def mariadb_database() -> Iterator[str]:
    """A fresh MariaDB database (utf8mb4); yields its SQLAlchemy URL (PyMySQL)."""
    if not _reachable(MARIADB_ADMIN_URL):
        unavailable("MariaDB at " + MARIADB_ADMIN_URL)
    name = f"icm_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(MARIADB_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(
            sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin")
        )
    url = sa.make_url(MARIADB_ADMIN_URL).set(database=name, query={"charset": "utf8mb4"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


def require_odbc_driver(engine_kind: str) -> str:
    """The name of the ODBC driver for ``engine_kind``; skip (or fail in CI) without it."""
    driver = ODBC_DRIVERS[engine_kind]
    try:
        import pyodbc
    except ImportError:
        unavailable("pyodbc")
        raise
    if driver not in pyodbc.drivers():
        unavailable(f"ODBC driver {driver!r} (installed: {pyodbc.drivers()})")
    return driver
