"""The reconciliation result: computed once by the comparison engine, rendered many times.

Plain frozen data. The renderers (JSON, CSV, HTML) are pure functions of a
:class:`ReconciliationResult`; nothing here reads a database or a file.
The discrepancies are any collection: a tuple when a caller hands a list, or
a :class:`DiscrepancyStream` (the engine's on-disk spool, :mod:`reconcile.spool`)
that is read back as a stream, never held whole in memory. The renderers
reach them only through the result's methods, which work on both.

Personal data lives only in :attr:`FieldDiff.expected` / :attr:`FieldDiff.actual`
(the raw compared values, each tagged with its ``pii_kind``). Everything else
(``detail``, table names, ROW_IDs, codes, counts) must be free of personal
data: the comparison engine writes ``detail`` from column names, ROW_IDs and
codes only ("family_name differs", "S_CONTACT row 1-ABC has no ledger
outcome"), and the renderers build the value part from ``values``, masked
unless the result was made with ``pii_revealed``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from abc import abstractmethod
from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Literal, get_args

from reconcile.audit_trail import AuditTrail
from reconcile.trail_anchor import TrailAnchor

__all__ = [
    "COUNT_FIELDS",
    "DISCREPANCY_COUNTERS",
    "DISCREPANCY_KINDS",
    "KIND_MEANINGS",
    "PII_KINDS",
    "CompareValue",
    "Discrepancy",
    "DiscrepancyKind",
    "DiscrepancyStream",
    "FieldDiff",
    "FlagSummary",
    "PiiKind",
    "ReasonSummary",
    "ReconciliationResult",
    "TableCounts",
]

DiscrepancyKind = Literal[
    "unaccounted",
    "missing_in_target",
    "unexpected_in_target",
    "field_mismatch",
    "orphan_reference",
    "changed_in_source",
    "deleted_in_source",
    "attachment_mismatch",
]
# In the order reports list them: completeness, keys, content, integrity.
DISCREPANCY_KINDS: tuple[DiscrepancyKind, ...] = (
    "unaccounted",
    "missing_in_target",
    "unexpected_in_target",
    "deleted_in_source",
    "field_mismatch",
    "changed_in_source",
    "orphan_reference",
    "attachment_mismatch",
)
KIND_MEANINGS: dict[str, str] = {
    "unaccounted": "a legacy row with no outcome in the ledger: neither loaded, quarantined nor excluded",
    "missing_in_target": "the ledger says loaded, but the target has no row with this lineage",
    "unexpected_in_target": "a target row whose lineage names no loaded legacy row",
    "deleted_in_source": "the ledger has an outcome for a legacy row that no longer exists",
    "field_mismatch": "the target row's values differ from what the legacy row transforms into",
    "changed_in_source": "the legacy row was updated after it was migrated (LAST_UPD, MODIFICATION_NUM or hash differ)",
    "orphan_reference": "a target row links to a row that is not in the target",
    "attachment_mismatch": "an attachment's stored file is missing, or its size or SHA-256 differs",
}

PiiKind = Literal["name", "date", "identifier", "text"]
PII_KINDS: tuple[PiiKind, ...] = get_args(PiiKind)

# A compared value as the engine read it: text, a number, a flag or a date.
CompareValue = str | int | float | bool | Decimal | dt.date | dt.datetime | None


@dataclass(frozen=True)
class FieldDiff:
    """One compared target column: the value expected from the legacy row and the one found.

    ``pii_kind`` says how to mask the values (None: not personal data, shown as is).
    """

    field: str
    expected: CompareValue
    actual: CompareValue
    pii_kind: PiiKind | None = None

    def __post_init__(self) -> None:
        if self.pii_kind is not None and self.pii_kind not in PII_KINDS:
            raise ValueError(
                f"field {self.field!r}: unknown pii_kind {self.pii_kind!r}; known: {PII_KINDS}"
            )


@dataclass(frozen=True)
class Discrepancy:
    """One thing that does not reconcile. ``detail`` never holds a compared value (see module doc)."""

    kind: DiscrepancyKind
    legacy_table: str | None
    legacy_row_id: str | None
    target_table: str | None = None
    target_id: str | None = None
    fields: Sequence[str] = ()
    detail: str = ""
    values: Sequence[FieldDiff] = ()

    def __post_init__(self) -> None:
        if self.kind not in DISCREPANCY_KINDS:
            raise ValueError(f"unknown discrepancy kind {self.kind!r}; known: {DISCREPANCY_KINDS}")
        if self.legacy_row_id is None and self.kind != "unexpected_in_target":
            raise ValueError(
                f"a {self.kind} discrepancy needs a legacy_row_id (table {self.legacy_table})"
            )
        # Accept lists from the engine but keep the result immutable and hashable.
        object.__setattr__(self, "fields", tuple(self.fields))
        object.__setattr__(self, "values", tuple(self.values))


class DiscrepancyStream(Collection[Discrepancy]):
    """Discrepancies held outside memory: re-iterable in report order, counted as they were added.

    Group keys are (kind, legacy table), a missing or empty legacy table as None.
    """

    @abstractmethod
    def kind_counts(self) -> Mapping[str, int]:
        """How many discrepancies of each kind (kinds with none may be left out)."""

    @abstractmethod
    def group_counts(self) -> Mapping[tuple[str, str | None], int]:
        """How many discrepancies per (kind, legacy table)."""

    @abstractmethod
    def group_head(self, kind: str, legacy_table: str | None, limit: int) -> Iterator[Discrepancy]:
        """The first ``limit`` discrepancies of one group, in report order."""

    @abstractmethod
    def close(self) -> None:
        """Release what holds the discrepancies; counts stay readable."""


@dataclass(frozen=True)
class TableCounts:
    """Counts for one legacy table. ``unaccounted`` = source_rows - loaded - quarantined - excluded
    as the engine computed it (rows with no ledger outcome)."""

    source_rows: int
    loaded: int
    quarantined: int
    excluded: int
    unaccounted: int
    missing_in_target: int
    unexpected_in_target: int
    mismatched: int
    changed_in_source: int
    deleted_in_source: int = 0
    orphan_references: int = 0
    attachment_mismatches: int = 0

    @property
    def discrepancy_count(self) -> int:
        """Every counted problem in this table, unaccounted rows included."""
        return sum(getattr(self, name) for name in DISCREPANCY_COUNTERS)

    @property
    def is_clean(self) -> bool:
        return self.discrepancy_count == 0


# Every count, in report order; and the counts that are discrepancies.
COUNT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(TableCounts))
DISCREPANCY_COUNTERS: tuple[str, ...] = (
    "unaccounted",
    "missing_in_target",
    "unexpected_in_target",
    "mismatched",
    "changed_in_source",
    "deleted_in_source",
    "orphan_references",
    "attachment_mismatches",
)


@dataclass(frozen=True)
class ReasonSummary:
    """How many rows of a legacy table were quarantined for one reason code, with a few ROW_IDs,
    and how many of them have each record status (the stewards': open, replayed, waived)."""

    legacy_table: str
    code: str
    count: int
    example_row_ids: Sequence[str] = ()
    by_status: Mapping[str, int] = dataclass_field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "example_row_ids", tuple(self.example_row_ids))
        object.__setattr__(self, "by_status", dict(sorted(self.by_status.items())))


