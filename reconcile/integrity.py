"""Integrity of the new store on its own: links to missing rows, and attachment binaries.

* Orphans: for every declared foreign key of the target models, the child rows
  whose parent row is not there (one LEFT JOIN per key, streamed). The database
  enforces these keys, so orphans appear only when someone wrote with
  enforcement off (SQLite ``PRAGMA foreign_keys=OFF``, PostgreSQL
  ``session_replication_role = replica``).
* Attachments: every attachment whose binary is ``present`` must have its
  file in the store at ``storage_key``, of ``size_bytes`` bytes, with SHA-256
  ``sha256`` (read in chunks; a file is never held in memory). Given the
  Siebel file system too, its file of the row (``<ROW_ID>_<REV>.SAF``) must
  still be there with the same SHA-256: otherwise it changed since the migration.
"""

from __future__ import annotations

import hashlib
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


def _siebel_problem(row: Any, attachments_dir: Path) -> tuple[str, list[FieldDiff]] | None:
    name = saf_file_name(row.legacy_row_id, row.revision)
    path = attachments_dir / name
    if "/" in name or "\\" in name or not path.is_file():
        return "its Siebel file is gone from the attachments folder", [
            FieldDiff("sha256", row.sha256, None)
        ]
    _, sha256 = file_digest(path)
    if (row.sha256 or "").lower() != sha256:
        return "its Siebel file changed since the migration", [
            FieldDiff("sha256", row.sha256, sha256)
        ]
    return None


def _problem(
    row: Any, store: Path | None, attachments_dir: Path | None
) -> tuple[str, list[FieldDiff]] | None:
    if store is not None:
        problem = _stored_problem(row, store)
        if problem is not None:
            return problem
    return None if attachments_dir is None else _siebel_problem(row, attachments_dir)


def _stored_problem(row: Any, store: Path) -> tuple[str, list[FieldDiff]] | None:
    path = _stored_file(store, row.storage_key)
    if path is None:
        return "its storage_key is empty or points outside the attachment store", [
            FieldDiff("storage_key", None, row.storage_key)
        ]
    if not path.is_file():
        return "its stored file is missing", [FieldDiff("storage_key", row.storage_key, None)]
    size, sha256 = file_digest(path)
    diffs = []
    if row.size_bytes is None or size != int(row.size_bytes):
        diffs.append(
            FieldDiff("size_bytes", None if row.size_bytes is None else int(row.size_bytes), size)
        )
    if (row.sha256 or "").lower() != sha256:
        diffs.append(FieldDiff("sha256", row.sha256, sha256))
    if not diffs:
        return None
    return f"its stored file differs ({', '.join(d.field for d in diffs)})", diffs


def attachment_mismatches(
    conn: sa.Connection,
    store: Path | None,
    *,
    attachments_dir: Path | None = None,
    batch_size: int = 5000,
) -> Iterator[Discrepancy]:
    """One ``attachment_mismatch`` per attachment marked ``present`` whose stored file is wrong
    (``store``) or whose Siebel file changed or went away (``attachments_dir``); None skips a side."""
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
        )
        .where(table.c.binary_status == "present")
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
