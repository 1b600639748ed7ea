"""Integrity of the new store on its own: links to missing rows, and attachment binaries.

* Orphans: for every declared foreign key of the target models, the child rows
  whose parent row is not there (one LEFT JOIN per key, streamed). The database
  enforces these keys, so orphans appear only when someone wrote with
  enforcement off (SQLite ``PRAGMA foreign_keys=OFF``, PostgreSQL
  ``session_replication_role = replica``).
* Attachments: the binary columns (``binary_status``, ``sha256``, ``storage_key``) are
  written by load from the Siebel file, not by the rules, so they are checked here, on
  every attachment row: a ``missing`` binary records no file; any other has its file in
  the store under its content address ``<sha256[:2]>/<sha256>``, with SHA-256 ``sha256``
  and, when ``present``, of ``size_bytes`` bytes (read in chunks; a file is never held in
  memory). Given the Siebel file system too, the row's file (``<ROW_ID>_<REV>.SAF``) must
  be what load would record now: gone for ``missing``; else there, with the same SHA-256
  (otherwise it changed since the migration) and a size that gives the same status.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from load.attachments import saf_file_name
from load.target_schema import target_metadata, target_table
from reconcile.result import Discrepancy, FieldDiff

__all__ = ["attachment_mismatches", "file_digest", "orphan_references"]

_CHUNK = 1 << 20


def _label(row: Any, table: sa.Table) -> str:
    return ":".join(str(row._mapping[c.name]) for c in table.primary_key.columns)


def orphan_references(conn: sa.Connection, *, batch_size: int = 5000) -> Iterator[Discrepancy]:
    """One ``orphan_reference`` per child row and foreign key whose parent row is missing."""
    for child in target_metadata().sorted_tables:
        if "legacy_row_id" not in child.c:
            continue
        for fk in sorted(child.foreign_keys, key=lambda f: f.parent.name):
            parent = fk.column.table
            parent_alias = parent.alias("parent")
            parent_key = parent_alias.c[fk.column.name]
            stmt = (
                sa.select(child.c.legacy_table, child.c.legacy_row_id, *child.primary_key.columns)
                .select_from(child.outerjoin(parent_alias, fk.parent == parent_key))
                .where(fk.parent.is_not(None), parent_key.is_(None))
                .execution_options(yield_per=batch_size)
            )
            for row in conn.execute(stmt):
                yield Discrepancy(
                    kind="orphan_reference",
                    legacy_table=row.legacy_table,
                    legacy_row_id=row.legacy_row_id,
                    target_table=child.name,
                    target_id=_label(row, child),
                    fields=[fk.parent.name],
                    detail=f"{child.name}.{fk.parent.name} refers to a {parent.name} row that is not in the target",
                )


def file_digest(path: Path) -> tuple[int, str]:
    """(size in bytes, hex SHA-256) of a file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _stored_file(store: Path, storage_key: str | None) -> Path | None:
    """The file ``storage_key`` names inside ``store``; None if it is empty or points outside."""
    if not storage_key:
        return None
    root = store.resolve()
    path = (root / storage_key).resolve()
    return path if path.is_relative_to(root) else None


Problem = tuple[str, list[FieldDiff]]
"""Why an attachment row is wrong, and the fields concerned."""

BINARY_STATUSES = frozenset({"present", "size_mismatch", "missing"})
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def _status_for(size: int, size_bytes: Any) -> str:
    """The binary_status load gives a file of ``size`` bytes (FILE_SIZE ``size_bytes``)."""
    return "present" if size_bytes is not None and size == int(size_bytes) else "size_mismatch"


def _recorded_problem(row: Any) -> Problem | None:
    """The row's binary columns against each other, as load writes them: ``missing`` has no
    sha256 and no storage_key; any other status a SHA-256 stored under its content address."""
    if row.binary_status not in BINARY_STATUSES:
        return "its binary_status is not one load writes", [
            FieldDiff("binary_status", None, row.binary_status)
        ]
    if row.binary_status == "missing":
        diffs = [
            FieldDiff(name, None, value)
            for name, value in (("sha256", row.sha256), ("storage_key", row.storage_key))
            if value is not None
        ]
        return ("its binary is missing, yet it records a stored file", diffs) if diffs else None
    sha256 = row.sha256
    if not sha256:
        return f"its binary is {row.binary_status}, yet it records no sha256", [
            FieldDiff("sha256", None, row.sha256)
        ]
    if _SHA256_HEX.fullmatch(sha256) is None:
        return "its sha256 is not 64 lowercase hex digits, as load writes it", [
            FieldDiff("sha256", None, sha256)
        ]
    address = f"{sha256[:2]}/{sha256}"
    if row.storage_key != address:
        return "its storage_key is not the content address of its sha256", [
            FieldDiff("storage_key", address, row.storage_key)
        ]
    return None


