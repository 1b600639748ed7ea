"""Hand-built TransformResults and table dumps for the load tests (and the crash-test worker).

Run as a script (``python tests/test_load_support.py worker URL ROWS BATCH``) it is
the worker of the crash test: it writes S_CONTACT batches, resuming an
unfinished run from its checkpoint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # when run as the crash-test worker
    sys.path.insert(0, str(ROOT))

import load  # noqa: E402
from flows.engines import make_target_engine  # noqa: E402
from load.schema_setup import init_target  # noqa: E402
from transform.identity import target_id  # noqa: E402
from transform.result import LEDGER_COLUMNS, Flag, QuarantineRecord, Reason, TransformResult  # noqa: E402

UTC = dt.UTC
T0 = dt.datetime(2015, 3, 1, 12, 0, tzinfo=UTC)
# Tables whose content a re-run must leave byte for byte (checkpoint and run rows carry clocks).
DUMPED = (
    "staff_user",
    "address",
    "person",
    "person_alias",
    "person_identifier",
    "ledger",
    "quarantine",
    "dq_flag",
)


def make_target(url: str) -> sa.Engine:
    """An engine on a fresh target brought to the newest schema revision (Alembic)."""
    engine = make_target_engine(url)
    init_target(engine)
    return engine


def source_hash(legacy_table: str, row_id: str, version: int = 1) -> str:
    return hashlib.sha256(f"{legacy_table}|{row_id}|{version}".encode()).hexdigest()


def lineage(legacy_table: str, row_id: str, version: int = 1) -> dict[str, Any]:
    return {
        "legacy_table": legacy_table,
        "legacy_row_id": row_id,
        "legacy_last_upd": T0 + dt.timedelta(days=version),
        "legacy_modification_num": version,
        "source_hash": source_hash(legacy_table, row_id, version),
        "legacy_created": T0,
        "legacy_created_by": "0-1",
        "legacy_last_upd_by": "0-1",
        "legacy_db_last_upd": T0 + dt.timedelta(days=version),
        "legacy_conflict_id": "0",
    }


def ledger_row(
    legacy_table: str,
    row_id: str,
    outcome: str,
    target_table: str | None,
    version: int = 1,
    rule: str | None = None,
) -> dict[str, Any]:
    loaded = outcome == "loaded"
    return {
        "legacy_table": legacy_table,
        "legacy_row_id": row_id,
        "outcome": outcome,
        "rule": rule,
        "target_table": target_table if loaded else None,
        "target_id": str(target_id(legacy_table, row_id))
        if loaded and legacy_table != "S_CONTACT_X"
        else None,
        "source_hash": source_hash(legacy_table, row_id, version),
        "legacy_last_upd": T0 + dt.timedelta(days=version),
        "legacy_modification_num": version,
    }


def frame(rows: Sequence[dict[str, Any]], columns: Iterable[str] | None = None) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=list(columns or []), dtype=object)
    return pd.DataFrame(list(rows), dtype=object)


def model_columns(table: str) -> list[str]:
    return [c.name for c in load.target_table(table).c if c.name != "migration_run_id"]


def simple_batch(
    legacy_table: str, target: str, rows: dict[str, dict[str, Any]], version: int = 1
) -> TransformResult:
    """One target row per legacy row: every model column None but the lineage, the id and ``rows``' values."""
    built = []
    for rid, values in rows.items():
        row: dict[str, Any] = dict.fromkeys(model_columns(target))
        row.update(lineage(legacy_table, rid, version), id=target_id(legacy_table, rid), **values)
        built.append(row)
    return TransformResult(
        legacy_table=legacy_table,
        upserts={target: frame(built)},
        updates={},
        ledger=frame([ledger_row(legacy_table, rid, "loaded", target, version) for rid in rows]),
        quarantined=[],
        flags=[],
        last_key=max(rows) if rows else None,
    )


