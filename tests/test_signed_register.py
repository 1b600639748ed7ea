"""The register of reports a signing key signed, kept beside the key, outside the store."""

from __future__ import annotations

import errno
import json
import logging
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rich.console import Console

import reconcile.folder_lock as folder_lock
import reconcile.signed_register as signed_register
from flows.engines import store_label
from flows.run_reconcile import EXIT_ERROR, run_reconcile
from flows.signing_keys import signed_reports_path, write_key_pair
from reconcile import (
    RegisterError,
    SignedReport,
    last_signed_report,
    note_signed_report,
    report_folder_lock,
)


def entry(store: str, number: int, folder: Path) -> SignedReport:
    return SignedReport.now(
        store=store,
        reconciliation_id=f"run-{number}",
        manifest_sha256=f"{number:064x}",
        report_dir=folder / str(number),
        key_sha256="ab" * 32,
    )


def test_the_last_report_noted_for_a_store_is_the_one_returned(tmp_path: Path) -> None:
    register = tmp_path / "key.signed-reports"
    assert last_signed_report(register, "postgresql://db:5432/store") is None
    for number, store in enumerate(["sqlite:///a", "sqlite:///b", "sqlite:///a"], start=1):
        note_signed_report(register, entry(store, number, tmp_path))
    last_a = last_signed_report(register, "sqlite:///a")
    assert last_a is not None and last_a.reconciliation_id == "run-3"
    assert last_a.report_dir == str((tmp_path / "3").resolve())
    last_b = last_signed_report(register, "sqlite:///b")
    assert last_b is not None and last_b.manifest_sha256 == f"{2:064x}"
    assert last_signed_report(register, "sqlite:///c") is None
    # Lines are only added, each one JSON object, and the file is its owner's only.
    lines = register.read_text("utf-8").splitlines()
    assert [json.loads(line)["reconciliation_id"] for line in lines] == ["run-1", "run-2", "run-3"]
    assert stat.S_IMODE(register.stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (b'{"store": "sqlite:///a"}\n', "line 2 of the register"),
        (b"not json\n", "line 2 of the register"),
        (b"\xff\xfe\n", "line 2 of the register"),
    ],
)
def test_an_edited_register_is_refused_naming_the_line(
    tmp_path: Path, content: bytes, found: str
) -> None:
    register = tmp_path / "key.signed-reports"
    note_signed_report(register, entry("sqlite:///a", 1, tmp_path))
    register.write_bytes(register.read_bytes() + content)
    with pytest.raises(RegisterError) as raised:
        last_signed_report(register, "sqlite:///a")
    assert found in str(raised.value) and str(register) in str(raised.value)
    assert "a retry will not help" in str(raised.value)


def test_a_register_that_cannot_be_written_says_what_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(path: Path, data: bytes) -> None:
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(signed_register, "write_bytes_atomically", read_only)
    register = tmp_path / "key.signed-reports"
    with pytest.raises(RegisterError) as raised:
        note_signed_report(register, entry("sqlite:///a", 1, tmp_path))
    message = str(raised.value)
    assert "Read-only file system" in message and "the report is signed" in message
    assert "Make the key's folder writable" in message and "a retry may help" in message
    assert not register.exists()


def test_reconciles_side_by_side_keep_each_others_lines(tmp_path: Path) -> None:
    """Each note reads the register and writes it whole: without the lock, two at once
    would keep one line."""
    register = tmp_path / "key.signed-reports"
    numbers = range(1, 25)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(
            pool.map(
                lambda n: note_signed_report(register, entry(f"sqlite:///{n}", n, tmp_path)),
                numbers,
            )
        )
    lines = register.read_text("utf-8").splitlines()
    assert sorted(json.loads(line)["reconciliation_id"] for line in lines) == sorted(
        f"run-{n}" for n in numbers
    )


