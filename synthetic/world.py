"""The synthetic world while it is built: every table's rows, plus the indexes the builders share."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from stdnum.ca import bc_phn

from extract import LEGACY_TABLE_NAMES, legacy_spec
from synthetic.ids import RowIdAllocator
from synthetic.stamps import Stamper

__all__ = ["Household", "Identity", "PersonInfo", "Row", "World"]

Row = dict[str, Any]


@dataclass(slots=True)
class PersonInfo:
    """What the builders need to know about a person beyond the S_CONTACT row."""

    row_id: str
    kind: str  # child, parent, grandparent, caregiver, reporter
    household: int  # index into World.households, -1 for none
    sex: str  # M or F
    culture: str
    ext_id: str | None = None


@dataclass(slots=True)
class Household:
    index: int
    kind: str  # family or caregiver
    address_id: str
    parents: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    family_case: str | None = None

    @property
    def members(self) -> list[str]:
        return self.parents + self.children + self.others


class Identity:
    """Keeps clean persons distinguishable: unique (family name, birth date),
    (given name, birth date) and PHN, so that duplicate matching can only find
    the pairs injected on purpose."""

    def __init__(self) -> None:
        self.family_birth: set[tuple[str, dt.date]] = set()
        self.given_birth: set[tuple[str, dt.date]] = set()
        self.phns: set[str] = set()

    def free(self, first: str | None, last: str | None, birth: dt.date) -> bool:
        fam = (last or "").casefold()
        giv = (first or "").casefold()
        return (fam, birth) not in self.family_birth and (giv, birth) not in self.given_birth

    def claim(
        self, first: str | None, last: str | None, birth: dt.date, *, latest: dt.date
    ) -> dt.date:
        """``birth`` or the nearest free day to it (never after ``latest``); the pair is then taken."""
        step = 0
        candidate = birth
        while candidate > latest or not self.free(first, last, candidate):
            step += 1
            offset = (step + 1) // 2 * (1 if step % 2 else -1)
            candidate = birth + dt.timedelta(days=offset)
        self.family_birth.add(((last or "").casefold(), candidate))
        self.given_birth.add(((first or "").casefold(), candidate))
        return candidate

    def new_phn(self, rng: random.Random) -> str:
        """A valid BC PHN (10 digits, first 9, mod-11 check) not used before."""
        while True:
            body = "9" + "".join(rng.choice("0123456789") for _ in range(8))
            check = bc_phn.calc_check_digit(body[1:])
            if len(check) != 1:
                continue
            phn = body + check
            if phn not in self.phns and bc_phn.is_valid(phn):
                self.phns.add(phn)
                return phn


class World:
    """All rows of all legacy tables, in insertion order, with lookups by ROW_ID."""

    def __init__(self, seed: int, stamper: Stamper, ids: RowIdAllocator) -> None:
        self.seed = seed
        self.stamper = stamper
        self.ids = ids
        self.tables: dict[str, list[Row]] = {name: [] for name in LEGACY_TABLE_NAMES}
        self.by_id: dict[str, dict[str, Row]] = {name: {} for name in LEGACY_TABLE_NAMES}
        self._columns = {name: legacy_spec()[name].column_names for name in LEGACY_TABLE_NAMES}
        self.identity = Identity()
        self.persons: dict[str, PersonInfo] = {}
        self.households: list[Household] = []
        self.staff: list[str] = []
        self.positions: list[str] = []
        # attachment ROW_ID -> (FILE_SIZE, bytes to write, or None for no file)
        self.file_specs: dict[str, tuple[int, int | None]] = {}
        # case ROW_ID -> participant person ROW_IDs; its reports and service requests
        self.case_members: dict[str, list[str]] = {}
        self.case_incidents: dict[str, list[str]] = {}
        self.case_requests: dict[str, list[str]] = {}
        # child ROW_ID -> placement ROW_IDs, in time order
        self.child_placements: dict[str, list[str]] = {}
        self._counters: dict[str, int] = {}

    def add(
        self,
        table: str,
        values: Row,
        *,
        created: dt.datetime,
        by: str | None = None,
        row_id: str | None = None,
    ) -> Row:
        """A new row of ``table`` with system columns stamped; unknown column names are an error."""
        rid = row_id if row_id is not None else self.ids.next()
        row: Row = dict.fromkeys(self._columns[table])
        row.update(self.stamper.stamp(rid, created, by=by))
        for key, value in values.items():
            if key not in row:
                raise KeyError(f"{table} has no column {key}")
            row[key] = value
        self.tables[table].append(row)
        self.by_id[table][rid] = row
        return row

    def number(self, kind: str, start: int) -> int:
        """The next business number of a kind (case, incident, service request numbers)."""
        value = self._counters.get(kind, start) + 1
        self._counters[kind] = value
        return value

    def row(self, table: str, row_id: str) -> Row:
        return self.by_id[table][row_id]
