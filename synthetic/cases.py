"""S_CASE cases, CX_CASE_CON participants and CX_PLACEMENT placements.

Clean cases: STATUS 'Closed' with a CLOSED_DT after OPEN_DT, or 'Open' with
none. Clean placements of a child are sequential, at least 35 days long and
35 days apart, start after the child's birth, and carry ISO 'YYYY-MM-DD' text
dates (so a date can be moved within its month without breaking the order).
"""

from __future__ import annotations

import datetime as dt
import random

from synthetic import lov
from synthetic.families import add_relationship
from synthetic.stamps import SADMIN
from synthetic.timeline import (
    AS_OF,
    AS_OF_END,
    CONVERSION_START,
    EARLIEST_CASE,
    add_days,
    date_between,
    midnight,
    moment_between,
)
from synthetic.world import Household, World

__all__ = ["MIN_PLACEMENT_DAYS", "add_case", "add_participant", "build_cases"]

MIN_PLACEMENT_DAYS = 35
CHILDREN_IN_CARE = 10
"""At least this many children in care, where the world has that many old enough."""


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _birth(world: World, person: str) -> dt.date:
    value = world.row("S_CONTACT", person)["BIRTH_DT"]
    assert isinstance(value, dt.datetime)
    return value.date()


def add_case(
    world: World,
    rng: random.Random,
    *,
    case_type: str,
    name: str,
    open_day: dt.date,
    closed_day: dt.date | None,
    legal: str | None = None,
) -> str:
    """A clean S_CASE row; cases opened before the 2012 conversion carry EIM ROW_IDs."""
    converted = open_day < CONVERSION_START.date()
    if converted:
        row_id = world.ids.eim(3)
        created = moment_between(rng, CONVERSION_START, CONVERSION_START + dt.timedelta(hours=40))
        by: str | None = SADMIN
    else:
        row_id = world.ids.next()
        created = midnight(open_day) + dt.timedelta(
            hours=rng.randint(15, 40), minutes=rng.randint(0, 59)
        )
        by = None
    world.add(
        "S_CASE",
        {
            "CASE_NUM": str(world.number("case", 2_400_000 + rng.randint(0, 5000))),
            "NAME": name[:100],
            "TYPE_CD": case_type,
            "STATUS_CD": "Closed" if closed_day else "Open",
            "OPEN_DT": midnight(open_day),
            "CLOSED_DT": midnight(closed_day) if closed_day else None,
            "PR_POSTN_ID": rng.choice(world.positions),
            "X_OFFICE_CD": rng.choice(lov.active_values("ICM_OFFICE")),
            "X_LEGAL_STATUS_CD": legal,
            "X_MIS_FILE_NUM": f"MIS-{rng.randint(0, 9_999_999):07d}" if converted else None,
            "X_CLOSE_RSN_CD": rng.choice(lov.active_values("ICM_CASE_CLOSE_RSN"))
            if closed_day
            else None,
        },
        created=min(created, AS_OF_END),
        by=by,
        row_id=row_id,
    )
    world.case_members[row_id] = []
    world.case_incidents[row_id] = []
    world.case_requests[row_id] = []
    return row_id


def add_participant(
    world: World,
    rng: random.Random,
    case_id: str,
    person: str,
    role: str,
    *,
    primary: bool,
    start: dt.date,
    end: dt.date | None,
) -> str:
    case = world.row("S_CASE", case_id)
    created = case["CREATED"] + dt.timedelta(minutes=rng.randint(1, 240))
    row = world.add(
        "CX_CASE_CON",
        {
            "CASE_ID": case_id,
            "CON_ID": person,
            "ROLE_CD": role,
            "PRIMARY_FLG": "Y" if primary else "N",
            "START_DT": midnight(start),
            "END_DT": midnight(end) if end is not None else None,
        },
        created=min(created, AS_OF_END),
        by=SADMIN if case["CREATED_BY"] == SADMIN else None,
    )
    if person in world.by_id["S_CONTACT"]:
        world.case_members[case_id].append(person)
    return str(row["ROW_ID"])


def _closing(rng: random.Random, open_day: dt.date, chance: float) -> dt.date | None:
    if open_day > add_days(AS_OF, -120) or rng.random() >= chance:
        return None
    return date_between(
        rng, add_days(open_day, 60), min(add_days(open_day, 2500), add_days(AS_OF, -10))
    )


