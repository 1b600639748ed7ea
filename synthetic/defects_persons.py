"""Defects on S_CONTACT: duplicates, bad birth dates, placeholders, encodings, PHNs, phones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ftfy

from extract import SYSTEM_COLUMNS
from synthetic.injection import InjectionError, Injector, register
from synthetic.names import CULTURES, NICKNAMES, pick_culture
from synthetic.persons import phone_number
from synthetic.timeline import AS_OF, AS_OF_END, add_days, date_between, midnight, moment_between
from synthetic.world import Row

__all__ = ["add_loose_person", "latin_accented"]

_NO_MATCH = "No Match Row Id"
_MID_PLACEHOLDERS = ("N/A", "UNKNOWN", ".", "XXX")
_LAST_PLACEHOLDERS = ("UNKNOWN", " ", "N/A", None)
_LATIN1_ACCENTS = set("éèêëïîôöüûçàâøÉÈÊ")


def latin_accented(name: str) -> bool:
    """Non-ASCII only through Latin-1 accented letters (lost to '?' by a Latin-1 -> ASCII path)."""
    return any(ch in _LATIN1_ACCENTS for ch in name) and all(
        ch.isascii() or ch in _LATIN1_ACCENTS for ch in name
    )


def _mojibake(name: str) -> str | None:
    """The CP1252 reading of ``name``'s UTF-8 bytes, when ftfy can reverse it exactly."""
    try:
        broken = name.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:
        return None
    return broken if broken != name and ftfy.fix_text(broken) == name else None


def _birth(row: Row) -> dt.date:
    value = row["BIRTH_DT"]
    assert isinstance(value, dt.datetime)
    return value.date()


def _base_person(inj: Injector, row: Row) -> bool:
    return row["ROW_ID"] in inj.world.persons


def add_loose_person(
    inj: Injector, *, birth: dt.date, avoid_family: str | None = None, phn: str | None = None
) -> Row:
    """A person with no address and no links (a leaf: quarantining it cascades nowhere)."""
    world, rng = inj.world, inj.rng
    culture = pick_culture(rng)
    sex = rng.choice("MF")
    first = culture.given(rng, sex, native=False)
    family = culture.surname(rng, native=False)
    while avoid_family is not None and family.casefold() == avoid_family.casefold():
        family = rng.choice(CULTURES).surname(rng, native=False)
    birth = world.identity.claim(first, family, birth, latest=dt.date(2200, 1, 1))
    created = moment_between(rng, midnight(dt.date(2013, 1, 1)), AS_OF_END - dt.timedelta(days=5))
    row_id = world.ids.next()
    return world.add(
        "S_CONTACT",
        {
            "PAR_ROW_ID": row_id,
            "FST_NAME": first,
            "LAST_NAME": family,
            "BIRTH_DT": midnight(birth),
            "SEX_MF": "Male" if sex == "M" else "Female",
            "DECEASED_FLG": "N",
            "X_PHN": phn,
            "CELL_PH_NUM": phone_number(rng) if rng.random() < 0.5 else None,
            "ACTIVE_FLG": "Y",
            "X_UNBORN_FLG": "N",
            "X_INDIG_STATUS_CD": "Not Known",
        },
        created=created,
        row_id=row_id,
    )


def _copy_person(inj: Injector, original: Row) -> Row:
    world = inj.world
    row_id = world.ids.next()
    values = {k: v for k, v in original.items() if k not in SYSTEM_COLUMNS}
    values.update(PAR_ROW_ID=row_id, INTEGRATION_ID=None, NICK_NAME=None)
    created = moment_between(inj.rng, original["CREATED"], AS_OF_END - dt.timedelta(days=2))
    return world.add("S_CONTACT", values, created=created, row_id=row_id)


def _swapped(day: dt.date) -> dt.date | None:
    if day.day > 12 or day.day == day.month:
        return None
    swapped = dt.date(day.year, day.day, day.month)
    return swapped if swapped < AS_OF else None


_VARIATIONS = ("case", "nickname", "swap", "no_middle", "no_phn")


