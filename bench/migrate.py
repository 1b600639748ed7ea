"""Migration throughput against the physical limit: prints figures, asserts nothing.

    .venv/bin/python bench/migrate.py [--persons 20000] [--scales 1 5] [--batch 5000]

For each scale s: generates s x persons into a fresh PostgreSQL legacy database,
migrates it into a fresh PostgreSQL target (in a child process, so its peak
memory is its own: VmHWM, which exec resets, unlike ru_maxrss), then COPYs the same legacy rows into bare PostgreSQL
tables (COPY TO STDOUT piped into COPY FROM STDIN: the raw speed limit).
Prints rows/s of both, their ratio, and the migration's peak memory, so a
memory that grows with N shows up between the scales.
Server: ICM_BENCH_PG_URL (default the local server as postgres).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import sqlalchemy as sa

import extract
import synthetic
from extract.legacy_schema import LINK_INDEXES
from flows.engines import make_engine

ADMIN_URL = os.environ.get(
    "ICM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys, time, datetime as dt
from pathlib import Path
from flows.pipeline import migrate_direct
src, tgt, files, store, batch, as_of = sys.argv[1:7]
t = time.perf_counter()
migrate_direct(src, tgt, attachments_dir=Path(files), attachment_store=Path(store),
               batch_size=int(batch), as_of=dt.date.fromisoformat(as_of))
print(json.dumps({"seconds": time.perf_counter() - t,
                  "peak_rss_mb": int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024}))
"""


@contextmanager
def fresh_database(tag: str) -> Iterator[str]:
    name = f"icm_bench_{tag}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _libpq(url: str) -> str:
    u = sa.make_url(url)
    return f"host={u.host} port={u.port or 5432} dbname={u.database} user={u.username}" + (
        f" password={u.password}" if u.password else ""
    )


def raw_copy(source_url: str, raw_url: str) -> tuple[int, float]:
    """COPY every legacy table from the source into bare tables of the same shape; (rows, seconds)."""
    extract.create_legacy_schema(make_engine(raw_url))  # same columns; no rows
    rows = 0
    started = time.perf_counter()
    with psycopg.connect(_libpq(source_url)) as src, psycopg.connect(_libpq(raw_url)) as dst:
        for table in extract.LEGACY_TABLE_NAMES:
            dst.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{table}_pkey"')
            for column in LINK_INDEXES.get(table, ()):  # bare tables: no index at all
                dst.execute(f'DROP INDEX IF EXISTS "{table}_{column}_X"')
            with (
                src.cursor().copy(f'COPY "{table}" TO STDOUT') as out,
                dst.cursor().copy(f'COPY "{table}" FROM STDIN') as into,
            ):
                for block in out:
                    into.write(block)
            rows += src.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # type: ignore[index]
        dst.commit()
    return rows, time.perf_counter() - started


def run_scale(persons: int, batch: int) -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory() as folder,
        fresh_database("legacy") as legacy,
        fresh_database("target") as target,
        fresh_database("raw") as raw,
    ):
        files, store = Path(folder) / "files", Path(folder) / "store"
        t = time.perf_counter()
        manifest = synthetic.generate(
            make_engine(legacy), persons=persons, seed=1, attachments_dir=files
        )
        generated = time.perf_counter() - t
        legacy_rows = sum(manifest.row_counts.values())
        child = subprocess.run(
            [
                sys.executable,
                "-c",
                CHILD,
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
            text=True,
        )
        measured = json.loads(child.stdout.strip().splitlines()[-1])
        copied, copy_seconds = raw_copy(legacy, raw)
    assert copied == legacy_rows
    return {
        "persons": persons,
        "legacy_rows": legacy_rows,
        "generate_s": generated,
        "migrate_s": measured["seconds"],
        "migrate_rows_per_s": legacy_rows / measured["seconds"],
        "raw_copy_s": copy_seconds,
        "raw_copy_rows_per_s": copied / copy_seconds,
        "peak_rss_mb": measured["peak_rss_mb"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--scales", type=int, nargs="+", default=[1])
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    print(
        f"{'persons':>8} {'rows':>9} {'migrate s':>9} {'rows/s':>9} {'raw COPY s':>10} {'rows/s':>9} "
        f"{'ratio':>6} {'peak MB':>8}"
    )
    for scale in args.scales:
        r = run_scale(args.persons * scale, args.batch)
        ratio = r["migrate_rows_per_s"] / r["raw_copy_rows_per_s"]
        print(
            f"{r['persons']:>8,} {r['legacy_rows']:>9,} {r['migrate_s']:>9.1f} {r['migrate_rows_per_s']:>9,.0f} "
            f"{r['raw_copy_s']:>10.2f} {r['raw_copy_rows_per_s']:>9,.0f} {ratio:>6.3f} {r['peak_rss_mb']:>8.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
