"""Build engines from URLs: the only place that turns settings into connections."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from extract import LegacySource, OdbcSource, read_only_url, source_from_engine
from load import schema_translate_map

__all__ = [
    "SettingError",
    "check_settings",
    "is_odbc_connection_string",
    "make_engine",
    "make_source",
    "make_target_engine",
    "redact",
    "store_label",
]


class SettingError(ValueError):
    """A source or target that names no usable database: not a URL, a database kind
    SQLAlchemy does not know, or a driver that is not installed. A retry will not help."""


_ODBC_SECRET = re.compile(r"(?i)\b(PWD|PASSWORD)\s*=\s*(\{[^}]*\}|[^;]*)")


def is_odbc_connection_string(text: str) -> bool:
    """A plain ODBC connection string (``DRIVER={...};...`` or ``DSN=...``), not a SQLAlchemy URL."""
    head = text.strip().upper()
    return head.startswith("DRIVER=") or head.startswith("DSN=") or head.startswith("ODBC:")


def redact(url_or_dsn: str) -> str:
    """The source or target with any password removed, safe for logs, reports and the database."""
    if is_odbc_connection_string(url_or_dsn):
        return _ODBC_SECRET.sub(lambda m: f"{m.group(1)}=***", url_or_dsn)
    try:
        url = make_url(url_or_dsn)
    except sa.exc.ArgumentError:
        return "<unparseable url>"
    query = {k: ("***" if k.lower() in ("password", "pwd") else v) for k, v in url.query.items()}
    return url.set(query=query).render_as_string(hide_password=True)


def store_label(url: str) -> str:
    """Which store ``url`` names, with no user or password: the database kind, host, port
    and database, or a SQLite file's resolved path. The same store named the same way
    gets the same label (the register of signed reports is kept per store); host names
    are not resolved, so ``localhost`` and ``127.0.0.1`` are two labels."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        return f"sqlite:///{Path(database).resolve() if database not in ('', ':memory:') else database}"
    query = parsed.query  # libpq's ?host=, ?hostaddr=, ?port=, ?service= name the server too
    libpq = backend == "postgresql"
    service = _first(query.get("service")) or (os.environ.get("PGSERVICE") if libpq else None)
    host = (
        parsed.host
        or _first(query.get("host"))
        or _first(query.get("hostaddr"))
        or (os.environ.get("PGHOST") if libpq else None)
    )
    if host is None and service:
        return f"{backend}://service={service}/{parsed.database or ''}"
    port = (
        parsed.port
        or _first(query.get("port"))
        or (os.environ.get("PGPORT") if libpq else None)
        or _DEFAULT_PORTS.get(backend)
    )
    return f"{backend}://{(host or 'localhost').lower()}:{port or ''}/{parsed.database or ''}"


def _first(value: str | tuple[str, ...] | None) -> str | None:
    return value[0] if isinstance(value, tuple) else value


_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306}


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str, *, role: str = "database", **kwargs: Any) -> sa.Engine:
    """A SQLAlchemy engine for ``url``; SQLite connections enforce foreign keys. Raises
    :class:`SettingError` naming ``role`` ('legacy source', 'target') when ``url`` names no
    usable database. Nothing connects yet."""
    # Error texts must not carry row values (personal data): hide statement parameters.
    kwargs.setdefault("hide_parameters", True)
    try:
        engine = sa.create_engine(url, **kwargs)
    except sa.exc.NoSuchModuleError as exc:
        raise SettingError(
            f"The {role} {redact(url)} names a database kind SQLAlchemy does not know ({exc}); "
            "a retry will not help"
        ) from None
    except sa.exc.ArgumentError:  # its message may quote the URL, password and all
        raise SettingError(
            f"The {role} is neither a SQLAlchemy URL nor an ODBC connection string "
            "(DRIVER={...};... or DSN=...); a retry will not help"
        ) from None
    except ImportError as exc:
        raise SettingError(
            f"The {role} {redact(url)} needs a Python driver that is not installed "
            f"({exc.name or exc}); a retry will not help"
        ) from None
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_target_engine(url: str) -> sa.Engine:
    """An engine on the new store: schemas translated away where the engine has none (SQLite)."""
    engine = make_engine(url, role="target")
    translate = schema_translate_map(engine.dialect.name)
    if translate is not None:
        engine = engine.execution_options(schema_translate_map=translate)
    return engine


def make_source(url_or_dsn: str) -> LegacySource:
    """The legacy source for a SQLAlchemy URL or a plain ODBC connection string (read-only)."""
    if is_odbc_connection_string(url_or_dsn):
        dsn = url_or_dsn.strip()
        if dsn.upper().startswith("ODBC:"):
            dsn = dsn[5:]
        return OdbcSource(dsn)
    try:
        url = read_only_url(url_or_dsn)
    except sa.exc.ArgumentError:
        url = url_or_dsn  # make_engine says what is wrong with it
    return source_from_engine(make_engine(url, role="legacy source"))


def check_settings(source: str, target: str) -> None:
    """Raise :class:`SettingError` unless ``source`` and ``target`` name usable databases
    (before a flow starts: no connection is made)."""
    make_source(source).close()
    make_target_engine(target).dispose()
