"""The work on one legacy row: what its rules decided, collected before the batch is assembled.

A rule reads columns through a :class:`RowWork`, which records every quarantine reason
(all of them, never only the first), every data-quality flag (with the original and the
normalised value as text), an exclusion, and the target rows built. The batch driver
turns the works into a :class:`~transform.result.TransformResult`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from transform.codes import CodeLookup
from transform.contract import PICK_LISTS, code_set_of, link_of
from transform.errors import MissingFactError
from transform.flags import parse_flag
from transform.identity import target_id
from transform.keys import resolve_key, resolve_person_key
from transform.lineage import lineage_of
from transform.outcome import Normalised
from transform.result import BatchContext, Reason
from transform.text import is_truncation_suspect, repair_text_all

__all__ = ["NO_MATCH_ROW_ID", "PendingFlag", "RowWork", "Rule", "as_text"]

T = TypeVar("T")

NO_MATCH_ROW_ID = "No Match Row Id"
"""Siebel's sentinel for a primary pointer with nothing to point to (D04)."""

_CODE_SETS: dict[tuple[str, str], str] = {
    (table, column): code_set
    for name, code_set in PICK_LISTS.items()
    for table, column in [name.split(".", 1)]
}
"""(table, column) -> code set: :func:`code_set_of` without building its key text."""


