"""Which earlier report anchors the audit trails' check, and whether it can be trusted.

Every link of a trail can be recomputed by whoever rewrites it, so a reconcile also
checks that the last row an earlier report saw of each trail is still there
(:func:`reconcile.audit_trail.check_audit_trails`). Those heads are only as good as the
report that recorded them: a rewritten trail and a report re-sealed to match would pass.

The earlier report is the store's latest recorded one (the newest reconciliation that
recorded a manifest), wherever it was written: an older one would leave the rows added
since unanchored. It must still be in its folder, verify against its manifest, be the
manifest the store recorded (and the latest written into that folder), and, when this
reconcile signs, carry a valid signature of the same key. The report already in the
output folder, if it is another one, must pass the same checks: the new report chains
to it. A report that fails is a finding in itself: its heads are not used, and the
reconciliation is not clean.

The store cannot prove what it no longer holds: whoever can write it could delete its latest
reconciliation records. So a signing reconcile also checks the last report its key signed
for the store, by the register beside the key (:mod:`reconcile.signed_register`): the
store must still record it, and the trails must hold the further along of both reports'
heads.

When reports start being signed, or the key changes, the earlier report is not signed
with the key: the operator says so (``accept_unsigned``, ``reconcile
--first-run-with-key``) and the report records that it was accepted that way. Without
that, a forger able to write the store and the folders could strip a signature. One that
records no heads (written before the trails were chained) leaves the trails checked link
by link only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from reconcile.audit_trail import head_in_trail, heads_in_report
from reconcile.folder_lock import report_folder_lock
from reconcile.manifest import (
    MANIFEST_NAME,
    chain_hashes,
    chain_manifests,
    manifest_sha256,
    manifest_signer,
    signed_file,
    verify_report,
)
from reconcile.report_pin import (
    latest_recorded_report,
    pin_report,
    recorded_manifest,
    same_folder,
)
from reconcile.run_record import ReconciliationRunRecord
from reconcile.signed_register import SignedReport
from reconcile.signing import key_fingerprint, signer_of

__all__ = ["TrailAnchor", "trail_anchor", "trusted_report"]

Heads = Mapping[str, tuple[int | None, str]]


@dataclass(frozen=True)
class TrailAnchor:
    """The earlier report whose heads the trails were compared with, or why there is none.

    ``problem``: the earlier report cannot be trusted (a finding: the reconciliation is not
    clean); its heads are not used, except those of a report this reconcile's key signed,
    which its signature vouches for. ``note``: a harmless reason its heads are not used.
    ``checks``: what it passed.
    """

    report_dir: str | None = None
    heads: Heads | None = None
    checks: tuple[str, ...] = ()
    problem: str | None = None
    note: str | None = None

    def describe(self) -> str:
        if self.report_dir is None:
            return "no earlier report of this store: each trail is checked link by link"
        if self.problem is not None and self.heads is not None:
            return (
                f"the earlier report in {self.report_dir}: {self.problem}; the trails were "
                "compared with it all the same (" + "; ".join(self.checks) + ")"
            )
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


def trusted_report(
    conn: sa.Connection,
    folder: Path,
    *,
    public_key: Ed25519PublicKey | None = None,
    accept_unsigned: bool = False,
) -> TrailAnchor:
    """``folder``'s report checked: its manifest, the store's record of it, and, given
    ``public_key``, its signature (one not signed with that key only if ``accept_unsigned``).
    Read under the folder's lock, so never half-written by a reconcile beside this one."""
    with report_folder_lock(folder, exclusive=False):
        return _trusted_report(conn, Path(folder), public_key, accept_unsigned)


