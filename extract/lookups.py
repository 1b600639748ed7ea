"""Reference reads for the transform's context: code lists, users, merges, rows by key or by link, repeated keys.

Plain queries on any :class:`LegacySource`, each bounded: whole-table reads go
in keyset batches, key lookups in chunked ``IN`` lists. Values carry their
Oracle meaning (:mod:`extract.oracle`), and keys match byte for byte: rows an
engine returns under a looser collation are filtered out again here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from typing import Any

from extract.batches import DEFAULT_BATCH_SIZE, keyset_pages, read_columns, read_keys
from extract.legacy_schema import legacy_spec
from extract.oracle import oracle_rows
from extract.sources import KEY_COLUMN, LegacySource, RowQuery

__all__ = [
    "MERGE_OPERATION",
    "read_code_lists",
    "read_merge_map",
    "read_rows_by_key",
    "read_rows_where_in",
    "read_rows_where_key_repeats",
    "read_user_ids",
]

MERGE_OPERATION = "Delete (Merge Record)"
KEY_CHUNK = 500  # ROW_IDs per IN list: under every engine's bound-parameter limit


def read_code_lists(
    source: LegacySource, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> list[dict[str, Any]]:
    """Every S_LST_OF_VAL row (all contract columns: TYPE, NAME, VAL, ACTIVE_FLG, ...), in ROW_ID order."""
    return read_columns(
        source, "S_LST_OF_VAL", legacy_spec()["S_LST_OF_VAL"].column_names, batch_size=batch_size
    )


def read_user_ids(source: LegacySource, *, batch_size: int = DEFAULT_BATCH_SIZE) -> frozenset[str]:
    """Every S_USER ROW_ID."""
    return frozenset(
        row[0]
        for rows in read_keys(source, "S_USER", (KEY_COLUMN,), batch_size=batch_size)
        for row in rows
    )


def read_rows_by_key(
    source: LegacySource,
    table: str,
    keys: Collection[str],
    columns: Sequence[str],
    *,
    chunk_size: int = KEY_CHUNK,
) -> dict[str, dict[str, Any]]:
    """ROW_ID -> ``{column: value}`` for the rows of ``table`` whose ROW_ID is in ``keys`` (exact match).

    Keys absent from the table are absent from the result; ``''`` and None never match (NULL in Oracle).
    """
    spec = legacy_spec()[table]
    for name in columns:
        spec.column(name)
    names = (KEY_COLUMN, *(c for c in columns if c != KEY_COLUMN))
    wanted = sorted({k for k in keys if isinstance(k, str) and k != ""})
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), chunk_size):
        chunk = tuple(wanted[start : start + chunk_size])
        exact = set(chunk)
        rows = oracle_rows(table, names, source.fetch(RowQuery(table, names, keys=chunk)))
        for row in rows:
            if row[0] in exact:
                values = dict(zip(names, row, strict=True))
                found[row[0]] = {c: values[c] for c in columns}
    return found


def read_rows_where_in(
    source: LegacySource,
    table: str,
    column: str,
    values: Collection[str],
    columns: Sequence[str],
    *,
    chunk_size: int = KEY_CHUNK,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> list[dict[str, Any]]:
    """``columns`` of every row of ``table`` whose ``column`` is one of ``values`` (exact match), in ROW_ID order.

    For the rows a batch links to through a column other than ROW_ID (the
    S_PARTY_REL rows of some persons, the CX_CASE_CON rows of some cases).
    ``column`` must be an id or varchar column. ``''`` and None never match
    (NULL in Oracle); values compare byte for byte, as :func:`read_rows_by_key`.
    Several rows may share a value, so each chunk of values is itself read in
    keyset pages of ``batch_size`` rows.
    """
    spec = legacy_spec()[table]
    if spec.column(column).logical_type not in ("id", "varchar"):
        raise ValueError(f"{table}.{column} is not an id or varchar column")
    for name in columns:
        spec.column(name)
    names = tuple(dict.fromkeys((KEY_COLUMN, column, *columns)))
    at = names.index(column)
    wanted = sorted({v for v in values if isinstance(v, str) and v != ""})
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(wanted), chunk_size):
        chunk = tuple(wanted[start : start + chunk_size])
        exact = set(chunk)
        for page in keyset_pages(
            source, table, names, batch_size=batch_size, keys=chunk, key_column=column
        ):
            found.extend(row for row in page if row[at] in exact)
    found.sort(key=lambda row: row[0])  # each row is in one chunk only: its value's
    positions = [names.index(c) for c in columns]
    return [{c: row[i] for c, i in zip(columns, positions, strict=True)} for row in found]


def read_rows_where_key_repeats(
    source: LegacySource,
    table: str,
    column: str,
    *,
    columns: Sequence[str] | None = None,
    keep: Callable[[str], bool] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> list[dict[str, Any]]:
    """Every row of ``table`` whose ``column`` value occurs in more than one row.

    NULL and ``''`` (NULL in Oracle) never repeat. Values compare byte for byte
    (``'1-A'``, ``'1-A '`` and ``'1-a'`` are three values). Sorted by (value, ROW_ID).
    Each row holds ROW_ID, ``column`` and ``columns`` (all contract columns when None).
    ``keep``: only rows whose value it accepts, chosen page by page, so that only
    those are ever held; a value is kept or left with all its rows, so the repeats
    are counted alike. Used for duplicate S_CONTACT_X extensions and children with
    several placements whose key has blanks around it (``flows.facts``).
    """
    spec = legacy_spec()[table]
    names = (
        spec.column_names
        if columns is None
        else tuple(dict.fromkeys((KEY_COLUMN, column, *columns)))
    )
    for name in names:
        spec.column(name)
    at = names.index(column)
    rows = [
        row
        for page in keyset_pages(source, table, names, batch_size=batch_size, repeats=column)
        for row in page
        if row[at] is not None and (keep is None or keep(row[at]))
    ]
    counts = Counter(row[at] for row in rows)
    key_at = names.index(KEY_COLUMN)
    repeated = sorted((r for r in rows if counts[r[at]] > 1), key=lambda r: (r[at], r[key_at]))
    return [dict(zip(names, row, strict=True)) for row in repeated]


def _merge_edges(source: LegacySource, batch_size: int) -> dict[str, set[str | None]]:
    names = (KEY_COLUMN, "RECORD_ID", "NEW_VAL")
    equals = (("OPERATION_CD", MERGE_OPERATION), ("TBL_NAME", "S_CONTACT"))
    edges: dict[str, set[str | None]] = {}
    for page in keyset_pages(source, "S_AUDIT_ITEM", names, batch_size=batch_size, equals=equals):
        for _row_id, record_id, new_val in page:
            if record_id is not None:
                edges.setdefault(record_id, set()).add(new_val)
    return edges


def _follow(start: str, targets: dict[str, str | None]) -> str | None:
    seen = {start}
    current = targets[start]
    while current is not None and current in targets:
        if current in seen:
            return None  # a cycle names no survivor
        seen.add(current)
        current = targets[current]
    return current


def read_merge_map(
    source: LegacySource, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> dict[str, str | None]:
    """Person merged away -> its surviving S_CONTACT ROW_ID, from S_AUDIT_ITEM merge records.

    Reads the rows with OPERATION_CD 'Delete (Merge Record)' and TBL_NAME
    'S_CONTACT': RECORD_ID was merged into NEW_VAL. Chains X -> Y -> Z resolve to
    Z. The survivor is None when the trail does not name one person that
    exists: a cycle, a record merged into two different persons, an empty
    NEW_VAL, or a final NEW_VAL that is not an S_CONTACT ROW_ID (exact match).
    """
    edges = _merge_edges(source, batch_size)
    targets: dict[str, str | None] = {
        record: next(iter(new)) if len(new) == 1 else None for record, new in edges.items()
    }
    finals = {record: _follow(record, targets) for record in targets}
    existing = read_rows_by_key(
        source, "S_CONTACT", {f for f in finals.values() if f is not None}, (KEY_COLUMN,)
    )
    return {record: (final if final in existing else None) for record, final in finals.items()}
