"""S_CONTACT persons and their S_CONTACT_X extension rows.

Clean persons: exact active pick-list values, flags 'Y'/'N', valid 10-digit
PHNs without spaces (or none), phones 'NNN-555-NNNN', birth dates in the past,
and a unique (family name, birth date) and (given name, birth date).
"""

from __future__ import annotations

import datetime as dt
import random

from synthetic.names import NICKNAMES, Culture
from synthetic.narrative import alert_text
from synthetic.stamps import SADMIN
from synthetic.timeline import (
    AS_OF,
    AS_OF_END,
    CONVERSION_START,
    add_days,
    date_between,
    midnight,
    moment_between,
)
from synthetic.world import PersonInfo, World

__all__ = ["add_person", "phone_number"]

_AREA_CODES = ("250", "604", "778", "236")
_INDIG_VALUES = (
    ("First Nations On Reserve", 30),
    ("First Nations Off Reserve", 35),
    ("Métis", 20),
    ("Inuit", 2),
    ("Nisga'a Citizen", 5),
    ("Declined to Answer", 3),
)
_NON_INDIG_VALUES = (("Not Indigenous", 85), ("Not Known", 10), ("Declined to Answer", 5))
_CONVERTED_BEFORE = dt.date(2011, 1, 1)


def phone_number(rng: random.Random) -> str:
    """A fictional BC phone number, exactly 'NNN-555-NNNN'."""
    return f"{rng.choice(_AREA_CODES)}-555-{rng.randint(100, 9999):04d}"


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def _email(rng: random.Random, first: str, last: str) -> str:
    local = f"{first}.{last}".lower()
    local = "".join(ch for ch in local if ch.isascii() and (ch.isalnum() or ch == "."))
    if len(local) < 4 or not first.isascii() or not last.isascii():
        local = "client." + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(6))
    return f"{local}@{rng.choice(('example.com', 'example.org', 'example.net'))}"


def add_person(
    world: World,
    rng: random.Random,
    *,
    kind: str,
    household: int,
    culture: Culture,
    sex: str,
    native: bool,
    last: str,
    born_from: dt.date,
    born_to: dt.date,
    address_id: str | None,
    first: str | None = None,
) -> tuple[str, dt.date]:
    """A clean S_CONTACT row (and maybe an S_CONTACT_X row); returns (ROW_ID, birth date)."""
    first = first or culture.given(rng, sex, native)
    middle = culture.middle(rng, sex, native)
    if middle == first:
        middle = None
    latest = min(born_to, add_days(AS_OF, -20))
    birth = world.identity.claim(first, last, date_between(rng, born_from, latest), latest=latest)
    converted = birth < _CONVERTED_BEFORE and kind != "reporter" and rng.random() < 0.3
    if converted:
        row_id = world.ids.eim(2)
        created = moment_between(rng, CONVERSION_START, CONVERSION_START + dt.timedelta(hours=40))
        by: str | None = SADMIN
    else:
        row_id = world.ids.next()
        first_day = max(
            CONVERSION_START.date() + dt.timedelta(days=3), birth + dt.timedelta(days=1)
        )
        created = moment_between(rng, midnight(first_day), AS_OF_END - dt.timedelta(days=10))
        by = None
    adult = kind != "child"
    sex_value = "Male" if sex == "M" else "Female"
    roll = rng.random()
    if roll < 0.01:
        sex_value = "Another Gender"
    elif roll < 0.015:
        sex_value = "Unknown"
    deceased = kind == "grandparent" and rng.random() < 0.08
    values = {
        "PAR_ROW_ID": row_id,
        "FST_NAME": first,
        "MID_NAME": middle,
        "LAST_NAME": last,
        "NICK_NAME": NICKNAMES[first] if first in NICKNAMES and rng.random() < 0.3 else None,
        "BIRTH_DT": midnight(birth),
        "SEX_MF": sex_value,
        "DECEASED_FLG": "Y" if deceased else "N",
        "DECEASED_DT": midnight(date_between(rng, add_days(birth, 50 * 365), add_days(AS_OF, -30)))
        if deceased
        else None,
        "X_PHN": world.identity.new_phn(rng)
        if rng.random() < (0.93 if not adult else 0.85)
        else None,
        "PR_PER_ADDR_ID": address_id,
        "CELL_PH_NUM": phone_number(rng)
        if (adult and rng.random() < 0.75) or kind == "reporter"
        else None,
        "HOME_PH_NUM": phone_number(rng)
        if adult and kind != "reporter" and rng.random() < 0.4
        else None,
        "EMAIL_ADDR": _email(rng, first, last) if adult and rng.random() < 0.4 else None,
        "INTEGRATION_ID": f"MIS-{rng.randint(0, 9_999_999):07d}" if converted else None,
        "ACTIVE_FLG": "Y",
        "X_UNBORN_FLG": "N",
        "X_INDIG_STATUS_CD": _weighted(
            rng, _INDIG_VALUES if culture.key == "indigenous" else _NON_INDIG_VALUES
        ),
    }
    row = world.add("S_CONTACT", values, created=created, by=by, row_id=row_id)
    info = PersonInfo(row_id=row_id, kind=kind, household=household, sex=sex, culture=culture.key)
    world.persons[row_id] = info
    if converted or rng.random() < 0.5:
        info.ext_id = _add_extension(world, rng, row, culture, sex, converted)
    return row_id, birth


def _add_extension(
    world: World,
    rng: random.Random,
    person: dict[str, object],
    culture: Culture,
    sex: str,
    converted: bool,
) -> str:
    birth = person["BIRTH_DT"]
    assert isinstance(birth, dt.datetime)
    alert = rng.random() < 0.05
    alias = None
    if rng.random() < 0.12:
        other = culture.given(rng, sex, native=False)
        alias = f"{other} {person['LAST_NAME']}"
    created = person["CREATED"]
    assert isinstance(created, dt.datetime)
    values = {
        "PAR_ROW_ID": person["ROW_ID"],
        "ATTRIB_03": alias,
        "ATTRIB_05": birth.date().isoformat() if converted or rng.random() < 0.3 else None,
        "ATTRIB_14": "Y" if alert else "N",
        "X_ALERT_TEXT": alert_text(rng, str(person["FST_NAME"])) if alert else None,
    }
    by = SADMIN if converted else str(person["CREATED_BY"])
    row = world.add(
        "S_CONTACT_X", values, created=created + dt.timedelta(minutes=rng.randint(0, 30)), by=by
    )
    return str(row["ROW_ID"])
