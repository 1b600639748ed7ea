"""Write a reconciliation report folder: the three renderings, then the manifest that seals them.

Order matters: the report files are written first (each streamed into a
temporary file in the folder, then all three renamed into place), the
manifest last. A crash in between leaves the earlier manifest, which then no
longer matches, so ``verify-report`` fails until the report is written again.

Re-running into the same folder supersedes the report files; the old manifest
is kept in ``history/`` and the new one chains to it (see :mod:`reconcile.manifest`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reconcile.manifest import manifest_sha256, write_manifest
from reconcile.render_csv import write_csv
from reconcile.render_html import write_html
from reconcile.render_json import write_json
from reconcile.result import ReconciliationResult

__all__ = ["CSV_NAME", "HTML_NAME", "JSON_NAME", "REPORT_FILES", "ReportPaths", "write_report"]

JSON_NAME = "reconciliation.json"
CSV_NAME = "discrepancies.csv"
HTML_NAME = "report.html"
REPORT_FILES = (JSON_NAME, CSV_NAME, HTML_NAME)


Writer = Callable[[ReconciliationResult, TextIO], None]


def _write_temporary(
    path: Path, result: ReconciliationResult, write: Writer, encoding: str
) -> Path:
    """Stream ``write(result, ...)`` into a new temporary file beside ``path``, synced to disk."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with open(fd, "w", encoding=encoding, newline="") as handle:
            write(result, handle)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


@dataclass(frozen=True)
class ReportPaths:
    """Where a report was written, and the manifest's SHA-256 to keep in the run record."""

    out_dir: Path
    json: Path
    csv: Path
    html: Path
    manifest: Path
    manifest_sha256: str


def write_report(
    result: ReconciliationResult,
    out_dir: Path,
    *,
    previous_report: Path | None = None,
    signing_key: Ed25519PrivateKey | None = None,
) -> ReportPaths:
    """Render ``result`` into ``out_dir`` (created if need be) and seal it with manifest.json.

    ``previous_report`` is an earlier report folder to chain to when ``out_dir`` is a new
    folder; without it, the chain continues from a manifest already in ``out_dir``, if any.
    ``signing_key`` signs the manifest. Reconciles side by side hold the folder's lock
    (:func:`reconcile.folder_lock.report_folder_lock`) while they write and record it.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    writers: dict[str, tuple[Writer, str]] = {
        JSON_NAME: (write_json, "utf-8"),
        # A byte order mark lets spreadsheet programs read the CSV as UTF-8.
        CSV_NAME: (write_csv, "utf-8-sig"),
        HTML_NAME: (write_html, "utf-8"),
    }
    written: dict[str, Path] = {}
    try:
        for name, (write, encoding) in writers.items():
            written[name] = _write_temporary(out_dir / name, result, write, encoding)
        for name, temporary in written.items():
            os.replace(temporary, out_dir / name)
    finally:
        for temporary in written.values():
            temporary.unlink(missing_ok=True)
    manifest = write_manifest(
        out_dir,
        run_id=result.run_id,
        files=list(REPORT_FILES),
        previous_dir=previous_report,
        generated_at=result.generated_at,
        signing_key=signing_key,
    )
    return ReportPaths(
        out_dir=out_dir,
        json=out_dir / JSON_NAME,
        csv=out_dir / CSV_NAME,
        html=out_dir / HTML_NAME,
        manifest=manifest,
        manifest_sha256=manifest_sha256(out_dir),
    )