def as_text(value: Any) -> str | None:
    """A value as the text kept in a flag (ISO for dates, plain str otherwise).

    A NUL character is kept as the six characters ``\\u0000``: PostgreSQL text
    cannot hold NUL, and a flag must store the same text on every engine.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value.replace("\x00", "\\u0000")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)  # str, int, Decimal, UUID


@dataclass(frozen=True)
class PendingFlag:
    code: str
    field: str
    original_value: str | None
    normalised_value: str | None


@dataclass(slots=True)
class RowWork:
    """One legacy row under transformation."""

    table: str
    row: dict[str, Any]
    context: BatchContext
    lookup: CodeLookup
    reasons: list[Reason] = field(default_factory=list)
    flags: list[PendingFlag] = field(default_factory=list)
    exclusion: str | None = None
    main_table: str | None = None
    main_id: uuid.UUID | None = None
    upserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    updates: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    lineage: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    """The lineage columns of the target rows, once one is built (shared: do not mutate)."""
    row_id: str = field(init=False, repr=False, compare=False)
    """``str(row["ROW_ID"])``, read once (every reason, flag and id names it)."""

    def __post_init__(self) -> None:
        self.row_id = str(self.row["ROW_ID"])

    # ------------------------------------------------------------ identity

    @property
    def source_hash(self) -> str:
        return str(self.row["source_hash"])

    @property
    def quarantined(self) -> bool:
        return bool(self.reasons)

    @property
    def outcome(self) -> str:
        if self.reasons:
            return "quarantined"
        return "excluded" if self.exclusion else "loaded"

    def __getitem__(self, column: str) -> Any:
        return self.row[column]

    # ------------------------------------------------------------ outcomes
    def reject(self, code: str, column: str | None, why: str = "") -> None:
        """Add a quarantine reason (a repeated code+column is kept once)."""
        if any(r.code == code and r.column == column for r in self.reasons):
            return
        where = f"{self.table} {self.row_id}" + (f" {column}" if column else "")
        self.reasons.append(Reason(code, column, f"{where}: {why or code}"))

    def flag(self, code: str, column: str, original: Any, normalised: Any) -> None:
        """Add a data-quality flag on ``column`` ('' for the whole row)."""
        pending = PendingFlag(code, column, as_text(original), as_text(normalised))
        if any(f.code == code and f.field == column for f in self.flags):
            return
        self.flags.append(pending)

    def exclude(self, rule: str) -> None:
        self.exclusion = rule

    def take(self, column: str, result: Normalised[T], *, original: Any = None) -> T | None:
        """The value of a normaliser's result, recording its reason or flag on ``column``."""
        if result.reason is not None:
            self.reject(result.reason, column, result.note)
        if result.flag is not None:
            shown = self.row.get(column) if original is None else original
            self.flag(result.flag, column, shown, result.value)
        return result.value

    def fact(self, key: str) -> Any:
        """A whole-table fact from ``context.facts``; its absence is a configuration error."""
        if key not in self.context.facts:
            raise MissingFactError(
                f"{self.table}: BatchContext.facts has no {key!r} (see transform.facts.FACTS_NEEDED)"
            )
        return self.context.facts[key]

    # ------------------------------------------------------------ readers
    def text(self, column: str, *, limit: int | None = None) -> str | None:
        """Free text, encoding-repaired (each repair flagged); at ``limit`` mid-word: flagged."""
        raw = self.row[column]
        value, text_flags = repair_text_all(raw)
        for code, original, normalised in text_flags:
            self.flag(code, column, original, normalised)
        if limit is not None and is_truncation_suspect(raw, limit):
            self.flag("TRUNCATION_SUSPECT", column, raw, value)
        return value

    def verbatim(self, column: str) -> str | None:
        """A value loaded exactly as given (identifiers, audit values)."""
        value = self.row[column]
        return None if value is None else str(value)

    def code(self, column: str) -> str | None:
        """A pick-list column's code through the lookup (UNMAPPED_CODE quarantines)."""
        value = self.row[column]
        code_set = _CODE_SETS.get((self.table, column)) or code_set_of(self.table, column)
        if type(value) is str:
            # An active display value as given: what the lookup answers first, no flag.
            entry = self.lookup.codes.get((code_set, value))
            if entry is not None and entry.is_active:
                return entry.code
        elif value is None:
            return None
        return self.take(column, self.lookup.map(code_set, value))

    def yes_no(self, column: str) -> bool | None:
        value = self.row[column]
        if value is None:
            return None
        if type(value) is str:  # 'Y' and 'N' as given: what parse_flag reads first, no flag
            if value == "Y":
                return True
            if value == "N":
                return False
        return self.take(column, parse_flag(value))

    def number(self, column: str) -> Decimal | None:
        """A NUMBER(p,s) as Decimal (an int or numeric text from a driver is converted exactly)."""
        value = self.row[column]
        if value is None or isinstance(value, Decimal):
            return value
        try:
            number = Decimal(str(value)) if not isinstance(value, bool) else Decimal("NaN")
        except ArithmeticError:
            number = Decimal("NaN")
        if not number.is_finite():
            self.reject("SCHEMA_VIOLATION", column, "not a number")
            return None
        return number

    def whole_number(self, column: str) -> int | None:
        """A NUMBER(p,0) as int; a fraction is a SCHEMA_VIOLATION (never rounded)."""
        value = self.row[column]
        if value is None:
            return None
        try:
            number = Decimal(value) if not isinstance(value, Decimal) else value
        except ArithmeticError:
            number = Decimal("NaN")
        if not number.is_finite() or number != number.to_integral_value():
            self.reject("SCHEMA_VIOLATION", column, "not a whole number")
            return None
        return int(number)

    def link(self, column: str, *, orphan_code: str = "ORPHAN_REFERENCE") -> uuid.UUID | None:
        """Resolve a link column (see ``transform.contract.LINKS``) to its parent's target id.

        Parent loaded: its id; quarantined or excluded: PARENT_QUARANTINED; absent:
        ``orphan_code``; a trimmed/upper-cased match: KEY_NORMALISED; a merged-away
        person: re-pointed (MERGED_PARTY_REPOINTED) or FK_TO_MERGED_PARTY.
        """
        key = self.link_key(column, orphan_code=orphan_code)
        if key is None:
            return None
        return target_id(link_of(self.table, column).parent, key)

    def link_key(self, column: str, *, orphan_code: str = "ORPHAN_REFERENCE") -> str | None:
        """The parent ROW_ID a link column resolves to (None when unresolved or NULL)."""
        link = link_of(self.table, column)
        outcomes = self.context.parent_outcomes
        raw = self.row[column]
        if type(raw) is str and (link.parent, raw) in outcomes and raw.strip():
            # The key as given exists: what resolve_key answers first (no flag, no reason).
            return self._linked(link.parent, raw, column)

        def exists(key: str) -> bool:
            return (link.parent, key) in outcomes

        if link.person:
            result = resolve_person_key(raw, exists, self.context.merged_into)
        else:
            result = resolve_key(raw, exists)
        if result.reason is not None:
            code = orphan_code if result.reason == "ORPHAN_REFERENCE" else result.reason
            self.reject(code, column, f"{result.note} in {link.parent}")
            return None
        if result.flag is not None:
            self.flag(result.flag, column, raw, result.value)
        key = result.value
        if key is None:
            if link.required:
                self.reject("MISSING_REQUIRED", column, "required link is empty")
            return None
        return self._linked(link.parent, key, column)

    def _linked(self, parent: str, key: str, column: str) -> str | None:
        """``key`` when its (existing) parent row is loaded; else PARENT_QUARANTINED."""
        outcome = self.context.parent_outcomes[(parent, key)]
        if outcome != "loaded":
            self.reject("PARENT_QUARANTINED", column, f"{parent} row is {outcome}")
            return None
        return key

    # ------------------------------------------------------------ targets
    def set_main(self, table: str, ident: uuid.UUID | None) -> None:
        """The main target row (ledger and flags point at it; None: a table without ids)."""
        self.main_table, self.main_id = table, ident

    def upsert(self, table: str, values: dict[str, Any]) -> None:
        """Add a full target row; the lineage columns of this legacy row are added."""
        self.upserts.setdefault(table, []).append({**values, **self._lineage()})

    def _lineage(self) -> dict[str, Any]:
        if self.lineage is None:  # the same for every target row of this legacy row
            self.lineage = lineage_of(self.table, self.row)
        return self.lineage

    def update(self, table: str, values: dict[str, Any]) -> None:
        """Add a partial row (``id`` + the columns to set on an existing row)."""
        self.updates.setdefault(table, []).append(dict(values))

    def own_id(self, part: str = "") -> uuid.UUID:
        return target_id(self.table, self.row_id, part)


Rule = Callable[[RowWork], None]
