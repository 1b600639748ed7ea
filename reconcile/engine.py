"""The comparison engine: re-read the legacy source, compare it with the new store, build the result.

It trusts nothing the migration says about itself beyond what it checks: the
legacy rows are read again from the source (``extract.read_batches``), and
what the target should hold is recomputed from them by ``expected`` (the
migration's own rules, supplied by ``flows``). Per legacy table, streaming:

1. each source batch gives a key range ``(previous last key, last key]``; the
   ledger and the target rows of that range are read and compared with it
   (:func:`reconcile.key_range.check_range`);
2. past the last source key, the remaining ledger and target rows are read in
   ranges of at most ``batch_size`` keys (legacy rows deleted since, target
   rows with no source);

then target rows whose lineage names no legacy table at all, orphan links,
attachment binaries, the probable duplicate pairs (:mod:`reconcile.candidates`),
the quarantine and flag summaries, and the hash links of the audit
trails (:mod:`reconcile.audit_trail`). Memory is bounded
by the batch size: no table is ever held whole, and the discrepancies go to a
temporary file as they are found (:mod:`reconcile.spool`), however many there are.

On PostgreSQL the target is read in one REPEATABLE READ, read-only
transaction: one consistent snapshot, whatever else writes meanwhile.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

import sqlalchemy as sa

import extract
import transform
from load.target_schema import target_table
from reconcile.audit_trail import check_audit_trails
from reconcile.candidates import MadePair, check_match_candidates
from reconcile.errors import TerminalReconcileError, TransientReconcileError
from reconcile.integrity import attachment_mismatches, orphan_references
from reconcile.key_range import ExpectedRows, RangeTally, check_range
from reconcile.result import Discrepancy, ReconciliationResult, TableCounts
from reconcile.spool import DiscrepancySpool
from reconcile.target_reader import (
    MigrationRunInfo,
    flag_summaries,
    latest_migration_run,
    lineage_tables,
    match_decision_counts,
    nth_key_after,
    quarantine_summaries,
    rows_of_other_lineage,
)
from reconcile.trail_anchor import TrailAnchor

__all__ = ["ExpectedRows", "Progress", "migration_run_of", "reconcile_stores"]

Progress = Callable[[str, int], None]  # (legacy table, source rows just compared)

_KIND_COUNTER = {
    "orphan_reference": "orphan_references",
    "attachment_mismatch": "attachment_mismatches",
    "unexpected_in_target": "unexpected_in_target",
    "missing_in_target": "missing_in_target",
    "field_mismatch": "mismatched",
}


@contextmanager
def _snapshot(target: sa.Engine) -> Iterator[sa.Connection]:
    try:
        conn = target.connect()
    except sa.exc.OperationalError as exc:
        raise TransientReconcileError(
            f"cannot connect to the target ({type(exc.orig).__name__})"
        ) from None
    try:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        yield conn
    finally:
        conn.rollback()
        conn.close()


def migration_run_of(conn: sa.Connection) -> MigrationRunInfo:
    """The migration run being reconciled: the newest that succeeded (else the newest)."""
    try:
        run = latest_migration_run(conn)
    except sa.exc.ProgrammingError:
        run = None
    except sa.exc.OperationalError as exc:  # SQLite: "no such table"
        if "no such table" not in str(exc.orig):
            raise
        run = None
    if run is None:
        raise TerminalReconcileError(
            "the target holds no migration run: migrate into it before reconciling"
        )
    return run


def _target_names(legacy_table: str) -> tuple[str, ...]:
    return tuple(
        target_table(name).name for name in transform.TARGET_TABLES_OF.get(legacy_table, ())
    )


def _reconcile_table(
    source: extract.LegacySource,
    conn: sa.Connection,
    legacy_table: str,
    expected: ExpectedRows,
    tally: RangeTally,
    *,
    batch_size: int,
    progress: Progress | None,
) -> RangeTally:
    targets = _target_names(legacy_table)
    after: str | None = None
    announce = getattr(expected, "ahead", None)
    batches = (
        b for b in extract.read_batches(source, legacy_table, batch_size=batch_size) if len(b.frame)
    )
    batch = next(batches, None)
    while batch is not None:
        following = next(batches, None)
        if following is not None and callable(announce):
            announce(legacy_table, following.frame)  # may be computed while this batch is compared
        check_range(
            conn, legacy_table, targets, after, batch.last_key, batch.frame, expected, tally
        )
        after = batch.last_key
        if progress is not None:
            progress(legacy_table, len(batch.frame))
        batch = following
    # Past the last source key: ledger rows of deleted legacy rows, target rows with no source.
    keyed = [
        *(target_table(f"migration.{name}") for name in ("ledger", "quarantine", "dq_flag")),
        *(target_table(name) for name in targets),
    ]
    while True:
        bounds = [
            b
            for t in keyed
            if (b := nth_key_after(conn, t, legacy_table, after, batch_size)) is not None
        ]
        if not bounds:
            return tally
        upto = min(bounds)
        check_range(conn, legacy_table, targets, after, upto, None, expected, tally)
        after = upto


def _unknown_lineage(conn: sa.Connection, *, batch_size: int) -> Iterator[Discrepancy]:
    """Target rows whose lineage names a legacy table that does not feed their table."""
    feeds: dict[str, set[str]] = {}
    for legacy_table in transform.TABLE_LOAD_ORDER:
        for name in _target_names(legacy_table):
            feeds.setdefault(name, set()).add(legacy_table)
    for table in lineage_tables():
        for row in rows_of_other_lineage(
            conn, table, feeds.get(table.name, set()), batch_size=batch_size
        ):
            yield Discrepancy(
                kind="unexpected_in_target",
                legacy_table=row["legacy_table"],
                legacy_row_id=row["legacy_row_id"],
                target_table=table.name,
                target_id=":".join(str(row[c.name]) for c in table.primary_key.columns),
                detail=f"a {table.name} row whose lineage names {row['legacy_table']!r}, "
                "which the migration does not load into this table",
            )


def _counts(tally: RangeTally) -> TableCounts:
    c = tally.counts
    return TableCounts(
        source_rows=c["source_rows"],
        loaded=c["loaded"],
        quarantined=c["quarantined"],
        excluded=c["excluded"],
        unaccounted=c["unaccounted"],
        missing_in_target=c["missing_in_target"],
        unexpected_in_target=c["unexpected_in_target"],
        mismatched=c["mismatched"],
        changed_in_source=c["changed_in_source"],
        deleted_in_source=c["deleted_in_source"],
        orphan_references=c["orphan_references"],
        attachment_mismatches=c["attachment_mismatches"],
    )


def reconcile_stores(
    source: extract.LegacySource,
    target: sa.Engine,
    expected: ExpectedRows,
    *,
    attachment_store: Path | None = None,
    attachments_dir: Path | None = None,
    batch_size: int = 5000,
    tables: Sequence[str] | None = None,
    reveal_pii: bool = False,
    requested_by: str | None = None,
    progress: Progress | None = None,
    match_pairs: Callable[[], Sequence[MadePair]] | None = None,
    trail_anchor: TrailAnchor | None = None,
) -> ReconciliationResult:
    """Reconcile the legacy ``source`` with the new store ``target`` (see the module doc).

    ``target`` is an engine on the new store (schema-translated on SQLite);
    ``expected(legacy_table, frame)`` returns what the migration rules make of a
    batch of current source rows; if it also has ``ahead(legacy_table, frame)``,
    that is called with the next batch before the current one is compared, so
    the next one's rows can be computed meanwhile. ``attachment_store`` is the folder of the
    stored binaries, ``attachments_dir`` the Siebel file system (each None:
    that side of the attachment check is not done). ``match_pairs()`` gives the
    probable duplicate pairs the matching rules propose on the current source,
    as the store keeps them (None: they are not checked; see
    :mod:`reconcile.candidates`). ``trail_anchor`` is the earlier report whose record of
    the audit trails' heads each trail must still hold (:mod:`reconcile.trail_anchor`). Raises
    :class:`~reconcile.errors.ReconcileError` when the target cannot be
    reconciled at all, and extract's errors when the source cannot be read.

    The discrepancies are spooled to a temporary file (:mod:`reconcile.spool`) as
    they are found; the result owns it (``result.close()`` or ``with result:``
    frees it early, garbage collection does otherwise); on error it is removed here.
    """
    names = tuple(tables) if tables is not None else tuple(transform.TABLE_LOAD_ORDER)
    tallies: dict[str, RangeTally] = {}
    with ExitStack() as on_error:
        # On disk, each table's discrepancies in its place in names, then those of no table.
        spool = DiscrepancySpool()
        on_error.callback(spool.close)  # on error only: the result owns it otherwise
        extra_section = len(names)
        # The pairs first: matching needs memory of its own (a page, its blocks, the pairs).
        # Run before the batches, what it frees is what they reuse; run after them it added
        # its peak to theirs (+35 MB at 300,000 persons, when it held the persons in memory).
        pairs = match_pairs() if match_pairs is not None and "S_CONTACT" in names else None
        with _snapshot(target) as conn:
            run = migration_run_of(conn)
            for section, legacy_table in enumerate(names):
                tallies[legacy_table] = _reconcile_table(
                    source,
                    conn,
                    legacy_table,
                    expected,
                    RangeTally(spool=spool, section=section),
                    batch_size=batch_size,
                    progress=progress,
                )
            checks = [
                _unknown_lineage(conn, batch_size=batch_size),
                orphan_references(conn, batch_size=batch_size),
            ]
            if pairs is not None:
                checks.append(check_match_candidates(conn, pairs))
            if attachment_store is not None or attachments_dir is not None:
                checks.append(
                    attachment_mismatches(
                        conn,
                        attachment_store,
                        attachments_dir=attachments_dir,
                        batch_size=batch_size,
                    )
                )
            for check in checks:
                for found in check:
                    tally = tallies.get(found.legacy_table or "")
                    if tally is None:
                        spool.add(found, extra_section)
                    else:
                        tally.add(found, _KIND_COUNTER[found.kind])
            reasons = quarantine_summaries(conn, batch_size=batch_size)
            flags = flag_summaries(conn)
            decisions = match_decision_counts(conn)
            trails = check_audit_trails(
                conn,
                batch_size=batch_size,
                previous_heads=trail_anchor.heads if trail_anchor is not None else None,
            )
        result = ReconciliationResult(
            run_id=run.id,
            generated_at=dt.datetime.now(dt.UTC),
            tables={name: _counts(tallies[name]) for name in names},
            discrepancies=spool,
            quarantine_reasons=[r for r in reasons if r.legacy_table in tallies],
            flags=[f for f in flags if f.legacy_table in tallies],
            match_decisions=decisions,
            pii_revealed=reveal_pii,
            requested_by=requested_by,
            audit_trails=trails,
            trail_anchor=trail_anchor,
        )
        on_error.pop_all()
    return result