def _fits(variation: str, row: Row) -> bool:
    if variation == "case":
        last = row["LAST_NAME"] or ""
        return last.isascii() and last.upper() != last
    if variation == "nickname":
        return row["FST_NAME"] in NICKNAMES
    if variation == "swap":
        return _swapped(_birth(row)) is not None
    if variation == "no_middle":
        return row["MID_NAME"] is not None
    return row["X_PHN"] is not None


@register("duplicate_person")
def duplicate_person(inj: Injector) -> None:
    world = inj.world
    children = [
        r
        for r in world.tables["S_CONTACT"]
        if _base_person(inj, r) and world.persons[r["ROW_ID"]].kind == "child"
    ]
    pools = {v: [r for r in children if _fits(v, r)] for v in _VARIATIONS}
    for pool in pools.values():
        inj.rng.shuffle(pool)

    def take(variation: str) -> Row | None:
        pool = pools[variation]
        while pool:
            row = pool.pop()
            if inj.free(row["ROW_ID"]):
                return row
        return None

    for i in range(inj.count("S_CONTACT")):
        original = None
        for variation in _VARIATIONS[i % 5 :] + _VARIATIONS[: i % 5]:
            original = take(variation)
            if original is not None:
                break
        if original is None:
            if i == 0:
                raise InjectionError(
                    "no clean child to copy for duplicate_person; generate more persons"
                )
            return
        copy = _copy_person(inj, original)
        if variation == "case":
            copy["LAST_NAME"] = str(original["LAST_NAME"]).upper()
        elif variation == "nickname":
            copy["FST_NAME"] = NICKNAMES[str(original["FST_NAME"])]
        elif variation == "swap":
            copy["BIRTH_DT"] = midnight(_swapped(_birth(original)) or _birth(original))
        elif variation == "no_middle":
            copy["MID_NAME"] = None
        else:
            copy["X_PHN"] = None
        inj.reserve(original["ROW_ID"])
        inj.record("duplicate_person", copy["ROW_ID"], related=original["ROW_ID"])


@register("shared_phn")
def shared_phn(inj: Injector) -> None:
    others = inj.choose(
        "S_CONTACT",
        inj.count("S_CONTACT"),
        lambda r: r["X_PHN"] is not None and _base_person(inj, r),
        variant="shared_phn",
    )
    for other in others:
        birth = date_between(inj.rng, dt.date(1960, 1, 1), dt.date(2005, 12, 31))
        person = add_loose_person(
            inj, birth=birth, phn=str(other["X_PHN"]), avoid_family=str(other["LAST_NAME"])
        )
        inj.reserve(other["ROW_ID"])
        inj.record("shared_phn", person["ROW_ID"], related=other["ROW_ID"])


@register("future_birth")
def future_birth(inj: Injector) -> None:
    for _ in range(inj.count("S_CONTACT")):
        birth = date_between(inj.rng, add_days(AS_OF, 1), add_days(AS_OF, 700))
        person = add_loose_person(inj, birth=birth, phn=inj.world.identity.new_phn(inj.rng))
        inj.record("future_birth", person["ROW_ID"])


@register("pivoted_year")
def pivoted_year(inj: Injector) -> None:
    for _ in range(inj.count("S_CONTACT")):
        real = date_between(inj.rng, dt.date(1950, 1, 1), dt.date(1999, 12, 28))
        person = add_loose_person(inj, birth=real.replace(year=real.year + 100))
        inj.record("pivoted_year", person["ROW_ID"])


@register("missing_family_name")
def missing_family_name(inj: Injector) -> None:
    for i in range(inj.count("S_CONTACT")):
        birth = date_between(inj.rng, dt.date(1970, 1, 1), add_days(AS_OF, -400))
        person = add_loose_person(inj, birth=birth)
        person["LAST_NAME"] = _LAST_PLACEHOLDERS[i % len(_LAST_PLACEHOLDERS)]
        inj.record("missing_family_name", person["ROW_ID"])


def _mutate(inj: Injector, variant: str, test: Callable[[Row], bool] | None = None) -> list[Row]:
    def eligible(row: Row) -> bool:
        return _base_person(inj, row) and (test is None or test(row))

    return inj.choose("S_CONTACT", inj.count("S_CONTACT"), eligible, variant=variant)


