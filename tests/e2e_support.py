"""Helpers for end-to-end migration tests: dumps of the new store and checks against the manifest."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from concurrent.futures import Future
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

import load
import synthetic
from flows.engines import make_engine
from flows.pipeline import BatchReport, MigrationJob, PreparedBatch, prepare_batch, write_prepared

RUN_COLUMNS = {"migration_run_id", "run_id"}
# Tables whose content is the migration's result: not the run logs (migration_run,
# checkpoint, reconciliation_run) nor the stewards' decision histories.
RESULT_TABLES = [
    t
    for t in load.target_metadata().sorted_tables
    if t.name
    not in (
        "migration_run",
        "checkpoint",
        "reconciliation_run",
        "quarantine_review",
        "match_review",
        "disclosure",
    )
]


def sqlite_legacy(root: Path, *, persons: int, seed: int) -> tuple[str, Path]:
    """A synthetic legacy database in SQLite under ``root``: (its URL, its attachments folder)."""
    url = f"sqlite:///{root / 'legacy.sqlite'}"
    engine = make_engine(url)
    synthetic.generate(engine, persons=persons, seed=seed, attachments_dir=root / "files")
    engine.dispose()
    return url, root / "files"


def _plain(value: Any) -> Any:
    """A value as engine-independent text: UTC for timestamps, plain decimals, str for UUIDs."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value) if value is not None and not isinstance(value, (int, str, bool)) else value


def dump_target(
    engine: sa.Engine, *, drop_run_ids: bool = True
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every result table, sorted, as plain values (run ids dropped unless asked)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table in RESULT_TABLES:
            cols = [c for c in table.columns if c.name != "id" or table.name != "dq_flag"]
            if drop_run_ids:
                cols = [c for c in cols if c.name not in RUN_COLUMNS]
            rows = conn.execute(sa.select(*cols)).all()
            out[table.name] = sorted((tuple(_plain(v) for v in r) for r in rows), key=repr)
    return out


def ledger(engine: sa.Engine) -> dict[tuple[str, str], dict[str, Any]]:
    table = load.target_table("ledger")
    with engine.connect() as conn:
        return {
            (r.legacy_table, r.legacy_row_id): r._asdict() for r in conn.execute(sa.select(table))
        }


def quarantine_codes(engine: sa.Engine) -> dict[tuple[str, str], set[str]]:
    table = load.target_table("quarantine")
    with engine.connect() as conn:
        return {
            (r.legacy_table, r.legacy_row_id): set(json.loads(r.reason_codes))
            for r in conn.execute(
                sa.select(table.c.legacy_table, table.c.legacy_row_id, table.c.reason_codes)
            )
        }


def flag_codes(engine: sa.Engine) -> dict[tuple[str, str], set[str]]:
    table = load.target_table("dq_flag")
    found: dict[tuple[str, str], set[str]] = {}
    with engine.connect() as conn:
        for r in conn.execute(sa.select(table.c.legacy_table, table.c.legacy_row_id, table.c.code)):
            found.setdefault((r.legacy_table, r.legacy_row_id), set()).add(r.code)
    return found


def match_pairs(engine: sa.Engine) -> dict[frozenset[str], str]:
    table = load.target_table("person_match_candidate")
    with engine.connect() as conn:
        return {
            frozenset((r.person_a_row_id, r.person_b_row_id)): r.evidence
            for r in conn.execute(sa.select(table))
        }


def manifest_failures(engine: sa.Engine, defects: Iterable[dict[str, Any]]) -> list[str]:
    """Each manifest entry checked against the store: [] when every defect got its expected outcome."""
    outcomes = ledger(engine)
    quarantined = quarantine_codes(engine)
    flags = flag_codes(engine)
    pairs = match_pairs(engine)
    failures = []
    for d in defects:
        key = (d["table"], d["row_id"])
        entry = outcomes.get(key)
        where = f"{d['defect']}/{d['variant']} {d['table']} {d['row_id']!r}"
        action, code = d["action"], d["code"]
        if action == "match":
            if frozenset((d["row_id"], d["related_row_id"])) not in pairs:
                failures.append(f"{where}: no match candidate with {d['related_row_id']!r}")
            continue
        if entry is None:
            failures.append(f"{where}: no ledger outcome")
        elif action == "quarantine":
            if entry["outcome"] != "quarantined" or code not in quarantined.get(key, set()):
                failures.append(
                    f"{where}: expected quarantine {code}, got {entry['outcome']} {quarantined.get(key)}"
                )
        elif action == "exclude":
            if entry["outcome"] != "excluded" or entry["rule"] != code:
                failures.append(
                    f"{where}: expected excluded by {code}, got {entry['outcome']} {entry['rule']}"
                )
        elif entry["outcome"] != "loaded" or code not in flags.get(key, set()):
            failures.append(
                f"{where}: expected loaded with flag {code}, got {entry['outcome']} {flags.get(key)} "
                f"{quarantined.get(key)}"
            )
    return failures


class SequentialSteps:
    """Batch steps that write each batch before the next one is prepared (no overlap)."""

    def prepare(self, job: MigrationJob, table: str, after: str | None) -> PreparedBatch | None:
        return prepare_batch(job, table, after)

    def write(self, job: MigrationJob, prepared: PreparedBatch) -> Future[BatchReport]:
        done: Future[BatchReport] = Future()
        done.set_result(write_prepared(job, prepared))
        return done
