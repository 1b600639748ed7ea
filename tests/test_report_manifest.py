"""write_report and verify_report: a sealed report folder, and every way of altering it is caught."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from test_report_render import RUN_ID, sample_result

from reconcile import REPORT_FILES, ManifestError, verify_report, write_manifest, write_report
from reconcile.manifest import HISTORY_DIR, MANIFEST_NAME


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest(out_dir: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((out_dir / MANIFEST_NAME).read_text("utf-8"))
    return loaded


def _rewrite_manifest(out_dir: Path, manifest: dict[str, Any], *, reseal: bool) -> None:
    """Write an edited manifest; ``reseal`` recomputes content_sha256 as a careful forger would."""
    if reseal:
        body = {k: v for k, v in manifest.items() if k != "content_sha256"}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        manifest["content_sha256"] = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    (out_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2), "utf-8")


def _flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle] = ord("x") if data[middle] != ord("x") else ord("y")
    path.write_bytes(bytes(data))


@pytest.fixture
def report(tmp_path: Path) -> Path:
    out_dir = tmp_path / "report"
    write_report(sample_result(), out_dir)
    return out_dir


def test_a_fresh_report_verifies(tmp_path: Path) -> None:
    paths = write_report(sample_result(), tmp_path / "r")
    assert sorted(p.name for p in paths.out_dir.iterdir()) == sorted([*REPORT_FILES, MANIFEST_NAME])
    manifest = _manifest(paths.out_dir)
    assert manifest["run_id"] == RUN_ID
    assert manifest["chain_length"] == 1 and manifest["previous_manifest_sha256"] is None
    assert set(manifest["files"]) == set(REPORT_FILES)
    for name, entry in manifest["files"].items():
        assert entry == {
            "sha256": _sha256(paths.out_dir / name),
            "bytes": (paths.out_dir / name).stat().st_size,
        }
    assert paths.manifest_sha256 == _sha256(paths.manifest)
    assert paths.csv.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for spreadsheets
    assert verify_report(paths.out_dir) == []
    assert verify_report(paths.out_dir, expected_manifest_sha256=paths.manifest_sha256) == []


def test_one_edited_byte_in_the_page_is_caught(report: Path) -> None:
    _flip_one_byte(report / "report.html")
    assert verify_report(report) == [
        "report.html was altered: its SHA-256 differs from the manifest"
    ]


def test_a_deleted_file_is_caught(report: Path) -> None:
    (report / "discrepancies.csv").unlink()
    assert verify_report(report) == ["discrepancies.csv is missing"]


def test_an_added_file_is_caught(report: Path) -> None:
    (report / "notes.txt").write_text("added later", "utf-8")
    (report / HISTORY_DIR).mkdir()
    (report / HISTORY_DIR / "stray.json").write_text("{}", "utf-8")
    assert verify_report(report) == [
        "history/stray.json is not listed in the manifest",
        "notes.txt is not listed in the manifest",
    ]


def test_a_missing_manifest_is_caught(report: Path) -> None:
    (report / MANIFEST_NAME).unlink()
    assert verify_report(report) == ["manifest.json is missing"]


def test_an_edited_manifest_is_caught(report: Path) -> None:
    manifest = _manifest(report)
    manifest["run_id"] = "another-run"
    _rewrite_manifest(report, manifest, reseal=False)
    problems = verify_report(report)
    assert "manifest.json was edited: its content no longer matches its content_sha256" in problems


def test_an_edited_manifest_hiding_an_edited_file_is_caught(report: Path) -> None:
    _flip_one_byte(report / "report.html")
    manifest = _manifest(report)
    manifest["files"]["report.html"]["sha256"] = _sha256(report / "report.html")
    _rewrite_manifest(report, manifest, reseal=False)
    assert verify_report(report) == [
        "manifest.json was edited: its content no longer matches its content_sha256"
    ]


def test_a_resealed_forgery_is_caught_by_the_recorded_manifest_hash(tmp_path: Path) -> None:
    paths = write_report(sample_result(), tmp_path / "r")
    _flip_one_byte(paths.html)
    manifest = _manifest(paths.out_dir)
    manifest["files"]["report.html"]["sha256"] = _sha256(paths.html)
    _rewrite_manifest(paths.out_dir, manifest, reseal=True)
    assert verify_report(paths.out_dir) == []  # self-consistent: only an outside anchor can tell
    assert verify_report(paths.out_dir, expected_manifest_sha256=paths.manifest_sha256) == [
        "manifest.json is not the manifest recorded for this report (SHA-256 differs)"
    ]


def test_a_report_naming_another_run_is_caught(report: Path) -> None:
    document = json.loads((report / "reconciliation.json").read_text("utf-8"))
    document["run_id"] = "another-run"
    (report / "reconciliation.json").write_text(json.dumps(document), "utf-8")
    manifest = _manifest(report)
    manifest["files"]["reconciliation.json"] = {
        "sha256": _sha256(report / "reconciliation.json"),
        "bytes": (report / "reconciliation.json").stat().st_size,
    }
    _rewrite_manifest(report, manifest, reseal=True)
    assert verify_report(report) == ["reconciliation.json names another run than the manifest"]


# --- the chain ----------------------------------------------------------------------------


def test_rerunning_into_the_same_folder_chains_to_the_previous_manifest(tmp_path: Path) -> None:
    out_dir = tmp_path / "r"
    first = write_report(sample_result(), out_dir)
    second = write_report(sample_result(run_id="run-2"), out_dir)
    third = write_report(sample_result(run_id="run-3"), out_dir)
    manifest = _manifest(out_dir)
    assert manifest["run_id"] == "run-3" and manifest["chain_length"] == 3
    assert manifest["previous_manifest_sha256"] == second.manifest_sha256
    history = sorted(p.name for p in (out_dir / HISTORY_DIR).iterdir())
    assert history == sorted([f"{first.manifest_sha256}.json", f"{second.manifest_sha256}.json"])
    assert _manifest(out_dir)["files"]["report.html"]["sha256"] == _sha256(third.html)
    assert verify_report(out_dir) == []


def test_a_new_folder_chains_to_a_previous_report_and_carries_its_history(tmp_path: Path) -> None:
    first = write_report(sample_result(run_id="run-1"), tmp_path / "r1")
    second = write_report(
        sample_result(run_id="run-2"), tmp_path / "r2", previous_report=first.out_dir
    )
    third = write_report(
        sample_result(run_id="run-3"), tmp_path / "r3", previous_report=second.out_dir
    )
    manifest = _manifest(third.out_dir)
    assert (
        manifest["chain_length"] == 3
        and manifest["previous_manifest_sha256"] == second.manifest_sha256
    )
    carried = {p.name for p in (third.out_dir / HISTORY_DIR).iterdir()}
    assert carried == {f"{first.manifest_sha256}.json", f"{second.manifest_sha256}.json"}
    assert [verify_report(p.out_dir) for p in (first, second, third)] == [[], [], []]


def _chained(tmp_path: Path) -> tuple[Path, str]:
    out_dir = tmp_path / "r"
    first = write_report(sample_result(run_id="run-1"), out_dir)
    write_report(sample_result(run_id="run-2"), out_dir)
    return out_dir, first.manifest_sha256


def test_a_missing_link_breaks_the_chain(tmp_path: Path) -> None:
    out_dir, first_sha = _chained(tmp_path)
    (out_dir / HISTORY_DIR / f"{first_sha}.json").unlink()
    assert verify_report(out_dir) == [
        f"broken chain: manifest.json links to history/{first_sha}.json, which is missing"
    ]


def test_an_altered_earlier_manifest_breaks_the_chain(tmp_path: Path) -> None:
    out_dir, first_sha = _chained(tmp_path)
    _flip_one_byte(out_dir / HISTORY_DIR / f"{first_sha}.json")
    assert verify_report(out_dir) == [
        f"broken chain: history/{first_sha}.json was altered (its SHA-256 is not its name)"
    ]


def test_a_relinked_manifest_breaks_the_chain(tmp_path: Path) -> None:
    out_dir, first_sha = _chained(tmp_path)
    manifest = _manifest(out_dir)
    manifest["previous_manifest_sha256"] = "0" * 64
    _rewrite_manifest(out_dir, manifest, reseal=True)
    assert verify_report(out_dir) == [
        f"broken chain: manifest.json links to history/{'0' * 64}.json, which is missing",
        f"history/{first_sha}.json is not listed in the manifest",
    ]


def test_a_shortened_chain_length_is_caught(tmp_path: Path) -> None:
    out_dir, _ = _chained(tmp_path)
    manifest = _manifest(out_dir)
    manifest["chain_length"] = 1
    _rewrite_manifest(out_dir, manifest, reseal=True)
    assert any("chain_length 1" in p for p in verify_report(out_dir))


# --- refusing to write a manifest that would lie ------------------------------------------


def test_write_manifest_refuses_what_it_cannot_seal(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a", "utf-8")
    with pytest.raises(ManifestError, match="not a report file"):
        write_manifest(tmp_path, run_id="r", files=["a.txt", "b.txt"])
    with pytest.raises(ManifestError, match="not a report file"):
        write_manifest(tmp_path, run_id="r", files=["../a.txt"])
    with pytest.raises(ManifestError, match=r"no manifest\.json"):
        write_manifest(tmp_path, run_id="r", files=["a.txt"], previous_dir=tmp_path / "nowhere")
    (tmp_path / MANIFEST_NAME).write_text("not json", "utf-8")
    with pytest.raises(ManifestError, match="is not a report manifest"):
        write_manifest(tmp_path, run_id="r", files=["a.txt"])


def test_chaining_to_a_report_with_a_broken_history_is_refused(tmp_path: Path) -> None:
    out_dir, first_sha = _chained(tmp_path)
    (out_dir / HISTORY_DIR / f"{first_sha}.json").unlink()
    with pytest.raises(ManifestError, match="chain is broken"):
        write_report(sample_result(run_id="run-3"), tmp_path / "next", previous_report=out_dir)
