"""Write a reconciliation report folder: the three renderings, then the manifest that seals them.

Order matters: the report files are written first (each atomically), the
manifest last. A crash in between leaves the earlier manifest, which then no
longer matches, so ``verify-report`` fails until the report is written again.

Re-running into the same folder supersedes the report files; the old manifest
is kept in ``history/`` and the new one chains to it (see :mod:`reconcile.manifest`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconcile.manifest import manifest_sha256, write_bytes_atomically, write_manifest
from reconcile.render_csv import render_csv
from reconcile.render_html import render_html
from reconcile.render_json import render_json
from reconcile.result import ReconciliationResult

__all__ = ["CSV_NAME", "HTML_NAME", "JSON_NAME", "REPORT_FILES", "ReportPaths", "write_report"]

JSON_NAME = "reconciliation.json"
CSV_NAME = "discrepancies.csv"
HTML_NAME = "report.html"
REPORT_FILES = (JSON_NAME, CSV_NAME, HTML_NAME)


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
    result: ReconciliationResult, out_dir: Path, *, previous_report: Path | None = None
) -> ReportPaths:
    """Render ``result`` into ``out_dir`` (created if need be) and seal it with manifest.json.

    ``previous_report`` is an earlier report folder to chain to when ``out_dir`` is a new
    folder; without it, the chain continues from a manifest already in ``out_dir``, if any.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    contents = {
        JSON_NAME: render_json(result).encode("utf-8"),
        # A byte order mark lets spreadsheet programs read the CSV as UTF-8.
        CSV_NAME: render_csv(result).encode("utf-8-sig"),
        HTML_NAME: render_html(result).encode("utf-8"),
    }
    for name, data in contents.items():
        write_bytes_atomically(out_dir / name, data)
    manifest = write_manifest(
        out_dir,
        run_id=result.run_id,
        files=list(REPORT_FILES),
        previous_dir=previous_report,
        generated_at=result.generated_at,
    )
    return ReportPaths(
        out_dir=out_dir,
        json=out_dir / JSON_NAME,
        csv=out_dir / CSV_NAME,
        html=out_dir / HTML_NAME,
        manifest=manifest,
        manifest_sha256=manifest_sha256(out_dir),
    )
