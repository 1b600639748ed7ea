"""What extract raises, and whether a retry can help.

Bad *data* is never an exception here: a value the transform can judge is
handed over as it is. These exceptions are for a source that cannot be
reached, a schema that breaks the contract, or a value the contract's type
cannot hold (so the row cannot even be read faithfully). Messages name the
table, ROW_ID and column, never a value (values may be personal data).

Retrying is a type check: flows retries :class:`TransientExtractError` and
nothing else.

::

    ExtractError                      base of everything extract raises
    ├── TransientExtractError         mix-in: a retry can help (retryable = True)
    │   └── SourceUnavailable         cannot connect, connection lost, timeout, database locked
    └── TerminalExtractError          mix-in: a retry cannot help (retryable = False)
        ├── SourceConfigError         no such ODBC driver, bad credentials, unusable connection string
        ├── SourceSchemaError         a legacy table or column is missing, or has an incompatible type
        │   └── SourceValueError      a value the column's contract type cannot hold
        │                             (date column with non-date text, undecodable bytes, empty ROW_ID)
        ├── SourceKeyOrderError       the engine returned ROW_IDs out of byte order (keyset paging unsafe)
        └── SourceQueryError          any other database error while reading
"""

from __future__ import annotations

__all__ = [
    "ExtractError",
    "SourceConfigError",
    "SourceKeyOrderError",
    "SourceQueryError",
    "SourceSchemaError",
    "SourceUnavailable",
    "SourceValueError",
    "TerminalExtractError",
    "TransientExtractError",
]


class ExtractError(Exception):
    """Base of every error raised by extract. ``table``/``column``/``row_id`` when known."""

    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        column: str | None = None,
        row_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.table = table
        self.column = column
        self.row_id = row_id


class TransientExtractError(ExtractError):
    """Mix-in: the failure is in the infrastructure; the same call may succeed later."""

    retryable = True


class TerminalExtractError(ExtractError):
    """Mix-in: the source or its configuration is wrong; retrying changes nothing."""

    retryable = False


class SourceUnavailable(TransientExtractError):
    """The source cannot be reached now: connection refused or lost, timeout, lock."""


class SourceConfigError(TerminalExtractError):
    """The source cannot be used as configured: missing driver, rejected credentials."""


class SourceSchemaError(TerminalExtractError):
    """The source breaks the legacy contract: a table or column missing or of the wrong type."""


class SourceValueError(SourceSchemaError):
    """A stored value that the column's contract type cannot hold (found while reading)."""


class SourceKeyOrderError(TerminalExtractError):
    """The engine does not order ROW_IDs byte for byte, so keyset paging could skip rows."""


class SourceQueryError(TerminalExtractError):
    """Any other database error while reading the source."""
