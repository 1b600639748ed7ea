"""What a re-run costs, and what the output digest costs: prints figures, asserts nothing.

    .venv/bin/python bench/rerun.py [--persons 20000] [--batch 5000]

Generates ``--persons`` persons into a fresh PostgreSQL legacy database and
migrates it into a fresh PostgreSQL target (server: ICM_BENCH_PG_URL, default
the local one as postgres). Then, in the same store:

1. a re-run with nothing changed (every row is skipped by its ledger entry);
2. a re-run after one pick-list value is given another code (S_LST_OF_VAL
   'Female' -> FEM): the persons coded with it are rewritten although their own
   rows did not change, which only the output digest reveals.

For each run: wall seconds, the process's CPU seconds, and the CPU seconds
spent computing output digests (``load.output_digest``, timed in the thread
that runs it), per legacy row and as a share of the run's CPU. Last, the
person rows that carry the new code, against those that had the old one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

# Python puts this folder first on the path, where bench/reconcile.py would shadow the
# reconcile package the migration imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import load.batch_plan  # noqa: E402
import synthetic  # noqa: E402
from flows.engines import make_engine  # noqa: E402
from flows.pipeline import migrate_direct  # noqa: E402

ADMIN_URL = os.environ.get(
    "ICM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
AS_OF = dt.date(2026, 11, 1)


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


class DigestClock:
    """Wraps ``load.batch_plan.output_digests``: CPU seconds of the thread that runs it, rows."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.rows = 0
        self._inner: Callable[..., list[str]] = load.batch_plan.output_digests
        load.batch_plan.output_digests = self  # type: ignore[assignment]

    def __call__(self, *args: Any, **kwargs: Any) -> list[str]:
        started = time.thread_time()
        digests = self._inner(*args, **kwargs)
        self.seconds += time.thread_time() - started
        self.rows += len(digests)
        return digests

    def reset(self) -> None:
        self.seconds, self.rows = 0.0, 0


def _vacuum(url: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def _sex_codes(target: str) -> dict[str, int]:
    engine = sa.create_engine(target)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT sex_code, count(*) FROM icm.person GROUP BY 1")
        found = {str(code): int(n) for code, n in rows}
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    clock = DigestClock()
    with (
        tempfile.TemporaryDirectory() as tmp,
        fresh_database("legacy") as legacy,
        fresh_database("target") as target,
    ):
        files, store = Path(tmp) / "files", Path(tmp) / "store"
        engine = make_engine(legacy)
        synthetic.generate(engine, persons=args.persons, seed=7, attachments_dir=files)
        engine.dispose()
        _vacuum(legacy)

        def run(label: str) -> None:
            clock.reset()
            wall, cpu = time.perf_counter(), time.process_time()
            migrate_direct(
                legacy,
                target,
                attachments_dir=files,
                attachment_store=store,
                batch_size=args.batch,
                as_of=AS_OF,
            )
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            per_row = clock.seconds / max(clock.rows, 1) * 1e6
            print(
                f"{label:<28} {wall:7.1f} s wall {cpu:7.1f} s CPU | digests {clock.seconds:5.1f} s "
                f"CPU = {per_row:5.1f} µs a legacy row, {clock.seconds / cpu:5.1%} of the run's CPU",
                flush=True,
            )

        print(f"{args.persons:,} persons, batches of {args.batch:,} (PostgreSQL to PostgreSQL)")
        run("first migration")
        _vacuum(target)
        run("re-run, nothing changed")
        before = _sex_codes(target)
        with sa.create_engine(legacy).begin() as conn:
            conn.exec_driver_sql(
                """UPDATE "S_LST_OF_VAL" SET "NAME" = 'FEM' WHERE "TYPE" = 'SEX_MF' AND "NAME" = 'F'"""
            )
        run("re-run, a pick list recoded")
        after = _sex_codes(target)
        print(
            f"persons coded F before: {before.get('F', 0):,}; "
            f"after: F {after.get('F', 0):,}, FEM {after.get('FEM', 0):,}"
        )


if __name__ == "__main__":
    sys.exit(main())
