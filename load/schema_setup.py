"""Create and upgrade the new store with the Alembic migrations shipped in ``load/migrations``.

The Alembic configuration is built in code (no ``alembic.ini``) and the
script location resolves from this file, so it works the same from a
checkout and from an installed wheel. Alembic runs on a connection the
caller opens from its engine, in one transaction (PostgreSQL's DDL is
transactional, so a failed upgrade leaves nothing behind there).

PostgreSQL keeps the tables in the schemas ``icm``, ``restricted``, ``ref``
and ``migration`` (Alembic's version table too, in ``migration``). SQLite has
no schemas: its connections get :func:`load.target_schema.schema_translate_map`
so ``schema="icm"`` means no schema, and the version table is unqualified.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.sql.elements import conv

from load.errors import TerminalLoadError
from load.target_schema import SCHEMAS, schema_translate_map, target_metadata

__all__ = [
    "MIGRATIONS_DIR",
    "SUPPORTED_DIALECTS",
    "VERSION_TABLE",
    "UnsupportedTargetError",
    "alembic_config",
    "autogenerate_revision",
    "configure_options",
    "dialect_metadata",
    "head_revision",
    "init_target",
    "prepare_connection",
    "present_target_tables",
    "schema_differences",
    "target_revision",
    "version_table_schema",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SUPPORTED_DIALECTS = ("postgresql", "sqlite")
VERSION_TABLE = "alembic_version"


class UnsupportedTargetError(TerminalLoadError):
    """The target engine is neither PostgreSQL nor SQLite: a configuration error, not retryable."""


def _check_dialect(dialect_name: str) -> None:
    if dialect_name not in SUPPORTED_DIALECTS:
        raise UnsupportedTargetError(
            f"The new store must be PostgreSQL or SQLite; this target is {dialect_name!r}: "
            "point the target URL at a supported database"
        )


def version_table_schema(dialect_name: str) -> str | None:
    """Where Alembic's version table lives: schema ``migration`` on PostgreSQL, none on SQLite."""
    return "migration" if dialect_name == "postgresql" else None


@cache
def _unqualified_metadata() -> sa.MetaData:
    """The target tables without schemas, as SQLite stores them.

    SQLAlchemy's SQLite compiler silently drops a foreign key whose two tables
    have different schemas (``restricted.person_identifier`` -> ``icm.person``),
    so SQLite needs the tables truly unqualified, not merely translated.
    """
    # Documented but not in the type hints: schema=None means the flat MetaData's (none), and
    # BLANK_SCHEMA from referred_schema_fn strips the schema from a foreign key's target.
    blank = cast(str, sa.schema.BLANK_SCHEMA)
    flat = sa.MetaData()
    for table in target_metadata().sorted_tables:
        copy = table.to_metadata(
            flat,
            schema=None,  # type: ignore[arg-type]
            referred_schema_fn=lambda *_: blank,
        )
        # Indexes from ``index=True`` are renamed after the new (schema-less) table;
        # keep the names the migrations create (``ix_icm_person_...``).
        names = {tuple(c.name for c in ix.columns): ix.name for ix in table.indexes}
        for index in copy.indexes:
            index.name = conv(str(names[tuple(c.name for c in index.columns)]))
    return flat


def dialect_metadata(dialect_name: str) -> sa.MetaData:
    """The target metadata as a database of ``dialect_name`` holds it (schema-qualified or flat)."""
    _check_dialect(dialect_name)
    return target_metadata() if dialect_name == "postgresql" else _unqualified_metadata()


def _only_target_schemas(name: str | None, type_: str, parent_names: Any) -> bool:
    """On PostgreSQL autogenerate looks only at the four target schemas (``public`` is not ours)."""
    return name in SCHEMAS if type_ == "schema" else True


def configure_options(dialect_name: str) -> dict[str, Any]:
    """Options for ``EnvironmentContext.configure`` / ``MigrationContext``, per dialect."""
    _check_dialect(dialect_name)
    postgres = dialect_name == "postgresql"
    return {
        "target_metadata": dialect_metadata(dialect_name),
        "version_table": VERSION_TABLE,
        "version_table_schema": version_table_schema(dialect_name),
        "include_schemas": postgres,
        "include_name": _only_target_schemas if postgres else None,
        "compare_type": True,
        # Batch mode lets later revisions alter tables on SQLite; on PostgreSQL it is plain ALTER.
        "render_as_batch": True,
    }


def prepare_connection(connection: sa.Connection) -> None:
    """Make ``connection`` ready for Alembic: schema translation on SQLite, version schema on PostgreSQL."""
    name = connection.dialect.name
    _check_dialect(name)
    translate = schema_translate_map(name)
    if translate is not None:
        connection.execution_options(schema_translate_map=translate)
    schema = version_table_schema(name)
    if schema is not None:
        # The version table is created before the first revision runs, so its schema must exist.
        connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """The Alembic configuration of the new store, with ``connection`` handed to env.py."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision shipped with this code."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"No Alembic revisions found in {MIGRATIONS_DIR} (broken install)")
    return head


def init_target(engine: sa.Engine) -> str:
    """Create or upgrade the new store to the newest revision; idempotent. Returns that revision."""
    _check_dialect(engine.dialect.name)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    revision = target_revision(engine)
    if revision is None:
        raise RuntimeError("The target schema upgrade finished but recorded no revision")
    return revision


def target_revision(engine: sa.Engine) -> str | None:
    """The revision the new store is at, or None when it was never initialised."""
    name = engine.dialect.name
    _check_dialect(name)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "version_table": VERSION_TABLE,
                "version_table_schema": version_table_schema(name),
            },
        )
        return context.get_current_revision()


def present_target_tables(engine: sa.Engine) -> list[str]:
    """The model tables (qualified names, ``icm.person``) that exist in the database."""
    name = engine.dialect.name
    _check_dialect(name)
    inspector = sa.inspect(engine)
    present = []
    for key, table in sorted(target_metadata().tables.items()):
        schema = table.schema if name == "postgresql" else None
        if inspector.has_table(table.name, schema=schema):
            present.append(key)
    return present


def schema_differences(engine: sa.Engine) -> list[Any]:
    """What the database lacks or has extra compared with the models (Alembic's diff directives).

    Empty when the migrations and :func:`load.target_metadata` agree. A model
    change without a migration shows up here.
    """
    name = engine.dialect.name
    options = configure_options(name)
    metadata = options.pop("target_metadata")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=options)
        return list(compare_metadata(context, metadata))


def autogenerate_revision(engine: sa.Engine, message: str) -> str:
    """Developer tool: write a new revision file from the model/database difference; returns its path.

    Run it against an up-to-date PostgreSQL database, then tidy the file.
    """
    with engine.begin() as connection:
        script = command.revision(alembic_config(connection), message=message, autogenerate=True)
    if script is None or isinstance(script, list):
        raise RuntimeError("Alembic produced no single revision script")
    return str(script.path)
