"""S_INCIDENT reports with S_INCIDENT_CON participants, and S_SRV_REQ service requests.

REPORTED_DT and X_SCREEN_DT are local business times (08:00-18:00), the
screening 1 to 48 hours after the report; descriptions stay below 2000 characters.
"""

from __future__ import annotations

import datetime as dt
import random

from synthetic import lov
from synthetic.narrative import description
from synthetic.persons import phone_number
from synthetic.stamps import SADMIN
from synthetic.timeline import (
    AS_OF,
    AS_OF_END,
    CONVERSION_START,
    add_days,
    business_moment,
    date_between,
    moment_between,
    screening_after,
)
from synthetic.world import Household, World

__all__ = ["DESC_LIMIT", "add_incident", "build_intake"]

DESC_LIMIT = 2000
_TYPES = (
    ("Child Protection Report", 60),
    ("Family Development Response", 22),
    ("Request for Service", 12),
    ("Youth Services Request", 6),
)
_PROFESSIONAL = ("School Staff", "Police", "Health Professional", "Community Agency")


def _first_name(world: World, person: str) -> str:
    return str(world.row("S_CONTACT", person)["FST_NAME"])


def _full_name(world: World, person: str) -> str:
    row = world.row("S_CONTACT", person)
    return f"{row['FST_NAME']} {row['LAST_NAME']}"


def add_incident(
    world: World,
    rng: random.Random,
    *,
    case_id: str | None,
    reported: dt.datetime,
    screened: dt.datetime,
    child: str,
    adult: str,
    reporters: list[str],
) -> tuple[str, str | None]:
    """A clean S_INCIDENT row; returns (ROW_ID, the reporter person or None)."""
    screened_in = rng.random() < 0.7
    closed = reported.date() < add_days(AS_OF, -90) or not screened_in
    reporter: str | None = None
    roll = rng.random()
    if roll < 0.6 and reporters:
        reporter = rng.choice(reporters)
        reporter_type = rng.choice(_PROFESSIONAL)
        reporter_name: str | None = _full_name(world, reporter)
        reporter_phone: str | None = world.row("S_CONTACT", reporter)[
            "CELL_PH_NUM"
        ] or phone_number(rng)
    elif roll < 0.8:
        reporter_type = rng.choice(("Relative", "Neighbour", "Parent"))
        reporter_name = f"{rng.choice(('Aunt', 'Neighbour', 'Family friend'))} of the family"
        reporter_phone = phone_number(rng)
    else:
        reporter_type, reporter_name, reporter_phone = "Anonymous", None, None
    converted = reported < CONVERSION_START
    created = (
        moment_between(rng, CONVERSION_START, CONVERSION_START + dt.timedelta(hours=40))
        if converted
        else reported + dt.timedelta(hours=rng.randint(7, 12))
    )
    row = world.add(
        "S_INCIDENT",
        {
            "INCIDENT_NUM": str(world.number("incident", 700_000 + rng.randint(0, 5000))),
            "TYPE_CD": rng.choices([t for t, _ in _TYPES], weights=[w for _, w in _TYPES])[0],
            "STATUS_CD": "Closed" if closed else "Open",
            "REPORTED_DT": reported,
            "X_SCREEN_DECISION_CD": "Screened In"
            if screened_in
            else rng.choice(("Screened Out", "Referred to Community")),
            "X_RESPONSE_PRIORITY_CD": rng.choice(lov.active_values("ICM_RESPONSE_PRIORITY"))
            if screened_in
            else None,
            "X_SCREEN_DT": screened,
            "X_REPORTER_TYPE_CD": reporter_type,
            "X_REPORTER_NAME": reporter_name,
            "X_REPORTER_PHONE": reporter_phone,
            "CASE_ID": case_id,
            "DESC_TEXT": description(
                rng, _first_name(world, child), _first_name(world, adult), limit=DESC_LIMIT
            ),
            "X_FINDING_CD": rng.choice(lov.active_values("ICM_FINDING"))
            if screened_in and closed
            else None,
        },
        created=min(created, AS_OF_END),
        by=SADMIN if converted else None,
    )
    return str(row["ROW_ID"]), reporter


def _incident_participants(
    world: World, rng: random.Random, incident: str, hh: Household, reporter: str | None
) -> None:
    created = world.row("S_INCIDENT", incident)["CREATED"]
    by = SADMIN if world.row("S_INCIDENT", incident)["CREATED_BY"] == SADMIN else None
    members: list[tuple[str, str, str | None]] = []
    for child in hh.children:
        members.append((child, "Child", rng.choice(lov.active_values("ICM_ALLEGATION"))))
    for parent in hh.parents:
        members.append((parent, "Alleged Maltreater" if rng.random() < 0.3 else "Parent", None))
    for other in hh.others:
        members.append((other, "Other Adult", None))
    if reporter is not None:
        members.append((reporter, "Reporter", None))
    for person, role, allegation in members:
        world.add(
            "S_INCIDENT_CON",
            {
                "INCIDENT_ID": incident,
                "CON_ID": person,
                "ROLE_CD": role,
                "X_ALLEGATION_CD": allegation,
            },
            created=min(created + dt.timedelta(minutes=rng.randint(1, 90)), AS_OF_END),
            by=by,
        )


