"""One batch held ahead: started before the batch in front of it is written.

The migration extracts batch N+1 and hands it to the transform worker before
it writes batch N (see :func:`flows.pipeline.migrate_batch`), all in the
calling thread: the only concurrency is the worker process. What the start
raised (a source error in batch N+1, say) must not stop batch N from being
written: it is kept and raised by :meth:`ReadAhead.take`, when batch N+1 is
asked for, exactly where a migration without read-ahead would raise it.

A batch is keyed by (table, key it starts after); asking for another key
drops the one held (e.g. a retried batch), which is then started again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["ReadAhead"]

T = TypeVar("T")


class ReadAhead(Generic[T]):
    """At most one value held ahead, with the error its start raised, if any."""

    def __init__(self) -> None:
        self._held: tuple[Hashable, T | None, Exception | None] | None = None

    def hold(self, key: Hashable, start: Callable[[], T]) -> None:
        """Run ``start`` now and hold its value (or the exception it raised) for ``key``."""
        try:
            self._held = (key, start(), None)
        except Exception as exc:  # raised again by take(), for the batch it belongs to
            self._held = (key, None, exc)

    def take(self, key: Hashable) -> T | None:
        """The value held for ``key`` (raising its start's error), else None; either way, held no more."""
        held, self._held = self._held, None
        if held is None or held[0] != key:
            return None
        _, value, error = held
        if error is not None:
            raise error
        return value
