"""A digest of everything a batch writes for each legacy row: what lets a re-run skip a row safely.

A re-run leaves a legacy row alone only when its source hash, its outcome and
this digest are all what the ledger holds: the rules make exactly what they
made before. What a row's output depends on besides its own source (a pick
list, a crosswalk entry, a merge record, a parent's outcome, another row's
birth date, a rule) changes the digest when it changes the output, and the
row is rewritten like an edited one.

The digest covers the row's ledger entry, every target row it upserts, every
update it makes (attributed through its ledger entry), its quarantine record
and its flags. Values are hashed column by column with pandas' vectorised
hashing (64 bits a value; a missing value apart from any text), and a row's
parts are summed modulo 2**64. Two different outputs share a digest with a
chance of about 2**-64, and the only harm would be a row not rewritten, which
reconcile, comparing value by value, would report.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from functools import cache

import numpy as np
import pandas as pd

from transform.result import Flag, QuarantineRecord

__all__ = ["DIGEST_COLUMN", "output_digests", "row_hashes"]

DIGEST_COLUMN = "output_digest"
_MISSING = np.uint64(0x5851F42D4C957F2D)
_MULTIPLIER = np.uint64(0x100000001B3)


@cache
def _salt(text: str) -> np.uint64:
    return np.uint64(int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big"))


def _mix(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: spreads every input bit over the output (arrays of uint64, wrapping)."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _column_hashes(values: pd.Series) -> np.ndarray:
    """One uint64 per value, from the value alone: the same whatever dtype the batch gave the
    column or whatever else it holds (a 5 is a 5 with gaps around it or without), apart for
    values a database stores apart (a date from a datetime, a naive time from an aware one, a
    number from its text). Missing values hash alike, and unlike any text."""
    missing = values.isna().to_numpy()
    objects = values.to_numpy(dtype=object)
    if pd.api.types.is_float_dtype(values.dtype):
        floats = values.to_numpy(dtype=float, na_value=np.nan)
        whole = np.isfinite(floats) & (floats == np.floor(floats)) & (np.abs(floats) < 2.0**53)
        objects[whole] = floats[whole].astype(np.int64).astype(object)
    hashed = np.full(len(objects), _MISSING, dtype=np.uint64)
    present = np.flatnonzero(~missing)
    if not len(present):
        return hashed
    kind = pd.api.types.infer_dtype(objects[present], skipna=False)
    # The usual column holds one kind; pandas' "date" admits datetimes too, and UUIDs are "mixed".
    if kind in _ONE_KIND or len(set(map(type, objects[present]))) == 1:
        found = _kind_hashes(objects[present], kind)
        if found is not None:
            hashed[present] = found
            return hashed
    by_sort: dict[tuple[type, bool], list[int]] = {}
    for position in present.tolist():
        value = objects[position]
        by_sort.setdefault((type(value), getattr(value, "tzinfo", None) is None), []).append(
            position
        )
    for (_, naive), positions in by_sort.items():
        subset = objects[positions]
        kind = pd.api.types.infer_dtype(subset, skipna=False)
        found = _kind_hashes(subset, kind, aware=not naive)
        hashed[positions] = _each_alone(subset, aware=not naive) if found is None else found
    return hashed


def _each_alone(values: np.ndarray, *, aware: bool) -> np.ndarray:
    """Hashes of values that cannot be hashed together (a time past pandas' range, an integer
    past 64 bits), each as if it were alone: hashing them all by text instead would give every
    other value in the batch another hash than in a batch without such a value."""
    hashed = np.empty(len(values), dtype=np.uint64)
    for position in range(len(values)):
        one = values[position : position + 1]
        found = _kind_hashes(one, pd.api.types.infer_dtype(one, skipna=False), aware=aware)
        hashed[position] = (_text_hashes(one) if found is None else found)[0]
    return hashed


_ONE_KIND = frozenset({"string", "integer", "boolean", "datetime"})


def _kind_hashes(values: np.ndarray, kind: str, *, aware: bool = False) -> np.ndarray | None:
    """Hashes of present values of one type and ``kind`` (pandas' inferred type): numbers, times
    and UUIDs by their value (faster than their text), salted by kind; anything else by its
    text. None when the fast form cannot hold them (naive and aware times together, a year
    9999). ``aware``: every value is an aware time (in whatever zone)."""
    try:
        if kind in ("datetime", "date"):
            instants = pd.DatetimeIndex(pd.to_datetime(values, utc=aware, cache=False))
            if instants.tz is not None:
                instants = instants.tz_convert("UTC")
            numbers = np.asarray(instants.as_unit("ns").asi8)
            kind = f"{kind} {'naive' if instants.tz is None else 'aware'}"
        elif kind in ("integer", "boolean"):
            numbers = values.astype(np.int64)
        elif isinstance(values[0], uuid.UUID):
            as_bytes = np.array([v.bytes for v in values], dtype=object)
            return pd.util.hash_array(as_bytes, categorize=False) ^ _salt("uuid")
        else:
            return _text_hashes(values)
    except (ValueError, TypeError, OverflowError):
        return None
    return pd.util.hash_array(numbers) ^ _salt(kind)


def _text_hashes(values: np.ndarray) -> np.ndarray:
    """By ``str()`` (pandas hashes the text of str and bytes itself, and of nothing else)."""
    try:
        return pd.util.hash_array(values, categorize=False)
    except TypeError:
        return pd.util.hash_array(values.astype(str).astype(object), categorize=False)


def row_hashes(name: str, frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """One uint64 per row of ``frame`` over ``columns`` (by name, in any order), salted by ``name``."""
    hashes = np.full(len(frame), _salt(name), dtype=np.uint64)
    for column in sorted(columns):
        hashes = _mix((hashes ^ _salt(column)) * _MULTIPLIER + _column_hashes(frame[column]))
    return hashes


def _item_hash(item: QuarantineRecord | Flag) -> int:
    return int.from_bytes(hashlib.blake2b(repr(item).encode(), digest_size=8).digest(), "big")


def _positions(ledger: pd.DataFrame) -> Callable[[pd.Series, pd.Series], np.ndarray]:
    """Where (legacy_table, ROW_ID) pairs are in ``ledger`` (-1: not there). A batch is of one
    legacy table: its ROW_IDs alone are looked up, and a row of another table is not there."""
    tables = set(ledger["legacy_table"])
    row_ids = pd.Index(ledger["legacy_row_id"])

    def positions(legacy_tables: pd.Series, legacy_row_ids: pd.Series) -> np.ndarray:
        found = np.asarray(row_ids.get_indexer(legacy_row_ids))
        if len(tables) != 1 or (legacy_tables.to_numpy() != next(iter(tables))).any():
            pairs = list(zip(ledger["legacy_table"], ledger["legacy_row_id"], strict=True))
            index = {pair: n for n, pair in enumerate(pairs)}
            return np.array(
                [index.get(p, -1) for p in zip(legacy_tables, legacy_row_ids, strict=True)],
                dtype=np.intp,
            )
        return found

    return positions


def output_digests(
    ledger: pd.DataFrame,
    upserts: Iterable[tuple[str, pd.DataFrame]],
    updates: Iterable[tuple[str, pd.DataFrame]],
    quarantined: Iterable[QuarantineRecord],
    flags: Iterable[Flag],
    *,
    ignore: Sequence[str] = (),
) -> list[str]:
    """The digest (16 hex digits) of each row of ``ledger``, in its order.

    ``upserts`` and ``updates``: (target table, frame) as the batch writes them;
    target rows name their legacy row in ``legacy_table``/``legacy_row_id``, an
    update (by ``id``) belongs to the legacy row whose ledger entry points at that
    row of that table (one no ledger entry points at is not any row's). ``ignore``:
    columns left out everywhere (the run id).
    """
    positions_of = _positions(ledger)
    sums = row_hashes("ledger", ledger, [c for c in ledger.columns if c not in ignore])

    def add(positions: np.ndarray, hashes: np.ndarray) -> None:
        found = positions >= 0
        np.add.at(sums, positions[found], hashes[found])

    for name, frame in upserts:
        if frame.empty:
            continue
        columns = [c for c in frame.columns if c not in ignore]
        positions = positions_of(frame["legacy_table"], frame["legacy_row_id"])
        add(positions, row_hashes(name, frame, columns))
    for name, frame in updates:
        if frame.empty:
            continue
        pointing: dict[str, list[int]] = {}
        for position, (table, target) in enumerate(
            zip(ledger["target_table"], ledger["target_id"], strict=True)
        ):
            if table == name and target is not None:
                pointing.setdefault(str(target), []).append(position)
        hashes = row_hashes(f"update {name}", frame, [c for c in frame.columns if c not in ignore])
        owners = [pointing.get(str(target_id), []) for target_id in frame["id"]]
        add(
            np.array([p for found in owners for p in found], dtype=np.intp),
            np.array(
                [h for h, found in zip(hashes, owners, strict=True) for _ in found], dtype=np.uint64
            ),
        )
    items: list[QuarantineRecord | Flag] = [*quarantined, *flags]
    if items:
        positions = positions_of(
            pd.Series([i.legacy_table for i in items]), pd.Series([i.legacy_row_id for i in items])
        )
        add(positions, np.array([_item_hash(i) for i in items], dtype=np.uint64))
    return [format(v, "016x") for v in sums.tolist()]
