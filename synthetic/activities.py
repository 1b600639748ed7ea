"""S_EVT_ACT activities (notes, assessments, alerts, hearings) and S_ACTIVITY_ATT metadata.

Clean activities are CREATED 9 to 60 hours after TODO_ACTL_START_DT (well
within 0-3 days whatever the time zone), dated after the 2012 go-live, and
their notes are rendered lazily (see :class:`synthetic.narrative.NoteSpec`).
"""

from __future__ import annotations

import datetime as dt
import random

from synthetic import lov
from synthetic.narrative import NoteSpec, alert_text, note_subject
from synthetic.timeline import (
    AS_OF,
    AS_OF_END,
    CONVERSION_START,
    add_days,
    business_moment,
    date_between,
)
from synthetic.world import World

__all__ = ["ATTACHMENT_KINDS", "add_activity", "build_activities"]

_KIND_OF_TYPE = {
    "Contact Note": "visit",
    "Home Visit": "visit",
    "Phone Call": "phone",
    "Memo": "memo",
    "Case Conference": "conference",
    "Court Hearing": "court",
    "Safety Assessment": "assessment",
    "Vulnerability Assessment": "assessment",
    "Alert": "memo",
}
_CASE_TYPES = (
    ("Contact Note", 30),
    ("Home Visit", 20),
    ("Phone Call", 15),
    ("Memo", 10),
    ("Case Conference", 7),
    ("Court Hearing", 5),
)
ATTACHMENT_KINDS = (
    ("Safety Plan", "pdf"),
    ("Court Order", "pdf"),
    ("School Report", "docx"),
    ("Medical Report", "pdf"),
    ("Photo of Home", "png"),
    ("Email from Caregiver", "txt"),
    ("Referral Form", "docx"),
)
_FIRST_DAY = add_days(CONVERSION_START.date(), 3)
_LAST_DAY = add_days(AS_OF, -5)


def _note_length(rng: random.Random) -> int:
    return int(min(12_000, max(200, rng.lognormvariate(6.9, 0.7))))


def _names(
    world: World, rng: random.Random, target: str | None, case_id: str | None
) -> tuple[str, str]:
    """First names for a note: a child and an adult of the case, the target among them."""
    people = list(world.case_members.get(case_id, [])) if case_id else []
    if target is not None:
        people.append(target)
    children = [p for p in people if world.persons[p].kind == "child"]
    adults = [p for p in people if world.persons[p].kind != "child"]
    child = "the child"
    adult = rng.choice(("the parent", "the caregiver", "the mother", "the father"))
    if target is not None and world.persons[target].kind == "child":
        child = str(world.row("S_CONTACT", target)["FST_NAME"])
    elif children:
        child = str(world.row("S_CONTACT", rng.choice(children))["FST_NAME"])
    if target is not None and world.persons[target].kind != "child":
        adult = str(world.row("S_CONTACT", target)["FST_NAME"])
    elif adults and rng.random() < 0.6:
        adult = str(world.row("S_CONTACT", rng.choice(adults))["FST_NAME"])
    return child, adult


def add_activity(
    world: World,
    rng: random.Random,
    *,
    todo: str,
    day: dt.date,
    target: str | None,
    case_id: str | None,
    incident_id: str | None = None,
    sr_id: str | None = None,
    seq: int = 1,
    subject: str | None = None,
) -> str:
    """A clean S_EVT_ACT row on ``day`` (a local business time), with its note."""
    kind = _KIND_OF_TYPE[todo]
    start = business_moment(rng, day)
    row_id = world.ids.next()
    child, adult = _names(world, rng, target, case_id)
    if todo == "Alert":
        note: object = alert_text(rng, adult)
    else:
        note = NoteSpec(
            seed=f"{world.seed}:note:{row_id}",
            kind=kind,
            child=child,
            adult=adult,
            target=_note_length(rng),
        )
    world.add(
        "S_EVT_ACT",
        {
            "TODO_CD": todo,
            "EVT_STAT_CD": "Done"
            if rng.random() < 0.9
            else rng.choice(("In Progress", "Cancelled")),
            "NAME": subject or note_subject(rng, kind),
            "COMMENTS_LONG": note,
            "TODO_PLAN_START_DT": start - dt.timedelta(days=rng.randint(0, 7)),
            "TODO_ACTL_START_DT": start,
            "TODO_ACTL_END_DT": start + dt.timedelta(minutes=rng.randint(20, 180)),
            "TARGET_PER_ID": target,
            "SRA_SR_ID": sr_id,
            "X_CASE_ID": case_id,
            "X_INCIDENT_ID": incident_id,
            "PRIV_FLG": "Y" if rng.random() < 0.05 else "N",
            "X_ASSESS_DECISION_CD": rng.choice(lov.active_values("ICM_ASSESS_DECISION"))
            if todo == "Safety Assessment"
            else None,
            "X_RISK_LEVEL_CD": rng.choice(lov.active_values("ICM_RISK_LEVEL"))
            if todo == "Vulnerability Assessment"
            else None,
            "X_NOTE_SEQ": seq,
        },
        created=min(
            start + dt.timedelta(hours=rng.randint(9, 60), minutes=rng.randint(0, 59)), AS_OF_END
        ),
        row_id=row_id,
    )
    return row_id


