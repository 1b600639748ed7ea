"""Quarantine records and data-quality flags: checked like target rows.

A quarantine record is the only home in the new store of a legacy row that was
not loaded (its raw row), and a flag the only trace of a value the migration
changed (the original value). Losing or altering either loses data, so both are
checked per key range, as the target rows are:

* presence, from the ledger alone: a row the ledger has as quarantined with no
  quarantine record is ``missing_in_target``; a record of a row the ledger does
  not have as quarantined, or a flag of a row it does not have as loaded, is
  ``unexpected_in_target``;
* content, for the rows whose current source row is unchanged and to which the
  rules give the ledger's outcome again: the record's reason codes, its reasons
  (code, column, message) and every value of its raw row equal what the rules
  give now (``field_mismatch`` on ``reason_codes``, ``details`` or
  ``raw_row.<COLUMN>``); the flags, keyed by (code, field), are exactly those
  the rules raise now: one not stored is ``missing_in_target``, one stored and
  not raised ``unexpected_in_target``, one whose values differ a ``field_mismatch``.

The flags load raises itself from the Siebel files (:data:`load.FILE_FLAG_CODES`)
are not made by the rules; the attachment check covers those files. A record's
``status`` is the stewards' to change (``replayed``, ``waived``): not compared.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from load.attachments import FILE_FLAG_CODES
from load.target_schema import target_table
from reconcile.range_report import RangeReporter, pk_value
from reconcile.result import FieldDiff
from reconcile.target_reader import LedgerEntry, TargetRow
from transform.result import Flag, QuarantineRecord

__all__ = ["check_bookkeeping_presence", "check_flags", "check_quarantine_records"]

QUARANTINE = "quarantine"
DQ_FLAG = "dq_flag"
_FLAG_VALUES = ("target_table", "target_id", "original_value", "normalised_value")

FlagKey = tuple[str, str]  # (code, field)


def check_bookkeeping_presence(
    out: RangeReporter,
    ledger: Mapping[str, LedgerEntry],
    records: Mapping[str, TargetRow],
    flags: Iterable[TargetRow],
) -> None:
    """Records and flags against the ledger's outcomes (see the module doc)."""
    table = out.legacy_table
    for row_id, entry in ledger.items():
        if entry.outcome == "quarantined" and row_id not in records:
            out.report(
                "missing_in_target",
                "missing_in_target",
                row_id,
                target=QUARANTINE,
                detail=f"the ledger has {table} row {row_id} as quarantined, "
                "but it has no quarantine record",
            )
    for row_id, record in records.items():
        if (known := ledger.get(row_id)) is None or known.outcome != "quarantined":
            quarantine = target_table("migration.quarantine")
            target_id = pk_value(quarantine, record)
            _unexpected(out, row_id, QUARANTINE, target_id, "a quarantine record", known)
    for flag in flags:
        row_id = flag["legacy_row_id"]
        if (known := ledger.get(row_id)) is None or known.outcome != "loaded":
            _unexpected(out, row_id, DQ_FLAG, str(flag["id"]), f"a {flag['code']} flag", known)


def _unexpected(
    out: RangeReporter,
    row_id: str,
    target: str,
    target_id: str,
    what: str,
    known: LedgerEntry | None,
) -> None:
    """``what`` (stored in ``target``) of a row the ledger has not at all, or not as it needs."""
    out.report(
        "unexpected_in_target",
        "unexpected_in_target",
        row_id,
        target=target,
        target_id=target_id,
        detail=f"{what} of {out.legacy_table} row {row_id}, which the ledger has "
        + ("not at all" if known is None else f"as {known.outcome}"),
    )