@register("no_match_row_id")
def no_match_row_id(inj: Injector) -> None:
    for row in _mutate(inj, "no_match_row_id", lambda r: r["PR_PER_ADDR_ID"] is not None):
        row["PR_PER_ADDR_ID"] = _NO_MATCH
        inj.record("no_match_row_id", row["ROW_ID"])


@register("placeholder_birth")
def placeholder_birth(inj: Injector) -> None:
    world = inj.world

    def eligible(row: Row) -> bool:
        ext = world.persons[row["ROW_ID"]].ext_id
        return ext is None or world.row("S_CONTACT_X", ext)["ATTRIB_05"] is None

    # No two placeholder rows share given and family name: 1900-01-01 must not pair them up.
    names: set[tuple[str, str]] = set()
    wanted = inj.count("S_CONTACT")
    for row in inj.choose(
        "S_CONTACT",
        2 * wanted,
        lambda r: _base_person(inj, r) and eligible(r),
        variant="placeholder_birth",
    ):
        name = (str(row["FST_NAME"]).casefold(), str(row["LAST_NAME"]).casefold())
        if name in names or len(names) == wanted:
            continue
        names.add(name)
        row["BIRTH_DT"] = midnight(dt.date(1900, 1, 1))
        inj.record("placeholder_birth", row["ROW_ID"])


@register("placeholder_name")
def placeholder_name(inj: Injector) -> None:
    for i, row in enumerate(_mutate(inj, "placeholder_name")):
        row["MID_NAME"] = _MID_PLACEHOLDERS[i % len(_MID_PLACEHOLDERS)]
        inj.record("placeholder_name", row["ROW_ID"])


@register("baby_first_name")
def baby_first_name(inj: Injector) -> None:
    """'Baby Boy' / 'Baby Girl' on children, the youngest first (as recorded at birth)."""
    world = inj.world
    wanted = inj.count("S_CONTACT")
    children = [
        r
        for r in world.tables["S_CONTACT"]
        if _base_person(inj, r)
        and inj.free(r["ROW_ID"])
        and world.persons[r["ROW_ID"]].kind == "child"
    ]
    if not children:
        raise InjectionError("no clean child for baby_first_name; generate more persons")
    infants = [r for r in children if _birth(r) >= add_days(AS_OF, -730)]
    older = [r for r in children if _birth(r) < add_days(AS_OF, -730)]
    chosen = inj.rng.sample(infants, min(wanted, len(infants)))
    chosen += inj.rng.sample(older, min(wanted - len(chosen), len(older)))
    for row in chosen:
        row["FST_NAME"] = "Baby Boy" if world.persons[row["ROW_ID"]].sex == "M" else "Baby Girl"
        row["MID_NAME"] = row["NICK_NAME"] = None
        inj.record("baby_first_name", row["ROW_ID"])


def _rename(inj: Injector, row: Row, column: str, names: tuple[str, ...]) -> bool:
    """Give a clean person an accented name (when too few have one), keeping identities unique."""
    identity = inj.world.identity
    birth = _birth(row)
    for name in inj.rng.sample(names, len(names)):
        first = name if column == "FST_NAME" else row["FST_NAME"]
        last = name if column == "LAST_NAME" else row["LAST_NAME"]
        if identity.free(first, last, birth):
            identity.claim(first, last, birth, latest=birth)
            row[column] = name
            return True
    return False


@register("mojibake")
def mojibake(inj: Injector) -> None:
    from synthetic.names import ACCENTED_FAMILY

    wanted = inj.count("S_CONTACT")
    rows = [
        r
        for r in inj.world.tables["S_CONTACT"]
        if inj.free(r["ROW_ID"])
        and _base_person(inj, r)
        and latin_accented(str(r["LAST_NAME"]))
        and _mojibake(str(r["LAST_NAME"]))
    ]
    chosen = inj.rng.sample(rows, min(wanted, len(rows)))
    if len(chosen) < wanted:
        ids = {r["ROW_ID"] for r in chosen}
        try:
            extra = _mutate(
                inj, "mojibake", lambda r: str(r["LAST_NAME"]).isascii() and r["ROW_ID"] not in ids
            )
        except InjectionError:
            if not chosen:
                raise
            extra = []
        chosen += [
            r
            for r in extra[: wanted - len(chosen)]
            if _rename(inj, r, "LAST_NAME", ACCENTED_FAMILY)
        ]
    for row in chosen:
        row["LAST_NAME"] = _mojibake(str(row["LAST_NAME"]))
        inj.record("mojibake", row["ROW_ID"])


