"""Defects on cases, case participants, reports and report participants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from synthetic import lov
from synthetic.audit import add_merge
from synthetic.cases import add_case, add_participant
from synthetic.injection import InjectionError, Injector, register
from synthetic.intake import DESC_LIMIT, add_incident
from synthetic.narrative import truncated_description
from synthetic.timeline import (
    AS_OF,
    AS_OF_END,
    add_days,
    business_moment,
    date_between,
    fall_back_days,
    midnight,
    screening_after,
)
from synthetic.world import Row

__all__: list[str] = []


def _pick_cases(
    inj: Injector, variant: str, test: Callable[[Row], bool] | None = None, *, table: str = "S_CASE"
) -> list[Row]:
    """Clean cases with participants (never an added leaf case); ``count(table)`` of them."""
    pool = [
        r
        for r in inj.world.tables["S_CASE"]
        if inj.free(r["ROW_ID"])
        and inj.world.case_members.get(r["ROW_ID"])
        and (test is None or test(r))
    ]
    if not pool:
        raise InjectionError(f"no eligible S_CASE row to inject {variant}; generate more persons")
    return inj.rng.sample(pool, min(inj.count(table), len(pool)))


def _leaf_case(inj: Injector, *, case_type: str = "Family Service", closed: bool = False) -> Row:
    rng = inj.rng
    open_day = date_between(rng, dt.date(2013, 1, 1), add_days(AS_OF, -200))
    closed_day = date_between(rng, add_days(open_day, 60), add_days(AS_OF, -10)) if closed else None
    case_id = add_case(
        inj.world, rng, case_type=case_type, name="Family", open_day=open_day, closed_day=closed_day
    )
    row = inj.world.row("S_CASE", case_id)
    person = rng.choice(inj.people())
    while not inj.free(person):  # a name no defect has touched
        person = rng.choice(inj.people())
    row["NAME"] = f"{inj.world.row('S_CONTACT', person)['LAST_NAME']} Family"
    return row


@register("case_without_participants")
def case_without_participants(inj: Injector) -> None:
    for _ in range(inj.count("S_CASE")):
        inj.record("case_without_participants", _leaf_case(inj)["ROW_ID"])


@register("case_closed_before_open")
def case_closed_before_open(inj: Injector) -> None:
    for _ in range(inj.count("S_CASE")):
        row = _leaf_case(inj, closed=True)
        row["CLOSED_DT"] = midnight(add_days(row["OPEN_DT"].date(), -inj.rng.randint(1, 400)))
        inj.record("case_closed_before_open", row["ROW_ID"])


@register("unknown_code")
def unknown_code(inj: Injector) -> None:
    values = lov.UNKNOWN_VALUES["ICM_CASE_TYPE"]
    for i in range(inj.count("S_CASE")):
        row = _leaf_case(inj)
        row["TYPE_CD"] = values[i % len(values)]
        inj.record("unknown_code", row["ROW_ID"])


@register("renamed_code")
def renamed_code(inj: Injector) -> None:
    old = {"Open": "Active", "Closed": "Completed"}
    for row in _pick_cases(inj, "renamed_code", lambda r: r["STATUS_CD"] in old):
        row["STATUS_CD"] = old[row["STATUS_CD"]]
        inj.record("renamed_code", row["ROW_ID"])


@register("retired_code")
def retired_code(inj: Injector) -> None:
    retired = lov.retired_values("ICM_LEGAL_STATUS")
    for i, row in enumerate(_pick_cases(inj, "retired_code")):
        row["X_LEGAL_STATUS_CD"] = retired[i % len(retired)]
        inj.record("retired_code", row["ROW_ID"])


@register("entered_in_error")
def entered_in_error(inj: Injector) -> None:
    for row in _pick_cases(inj, "entered_in_error", lambda r: r["STATUS_CD"] == "Open"):
        row["STATUS_CD"] = "Entered in Error"
        inj.record("entered_in_error", row["ROW_ID"])


@register("created_after_updated")
def created_after_updated(inj: Injector) -> None:
    for row in _pick_cases(inj, "created_after_updated"):
        lag = dt.timedelta(days=inj.rng.randint(1, 30), seconds=inj.rng.randint(1, 3600))
        if row["LAST_UPD"] + lag <= AS_OF_END:
            row["CREATED"] = row["LAST_UPD"] + lag
        else:
            row["LAST_UPD"] = row["DB_LAST_UPD"] = row["CREATED"] - lag
        inj.record("created_after_updated", row["ROW_ID"])


@register("unknown_user")
def unknown_user(inj: Injector) -> None:
    for row in _pick_cases(inj, "unknown_user"):
        row["CREATED_BY"] = inj.world.ids.nowhere()
        inj.record("unknown_user", row["ROW_ID"])


@register("closed_without_date")
def closed_without_date(inj: Injector) -> None:
    try:
        rows = _pick_cases(inj, "closed_without_date", lambda r: r["STATUS_CD"] == "Closed")
    except InjectionError:  # a small world whose cases all drew Open: one is closed, undated
        rows = _pick_cases(inj, "closed_without_date", lambda r: r["STATUS_CD"] == "Open")
    for row in rows:
        row["STATUS_CD"] = "Closed"
        row["CLOSED_DT"] = None
        inj.record("closed_without_date", row["ROW_ID"])


@register("open_with_close_date")
def open_with_close_date(inj: Injector) -> None:
    def eligible(row: Row) -> bool:
        return row["STATUS_CD"] == "Open" and row["OPEN_DT"].date() < add_days(AS_OF, -40)

    for row in _pick_cases(inj, "open_with_close_date", eligible):
        row["CLOSED_DT"] = midnight(
            date_between(inj.rng, add_days(row["OPEN_DT"].date(), 30), add_days(AS_OF, -1))
        )
        inj.record("open_with_close_date", row["ROW_ID"])


def _outsider(inj: Injector, case_id: str, people: list[str]) -> str:
    members = set(inj.world.case_members[case_id])
    for _ in range(1000):
        person = inj.rng.choice(people)
        if person not in members and inj.free(person):
            return person
    raise InjectionError("no clean person outside the case to survive a merge")


def _residue(inj: Injector, variant: str, *, resolved: bool) -> None:
    people = inj.people()
    for case in _pick_cases(inj, variant, table="CX_CASE_CON"):
        merged = inj.world.ids.nowhere()
        start = case["OPEN_DT"].date()
        link = add_participant(
            inj.world,
            inj.rng,
            case["ROW_ID"],
            merged,
            "Household Member",
            primary=False,
            start=start,
            end=case["CLOSED_DT"].date() if case["CLOSED_DT"] is not None else None,
        )
        if resolved:
            survivor: str | None = _outsider(inj, case["ROW_ID"], people)
            inj.reserve(survivor)
            add_merge(
                inj.world,
                inj.rng,
                merged,
                str(survivor),
                after=inj.world.row("CX_CASE_CON", link)["CREATED"],
            )
        else:
            survivor = None
            add_merge(
                inj.world,
                inj.rng,
                merged,
                inj.world.ids.nowhere(),
                after=inj.world.row("CX_CASE_CON", link)["CREATED"],
            )
        inj.record(variant, link, related=survivor)


@register("merge_repointed")
def merge_repointed(inj: Injector) -> None:
    _residue(inj, "merge_repointed", resolved=True)


@register("merge_unresolved")
def merge_unresolved(inj: Injector) -> None:
    _residue(inj, "merge_unresolved", resolved=False)


@register("orphan_case_participant")
def orphan_case_participant(inj: Injector) -> None:
    for case in _pick_cases(inj, "orphan_case_participant", table="CX_CASE_CON"):
        link = add_participant(
            inj.world,
            inj.rng,
            case["ROW_ID"],
            inj.world.ids.nowhere(),
            "Household Member",
            primary=False,
            start=case["OPEN_DT"].date(),
            end=None,
        )
        inj.record("orphan_case_participant", link)


@register("key_trailing_blank")
def key_trailing_blank(inj: Injector) -> None:
    by_case: dict[str, list[Row]] = {}
    for row in inj.world.tables["CX_CASE_CON"]:
        by_case.setdefault(row["CASE_ID"], []).append(row)
    # Only in cases that keep another exact participant, one row per case.
    pool = [
        rows
        for case_id, rows in by_case.items()
        if len(rows) >= 2 and inj.free(case_id) and all(inj.free(r["ROW_ID"]) for r in rows)
    ]
    if not pool:
        raise InjectionError("no case with two clean participants for key_trailing_blank")
    for rows in inj.rng.sample(pool, min(inj.count("CX_CASE_CON"), len(pool))):
        row = inj.rng.choice(rows)
        row["CASE_ID"] = row["CASE_ID"] + " "
        inj.reserve(*(r["ROW_ID"] for r in rows if r is not row))
        inj.record("key_trailing_blank", row["ROW_ID"])


@register("screened_before_reported")
def screened_before_reported(inj: Injector) -> None:
    world, rng = inj.world, inj.rng
    cases = _pick_cases(
        inj,
        "screened_before_reported",
        lambda r: r["TYPE_CD"] == "Family Service",
        table="S_INCIDENT",
    )
    for case in cases:
        # Names in the description come from persons no defect has touched.
        members = [p for p in world.case_members[case["ROW_ID"]] if inj.free(p)] or inj.people()[:1]
        day = date_between(rng, dt.date(2013, 1, 10), add_days(AS_OF, -10))
        reported = business_moment(rng, day)
        screened = business_moment(rng, add_days(day, -rng.randint(1, 2)))
        incident, _ = add_incident(
            world,
            rng,
            case_id=case["ROW_ID"],
            reported=reported,
            screened=screened,
            child=members[-1],
            adult=members[0],
            reporters=[],
        )
        inj.record("screened_before_reported", incident)


def _pick_incidents(inj: Injector, variant: str) -> list[Row]:
    return inj.choose("S_INCIDENT", inj.count("S_INCIDENT"), variant=variant)


@register("truncated_note")
def truncated_note(inj: Injector) -> None:
    for row in _pick_incidents(inj, "truncated_note"):
        row["DESC_TEXT"] = truncated_description(
            inj.rng, "the child", "the parent", limit=DESC_LIMIT
        )
        inj.record("truncated_note", row["ROW_ID"])


@register("ambiguous_local_time")
def ambiguous_local_time(inj: Injector) -> None:
    days = fall_back_days(2012, AS_OF.year - 1)
    for row in _pick_incidents(inj, "ambiguous_local_time"):
        day = inj.rng.choice(days)
        reported = midnight(day) + dt.timedelta(
            hours=1, minutes=inj.rng.randint(0, 59), seconds=inj.rng.randint(0, 59)
        )
        row["REPORTED_DT"] = reported
        row["X_SCREEN_DT"] = screening_after(inj.rng, reported)
        inj.record("ambiguous_local_time", row["ROW_ID"])


@register("orphan_incident_participant")
def orphan_incident_participant(inj: Injector) -> None:
    people = inj.people()
    for _ in range(inj.count("S_INCIDENT_CON")):
        created = midnight(
            date_between(inj.rng, dt.date(2013, 1, 1), add_days(AS_OF, -5))
        ) + dt.timedelta(hours=18)
        row = inj.world.add(
            "S_INCIDENT_CON",
            {
                "INCIDENT_ID": inj.world.ids.nowhere(),
                "CON_ID": inj.rng.choice(people),
                "ROLE_CD": "Other Adult",
                "X_ALLEGATION_CD": None,
            },
            created=created,
        )
        inj.record("orphan_incident_participant", row["ROW_ID"])


@register("key_lower_case")
def key_lower_case(inj: Injector) -> None:
    def eligible(row: Row) -> bool:
        key = str(row["CON_ID"])
        return key.lower() != key and key.lower() not in inj.world.by_id["S_CONTACT"]

    for row in inj.choose(
        "S_INCIDENT_CON", inj.count("S_INCIDENT_CON"), eligible, variant="key_lower_case"
    ):
        row["CON_ID"] = str(row["CON_ID"]).lower()
        inj.record("key_lower_case", row["ROW_ID"])
