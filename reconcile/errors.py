"""Errors of the reconcile stage. Discrepancies are results, never exceptions: these are for
a target that cannot be read or was never migrated. Messages carry table names, ROW_IDs and
counts only, never row values."""

from __future__ import annotations

__all__ = ["ReconcileError", "TerminalReconcileError", "TransientReconcileError"]


class ReconcileError(Exception):
    """Reconciliation could not be done. ``retryable`` says whether trying again can help."""

    retryable = False

    def __init__(self, message: str, *, table: str | None = None) -> None:
        where = f" (table {table})" if table else ""
        advice = "; a retry may help" if self.retryable else "; a retry will not help"
        super().__init__(f"{message}{where}{advice}")
        self.table = table


class TransientReconcileError(ReconcileError):
    """The target could not be reached or was busy."""

    retryable = True


class TerminalReconcileError(ReconcileError):
    """The target is not a migrated store (no migration run, missing tables)."""
