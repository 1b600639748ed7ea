"""Defects on S_CONTACT_X extensions, addresses, person-address links and relationships."""

from __future__ import annotations

import datetime as dt

from extract import SYSTEM_COLUMNS
from synthetic.families import add_relationship
from synthetic.injection import InjectionError, Injector, register
from synthetic.names import pick_culture
from synthetic.timeline import AS_OF, AS_OF_END, add_days, date_between, midnight, moment_between
from synthetic.world import Row

__all__: list[str] = []

_FLAG_SPELLINGS = {"Y": ("y", "T", "1"), "N": ("n", "F", "0")}
_INVALID_FLAGS = ("X", "?")
_PROVINCES = ("B.C.", " bc", "B.C", "bc")


def _business(row: Row) -> dict[str, object]:
    return {k: v for k, v in row.items() if k not in SYSTEM_COLUMNS}


def _clean_extension(inj: Injector) -> list[Row]:
    """Extension rows whose person is clean; choosing one reserves the person."""
    return [
        r
        for r in inj.world.tables["S_CONTACT_X"]
        if inj.free(r["ROW_ID"])
        and r["PAR_ROW_ID"] in inj.world.persons
        and inj.free(r["PAR_ROW_ID"])
    ]


def _pick_extensions(inj: Injector, k: int, variant: str) -> list[Row]:
    pool = _clean_extension(inj)
    if not pool:
        raise InjectionError(f"no clean S_CONTACT_X row to inject {variant}; generate more persons")
    chosen = inj.rng.sample(pool, min(k, len(pool)))
    inj.reserve(*(r["PAR_ROW_ID"] for r in chosen))
    return chosen


def _copy_extension(inj: Injector, ext: Row) -> Row:
    created = moment_between(inj.rng, ext["CREATED"], AS_OF_END - dt.timedelta(days=1))
    return inj.world.add("S_CONTACT_X", _business(ext), created=created)


@register("orphan_extension")
def orphan_extension(inj: Injector) -> None:
    for _ in range(inj.count("S_CONTACT_X")):
        created = moment_between(
            inj.rng, midnight(dt.date(2013, 1, 1)), AS_OF_END - dt.timedelta(days=3)
        )
        row = inj.world.add(
            "S_CONTACT_X",
            {
                "PAR_ROW_ID": inj.world.ids.nowhere(),
                "ATTRIB_03": None,
                "ATTRIB_05": None,
                "ATTRIB_14": "N",
                "X_ALERT_TEXT": None,
            },
            created=created,
        )
        inj.record("orphan_extension", row["ROW_ID"])


@register("duplicate_extension")
def duplicate_extension(inj: Injector) -> None:
    for ext in _pick_extensions(inj, inj.count("S_CONTACT_X", per=2), "duplicate_extension"):
        copy = _copy_extension(inj, ext)
        person = inj.world.row("S_CONTACT", ext["PAR_ROW_ID"])
        alias = f"{pick_culture(inj.rng).given(inj.rng, inj.world.persons[person['ROW_ID']].sex, native=False)} {person['LAST_NAME']}"
        copy["ATTRIB_03"] = alias if alias != ext["ATTRIB_03"] else None
        inj.record("duplicate_extension", ext["ROW_ID"], related=copy["ROW_ID"])
        inj.record("duplicate_extension", copy["ROW_ID"], related=ext["ROW_ID"])


@register("identical_extension")
def identical_extension(inj: Injector) -> None:
    for ext in _pick_extensions(inj, inj.count("S_CONTACT_X"), "identical_extension"):
        copy = _copy_extension(inj, ext)
        inj.reserve(ext["ROW_ID"])
        inj.record("identical_extension", copy["ROW_ID"], related=ext["ROW_ID"])


@register("joined_aliases")
def joined_aliases(inj: Injector) -> None:
    for ext in _pick_extensions(inj, inj.count("S_CONTACT_X"), "joined_aliases"):
        person = inj.world.row("S_CONTACT", ext["PAR_ROW_ID"])
        sex = inj.world.persons[person["ROW_ID"]].sex
        names = {pick_culture(inj.rng).given(inj.rng, sex, native=False) for _ in range(6)}
        aliases = [f"{n} {person['LAST_NAME']}" for n in sorted(names)][:3]
        if len(aliases) < 2:
            aliases.append(
                f"{person['FST_NAME']} {pick_culture(inj.rng).surname(inj.rng, native=False)}"
            )
        ext["ATTRIB_03"] = ";".join(aliases)[:100]
        inj.record("joined_aliases", ext["ROW_ID"])


@register("dob_text_conflict")
def dob_text_conflict(inj: Injector) -> None:
    for ext in _pick_extensions(inj, inj.count("S_CONTACT_X"), "dob_text_conflict"):
        birth = inj.world.row("S_CONTACT", ext["PAR_ROW_ID"])["BIRTH_DT"].date()
        shift = inj.rng.choice((-1, 1)) * inj.rng.randint(1, 400)
        ext["ATTRIB_05"] = add_days(birth, shift).isoformat()
        inj.record("dob_text_conflict", ext["ROW_ID"])


@register("postal_code_format")
def postal_code_format(inj: Injector) -> None:
    rows = inj.choose(
        "S_ADDR_PER",
        inj.count("S_ADDR_PER"),
        lambda r: r["ZIPCODE"] is not None,
        variant="postal_code_format",
    )
    for i, row in enumerate(rows):
        code = str(row["ZIPCODE"])
        row["ZIPCODE"] = (
            code.replace(" ", "").lower(),
            code.replace(" ", "-"),
            code.replace(" ", ""),
        )[i % 3]
        inj.record("postal_code_format", row["ROW_ID"])


