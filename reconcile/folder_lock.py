"""Reconciles writing one report folder take turns, and readers wait for a writer.

Reconciliations may run side by side (they hold the store's lock shared), and two may
write into the same folder. Interleaved, one could replace the report files under the
other's manifest, or keep the same earlier manifest in history/ and lose the other's,
leaving a folder that no longer verifies or looks rolled back. A reader (the next
reconcile checking the latest report) could likewise see a half-written folder.

The lock is ``flock`` on a file beside the folder (``.<name>.icm-lock``), not in it: a
report folder holds only what its manifest lists. The folder is named by its real path,
so a symbolic link to it shares its lock; the file is readable by all, as flock needs no
more. Where no lock file can be made or opened (a read-only archive of reports), the
folder is used unlocked, with a warning when it is to be written.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["report_folder_lock"]

log = logging.getLogger("icm.reconcile")


def _lock_path(folder: Path) -> Path:
    real = Path(folder).resolve()
    return real.parent / f".{real.name}.icm-lock"


def _open(path: Path) -> int | None:
    """The lock file, open for writing where it may be (NFS locks exclusively only so),
    else for reading (flock needs no more on a local disk); made readable by all, so an
    auditor's shared lock never locks a reconciling account out. None if neither."""
    for flags in (os.O_RDWR | os.O_CREAT, os.O_RDONLY):
        try:
            return os.open(path, flags, 0o644)
        except OSError:
            continue
    return None


def _warn_unlocked(folder: Path, exclusive: bool, why: str) -> None:
    if exclusive:
        log.warning(
            "report folder %s is written unlocked: %s; reconciles writing this folder at "
            "the same time could interleave",
            folder,
            why,
        )


@contextmanager
def report_folder_lock(folder: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold ``folder``'s lock: exclusive to write a report, shared to read one."""
    path = _lock_path(folder)
    descriptor = _open(path)
    if descriptor is None:
        _warn_unlocked(folder, exclusive, f"its lock file {path} cannot be made")
        yield
        return
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        except OSError as exc:
            # An NFS client emulates flock with byte-range locks, which need a descriptor
            # open for writing to lock exclusively: another account's lock file is read-only.
            _warn_unlocked(folder, exclusive, f"{path} cannot be locked ({exc.strerror})")
        yield
    finally:
        os.close(descriptor)  # lets go of the lock
