"""Attachment binaries: copy each Siebel file into a content-addressed store and record its status.

The Siebel file system holds ``<ROW_ID>_<FILE_REV_NUM>.SAF`` per S_ACTIVITY_ATT
row. Each file is stored once under ``<sha256[:2]>/<sha256>``: written to a
temporary file in the same folder and renamed into place, so a crash never
leaves a partial file under a content address, and storing again is a no-op.
Files are streamed in chunks, never read whole into memory.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from load.errors import TerminalLoadError
from transform.result import Flag

__all__ = [
    "ATTACHMENT_TABLE",
    "FILE_FLAG_CODES",
    "StoredFile",
    "saf_file_name",
    "store_attachments",
    "store_file",
]

ATTACHMENT_TABLE = "S_ACTIVITY_ATT"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    storage_key: str  # '<sha256[:2]>/<sha256>', relative to the store
    size: int


def saf_file_name(legacy_row_id: str, revision: str | None) -> str:
    """The Siebel file system's name for the file of one attachment row."""
    return f"{legacy_row_id}_{revision if revision is not None else ''}.SAF"


def _digest(handle: BinaryIO, sink: BinaryIO | None = None) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    while chunk := handle.read(_CHUNK):
        sha.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink.write(chunk)
    return sha.hexdigest(), size


def _key(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


def store_file(source: Path, store_dir: Path) -> StoredFile:
    """Store ``source`` under its content address in ``store_dir`` (idempotent, crash-safe)."""
    with source.open("rb") as handle:
        sha256, size = _digest(handle)
    target = store_dir / _key(sha256)
    if target.is_file() and target.stat().st_size == size:
        return StoredFile(sha256, _key(sha256), size)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with source.open("rb") as handle, os.fdopen(fd, "wb") as out:
            copied_sha, size = _digest(handle, out)
            out.flush()
            os.fsync(out.fileno())
        if copied_sha != sha256:  # the file changed between the two reads: store what was copied
            sha256 = copied_sha
            target = store_dir / _key(sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        _sync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return StoredFile(sha256, _key(sha256), size)


def _sync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _source_path(attachments_dir: Path, name: str) -> Path | None:
    """The file ``name`` directly inside ``attachments_dir``; None if the name would leave it."""
    if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        return None
    return attachments_dir / name


def _flag(row: dict[str, Any], code: str, field: str, original: object, normalised: object) -> Flag:
    return Flag(
        legacy_table=ATTACHMENT_TABLE,
        legacy_row_id=str(row["legacy_row_id"]),
        target_table="attachment",
        target_id=str(row["id"]) if row.get("id") is not None else None,
        code=code,
        field=field,
        original_value=None if original is None else str(original),
        normalised_value=None if normalised is None else str(normalised),
    )


def _expected_size(value: object) -> int | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


FILE_FLAG_CODES = frozenset({"ATTACHMENT_MISSING", "ATTACHMENT_SIZE_MISMATCH", "ATTACHMENT_EMPTY"})
"""The flags load raises itself, from the Siebel files (the transform rules never do)."""

STORE_THREADS = 8
"""Files stored at once: each mostly waits on the disk (fsync), which frees the interpreter."""


def _path_of(row: dict[str, Any], attachments_dir: Path) -> Path | None:
    revision = row.get("revision")
    revision = None if revision is None or pd.isna(revision) else revision
    name = saf_file_name(str(row["legacy_row_id"]), None if revision is None else str(revision))
    return _source_path(attachments_dir, name)


def _store_if_present(path: Path | None, *, store_dir: Path) -> StoredFile | OSError | None:
    """The stored file; None when there is no file; the error (raised later, in row order)."""
    if path is None or not path.is_file():
        return None
    try:
        return store_file(path, store_dir)
    except OSError as exc:
        return exc


def store_attachments(
    frame: pd.DataFrame, *, attachments_dir: Path, store_dir: Path
) -> tuple[pd.DataFrame, list[Flag]]:
    """Store the file of every attachment row; fill sha256, storage_key and binary_status.

    ``binary_status``: ``present`` (size equals FILE_SIZE), ``size_mismatch``
    (flag ATTACHMENT_SIZE_MISMATCH with FILE_SIZE and the actual size) or
    ``missing`` (flag ATTACHMENT_MISSING); a zero-byte file is also flagged
    ATTACHMENT_EMPTY. Returns a new frame (the input is not changed) and the flags.
    """
    out = frame.copy()
    sha_values: list[str | None] = []
    keys: list[str | None] = []
    statuses: list[str] = []
    flags: list[Flag] = []
    rows = frame.to_dict("records")
    paths = [_path_of(row, attachments_dir) for row in rows]
    with ThreadPoolExecutor(max_workers=STORE_THREADS, thread_name_prefix="icm-store") as pool:
        outcomes = list(pool.map(partial(_store_if_present, store_dir=store_dir), paths))
    for row, stored in zip(rows, outcomes, strict=True):
        row_id = str(row["legacy_row_id"])
        if isinstance(stored, OSError):
            raise TerminalLoadError(
                f"cannot copy an attachment file into the store: {type(stored).__name__} "
                f"(errno {stored.errno})",
                table=ATTACHMENT_TABLE,
                legacy_row_id=row_id,
                column="FILE_NAME",
            ) from None
        if stored is None:
            sha_values.append(None)
            keys.append(None)
            statuses.append("missing")
            flags.append(_flag(row, "ATTACHMENT_MISSING", "FILE_NAME", row.get("file_name"), None))
            continue
        sha_values.append(stored.sha256)
        keys.append(stored.storage_key)
        expected = _expected_size(row.get("size_bytes"))
        if expected == stored.size:
            statuses.append("present")
        else:
            statuses.append("size_mismatch")
            flags.append(
                _flag(
                    row, "ATTACHMENT_SIZE_MISMATCH", "FILE_SIZE", row.get("size_bytes"), stored.size
                )
            )
        if stored.size == 0:
            flags.append(_flag(row, "ATTACHMENT_EMPTY", "FILE_SIZE", row.get("size_bytes"), 0))
    out["sha256"] = pd.Series(sha_values, index=frame.index, dtype=object)
    out["storage_key"] = pd.Series(keys, index=frame.index, dtype=object)
    out["binary_status"] = pd.Series(statuses, index=frame.index, dtype=object)
    return out, flags
