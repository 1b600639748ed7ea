"""Reconciliation speed and memory, with reladiff on the same data for scale: prints figures.

    .venv/bin/python bench/reconcile.py [--persons 20000] [--scales 1 5] [--batch 5000] [--parallel]

For each scale: the same data as bench/migrate.py (s x persons generated into
a fresh PostgreSQL legacy database and migrated into a fresh PostgreSQL
target), then, each in a child process that reports its own peak memory:
``reconcile`` of every legacy table against the store, and reladiff
(``pip install -e '.[bench]'``) diffing the largest legacy table against a raw copy
of itself. Rows/s of reconcile count every legacy row; reladiff's count the
rows of the one table it diffs. The databases are vacuumed and analysed after
each load. Also printed, as floors: every legacy and store row read into
Python with no other work (the least a value-by-value comparison of both sides
must do), and the time the migration rules and the source hashes take within
the reconcile (one process only).

Last, for the largest table (S_EVT_ACT), what a columnar redesign would cost
(bench/columnar_probe.py: Arrow reads, the rules over whole columns), beside
the reconcile's own time for that table, reladiff's, and a binary COPY of both
sides; then the store is tampered with and the probe run again, to show its
figures are those of a check that finds changes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).parent))

import columnar_probe
import psycopg
from migrate import AS_INSTALLED, ROOT, _libpq, fresh_database, raw_copy
from process_tree import run_sampled

import extract
import load
import synthetic
from flows.engines import make_engine

MIGRATE = (
    AS_INSTALLED
    + """
import sys, datetime as dt
from pathlib import Path
from flows.pipeline import migrate_direct
src, tgt, files, store, batch, as_of = sys.argv[1:7]
migrate_direct(src, tgt, attachments_dir=Path(files), attachment_store=Path(store),
               batch_size=int(batch), as_of=dt.date.fromisoformat(as_of))
"""
)

RECONCILE = (
    AS_INSTALLED
    + """
