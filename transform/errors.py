"""Exceptions of the transform stage. Bad data is never an exception (it is a quarantine
record or a flag); these are for broken configuration and broken callers::

    TransformError                 base of everything transform raises
    └── TerminalTransformError     retrying cannot help: fix the code or the configuration
        ├── UnknownTableError      transform_batch / parent_keys for a table with no rules
        ├── InputContractError     a batch frame without the contract's columns
        ├── MissingFactError       a rule's whole-table fact absent from BatchContext.facts
        └── OutputContractError    a rule built a target row without the target's columns

Messages name the table, ROW_ID and column where there is one, never personal data.
"""

from __future__ import annotations

__all__ = [
    "InputContractError",
    "MissingFactError",
    "OutputContractError",
    "TerminalTransformError",
    "TransformError",
    "UnknownTableError",
]


class TransformError(Exception):
    """Base of the transform stage's exceptions."""

    retryable: bool = False


class TerminalTransformError(TransformError):
    """Retrying the same batch cannot help."""


class UnknownTableError(TerminalTransformError, KeyError):
    """No rules for this legacy table."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InputContractError(TerminalTransformError):
    """The batch frame does not have the legacy table's columns."""


class MissingFactError(TerminalTransformError):
    """A whole-table fact the table's rules need is missing from ``BatchContext.facts``."""


class OutputContractError(TerminalTransformError):
    """A rule built a target row whose columns differ from the target schema's."""