def _stored_problem(row: Any, store: Path) -> Problem | None:
    path = _stored_file(store, row.storage_key)
    if path is None:
        return "its storage_key is empty or points outside the attachment store", [
            FieldDiff("storage_key", None, row.storage_key)
        ]
    if not path.is_file():
        return "its stored file is missing", [FieldDiff("storage_key", row.storage_key, None)]
    size, sha256 = file_digest(path)
    diffs = []
    if row.binary_status == "present" and (row.size_bytes is None or size != int(row.size_bytes)):
        diffs.append(
            FieldDiff("size_bytes", None if row.size_bytes is None else int(row.size_bytes), size)
        )
    if row.sha256 != sha256:
        diffs.append(FieldDiff("sha256", row.sha256, sha256))
    if not diffs:
        return None
    return f"its stored file differs ({', '.join(d.field for d in diffs)})", diffs


def _siebel_problem(row: Any, attachments_dir: Path) -> Problem | None:
    """The row's binary columns against what load would make of its Siebel file now."""
    name = saf_file_name(row.legacy_row_id, row.revision)
    path = attachments_dir / name
    exists = "/" not in name and "\\" not in name and path.is_file()
    if not exists:
        if row.binary_status == "missing":
            return None
        return "its Siebel file is gone from the attachments folder", [
            FieldDiff("sha256", row.sha256, None)
        ]
    size, sha256 = file_digest(path)
    if row.binary_status == "missing":
        return "its Siebel file is there, yet its binary is recorded as missing", [
            FieldDiff("binary_status", _status_for(size, row.size_bytes), "missing")
        ]
    if row.sha256 != sha256:
        return "its Siebel file changed since the migration", [
            FieldDiff("sha256", row.sha256, sha256)
        ]
    expected_status = _status_for(size, row.size_bytes)
    if row.binary_status != expected_status:
        return f"its Siebel file's size makes its binary_status {expected_status}", [
            FieldDiff("binary_status", expected_status, row.binary_status)
        ]
    return None


def _problem(row: Any, store: Path | None, attachments_dir: Path | None) -> Problem | None:
    recorded = _recorded_problem(row)
    if recorded is not None:
        return recorded
    if store is not None and row.binary_status != "missing":
        stored = _stored_problem(row, store)
        if stored is not None:
            return stored
    return None if attachments_dir is None else _siebel_problem(row, attachments_dir)


def attachment_mismatches(
    conn: sa.Connection,
    store: Path | None,
    *,
    attachments_dir: Path | None = None,
    batch_size: int = 5000,
) -> Iterator[Discrepancy]:
    """One ``attachment_mismatch`` per attachment whose binary columns disagree with each other,
    whose stored file is wrong (``store``), or whose Siebel file changed, went away, or is
    there for a binary recorded ``missing`` (``attachments_dir``); None skips a side.

    Every row is checked, whatever its binary_status: a status edited to ``missing`` must
    not take a row out of the file checks."""
    table = target_table("icm.attachment")
    stmt = (
        sa.select(
            table.c.id,
            table.c.legacy_table,
            table.c.legacy_row_id,
            table.c.storage_key,
            table.c.sha256,
            table.c.size_bytes,
            table.c.revision,
            table.c.binary_status,
        )
        .order_by(table.c.id)
        .execution_options(yield_per=batch_size)
    )
    for row in conn.execute(stmt):
        problem = _problem(row, store, attachments_dir)
        if problem is None:
            continue
        why, diffs = problem
        yield Discrepancy(
            kind="attachment_mismatch",
            legacy_table=row.legacy_table,
            legacy_row_id=row.legacy_row_id,
            target_table=table.name,
            target_id=str(row.id),
            fields=[d.field for d in diffs],
            detail=f"attachment of {row.legacy_table} row {row.legacy_row_id}: {why}",
            values=diffs,
        )
