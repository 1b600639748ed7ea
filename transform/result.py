"""What transform takes besides the rows (:class:`BatchContext`) and what it gives back
(:class:`TransformResult`). Plain data: load writes it, reconcile recomputes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = [
    "LEDGER_COLUMNS",
    "BatchContext",
    "CodeEntry",
    "Flag",
    "QuarantineRecord",
    "Reason",
    "TransformResult",
]

LEDGER_COLUMNS = (
    "legacy_table",
    "legacy_row_id",
    "outcome",  # loaded | quarantined | excluded
    "rule",  # the exclusion rule, else None
    "target_table",  # the main target table of a loaded row, else None
    "target_id",  # str(uuid) of that row, else None
    "source_hash",
    "legacy_last_upd",
    "legacy_modification_num",
)


@dataclass(frozen=True)
class Reason:
    """One reason a row was quarantined: the code, the legacy column concerned, and a message.

    The message names the table, ROW_ID and column but never carries personal data.
    """

    code: str
    column: str | None
    message: str


@dataclass(frozen=True)
class QuarantineRecord:
    legacy_table: str
    legacy_row_id: str
    reasons: tuple[Reason, ...]
    raw_row: Mapping[str, Any]  # the legacy row as extracted, JSON-ready (datetimes as ISO text)
    source_hash: str

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(sorted({r.code for r in self.reasons}))


@dataclass(frozen=True)
class Flag:
    """A data-quality flag on a loaded row, keeping the original value."""

    legacy_table: str
    legacy_row_id: str
    target_table: str | None
    target_id: str | None
    code: str
    field: str  # the legacy column, '' for a flag on the whole row
    original_value: str | None
    normalised_value: str | None


@dataclass(frozen=True)
class CodeEntry:
    """One S_LST_OF_VAL value: the code (NAME) of a display value (VAL) in a list (TYPE)."""

    code_set: str
    code: str
    display_value: str
    is_active: bool


@dataclass(frozen=True)
class BatchContext:
    """Everything a batch's rules need beyond its own rows, gathered by flows beforehand.

    * ``as_of``: the extraction date; birth dates after it are in the future.
    * ``codes``: every S_LST_OF_VAL value, keyed ``(code_set, display_value)``.
    * ``crosswalk``: ``(code_set, legacy_value) -> code`` for old and irregular spellings.
    * ``users``: every S_USER ROW_ID.
    * ``parent_outcomes``: ledger outcome (loaded/quarantined/excluded) of every parent
      key this batch refers to, including the trimmed and upper-cased variants of
      each key (see ``transform.parent_keys``); a key absent here does not exist.
    * ``merged_into``: person ROW_ID merged away -> survivor ROW_ID, chains resolved;
      ``None`` where the audit trail names no surviving person.
    * ``facts``: per-table facts from whole-table pre-scans (documented by the rules
      of each table), e.g. the cases with no participant.
    """

    as_of: dt.date
    codes: Mapping[tuple[str, str], CodeEntry] = field(default_factory=dict)
    crosswalk: Mapping[tuple[str, str], str] = field(default_factory=dict)
    users: frozenset[str] = frozenset()
    parent_outcomes: Mapping[tuple[str, str], str] = field(default_factory=dict)
    merged_into: Mapping[str, str | None] = field(default_factory=dict)
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class TransformResult:
    """The outcome of one batch of one legacy table.

    * ``upserts``: target table -> frame of full target rows (ids and lineage
      included; ``migration_run_id`` is filled by load), upserted on the lineage key.
    * ``updates``: target table -> frame with ``id`` and the columns to set on an
      existing row (S_CONTACT_X completing its person).
    * ``ledger``: exactly one row per input row, columns :data:`LEDGER_COLUMNS`.
    * ``quarantined`` / ``flags``: see their classes.
    * ``last_key``: the greatest ROW_ID of the batch (the checkpoint once committed).
    """

    legacy_table: str
    upserts: dict[str, pd.DataFrame]
    updates: dict[str, pd.DataFrame]
    ledger: pd.DataFrame
    quarantined: list[QuarantineRecord]
    flags: list[Flag]
    last_key: str | None
