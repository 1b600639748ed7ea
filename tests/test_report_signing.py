"""Signed reports: a manifest signed with an Ed25519 key, checked with its public key.

Hashes and the chain catch a change that does not recompute them; only the signature
catches a folder re-sealed by someone without the private key. Also the key files:
made by ``signing-key`` or by openssl, encrypted or not, and every way of giving the
wrong one is refused with a message naming the file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from reconcile_support import Store, copy_sqlite_store, generate_legacy, migrate, target
from rich.console import Console
from test_report_render import sample_result

import load
import synthetic
from flows.run_reconcile import run_reconcile, run_verify_report
from flows.run_signing_key import run_signing_key
from flows.signing_keys import read_public_key, read_signing_key, write_key_pair
from reconcile import (
    SigningKeyError,
    key_fingerprint,
    new_key_pair,
    private_key_from_pem,
    public_key_from_pem,
    signer_of,
    verify_report,
    write_report,
)

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def manifest_of(out_dir: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out_dir / "manifest.json").read_text("utf-8"))
    return loaded


def rewrite_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest`` back with its content_sha256 recomputed, as a careful forger would."""
    body = {k: v for k, v in manifest.items() if k not in ("content_sha256", "signature")}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    manifest["content_sha256"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), "utf-8")


def forge_the_csv(out_dir: Path) -> dict[str, Any]:
    """Edit discrepancies.csv and re-seal the manifest's hashes (not its signature)."""
    csv = out_dir / "discrepancies.csv"
    csv.write_bytes(csv.read_bytes() + b"forged\r\n")
    manifest = manifest_of(out_dir)
    data = csv.read_bytes()
    manifest["files"]["discrepancies.csv"] = {
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    rewrite_manifest(out_dir, manifest)
    return manifest


def test_a_signed_report_verifies_with_its_public_key(
    key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    paths = write_report(sample_result(), tmp_path / "r", signing_key=key)
    manifest = manifest_of(paths.out_dir)
    assert manifest["signature"]["algorithm"] == "ed25519"
    assert signer_of(manifest) == key_fingerprint(key.public_key())
    assert verify_report(paths.out_dir, public_key=key.public_key()) == []
    assert verify_report(paths.out_dir) == []  # without a key only its shape is checked


def test_a_resealed_forgery_fails_its_signature(key: Ed25519PrivateKey, tmp_path: Path) -> None:
    paths = write_report(sample_result(), tmp_path / "r", signing_key=key)
    forge_the_csv(paths.out_dir)
    assert verify_report(paths.out_dir) == []  # the hashes agree: only the key can tell
    assert verify_report(paths.out_dir, public_key=key.public_key()) == [
        "manifest.json's signature does not verify: the manifest was changed after it was signed"
    ]


def test_a_forgery_without_the_signature_or_signed_by_another_key_is_refused(
    key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    paths = write_report(sample_result(), tmp_path / "r", signing_key=key)
    manifest = forge_the_csv(paths.out_dir)
    del manifest["signature"]
    rewrite_manifest(paths.out_dir, manifest)
    assert verify_report(paths.out_dir) == []
    assert verify_report(paths.out_dir, public_key=key.public_key()) == [
        "manifest.json is not signed"
    ]
    # Re-signed by the forger's own key: valid, but not the key the auditor holds.
    other = Ed25519PrivateKey.generate()
    write_report(sample_result(), tmp_path / "other", signing_key=other)
    (paths.out_dir / "manifest.json").unlink()
    assert verify_report(tmp_path / "other", public_key=other.public_key()) == []
    (problem,) = verify_report(tmp_path / "other", public_key=key.public_key())
    assert problem.startswith("manifest.json is signed by another key")
    assert key_fingerprint(key.public_key())[:16] in problem


def test_a_malformed_signature_is_a_problem_never_a_crash(
    key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    paths = write_report(sample_result(), tmp_path / "r", signing_key=key)
    manifest = manifest_of(paths.out_dir)
    manifest["signature"] = "signed"
    rewrite_manifest(paths.out_dir, manifest)
    assert verify_report(paths.out_dir) == ["manifest.json has a malformed signature"]
    does_not_verify = (
        "manifest.json's signature does not verify: the manifest was changed after it was signed"
    )
    for value in ("not base64!", "é" * 88, "", "AAAA"):
        manifest["signature"] = {
            "algorithm": "ed25519",
            "public_key_sha256": key_fingerprint(key.public_key()),
            "value": value,
        }
        rewrite_manifest(paths.out_dir, manifest)
        assert verify_report(paths.out_dir) == [], value  # without the key, only its shape
        assert verify_report(paths.out_dir, public_key=key.public_key()) == [does_not_verify]


def test_an_earlier_unsigned_report_in_the_chain_is_vouched_for_by_the_signed_head(
    key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    out = tmp_path / "r"
    write_report(sample_result(), out)  # before signing was set up
    write_report(sample_result(), out, signing_key=key)
    assert manifest_of(out)["chain_length"] == 2
    assert verify_report(out, public_key=key.public_key()) == []
    # Signed first, then unsigned: the report itself must be signed.
    write_report(sample_result(), out)
    assert verify_report(out, public_key=key.public_key()) == ["manifest.json is not signed"]


def test_key_files_from_the_command_and_from_openssl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ICM_SIGNING_KEY_PASSPHRASE", raising=False)
    buffer = io.StringIO()
    assert run_signing_key(tmp_path / "k", Console(file=buffer, width=300)) == 0
    assert stat.S_IMODE(os.stat(tmp_path / "k").st_mode) == 0o600
    printed = buffer.getvalue()
    private_pem = (tmp_path / "k").read_bytes()
    assert private_pem not in printed.encode() and "not encrypted" in printed
    pair_key = read_signing_key(tmp_path / "k")
    assert key_fingerprint(pair_key.public_key()) == key_fingerprint(
        read_public_key(tmp_path / "k.pub")
    )
    assert f"SHA256:{key_fingerprint(pair_key.public_key())}" in printed
    # Never overwritten: the earlier reports would be unverifiable.
    assert run_signing_key(tmp_path / "k", Console(file=io.StringIO())) == 2
    assert (tmp_path / "k").read_bytes() == private_pem
    # openssl's own Ed25519 keys are read as they are.
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(tmp_path / "o.pem")],
        check=True,
    )
    subprocess.run(
        [
            "openssl",
            "pkey",
            "-pubout",
            "-in",
            str(tmp_path / "o.pem"),
            "-out",
            str(tmp_path / "o.pub"),
        ],
        check=True,
    )
    signing = read_signing_key(tmp_path / "o.pem")
    paths = write_report(sample_result(), tmp_path / "r", signing_key=signing)
    assert verify_report(paths.out_dir, public_key=read_public_key(tmp_path / "o.pub")) == []


def test_first_run_with_key_needs_a_key(base: Store, tmp_path: Path) -> None:
    buffer = io.StringIO()
    code = run_reconcile(
        source=base.source_url,
        target=base.target_url,
        out_dir=tmp_path / "report",
        attachments_dir=None,
        attachment_store=None,
        console=Console(file=buffer, width=300),
        first_run_with_key=True,
    )
    assert code == 2 and "--first-run-with-key needs --signing-key" in buffer.getvalue()


def test_an_encrypted_key_needs_its_passphrase(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ICM_SIGNING_KEY_PASSPHRASE", "correct horse")
    pair = write_key_pair(tmp_path / "k")
    assert (tmp_path / "k").read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY")
    assert key_fingerprint(read_signing_key(tmp_path / "k").public_key()) == pair.fingerprint
    monkeypatch.setenv("ICM_SIGNING_KEY_PASSPHRASE", "wrong")
    with pytest.raises(SigningKeyError, match="passphrase is wrong"):
        read_signing_key(tmp_path / "k")
    monkeypatch.delenv("ICM_SIGNING_KEY_PASSPHRASE")
    with pytest.raises(SigningKeyError, match="encrypted: set ICM_SIGNING_KEY_PASSPHRASE"):
        read_signing_key(tmp_path / "k")
    plain = new_key_pair()
    with pytest.raises(SigningKeyError, match="a passphrase was given for a key that has none"):
        private_key_from_pem(plain.private_pem, passphrase=b"x")


def test_the_wrong_kind_of_file_is_refused_naming_it(tmp_path: Path) -> None:
    rsa = tmp_path / "rsa.pem"
    subprocess.run(
        ["openssl", "genpkey", "-algorithm", "RSA", "-out", str(rsa)],
        check=True,
    )
    with pytest.raises(SigningKeyError, match=f"{rsa} is a .*RSA.*, not an Ed25519 key"):
        read_signing_key(rsa)
    # A curve the library cannot read at all: refused as well, not a traceback.
    curve = tmp_path / "secp112r1.pem"
    subprocess.run(
        ["openssl", "ecparam", "-name", "secp112r1", "-genkey", "-noout", "-out", str(curve)],
        check=True,
    )
    with pytest.raises(SigningKeyError, match="of a kind this library cannot read"):
        read_signing_key(curve)
    with pytest.raises(SigningKeyError, match="not a readable PEM private key"):
        private_key_from_pem(b"hello", name="x")
    with pytest.raises(SigningKeyError, match="not a readable PEM public key"):
        public_key_from_pem(b"hello")
    pair = new_key_pair()
    with pytest.raises(SigningKeyError, match="is a private key: give its public key"):
        public_key_from_pem(pair.private_pem)
    with pytest.raises(SigningKeyError, match="cannot be read"):
        read_signing_key(tmp_path / "missing")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Store:
    legacy, files = generate_legacy(tmp_path_factory.mktemp("legacy"))
    folder = tmp_path_factory.mktemp("sqlite-store")
    return migrate(legacy, files, f"sqlite:///{folder / 'target.sqlite'}", folder / "store")


def reconcile_signed(store: Store, out: Path, signing_key: Path) -> tuple[int, str]:
    buffer = io.StringIO()
    code = run_reconcile(
        source=store.source_url,
        target=store.target_url,
        out_dir=out,
        attachments_dir=store.files,
        attachment_store=store.store,
        console=Console(file=buffer, width=300),
        as_of=synthetic.AS_OF,
        signing_key=signing_key,
    )
    return code, " ".join(buffer.getvalue().split())


def test_reconcile_signs_and_verify_report_checks_the_signature(
    base: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = copy_sqlite_store(base, tmp_path / "copy")
    monkeypatch.setenv("ICM_SIGNING_KEY_PASSPHRASE", "s3cret phrase")
    pair = write_key_pair(tmp_path / "key")
    code, printed = reconcile_signed(store, tmp_path / "report", tmp_path / "key")
    assert code == 0, printed
    assert f"Signed with the key SHA256:{pair.fingerprint[:16]}" in printed
    assert "s3cret" not in printed and pair.private_pem.decode() not in printed

    def verify(*, public_key: Path | None) -> tuple[int, str]:
        buffer = io.StringIO()
        code = run_verify_report(
            tmp_path / "report",
            Console(file=buffer, width=300),
            target=store.target_url,
            public_key=public_key,
        )
        return code, " ".join(buffer.getvalue().split())

    code, printed = verify(public_key=tmp_path / "key.pub")
    assert code == 0 and "Signature verified" in printed and "Pinned" in printed, printed
    code, printed = verify(public_key=None)
    assert code == 0 and "not checked: give --public-key" in printed, printed
    forge_the_csv(tmp_path / "report")
    code, printed = verify(public_key=tmp_path / "key.pub")
    assert code == 1 and "signature does not verify" in printed, printed
    assert verify(public_key=tmp_path / "key")[0] == 2  # the private key given by mistake


def test_a_key_that_cannot_sign_stops_reconcile_before_it_starts(
    base: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = copy_sqlite_store(base, tmp_path / "copy")
    monkeypatch.setenv("ICM_SIGNING_KEY_PASSPHRASE", "one")
    write_key_pair(tmp_path / "key")
    monkeypatch.setenv("ICM_SIGNING_KEY_PASSPHRASE", "another")
    code, printed = reconcile_signed(store, tmp_path / "report", tmp_path / "key")
    assert code == 2 and f"the signing key {tmp_path / 'key'}" in printed, printed
    assert not (tmp_path / "report").exists()
    runs = load.target_table("migration.reconciliation_run")
    with target(store) as engine, engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(runs)).scalar_one() == 0
