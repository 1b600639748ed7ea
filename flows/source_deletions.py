"""Legacy rows gone from the source since an earlier run, settled once every table is written.

A run reads only what the source holds now, so a row deleted there since an
earlier run keeps its ledger entry and target rows unless something removes
them. Policy:

* a person merged away in the source (an S_CONTACT row named by a 'Delete
  (Merge Record)' audit record) leaves the store, as a fresh migration would
  never have had it: the run forgets its ledger entry, so the rows about it
  are rewritten to point at the survivor (or quarantined where the trail does
  not resolve), and its target rows go once nothing refers to them. Otherwise
  the new store would keep the very duplicate the merge removed;
* any other row gone from the source is kept, and a warning counts them per
  table: a row can vanish from a replica for reasons no audit trail explains
  (an outage, a partial copy), and deleting it from the new store could lose
  the only copy. ``reconcile`` reports each as ``deleted_in_source``;
* unless the run was started with ``prune_deleted`` (``migrate
  --prune-deleted``: the source's deletions are known to be real): then every
  row gone leaves the store the way a merged-away person does, and the store
  ends as a fresh migration of the source would make it. Except where more
  than half of a table's rows would go: a source that lost that many is far
  likelier a broken copy than a cleanup, so the run stops
  (:class:`PruneRefused`) before it deletes any of them. A source that really
  lost them migrates into a new, empty store.

Each table is settled as soon as its batches are written (and again when a
resumed run finds it complete), before the tables whose links the rules
resolve against the ledger. Finding the rows costs one ordered read of the
table's keys on both sides (skipped on a store's first run, where nothing can
be gone).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping

import sqlalchemy as sa

import extract
import load

__all__ = [
    "PRUNE_LIMIT",
    "KeyOrderError",
    "PruneRefused",
    "only_in_first",
    "rows_gone_from_source",
    "settle_rows_gone_from_source",
]

PRUNE_LIMIT = 0.5
"""The share of a table's rows (in the ledger) a run may prune; more stops the run."""


class PruneRefused(load.TerminalLoadError):
    """More of a table's rows are gone from the source than a prune may delete."""


class KeyOrderError(load.TerminalLoadError):
    """The store's ledger keys came out of byte order (a collation changed under it)."""


log = logging.getLogger("icm.migrate")


def rows_gone_from_source(
    source: extract.LegacySource, target: sa.Engine, table: str, *, batch_size: int
) -> Iterator[str]:
    """The ROW_IDs of ``table`` the ledger holds and the source no longer does, in byte order."""
    source_keys = (
        str(key)
        for page in extract.read_keys(source, table, (extract.KEY_COLUMN,), batch_size=batch_size)
        for (key,) in page
    )
    ledger_keys = load.ledger_row_ids(target, table, batch_size=batch_size)
    return only_in_first(ledger_keys, source_keys, table=table)


def only_in_first(first: Iterable[str], second: Iterable[str], *, table: str) -> Iterator[str]:
    """The ROW_IDs of ``table`` in sorted ``first`` (the ledger's) not in sorted ``second`` (the
    source's), in one pass over each. Raises :class:`KeyOrderError` when ``first`` is out of
    byte order: the pass would then call rows gone that are not, and a prune would delete
    them. (Extract checks the source's order.)"""
    others = iter(second)
    other = next(others, None)
    previous: str | None = None
    for item in first:
        if previous is not None and not item > previous:
            raise KeyOrderError(
                f"the ledger gave ROW_ID {item!r} after {previous!r}: its keys are not in byte "
                "order, so the rows gone from the source cannot be told",
                table=table,
            )
        previous = item
        while other is not None and other < item:
            other = next(others, None)
        if other != item:
            yield item


def settle_rows_gone_from_source(
    source: extract.LegacySource,
    target: sa.Engine,
    table: str,
    *,
    merged_into: Mapping[str, str | None],
    prune: bool,
    run_id: str,
    batch_size: int,
) -> int:
    """Once every batch of ``table`` is written, before the tables after it: forget the persons
    merged away in the source (``merged_into``: the run's merge map), so that links to them
    resolve to their survivors, and with ``prune`` every other row gone too; count, and warn
    of, the rows gone and kept. Forgotten rows' target rows go with the sweep at the end of
    the run. Returns how many rows are gone (forgotten or kept)."""
    gone = 0
    merged_away: list[str] = []
    pruned: list[str] = []
    for row_id in rows_gone_from_source(source, target, table, batch_size=batch_size):
        gone += 1
        if table == "S_CONTACT" and row_id in merged_into:
            merged_away.append(row_id)
        elif prune:
            pruned.append(row_id)
    held = sum(load.outcome_counts(target)[table].values()) if pruned else 0
    if len(pruned) > PRUNE_LIMIT * held:
        raise PruneRefused(
            f"{len(pruned):,} of the {held:,} rows the store holds of {table} are gone from the "
            "source: more than a prune may delete, and more likely a broken copy of the source "
            "than a cleanup. Nothing of the table was deleted. Check the source; if it really "
            "lost them, migrate it into a new, empty store",
            table=table,
        )
    if merged_away or pruned:
        load.forget_legacy_rows(target, {table: merged_away + pruned}, run_id=run_id)
    if merged_away:
        log.info(
            "%s: %d person(s) merged away in the source leave the store", table, len(merged_away)
        )
    if pruned:
        log.info(
            "%s: %d legacy row(s) gone from the source leave the store (prune_deleted)",
            table,
            len(pruned),
        )
    if kept := gone - len(merged_away) - len(pruned):
        log.warning(
            "%s: %d legacy row(s) in the store are gone from the source; kept "
            "(reconcile reports them as deleted_in_source; migrate --prune-deleted "
            "removes them)",
            table,
            kept,
        )
    return gone
