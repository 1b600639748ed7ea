"""Key files for signing reports: read them, and make a new pair (``icm-migrate signing-key``).

The private key's passphrase, if it has one, comes from ``ICM_SIGNING_KEY_PASSPHRASE``
(never a command-line option: those show in process lists and shell histories). A key
is never logged, stored in the store, or given to Prefect as a parameter: flows get the
file's path and read it here.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from flows.settings import env_default
from reconcile import (
    REGISTER_SUFFIX,
    KeyPair,
    SigningKeyError,
    new_key_pair,
    private_key_from_pem,
    public_key_from_pem,
)

__all__ = [
    "PASSPHRASE_VARIABLE",
    "public_key_path",
    "read_public_key",
    "read_signing_key",
    "signed_reports_path",
    "write_key_pair",
]

PASSPHRASE_VARIABLE = "ICM_SIGNING_KEY_PASSPHRASE"


def _passphrase() -> bytes | None:
    value = env_default("signing_key_passphrase")
    return value.encode("utf-8") if value else None


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SigningKeyError(
            f"the {what} {path} cannot be read ({exc.strerror or type(exc).__name__})"
        ) from exc


def read_signing_key(path: Path) -> Ed25519PrivateKey:
    """The private key in ``path`` (PEM), decrypted with ``ICM_SIGNING_KEY_PASSPHRASE`` if set."""
    name = f"the signing key {path}"
    return private_key_from_pem(_read(path, "signing key"), passphrase=_passphrase(), name=name)


def read_public_key(path: Path) -> Ed25519PublicKey:
    return public_key_from_pem(_read(path, "public key"), name=f"the public key {path}")


def public_key_path(private_key: Path) -> Path:
    """Where :func:`write_key_pair` puts the public key of ``private_key``: beside it, ``.pub``."""
    return private_key.with_name(private_key.name + ".pub")


def signed_reports_path(private_key: Path) -> Path:
    """The register of the reports ``private_key`` signed (:mod:`reconcile.signed_register`):
    beside the key, protected as it is."""
    return private_key.with_name(private_key.name + REGISTER_SUFFIX)


def write_key_pair(private_key: Path) -> KeyPair:
    """Make a new key pair: ``private_key`` (readable by its owner only, encrypted with
    ``ICM_SIGNING_KEY_PASSPHRASE`` if set) and its public key beside it. Never overwrites
    a file: a lost or replaced key would leave earlier reports unverifiable."""
    public = public_key_path(private_key)
    for path in (private_key, public):
        if path.exists():
            raise SigningKeyError(f"{path} already exists: a key is never overwritten")
    pair = new_key_pair(_passphrase())
    descriptor = os.open(private_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pair.private_pem)
    try:
        descriptor = os.open(public, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pair.public_pem)
    except OSError:
        private_key.unlink()
        raise
    return pair