def test_a_store_is_labelled_without_credentials_and_the_same_however_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert store_label("sqlite:///store.sqlite") == store_label(
        f"sqlite:///{tmp_path / 'store.sqlite'}"
    )
    assert store_label("sqlite:///store.sqlite") != store_label("sqlite:///other.sqlite")
    label = store_label("postgresql+psycopg://migrator:s3cret@db.example:5432/icm_store")
    assert label == "postgresql://db.example:5432/icm_store"
    assert store_label("postgresql://db.example/icm_store") == label
    assert store_label("postgresql://db.example:6543/icm_store") != label
    assert store_label("postgresql://DB.Example/icm_store") == label
    # libpq's host and port in the query name the server too.
    in_query = store_label("postgresql+psycopg://migrator:s3cret@/icm_store?host=10.0.0.5")
    assert in_query == "postgresql://10.0.0.5:5432/icm_store"
    assert store_label("postgresql+psycopg://@/icm_store?host=10.0.0.6") != in_query
    assert store_label("postgresql+psycopg://@/icm_store?host=10.0.0.5&port=6000") != in_query
    assert "s3cret" not in in_query and "migrator" not in in_query
    assert store_label("postgresql+psycopg://@/icm_store?hostaddr=10.0.0.5") == in_query
    assert store_label("postgresql+psycopg://@/icm_store?service=icm-prod") != store_label(
        "postgresql+psycopg://@/icm_store?service=icm-test"
    )
    # Named by libpq's environment, as the driver would connect.
    monkeypatch.setenv("PGHOST", "10.0.0.7")
    monkeypatch.setenv("PGPORT", "6001")
    assert store_label("postgresql+psycopg:///icm_store") == "postgresql://10.0.0.7:6001/icm_store"


def test_the_key_register_sits_beside_the_key(tmp_path: Path) -> None:
    key = tmp_path / "keys" / "report-key"
    assert signed_reports_path(key) == tmp_path / "keys" / "report-key.signed-reports"


def test_reconcile_stops_before_it_starts_when_the_register_cannot_be_read(
    tmp_path: Path,
) -> None:
    key = tmp_path / "signing-key"
    write_key_pair(key)
    signed_reports_path(key).write_text("edited by hand\n", "utf-8")
    console = Console(record=True, width=200)
    code = run_reconcile(
        source=f"sqlite:///{tmp_path / 'legacy.sqlite'}",
        target=f"sqlite:///{tmp_path / 'store.sqlite'}",
        out_dir=tmp_path / "report",
        attachments_dir=None,
        attachment_store=None,
        console=console,
        signing_key=key,
    )
    output = console.export_text()
    assert code == EXIT_ERROR, output
    assert "Reconciliation stopped" in output and "line 1 of the register" in output
    assert not (tmp_path / "report").exists() and not (tmp_path / "store.sqlite").exists()


def test_the_report_folder_lock_file_is_readable_by_all_and_beside_the_folder(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    lock = tmp_path / ".reports.icm-lock"
    with report_folder_lock(folder, exclusive=True):
        assert lock.is_file()  # made when first taken
    assert stat.S_IMODE(lock.stat().st_mode) == 0o644
    assert list(folder.iterdir()) == []  # nothing in the folder its manifest does not list


def test_a_report_folder_that_cannot_be_locked_is_written_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("", "utf-8")
    entered: list[bool] = []
    with caplog.at_level(logging.WARNING, logger="icm.reconcile"):
        for exclusive in (True, False):
            with report_folder_lock(not_a_folder / "reports", exclusive=exclusive):
                entered.append(exclusive)
    assert entered == [True, False]  # the folder is used all the same, unlocked
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "is written unlocked" in warnings[0]


def test_a_lock_the_file_system_refuses_is_a_warning_not_a_failed_reconcile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An NFS client refuses an exclusive flock on a descriptor not open for writing
    (EBADF): the report is written all the same, with a warning."""

    def refused(descriptor: int, operation: int) -> None:
        raise OSError(errno.EBADF, "Bad file descriptor")

    monkeypatch.setattr(folder_lock.fcntl, "flock", refused)
    written: list[bool] = []
    with (
        caplog.at_level(logging.WARNING, logger="icm.reconcile"),
        report_folder_lock(tmp_path / "reports", exclusive=True),
    ):
        written.append(True)
    assert written == [True]
    assert any("cannot be locked (Bad file descriptor)" in r.getMessage() for r in caplog.records)
