"""The register of reports a signing key signed: the reconciler's memory outside the store.

The earlier report that anchors the audit trails is the store's latest recorded one
(:mod:`reconcile.trail_anchor`). Whoever can write the store can delete its latest
reconciliation records, so that an older genuine report becomes the anchor and the trail
rows added since can be rewritten unseen. The store cannot prove what it no longer holds;
the reconciling host can, if it remembers. So every signed report is noted in a register
kept beside the signing key (``<key>.signed-reports``, one JSON object per line), and the
next signed reconcile of the same store checks the last one noted as it checks the store's
latest: still in its folder, intact, signed, and recorded by the store.

The register is protected as the key is: one who can write it can sign reports anyway.
Its lines are never changed, only added, and the file is replaced whole (written beside
it, then renamed), so a crash leaves the old register or the new one, never half a line;
reconciles side by side take turns through a lock file (``<register>.lock``).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from reconcile.errors import ReconcileError
from reconcile.manifest import write_bytes_atomically

__all__ = [
    "REGISTER_SUFFIX",
    "RegisterError",
    "SignedReport",
    "last_signed_report",
    "note_signed_report",
]

REGISTER_SUFFIX = ".signed-reports"

_FIELDS = ("store", "reconciliation_id", "manifest_sha256", "report_dir", "signed_at", "key_sha256")


class RegisterError(ReconcileError):
    """The register cannot be read (edited: a retry will not help) or written (perhaps
    a full or read-only disk: a retry may help once it is fixed)."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        self.retryable = retryable
        super().__init__(message)


@dataclass(frozen=True)
class SignedReport:
    """One report a key signed: which store, which reconciliation, which manifest, where."""

    store: str
    reconciliation_id: str
    manifest_sha256: str
    report_dir: str
    signed_at: str
    key_sha256: str

    @classmethod
    def now(
        cls,
        *,
        store: str,
        reconciliation_id: str,
        manifest_sha256: str,
        report_dir: Path,
        key_sha256: str,
    ) -> SignedReport:
        return cls(
            store=store,
            reconciliation_id=reconciliation_id,
            manifest_sha256=manifest_sha256,
            report_dir=str(Path(report_dir).resolve()),
            signed_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            key_sha256=key_sha256,
        )


def _entry(register: Path, number: int, line: str) -> SignedReport:
    try:
        data = json.loads(line)
    except ValueError:
        data = None
    if (
        not isinstance(data, Mapping)
        or set(data) != set(_FIELDS)
        or not all(isinstance(data[name], str) for name in _FIELDS)
    ):
        raise RegisterError(
            f"line {number} of the register of signed reports {register} is not an entry it "
            "writes: the register was edited (restore it from a backup)"
        )
    return SignedReport(**data)


def last_signed_report(register: Path, store: str) -> SignedReport | None:
    """The last report noted in ``register`` for ``store`` (None when none or no register)."""
    try:
        data = Path(register).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RegisterError(
            f"the register of signed reports {register} cannot be read "
            f"({exc.strerror or type(exc).__name__})",
            retryable=True,
        ) from exc
    last = None
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            line = ""
        entry = _entry(register, number, line)
        if entry.store == store:
            last = entry
    return last


def note_signed_report(register: Path, report: SignedReport) -> None:
    """Add ``report`` to ``register`` (readable by its owner only). Reconciles side by side
    take turns (a lock file beside it), so none loses another's line."""
    register = Path(register)
    line = json.dumps(asdict(report), sort_keys=True).encode("utf-8") + b"\n"
    try:
        lock = os.open(register.with_name(register.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            kept = register.read_bytes() if register.exists() else b""
            if kept and not kept.endswith(b"\n"):
                kept += b"\n"
            write_bytes_atomically(register, kept + line)
        finally:
            os.close(lock)  # lets go of the lock
    except OSError as exc:
        raise RegisterError(
            f"the register of signed reports {register} cannot be written "
            f"({exc.strerror or type(exc).__name__}): the report is signed and recorded, but "
            "the next reconcile cannot check that the store still records it. Make the key's "
            "folder writable (or free space in it) for the next signing reconcile",
            retryable=True,
        ) from exc
