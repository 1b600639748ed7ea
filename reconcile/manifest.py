"""``manifest.json``: proof that a report folder is what reconcile wrote, chained to earlier reports.

Layout of a report folder::

    DIR/
      reconciliation.json, discrepancies.csv, report.html   the report (listed in the manifest)
      manifest.json                                          this run's manifest
      history/<sha256>.json                                  every earlier manifest of the chain,
                                                             byte for byte, named by its SHA-256

``manifest.json`` holds ``manifest_version``, ``run_id``, ``generated_at``,
``files`` (name -> ``sha256`` and ``bytes``), ``previous_manifest_sha256`` (the
SHA-256 of the manifest this one follows, or null for the first report),
``chain_length`` (1 for the first), ``content_sha256`` (SHA-256 of the
manifest's other keys as canonical JSON: an edit that does not recompute it is
caught) and, when reconcile was given a signing key, ``signature`` (an Ed25519
signature of ``content_sha256``: :mod:`reconcile.signing`).

Re-running into the same folder supersedes the report files and moves the old
manifest into ``history/``; writing into a fresh folder with ``previous_dir``
copies the previous report's manifest and its history there, so each folder
carries its whole chain. An earlier report's files can then be checked against
its manifest in ``history/`` by whoever kept a copy of them.

What this proves: :func:`verify_report` finds any changed, missing or added
file, an edited manifest, and a chain whose links do not match. Someone who
rewrites a file *and* recomputes every hash is caught only by comparing the
manifest's own SHA-256 (:func:`manifest_sha256`) with a copy kept elsewhere:
the run record (:func:`reconcile.report_pin.pin_report` looks it up), or the
next report's ``previous_manifest_sha256``. Pass it as ``expected_manifest_sha256``.
Or by the signature: whoever re-seals without the private key cannot sign, and
:func:`verify_report` given the public key refuses a manifest it did not sign.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from reconcile.signing import signature_block, signature_problems, signer_of

__all__ = [
    "HISTORY_DIR",
    "MANIFEST_NAME",
    "MANIFEST_VERSION",
    "ManifestError",
    "chain_hashes",
    "chain_manifests",
    "file_sha256",
    "manifest_sha256",
    "manifest_signer",
    "read_manifest",
    "signed_file",
    "verify_report",
    "write_bytes_atomically",
    "write_manifest",
]

MANIFEST_NAME = "manifest.json"
HISTORY_DIR = "history"
MANIFEST_VERSION = 1
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_REQUIRED_KEYS = (
    "manifest_version",
    "run_id",
    "generated_at",
    "files",
    "chain_length",
    "content_sha256",
)
_ONE_MIB = 1 << 20


class ManifestError(RuntimeError):
    """A manifest cannot be written: a listed file is not there, or the previous report it should
    chain to is unreadable or incomplete. Terminal: a retry cannot help; fix the folder or start
    a new chain in an empty folder."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_ONE_MIB):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_sha256(out_dir: Path) -> str:
    """The SHA-256 of the report's manifest.json: the anchor to keep in the run record."""
    return file_sha256(out_dir / MANIFEST_NAME)


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file in the same folder, so a crash leaves the old file or the new."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _content_sha256(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k not in ("content_sha256", "signature")}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _is_plain_name(name: str) -> bool:
    return (
        bool(name)
        and name not in (".", "..", MANIFEST_NAME, HISTORY_DIR)
        and "/" not in name
        and "\\" not in name
    )


