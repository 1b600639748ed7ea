"""Hash chains over the audit trails, so an edit or removal of an earlier row shows.

The audit trails are the stewards' review histories (``migration.quarantine_review``,
``migration.match_review``) and the record of personal data shown in the clear
(``migration.disclosure``). Each row carries ``chain_sha256``: the SHA-256 of the
previous row's ``chain_sha256`` (by ``id``; :data:`GENESIS` for the first) and of
the row's own canonical text (:func:`canonical_row`). Changing, removing or
reordering any row breaks the chain from that row on, and a head recorded elsewhere
(a reconciliation report keeps each table's) can no longer be found. The store also
refuses UPDATE and DELETE on these tables (triggers, revisions 0009 and 0010); the
chain is what still tells when someone with the rights to drop the triggers did so.

The encoding is part of the store's format: changing it breaks every chain
already stored. Revision 0009 computes the chains of review rows written before
it with these functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from load.errors import TerminalLoadError

__all__ = [
    "CHAINED_COLUMNS",
    "GENESIS",
    "append_chained",
    "canonical_row",
    "chain_digest",
    "chain_head",
    "lock_trail",
    "sqlite_guards",
]

GENESIS = "0" * 64
"""The ``previous`` of a history's first row."""

CHAINED_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "quarantine_review": (
        "legacy_table",
        "legacy_row_id",
        "previous_status",
        "status",
        "reviewed_by",
        "reviewed_at",
        "note",
    ),
    "match_review": (
        "person_a_row_id",
        "person_b_row_id",
        "previous_decision",
        "decision",
        "reviewed_by",
        "reviewed_at",
        "note",
    ),
    "disclosure": ("disclosed_at", "requested_by", "command", "what"),
}
"""Per audit trail table, the columns a row's link covers (all but ``id`` and the chain)."""


def _in_utc(value: dt.datetime) -> dt.datetime:
    """``value`` in UTC (a naive time is taken as UTC: SQLite gives stored times back naive)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _utc_text(value: dt.datetime) -> str:
    """A time as UTC text with microseconds."""
    return _in_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_row(table_name: str, row: Mapping[str, Any] | sa.RowMapping) -> bytes:
    """The bytes a trail row's link hashes: its table and chained columns as compact JSON."""
    values: list[Any] = [table_name]
    for column in CHAINED_COLUMNS[table_name]:
        value = row[column]
        values.append(_utc_text(value) if isinstance(value, dt.datetime) else value)
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()


def chain_digest(previous: str, table_name: str, row: Mapping[str, Any] | sa.RowMapping) -> str:
    """``chain_sha256`` of ``row`` following a row whose ``chain_sha256`` is ``previous``."""
    digest = hashlib.sha256(previous.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_row(table_name, row))
    return digest.hexdigest()


def chain_head(conn: sa.Connection, table: sa.Table) -> str:
    """The ``chain_sha256`` of the table's last row by ``id`` (:data:`GENESIS` when empty)."""
    head = conn.execute(
        sa.select(table.c.chain_sha256).order_by(table.c.id.desc()).limit(1)
    ).scalar()
    return GENESIS if head is None else str(head)


def lock_trail(conn: sa.Connection, table: sa.Table) -> None:
    """On PostgreSQL, wait for the trail's writer lock, held until the transaction ends.

    An advisory lock: it needs no table privilege beyond INSERT (``LOCK TABLE`` would need
    the UPDATE or DELETE that the trail's triggers refuse), and readers never wait.
    Taking it again in the same transaction is harmless.
    """
    if conn.dialect.name != "postgresql":
        return
    if conn.exec_driver_sql("SHOW transaction_isolation").scalar() != "read committed":
        raise TerminalLoadError(
            f"migration.{table.name} is appended to only in a READ COMMITTED transaction "
            "(a later snapshot could miss the latest row and fork its hash chain); "
            "use load.write_transaction",
            table=table.name,
        )
    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_lock_key(table.name))))


def _lock_key(name: str) -> int:
    """A signed 64-bit advisory lock key of the trail ``name`` (its own, not the store lock's)."""
    digest = hashlib.sha256(f"icm-migrate audit trail {name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def append_chained(conn: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append ``rows`` to the audit trail ``table``, in order, each linked to the one before.

    One INSERT per row, so the ``id`` order is the chain's order on every engine.
    Two writers reading the same head would fork the chain: on PostgreSQL the caller's
    transaction first takes the trail's advisory lock (:func:`lock_trail`), held until it
    ends, and must be READ COMMITTED (``load.write_transaction`` makes it so) for the head
    read after the lock to be the latest. SQLite allows one writer at a time anyway.
    """
    if not rows:
        return
    lock_trail(conn, table)
    previous = chain_head(conn, table)
    statement = sa.insert(table)
    for given in rows:
        # Times in UTC as written: SQLite keeps a datetime's wall time and drops its zone.
        row = {k: _in_utc(v) if isinstance(v, dt.datetime) else v for k, v in given.items()}
        previous = chain_digest(previous, table.name, row)
        conn.execute(statement, {**row, "chain_sha256": previous})


def sqlite_guards(name: str) -> list[str]:
    """The statements creating SQLite's triggers that keep the trail ``name`` append-only
    (revisions 0009 and 0010): UPDATE and DELETE are refused, and so is an INSERT at an
    existing id, as INSERT OR REPLACE deletes the row it replaces without firing DELETE
    triggers. (A new row's id is -1 there until assigned. PostgreSQL's ON CONFLICT fires
    the UPDATE triggers.)"""
    refuse = "SELECT RAISE(ABORT, 'migration.{0} is append-only: {1} refused')"
    return [
        *(
            f"CREATE TRIGGER {name}_no_{action.lower()} BEFORE {action} ON {name} "
            f"BEGIN {refuse.format(name, action)}; END"
            for action in ("UPDATE", "DELETE")
        ),
        f"CREATE TRIGGER {name}_no_replace BEFORE INSERT ON {name} "
        f"WHEN EXISTS (SELECT 1 FROM {name} WHERE id = NEW.id) "
        f"BEGIN {refuse.format(name, 'INSERT over an existing row')}; END",
    ]
