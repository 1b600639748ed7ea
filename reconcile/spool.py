"""Discrepancies on disk: appended as the engine finds them, read back in report order.

A reconciliation of a badly damaged store can find a discrepancy for nearly
every legacy row; held in a list, a million of them take gigabytes. The
engine writes each one here instead, and the result reads them back as a
stream, as often as a renderer asks.

Why a temporary SQLite database (the standard library's ``sqlite3``) rather
than length-prefixed pickles in a plain temporary file:

* order: the report lists discrepancies table by table (``TABLE_LOAD_ORDER``,
  then those of no reconciled table), but the checks that run after every
  table (orphans, attachments, unknown lineage) add to tables already done.
  Each row's integer key is ``(section << 40) | sequence``, so one scan of
  the primary key gives the report order; a flat file would need one file
  per section or a sort.
* the page shows the first rows of each (kind, legacy table) group: an index
  on (kind, legacy table, key), built when first asked for, finds them
  without reading the rest.
* memory: SQLite's page cache is capped (:data:`_CACHE_KIB`); the rest is on disk.
* removal: the database is opened with an empty file name, SQLite's *private
  temporary database*: SQLite creates it in its temporary folder
  (``SQLITE_TMPDIR``, ``TMPDIR``, then ``/var/tmp``, ``/usr/tmp``, ``/tmp``) and
  on POSIX unlinks it at once, so no name of it is ever visible (never in the
  report folder) and the system frees its space when the connection closes:
  on :meth:`DiscrepancySpool.close`, when the spool is garbage collected, at
  interpreter exit, and even when the process is killed.

Each discrepancy is stored as a pickle of plain tuples (no classes: smaller
and faster than pickling the dataclasses) and rebuilt through the
:class:`~reconcile.result.Discrepancy` constructor, which validates it again.
The pickles are read only by this process, from a file no other process can open.
"""

from __future__ import annotations

import pickle
import sqlite3
import threading
import weakref
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from reconcile.result import Discrepancy, DiscrepancyStream, FieldDiff

__all__ = ["MAX_SECTIONS", "DiscrepancySpool", "private_database"]

_SEQUENCE_BITS = 40  # a trillion discrepancies per section
MAX_SECTIONS = 1 << 22  # keys stay within SQLite's signed 64-bit integers
_FLUSH_EVERY = 1000  # rows held before one INSERT batch
_CACHE_KIB = 2048  # SQLite page cache: memory beyond this goes to the file
_PICKLE_PROTOCOL = 5


def _encode(d: Discrepancy) -> bytes:
    values = tuple((v.field, v.expected, v.actual, v.pii_kind) for v in d.values)
    return pickle.dumps(
        (
            d.kind,
            d.legacy_table,
            d.legacy_row_id,
            d.target_table,
            d.target_id,
            tuple(d.fields),
            d.detail,
            values,
        ),
        protocol=_PICKLE_PROTOCOL,
    )


def _decode(body: bytes) -> Discrepancy:
    kind, legacy_table, row_id, target, target_id, fields, detail, values = pickle.loads(body)
    return Discrepancy(
        kind,
        legacy_table,
        row_id,
        target_table=target,
        target_id=target_id,
        fields=fields,
        detail=detail,
        values=tuple(FieldDiff(*v) for v in values),
    )


def private_database(cache_kib: int, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """A new private temporary SQLite database (see the module doc: unlinked at once, freed
    when closed, even if the process is killed), in autocommit mode, with no journal and a
    page cache of at most ``cache_kib`` KiB: scratch space on disk, never a record."""
    db = sqlite3.connect("", isolation_level=None, check_same_thread=check_same_thread)
    try:
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            f"cache_size = -{cache_kib}",
            "temp_store = FILE",
        ):
            db.execute(f"PRAGMA {pragma}")
    except BaseException:
        db.close()
        raise
    return db


def _close(db: sqlite3.Connection) -> None:
    db.close()


