"""S_AUDIT_ITEM: the Siebel audit trail (new cases, status changes, person merges)."""

from __future__ import annotations

import datetime as dt
import random

from synthetic.timeline import AS_OF_END, midnight, moment_between
from synthetic.world import World

__all__ = ["add_audit", "add_merge", "build_audit"]


def add_audit(
    world: World,
    *,
    buscomp: str,
    table: str,
    record_id: str,
    operation: str,
    user: str,
    when: dt.datetime,
    field: str | None = None,
    old: str | None = None,
    new: str | None = None,
) -> str:
    when = min(when, AS_OF_END)
    row = world.add(
        "S_AUDIT_ITEM",
        {
            "BUSCOMP_NAME": buscomp,
            "TBL_NAME": table,
            "RECORD_ID": record_id,
            "FIELD_NAME": field,
            "OLD_VAL": old,
            "NEW_VAL": new,
            "OPERATION_CD": operation,
            "USER_ID": user,
            "OPERATION_DT": when,
        },
        created=when,
        by=user,
    )
    return str(row["ROW_ID"])


def add_merge(
    world: World, rng: random.Random, merged: str, survivor: str, *, after: dt.datetime
) -> str:
    """'Delete (Merge Record)': person ``merged`` was merged into ``survivor`` (its S_CONTACT row is gone)."""
    when = moment_between(rng, after, min(after + dt.timedelta(days=400), AS_OF_END))
    return add_audit(
        world,
        buscomp="Contact",
        table="S_CONTACT",
        record_id=merged,
        operation="Delete (Merge Record)",
        user=world.stamper.user(),
        when=when,
        new=survivor,
    )


def build_audit(world: World, rng: random.Random) -> None:
    """New-record and status-change items for cases; merges of duplicates that left no residue."""
    for case_id, case in list(world.by_id["S_CASE"].items()):
        add_audit(
            world,
            buscomp="Case",
            table="S_CASE",
            record_id=case_id,
            operation="New Record",
            user=str(case["CREATED_BY"]),
            when=case["CREATED"],
        )
        if case["CLOSED_DT"] is not None:
            when = max(
                case["CREATED"],
                midnight(case["CLOSED_DT"].date()) + dt.timedelta(hours=rng.randint(15, 40)),
            )
            add_audit(
                world,
                buscomp="Case",
                table="S_CASE",
                record_id=case_id,
                operation="Modify",
                user=world.stamper.user(),
                when=when,
                field="Status",
                old="Open",
                new="Closed",
            )
    persons = list(world.by_id["S_CONTACT"])
    for _ in range(max(1, len(persons) // 300)):
        survivor = rng.choice(persons)
        created = world.row("S_CONTACT", survivor)["CREATED"]
        add_merge(world, rng, world.ids.nowhere(), survivor, after=created)