def _report_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.datetime:
    return business_moment(
        rng, date_between(rng, max(first, dt.date(2000, 1, 3)), min(last, add_days(AS_OF, -5)))
    )


def _service_request(
    world: World, rng: random.Random, case_id: str, customer: str, sr_type: str
) -> None:
    case = world.row("S_CASE", case_id)
    open_day = case["OPEN_DT"].date()
    end_day = case["CLOSED_DT"].date() if case["CLOSED_DT"] is not None else add_days(AS_OF, -5)
    opened = business_moment(
        rng, date_between(rng, max(open_day, add_days(CONVERSION_START.date(), 3)), end_day)
    )
    closed: dt.datetime | None = None
    if case["CLOSED_DT"] is not None or rng.random() < 0.4:
        closing_day = date_between(rng, add_days(opened.date(), 14), end_day)
        closed = business_moment(rng, closing_day) if closing_day > opened.date() else None
    incidents = world.case_incidents[case_id]
    row = world.add(
        "S_SRV_REQ",
        {
            "SR_NUM": f"1-{world.number('sr', 30_000_000 + rng.randint(0, 90_000))}",
            "SR_TYPE_CD": sr_type,
            "SR_STAT_ID": "Closed" if closed else rng.choice(("Open", "Open", "Pending")),
            "CST_CON_ID": customer,
            "X_CASE_ID": case_id,
            "X_INCIDENT_ID": rng.choice(incidents) if incidents and rng.random() < 0.5 else None,
            "ACT_OPEN_DT": opened,
            "ACT_CLOSE_DT": closed,
            "DESC_TEXT": description(
                rng,
                _first_name(world, customer),
                _first_name(world, customer),
                limit=DESC_LIMIT,
                low=120,
                high=700,
            ),
        },
        created=min(opened + dt.timedelta(hours=rng.randint(7, 30)), AS_OF_END),
    )
    world.case_requests[case_id].append(str(row["ROW_ID"]))


def build_intake(world: World, rng: random.Random) -> None:
    """Reports for family cases (and a few without a case), their participants, service requests."""
    reporters = [p for p, info in world.persons.items() if info.kind == "reporter"]
    for hh in world.households:
        if hh.kind != "family":
            continue
        adult = hh.parents[0]
        if hh.family_case is None:
            if rng.random() < 0.4:
                reported = _report_day(rng, dt.date(2013, 1, 1), add_days(AS_OF, -5))
                incident, reporter = add_incident(
                    world,
                    rng,
                    case_id=None,
                    reported=reported,
                    screened=screening_after(rng, reported),
                    child=hh.children[0],
                    adult=adult,
                    reporters=reporters,
                )
                _incident_participants(world, rng, incident, hh, reporter)
            continue
        case = world.row("S_CASE", hh.family_case)
        open_day = case["OPEN_DT"].date()
        end_day = case["CLOSED_DT"].date() if case["CLOSED_DT"] is not None else AS_OF
        for i in range(rng.choices((1, 2, 3), weights=(55, 30, 15))[0]):
            first = add_days(open_day, -30) if i == 0 else open_day
            last = open_day if i == 0 else end_day
            reported = _report_day(rng, first, last)
            incident, reporter = add_incident(
                world,
                rng,
                case_id=hh.family_case,
                reported=reported,
                screened=screening_after(rng, reported),
                child=rng.choice(hh.children),
                adult=adult,
                reporters=reporters,
            )
            world.case_incidents[hh.family_case].append(incident)
            _incident_participants(world, rng, incident, hh, reporter)
        if rng.random() < 0.3 and end_day > add_days(CONVERSION_START.date(), 30):
            for _ in range(rng.randint(1, 2)):
                _service_request(
                    world, rng, hh.family_case, adult, rng.choice(lov.active_values("SR_TYPE")[2:])
                )
    for case_id, case in list(world.by_id["S_CASE"].items()):
        end_day = case["CLOSED_DT"].date() if case["CLOSED_DT"] is not None else AS_OF
        if case["TYPE_CD"] == "Youth Service" and end_day > add_days(CONVERSION_START.date(), 30):
            _service_request(world, rng, case_id, world.case_members[case_id][0], "Youth Agreement")
