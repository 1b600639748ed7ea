"""The machinery that injects defects: row selection on DISJOINT clean rows, and the record.

Rules every injector follows:

* a row carries at most one injected defect (``taken``), and rows that a
  defect relates to (the original of a duplicate, the survivor of a merge)
  stay clean (``reserved``);
* a variant whose expected action is *quarantine* is injected on a leaf row
  that no other row refers to (an added person, case or report with no links),
  so that quarantining it cascades to no clean row;
* every variant is injected ``max(1, round(rate * rows))`` times, where rows
  is the table's row count before injection.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from synthetic.manifest import DefectEntry
from synthetic.world import Row, World
from transform.vocabulary import DEFECTS, DefectExpectation

__all__ = ["EXPECTATIONS", "InjectionError", "Injector", "VariantFn", "register", "registry"]

EXPECTATIONS: dict[str, DefectExpectation] = {d.variant: d for d in DEFECTS}

VariantFn = Callable[["Injector"], None]
_REGISTRY: dict[str, VariantFn] = {}


class InjectionError(RuntimeError):
    """A variant found no eligible row. Terminal for these parameters: use more persons."""


def register(variant: str) -> Callable[[VariantFn], VariantFn]:
    """Declare the injector of ``variant`` (a name from ``transform.vocabulary.DEFECTS``)."""
    if variant not in EXPECTATIONS:
        raise KeyError(f"{variant!r} is not a variant of transform.vocabulary.DEFECTS")

    def wrap(fn: VariantFn) -> VariantFn:
        _REGISTRY[variant] = fn
        return fn

    return wrap


def registry() -> dict[str, VariantFn]:
    return dict(_REGISTRY)


@dataclass
class Injector:
    world: World
    rng: random.Random
    rate: float
    base: dict[str, int]
    dialect: str
    entries: list[DefectEntry] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    reserved: set[str] = field(default_factory=set)
    not_injected: list[dict[str, str]] = field(default_factory=list)
    _people: list[str] = field(default_factory=list)

    def people(self) -> list[str]:
        """The base persons' ROW_IDs in key order (never an added defect row)."""
        if not self._people:
            self._people = sorted(self.world.persons)
        return self._people

    def count(self, table: str, *, per: int = 1) -> int:
        """How many times to inject a variant on ``table`` (pairs count ``per`` = 2)."""
        return max(1, round(self.rate * self.base[table] / per))

    def free(self, row_id: str) -> bool:
        return row_id not in self.taken and row_id not in self.reserved

    def choose(
        self, table: str, k: int, test: Callable[[Row], bool] | None = None, *, variant: str
    ) -> list[Row]:
        """Up to ``k`` random clean rows of ``table`` passing ``test``; at least one, or an error."""
        pool = [
            r
            for r in self.world.tables[table]
            if self.free(r["ROW_ID"]) and (test is None or test(r))
        ]
        if not pool:
            raise InjectionError(
                f"no eligible {table} row to inject {variant}; generate more persons"
            )
        return self.rng.sample(pool, min(k, len(pool)))

    def record(self, variant: str, row_id: str, related: str | None = None) -> None:
        exp = EXPECTATIONS[variant]
        if row_id in self.taken:
            raise AssertionError(f"{exp.table} {row_id} already carries a defect")
        self.entries.append(
            DefectEntry(
                defect=exp.defect,
                variant=variant,
                table=exp.table,
                row_id=row_id,
                column=exp.column,
                action=exp.action,
                code=exp.code,
                related_row_id=related,
            )
        )
        self.taken.add(row_id)

    def reserve(self, *row_ids: str | None) -> None:
        self.reserved.update(r for r in row_ids if r is not None)
