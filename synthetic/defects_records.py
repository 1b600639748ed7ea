"""Defects on placements, activities (notes) and attachments."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from synthetic.injection import InjectionError, Injector, register
from synthetic.narrative import NoteSpec, pii_sentence
from synthetic.persons import phone_number
from synthetic.timeline import AS_OF, AS_OF_END, add_days, moment_between
from synthetic.world import Row

__all__: list[str] = []

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_UNPARSEABLE = ("unknown", "approx 2005", "31/02/2009", "2009-13-01", "00/00/0000")


def _day(text: object) -> dt.date:
    return dt.date.fromisoformat(str(text))


def _pick_placements(
    inj: Injector, variant: str, test: Callable[[Row], bool] | None = None
) -> list[Row]:
    """Clean placements, at most one per child; the child's other placements are reserved so
    that each child carries one placement defect at most and the rest stay exactly as built."""
    pool = [
        r
        for r in inj.world.tables["CX_PLACEMENT"]
        if inj.free(r["ROW_ID"]) and (test is None or test(r))
    ]
    if not pool:
        raise InjectionError(
            f"no eligible CX_PLACEMENT row to inject {variant}; generate more persons"
        )
    chosen: list[Row] = []
    children: set[str] = set()
    for row in inj.rng.sample(pool, len(pool)):
        child = str(row["CHILD_CON_ID"])
        if child in children:
            continue
        siblings = [p for p in inj.world.child_placements[child] if p != row["ROW_ID"]]
        if not all(inj.free(p) for p in siblings):
            continue
        children.add(child)
        chosen.append(row)
        inj.reserve(*siblings)
        if len(chosen) == inj.count("CX_PLACEMENT"):
            break
    if not chosen:
        raise InjectionError(f"no child with clean placements for {variant}; generate more persons")
    return chosen


@register("known_format")
def known_format(inj: Injector) -> None:
    for i, row in enumerate(_pick_placements(inj, "known_format")):
        start = _day(row["START_DT_TXT"])
        style = i % 3
        if style == 0 and start.year >= 2000:
            text = f"{start.day:02d}-{_MONTHS[start.month - 1]}-{start.year % 100:02d}"
        elif style == 2:
            # MM/DD/YYYY with day > 12: unambiguous (the day is moved within its month if needed).
            if start.day <= 12:
                start = start.replace(day=inj.rng.randint(13, 28))
            text = f"{start.month:02d}/{start.day:02d}/{start.year}"
        else:
            text = start.strftime("%Y%m%d")
        row["START_DT_TXT"] = text
        inj.record("known_format", row["ROW_ID"])


@register("ambiguous_day_month")
def ambiguous_day_month(inj: Injector) -> None:
    for row in _pick_placements(inj, "ambiguous_day_month"):
        start = _day(row["START_DT_TXT"])
        if start.day > 12 or start.day == start.month:
            start = start.replace(day=inj.rng.choice([d for d in range(1, 13) if d != start.month]))
        row["START_DT_TXT"] = f"{start.month:02d}/{start.day:02d}/{start.year}"
        inj.record("ambiguous_day_month", row["ROW_ID"])


@register("unparseable")
def unparseable(inj: Injector) -> None:
    for i, row in enumerate(_pick_placements(inj, "unparseable")):
        row["START_DT_TXT"] = _UNPARSEABLE[i % len(_UNPARSEABLE)]
        inj.record("unparseable", row["ROW_ID"])


@register("placement_end_before_start")
def placement_end_before_start(inj: Injector) -> None:
    for row in _pick_placements(
        inj, "placement_end_before_start", lambda r: r["END_DT_TXT"] is not None
    ):
        start = _day(row["START_DT_TXT"])
        row["END_DT_TXT"] = add_days(start, -inj.rng.randint(1, 200)).isoformat()
        inj.record("placement_end_before_start", row["ROW_ID"])


@register("placement_before_birth")
def placement_before_birth(inj: Injector) -> None:
    world = inj.world

    def first_of_clean_child(row: Row) -> bool:
        child = str(row["CHILD_CON_ID"])
        return inj.free(child) and world.child_placements[child][0] == row["ROW_ID"]

    for row in _pick_placements(inj, "placement_before_birth", first_of_clean_child):
        child = str(row["CHILD_CON_ID"])
        birth = world.row("S_CONTACT", child)["BIRTH_DT"].date()
        row["START_DT_TXT"] = add_days(birth, -inj.rng.randint(1, 300)).isoformat()
        inj.reserve(child)
        inj.record("placement_before_birth", row["ROW_ID"])


@register("code_spelling_drift")
def code_spelling_drift(inj: Injector) -> None:
    for i, row in enumerate(_pick_placements(inj, "code_spelling_drift")):
        value = str(row["PLCMT_TYPE_CD"])
        variants = [value.upper() + " ", value.lower(), " " + value, value + "  ", value.upper()]
        variants = [v for v in variants if v != value and len(v) <= 30]
        row["PLCMT_TYPE_CD"] = variants[i % len(variants)]
        inj.record("code_spelling_drift", row["ROW_ID"])


@register("overlapping_placement")
def overlapping_placement(inj: Injector) -> None:
    world = inj.world

    def second_of_two(row: Row) -> bool:
        placements = world.child_placements[str(row["CHILD_CON_ID"])]
        index = placements.index(row["ROW_ID"])
        return index >= 1 and inj.free(placements[index - 1])

    for row in _pick_placements(inj, "overlapping_placement", second_of_two):
        placements = world.child_placements[str(row["CHILD_CON_ID"])]
        earlier = world.row("CX_PLACEMENT", placements[placements.index(row["ROW_ID"]) - 1])
        first, end = _day(earlier["START_DT_TXT"]), _day(earlier["END_DT_TXT"])
        row["START_DT_TXT"] = add_days(first, max(1, (end - first).days // 2)).isoformat()
        inj.record("overlapping_placement", row["ROW_ID"], related=earlier["ROW_ID"])


def _notes(inj: Injector, variant: str, test: Callable[[Row], bool] | None = None) -> list[Row]:
    def eligible(row: Row) -> bool:
        return isinstance(row["COMMENTS_LONG"], NoteSpec) and (test is None or test(row))

    return inj.choose("S_EVT_ACT", inj.count("S_EVT_ACT"), eligible, variant=variant)


@register("nul_byte")
def nul_byte(inj: Injector) -> None:
    rows = _notes(inj, "nul_byte")  # chosen on every engine, so the random stream stays the same
    if inj.dialect == "postgresql":
        # Left clean, but still out of the later defects' pools: a pool of another size would
        # draw other rows, and every later defect would differ from the other engines'.
        inj.reserve(*(row["ROW_ID"] for row in rows))
        inj.not_injected.append(
            {
                "defect": "D13",
                "variant": "nul_byte",
                "reason": "PostgreSQL text cannot store a NUL character",
            }
        )
        return
    for row in rows:
        row["COMMENTS_LONG"] = dataclasses.replace(row["COMMENTS_LONG"], inject="\x00")
        inj.record("nul_byte", row["ROW_ID"])


@register("pii_in_note")
def pii_in_note(inj: Injector) -> None:
    for row in _notes(inj, "pii_in_note"):
        target = row["TARGET_PER_ID"]
        phn = inj.world.row("S_CONTACT", target)["X_PHN"] if target else None
        if not phn or len(str(phn)) != 10 or not str(phn).isdigit():
            phn = inj.world.identity.new_phn(inj.rng)
        sentence = pii_sentence(inj.rng, str(phn), phone_number(inj.rng))
        row["COMMENTS_LONG"] = dataclasses.replace(row["COMMENTS_LONG"], inject=sentence)
        inj.record("pii_in_note", row["ROW_ID"])


@register("late_entry")
def late_entry(inj: Injector) -> None:
    latest = add_days(AS_OF, -60)
    for row in inj.choose(
        "S_EVT_ACT",
        inj.count("S_EVT_ACT"),
        lambda r: r["TODO_ACTL_START_DT"].date() <= latest,
        variant="late_entry",
    ):
        start = row["TODO_ACTL_START_DT"]
        first = start + dt.timedelta(days=45)
        created = moment_between(inj.rng, first, min(start + dt.timedelta(days=400), AS_OF_END))
        row["CREATED"] = created
        if row["LAST_UPD"] < created:
            row["LAST_UPD"] = row["DB_LAST_UPD"] = created
        inj.record("late_entry", row["ROW_ID"])


def _attachments(inj: Injector, variant: str) -> list[Row]:
    return inj.choose("S_ACTIVITY_ATT", inj.count("S_ACTIVITY_ATT"), variant=variant)


@register("missing_file")
def missing_file(inj: Injector) -> None:
    for row in _attachments(inj, "missing_file"):
        inj.world.file_specs[row["ROW_ID"]] = (int(row["FILE_SIZE"]), None)
        inj.record("missing_file", row["ROW_ID"])


@register("size_mismatch")
def size_mismatch(inj: Injector) -> None:
    for i, row in enumerate(_attachments(inj, "size_mismatch")):
        size = int(row["FILE_SIZE"])
        written = (
            size - inj.rng.randint(1, size // 2) if i % 2 == 0 else size + inj.rng.randint(1, 4096)
        )
        inj.world.file_specs[row["ROW_ID"]] = (size, written)
        inj.record("size_mismatch", row["ROW_ID"])


@register("empty_file")
def empty_file(inj: Injector) -> None:
    for row in _attachments(inj, "empty_file"):
        row["FILE_SIZE"] = 0
        inj.world.file_specs[row["ROW_ID"]] = (0, 0)
        inj.record("empty_file", row["ROW_ID"])