def staff_batch(row_ids: Sequence[str], version: int = 1) -> TransformResult:
    """S_USER rows, all loaded into staff_user."""
    users = [
        {
            "id": target_id("S_USER", rid),
            "login": f"USER{i}",
            "given_name": "Test",
            "family_name": f"User{i}",
            "office_code": "VIC",
            "is_active": i % 2 == 0,
            **lineage("S_USER", rid, version),
        }
        for i, rid in enumerate(row_ids)
    ]
    return TransformResult(
        legacy_table="S_USER",
        upserts={"staff_user": frame(users)},
        updates={},
        ledger=frame(
            [ledger_row("S_USER", rid, "loaded", "staff_user", version) for rid in row_ids]
        ),
        quarantined=[],
        flags=[],
        last_key=max(row_ids) if row_ids else None,
    )


def person_batch(
    row_ids: Sequence[str],
    *,
    quarantined: Iterable[str] = (),
    versions: dict[str, int] | None = None,
    phn_for: Iterable[str] | None = None,
) -> TransformResult:
    """S_CONTACT rows: person + person_identifier (BC_PHN, LEGACY_MIS) for loaded rows, a flag on
    each loaded row, quarantine records (with reasons) for ``quarantined``."""
    versions = versions or {}
    bad = set(quarantined)
    with_phn = set(row_ids if phn_for is None else phn_for)
    persons, identifiers, ledger, records, flags = [], [], [], [], []
    for i, rid in enumerate(row_ids):
        version = versions.get(rid, 1)
        if rid in bad:
            ledger.append(ledger_row("S_CONTACT", rid, "quarantined", None, version))
            records.append(
                QuarantineRecord(
                    legacy_table="S_CONTACT",
                    legacy_row_id=rid,
                    reasons=(
                        Reason(
                            "DOB_IN_FUTURE",
                            "BIRTH_DT",
                            f"S_CONTACT {rid} BIRTH_DT is in the future",
                        ),
                    ),
                    raw_row={"ROW_ID": rid, "LAST_NAME": "Quarantined", "BIRTH_DT": "2999-01-01"},
                    source_hash=source_hash("S_CONTACT", rid, version),
                )
            )
            continue
        pid = target_id("S_CONTACT", rid)
        persons.append(
            {
                "id": pid,
                "given_name": f"Given{i}",
                "middle_name": None,
                "family_name": f"Family{i}v{version}",
                "preferred_name": None,
                "birth_date": dt.date(2010, 1, 1) + dt.timedelta(days=i),
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
                **lineage("S_CONTACT", rid, version),
            }
        )
        id_types = ("BC_PHN", "LEGACY_MIS") if rid in with_phn else ("LEGACY_MIS",)
        for id_type in id_types:
            identifiers.append(
                {
                    "id": target_id("S_CONTACT", rid, id_type),
                    "person_id": pid,
                    "id_type": id_type,
                    "id_value": f"9{i:09d}" if id_type == "BC_PHN" else f"MIS{i}",
                    "is_verified": id_type == "BC_PHN",
                    **lineage("S_CONTACT", rid, version),
                }
            )
        ledger.append(ledger_row("S_CONTACT", rid, "loaded", "person", version))
        flags.append(
            Flag(
                "S_CONTACT",
                rid,
                "person",
                str(pid),
                "PHN_NORMALISED",
                "X_PHN",
                f"9 {i:09d} v{version}",
                f"9{i:09d}",
            )
        )
    return TransformResult(
        legacy_table="S_CONTACT",
        upserts={
            "person": frame(persons, model_columns("person")),
            "person_identifier": frame(identifiers, model_columns("person_identifier")),
        },
        updates={},
        ledger=frame(ledger, LEDGER_COLUMNS),
        quarantined=records,
        flags=flags,
        last_key=max(row_ids) if row_ids else None,
    )