def _family_case(world: World, rng: random.Random, hh: Household) -> None:
    births = {p: _birth(world, p) for p in hh.members}
    first_child = min(births[c] for c in hh.children)
    open_day = date_between(rng, max(add_days(first_child, 1), EARLIEST_CASE), add_days(AS_OF, -45))
    closed = _closing(rng, open_day, 0.55)
    family = world.row("S_CONTACT", hh.parents[0])["LAST_NAME"]
    case_id = add_case(
        world,
        rng,
        case_type="Family Service",
        name=f"{family} Family",
        open_day=open_day,
        closed_day=closed,
    )
    hh.family_case = case_id
    for i, parent in enumerate(hh.parents):
        add_participant(
            world, rng, case_id, parent, "Parent", primary=i == 0, start=open_day, end=closed
        )
    for child in hh.children:
        start = max(open_day, births[child])
        if closed is None or start < closed:
            add_participant(
                world, rng, case_id, child, "Subject Child", primary=False, start=start, end=closed
            )
    for other in hh.others:
        add_participant(
            world,
            rng,
            case_id,
            other,
            "Household Member",
            primary=False,
            start=open_day,
            end=closed,
        )


def _placement_spans(
    rng: random.Random, birth: dt.date, at_least: int
) -> list[tuple[dt.date, dt.date | None]]:
    """Sequential placement spans: each at least 35 days long and 35 days after the previous one."""
    latest_first = add_days(AS_OF, -200 - 400 * (at_least - 1))
    start = date_between(rng, max(add_days(birth, 40), dt.date(2000, 1, 10)), latest_first)
    wanted = max(at_least, rng.choices((1, 2, 3, 4), weights=(35, 35, 20, 10))[0])
    under_19 = _age_on(birth, AS_OF) < 19
    spans: list[tuple[dt.date, dt.date | None]] = []
    for i in range(wanted):
        must_continue = i + 1 < at_least
        end: dt.date | None = add_days(
            start, rng.randint(MIN_PLACEMENT_DAYS, 150 if must_continue else 900)
        )
        assert end is not None
        last = i == wanted - 1
        if not must_continue and (
            end > add_days(AS_OF, -5) or (last and under_19 and rng.random() < 0.5)
        ):
            end = (
                None if under_19 else max(add_days(AS_OF, -5), add_days(start, MIN_PLACEMENT_DAYS))
            )
            spans.append((start, end))
            break
        spans.append((start, end))
        start = add_days(end, rng.randint(MIN_PLACEMENT_DAYS, 100 if must_continue else 700))
        if start > add_days(AS_OF, -80):
            break
    return spans


def _child_in_care(
    world: World,
    rng: random.Random,
    child: str,
    hh: Household,
    caregiver_homes: list[Household],
    pairs: set[frozenset[str]],
    at_least: int,
) -> None:
    birth = _birth(world, child)
    spans = _placement_spans(rng, birth, at_least)
    open_day = max(add_days(spans[0][0], -rng.randint(0, 20)), add_days(birth, 1))
    last_end = spans[-1][1]
    closed = None
    if last_end is not None and rng.random() < 0.7:
        closed = date_between(rng, last_end, min(add_days(last_end, 60), add_days(AS_OF, -1)))
    person = world.row("S_CONTACT", child)
    legal = rng.choice(lov.active_values("ICM_LEGAL_STATUS"))
    case_id = add_case(
        world,
        rng,
        case_type="Child Service",
        name=f"{person['FST_NAME']} {person['LAST_NAME']}",
        open_day=open_day,
        closed_day=closed,
        legal=legal,
    )
    add_participant(
        world, rng, case_id, child, "Subject Child", primary=True, start=open_day, end=closed
    )
    for parent in hh.parents:
        add_participant(
            world, rng, case_id, parent, "Parent", primary=False, start=open_day, end=closed
        )
    placements: list[str] = []
    for start, end in spans:
        home = rng.choice(caregiver_homes)
        caregiver = home.parents[0]
        if caregiver not in world.case_members[case_id]:
            add_participant(
                world, rng, case_id, caregiver, "Caregiver", primary=False, start=start, end=end
            )
        add_relationship(
            world,
            rng,
            caregiver,
            child,
            "Caregiver Of",
            start=start,
            end=end,
            biological=False,
            pairs=pairs,
        )
        created = midnight(start) + dt.timedelta(hours=rng.randint(15, 60))
        converted = start < CONVERSION_START.date()
        row = world.add(
            "CX_PLACEMENT",
            {
                "CHILD_CON_ID": child,
                "CASE_ID": case_id,
                "RESOURCE_CON_ID": caregiver,
                "PLCMT_TYPE_CD": rng.choice(lov.active_values("ICM_PLCMT_TYPE")),
                "START_DT_TXT": start.isoformat(),
                "END_DT_TXT": end.isoformat() if end else None,
                "END_RSN_CD": rng.choice(lov.active_values("ICM_PLCMT_END_RSN")) if end else None,
                "LEGAL_AUTH_CD": rng.choice(lov.active_values("ICM_LEGAL_AUTH")),
                "ACTIVE_FLG": "N" if end else "Y",
            },
            created=moment_between(rng, CONVERSION_START, CONVERSION_START + dt.timedelta(hours=40))
            if converted
            else min(created, AS_OF_END),
            by=SADMIN if converted else None,
        )
        placements.append(str(row["ROW_ID"]))
    world.child_placements[child] = placements


