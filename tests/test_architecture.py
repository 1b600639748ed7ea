"""Imports flow one way: extract -> transform -> load -> reconcile; flows above all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Stage -> the project packages it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "extract": set(),
    "transform": {"extract"},
    "load": {"extract", "transform"},
    "reconcile": {"extract", "transform", "load"},
    "synthetic": {"extract", "transform"},
    "flows": {"extract", "transform", "load", "reconcile", "synthetic"},
}
PROJECT_PACKAGES = set(ALLOWED)
# Modules a pure stage must not import (transform does no I/O).
IO_MODULES = {
    "sqlalchemy",
    "pyodbc",
    "psycopg",
    "pymysql",
    "prefect",
    "requests",
    "httpx",
    "socket",
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def stage_files(stage: str) -> list[Path]:
    return sorted((ROOT / stage).rglob("*.py"))


def violations_in(stage: str) -> list[str]:
    bad = []
    for path in stage_files(stage):
        for pkg in imported_packages(path) & PROJECT_PACKAGES:
            if pkg != stage and pkg not in ALLOWED[stage]:
                bad.append(f"{path.relative_to(ROOT)} imports {pkg}")
    return bad


@pytest.mark.parametrize("stage", sorted(ALLOWED))
def test_stage_imports_only_earlier_stages(stage: str) -> None:
    assert stage_files(stage), f"{stage}/ has no modules"
    assert violations_in(stage) == []


def test_transform_does_no_io() -> None:
    bad = [
        f"{p.relative_to(ROOT)} imports {m}"
        for p in stage_files("transform")
        for m in imported_packages(p) & IO_MODULES
    ]
    assert bad == []


def test_checker_catches_a_backward_import(tmp_path: Path) -> None:
    """The check itself can fail: an extract module importing load is reported."""
    module = tmp_path / "bad.py"
    module.write_text("import load\nfrom reconcile import x\n")
    assert imported_packages(module) & PROJECT_PACKAGES == {"load", "reconcile"}
    assert "load" not in ALLOWED["extract"] and "reconcile" not in ALLOWED["transform"]
