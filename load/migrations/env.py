"""Alembic's entry point for the new store; Alembic executes this file on every command.

It only runs online, on the connection :mod:`load.schema_setup` passes in
``config.attributes["connection"]``: building engines is the job of ``flows``.
The dialect-specific options (schema translation on SQLite, the version
table in schema ``migration`` on PostgreSQL) live in
:func:`load.schema_setup.configure_options` so that migrations and schema
comparisons use the same ones.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from load.schema_setup import configure_options, prepare_connection

__all__ = ["run_migrations"]


def run_migrations() -> None:
    if context.is_offline_mode():
        raise RuntimeError(
            "The target schema migrations run online only: call load.schema_setup.init_target(engine)."
        )
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, sa.Connection):
        raise RuntimeError(
            "Alembic was started without a connection: use load.schema_setup.init_target(engine), "
            "not the alembic command line."
        )
    prepare_connection(connection)
    context.configure(connection=connection, **configure_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
