"""The wheel ships every package, its data files and the migrations, and works once installed.

The wheel is built from a copy of the repository (so the build leaves no
``build/`` or ``*.egg-info`` behind in the working tree, and parallel test
runs do not race), without build isolation and without an index: no network.
That needs setuptools with ``bdist_wheel`` (>= 70.1, or the ``wheel`` package)
in the virtual environment.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("extract", "transform", "load", "reconcile", "flows", "synthetic")
# Never copied into the build tree (top level only, besides caches anywhere).
SKIP_AT_ROOT = {".git", ".venv", "work", "build", "dist", "bench", "tests", "docs"}
SKIP_ANYWHERE = ("__pycache__", "*.egg-info", ".*_cache", "*.pyc")


def _ignore(root: Path) -> Callable[[str, list[str]], set[str]]:
    anywhere = shutil.ignore_patterns(*SKIP_ANYWHERE)

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set(anywhere(directory, names))
        if Path(directory) == root:
            skipped |= SKIP_AT_ROOT & set(names)
        return skipped

    return ignore


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    shutil.copytree(ROOT, source, ignore=_ignore(ROOT))
    out = base / "dist"
    command = [
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "--no-index", "--quiet", "--wheel-dir", str(out), str(source),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, (
        "building the wheel failed (the venv needs setuptools>=70.1 and wheel):\n"
        + done.stdout[-3000:]
        + done.stderr[-3000:]
    )
    wheels = list(out.glob("icm_migrate-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


@pytest.mark.parametrize("package", PACKAGES)
def test_wheel_contains_every_package(wheel_files: set[str], package: str) -> None:
    assert f"{package}/__init__.py" in wheel_files
    modules = {name for name in wheel_files if name.startswith(f"{package}/")}
    source_modules = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / package).rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert source_modules <= modules, sorted(source_modules - modules)


def test_wheel_contains_the_data_files_and_migrations(wheel_files: set[str]) -> None:
    expected = {
        "extract/legacy_schema.yaml",
        "reconcile/reconciliation-report.schema.json",
        "load/migrations/__init__.py",
        "load/migrations/env.py",
        "load/migrations/script.py.mako",
        "load/migrations/versions/__init__.py",
        "load/migrations/versions/0001_initial.py",
        "load/migrations/versions/0002_reconciliation_run.py",
        "load/migrations/versions/0003_run_as_of.py",
        "load/migrations/versions/0004_legacy_row_id_byte_order.py",
        "load/migrations/versions/0005_ledger_output_digest.py",
    }
    assert expected <= wheel_files, sorted(expected - wheel_files)
    shipped_versions = {n for n in wheel_files if n.startswith("load/migrations/versions/")}
    repo_versions = {
        p.relative_to(ROOT).as_posix() for p in (ROOT / "load/migrations/versions").glob("*.py")
    }
    assert repo_versions == shipped_versions


def test_wheel_declares_the_icm_migrate_command(wheel: Path, wheel_files: set[str]) -> None:
    [entry_points] = [n for n in wheel_files if n.endswith(".dist-info/entry_points.txt")]
    parser = configparser.ConfigParser()
    with zipfile.ZipFile(wheel) as archive:
        parser.read_string(archive.read(entry_points).decode("utf-8"))
    assert parser["console_scripts"]["icm-migrate"].strip() == "flows.cli:app"


def test_installed_wheel_creates_the_target_schema(wheel: Path, tmp_path: Path) -> None:
    """From the unpacked wheel (not the checkout), init_target finds its migrations and runs them."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    script = (
        "import sqlalchemy as sa\n"
        "import load.schema_setup as s\n"
        f"assert s.__file__.startswith({str(site)!r}), s.__file__\n"
        f"engine = sa.create_engine('sqlite:///{tmp_path / 'target.sqlite'}')\n"
        "print(s.init_target(engine), len(s.present_target_tables(engine)))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["0010", "30"]
