"""Which earlier report anchors the audit trails' check, and whether it can be trusted.

Every link of a trail can be recomputed by whoever rewrites it, so a reconcile also
checks that the last row an earlier report saw of each trail is still there
(:func:`reconcile.audit_trail.check_audit_trails`). Those heads are only as good as the
report that recorded them: a rewritten trail and a report re-sealed to match would pass.
So the earlier report must verify against its manifest, be the manifest this store
recorded for it (and the latest report written into its folder), and, when this
reconcile signs, carry a valid signature of the same key. A report that fails any of
these is a finding in itself: its heads are not used, and the reconciliation is not clean.

An earlier report that is simply unsigned (written before signing was set up) is used
and said to be unsigned, unless reports before it in its chain were signed with the key
(its signature was removed). Stripping the signature of the only signed report of a chain
goes unseen here: the store's record of its manifest is then what stands. One that
records no heads (written before the trails were
chained) leaves the trails checked link by link only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from reconcile.audit_trail import heads_in_report
from reconcile.manifest import HISTORY_DIR, MANIFEST_NAME, verify_report
from reconcile.report_pin import pin_report
from reconcile.signing import key_fingerprint, signer_of

__all__ = ["TrailAnchor", "trail_anchor"]

Heads = Mapping[str, tuple[int | None, str]]


@dataclass(frozen=True)
class TrailAnchor:
    """The earlier report whose heads the trails were compared with, or why there is none.

    ``problem``: the earlier report cannot be trusted (a finding: the reconciliation is not
    clean). ``note``: a harmless reason its heads are not used. ``checks``: what it passed.
    """

    report_dir: str | None = None
    heads: Heads | None = None
    checks: tuple[str, ...] = ()
    problem: str | None = None
    note: str | None = None

    def describe(self) -> str:
        if self.report_dir is None:
            return "no earlier report of this store: each trail is checked link by link"
        if self.problem is not None:
            return (
                f"the earlier report in {self.report_dir} cannot be trusted: {self.problem}; "
                "its record of the trails is not used"
            )
        if self.heads is None:
            return f"the earlier report in {self.report_dir} is not used: {self.note}"
        return (
            f"compared with the earlier report in {self.report_dir} ("
            + "; ".join(self.checks)
            + ")"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "report_dir": self.report_dir,
            "used": self.heads is not None,
            "checks": list(self.checks),
            "problem": self.problem,
            "note": self.note,
        }


def _signer(path: Path) -> str | None:
    try:
        manifest = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return signer_of(manifest) if isinstance(manifest, dict) else None


def _signed_before(folder: Path, fingerprint: str) -> bool:
    """Whether an earlier manifest of the folder's chain was signed with the key ``fingerprint``."""
    return any(_signer(path) == fingerprint for path in (folder / HISTORY_DIR).glob("*.json"))


def _anchor_of(
    conn: sa.Connection, folder: Path, public_key: Ed25519PublicKey | None
) -> TrailAnchor:
    signer = _signer(folder / MANIFEST_NAME)
    key = public_key if signer is not None else None
    problems = verify_report(folder, public_key=key)
    stripped = (
        not problems
        and public_key is not None
        and signer is None
        and _signed_before(folder, key_fingerprint(public_key))
    )
    if stripped:
        problems = [
            f"{MANIFEST_NAME} is not signed, though the reports before it in its chain were "
            "signed with this key: its signature was removed"
        ]
    checks = ["it verifies against its manifest"]
    if not problems:
        pin = pin_report(conn, folder)
        problems = list(pin.problems)
        checks.append("this store recorded that manifest")
    if problems:
        more = (
            f" (and {len(problems) - 1} more: `icm-migrate verify-report`)"
            if len(problems) > 1
            else ""
        )
        return TrailAnchor(str(folder), problem=problems[0] + more)
    if key is not None:
        checks.append(f"signed with this reconcile's key SHA256:{key_fingerprint(key)[:16]}")
    elif public_key is not None:
        checks.append("not signed: written before reports were signed")
    try:
        heads = heads_in_report(folder)
    except ValueError as exc:
        return TrailAnchor(str(folder), checks=tuple(checks), note=str(exc))
    return TrailAnchor(str(folder), heads=heads, checks=tuple(checks))


def trail_anchor(
    conn: sa.Connection, folders: Sequence[Path], *, public_key: Ed25519PublicKey | None = None
) -> TrailAnchor:
    """The first of ``folders`` that holds a report, checked (see the module doc).

    ``public_key`` is the key this reconcile signs with: a signed earlier report must
    carry its valid signature (a report re-signed with another key is refused).
    """
    for folder in folders:
        if (Path(folder) / MANIFEST_NAME).is_file():
            return _anchor_of(conn, Path(folder), public_key)
    return TrailAnchor()
