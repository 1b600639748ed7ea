"""Migration throughput against the physical limit: prints figures, asserts nothing.

    .venv/bin/python bench/migrate.py [--persons 20000] [--scales 1 5] [--batch 5000]

For each scale s: generates s x persons into a fresh PostgreSQL legacy database,
migrates it into a fresh PostgreSQL target (in a child process, so its peak
memory is its own: VmHWM, which exec resets, unlike ru_maxrss), then COPYs the same legacy rows into bare PostgreSQL
tables (COPY TO STDOUT piped into COPY FROM STDIN: the raw speed limit).
Prints rows/s of both, their ratio, and the migration's peak memory (its own
VmHWM, and "tree": the sampled peak Pss of it and any process it starts), so a
memory that grows with N shows up between the scales. Last, it COPYs the
migrated store itself into an empty store with the same schema ("store COPY":
the rows the migration writes, with their indexes and foreign keys, and no
Python work): the floor of any design that writes this store, printed as
legacy rows per second.
Server: ICM_BENCH_PG_URL (default the local server as postgres).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from process_tree import run_sampled

import extract
import load
import synthetic
from extract.legacy_schema import LINK_INDEXES
from flows.engines import make_engine, make_target_engine

ADMIN_URL = os.environ.get(
    "ICM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ROOT = Path(__file__).resolve().parents[1]

AS_INSTALLED = """
import sys
# The bench extra installs polars and pyarrow for bench/columnar_probe.py; deepdiff and
# pandas import them whenever they are there (about 65 MB). The service is installed
# without them: measure it so. (Not in reconcile --parallel's worker, a fresh process
# whose pandas still loads pyarrow: its process tree's figure is higher by that much.)
sys.modules["polars"] = sys.modules["pyarrow"] = None
"""

CHILD = (
    AS_INSTALLED
    + """
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
)


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


def _pipe(src: psycopg.Connection[Any], dst: psycopg.Connection[Any], table: str) -> int:
    """COPY ``table`` (a quoted name, with its column list if any) from ``src`` into ``dst``."""
    with (
        src.cursor().copy(f"COPY {table} TO STDOUT") as out,
        dst.cursor().copy(f"COPY {table} FROM STDIN") as into,
    ):
        for block in out:
            into.write(block)
    name = table.split(" (")[0]
    return int(src.execute(f"SELECT count(*) FROM {name}").fetchone()[0])  # type: ignore[index]


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
            rows += _pipe(src, dst, f'"{table}"')
        dst.commit()
    return rows, time.perf_counter() - started


def store_copy(target_url: str, floor_url: str) -> tuple[int, float]:
    """COPY every row of the migrated store into an empty store with the same schema and constraints.

    The floor of any design that writes this store: the rows the migration
    writes (target rows, ledger, flags, quarantine), with their indexes and
    foreign keys, and no Python work at all. (rows, seconds)
    """
    engine = make_target_engine(floor_url)
    load.init_target(engine)
    engine.dispose()
    tables = [t for t in load.target_metadata().sorted_tables if t.name != "alembic_version"]
    rows = 0
    started = time.perf_counter()
    with psycopg.connect(_libpq(target_url)) as src, psycopg.connect(_libpq(floor_url)) as dst:
        for table in tables:
            name = f'"{table.schema}"."{table.name}"' if table.schema else f'"{table.name}"'
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            dst.execute(f"DELETE FROM {name}")  # rows init_target seeded (crosswalk)
            rows += _pipe(src, dst, f"{name} ({columns})")
        dst.commit()
    return rows, time.perf_counter() - started


def run_scale(persons: int, batch: int) -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory() as folder,
        fresh_database("legacy") as legacy,
        fresh_database("target") as target,
        fresh_database("raw") as raw,
        fresh_database("floor") as floor,
    ):
        files, store = Path(folder) / "files", Path(folder) / "store"
        t = time.perf_counter()
        manifest = synthetic.generate(
            make_engine(legacy), persons=persons, seed=1, attachments_dir=files
        )
        generated = time.perf_counter() - t
        legacy_rows = sum(manifest.row_counts.values())
        child, tree_peak = run_sampled(
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
        )
        measured = json.loads(child.stdout.strip().splitlines()[-1])
        copied, copy_seconds = raw_copy(legacy, raw)
        store_rows, store_seconds = store_copy(target, floor)
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
        "tree_peak_mb": tree_peak,
        "store_rows": store_rows,
        "store_copy_s": store_seconds,
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
        f"{'ratio':>6} {'peak MB':>8} {'tree MB':>8} {'store rows':>10} {'store COPY s':>12} {'legacy rows/s':>13}"
    )
    for scale in args.scales:
        r = run_scale(args.persons * scale, args.batch)
        ratio = r["migrate_rows_per_s"] / r["raw_copy_rows_per_s"]
        print(
            f"{r['persons']:>8,} {r['legacy_rows']:>9,} {r['migrate_s']:>9.1f} {r['migrate_rows_per_s']:>9,.0f} "
            f"{r['raw_copy_s']:>10.2f} {r['raw_copy_rows_per_s']:>9,.0f} {ratio:>6.3f} {r['peak_rss_mb']:>8.0f} {r['tree_peak_mb']:>8.0f} "
            f"{r['store_rows']:>10,} {r['store_copy_s']:>12.2f} {r['legacy_rows'] / r['store_copy_s']:>13,.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
