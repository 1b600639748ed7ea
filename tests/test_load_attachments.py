"""Attachment binaries: status per file, flags, content-addressed store, idempotent and streamed."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from test_load_support import make_target, simple_batch

import load
from load.attachments import store_file
from transform.identity import target_id

CONTENT = b"%PDF-1.4 assessment\n" * 100


def attachment_frame(rows: list[tuple[str, str | None, int | None]]) -> pd.DataFrame:
    """(ROW_ID, revision, FILE_SIZE) -> the attachment upsert frame's relevant columns."""
    return pd.DataFrame(
        [
            {
                "id": target_id("S_ACTIVITY_ATT", rid),
                "legacy_row_id": rid,
                "revision": rev,
                "size_bytes": size,
                "file_name": f"note {rid}",
                "sha256": None,
                "storage_key": None,
                "binary_status": None,
            }
            for rid, rev, size in rows
        ],
        dtype=object,
    )


@pytest.fixture
def siebel(tmp_path: Path) -> Path:
    folder = tmp_path / "siebel"
    folder.mkdir()
    (folder / "1-PRES_1.SAF").write_bytes(CONTENT)
    (folder / "1-SIZE_2.SAF").write_bytes(CONTENT[:500])
    (folder / "1-EMPT_1.SAF").write_bytes(b"")
    (folder / "1-COPY_1.SAF").write_bytes(CONTENT)
    return folder