def _span(world: World, case_id: str) -> tuple[dt.date, dt.date] | None:
    case = world.row("S_CASE", case_id)
    first = max(case["OPEN_DT"].date(), _FIRST_DAY)
    last = min(case["CLOSED_DT"].date(), _LAST_DAY) if case["CLOSED_DT"] is not None else _LAST_DAY
    return (first, last) if first <= last else None


def add_attachment(world: World, rng: random.Random, activity_id: str) -> str:
    act = world.row("S_EVT_ACT", activity_id)
    name, ext = rng.choice(ATTACHMENT_KINDS)
    size = rng.randint(600, 24_000) if ext != "txt" else rng.randint(200, 4000)
    row = world.add(
        "S_ACTIVITY_ATT",
        {
            "PAR_ROW_ID": activity_id,
            "FILE_NAME": name,
            "FILE_EXT": ext,
            "FILE_SIZE": size,
            "FILE_DATE": act["TODO_ACTL_START_DT"],
            "FILE_REV_NUM": "2" if rng.random() < 0.15 else "1",
            "FILE_SRC_TYPE": "FILE",
            "X_CASE_ID": act["X_CASE_ID"],
        },
        created=min(act["CREATED"] + dt.timedelta(minutes=rng.randint(1, 120)), AS_OF_END),
    )
    row_id = str(row["ROW_ID"])
    world.file_specs[row_id] = (size, size)
    return row_id


def build_activities(world: World, rng: random.Random) -> None:
    """Notes per case, assessments per report, activities per service request, alerts; attachments."""
    types, weights = [t for t, _ in _CASE_TYPES], [w for _, w in _CASE_TYPES]
    for case_id, case in list(world.by_id["S_CASE"].items()):
        span = _span(world, case_id)
        members = world.case_members[case_id]
        if span is None or not members:
            continue
        count = {
            "Family Service": (2, 8),
            "Child Service": (3, 10),
            "Resource": (1, 3),
            "Youth Service": (2, 4),
        }[case["TYPE_CD"]]
        for _ in range(rng.randint(*count)):
            todo = rng.choices(types, weights=weights)[0]
            if todo == "Court Hearing" and case["TYPE_CD"] != "Child Service":
                todo = "Contact Note"
            day = date_between(rng, *span)
            target = rng.choice(members)
            act = add_activity(world, rng, todo=todo, day=day, target=target, case_id=case_id)
            if rng.random() < 0.03:  # a long note continued in a second row
                first = world.row("S_EVT_ACT", act)
                add_activity(
                    world,
                    rng,
                    todo=todo,
                    day=day,
                    target=target,
                    case_id=case_id,
                    seq=2,
                    subject=str(first["NAME"]),
                )
        for incident_id in world.case_incidents[case_id]:
            screened = world.row("S_INCIDENT", incident_id)["X_SCREEN_DT"]
            day = date_between(rng, add_days(screened.date(), 1), add_days(screened.date(), 10))
            if _FIRST_DAY <= day <= _LAST_DAY:
                child = rng.choice(members)
                add_activity(
                    world,
                    rng,
                    todo="Safety Assessment",
                    day=day,
                    target=child,
                    case_id=case_id,
                    incident_id=incident_id,
                )
                if rng.random() < 0.5:
                    add_activity(
                        world,
                        rng,
                        todo="Vulnerability Assessment",
                        day=day,
                        target=child,
                        case_id=case_id,
                        incident_id=incident_id,
                    )
        for sr_id in world.case_requests[case_id]:
            opened = world.row("S_SRV_REQ", sr_id)["ACT_OPEN_DT"].date()
            for _ in range(rng.randint(1, 2)):
                day = date_between(rng, opened, min(add_days(opened, 120), span[1]))
                if day <= _LAST_DAY:
                    add_activity(
                        world,
                        rng,
                        todo="Contact Note",
                        day=day,
                        target=world.row("S_SRV_REQ", sr_id)["CST_CON_ID"],
                        case_id=case_id,
                        sr_id=sr_id,
                    )
    for person_id, info in world.persons.items():
        if info.ext_id and world.row("S_CONTACT_X", info.ext_id)["ATTRIB_14"] == "Y":
            created = world.row("S_CONTACT_X", info.ext_id)["CREATED"].date()
            day = date_between(rng, max(created, _FIRST_DAY), _LAST_DAY)
            add_activity(
                world,
                rng,
                todo="Alert",
                day=day,
                target=person_id,
                case_id=None,
                subject="Safety alert",
            )
    activities = [r["ROW_ID"] for r in world.tables["S_EVT_ACT"] if r["TODO_CD"] != "Alert"]
    wanted = max(8, round(0.08 * len(activities)))
    for activity_id in sorted(rng.sample(activities, min(wanted, len(activities)))):
        add_attachment(world, rng, activity_id)
