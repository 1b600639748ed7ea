"""Run ``signing-key``: make the key pair that signs reports, and say what to do with each half."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from flows.signing_keys import PASSPHRASE_VARIABLE, public_key_path, write_key_pair
from reconcile import SigningKeyError

__all__ = ["run_signing_key"]

EXIT_MADE, EXIT_ERROR = 0, 2


def run_signing_key(out: Path, console: Console) -> int:
    """Write a new key pair at ``out`` and ``out``.pub; 0 when made, 2 when refused."""
    try:
        pair = write_key_pair(Path(out))
    except SigningKeyError as exc:
        console.print(f"[red]Signing key refused:[/red] {exc}")
        return EXIT_ERROR
    except OSError as exc:
        console.print(
            f"[red]Signing key not made:[/red] {exc.filename or out} could not be written "
            f"({exc.strerror or type(exc).__name__})"
        )
        return EXIT_ERROR
    lines = [
        f"Private key  {out}  (for `reconcile --signing-key`: keep it off the store's host "
        "and the report share, and back it up)",
        f"Public key   {public_key_path(Path(out))}  (for the auditors: "
        "`verify-report --public-key`)",
        f"Fingerprint  SHA256:{pair.fingerprint}",
    ]
    if not pair.private_pem.startswith(b"-----BEGIN ENCRYPTED"):
        lines.append(
            f"[yellow]The private key is not encrypted: set {PASSPHRASE_VARIABLE} to make one "
            "that is.[/yellow]"
        )
    for line in lines:
        console.print(line, soft_wrap=True)
    return EXIT_MADE
