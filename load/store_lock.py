"""One migration at a time per store, and no reconciliation while one runs.

Two migration runs into one store would interleave their batches, sweeps and run
records, and a reconciliation beside a migration would report a half-written store
as discrepancies. So a migration holds the store's lock exclusively for its whole
run, and a reconciliation holds it shared (reconciliations may run side by side).
Whoever cannot take it at once gets :class:`StoreBusyError`; nothing waits.

The lock dies with its holder, so a crashed run never leaves the store locked:

* PostgreSQL: a session-level advisory lock on its own connection (autocommit: no
  transaction stays open), released when that connection ends;
* SQLite: ``flock`` on a sidecar file beside the database (``<file>.icm-lock``),
  released when the process ends. An in-memory database is not shared, and a
  folder this process cannot write holds no database it could write: no lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import sqlalchemy as sa

from load.errors import TransientLoadError

__all__ = ["LOCK_SUFFIX", "StoreBusyError", "held_exclusively", "store_lock"]

LOCK_SUFFIX = ".icm-lock"
"""The SQLite store's lock file is the database file's name plus this."""

_ADVISORY_KEY = int.from_bytes(
    hashlib.sha256(b"icm-migration store lock").digest()[:8], "big", signed=True
)


class StoreBusyError(TransientLoadError):
    """Another migration run, or a reconciliation, is using the store: run again once it
    has finished."""


def _busy(exclusive: bool) -> StoreBusyError:
    if exclusive:
        return StoreBusyError(
            "another migration run or a reconciliation is using this store; "
            "migrate again once it has finished"
        )
    return StoreBusyError("a migration run is writing this store; try again once it has finished")


@contextmanager
def store_lock(engine: sa.Engine, *, exclusive: bool) -> Iterator[None]:
    """Hold the store's lock (``exclusive`` for a migration, shared for a reconciliation)
    for the ``with`` block. Raises :class:`StoreBusyError` when it is held the other way, or
    exclusively. Engines other than PostgreSQL and SQLite are not locked."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, exclusive=exclusive):
            yield
    elif engine.dialect.name == "sqlite" and (path := _sqlite_file(engine.url)) is not None:
        with _file_lock(Path(f"{path}{LOCK_SUFFIX}"), exclusive=exclusive):
            yield
    else:
        yield


@contextmanager
def _advisory_lock(engine: sa.Engine, *, exclusive: bool) -> Iterator[None]:
    suffix = "" if exclusive else "_shared"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        taken = conn.execute(
            sa.text(f"SELECT pg_try_advisory_lock{suffix}(:key)"), {"key": _ADVISORY_KEY}
        ).scalar_one()
        if not taken:
            raise _busy(exclusive)
        try:
            yield
        finally:
            with suppress(sa.exc.DBAPIError):  # the connection is gone, and the lock with it
                conn.execute(
                    sa.text(f"SELECT pg_advisory_unlock{suffix}(:key)"), {"key": _ADVISORY_KEY}
                )


def _sqlite_file(url: sa.URL) -> str | None:
    """The database file of a SQLite URL; None for an in-memory database."""
    database = url.database or ""
    if url.query.get("mode") == "memory" or database in ("", ":memory:"):
        return None
    return database.removeprefix("file:")


@contextmanager
def _file_lock(path: Path, *, exclusive: bool) -> Iterator[None]:
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        # No such folder, or one this process cannot write: then it cannot write the
        # database there either, and connecting to it will say what is wrong.
        yield
        return
    try:
        try:
            fcntl.flock(descriptor, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _busy(exclusive) from None
        yield
    finally:
        os.close(descriptor)  # releases the lock


def held_exclusively(engine: sa.Engine) -> bool:
    """Whether a migration run (or a steward's decision) holds the store's lock now.

    On PostgreSQL it asks ``pg_locks`` and takes nothing. On SQLite it tries a shared
    ``flock`` and lets it go at once (there is no way to ask): a migration starting in
    that instant is told the store is busy, and may simply be started again. A store
    whose lock file does not exist was never locked: the file is not made.
    """
    if engine.dialect.name == "postgresql":
        unsigned = _ADVISORY_KEY & 0xFFFF_FFFF_FFFF_FFFF
        with engine.connect() as conn:
            holders = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                    "AND classid = CAST(:high AS oid) AND objid = CAST(:low AS oid) "
                    "AND objsubid = 1 AND mode = 'ExclusiveLock' AND granted"
                ),
                {"high": unsigned >> 32, "low": unsigned & 0xFFFF_FFFF},
            ).scalar_one()
        return bool(holders)
    if engine.dialect.name == "sqlite" and (path := _sqlite_file(engine.url)) is not None:
        try:
            descriptor = os.open(f"{path}{LOCK_SUFFIX}", os.O_RDWR)
        except OSError:
            return False
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(descriptor)
        return False
    return False
