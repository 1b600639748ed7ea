"""One write transaction on the new store.

On SQLite the transaction takes the write lock up front (``BEGIN IMMEDIATE``):
the driver would otherwise begin only at the first write, so rows read
before it (the ledger a batch compares against) could change underneath, and
a lock upgrade half-way could fail instead of waiting for ``busy_timeout``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

__all__ = ["write_transaction"]


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection in a transaction that commits on success and rolls back on any error."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            driver = conn.connection.driver_connection
            if driver is not None and not driver.in_transaction:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn
