"""Probable duplicate persons, matched with the persons and their blocks on disk.

:func:`transform.find_match_candidates` holds every person it is given, so on all
of S_CONTACT its memory grows with the legacy table (about 75 MB more at 330,000
persons when only the persons sharing a block were held). Here S_CONTACT is read
once, a page at a time; each person's matching view and blocks go into a private
temporary SQLite database (:class:`_MatchStore`), the pairs of each shared block
too, and each pair is then matched with its two persons read back. Memory is
bounded by a page, the largest block and the pairs found; the pairs are exactly
those of ``find_match_candidates`` on every person at once (it is made of the
same pieces: ``transform.match_person``, ``block_keys``, ``match_pair``,
``candidates_frame``).

Why SQLite, as for reconcile's discrepancy spool (``reconcile.spool.private_database``,
shared): sorted grouping of the blocks and de-duplicated pairs on disk, with a
capped page cache, in SQLite's private temporary database, unlinked at once and
freed when closed, even if the process is killed. The pickles it holds are read
back only by this process.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
from collections.abc import Iterable, Iterator, Mapping
from itertools import combinations, groupby
from operator import itemgetter
from types import TracebackType
from typing import Any

import pandas as pd

import extract
import transform
from reconcile.spool import private_database

__all__ = ["match_candidates", "match_pages", "proposed_pairs"]

_CACHE_KIB = 8192  # SQLite page cache; the rest of the database stays on disk
_FLUSH_EVERY = 20_000  # pairs held before one INSERT batch
_PICKLE_PROTOCOL = 5
_FIELDS = tuple(f.name for f in dataclasses.fields(transform.MatchPerson))


class _MatchStore:
    """Persons (by input position), their blocks and the pairs of shared blocks, on disk."""

    def __init__(self) -> None:
        db = private_database(_CACHE_KIB)
        try:
            db.execute("CREATE TABLE person (position INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            db.execute("CREATE TABLE block (key TEXT NOT NULL, position INTEGER NOT NULL)")
            db.execute(
                "CREATE TABLE pair (first INTEGER NOT NULL, second INTEGER NOT NULL,"
                " PRIMARY KEY (first, second)) WITHOUT ROWID"
            )
        except BaseException:
            db.close()
            raise
        self._db = db
        self._count = 0

    def __enter__(self) -> _MatchStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._db.close()

    def add(self, persons: Iterable[transform.MatchPerson]) -> None:
        """Keep one page of persons and their blocks."""
        bodies: list[tuple[int, bytes]] = []
        blocks: list[tuple[str, int]] = []
        for person in persons:
            position = self._count
            self._count += 1
            fields = tuple(getattr(person, name) for name in _FIELDS)
            bodies.append((position, pickle.dumps(fields, protocol=_PICKLE_PROTOCOL)))
            # A block is a tuple of folded names (letters and spaces), ISO dates and digits.
            blocks.extend(("\x1f".join(key), position) for key in transform.block_keys(person))
        self._db.execute("BEGIN")
        self._db.executemany("INSERT INTO person VALUES (?, ?)", bodies)
        self._db.executemany("INSERT INTO block VALUES (?, ?)", blocks)
        self._db.execute("COMMIT")

    def _pair_blocks(self) -> None:
        """Every pair of positions sharing a block, once (first < second)."""
        self._db.execute("CREATE INDEX block_key ON block (key, position)")
        shared = self._db.execute(
            "SELECT key, position FROM block WHERE key IN"
            " (SELECT key FROM block GROUP BY key HAVING COUNT(*) > 1) ORDER BY key, position"
        )
        pending: list[tuple[int, int]] = []
        self._db.execute("BEGIN")
        for _key, members in groupby(shared, key=itemgetter(0)):
            pending.extend(combinations([position for _, position in members], 2))
            if len(pending) >= _FLUSH_EVERY:
                self._db.executemany("INSERT OR IGNORE INTO pair VALUES (?, ?)", pending)
                pending.clear()
        self._db.executemany("INSERT OR IGNORE INTO pair VALUES (?, ?)", pending)
        self._db.execute("COMMIT")

    def _person(self, position: int) -> transform.MatchPerson:
        (body,) = self._db.execute(
            "SELECT body FROM person WHERE position = ?", (position,)
        ).fetchone()
        return transform.MatchPerson(*pickle.loads(body))

    def pairs(self) -> Iterator[tuple[transform.MatchPerson, transform.MatchPerson]]:
        """The two persons of every pair sharing a block, in order of their positions."""
        self._pair_blocks()
        cursor = self._db.execute("SELECT first, second FROM pair ORDER BY first, second")
        current: tuple[int, transform.MatchPerson] | None = None
        while page := cursor.fetchmany(_FLUSH_EVERY):
            for first, second in page:
                if current is None or current[0] != first:
                    current = (first, self._person(first))
                yield current[1], self._person(second)


def match_pages(pages: Iterable[Iterable[Mapping[str, Any]]]) -> pd.DataFrame:
    """Probable duplicate pairs among persons given a page at a time (rows of
    :data:`transform.MATCH_COLUMNS`), matched with the persons on disk."""
    with _MatchStore() as store:
        for page in pages:
            store.add(transform.match_person(row) for row in page)
        found = (transform.match_pair(a, b) for a, b in store.pairs())
        return transform.candidates_frame(row for row in found if row is not None)


def match_candidates(source: extract.LegacySource, *, batch_size: int) -> pd.DataFrame:
    """Probable duplicate pairs among the S_CONTACT rows (:data:`transform.MATCH_RESULT_COLUMNS`)."""
    columns = transform.MATCH_COLUMNS
    pages = extract.read_keys(source, "S_CONTACT", columns, batch_size=batch_size)
    return match_pages((dict(zip(columns, row, strict=True)) for row in page) for page in pages)


def proposed_pairs(source: extract.LegacySource, *, batch_size: int) -> pd.DataFrame:
    """The pairs as the store keeps them (:data:`load.MATCH_COLUMNS`): one evidence text
    per pair, the match code leading the agreeing fields."""
    candidates = match_candidates(source, batch_size=batch_size)
    return candidates.assign(
        evidence=[
            json.dumps({"code": code, "agree": json.loads(evidence)})
            for code, evidence in zip(candidates["code"], candidates["evidence"], strict=True)
        ]
    ).drop(columns=["code"])
