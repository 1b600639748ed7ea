"""S_ADDR_PER addresses (clean: 'A1A 1A1' postal codes, STATE 'BC', COUNTRY 'Canada')
and the S_CON_ADDR links that share them between the members of a household."""

from __future__ import annotations

import datetime as dt
import random

from synthetic.timeline import AS_OF, add_days, date_between, midnight
from synthetic.world import World

__all__ = ["CITIES", "add_address", "link_address", "move_in_day", "postal_code"]

# City, its forward sortation areas (first three characters of the postal code), weight.
CITIES: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("Victoria", ("V8V", "V8W", "V8T", "V9A", "V8R"), 10),
    ("Vancouver", ("V5K", "V5L", "V5N", "V6A", "V6G", "V5R"), 14),
    ("Surrey", ("V3S", "V3T", "V3W", "V4N"), 14),
    ("Burnaby", ("V5A", "V5C", "V5H"), 6),
    ("Richmond", ("V6X", "V6Y", "V7A"), 5),
    ("Nanaimo", ("V9R", "V9S", "V9T"), 6),
    ("Kamloops", ("V2B", "V2C", "V2H"), 5),
    ("Kelowna", ("V1Y", "V1W", "V1X"), 6),
    ("Prince George", ("V2L", "V2M", "V2N"), 6),
    ("Terrace", ("V8G",), 2),
    ("Williams Lake", ("V2G",), 2),
    ("Fort St. John", ("V1J",), 2),
    ("Chilliwack", ("V2P", "V2R"), 4),
    ("Abbotsford", ("V2S", "V2T"), 5),
    ("Langford", ("V9B",), 3),
    ("Courtenay", ("V9N",), 2),
    ("Nelson", ("V1L",), 1),
    ("Duncan", ("V9L",), 2),
    ("Port Alberni", ("V9Y",), 2),
    ("Campbell River", ("V9W",), 2),
)
_STREETS = (
    "Fort St",
    "Douglas St",
    "Main St",
    "Kingsway",
    "Fraser St",
    "King George Blvd",
    "Yates St",
    "Bay St",
    "Hillside Ave",
    "Gorge Rd W",
    "Victoria Dr",
    "Commercial Dr",
    "Hastings St E",
    "Oak St",
    "Cedar Ave",
    "Maple Cres",
    "Park Rd",
    "Lakeshore Dr",
    "Dogwood Pl",
    "Spruce St",
    "Alder Way",
    "Riverside Dr",
    "Mountain View Rd",
    "Harbour Rd",
    "Elm St",
    "Birch Ave",
)
_LDU_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
_CITY_WEIGHTS = tuple(w for _, _, w in CITIES)


def postal_code(rng: random.Random, fsa: str) -> str:
    """A Canadian postal code in the canonical 'A1A 1A1' form."""
    return f"{fsa} {rng.randint(0, 9)}{rng.choice(_LDU_LETTERS)}{rng.randint(0, 9)}"


def add_address(world: World, rng: random.Random, *, created: dt.datetime, names: set[str]) -> str:
    """A new clean S_ADDR_PER row; ``names`` keeps ADDR_NAME unique (clashes get the ROW_ID appended)."""
    city, fsas, _ = rng.choices(CITIES, weights=_CITY_WEIGHTS)[0]
    addr = f"{rng.randint(1, 9999)} {rng.choice(_STREETS)}"
    line2 = f"Unit {rng.randint(1, 40)}" if rng.random() < 0.2 else None
    row_id = world.ids.next()
    name = f"{addr}, {city}"
    if name in names:
        name = f"{name} {row_id}"
    names.add(name)
    world.add(
        "S_ADDR_PER",
        {
            "ADDR_NAME": name,
            "ADDR": addr,
            "ADDR_LINE_2": line2,
            "CITY": city,
            "STATE": "BC",
            "ZIPCODE": postal_code(rng, rng.choice(fsas)),
            "COUNTRY": "Canada",
            "PER_ID": None,
            "X_NFA_FLG": "N",
        },
        created=created,
        row_id=row_id,
    )
    return row_id


def link_address(
    world: World,
    rng: random.Random,
    *,
    person_id: str,
    address_id: str,
    start: dt.date,
    end: dt.date | None,
    birth: dt.date,
    created: dt.datetime,
    addr_type: str = "Residential",
) -> bool:
    """An S_CON_ADDR row from ``max(start, birth)`` to ``end``; False (and no row) when the span is empty."""
    first = max(start, birth)
    if end is not None and first >= end:
        return False
    world.add(
        "S_CON_ADDR",
        {
            "CONTACT_ID": person_id,
            "ADDR_PER_ID": address_id,
            "ADDR_TYPE_CD": addr_type,
            "START_DT": midnight(first),
            "END_DT": midnight(end) if end is not None else None,
            "ACTIVE_FLG": "Y" if end is None else "N",
            "MAIN_ADDR_FLG": "Y" if end is None and addr_type == "Residential" else "N",
        },
        created=created,
    )
    return True


def move_in_day(rng: random.Random, earliest: dt.date) -> dt.date:
    """When a household moved to its current address."""
    return date_between(rng, max(earliest, dt.date(2004, 1, 1)), add_days(AS_OF, -90))
