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


@contextmanager
def report_folder_lock(folder: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold ``folder``'s lock: exclusive to write a report, shared to read one."""
    path = _lock_path(folder)
    try:
        # Readable by all (flock works on a read-only descriptor): an auditor's shared lock
        # must not lock a reconciling account out of the file, nor the other way round.
        descriptor = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError:
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except OSError as exc:
            if exclusive:
                log.warning(
                    "report folder %s is written unlocked: its lock file %s cannot be made "
                    "(%s); reconciles writing this folder at the same time could interleave",
                    folder,
                    path,
                    exc.strerror or type(exc).__name__,
                )
            yield
            return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(descriptor)  # lets go of the lock
