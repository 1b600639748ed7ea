from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from databases import mariadb_database, postgres_database

ENGINES = ["sqlite", "postgresql", "mariadb"]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'db.sqlite'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    with postgres_database() as url:
        yield url


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    with mariadb_database() as url:
        yield url


@pytest.fixture(params=ENGINES)
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """One fresh database per engine: SQLite, PostgreSQL, MariaDB."""
    kind = request.param
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'db.sqlite'}"
    elif kind == "postgresql":
        with postgres_database() as url:
            yield url
    else:
        with mariadb_database() as url:
            yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def target_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """One fresh target database per supported target engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'target.sqlite'}"
    else:
        with postgres_database() as url:
            yield url
