"""Run settings: from the command line, with ICM_* environment variables as defaults.

Connection strings may carry credentials: they are kept here and given to the
engine builders only; everything that is logged or stored uses ``redact``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["MigrateSettings", "env_default"]


def env_default(name: str, default: str | None = None) -> str | None:
    """The value of environment variable ``ICM_<NAME>``, else ``default``."""
    return os.environ.get(f"ICM_{name.upper()}", default)


@dataclass(frozen=True)
class MigrateSettings:
    """Everything one migration run needs to know."""

    source: str  # a SQLAlchemy URL or an ODBC connection string
    target: str  # a SQLAlchemy URL (PostgreSQL or SQLite)
    attachments_dir: Path | None = None  # the Siebel file system (<ROW_ID>_<REV>.SAF)
    attachment_store: Path | None = None  # the content-addressed store of the new system
    batch_size: int = 5000
    tables: tuple[str, ...] = field(default_factory=tuple)  # empty: all, in load order
    requested_by: str | None = None
