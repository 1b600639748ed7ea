"""Households: parents, children and grandparents sharing an address; foster caregivers;
reporters. Relationships (S_PARTY_REL) are one directed row per pair, never an inverse."""

from __future__ import annotations

import datetime as dt
import random

from synthetic.addresses import add_address, link_address, move_in_day
from synthetic.names import CULTURES, Culture, pick_culture
from synthetic.persons import add_person
from synthetic.timeline import AS_OF, AS_OF_END, add_days, midnight, moment_between
from synthetic.world import Household, World

__all__ = ["add_relationship", "build_people"]


def _years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_relationship(
    world: World,
    rng: random.Random,
    party: str,
    related: str,
    rel_type: str,
    *,
    start: dt.date | None,
    end: dt.date | None = None,
    biological: bool,
    pairs: set[frozenset[str]] | None = None,
) -> bool:
    """One directed S_PARTY_REL row; with ``pairs``, a pair already related gets no second row."""
    if pairs is not None:
        key = frozenset((party, related))
        if key in pairs or party == related:
            return False
        pairs.add(key)
    created_a = world.row("S_CONTACT", party)["CREATED"]
    created_b = world.row("S_CONTACT", related)["CREATED"]
    created = max(created_a, created_b) + dt.timedelta(minutes=rng.randint(1, 600))
    world.add(
        "S_PARTY_REL",
        {
            "PARTY_ID": party,
            "REL_PARTY_ID": related,
            "REL_TYPE_CD": rel_type,
            "START_DT": midnight(start) if start is not None else None,
            "END_DT": midnight(end) if end is not None else None,
            "X_BIOLOGICAL_FLG": "Y" if biological else "N",
        },
        created=min(created, AS_OF_END),
    )
    return True


