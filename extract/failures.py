"""Turning a driver's exception into an :mod:`extract.errors` exception: retry or not.

The decision uses the SQLSTATE where the driver gives one (pyodbc, psycopg),
then the exception class (PEP 249 ``OperationalError`` / ``InterfaceError`` are
about the connection, not the statement). The message keeps the driver's
first line, without any password, so an operator can tell "connection
refused" from "authentication failed".
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from extract.errors import (
    ExtractError,
    SourceConfigError,
    SourceQueryError,
    SourceUnavailable,
)

__all__ = ["classify_failure", "sqlstate_of"]

_SECRET = re.compile(r"(?i)\b(pwd|password)\s*=\s*(\{[^}]*\}|[^;\s]*)")
# SQLSTATE classes and codes a retry can help with.
_TRANSIENT_CLASSES = ("08", "53", "57", "HYT")
_TRANSIENT_CODES = ("40001", "40P01", "55P03", "HY117")
# ... and ones it cannot: bad credentials, driver-manager configuration.
_CONFIG_CLASSES = ("28", "IM")


def sqlstate_of(exc: BaseException) -> str | None:
    """The SQLSTATE of a DBAPI error (pyodbc puts it first in ``args``, psycopg in ``sqlstate``)."""
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    state = getattr(orig, "sqlstate", None)
    if isinstance(state, str):
        return state
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], str) and re.fullmatch(r"[0-9A-Z]{5}", args[0]):
        return args[0]
    return None


def _summary(exc: BaseException) -> str:
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else ""
    text = _SECRET.sub(lambda m: f"{m.group(1)}=***", text)
    if len(text) > 200:
        text = text[:200] + "..."
    return f"{type(orig).__name__}: {text}" if text else type(orig).__name__


def _is_connection_class(exc: BaseException) -> bool:
    orig = exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc
    names = {cls.__name__ for cls in type(orig).__mro__}
    return bool(names & {"OperationalError", "InterfaceError"})


def classify_failure(
    exc: BaseException, *, source: str, action: str, table: str | None = None
) -> ExtractError:
    """The extract exception for driver error ``exc`` raised while ``action`` (e.g. 'connecting').

    ``connecting``: anything but bad credentials or configuration is transient.
    Otherwise: connection-level errors (SQLSTATE class 08, timeouts, deadlocks,
    an invalidated connection, OperationalError/InterfaceError) are transient;
    the rest is terminal.
    """
    state = sqlstate_of(exc)
    where = f" ({table})" if table else ""
    detail = f"{_summary(exc)}" + (f" [SQLSTATE {state}]" if state else "")
    if "Can't open lib" in str(exc) or (state is not None and state.startswith(_CONFIG_CLASSES)):
        return SourceConfigError(
            f"Legacy source {source} cannot be used as configured while {action}{where}: {detail}",
            table=table,
        )
    transient = isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated
    transient = transient or isinstance(exc, sa.exc.TimeoutError)
    if state is not None:
        transient = transient or state.startswith(_TRANSIENT_CLASSES) or state in _TRANSIENT_CODES
    else:
        transient = transient or _is_connection_class(exc)
    if transient or action == "connecting":
        return SourceUnavailable(
            f"Legacy source {source} unavailable while {action}{where}; a retry may help: {detail}",
            table=table,
        )
    return SourceQueryError(
        f"Legacy source {source} failed while {action}{where}: {detail}", table=table
    )