def _trusted_report(
    conn: sa.Connection,
    folder: Path,
    public_key: Ed25519PublicKey | None,
    accept_unsigned: bool,
) -> TrailAnchor:
    if not (folder / MANIFEST_NAME).is_file():
        return TrailAnchor(str(folder), problem=f"there is no {MANIFEST_NAME} in the folder")
    signer = manifest_signer(folder)
    fingerprint = key_fingerprint(public_key) if public_key is not None else None
    checked_key = public_key if signer is not None and signer == fingerprint else None
    problems = verify_report(folder, public_key=checked_key)
    checks = ["it verifies against its manifest"]
    if not problems:
        problems = list(pin_report(conn, folder).problems)
        checks.append("this store recorded that manifest")
    if not problems and fingerprint is not None and checked_key is None:
        shown = f"SHA256:{fingerprint[:16]}"
        whose = "not signed" if signer is None else f"signed with another key ({signer[:16]}...)"
        if not accept_unsigned:
            problems.append(
                f"it is {whose}, not with the key {shown}: its signature was removed or "
                "replaced, unless signing started or the key changed after it (a reconcile "
                "says so with --first-run-with-key)"
            )
        elif any(signer_of(earlier) == fingerprint for _, earlier in chain_manifests(folder)[1:]):
            # Signing did not start after it, nor did the key change: it was written over a
            # report this key signed, as a forger holding no key (or a key of their own) would.
            problems.append(
                f"it is {whose}, yet it follows a report signed with the key {shown} in its "
                "folder's chain: --first-run-with-key does not excuse a report written over a "
                "signed one, as a forger could write one unsigned or signed with a key of "
                "their own (if it was your own reconcile without this key, this is reported "
                "once; use one signing key per store)"
            )
        else:
            checks.append(f"not signed with the key {shown}: accepted as the first run with it")
    elif checked_key is not None and fingerprint is not None:
        checks.append(f"signed with this reconcile's key SHA256:{fingerprint[:16]}")
    if problems:
        more = (
            f" (and {len(problems) - 1} more: `icm-migrate verify-report`)"
            if len(problems) > 1
            else ""
        )
        return TrailAnchor(str(folder), problem=problems[0] + more)
    try:
        heads = heads_in_report(folder)
    except ValueError as exc:
        return TrailAnchor(str(folder), checks=tuple(checks), note=str(exc))
    return TrailAnchor(str(folder), heads=heads, checks=tuple(checks))


def trail_anchor(
    conn: sa.Connection,
    out_dir: Path,
    *,
    public_key: Ed25519PublicKey | None = None,
    accept_unsigned: bool = False,
    last_signed: SignedReport | None = None,
) -> TrailAnchor:
    """The store's latest recorded report, checked, and the report in ``out_dir`` if it is
    another one (see the module doc). ``public_key`` is the key this reconcile signs with;
    ``last_signed`` the last report it signed for this store, by its register
    (:mod:`reconcile.signed_register`), checked too when the store's latest is another."""
    options: dict[str, Any] = {"public_key": public_key, "accept_unsigned": accept_unsigned}
    latest = latest_recorded_report(conn)
    anchor = _store_anchor(conn, out_dir, latest, options)
    if last_signed is None:
        return anchor
    if anchor.problem is not None:
        # Still compare the trails with the key's last report, when it can be trusted: a
        # problem with the store's latest must not hide a rewrite from it.
        noted = _last_signed_anchor(conn, last_signed, options)
        signed_heads = noted.heads or _signed_heads(conn, last_signed, public_key)
        if signed_heads is None:
            return anchor
        return replace(
            anchor,
            heads=signed_heads,
            checks=(
                f"the trails were compared with the last report this key signed, in "
                f"{noted.report_dir}, instead",
            ),
        )
    if (
        latest is not None
        and latest.report_dir is not None
        and latest.manifest_sha256 == last_signed.manifest_sha256
        and same_folder(Path(last_signed.report_dir), latest.report_dir)
    ):
        return anchor  # the same report, checked above
    noted = _last_signed_anchor(conn, last_signed, options)
    heads = _heads_to_check(conn, anchor.heads, noted.heads)
    if noted.problem is not None:
        return replace(noted, heads=heads if noted.heads is not None else None)
    further = heads != anchor.heads  # the register's report recorded more of the trails
    return replace(
        anchor,
        report_dir=noted.report_dir if further or anchor.report_dir is None else anchor.report_dir,
        heads=heads,
        checks=(
            *anchor.checks,
            f"the last report this key signed for the store, in {noted.report_dir}, "
            "passed the same checks",
        ),
    )


