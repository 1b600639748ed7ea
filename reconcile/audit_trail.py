"""Whether the audit trails are as written: each row's hash link checked again.

The audit trails (``migration.quarantine_review``, ``migration.match_review`` and
``migration.disclosure``) are hash-chained (:mod:`load.audit_chain`). Every row's
``chain_sha256`` is recomputed from the stored link before it and the row's own
values. A link that does not verify means a row was edited there, or the row before
it removed or moved. The store's triggers refuse such changes, so a broken link
means someone dropped them or wrote to the database file directly. Each table's head
(last ``id``, last hash) goes into the reconciliation report, so a later check can
tell whether the trail that report saw is still there (:func:`head_in_trail`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import sqlalchemy as sa

from load.audit_chain import CHAINED_COLUMNS, GENESIS, chain_digest
from load.target_schema import target_table
from reconcile.manifest import verify_report

__all__ = [
    "AuditTrail",
    "check_audit_trails",
    "head_in_trail",
    "heads_in_report",
    "recorded_heads",
]


@dataclass(frozen=True)
class AuditTrail:
    """One audit trail as checked: rows, head, and the links that do not verify."""

    table: str
    rows: int
    head_id: int | None
    """``id`` of the last row (None: no rows)."""
    head_sha256: str
    """``chain_sha256`` of the last row, as stored (:data:`~load.audit_chain.GENESIS`: no rows)."""
    broken_links: int = 0
    first_broken_id: int | None = None
    previous_head_kept: bool | None = None
    """Whether the last row a previous report recorded is still there, unchanged (None:
    no previous report's head was given)."""
    previous_head_id: int | None = None

    @property
    def intact(self) -> bool:
        return self.broken_links == 0 and self.previous_head_kept is not False

    def describe(self) -> str:
        """One line for people: the table, its rows and whether each link verified."""
        rows = f"{self.rows:,} row" + ("" if self.rows == 1 else "s")
        if self.previous_head_kept is False:
            return (
                f"migration.{self.table}: {rows}; the last row the previous report saw "
                f"(id {self.previous_head_id}) is gone or changed: rows it saw were edited, "
                "removed or rewritten since"
            )
        if self.intact:
            kept = ", and the rows the previous report saw" if self.previous_head_kept else ""
            return f"migration.{self.table}: {rows}, every hash link verified{kept}"
        return (
            f"migration.{self.table}: {rows}, {self.broken_links:,} "
            + ("hash link does" if self.broken_links == 1 else "hash links do")
            + f" not verify, the first at id {self.first_broken_id}: a row was edited there or "
            "just before, or one removed or inserted before it, after it was written"
        )


def _check(conn: sa.Connection, name: str, batch_size: int) -> AuditTrail:
    table = target_table(f"migration.{name}")
    columns = [table.c.id, table.c.chain_sha256, *(table.c[c] for c in CHAINED_COLUMNS[name])]
    stmt = sa.select(*columns).order_by(table.c.id).execution_options(yield_per=batch_size)
    previous, rows, broken, first = GENESIS, 0, 0, None
    head_id: int | None = None
    for row in conn.execute(stmt).mappings():
        rows += 1
        if chain_digest(previous, name, row) != row["chain_sha256"]:
            broken += 1
            first = row["id"] if first is None else first
        previous, head_id = row["chain_sha256"], row["id"]
    return AuditTrail(name, rows, head_id, previous, broken, first)


def check_audit_trails(
    conn: sa.Connection,
    *,
    batch_size: int = 5000,
    previous_heads: Mapping[str, tuple[int | None, str]] | None = None,
) -> tuple[AuditTrail, ...]:
    """Check every link of every audit trail, streaming (``batch_size`` rows at a time), and,
    given a previous report's heads (:func:`recorded_heads`), that each is still there:
    a trail rewritten with fresh links passes its own check, but not this one."""
    trails = []
    for name in CHAINED_COLUMNS:
        trail = _check(conn, name, batch_size)
        if previous_heads is not None and name in previous_heads:
            head_id, head = previous_heads[name]
            trail = replace(
                trail,
                previous_head_kept=head_in_trail(conn, name, head_id, head),
                previous_head_id=head_id,
            )
        trails.append(trail)
    return tuple(trails)


def head_in_trail(conn: sa.Connection, name: str, head_id: int | None, head_sha256: str) -> bool:
    """Whether the history ``name`` still holds, at ``head_id``, the row a report recorded as its
    head (None and :data:`~load.audit_chain.GENESIS`: it was empty, always true)."""
    if head_id is None:
        return head_sha256 == GENESIS
    table = target_table(f"migration.{name}")
    stored = conn.execute(
        sa.select(table.c.chain_sha256).where(table.c.id == head_id)
    ).scalar_one_or_none()
    return stored == head_sha256


def recorded_heads(report_dir: Path) -> Mapping[str, tuple[int | None, str]]:
    """The audit trails' heads (last id, last hash) a report folder's
    ``reconciliation.json`` recorded, by table. ValueError saying why when they cannot be
    trusted: the folder does not verify against its manifest, or the report recorded
    none (written before the trails were chained)."""
    problems = verify_report(Path(report_dir))
    if problems:
        raise ValueError(
            f"the report in {report_dir} does not verify against its manifest ({problems[0]}); "
            "`icm-migrate verify-report` lists every problem"
        )
    return heads_in_report(report_dir)


def heads_in_report(report_dir: Path) -> Mapping[str, tuple[int | None, str]]:
    """The heads ``reconciliation.json`` in ``report_dir`` records, unverified (the caller
    verifies the folder first). ValueError when it records none or is not a report."""
    path = Path(report_dir) / "reconciliation.json"
    try:
        recorded = json.loads(path.read_text(encoding="utf-8")).get("audit_trails")
    except (OSError, ValueError, AttributeError) as exc:
        raise ValueError(f"{path} cannot be read as a reconciliation report ({exc})") from None
    if not isinstance(recorded, dict) or set(recorded) != set(CHAINED_COLUMNS):
        raise ValueError(
            f"{path} records no head of the audit trails "
            "(a report written before they were chained, revision 0009)"
        )
    heads: dict[str, tuple[int | None, str]] = {}
    for name, trail in recorded.items():
        head_id, head = trail.get("head_id"), trail.get("head_sha256")
        if not (head_id is None or isinstance(head_id, int)) or not isinstance(head, str):
            raise ValueError(f"{path} records a malformed head for migration.{name}")
        heads[name] = (head_id, head)
    return heads
