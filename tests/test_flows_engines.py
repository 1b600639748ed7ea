"""Credentials stay out of logs, reports, the database and Prefect's records."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.connections import hold, resolve
from flows.engines import (
    SettingError,
    check_settings,
    is_odbc_connection_string,
    redact,
)


@pytest.mark.parametrize(
    ("given", "hidden"),
    [
        ("postgresql+psycopg://icm:s3cret@db.example:5432/icm", "s3cret"),
        ("mysql+pyodbc://root:s3cret@127.0.0.1/icm?driver=MariaDB+Unicode", "s3cret"),
        ("postgresql+psycopg://icm@db/icm?password=s3cret", "s3cret"),
        ("DRIVER={PostgreSQL Unicode};Server=db;Uid=icm;Pwd=s3cret;", "s3cret"),
        ("DRIVER={X};PASSWORD={s3;cret};UID=u", "s3;cret"),
    ],
)
def test_redact_removes_the_password(given: str, hidden: str) -> None:
    shown = redact(given)
    assert hidden not in shown
    assert "***" in shown or "%2A%2A%2A" in shown


def test_redact_keeps_what_identifies_the_database() -> None:
    assert (
        redact("postgresql+psycopg://icm:pw@db.example:5432/icm")
        == "postgresql+psycopg://icm:***@db.example:5432/icm"
    )
    assert redact("sqlite:///work/legacy.sqlite") == "sqlite:///work/legacy.sqlite"


def test_odbc_strings_are_told_from_urls() -> None:
    assert is_odbc_connection_string("DRIVER={SQLite3};Database=x.sqlite")
    assert is_odbc_connection_string("DSN=icm")
    assert not is_odbc_connection_string("sqlite:///x.sqlite")


def test_held_connections_resolve_only_in_this_process() -> None:
    ref = hold("postgresql+psycopg://icm:pw@db/icm")
    assert "pw" not in ref
    assert resolve(ref) == "postgresql+psycopg://icm:pw@db/icm"
    assert resolve("sqlite:///plain.sqlite") == "sqlite:///plain.sqlite"
    with pytest.raises(ValueError, match="not held"):
        resolve("held-connection:0000")


@pytest.mark.parametrize(
    ("source", "target", "says"),
    [
        (
            "bogus://u:s3cret@h/db",
            "sqlite://",
            "The legacy source bogus://u:***@h/db names a database kind",
        ),
        (
            "sqlite://",
            "mssql+pymssql://u:s3cret@h/db",
            "needs a Python driver that is not installed (pymssql)",
        ),
        (
            "u:s3cret@host/db",
            "sqlite://",
            "The legacy source is neither a SQLAlchemy URL nor an ODBC",
        ),
        ("sqlite://", "not a url s3cret", "The target is neither a SQLAlchemy URL nor an ODBC"),
    ],
)
def test_an_unusable_source_or_target_is_a_setting_error_naming_its_side(
    source: str, target: str, says: str
) -> None:
    """Before a flow starts and without connecting: the message names the side and says a
    retry will not help, and never shows the password."""
    with pytest.raises(SettingError) as caught:
        check_settings(source, target)
    assert says in str(caught.value) and "a retry will not help" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_usable_settings_pass_without_connecting(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "legacy.sqlite"
    check_settings(f"sqlite:///{missing}", "postgresql+psycopg://u:pw@127.0.0.1:1/none")
    check_settings("DRIVER={No Such Driver};Database=x", f"sqlite:///{tmp_path / 't.sqlite'}")
    assert not missing.parent.exists() and not (tmp_path / "t.sqlite").exists()


def test_prefect_telemetry_is_off_unless_the_environment_asks_for_it() -> None:
    """No usage report leaves the machine: importing flows turns Prefect's telemetry off, and
    an explicit setting still wins."""
    script = (
        "import flows.cli, prefect.settings\n"
        "from prefect._internal.analytics import is_telemetry_enabled\n"
        "print(prefect.settings.get_current_settings().server.analytics_enabled,"
        " is_telemetry_enabled())\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CI", "DO_NOT_TRACK", "PREFECT_SERVER_ANALYTICS_ENABLED")
        and not k.startswith(("GITHUB_", "GITLAB_", "BUILDKITE", "CIRCLECI", "TRAVIS", "JENKINS"))
    }
    off = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert off.returncode == 0, off.stderr[-2000:]
    assert off.stdout.split() == ["False", "False"]
    asked = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "PREFECT_SERVER_ANALYTICS_ENABLED": "true"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert asked.returncode == 0, asked.stderr[-2000:]
    assert asked.stdout.split()[0] == "True"
