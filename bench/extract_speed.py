"""How fast does the extract stage read? Prints rows/s of ``read_batches``; asserts nothing.

    .venv/bin/python bench/extract.py [--persons 5000] [--batch 5000] [--engines sqlite postgresql]

Generates a synthetic legacy database (``seed=1``) into a SQLite file and into
a fresh PostgreSQL database (made through ``ICM_BENCH_PG_URL``, default the
local server as postgres), then times ``extract.read_batches`` over every
legacy table: fetch, Oracle meaning, ``source_hash`` and the frame. Prints the
seconds and rows/s per table and in total, and a digest of every frame
(values and their Python types), so two versions of the extractor can be
checked to give exactly the same output.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would
# shadow the ``extract`` package: drop the folder before importing the project.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import sqlalchemy as sa  # noqa: E402

import extract  # noqa: E402
import synthetic  # noqa: E402
from flows.engines import make_engine  # noqa: E402

ADMIN_URL = os.environ.get(
    "ICM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def fresh_postgres() -> Iterator[str]:
    name = f"icm_bench_extract_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def legacy_database(engine_kind: str, folder: Path) -> Iterator[str]:
    if engine_kind == "sqlite":
        yield f"sqlite:///{folder / 'legacy.db'}"
    else:
        with fresh_postgres() as url:
            yield url


def time_extract(url: str, batch: int) -> tuple[dict[str, tuple[int, float]], str]:
    """Per table (rows, seconds) of reading every batch, and a digest of every frame."""
    engine = make_engine(url)
    source = extract.source_from_engine(engine)
    digest = hashlib.sha256()
    timings: dict[str, tuple[int, float]] = {}
    try:
        for table in extract.LEGACY_TABLE_NAMES:
            rows, seconds = 0, 0.0
            batches = extract.read_batches(source, table, batch_size=batch)
            while True:
                started = time.perf_counter()
                found = next(batches, None)
                seconds += time.perf_counter() - started  # the digest below is not timed
                if found is None:
                    break
                rows += len(found)
                for record in found.frame.itertuples(index=False, name=None):
                    digest.update(repr([(type(v).__name__, v) for v in record]).encode())
            timings[table] = (rows, seconds)
    finally:
        source.close()
        engine.dispose()
    return timings, digest.hexdigest()


def run(engine_kind: str, persons: int, batch: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, legacy_database(engine_kind, Path(tmp)) as url:
        t = time.perf_counter()
        synthetic.generate(
            make_engine(url), persons=persons, seed=1, attachments_dir=Path(tmp) / "files"
        )
        print(f"\n{engine_kind}: generated {persons:,} persons in {time.perf_counter() - t:.1f} s")
        timings, digest = time_extract(url, batch)
    print(f"{'table':<16} {'rows':>9} {'seconds':>8} {'rows/s':>9}")
    for table, (rows, seconds) in timings.items():
        rate = rows / seconds if seconds else 0.0
        print(f"{table:<16} {rows:>9,} {seconds:>8.2f} {rate:>9,.0f}")
    total_rows = sum(r for r, _ in timings.values())
    total_s = sum(s for _, s in timings.values())
    print(f"{'TOTAL':<16} {total_rows:>9,} {total_s:>8.2f} {total_rows / total_s:>9,.0f}")
    print(f"frame digest {digest}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument(
        "--engines", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    args = parser.parse_args()
    for engine_kind in args.engines:
        run(engine_kind, args.persons, args.batch)


if __name__ == "__main__":
    main()
