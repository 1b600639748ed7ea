"""Ed25519 signatures of report manifests: proof of who sealed a report, not only that it is whole.

A manifest's hashes and chain catch any change that does not recompute them, and the
store's record of each manifest (``verify-report --target``) catches one that does,
unless whoever re-sealed the folder could also write the store. A signature made with a
key the migration team keeps off the store's host and the report share closes that gap:
an auditor holding only the public key can tell a report reconcile sealed from any other.

The signature covers the manifest's ``content_sha256``, which covers every other key of
the manifest (the files' hashes and sizes, the run, the chain link):

    "signature": {"algorithm": "ed25519", "public_key_sha256": <hex>, "value": <base64>}

Keys are PEM (PKCS#8 private, SubjectPublicKeyInfo public), as ``openssl genpkey
-algorithm ed25519`` writes them or ``icm-migrate signing-key`` makes them; a private key
may be encrypted with a passphrase. Nothing here reads files: the caller hands in bytes.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from reconcile.errors import TerminalReconcileError

__all__ = [
    "SIGNATURE_ALGORITHM",
    "KeyPair",
    "SigningKeyError",
    "key_fingerprint",
    "new_key_pair",
    "private_key_from_pem",
    "public_key_from_pem",
    "signature_block",
    "signature_problems",
    "signer_of",
]

SIGNATURE_ALGORITHM = "ed25519"
_MESSAGE_PREFIX = b"icm-migrate report manifest v1\n"


class SigningKeyError(TerminalReconcileError):
    """A key file cannot be used: not PEM, not Ed25519, or a wrong or missing passphrase.
    The message names the file, never the key."""


@dataclass(frozen=True)
class KeyPair:
    private_pem: bytes
    public_pem: bytes
    fingerprint: str


def key_fingerprint(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, in hex: how manifests and messages name a key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def private_key_from_pem(
    data: bytes, *, passphrase: bytes | None = None, name: str = "the signing key"
) -> Ed25519PrivateKey:
    """The Ed25519 private key in PEM ``data``; SigningKeyError naming ``name`` otherwise."""
    try:
        key = serialization.load_pem_private_key(data, password=passphrase or None)
    except UnsupportedAlgorithm as exc:
        raise SigningKeyError(f"{name} is of a kind this library cannot read, not Ed25519") from exc
    except TypeError as exc:  # encrypted without a passphrase, or a passphrase for a plain key
        cause = (
            "a passphrase was given for a key that has none"
            if passphrase
            else "the key is encrypted: set ICM_SIGNING_KEY_PASSPHRASE"
        )
        raise SigningKeyError(f"{name}: {cause}") from exc
    except ValueError as exc:  # not PEM, or a wrong passphrase
        raise SigningKeyError(
            f"{name} is not a readable PEM private key, or the passphrase is wrong"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{name} is a {type(key).__name__}, not an Ed25519 key")
    return key


def public_key_from_pem(data: bytes, *, name: str = "the public key") -> Ed25519PublicKey:
    """The Ed25519 public key in PEM ``data``; SigningKeyError naming ``name`` otherwise."""
    if b"PRIVATE KEY-----" in data:
        raise SigningKeyError(
            f"{name} is a private key: give its public key (the .pub file made beside it), "
            "and keep the private key to the reconcile"
        )
    try:
        key = serialization.load_pem_public_key(data)
    except UnsupportedAlgorithm as exc:
        raise SigningKeyError(f"{name} is of a kind this library cannot read, not Ed25519") from exc
    except ValueError as exc:
        raise SigningKeyError(f"{name} is not a readable PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError(f"{name} is a {type(key).__name__}, not an Ed25519 key")
    return key


def new_key_pair(passphrase: bytes | None = None) -> KeyPair:
    """A fresh key pair as PEM; the private key encrypted with ``passphrase`` when given."""
    key = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    public = key.public_key()
    public_pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return KeyPair(private_pem, public_pem, key_fingerprint(public))


def signature_block(key: Ed25519PrivateKey, content_sha256: str) -> dict[str, str]:
    """The manifest's ``signature`` entry for a manifest whose content hashes to ``content_sha256``."""
    value = key.sign(_MESSAGE_PREFIX + content_sha256.encode("ascii"))
    return {
        "algorithm": SIGNATURE_ALGORITHM,
        "public_key_sha256": key_fingerprint(key.public_key()),
        "value": base64.b64encode(value).decode("ascii"),
    }


def _well_formed(block: Any) -> bool:
    return (
        isinstance(block, dict)
        and block.get("algorithm") == SIGNATURE_ALGORITHM
        and isinstance(block.get("public_key_sha256"), str)
        and isinstance(block.get("value"), str)
    )


def signer_of(manifest: dict[str, Any]) -> str | None:
    """The fingerprint of the key that signed ``manifest``, or None if it is unsigned or malformed."""
    block = manifest.get("signature")
    if not (isinstance(block, dict) and _well_formed(block)):
        return None
    return str(block["public_key_sha256"])


def signature_problems(
    manifest: dict[str, Any],
    label: str,
    public_key: Ed25519PublicKey | None,
    *,
    required: bool,
) -> list[str]:
    """What is wrong with ``manifest``'s signature (``label`` names it in the messages).

    Without ``public_key`` only its shape is checked. With it, a manifest signed by that
    key must verify; a manifest that is unsigned, or signed by another key, is a problem
    only when ``required`` (the report's own manifest: earlier manifests in its chain may
    predate signing or a change of key, and the chain vouches for them).
    """
    block = manifest.get("signature")
    if block is None:
        return [f"{label} is not signed"] if public_key is not None and required else []
    if not _well_formed(block):
        return [f"{label} has a malformed signature"]
    if public_key is None:
        return []
    fingerprint = key_fingerprint(public_key)
    if block["public_key_sha256"] != fingerprint:
        if not required:
            return []
        return [
            f"{label} is signed by another key ({block['public_key_sha256'][:16]}...), "
            f"not by {fingerprint[:16]}..."
        ]
    content = manifest.get("content_sha256")
    try:
        value = base64.b64decode(block["value"], validate=True)
        public_key.verify(value, _MESSAGE_PREFIX + str(content).encode("ascii"))
    except (InvalidSignature, ValueError):  # binascii.Error and UnicodeEncodeError are ValueErrors
        return [
            f"{label}'s signature does not verify: the manifest was changed after it was signed"
        ]
    return []