def _read_json_object(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path`` as a dict, or None if it is not a readable JSON object."""
    try:
        loaded = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return loaded if isinstance(loaded, dict) else None


def read_manifest(out_dir: Path) -> dict[str, Any] | None:
    """The report folder's manifest.json as a dict, or None if missing or not a JSON object."""
    return _read_json_object(Path(out_dir) / MANIFEST_NAME)


def manifest_signer(out_dir: Path) -> str | None:
    """The fingerprint of the key that signed the folder's manifest, or None if unsigned."""
    manifest = read_manifest(out_dir)
    return signer_of(manifest) if manifest is not None else None


def chain_manifests(out_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    """The folder's manifest and those its links lead to through history/ (each a file whose
    SHA-256 is its name), newest first, as (hash, manifest). A file's name alone proves
    nothing: anyone can make ``history/<hash>.json``."""
    out_dir = Path(out_dir)
    path = out_dir / MANIFEST_NAME
    manifest = _read_json_object(path) if path.is_file() else None
    if manifest is None:
        return []
    chain = [(file_sha256(path), manifest)]
    link = manifest.get("previous_manifest_sha256")
    while isinstance(link, str) and _SHA256.match(link) and link not in dict(chain):
        earlier_path = out_dir / HISTORY_DIR / f"{link}.json"
        if not earlier_path.is_file() or file_sha256(earlier_path) != link:
            break
        earlier = _read_json_object(earlier_path)
        if earlier is None:
            break
        chain.append((link, earlier))
        link = earlier.get("previous_manifest_sha256")
    return chain


def signed_file(out_dir: Path, name: str, public_key: Ed25519PublicKey) -> Path | None:
    """``out_dir/name`` when the folder's manifest carries a valid signature by
    ``public_key`` and lists the file with its SHA-256 as it is now, else None. Whatever
    else the folder holds, that file is what the key's holder wrote."""
    out_dir = Path(out_dir)
    manifest = read_manifest(out_dir)
    if manifest is None or _manifest_problems(
        manifest, MANIFEST_NAME, public_key, signature_required=True
    ):
        return None
    entry = manifest["files"].get(name) if isinstance(manifest.get("files"), dict) else None
    path = out_dir / name
    if not isinstance(entry, dict) or not _is_plain_name(name) or not path.is_file():
        return None
    return path if file_sha256(path) == entry.get("sha256") else None


def chain_hashes(out_dir: Path) -> set[str]:
    """The manifest hashes the folder's chain holds (:func:`chain_manifests`)."""
    return {digest for digest, _ in chain_manifests(out_dir)}


def _chain_from(history: Path, link: str | None) -> list[str]:
    """The hashes of the manifests in ``history`` that ``link`` leads through, newest first."""
    chain: list[str] = []
    while link is not None:
        if not (isinstance(link, str) and _SHA256.match(link)) or link in chain:
            raise ManifestError(f"{history}: chain link {link!r} is not a manifest hash, or loops")
        earlier = _read_json_object(history / f"{link}.json")
        if earlier is None:
            raise ManifestError(
                f"{history}/{link}.json is missing or unreadable: the chain is broken"
            )
        chain.append(link)
        link = earlier.get("previous_manifest_sha256")
    return chain


def _carry_history(previous: Path, out_dir: Path) -> tuple[str, int]:
    """Keep the previous manifest (and, from another folder, its history) in out_dir/history.

    Returns the previous manifest's SHA-256 and chain length.
    """
    data = previous.read_bytes()
    earlier = _read_json_object(previous)
    if earlier is None or not isinstance(earlier.get("chain_length"), int):
        raise ManifestError(f"{previous} is not a report manifest: cannot chain a new report to it")
    digest = hashlib.sha256(data).hexdigest()
    source_history = previous.parent / HISTORY_DIR
    target_history = out_dir / HISTORY_DIR
    target_history.mkdir(exist_ok=True)
    if source_history.resolve() != target_history.resolve():
        for link in _chain_from(source_history, earlier.get("previous_manifest_sha256")):
            shutil.copyfile(source_history / f"{link}.json", target_history / f"{link}.json")
    write_bytes_atomically(target_history / f"{digest}.json", data)
    return digest, int(earlier["chain_length"])


def write_manifest(
    out_dir: Path,
    *,
    run_id: str,
    files: list[str],
    previous_dir: Path | None = None,
    generated_at: dt.datetime | None = None,
    signing_key: Ed25519PrivateKey | None = None,
) -> Path:
    """Write out_dir/manifest.json listing ``files`` (names in out_dir), chained to the previous one.

    The previous manifest is ``previous_dir``/manifest.json when ``previous_dir`` is given,
    else the manifest.json already in ``out_dir`` (re-running into the same folder), else none.
    With ``signing_key`` the manifest carries its Ed25519 signature (``reconcile.signing``).
    """
    out_dir = Path(out_dir)
    listed: dict[str, dict[str, Any]] = {}
    for name in sorted(set(files)):
        path = out_dir / name
        if not _is_plain_name(name) or not path.is_file():
            raise ManifestError(f"{out_dir}: {name!r} is not a report file in this folder")
        listed[name] = {"sha256": file_sha256(path), "bytes": path.stat().st_size}

    current = out_dir / MANIFEST_NAME
    previous: Path | None = None
    if previous_dir is not None:
        previous = Path(previous_dir) / MANIFEST_NAME
        if not previous.is_file():
            raise ManifestError(f"{previous_dir} has no {MANIFEST_NAME} to chain to")
        if current.is_file() and current.resolve() != previous.resolve():
            raise ManifestError(
                f"{out_dir} already has a {MANIFEST_NAME}: write into an empty folder to chain to {previous_dir}"
            )
    elif current.is_file():
        previous = current
    link, length = _carry_history(previous, out_dir) if previous else (None, 0)

    manifest: dict[str, Any] = {
        "manifest_version": MANIFEST_VERSION,
        "run_id": run_id,
        "generated_at": (generated_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(),
        "files": listed,
        "previous_manifest_sha256": link,
        "chain_length": length + 1,
    }
    manifest["content_sha256"] = _content_sha256(manifest)
    if signing_key is not None:
        manifest["signature"] = signature_block(signing_key, manifest["content_sha256"])
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    write_bytes_atomically(current, text.encode("utf-8"))
    return current


def _shape_problem(manifest: dict[str, Any], label: str) -> str | None:
    missing = [key for key in _REQUIRED_KEYS if key not in manifest]
    if missing:
        return f"{label} lacks {', '.join(missing)}"
    if not isinstance(manifest["files"], dict) or not isinstance(manifest["chain_length"], int):
        return f"{label} has malformed files or chain_length"
    return None


def _manifest_problems(
    manifest: dict[str, Any],
    label: str,
    public_key: Ed25519PublicKey | None = None,
    *,
    signature_required: bool = False,
) -> list[str]:
    shape = _shape_problem(manifest, label)
    if shape is not None:
        return [shape]
    problems = []
    if manifest["manifest_version"] != MANIFEST_VERSION:
        problems.append(
            f"{label} has manifest_version {manifest['manifest_version']!r}, expected {MANIFEST_VERSION}"
        )
    if manifest["content_sha256"] != _content_sha256(manifest):
        problems.append(f"{label} was edited: its content no longer matches its content_sha256")
    problems.extend(signature_problems(manifest, label, public_key, required=signature_required))
    return problems


def _file_problems(out_dir: Path, files: dict[str, Any]) -> list[str]:
    problems = []
    for name, entry in sorted(files.items()):
        path = out_dir / name
        if not _is_plain_name(name):
            problems.append(f"{MANIFEST_NAME} lists {name!r}, which is not a plain file name")
        elif not isinstance(entry, dict) or "sha256" not in entry:
            problems.append(f"{MANIFEST_NAME} has no sha256 for {name}")
        elif not path.is_file():
            problems.append(f"{name} is missing")
        elif file_sha256(path) != entry["sha256"]:
            problems.append(f"{name} was altered: its SHA-256 differs from the manifest")
        elif path.stat().st_size != entry.get("bytes"):
            problems.append(
                f"{name} has {path.stat().st_size} bytes, the manifest says {entry.get('bytes')}"
            )
    return problems


def _chain_problems(
    out_dir: Path, manifest: dict[str, Any], public_key: Ed25519PublicKey | None
) -> tuple[list[str], set[str]]:
    """Walk the chain back through history/; returns the problems and the history files it used."""
    problems: list[str] = []
    used: set[str] = set()
    link, length, label = (
        manifest.get("previous_manifest_sha256"),
        manifest.get("chain_length"),
        MANIFEST_NAME,
    )
    while link is not None:
        name = f"{HISTORY_DIR}/{link}.json"
        path = out_dir / HISTORY_DIR / f"{link}.json"
        if not (isinstance(link, str) and _SHA256.match(link)) or name in used:
            problems.append(
                f"broken chain: {label} links to {link!r}, not a manifest hash (or a loop)"
            )
            return problems, used
        if not path.is_file():
            problems.append(f"broken chain: {label} links to {name}, which is missing")
            return problems, used
        used.add(name)
        if file_sha256(path) != link:
            problems.append(f"broken chain: {name} was altered (its SHA-256 is not its name)")
            return problems, used
        earlier = _read_json_object(path)
        if earlier is None:
            problems.append(f"broken chain: {name} is not a readable manifest")
            return problems, used
        problems.extend(_manifest_problems(earlier, name, public_key))
        if isinstance(length, int) and earlier.get("chain_length") != length - 1:
            problems.append(
                f"broken chain: {label} has chain_length {length}, {name} has {earlier.get('chain_length')}"
            )
        link, length, label = (
            earlier.get("previous_manifest_sha256"),
            earlier.get("chain_length"),
            name,
        )
    if length != 1:
        problems.append(
            f"broken chain: {label} is the first manifest but has chain_length {length}"
        )
    return problems, used


def _unlisted(out_dir: Path, listed: set[str]) -> list[str]:
    found = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if not p.is_dir()}
    # A folder in history/ is nothing a report writes (one named like a manifest could
    # pass for a link of the chain).
    found |= {
        p.relative_to(out_dir).as_posix() for p in (out_dir / HISTORY_DIR).glob("*") if p.is_dir()
    }
    return [
        f"{name} is not listed in the manifest" for name in sorted(found - listed - {MANIFEST_NAME})
    ]


def _run_id_problems(out_dir: Path, manifest: dict[str, Any]) -> list[str]:
    report = out_dir / "reconciliation.json"
    if "reconciliation.json" not in manifest["files"] or not report.is_file():
        return []
    document = _read_json_object(report)
    if document is not None and document.get("run_id") != manifest["run_id"]:
        return ["reconciliation.json names another run than the manifest"]
    return []


def verify_report(
    out_dir: Path,
    *,
    expected_manifest_sha256: str | None = None,
    public_key: Ed25519PublicKey | None = None,
) -> list[str]:
    """Every problem found in a report folder; an empty list means it is as reconcile wrote it.

    Problems name files only, never their content. ``expected_manifest_sha256``, when given
    (from the run record or the next report's chain link), pins manifest.json itself.
    ``public_key``, when given, must have signed manifest.json; earlier manifests it signed
    must verify too.
    """
    out_dir = Path(out_dir)
    path = out_dir / MANIFEST_NAME
    if not path.is_file():
        return [f"{MANIFEST_NAME} is missing"]
    manifest = _read_json_object(path)
    if manifest is None:
        return [f"{MANIFEST_NAME} is not a readable JSON object"]
    shape = _shape_problem(manifest, MANIFEST_NAME)
    if shape is not None:
        return [shape]
    problems = _manifest_problems(manifest, MANIFEST_NAME, public_key, signature_required=True)
    if expected_manifest_sha256 is not None and file_sha256(path) != expected_manifest_sha256:
        problems.append(
            f"{MANIFEST_NAME} is not the manifest recorded for this report (SHA-256 differs)"
        )
    problems.extend(_file_problems(out_dir, manifest["files"]))
    chain_problems, history_used = _chain_problems(out_dir, manifest, public_key)
    problems.extend(chain_problems)
    problems.extend(_unlisted(out_dir, set(manifest["files"]) | history_used))
    problems.extend(_run_id_problems(out_dir, manifest))
    return problems
