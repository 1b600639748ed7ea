from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def migrated_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """A synthetic legacy database (the test module's ``PERSONS``, else reconcile_support's)
    really migrated into a SQLite and into a PostgreSQL target: once per module and engine."""
    from databases import empty_target
    from reconcile_support import PERSONS, generate_legacy, migrate

    persons = getattr(request.module, "PERSONS", PERSONS)
    legacy = generate_legacy(tmp_path_factory.mktemp("legacy"), persons=persons)
    folder = tmp_path_factory.mktemp(f"{request.param}-store")
    with empty_target(request.param, folder) as target_url:
        yield migrate(*legacy, target_url, folder / "store")


@pytest.fixture
def store_copy(migrated_store: Any, tmp_path: Path) -> Iterator[Any]:
    """A copy of :func:`migrated_store` (legacy database, files and target) of the test's own."""
    from reconcile_support import copied_store

    with copied_store(migrated_store, tmp_path / "copy") as copied:
        yield copied