def _stored_json(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None  # unreadable: differs from anything the rules make


def check_quarantine_records(
    out: RangeReporter,
    made: Iterable[QuarantineRecord],
    agreed: set[str],
    records: Mapping[str, TargetRow],
) -> None:
    """The stored record of each row in ``agreed`` against the record the rules make now."""
    table = out.legacy_table
    for record in made:
        row_id = record.legacy_row_id
        stored = records.get(row_id)
        if row_id not in agreed or stored is None:  # no record: reported by presence
            continue
        diffs: list[FieldDiff] = []
        codes = list(record.reason_codes)
        if _stored_json(stored["reason_codes"]) != codes:
            diffs.append(FieldDiff("reason_codes", json.dumps(codes), stored["reason_codes"]))
        details = [
            {"code": r.code, "column": r.column, "message": r.message} for r in record.reasons
        ]
        if _stored_json(stored["details"]) != details:
            made_details = json.dumps(details, ensure_ascii=False)
            diffs.append(FieldDiff("details", made_details, stored["details"], pii_kind="text"))
        diffs.extend(_raw_row_diffs(dict(record.raw_row), stored["raw_row"]))
        if diffs:
            out.report(
                "field_mismatch",
                "mismatched",
                row_id,
                target=QUARANTINE,
                target_id=pk_value(target_table("migration.quarantine"), stored),
                detail=f"the quarantine record of {table} row {row_id} differs from what "
                f"the rules make of it: {', '.join(d.field for d in diffs)}",
                values=diffs,
            )


def _raw_row_diffs(made: Mapping[str, Any], stored_text: Any) -> list[FieldDiff]:
    """``raw_row.<COLUMN>`` for each value of the stored raw row that differs from ``made``."""
    stored = _stored_json(stored_text)
    if not isinstance(stored, dict):
        return [FieldDiff("raw_row", None, _shown(stored_text), pii_kind="text")]
    wanted = json.loads(json.dumps(made, default=str))  # as load writes it, read back
    columns = [*wanted, *(c for c in stored if c not in wanted)]
    return [
        FieldDiff(
            f"raw_row.{column}",
            _shown(wanted.get(column)),
            _shown(stored.get(column)),
            pii_kind="text",
        )
        for column in columns
        if column not in stored or column not in wanted or stored[column] != wanted[column]
    ]


def _shown(value: Any) -> str | None:
    """A raw-row JSON value as text for a report (masked there as free text)."""
    return None if value is None else json.dumps(value, ensure_ascii=False)


def check_flags(
    out: RangeReporter, made: Iterable[Flag], compared: set[str], stored: Iterable[TargetRow]
) -> None:
    """The stored flags of each row in ``compared`` against the flags the rules raise now."""
    table = out.legacy_table
    wanted: dict[str, dict[FlagKey, Flag]] = {}
    for flag in made:
        if flag.legacy_row_id in compared:
            wanted.setdefault(flag.legacy_row_id, {})[(flag.code, flag.field or "")] = flag
    found: dict[str, dict[FlagKey, TargetRow]] = {}
    for row in stored:
        if row["legacy_row_id"] in compared and row["code"] not in FILE_FLAG_CODES:
            found.setdefault(row["legacy_row_id"], {})[(row["code"], row["field"] or "")] = row
    for row_id in sorted(set(wanted) | set(found)):
        want, have = wanted.get(row_id, {}), found.get(row_id, {})
        for key in sorted(set(want) | set(have)):
            code, field = key
            where = f"{code} flag on {table} row {row_id}" + (f" {field}" if field else "")
            if key not in have:
                out.report(
                    "missing_in_target",
                    "missing_in_target",
                    row_id,
                    target=DQ_FLAG,
                    detail=f"the rules raise a {where}, but it is not stored",
                )
            elif key not in want:
                out.report(
                    "unexpected_in_target",
                    "unexpected_in_target",
                    row_id,
                    target=DQ_FLAG,
                    target_id=str(have[key]["id"]),
                    detail=f"a stored {where} that the rules do not raise",
                )
            else:
                diffs = [
                    FieldDiff(
                        name,
                        getattr(want[key], name),
                        have[key][name],
                        pii_kind="text" if name.endswith("_value") else None,
                    )
                    for name in _FLAG_VALUES
                    if getattr(want[key], name) != have[key][name]
                ]
                if diffs:
                    out.report(
                        "field_mismatch",
                        "mismatched",
                        row_id,
                        target=DQ_FLAG,
                        target_id=str(have[key]["id"]),
                        detail=f"the stored {where} differs from what the rules raise: "
                        + ", ".join(d.field for d in diffs),
                        values=diffs,
                    )
