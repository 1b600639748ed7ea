"""S_USER (staff, with SADMIN '0-1') and S_LST_OF_VAL (one LOV_TYPE header row per list)."""

from __future__ import annotations

import datetime as dt
import random

from extract import pick_lists
from synthetic import lov
from synthetic.names import CULTURES
from synthetic.stamps import SADMIN
from synthetic.timeline import AS_OF, CONVERSION_START, date_between, midnight, moment_between
from synthetic.world import World

__all__ = ["build_lov", "build_users", "list_types"]


def list_types() -> list[str]:
    """Every list named in the contract's ``pick_lists``, in first-use order."""
    seen: dict[str, None] = {}
    for list_type in pick_lists().values():
        seen.setdefault(list_type, None)
    missing = [t for t in seen if t not in lov.LISTS]
    if missing:
        raise KeyError(f"synthetic.lov defines no values for pick lists {missing}")
    return list(seen)


def build_users(world: World, rng: random.Random, staff_ids: list[str]) -> None:
    """SADMIN plus one S_USER row per staff id; logins are unique, offices from ICM_OFFICE."""
    first_created = CONVERSION_START - dt.timedelta(days=120)
    world.add(
        "S_USER",
        {
            "LOGIN": "SADMIN",
            "FST_NAME": "Siebel",
            "LAST_NAME": "Administrator",
            "X_OFFICE_CD": None,
            "ACTIVE_FLG": "Y",
        },
        created=first_created,
        by=SADMIN,
        row_id=SADMIN,
    )
    offices = lov.active_values("ICM_OFFICE")
    latin = [c for c in CULTURES if c.key in ("anglo", "french", "punjabi", "chinese", "filipino")]
    logins: set[str] = {"SADMIN"}
    for row_id in staff_ids:
        culture = rng.choice(latin)
        sex = rng.choice("MF")
        first = culture.given(rng, sex, native=False)
        last = culture.surname(rng, native=False)
        base = "".join(ch for ch in (first[0] + last).upper() if "A" <= ch <= "Z")
        login, n = base, 1
        while login in logins:
            n += 1
            login = base + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n % 26] * (1 + n // 26)
        logins.add(login)
        created = midnight(date_between(rng, first_created.date(), AS_OF - dt.timedelta(days=400)))
        world.add(
            "S_USER",
            {
                "LOGIN": login,
                "FST_NAME": first,
                "LAST_NAME": last,
                "X_OFFICE_CD": rng.choice(offices),
                "ACTIVE_FLG": "Y" if rng.random() < 0.9 else "N",
            },
            created=moment_between(rng, created, created + dt.timedelta(hours=10)),
            by=SADMIN,
            row_id=row_id,
        )
        world.staff.append(row_id)


def build_lov(world: World) -> None:
    """S_LST_OF_VAL: a 'LOV_TYPE' header row per list, then its values (retired ones inactive)."""
    created = CONVERSION_START - dt.timedelta(days=60)
    for list_type in list_types():
        world.add(
            "S_LST_OF_VAL",
            {
                "TYPE": "LOV_TYPE",
                "NAME": list_type,
                "VAL": list_type,
                "LANG_ID": "ENU",
                "ACTIVE_FLG": "Y",
                "ORDER_BY": None,
                "DESC_TEXT": f"List of values {list_type}",
            },
            created=created,
            by=SADMIN,
        )
        for order, (code, value, active) in enumerate(lov.LISTS[list_type], start=1):
            world.add(
                "S_LST_OF_VAL",
                {
                    "TYPE": list_type,
                    "NAME": code,
                    "VAL": value,
                    "LANG_ID": "ENU",
                    "ACTIVE_FLG": "Y" if active else "N",
                    "ORDER_BY": order,
                    "DESC_TEXT": None if active else "Retired; kept for historical records",
                },
                created=created,
                by=SADMIN,
            )