def _resource_case(world: World, rng: random.Random, home: Household) -> None:
    births = [_birth(world, p) for p in home.parents]
    open_day = date_between(
        rng, max(add_days(max(births), 21 * 365), EARLIEST_CASE), add_days(AS_OF, -200)
    )
    closed = _closing(rng, open_day, 0.15)
    last = world.row("S_CONTACT", home.parents[0])["LAST_NAME"]
    case_id = add_case(
        world,
        rng,
        case_type="Resource",
        name=f"{last} Foster Home",
        open_day=open_day,
        closed_day=closed,
    )
    for i, caregiver in enumerate(home.parents):
        add_participant(
            world, rng, case_id, caregiver, "Caregiver", primary=i == 0, start=open_day, end=closed
        )


def _youth_case(world: World, rng: random.Random, youth: str) -> None:
    birth = _birth(world, youth)
    open_day = date_between(
        rng, max(add_days(birth, 16 * 365 + 5), EARLIEST_CASE), add_days(AS_OF, -60)
    )
    closed = _closing(rng, open_day, 0.4)
    person = world.row("S_CONTACT", youth)
    case_id = add_case(
        world,
        rng,
        case_type="Youth Service",
        name=f"{person['FST_NAME']} {person['LAST_NAME']}",
        open_day=open_day,
        closed_day=closed,
    )
    add_participant(
        world, rng, case_id, youth, "Subject Child", primary=True, start=open_day, end=closed
    )


def build_cases(world: World, rng: random.Random, pairs: set[frozenset[str]]) -> None:
    """Family service cases for most families, child service cases with placements for
    children in care, resource cases for caregivers and a few youth service cases."""
    families = [h for h in world.households if h.kind == "family"]
    homes = [h for h in world.households if h.kind == "caregiver"]
    for hh in families:
        if rng.random() < 0.75:
            _family_case(world, rng, hh)

    def eligible_children() -> list[tuple[str, Household]]:
        return [
            (c, hh)
            for hh in families
            if hh.family_case is not None
            for c in hh.children
            if _birth(world, c) <= add_days(AS_OF, -800)
        ]

    eligible = eligible_children()
    # A small world whose families drew few cases gets more, until CHILDREN_IN_CARE children
    # can be placed: the defect injectors need that many (one placement defect per child).
    # Worlds with enough are left as they were drawn.
    for hh in families:
        if len(eligible) >= CHILDREN_IN_CARE:
            break
        if hh.family_case is None:
            _family_case(world, rng, hh)
            eligible = eligible_children()
    wanted = min(len(eligible), max(CHILDREN_IN_CARE, round(0.3 * len(eligible))))
    for i, (child, hh) in enumerate(rng.sample(eligible, wanted)):
        _child_in_care(world, rng, child, hh, homes, pairs, at_least=2 if i < 4 else 1)
    for home in homes:
        _resource_case(world, rng, home)
    youths = [
        c
        for hh in families
        for c in hh.children
        if c not in world.child_placements and 16 <= _age_on(_birth(world, c), AS_OF) <= 19
    ]
    for youth in youths:
        if rng.random() < 0.15:
            _youth_case(world, rng, youth)