@dataclass(frozen=True)
class FlagSummary:
    """How many data-quality flags with one code were raised on a legacy table's rows."""

    legacy_table: str
    code: str
    count: int


@dataclass(frozen=True)
class ReconciliationResult:
    """Everything a reconciliation found. ``generated_at`` is timezone-aware and kept in UTC.

    Sequences given as lists are stored as tuples, the tables mapping as a dict.
    ``discrepancies`` may instead be a :class:`DiscrepancyStream`, kept as it is:
    the result then owns it, and :meth:`close` (or leaving a ``with`` block, or
    garbage collection) releases it.

    ``match_decisions`` counts the probable duplicate pairs in the store by the stewards'
    decision (pending, same_person, different).

    ``audit_trails`` are the audit trails as checked (the stewards' review histories and
    the disclosures of personal data; their hash links,
    :mod:`reconcile.audit_trail`): one that does not verify makes the result not clean.
    ``trail_anchor`` is the earlier report they were compared with (None: not looked for);
    one found that cannot be trusted makes the result not clean too.

    ``pii_revealed`` is set only on request (``--reveal-pii``), and then
    ``requested_by`` must say who asked: the report and the run record show it.
    """

    run_id: str
    generated_at: dt.datetime
    tables: Mapping[str, TableCounts]
    discrepancies: Collection[Discrepancy] = ()
    quarantine_reasons: Sequence[ReasonSummary] = ()
    flags: Sequence[FlagSummary] = ()
    match_decisions: Mapping[str, int] = dataclass_field(default_factory=dict)
    pii_revealed: bool = False
    requested_by: str | None = None
    audit_trails: Sequence[AuditTrail] = ()
    trail_anchor: TrailAnchor | None = None

    def __post_init__(self) -> None:
        if self.generated_at.tzinfo is None or self.generated_at.utcoffset() is None:
            raise ValueError("generated_at must be timezone-aware (UTC)")
        if self.pii_revealed and not (self.requested_by or "").strip():
            raise ValueError(
                "a report with personal data revealed must say who requested it (requested_by)"
            )
        object.__setattr__(self, "generated_at", self.generated_at.astimezone(dt.UTC))
        object.__setattr__(self, "tables", dict(self.tables))
        if not isinstance(self.discrepancies, DiscrepancyStream):
            object.__setattr__(self, "discrepancies", tuple(self.discrepancies))
        object.__setattr__(self, "quarantine_reasons", tuple(self.quarantine_reasons))
        object.__setattr__(self, "flags", tuple(self.flags))
        object.__setattr__(self, "match_decisions", dict(sorted(self.match_decisions.items())))
        object.__setattr__(self, "audit_trails", tuple(self.audit_trails))

    def kind_counts(self) -> dict[str, int]:
        """Discrepancies per kind, in report order, kinds with none left out."""
        listed = self.discrepancies
        counted: Mapping[str, int] = (
            listed.kind_counts()
            if isinstance(listed, DiscrepancyStream)
            else Counter(d.kind for d in listed)
        )
        return {kind: counted[kind] for kind in DISCREPANCY_KINDS if counted.get(kind)}

    def group_counts(self) -> dict[tuple[str, str | None], int]:
        """Discrepancies per (kind, legacy table or None), kinds in report order, then by table name."""
        listed = self.discrepancies
        counted: Mapping[tuple[str, str | None], int] = (
            listed.group_counts()
            if isinstance(listed, DiscrepancyStream)
            else Counter((d.kind, d.legacy_table or None) for d in listed)
        )
        order: dict[str, int] = {kind: i for i, kind in enumerate(DISCREPANCY_KINDS)}
        keys = sorted(
            (key for key, n in counted.items() if n),
            key=lambda k: (order[k[0]], k[1] or ""),
        )
        return {key: counted[key] for key in keys}

    def group_head(self, kind: str, legacy_table: str | None, limit: int) -> Iterator[Discrepancy]:
        """The first ``limit`` discrepancies of ``kind`` whose legacy table is ``legacy_table``
        (None: none or empty), in report order."""
        listed = self.discrepancies
        if isinstance(listed, DiscrepancyStream):
            return listed.group_head(kind, legacy_table, limit)
        table = legacy_table or None
        matching = (d for d in listed if d.kind == kind and (d.legacy_table or None) == table)
        return itertools.islice(matching, max(limit, 0))

    def close(self) -> None:
        """Release the spooled discrepancies, if any (counts stay readable)."""
        if isinstance(self.discrepancies, DiscrepancyStream):
            self.discrepancies.close()

    def __enter__(self) -> ReconciliationResult:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def status(self) -> Literal["clean", "discrepancies"]:
        """'clean' only when every legacy row is accounted for, nothing else differs, and
        the audit trails are as written, as far as a trusted earlier report can tell."""
        if self.discrepancies or any(not counts.is_clean for counts in self.tables.values()):
            return "discrepancies"
        if any(not trail.intact for trail in self.audit_trails):
            return "discrepancies"
        if self.trail_anchor is not None and self.trail_anchor.problem is not None:
            return "discrepancies"
        return "clean"

    @property
    def exit_code(self) -> int:
        """The command's exit status: 0 clean, 1 any discrepancy (2, an error, is the CLI's)."""
        return 0 if self.status == "clean" else 1
