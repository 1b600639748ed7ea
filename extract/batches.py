"""Streaming a legacy table in keyset batches: ``WHERE ROW_ID > :after ORDER BY ROW_ID LIMIT n``.

Never OFFSET: a keyset page costs the same at the end of a table as at its
start, and a run can resume after the last committed key. Memory is bounded
by the batch size: one query per batch, at most ``batch_size`` rows each.

Keys compare byte for byte on every engine (see :mod:`extract.sources`), which
is also Python's ``str`` order (UTF-8 preserves code-point order). Each page
is checked against it: an engine that orders keys otherwise (a case-blind or
PAD SPACE collation) raises :class:`SourceKeyOrderError` instead of silently
skipping or repeating rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import pandas as pd

from extract.canonical import source_hashes
from extract.errors import SourceKeyOrderError
from extract.legacy_schema import legacy_spec
from extract.oracle import oracle_columns
from extract.sources import KEY_COLUMN, LegacySource, RowQuery

__all__ = [
    "HASH_COLUMN",
    "ExtractedBatch",
    "count_rows",
    "keyset_pages",
    "read_batches",
    "read_columns",
    "read_keys",
]

HASH_COLUMN = "source_hash"
DEFAULT_BATCH_SIZE = 5000


@dataclass(frozen=True, eq=False)
class ExtractedBatch:
    """One batch of a legacy table.

    ``frame``: object dtype, one column per legacy column in contract order
    plus ``source_hash``; values carry their Oracle meaning (``str``, naive
    ``datetime``, ``Decimal``, ``None``). ``last_key``: the batch's greatest
    ROW_ID, where the next batch starts (``after=last_key``).
    """

    table: str
    frame: pd.DataFrame
    last_key: str

    def __len__(self) -> int:
        return len(self.frame)


def _check_batch_size(batch_size: int) -> None:
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")


def _check_order(table: str, keys: Sequence[str], after: str | None) -> None:
    if (after is None or not keys or keys[0] > after) and all(a < b for a, b in pairwise(keys)):
        return  # in order: the common case, checked without the loop below
    previous = after
    for key in keys:
        if previous is not None and not key > previous:
            raise SourceKeyOrderError(
                f"{table}: the source returned ROW_ID {key!r} after {previous!r}; its collation does not "
                "order keys byte for byte, so keyset paging could skip rows. Use a binary collation "
                '(PostgreSQL COLLATE "C", MariaDB utf8mb4_nopad_bin, Oracle NLS_SORT=BINARY)',
                table=table,
                column=KEY_COLUMN,
                row_id=key,
            )
        previous = key


def _column_pages(
    source: LegacySource,
    table: str,
    columns: Sequence[str],
    *,
    batch_size: int,
    after: str | None = None,
    equals: tuple[tuple[str, str], ...] = (),
    repeats: str | None = None,
    keys: tuple[str, ...] | None = None,
    key_column: str = KEY_COLUMN,
) -> Iterator[list[list[Any]]]:
    """Keyset pages as columns (one list per name of ``columns``), Oracle meaning applied."""
    _check_batch_size(batch_size)
    names = tuple(columns)
    if KEY_COLUMN not in names:
        raise ValueError(f"keyset pages need {KEY_COLUMN} among the columns, got {list(names)}")
    key_at = names.index(KEY_COLUMN)
    while True:
        query = RowQuery(
            table,
            names,
            after=after,
            limit=batch_size,
            keys=keys,
            key_column=key_column,
            equals=equals,
            repeats=repeats,
        )
        raw = source.fetch(query)
        if not raw:
            return
        page = oracle_columns(table, names, raw)
        row_ids = page[key_at]
        _check_order(table, row_ids, after)
        yield page
        if len(raw) < batch_size:
            return
        after = row_ids[-1]


def keyset_pages(
    source: LegacySource,
    table: str,
    columns: Sequence[str],
    *,
    batch_size: int,
    after: str | None = None,
    equals: tuple[tuple[str, str], ...] = (),
    repeats: str | None = None,
    keys: tuple[str, ...] | None = None,
    key_column: str = KEY_COLUMN,
) -> Iterator[list[tuple[Any, ...]]]:
    """Pages of at most ``batch_size`` rows of ``columns`` (which must include ROW_ID), Oracle meaning applied.

    The filters are those of :class:`RowQuery` (``keys`` on ``key_column``, ``equals``, ``repeats``).
    """
    for page in _column_pages(
        source,
        table,
        columns,
        batch_size=batch_size,
        after=after,
        equals=equals,
        repeats=repeats,
        keys=keys,
        key_column=key_column,
    ):
        yield list(zip(*page, strict=True))


def read_batches(
    source: LegacySource, table: str, *, batch_size: int, after: str | None = None
) -> Iterator[ExtractedBatch]:
    """Every row of ``table`` with a ROW_ID after ``after`` (all rows if None), in byte order of ROW_ID.

    Yields no empty batch: an exhausted table yields nothing.
    """
    columns = legacy_spec()[table].column_names
    frame_columns = [*columns, HASH_COLUMN]
    key_at = columns.index(KEY_COLUMN)
    for page in _column_pages(source, table, columns, batch_size=batch_size, after=after):
        # Row tuples are pandas' fastest object-dtype input (faster than a dict of columns).
        records = list(zip(*page, source_hashes(table, page), strict=True))
        frame = pd.DataFrame(records, columns=frame_columns, dtype=object)
        yield ExtractedBatch(table=table, frame=frame, last_key=page[key_at][-1])


def _with_key(columns: Sequence[str]) -> tuple[str, ...]:
    return (KEY_COLUMN, *(c for c in columns if c != KEY_COLUMN))


def read_keys(
    source: LegacySource,
    table: str,
    columns: Sequence[str],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Iterator[list[tuple[Any, ...]]]:
    """Just ``columns`` of every row (tuples in that order), a batch at a time, for whole-table pre-scans."""
    spec = legacy_spec()[table]
    for name in columns:
        spec.column(name)
    names = _with_key(columns)
    positions = [names.index(c) for c in columns]
    for rows in keyset_pages(source, table, names, batch_size=batch_size):
        yield [tuple(row[i] for i in positions) for row in rows]


def read_columns(
    source: LegacySource,
    table: str,
    columns: Sequence[str],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> list[dict[str, Any]]:
    """``columns`` of every row of ``table`` as dicts, in ROW_ID order (read in bounded batches)."""
    names = tuple(columns)
    return [
        dict(zip(names, row, strict=True))
        for rows in read_keys(source, table, names, batch_size=batch_size)
        for row in rows
    ]


def count_rows(source: LegacySource, table: str) -> int:
    """The number of rows of legacy table ``table``."""
    source.bind(table)
    return source.count(table)
