"""How much does write_batch cost over a raw COPY? Prints rows/s on PostgreSQL; asserts nothing.

    .venv/bin/python bench/load_batch.py [--rows 200000] [--batch 5000]

Writes ``--rows`` person rows (with their ledger rows) into a fresh database
(made through ``ICM_BENCH_PG_URL``, default the local server as postgres):
once as one batch, once more unchanged (the idempotent re-run), once in
batches of ``--batch`` rows into a second fresh database; then COPYs the same
rows into a bare table (no keys, no indexes) for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
import sqlalchemy as sa

import load
from flows.engines import make_target_engine
from load.schema_setup import init_target
from transform.identity import target_id
from transform.result import LEDGER_COLUMNS, TransformResult

ADMIN_URL = os.environ.get(
    "ICM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
T0 = dt.datetime(2015, 3, 1, 12, 0, tzinfo=dt.UTC)


@contextmanager
def fresh_database() -> Iterator[str]:
    name = f"icm_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def person_rows(start: int, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    persons, ledger = [], []
    for i in range(start, start + n):
        rid = f"1-{i:07d}"
        digest = hashlib.sha256(rid.encode()).hexdigest()
        persons.append(
            {
                "id": target_id("S_CONTACT", rid),
                "given_name": f"Given{i}",
                "middle_name": None,
                "family_name": f"Family{i}",
                "preferred_name": None,
                "birth_date": dt.date(2000, 1, 1) + dt.timedelta(days=i % 6000),
                "sex_code": "F" if i % 2 else "M",
                "is_unborn": False,
                "is_deceased": None,
                "deceased_date": None,
                "indigenous_status_code": None,
                "primary_address_id": None,
                "cell_phone": None,
                "home_phone": "250-555-0100",
                "email": None,
                "record_status": "active",
                "has_safety_alert": None,
                "alert_text": None,
                "legacy_birth_date_text": None,
                "extension_row_id": None,
                "extension_source_hash": None,
                "legacy_table": "S_CONTACT",
                "legacy_row_id": rid,
                "legacy_last_upd": T0,
                "legacy_modification_num": 1,
                "source_hash": digest,
                "legacy_created": T0,
                "legacy_created_by": "0-1",
                "legacy_last_upd_by": "0-1",
                "legacy_db_last_upd": T0,
                "legacy_conflict_id": "0",
            }
        )
        ledger.append(
            (
                "S_CONTACT",
                rid,
                "loaded",
                None,
                "person",
                str(target_id("S_CONTACT", rid)),
                digest,
                T0,
                1,
            )
        )
    return pd.DataFrame(persons, dtype=object), pd.DataFrame(
        ledger, columns=list(LEDGER_COLUMNS), dtype=object
    )


def batch(persons: pd.DataFrame, ledger: pd.DataFrame) -> TransformResult:
    return TransformResult(
        legacy_table="S_CONTACT",
        upserts={"person": persons},
        updates={},
        ledger=ledger,
        quarantined=[],
        flags=[],
        last_key=str(ledger["legacy_row_id"].iloc[-1]),
    )


def timed(label: str, rows: int, action: object) -> float:
    start = time.perf_counter()
    action()  # type: ignore[operator]
    seconds = time.perf_counter() - start
    print(f"{label:<48} {rows:>8,} rows {seconds:8.2f} s {rows / seconds:>10,.0f} rows/s")
    return seconds


def raw_copy(url: str, persons: pd.DataFrame) -> None:
    engine = sa.create_engine(url)
    columns = [*persons.columns, "migration_run_id"]
    run = str(uuid.uuid4())
    records = [(*row, run) for row in persons.itertuples(index=False, name=None)]
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE bare (LIKE icm.person)")
        driver = conn.connection.driver_connection
        assert driver is not None
        cols = ", ".join(columns)
        with driver.cursor() as cursor, cursor.copy(f"COPY bare ({cols}) FROM STDIN") as copy:
            for row in records:
                copy.write_row(row)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    started = time.perf_counter()
    persons, ledger = person_rows(0, args.rows)
    print(f"built {args.rows:,} person rows in {time.perf_counter() - started:.1f} s")

    with fresh_database() as url:
        engine = make_target_engine(url)
        init_target(engine)
        run = load.start_run(
            engine, kind="full", source="bench", code_version="b", rules_version="b"
        )
        one = timed(
            "write_batch, one batch (person + ledger)",
            args.rows,
            lambda: load.write_batch(engine, batch(persons, ledger), run_id=run),
        )
        timed(
            "write_batch again, unchanged (idempotent re-run)",
            args.rows,
            lambda: load.write_batch(engine, batch(persons, ledger), run_id=run),
        )
        copy = timed(
            "raw COPY into a bare table (no keys)", args.rows, lambda: raw_copy(url, persons)
        )
        engine.dispose()

    with fresh_database() as url:
        engine = make_target_engine(url)
        init_target(engine)
        run = load.start_run(
            engine, kind="full", source="bench", code_version="b", rules_version="b"
        )

        def batches() -> None:
            for start in range(0, args.rows, args.batch):
                stop = start + args.batch
                load.write_batch(
                    engine, batch(persons.iloc[start:stop], ledger.iloc[start:stop]), run_id=run
                )

        timed(f"write_batch in batches of {args.batch:,}", args.rows, batches)
        engine.dispose()
    print(f"overhead of write_batch over raw COPY (one batch): x{one / copy:.1f}")


if __name__ == "__main__":
    main()
