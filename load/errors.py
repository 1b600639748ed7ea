"""Errors of the load stage, and the classification of database errors into them.

A :class:`TransientLoadError` is worth retrying (a lost connection, a deadlock,
a serialization failure, a locked SQLite file); a :class:`TerminalLoadError`
is not (an integrity or schema problem, a broken input contract). Messages
name the table, the legacy ROW_ID and the column where known, and never carry
row values: a database's own message can quote a whole failing row (personal
data), so it is only repeated where it cannot (see :func:`classify_db_error`).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
import sqlalchemy as sa

__all__ = [
    "LoadError",
    "TerminalLoadError",
    "TransientLoadError",
    "UnredactedSourceError",
    "classify_db_error",
]

# SQLSTATE classes and codes a retry can help with (PostgreSQL).
_TRANSIENT_CLASSES = ("08", "53", "57")  # connection, insufficient resources, operator intervention
_TRANSIENT_CODES = {
    "40001",
    "40P01",
    "55P03",
    "55006",
}  # serialization, deadlock, lock not available
# Classes whose primary message names objects but never values.
_SAFE_MESSAGE_CLASSES = ("08", "23", "40", "42", "53", "55", "57")
_SQLITE_TRANSIENT = (
    "database is locked",
    "database table is locked",
    "database is busy",
    "disk i/o error",
)


class LoadError(Exception):
    """Writing to the new store failed. ``retryable`` says whether trying again can help."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        legacy_row_id: str | None = None,
        column: str | None = None,
        sqlstate: str | None = None,
    ) -> None:
        where = []
        if table:
            where.append(f"table {table}")
        if legacy_row_id:
            where.append(f"ROW_ID {legacy_row_id}")
        if column:
            where.append(f"column {column}")
        suffix = f" ({', '.join(where)})" if where else ""
        advice = "; a retry may help" if self.retryable else "; a retry will not help"
        super().__init__(f"{message}{suffix}{advice}")
        self.message = message
        self.table = table
        self.legacy_row_id = legacy_row_id
        self.column = column
        self.sqlstate = sqlstate

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as the arguments given (the error may cross from a worker process)."""
        return (
            _rebuild,
            (type(self), self.message, self.table, self.legacy_row_id, self.column, self.sqlstate),
        )


def _rebuild(
    cls: type[LoadError],
    message: str,
    table: str | None,
    legacy_row_id: str | None,
    column: str | None,
    sqlstate: str | None,
) -> LoadError:
    return cls(message, table=table, legacy_row_id=legacy_row_id, column=column, sqlstate=sqlstate)


class TransientLoadError(LoadError):
    """Connection lost, deadlock, serialization failure, database locked: retry the batch."""

    retryable = True


class TerminalLoadError(LoadError):
    """Integrity, schema or contract problems: retrying the same batch fails the same way."""


class UnredactedSourceError(TerminalLoadError, ValueError):
    """A run's ``source`` still holds a password: it must be redacted before it is stored."""


def _sqlstate(orig: BaseException) -> str | None:
    state = getattr(orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def _pg_diag(orig: BaseException) -> tuple[str | None, str | None, str | None]:
    """(table, column, primary message) from a psycopg error's diagnostics."""
    diag = getattr(orig, "diag", None)
    if diag is None:
        return None, None, None
    return diag.table_name, diag.column_name, diag.message_primary


def _sqlite_column(message: str) -> tuple[str | None, str | None]:
    """``NOT NULL constraint failed: person.record_status`` -> (person, record_status)."""
    if ":" not in message:
        return None, None
    target = message.rsplit(":", 1)[1].strip().split(",")[0].strip()
    if "." in target:
        table, column = target.split(".", 1)
        return table, column
    return None, None


def classify_db_error(
    exc: BaseException,
    *,
    table: str | None = None,
    legacy_row_id: str | None = None,
    column: str | None = None,
    action: str = "writing to the new store failed",
) -> LoadError:
    """The :class:`LoadError` for a database error raised by SQLAlchemy, psycopg or sqlite3.

    ``table`` / ``legacy_row_id`` / ``column`` are what the caller knows; the
    database's own diagnostics fill in what it knows better (the table of a
    constraint, the column of a NOT NULL violation).
    """
    if isinstance(exc, LoadError):
        return exc
    orig: BaseException = (
        exc.orig if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None else exc
    )
    invalidated = isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated
    error_type = type(orig).__name__

    if isinstance(orig, psycopg.Error):
        state = _sqlstate(orig)
        diag_table, diag_column, primary = _pg_diag(orig)
        table = diag_table or table
        column = diag_column or column
        safe = state is not None and state[:2] in _SAFE_MESSAGE_CLASSES and primary
        text = f"{action}: {error_type} [{state or 'no SQLSTATE'}]" + (
            f": {primary}" if safe else ""
        )
        transient = (
            invalidated
            or state in _TRANSIENT_CODES
            or (state is not None and state[:2] in _TRANSIENT_CLASSES)
            or (state is None and isinstance(orig, psycopg.OperationalError))
        )
        cls: type[LoadError] = TransientLoadError if transient else TerminalLoadError
        return cls(text, table=table, legacy_row_id=legacy_row_id, column=column, sqlstate=state)

    if isinstance(orig, sqlite3.Error):
        # SQLite messages name tables and columns, never values.
        message = str(orig)
        lowered = message.lower()
        if isinstance(orig, sqlite3.IntegrityError):
            found_table, found_column = _sqlite_column(message)
            table = table or found_table
            column = column or found_column
        transient = invalidated or any(s in lowered for s in _SQLITE_TRANSIENT)
        cls = TransientLoadError if transient else TerminalLoadError
        return cls(
            f"{action}: {error_type}: {message}",
            table=table,
            legacy_row_id=legacy_row_id,
            column=column,
        )

    if invalidated or isinstance(exc, sa.exc.DisconnectionError | sa.exc.TimeoutError):
        return TransientLoadError(
            f"{action}: {error_type}", table=table, legacy_row_id=legacy_row_id
        )
    if isinstance(exc, sa.exc.OperationalError):
        return TransientLoadError(
            f"{action}: {error_type}", table=table, legacy_row_id=legacy_row_id
        )
    return TerminalLoadError(
        f"{action}: {error_type}", table=table, legacy_row_id=legacy_row_id, column=column
    )