import json, sys, time
from pathlib import Path
import extract.batches, transform
import flows.reconcile_flow as flow
import reconcile.content as content, reconcile.engine as engine, reconcile.key_range as key_range
from flows.reconcile_flow import reconcile_direct
src, tgt, files, store, out, batch, parallel = sys.argv[1:8]
spent = {}
def timed(owner, name, label):
    function = getattr(owner, name)  # AttributeError: a renamed step; update this list
    def run(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - started
    setattr(owner, name, run)
def timed_steps(owner, name, label):
    function = getattr(owner, name)
    def run(*args, **kwargs):
        items = iter(function(*args, **kwargs))
        while True:
            started = time.perf_counter()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - started
            yield item
    setattr(owner, name, run)
# Where the time goes (this process's share only: with --parallel most batches are
# transformed in the worker). Each step is timed inclusively: the source reads
# include the hashes; the presence checks include the key reads they make.
timed(transform, "transform_batch", "rules_seconds")
timed(extract.batches, "source_hashes", "hash_seconds")
timed_steps(engine.extract, "read_batches", "source reads (hashes included)")
timed(flow, "context_for", "batch contexts")
for name in ("read_ledger", "read_lineage_rows", "read_quarantine_records", "read_flags"):
    timed(key_range, name, "store reads by key range")
timed(content, "records", "comparison")
for name in ("_compare_upserts", "_compare_updates", "check_quarantine_records", "check_flags"):
    timed(content, name, "comparison")
timed(key_range._Range, "rows_not_made", "comparison")
for name in ("completeness", "missing_main_rows", "unloaded_target_rows"):
    timed(key_range._Range, name, "presence checks")
timed(key_range, "check_bookkeeping_presence", "presence checks")
for name in ("orphan_references", "attachment_mismatches", "_unknown_lineage", "check_match_candidates"):
    timed_steps(engine, name, "pairs, orphans, attachments")
timed(flow, "proposed_pairs", "pairs, orphans, attachments")
tables = {}
reconcile_table = engine._reconcile_table
def per_table(source, conn, legacy_table, *args, **kwargs):
    started = time.perf_counter()
    try:
        return reconcile_table(source, conn, legacy_table, *args, **kwargs)
    finally:
        tables[legacy_table] = time.perf_counter() - started
engine._reconcile_table = per_table
t = time.perf_counter()
outcome = reconcile_direct(source=src, target=tgt, out_dir=Path(out), attachments_dir=Path(files),
                           attachment_store=Path(store), batch_size=int(batch),
                           parallel=parallel == "parallel")
print(json.dumps({"seconds": time.perf_counter() - t, "status": outcome.result.status,
                  "rules_seconds": spent.pop("rules_seconds"), "hash_seconds": spent.pop("hash_seconds"),
                  "steps": spent, "tables": tables,
                  "peak_rss_mb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024}))
"""
)

RELADIFF = """
import json, sys, time
import reladiff
a, b, table, columns = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
a, b = (u.replace("postgresql+psycopg://", "postgresql://") for u in (a, b))
t = time.perf_counter()
left = reladiff.connect_to_table(a, table, "ROW_ID", extra_columns=tuple(columns))
right = reladiff.connect_to_table(b, table, "ROW_ID", extra_columns=tuple(columns))
differences = sum(1 for _ in reladiff.diff_tables(left, right))
print(json.dumps({"seconds": time.perf_counter() - t, "differences": differences,
                  "peak_rss_mb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024}))
"""


def _child(code: str, *args: str) -> dict[str, object]:
    """Run ``code`` in a child; its JSON line, with ``tree_peak_mb``: the peak of the child and the
    processes it started (reconcile's transform worker), sampled."""
    done, tree_peak = run_sampled([sys.executable, "-c", code, *args], cwd=ROOT)
    measured = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}
    return {**measured, "tree_peak_mb": tree_peak}


def _read_every_row(url: str, tables: list[str], batch: int) -> int:
    """Fetch every row of ``tables`` into Python tuples, ``batch`` at a time, and drop them."""
    rows = 0
    with psycopg.connect(_libpq(url)) as conn:
        for table in tables:
            with conn.cursor(name="every_row") as cursor:
                cursor.execute(f"SELECT * FROM {table}")
                while page := cursor.fetchmany(batch):
                    rows += len(page)
    return rows


def bare_read(legacy_url: str, target_url: str, batch: int) -> dict[str, float]:
    """Every legacy row and every store row read into Python, with no other work.

    The least any value-by-value reconciliation must do: both sides' values in one
    process. (reladiff need not: it compares checksums computed inside the database.)
    """
    store_tables = [
        f'"{t.schema}"."{t.name}"' if t.schema else f'"{t.name}"'
        for t in load.target_metadata().sorted_tables
        if t.name != "alembic_version"
    ]
    started = time.perf_counter()
    legacy_rows = _read_every_row(legacy_url, [f'"{t}"' for t in extract.LEGACY_TABLE_NAMES], batch)
    store_rows = _read_every_row(target_url, store_tables, batch)
    return {
        "legacy_rows": legacy_rows,
        "store_rows": store_rows,
        "seconds": time.perf_counter() - started,
    }


def settle(*urls: str) -> None:
    """VACUUM ANALYZE each database, so that autovacuum, woken by the load just done, does
    not compete for the 2 cores with what is measured next."""
    for url in urls:
        with psycopg.connect(_libpq(url), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")


def _probe(legacy: str, target: str, batch: int, *options: str) -> dict[str, object]:
    """bench/columnar_probe.py in a child; its JSON line."""
    script = Path(__file__).parent / "columnar_probe.py"
    done, _ = run_sampled(
        [sys.executable, str(script), legacy, target, "--batch", str(batch), *options], cwd=ROOT
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(result, dict)
    return result


def _print_probe(r: dict[str, object], ours: dict[str, object]) -> None:
    probe, table = r["probe"], columnar_probe.TABLE
    assert isinstance(probe, dict)
    clean, tampered, wanted = probe["clean"], probe["tampered"], probe["wanted"]
    rows = clean["rows"]

    def per_row(seconds: object) -> str:
        return f"{1e6 * float(seconds) / rows:.0f} µs/row"

    tables, theirs = ours.get("tables", {}), r["reladiff"]
    assert isinstance(tables, dict) and isinstance(theirs, dict)
    print(
        f"  columnar probe, {table} ({rows:,} rows): {clean['seconds']:.1f} s = "
        f"{per_row(clean['seconds'])}, peak {clean['peak_rss_mb']:.0f} MB, "
        f"{clean['fallback_rows']} rows left to a per-row check. Same table: "
        + (f"the reconcile {per_row(tables[table])}, " if table in tables else "")
        + (
            f"reladiff {per_row(theirs['seconds'])}, "
            if "seconds" in theirs and r["reladiff_table"] == table
            else ""
        )
        + f"COPY of both sides alone {per_row(probe['transfer_seconds'])}",
        flush=True,
    )
    print(
        "    probe steps: "
        + "; ".join(f"{name} {per_row(seconds)}" for name, seconds in clean["steps"].items()),
        flush=True,
    )
    floor = probe["floor"]
    print(
        f"    columnar, every table but no rule ({floor['rows']:,} legacy rows; both sides read "
        "into Arrow by key range, source hashes, ids, parents' outcomes, a comparison): "
        f"{1e6 * floor['seconds'] / floor['rows']:.0f} µs per legacy row ("
        + "; ".join(
            f"{name} {1e6 * seconds / floor['rows']:.1f}"
            for name, seconds in floor["steps"].items()
        )
        + f"), {floor['hashes_unlike_the_ledger']} hashes unlike the ledger's; "
        f"one binary COPY of every table of both sides "
        f"{1e6 * float(probe['transfer_all_seconds']) / floor['rows']:.0f} µs per legacy row",
        flush=True,
    )
    found_clean = {k: v for k, v in clean["found"].items() if v}
    found_tampered = {k: v for k, v in tampered["found"].items() if v}
    print(
        "    probe self-check: "
        + ("clean store, nothing found" if not found_clean else f"clean store, found {found_clean}")
        + "; store tampered with "
        + (
            "(a trailing space, one second, one flag deleted): found exactly that"
            if found_tampered == wanted
            else f"{wanted}: found {found_tampered}"
        ),
        flush=True,
    )


def run_scale(persons: int, batch: int, parallel: bool) -> dict[str, object]:
    with (
        tempfile.TemporaryDirectory() as folder,
        fresh_database("legacy") as legacy,
        fresh_database("target") as target,
        fresh_database("raw") as raw,
    ):
        files, store, out = Path(folder) / "files", Path(folder) / "store", Path(folder) / "report"
        manifest = synthetic.generate(
            make_engine(legacy), persons=persons, seed=1, attachments_dir=files
        )
        rows = sum(manifest.row_counts.values())
        subprocess.run(
            [
                sys.executable,
                "-c",
                MIGRATE,
                legacy,
                target,
                str(files),
                str(store),
                str(batch),
                synthetic.AS_OF.isoformat(),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        settle(legacy, target)
        ours = _child(
            RECONCILE,
            legacy,
            target,
            str(files),
            str(store),
            str(out),
            str(batch),
            "parallel" if parallel else "one-process",
        )
        floor = bare_read(legacy, target, batch)
        raw_copy(legacy, raw)
        settle(raw)
        biggest = max(manifest.row_counts, key=lambda t: manifest.row_counts[t])
        engine = make_engine(legacy)
        columns = [
            c["name"] for c in sa.inspect(engine).get_columns(biggest) if c["name"] != "ROW_ID"
        ]
        engine.dispose()
        try:
            theirs = _child(RELADIFF, legacy, raw, biggest, ",".join(columns))
        except (subprocess.CalledProcessError, ValueError) as exc:
            theirs = {"error": type(exc).__name__}
        probe = {
            "clean": _probe(legacy, target, batch),
            "floor": _probe(legacy, target, batch, "--floor"),
            "transfer_seconds": columnar_probe.transfer_seconds(legacy, target),
            "transfer_all_seconds": columnar_probe.transfer_seconds(
                legacy, target, every_table=True
            ),
            "wanted": columnar_probe.tamper(target),
        }
        probe["tampered"] = _probe(legacy, target, batch)
    return {
        "probe": probe,
        "persons": persons,
        "rows": rows,
        "ours": ours,
        "bare_read": floor,
        "reladiff_table": biggest,
        "reladiff_rows": manifest.row_counts[biggest],
        "reladiff": theirs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--scales", type=int, nargs="+", default=[1])
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument(
        "--parallel", action="store_true", help="reconcile with --parallel (a transform worker)"
    )
    args = parser.parse_args()
    for scale in args.scales:
        r = run_scale(args.persons * scale, args.batch, args.parallel)
        ours, theirs = r["ours"], r["reladiff"]
        assert isinstance(ours, dict) and isinstance(theirs, dict)
        print(
            f"persons {r['persons']:,}: reconcile {r['rows']:,} legacy rows in {ours['seconds']:.1f} s "
            f"= {r['rows'] / float(ours['seconds']):,.0f} rows/s, peak {ours['peak_rss_mb']:.0f} MB "
            f"(process tree Pss {ours['tree_peak_mb']:.0f} MB), "
            f"status {ours['status']}",
            flush=True,
        )
        floor, rows = r["bare_read"], r["rows"]
        assert isinstance(floor, dict) and isinstance(rows, int)
        print(
            f"  floors, as legacy rows/s: bare read of every legacy and store row "
            f"({floor['legacy_rows']:,} + {floor['store_rows']:,} rows) {rows / floor['seconds']:,.0f}"
            + (
                f"; within the reconcile: migration rules {rows / ours['rules_seconds']:,.0f}, "
                f"source hashes {rows / ours['hash_seconds']:,.0f}; the three together "
                f"{rows / (floor['seconds'] + ours['rules_seconds'] + ours['hash_seconds']):,.0f}"
                if not args.parallel
                else " (rules and hashes are timed without --parallel only)"
            ),
            flush=True,
        )
        if not args.parallel:
            steps = ours["steps"]
            assert isinstance(steps, dict)
            rules = float(ours["rules_seconds"])
            shares = {"migration rules": rules, **steps}
            print(
                "  where the time goes (inclusive, % of the reconcile): "
                + "; ".join(
                    f"{name} {100 * seconds / float(ours['seconds']):.0f}%"
                    for name, seconds in shares.items()
                ),
                flush=True,
            )
        if "seconds" in theirs:
            print(
                f"  reladiff {r['reladiff_table']} ({r['reladiff_rows']:,} rows) vs raw copy: "
                f"{theirs['seconds']:.1f} s = {r['reladiff_rows'] / float(theirs['seconds']):,.0f} rows/s, "
                f"peak {theirs['peak_rss_mb']:.0f} MB, {theirs['differences']} differences",
                flush=True,
            )
        else:
            print(f"  reladiff failed: {theirs}", flush=True)
        _print_probe(r, ours)


if __name__ == "__main__":
    main()
