"""Alembic environment of the new store, shipped inside the ``load`` package.

There is no ``alembic.ini``: :mod:`load.schema_setup` builds the Alembic
configuration in code and hands ``env.py`` an open connection. To start a new
revision from the models, against an up-to-date PostgreSQL database::

    from load.schema_setup import autogenerate_revision
    autogenerate_revision(engine, "add x to y")

then tidy the generated file in ``versions/`` by hand.
"""

__all__: list[str] = []