def extension_batch(
    rows: dict[str, tuple[str, Sequence[str]]], *, quarantined: Iterable[str] = (), version: int = 1
) -> TransformResult:
    """S_CONTACT_X rows: ``{x_row_id: (person ROW_ID, aliases)}`` -> an update of the person and one
    person_alias row per alias."""
    bad = set(quarantined)
    updates, aliases, ledger, records = [], [], [], []
    for xid, (person_rid, names) in rows.items():
        if xid in bad:
            ledger.append(ledger_row("S_CONTACT_X", xid, "quarantined", None, version))
            records.append(
                QuarantineRecord(
                    "S_CONTACT_X",
                    xid,
                    (Reason("DUPLICATE_EXTENSION", "PAR_ROW_ID", f"S_CONTACT_X {xid}"),),
                    {"ROW_ID": xid},
                    source_hash("S_CONTACT_X", xid, version),
                )
            )
            continue
        pid = target_id("S_CONTACT", person_rid)
        updates.append(
            {
                "id": pid,
                "has_safety_alert": True,
                "alert_text": f"alert v{version}",
                "legacy_birth_date_text": None,
                "extension_row_id": xid,
                "extension_source_hash": source_hash("S_CONTACT_X", xid, version),
            }
        )
        for seq, name in enumerate(names, start=1):
            aliases.append(
                {
                    "id": target_id("S_CONTACT_X", xid, f"alias:{seq}"),
                    "person_id": pid,
                    "alias_seq": seq,
                    "full_name": name,
                    **lineage("S_CONTACT_X", xid, version),
                }
            )
        row = ledger_row("S_CONTACT_X", xid, "loaded", "person", version)
        row["target_id"] = str(pid)
        ledger.append(row)
    return TransformResult(
        legacy_table="S_CONTACT_X",
        upserts={"person_alias": frame(aliases, model_columns("person_alias"))},
        updates={"person": frame(updates)},
        ledger=frame(ledger, LEDGER_COLUMNS),
        quarantined=records,
        flags=[],
        last_key=max(rows) if rows else None,
    )


def dump(engine: sa.Engine, tables: Iterable[str] = DUMPED) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``tables``, ordered by primary key."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for name in tables:
            table = load.target_table(name)
            order = list(table.primary_key.columns) or list(table.c)
            out[name] = [tuple(row) for row in conn.execute(sa.select(table).order_by(*order))]
    return out


def row_ids(n: int, start: int = 0) -> list[str]:
    return [f"1-{i:06d}" for i in range(start, start + n)]


def crash_rows(total: int) -> list[str]:
    return row_ids(total)


def run_worker(url: str, total: int, batch: int) -> str:
    """Write S_CONTACT in batches of ``batch`` rows, resuming an unfinished run; returns the run id."""
    engine = make_target_engine(url)
    try:
        run_id = load.latest_unfinished_run(engine)
        if run_id is None:
            run_id = load.start_run(
                engine, kind="full", source="test", code_version="t", rules_version="t"
            )
        checkpoint = load.read_checkpoint(engine, "S_CONTACT")
        after = (
            checkpoint.last_row_id
            if checkpoint is not None and checkpoint.run_id == run_id
            else None
        )
        todo = [r for r in crash_rows(total) if after is None or r > after]
        for start in range(0, len(todo), batch):
            ids = todo[start : start + batch]
            result = person_batch(ids, quarantined=ids[::7])
            load.write_batch(engine, result, run_id=run_id)
            print(f"committed {ids[-1]}", flush=True)
        load.mark_table_complete(engine, "S_CONTACT", run_id)
        load.finish_run(engine, run_id, "succeeded")
        return run_id
    finally:
        engine.dispose()


def test_builders_follow_the_contract() -> None:
    """The helpers build what the contract says: one ledger row per legacy row, model columns."""
    result = person_batch(row_ids(5), quarantined=["1-000001"])
    assert len(result.ledger) == 5 and result.ledger["legacy_row_id"].is_unique
    assert set(result.upserts["person"].columns) == set(model_columns("person"))
    assert [q.legacy_row_id for q in result.quarantined] == ["1-000001"]
    assert len(result.upserts["person_identifier"]) == 8


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "worker":
        run_worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        raise SystemExit("usage: test_load_support.py worker URL ROWS BATCH")