@register("province_spelling")
def province_spelling(inj: Injector) -> None:
    for i, row in enumerate(
        inj.choose("S_ADDR_PER", inj.count("S_ADDR_PER"), variant="province_spelling")
    ):
        row["STATE"] = _PROVINCES[i % len(_PROVINCES)]
        inj.record("province_spelling", row["ROW_ID"])


@register("no_fixed_address")
def no_fixed_address(inj: Injector) -> None:
    for row in inj.choose("S_ADDR_PER", inj.count("S_ADDR_PER"), variant="no_fixed_address"):
        row["ADDR"] = "NFA"
        row["ADDR_LINE_2"] = None
        row["ZIPCODE"] = None
        inj.record("no_fixed_address", row["ROW_ID"])


@register("flag_spelling")
def flag_spelling(inj: Injector) -> None:
    for row in inj.choose("S_CON_ADDR", inj.count("S_CON_ADDR"), variant="flag_spelling"):
        row["ACTIVE_FLG"] = inj.rng.choice(_FLAG_SPELLINGS[str(row["ACTIVE_FLG"])])
        inj.record("flag_spelling", row["ROW_ID"])


@register("invalid_flag")
def invalid_flag(inj: Injector) -> None:
    for i, row in enumerate(
        inj.choose("S_CON_ADDR", inj.count("S_CON_ADDR"), variant="invalid_flag")
    ):
        row["ACTIVE_FLG"] = _INVALID_FLAGS[i % 2]
        inj.record("invalid_flag", row["ROW_ID"])


@register("orphan_contact_address")
def orphan_contact_address(inj: Injector) -> None:
    people = inj.people()
    for _ in range(inj.count("S_CON_ADDR")):
        person = inj.rng.choice(people)
        start = date_between(inj.rng, dt.date(2013, 1, 1), add_days(AS_OF, -30))
        row = inj.world.add(
            "S_CON_ADDR",
            {
                "CONTACT_ID": person,
                "ADDR_PER_ID": inj.world.ids.nowhere(),
                "ADDR_TYPE_CD": "Mailing",
                "START_DT": midnight(
                    max(start, inj.world.row("S_CONTACT", person)["BIRTH_DT"].date())
                ),
                "END_DT": None,
                "ACTIVE_FLG": "Y",
                "MAIN_ADDR_FLG": "N",
            },
            created=midnight(start) + dt.timedelta(hours=inj.rng.randint(15, 40)),
        )
        inj.record("orphan_contact_address", row["ROW_ID"])


def _related_pairs(inj: Injector) -> set[frozenset[str]]:
    return {frozenset((r["PARTY_ID"], r["REL_PARTY_ID"])) for r in inj.world.tables["S_PARTY_REL"]}


def _adults(inj: Injector) -> list[str]:
    return [
        p
        for p, info in inj.world.persons.items()
        if info.kind in ("parent", "caregiver", "grandparent")
    ]


@register("self_relationship")
def self_relationship(inj: Injector) -> None:
    people = inj.people()
    for _ in range(inj.count("S_PARTY_REL")):
        person = inj.rng.choice(people)
        add_relationship(
            inj.world, inj.rng, person, person, "Extended Family", start=None, biological=False
        )
        inj.record("self_relationship", inj.world.tables["S_PARTY_REL"][-1]["ROW_ID"])


@register("relationship_cycle")
def relationship_cycle(inj: Injector) -> None:
    pairs = _related_pairs(inj)
    adults = _adults(inj)
    for _ in range(inj.count("S_PARTY_REL", per=2)):
        for _attempt in range(200):
            a, b = inj.rng.sample(adults, 2)
            if frozenset((a, b)) not in pairs:
                break
        else:
            raise InjectionError("no unrelated pair of adults for relationship_cycle")
        pairs.add(frozenset((a, b)))
        add_relationship(inj.world, inj.rng, a, b, "Parent Of", start=None, biological=False)
        first = inj.world.tables["S_PARTY_REL"][-1]["ROW_ID"]
        add_relationship(inj.world, inj.rng, b, a, "Parent Of", start=None, biological=False)
        second = inj.world.tables["S_PARTY_REL"][-1]["ROW_ID"]
        inj.record("relationship_cycle", first, related=second)
        inj.record("relationship_cycle", second, related=first)


@register("inverse_pair")
def inverse_pair(inj: Injector) -> None:
    rows = inj.choose(
        "S_PARTY_REL",
        inj.count("S_PARTY_REL"),
        lambda r: r["REL_TYPE_CD"] == "Parent Of",
        variant="inverse_pair",
    )
    for rel in rows:
        start = rel["START_DT"].date() if rel["START_DT"] is not None else None
        add_relationship(
            inj.world,
            inj.rng,
            rel["REL_PARTY_ID"],
            rel["PARTY_ID"],
            "Child Of",
            start=start,
            biological=rel["X_BIOLOGICAL_FLG"] == "Y",
        )
        inverse = inj.world.tables["S_PARTY_REL"][-1]
        inj.reserve(rel["ROW_ID"])
        inj.record("inverse_pair", inverse["ROW_ID"], related=rel["ROW_ID"])