def test_each_file_gets_its_status_and_flags(siebel: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    frame = attachment_frame(
        [
            ("1-PRES", "1", len(CONTENT)),
            ("1-SIZE", "2", 999),
            ("1-MISS", "1", 10),
            ("1-EMPT", "1", 0),
            ("1-COPY", "1", len(CONTENT)),
        ]
    )
    out, flags = load.store_attachments(frame, attachments_dir=siebel, store_dir=store)

    status = dict(zip(out["legacy_row_id"], out["binary_status"], strict=True))
    assert status == {
        "1-PRES": "present",
        "1-SIZE": "size_mismatch",
        "1-MISS": "missing",
        "1-EMPT": "present",
        "1-COPY": "present",
    }
    by_code = {(f.legacy_row_id, f.code): f for f in flags}
    assert set(by_code) == {
        ("1-SIZE", "ATTACHMENT_SIZE_MISMATCH"),
        ("1-MISS", "ATTACHMENT_MISSING"),
        ("1-EMPT", "ATTACHMENT_EMPTY"),
    }
    mismatch = by_code[("1-SIZE", "ATTACHMENT_SIZE_MISMATCH")]
    assert (mismatch.field, mismatch.original_value, mismatch.normalised_value) == (
        "FILE_SIZE",
        "999",
        "500",
    )
    missing = by_code[("1-MISS", "ATTACHMENT_MISSING")]
    assert (missing.legacy_table, missing.field, missing.target_table) == (
        "S_ACTIVITY_ATT",
        "FILE_NAME",
        "attachment",
    )
    assert missing.target_id == str(target_id("S_ACTIVITY_ATT", "1-MISS"))

    sha = hashlib.sha256(CONTENT).hexdigest()
    stored = out.set_index("legacy_row_id")
    assert (
        stored.loc["1-PRES", "sha256"] == sha
        and stored.loc["1-PRES", "storage_key"] == f"{sha[:2]}/{sha}"
    )
    assert stored.loc["1-COPY", "storage_key"] == stored.loc["1-PRES", "storage_key"]  # stored once
    assert stored.loc["1-MISS", "sha256"] is None and stored.loc["1-MISS", "storage_key"] is None
    assert (store / sha[:2] / sha).read_bytes() == CONTENT
    empty = hashlib.sha256(b"").hexdigest()
    assert (store / empty[:2] / empty).read_bytes() == b""
    files = sorted(p.relative_to(store).as_posix() for p in store.rglob("*") if p.is_file())
    small = hashlib.sha256(CONTENT[:500]).hexdigest()
    assert files == sorted({f"{sha[:2]}/{sha}", f"{empty[:2]}/{empty}", f"{small[:2]}/{small}"})
    assert frame["binary_status"].isna().all()  # the input frame is left as it was


def test_storing_again_is_a_no_op(siebel: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    frame = attachment_frame([("1-PRES", "1", len(CONTENT))])
    first, _ = load.store_attachments(frame, attachments_dir=siebel, store_dir=store)
    path = store / str(first.loc[0, "storage_key"])
    stamp = path.stat().st_mtime_ns
    second, flags = load.store_attachments(frame, attachments_dir=siebel, store_dir=store)
    assert flags == [] and second.equals(first)
    assert path.stat().st_mtime_ns == stamp
    assert not [p for p in store.rglob(".incoming-*")]


def test_a_partial_file_left_by_a_crash_is_not_trusted(siebel: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    sha = hashlib.sha256(CONTENT).hexdigest()
    (store / sha[:2]).mkdir(parents=True)
    (store / sha[:2] / sha).write_bytes(CONTENT[:10])  # not via the temp-and-rename path
    stored = store_file(siebel / "1-PRES_1.SAF", store)
    assert stored.sha256 == sha and (store / stored.storage_key).read_bytes() == CONTENT


def test_files_are_streamed_in_chunks(tmp_path: Path) -> None:
    big = tmp_path / "1-BIG_1.SAF"
    payload = bytes(range(256)) * (32 * 1024 + 7)  # a little over 8 MiB: several chunks
    big.write_bytes(payload)
    expected_sha, expected_size = hashlib.sha256(payload).hexdigest(), len(payload)
    del payload
    tracemalloc.start()
    try:
        stored = store_file(big, tmp_path / "store")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == expected_size and stored.sha256 == expected_sha
    assert peak < 4 * 1024 * 1024  # never the whole file in memory
    assert (tmp_path / "store" / stored.storage_key).stat().st_size == expected_size


def test_a_row_id_that_would_leave_the_folder_is_missing(siebel: Path, tmp_path: Path) -> None:
    (tmp_path / "secret_1.SAF").write_bytes(b"outside")
    out, flags = load.store_attachments(
        attachment_frame([("../secret", "1", 7)]),
        attachments_dir=siebel,
        store_dir=tmp_path / "store",
    )
    assert list(out["binary_status"]) == ["missing"] and [f.code for f in flags] == [
        "ATTACHMENT_MISSING"
    ]


def test_stored_attachments_load_with_their_flags(siebel: Path, tmp_path: Path) -> None:
    """The flow's path: store the files, add the flags to the batch, write it."""
    engine = make_target(f"sqlite:///{tmp_path / 'target.sqlite'}")
    run = load.start_run(engine, kind="full", source="test", code_version="t", rules_version="t")
    load.write_batch(
        engine,
        simple_batch("S_EVT_ACT", "activity", {"1-ACT": {"body_suspected_truncated": False}}),
        run_id=run,
    )
    activity = target_id("S_EVT_ACT", "1-ACT")
    sizes = {"1-PRES": ("1", len(CONTENT)), "1-MISS": ("1", 3), "1-EMPT": ("1", 4)}
    result = simple_batch(
        "S_ACTIVITY_ATT",
        "attachment",
        {
            rid: {
                "activity_id": activity,
                "revision": rev,
                "size_bytes": size,
                "file_name": "x.pdf",
                "binary_status": "pending",
            }
            for rid, (rev, size) in sizes.items()
        },
    )
    stored, flags = load.store_attachments(
        result.upserts["attachment"], attachments_dir=siebel, store_dir=tmp_path / "store"
    )
    result.upserts["attachment"] = stored
    result.flags.extend(flags)
    counts = load.write_batch(engine, result, run_id=run)
    assert (counts.loaded, counts.flags) == (3, 3)
    with engine.connect() as conn:
        found = dict(
            conn.execute(sa.text("SELECT legacy_row_id, binary_status FROM attachment")).all()
        )
        codes = sorted(conn.execute(sa.text("SELECT legacy_row_id, code FROM dq_flag")).all())
    assert found == {"1-PRES": "present", "1-MISS": "missing", "1-EMPT": "size_mismatch"}
    assert codes == [
        ("1-EMPT", "ATTACHMENT_EMPTY"),
        ("1-EMPT", "ATTACHMENT_SIZE_MISMATCH"),
        ("1-MISS", "ATTACHMENT_MISSING"),
    ]
    engine.dispose()


def test_a_store_that_cannot_be_written_names_the_first_row_it_failed_for(
    siebel: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    store.write_text("a file where the store folder should be")
    frame = attachment_frame([("1-MISS", "1", 10), ("1-SIZE", "2", 999), ("1-PRES", "1", 2000)])
    with pytest.raises(load.TerminalLoadError) as caught:
        load.store_attachments(frame, attachments_dir=siebel, store_dir=store)
    assert caught.value.legacy_row_id == "1-SIZE", "the first row in order whose file failed"
    assert "cannot copy an attachment file" in str(caught.value)


def test_many_files_are_stored_concurrently_in_row_order(tmp_path: Path) -> None:
    siebel = tmp_path / "siebel"
    siebel.mkdir()
    rows = []
    for n in range(60):
        (siebel / f"1-F{n:02d}_1.SAF").write_bytes(CONTENT + n.to_bytes(2, "big"))
        rows.append((f"1-F{n:02d}", "1", len(CONTENT) + 2))
    rows.append(("1-DUP", "1", len(CONTENT) + 2))  # the same bytes as 1-F07: one stored file
    (siebel / "1-DUP_1.SAF").write_bytes(CONTENT + (7).to_bytes(2, "big"))
    stored, flags = load.store_attachments(
        attachment_frame(rows), attachments_dir=siebel, store_dir=tmp_path / "store"
    )
    assert flags == []
    expected = [
        hashlib.sha256(CONTENT + (n if rid != "1-DUP" else 7).to_bytes(2, "big")).hexdigest()
        for n, (rid, _, _) in enumerate(rows)
    ]
    assert list(stored["sha256"]) == expected
    assert set(stored["binary_status"]) == {"present"}
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert len(files) == 60
