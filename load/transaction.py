"""One write transaction on the new store.

On SQLite the transaction takes the write lock up front (``BEGIN IMMEDIATE``):
the driver would otherwise begin only at the first write, so rows read
before it (the ledger a batch compares against) could change underneath, and
a lock upgrade half-way could fail instead of waiting for ``busy_timeout``.

:func:`store_now` gives the times the store records (runs, reviews) by one clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

__all__ = ["store_now", "write_transaction"]


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in a transaction that commits on success and rolls back on any error.

    READ COMMITTED on PostgreSQL whatever the database's default: each statement sees
    what committed before it, which the audit trails' writer locks rely on
    (``load.audit_chain``).
    """
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="READ COMMITTED")
        with conn.begin():
            if conn.dialect.name == "sqlite":
                driver = conn.connection.driver_connection
                if driver is not None and not driver.in_transaction:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn


def store_now(conn: sa.Connection) -> dt.datetime:
    """Now, in UTC, by the store's clock: PostgreSQL's ``clock_timestamp()``, else this host's.

    Times that are compared with each other (a steward's replay mark against the start
    of the run that settles it) are written by different hosts: the server's clock
    keeps a skew between them from misplacing one. A SQLite store is a local file, so
    this host's clock is the store's.
    """
    if conn.dialect.name == "postgresql":
        value = conn.exec_driver_sql("SELECT clock_timestamp()").scalar_one()
        assert isinstance(value, dt.datetime)
        return value.astimezone(dt.UTC)
    return dt.datetime.now(dt.UTC)