@register("lossy_charset")
def lossy_charset(inj: Injector) -> None:
    world = inj.world
    wanted = inj.count("S_CONTACT")
    rows = [
        r
        for r in world.tables["S_CONTACT"]
        if inj.free(r["ROW_ID"]) and _base_person(inj, r) and latin_accented(str(r["FST_NAME"]))
    ]
    chosen = inj.rng.sample(rows, min(wanted, len(rows)))
    if len(chosen) < wanted:
        ids = {r["ROW_ID"] for r in chosen}
        try:
            extra = _mutate(
                inj,
                "lossy_charset",
                lambda r: str(r["FST_NAME"]).isascii() and r["ROW_ID"] not in ids,
            )
        except InjectionError:
            if not chosen:
                raise
            extra = []
        for row in extra[: wanted - len(chosen)]:
            sex = world.persons[row["ROW_ID"]].sex
            pool = tuple(
                n
                for c in CULTURES
                for n in (c.male if sex == "M" else c.female)
                if latin_accented(n)
            )
            if _rename(inj, row, "FST_NAME", pool):
                chosen.append(row)
    for row in chosen:
        row["FST_NAME"] = "".join(ch if ch.isascii() else "?" for ch in str(row["FST_NAME"]))
        row["NICK_NAME"] = None
        inj.record("lossy_charset", row["ROW_ID"])


@register("inactive_person")
def inactive_person(inj: Injector) -> None:
    for row in _mutate(inj, "inactive_person"):
        row["ACTIVE_FLG"] = "N"
        inj.record("inactive_person", row["ROW_ID"])


@register("do_not_use_name")
def do_not_use_name(inj: Injector) -> None:
    for row in _mutate(inj, "do_not_use_name"):
        row["LAST_NAME"] = f"DO NOT USE {row['LAST_NAME']}"[:45]
        inj.record("do_not_use_name", row["ROW_ID"])


@register("phn_with_spaces")
def phn_with_spaces(inj: Injector) -> None:
    for row in _mutate(inj, "phn_with_spaces", lambda r: r["X_PHN"] is not None):
        phn = str(row["X_PHN"])
        row["X_PHN"] = f"{phn[:4]} {phn[4:7]} {phn[7:]}"
        inj.record("phn_with_spaces", row["ROW_ID"])


@register("phn_bad_check_digit")
def phn_bad_check_digit(inj: Injector) -> None:
    for row in _mutate(inj, "phn_bad_check_digit", lambda r: r["X_PHN"] is not None):
        phn = str(row["X_PHN"])
        wrong = str((int(phn[-1]) + inj.rng.randint(1, 9)) % 10)
        row["X_PHN"] = phn[:-1] + wrong
        inj.record("phn_bad_check_digit", row["ROW_ID"])


@register("phn_wrong_length")
def phn_wrong_length(inj: Injector) -> None:
    for i, row in enumerate(_mutate(inj, "phn_wrong_length", lambda r: r["X_PHN"] is not None)):
        phn = str(row["X_PHN"])
        row["X_PHN"] = phn[:-1] if i % 2 == 0 else phn + str(inj.rng.randint(0, 9))
        inj.record("phn_wrong_length", row["ROW_ID"])


@register("two_phone_numbers")
def two_phone_numbers(inj: Injector) -> None:
    for row in _mutate(inj, "two_phone_numbers"):
        first = row["HOME_PH_NUM"] or phone_number(inj.rng)
        second = phone_number(inj.rng)
        while second == first:
            second = phone_number(inj.rng)
        row["HOME_PH_NUM"] = f"{first} / {second}"
        inj.record("two_phone_numbers", row["ROW_ID"])