def _store_anchor(
    conn: sa.Connection,
    out_dir: Path,
    latest: ReconciliationRunRecord | None,
    options: dict[str, Any],
) -> TrailAnchor:
    in_out_dir = (Path(out_dir) / MANIFEST_NAME).is_file()
    if latest is None or latest.report_dir is None:
        return trusted_report(conn, out_dir, **options) if in_out_dir else TrailAnchor()
    if in_out_dir and not same_folder(out_dir, latest.report_dir):
        chained_to = trusted_report(conn, out_dir, **options)
        if chained_to.problem is not None:
            return chained_to
    folder = Path(latest.report_dir)
    anchor = trusted_report(conn, folder, **options)
    if anchor.problem is not None and not (folder / MANIFEST_NAME).is_file():
        return replace(
            anchor,
            problem=f"the store's latest report, of reconciliation {latest.id}, is no longer "
            f"there ({anchor.problem}): removed or moved",
        )
    if anchor.problem is None and latest.manifest_sha256 not in chain_hashes(folder):
        # The folder's report is genuine but is not the one the store's latest record
        # names: an older report would anchor the trails in place of the latest.
        return TrailAnchor(
            latest.report_dir,
            problem=f"the store's latest report, of reconciliation {latest.id}, is not in the "
            "folder it names, which holds an earlier report: the record's folder was changed",
        )
    return anchor


def _last_signed_anchor(
    conn: sa.Connection, last: SignedReport, options: dict[str, Any]
) -> TrailAnchor:
    """The last report this key signed for the store, checked: its folder must hold it (or
    a later report whose chain holds it), and the store must still record it. One the store
    forgot is a finding, but its heads are used when its signature verifies: the rows
    rewritten since are then named too."""
    which = (
        f"the last report this key signed for the store (reconciliation "
        f"{last.reconciliation_id}, signed {last.signed_at}, noted in the key's register)"
    )
    folder = Path(last.report_dir)
    if not (folder / MANIFEST_NAME).is_file():
        return TrailAnchor(last.report_dir, problem=f"{which} is no longer there: removed or moved")
    if last.manifest_sha256 not in chain_hashes(folder):
        return TrailAnchor(
            last.report_dir,
            problem=f"{which} was replaced in its folder by a report whose chain does not hold it",
        )
    public_key = options["public_key"]
    if recorded_manifest(conn, last.manifest_sha256) is not None:
        # --first-run-with-key excuses no unsigned report here: its chain holds this
        # report, which the key signed (unless the key in the file changed since).
        return trusted_report(conn, folder, **options)
    forgotten = TrailAnchor(
        last.report_dir,
        problem=f"the store no longer records {which}: its reconciliation records were "
        "removed, or the store was restored from a backup taken before it (after a "
        "deliberate restore or rebuild this is reported once: the next reconcile is "
        "anchored on this one's report)",
    )
    heads = _signed_heads(conn, last, public_key)
    if heads is None or public_key is None:
        return forgotten
    return replace(
        forgotten,
        heads=heads,
        checks=(
            f"its signature by this reconcile's key SHA256:{key_fingerprint(public_key)[:16]} "
            "verifies",
        ),
    )


def _signed_heads(
    conn: sa.Connection, last: SignedReport, public_key: Ed25519PublicKey | None
) -> Heads | None:
    """The heads in the key's last report's folder, if the folder holds that report (or a
    later one this store recorded, whose chain holds it) with its reconciliation.json listed
    in a manifest signed with the key, whatever else is wrong with the folder (a stray
    file, a store that no longer records it). A later report of another store signed with
    the same key is not this store's record of its trails."""
    folder = Path(last.report_dir)
    if public_key is None:
        return None
    with report_folder_lock(folder, exclusive=False):
        if last.manifest_sha256 not in chain_hashes(folder):
            return None
        current = manifest_sha256(folder)
        if current != last.manifest_sha256 and recorded_manifest(conn, current) is None:
            return None
        if signed_file(folder, "reconciliation.json", public_key) is None:
            return None
        try:
            return heads_in_report(folder)
        except ValueError:
            return None


def _heads_to_check(conn: sa.Connection, first: Heads | None, second: Heads | None) -> Heads | None:
    """One head per trail of two reports' records of it: one the trail no longer holds, so
    that the check reports it, else the further along (by row id). Taking the further
    along alone would let a forged later head stand in for a genuine earlier one."""
    if first is None or second is None:
        return first if second is None else second
    chosen: dict[str, tuple[int | None, str]] = {}
    for name in dict.fromkeys([*first, *second]):
        heads = [head for head in (first.get(name), second.get(name)) if head is not None]
        lost = [head for head in heads if not head_in_trail(conn, name, *head)]
        chosen[name] = lost[0] if lost else max(heads, key=lambda head: head[0] or 0)
    return chosen
