"""Checking a source against the legacy contract before a run starts."""

from __future__ import annotations

from extract.batches import read_batches
from extract.legacy_schema import LEGACY_TABLE_NAMES
from extract.sources import LegacySource

__all__ = ["check_source"]


def check_source(source: LegacySource, *, probe_rows: int = 100) -> None:
    """Raise unless every legacy table and column exists with a compatible type.

    Binds every contract table to the source's catalog (``SourceSchemaError``
    naming the missing table or column, or the column whose type cannot hold
    its contract type), then reads the first ``probe_rows`` rows of each table
    through the normal conversion, so that a systematically unreadable column
    (dates stored in an unknown text format, say) fails now rather than
    mid-run (``SourceValueError`` naming table, ROW_ID and column). A value
    further into a table is checked when its batch is read. An unreachable
    source raises ``SourceUnavailable``.
    """
    for table in LEGACY_TABLE_NAMES:
        source.bind(table)
    if probe_rows > 0:
        for table in LEGACY_TABLE_NAMES:
            next(read_batches(source, table, batch_size=probe_rows), None)