class DiscrepancySpool(DiscrepancyStream):
    """Discrepancies in a private temporary SQLite database (see the module doc).

    :meth:`add` puts one in a *section* (the engine: a legacy table's place in
    the report order); iteration gives them ordered by section, then in the
    order they were added. Counts per kind and per (kind, legacy table) are
    kept in memory: a few small counters, whatever the number of discrepancies.

    One writer at a time; reading while another thread adds is not supported.
    """

    def __init__(self) -> None:
        db = private_database(_CACHE_KIB, check_same_thread=False)
        try:
            db.execute(
                "CREATE TABLE discrepancy (position INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
                " legacy_table TEXT, body BLOB NOT NULL)"
            )
        except BaseException:
            db.close()
            raise
        self._db = db
        self._finalizer = weakref.finalize(self, _close, db)
        self._lock = threading.Lock()
        self._pending: list[tuple[int, str, str | None, bytes]] = []
        self._next: Counter[int] = Counter()  # section -> next sequence number
        self._groups: Counter[tuple[str, str | None]] = Counter()
        self._total = 0
        self._indexed = False

    # --- writing ---------------------------------------------------------------------------

    def add(self, discrepancy: Discrepancy, section: int = 0) -> None:
        """Spool ``discrepancy`` at the end of ``section`` (0 <= section < :data:`MAX_SECTIONS`)."""
        if not 0 <= section < MAX_SECTIONS:
            raise ValueError(f"section {section} is outside 0..{MAX_SECTIONS - 1}")
        table = discrepancy.legacy_table or None
        body = _encode(discrepancy)
        with self._lock:
            self._check_open()
            sequence = self._next[section]
            self._next[section] += 1
            self._pending.append(
                ((section << _SEQUENCE_BITS) | sequence, discrepancy.kind, table, body)
            )
            self._groups[(discrepancy.kind, table)] += 1
            self._total += 1
            if len(self._pending) >= _FLUSH_EVERY:
                self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        self._db.execute("BEGIN")
        try:
            self._db.executemany("INSERT INTO discrepancy VALUES (?, ?, ?, ?)", self._pending)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        self._pending.clear()

    def _check_open(self) -> None:
        if not self._finalizer.alive:
            raise ValueError("the discrepancy spool is closed")

    def _rows(self, sql: str, parameters: tuple[Any, ...] = ()) -> Iterator[Discrepancy]:
        with self._lock:
            self._check_open()
            self._flush()
            cursor = self._db.execute(sql, parameters)
        try:
            for (body,) in cursor:
                yield _decode(body)
        finally:
            cursor.close()

    # --- reading ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._total

    def __iter__(self) -> Iterator[Discrepancy]:
        """Every discrepancy, by section, then in the order added (a new pass each call)."""
        return self._rows("SELECT body FROM discrepancy ORDER BY position")

    def __contains__(self, item: object) -> bool:
        return isinstance(item, Discrepancy) and any(d == item for d in self)

    def kind_counts(self) -> Mapping[str, int]:
        counted: Counter[str] = Counter()
        for (kind, _), n in self._groups.items():
            counted[kind] += n
        return counted

    def group_counts(self) -> Mapping[tuple[str, str | None], int]:
        return dict(self._groups)

    def group_head(self, kind: str, legacy_table: str | None, limit: int) -> Iterator[Discrepancy]:
        if self._groups[(kind, legacy_table or None)] == 0 or limit <= 0:
            return iter(())
        with self._lock:
            self._check_open()
            if not self._indexed:
                self._db.execute(
                    "CREATE INDEX discrepancy_group ON discrepancy (kind, legacy_table, position)"
                )
                self._indexed = True
        return self._rows(
            "SELECT body FROM discrepancy WHERE kind = ? AND legacy_table IS ?"
            " ORDER BY position LIMIT ?",
            (kind, legacy_table or None, limit),
        )

    # --- lifetime --------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def close(self) -> None:
        """Close the database: SQLite's file goes, counts stay readable, the rows do not."""
        with self._lock:
            self._pending.clear()
            self._finalizer()

    def __enter__(self) -> DiscrepancySpool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