class _Builder:
    def __init__(self, world: World, rng: random.Random) -> None:
        self.world = world
        self.rng = rng
        self.addr_names: set[str] = set()
        self.pairs: set[frozenset[str]] = set()

    def household_address(self, hh: Household, births: dict[str, dt.date]) -> None:
        """Current address for every member, and for some households a previous one."""
        rng, world = self.rng, self.world
        earliest = min(births.values())
        move_in = move_in_day(rng, earliest)
        created = moment_between(
            rng, midnight(max(move_in, dt.date(2012, 4, 20))), AS_OF_END - dt.timedelta(days=5)
        )
        for pid in hh.members:
            link_address(
                world,
                rng,
                person_id=pid,
                address_id=hh.address_id,
                start=move_in,
                end=None,
                birth=births[pid],
                created=created,
            )
        if rng.random() < 0.3:
            prev_start = add_days(move_in, -rng.randint(200, 2000))
            prev = add_address(world, rng, created=created, names=self.addr_names)
            world.row("S_ADDR_PER", prev)["PER_ID"] = hh.members[0]
            for pid in hh.members:
                link_address(
                    world,
                    rng,
                    person_id=pid,
                    address_id=prev,
                    start=prev_start,
                    end=add_days(move_in, -1),
                    birth=births[pid],
                    created=created,
                )
        if rng.random() < 0.05:
            mail = add_address(world, rng, created=created, names=self.addr_names)
            world.row("S_ADDR_PER", mail)["PER_ID"] = hh.members[0]
            link_address(
                world,
                rng,
                person_id=hh.members[0],
                address_id=mail,
                start=move_in,
                end=None,
                birth=births[hh.members[0]],
                created=created,
                addr_type="Mailing",
            )

    def new_household(self, kind: str) -> Household:
        """A household of ``kind`` with its own new address, added to the world."""
        world, rng = self.world, self.rng
        hh = Household(index=len(world.households), kind=kind, address_id="")
        hh.address_id = add_address(
            world,
            rng,
            created=moment_between(
                rng, midnight(dt.date(2012, 5, 1)), AS_OF_END - dt.timedelta(days=30)
            ),
            names=self.addr_names,
        )
        world.households.append(hh)
        return hh

    def family(self, size_limit: int) -> int:
        rng, world = self.rng, self.world
        culture = pick_culture(rng)
        native = rng.random() < culture.native_rate
        n_parents = 1 if rng.random() < 0.35 else 2
        n_children = rng.choices((1, 2, 3, 4, 5), weights=(30, 35, 20, 10, 5))[0]
        n_grand = 1 if rng.random() < 0.08 else 0
        while n_parents + n_children + n_grand > size_limit and n_grand:
            n_grand = 0
        while n_parents + n_children > size_limit and n_children > 1:
            n_children -= 1
        if n_parents + n_children > size_limit:
            n_parents = 1
        hh = self.new_household("family")
        births: dict[str, dt.date] = {}
        family_name = culture.surname(rng, native)
        mother_from, mother_to = dt.date(1966, 1, 1), dt.date(2003, 12, 31)
        mother_sex = "F" if n_parents == 2 or rng.random() < 0.8 else "M"
        mother_last = (
            family_name if n_parents == 1 or rng.random() < 0.5 else culture.surname(rng, native)
        )
        pid, mother_birth = add_person(
            world,
            rng,
            kind="parent",
            household=hh.index,
            culture=culture,
            sex=mother_sex,
            native=native,
            last=mother_last,
            born_from=mother_from,
            born_to=mother_to,
            address_id=hh.address_id,
        )
        hh.parents.append(pid)
        births[pid] = mother_birth
        if n_parents == 2:
            father_sex = "M" if rng.random() < 0.95 else "F"
            pid, birth = add_person(
                world,
                rng,
                kind="parent",
                household=hh.index,
                culture=culture,
                sex=father_sex,
                native=native,
                last=family_name,
                born_from=_years(mother_birth, -8),
                born_to=min(_years(mother_birth, 4), dt.date(2003, 12, 31)),
                address_id=hh.address_id,
            )
            hh.parents.append(pid)
            births[pid] = birth
            add_relationship(
                world,
                rng,
                hh.parents[0],
                pid,
                "Spouse",
                start=min(_years(mother_birth, 19 + rng.randint(0, 8)), add_days(AS_OF, -40)),
                biological=False,
                pairs=self.pairs,
            )
        child_last = family_name
        kids_from = max([_years(b, 18) for b in births.values()] + [dt.date(2001, 1, 1)])
        for _ in range(n_children):
            sex = rng.choice("MF")
            pid, birth = add_person(
                world,
                rng,
                kind="child",
                household=hh.index,
                culture=culture,
                sex=sex,
                native=native,
                last=child_last,
                born_from=kids_from,
                born_to=add_days(AS_OF, -60),
                address_id=hh.address_id,
            )
            hh.children.append(pid)
            births[pid] = birth
        for parent in hh.parents:
            for child in hh.children:
                add_relationship(
                    world,
                    rng,
                    parent,
                    child,
                    "Parent Of",
                    start=births[child],
                    biological=rng.random() < 0.9,
                    pairs=self.pairs,
                )
        ordered = sorted(hh.children, key=lambda c: births[c])
        for i, older in enumerate(ordered):
            for younger in ordered[i + 1 :]:
                add_relationship(
                    world,
                    rng,
                    older,
                    younger,
                    "Sibling",
                    start=births[younger],
                    biological=True,
                    pairs=self.pairs,
                )
        if n_grand:
            pid, birth = add_person(
                world,
                rng,
                kind="grandparent",
                household=hh.index,
                culture=culture,
                sex=rng.choice("MF"),
                native=native,
                last=family_name,
                born_from=_years(mother_birth, -38),
                born_to=_years(mother_birth, -19),
                address_id=hh.address_id,
            )
            hh.others.append(pid)
            births[pid] = birth
            for child in hh.children:
                add_relationship(
                    world,
                    rng,
                    pid,
                    child,
                    "Grandparent Of",
                    start=births[child],
                    biological=True,
                    pairs=self.pairs,
                )
        world.row("S_ADDR_PER", hh.address_id)["PER_ID"] = hh.members[0]
        self.household_address(hh, births)
        return len(hh.members)

    def caregivers(self, size_limit: int) -> int:
        rng, world = self.rng, self.world
        culture = pick_culture(rng)
        n = 1 if size_limit == 1 or rng.random() < 0.3 else 2
        hh = self.new_household("caregiver")
        births: dict[str, dt.date] = {}
        last = culture.surname(rng, native=False)
        for i in range(n):
            pid, birth = add_person(
                world,
                rng,
                kind="caregiver",
                household=hh.index,
                culture=culture,
                sex="F" if i == 0 else "M",
                native=False,
                last=last,
                born_from=dt.date(1955, 1, 1),
                born_to=dt.date(1996, 12, 31),
                address_id=hh.address_id,
            )
            hh.parents.append(pid)
            births[pid] = birth
        if n == 2:
            add_relationship(
                world,
                rng,
                hh.parents[0],
                hh.parents[1],
                "Spouse",
                start=_years(births[hh.parents[0]], 25),
                biological=False,
                pairs=self.pairs,
            )
        world.row("S_ADDR_PER", hh.address_id)["PER_ID"] = hh.members[0]
        self.household_address(hh, births)
        return n

    def reporter(self) -> None:
        rng = self.rng
        culture: Culture = rng.choice(CULTURES)
        add_person(
            self.world,
            rng,
            kind="reporter",
            household=-1,
            culture=culture,
            sex=rng.choice("MF"),
            native=False,
            last=culture.surname(rng, native=False),
            born_from=dt.date(1958, 1, 1),
            born_to=dt.date(2000, 12, 31),
            address_id=None,
        )


def build_people(world: World, rng: random.Random, persons: int) -> set[frozenset[str]]:
    """Exactly ``persons`` S_CONTACT rows: families (about 85%), caregivers and reporters.

    Returns the related pairs, so that later relationships never add a second row for a pair.
    """
    builder = _Builder(world, rng)
    reporters = max(3, round(0.05 * persons))
    caregivers = max(5, round(0.08 * persons))
    family_budget = persons - reporters - caregivers
    if family_budget < 8:
        raise ValueError(
            f"persons={persons} is too small: at least {reporters + caregivers + 8} are needed"
        )
    remaining = family_budget
    while remaining >= 2:
        remaining -= builder.family(remaining)
    reporters += remaining
    remaining = caregivers
    while remaining > 0:
        remaining -= builder.caregivers(remaining)
    for _ in range(reporters):
        builder.reporter()
    return builder.pairs
