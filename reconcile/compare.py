"""Value-by-value comparison of an expected target row with the row found, by meaning.

Both sides are normalised the same documented way, then compared exactly:

* missing markers (None, NaN, NaT, ``pd.NA``) are NULL; numpy scalars are plain Python;
* timestamps are compared as UTC instants: an aware value is converted, a naive one
  (SQLite keeps no zone) *is* UTC;
* a date and a datetime at midnight are the same only where the column is a DATE;
* numbers (int, float, Decimal) are compared numerically and exactly (a float by
  its shortest decimal form: ``0.1`` is ``Decimal('0.1')``);
* a UUID and its text are the same in a UUID column; elsewhere a UUID is its text;
* in a BOOLEAN column 0/1 are false/true;
* text is compared byte for byte: a trailing space, a change of case, ``'NULL'``
  for NULL, are all differences.

Never a fingerprint or hash: every value is compared.

Which target columns hold personal data, and how a report masks them, is
:data:`PII_KIND_OF`.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from deepdiff import DeepDiff

from reconcile.result import CompareValue, FieldDiff, PiiKind

__all__ = [
    "ATTACHMENT_BINARY_COLUMNS",
    "NOT_COMPARED",
    "PII_KIND_OF",
    "canonical",
    "compare_rows",
    "diff_summary",
    "plain",
    "report_value",
    "same_value",
]

# Written by load, not by the rules: the run that last wrote the row.
NOT_COMPARED = frozenset({"migration_run_id"})
# Set when the binary is stored; checked against the stored file by reconcile.integrity.
ATTACHMENT_BINARY_COLUMNS = frozenset({"sha256", "storage_key", "binary_status"})

PII_KIND_OF: dict[str, PiiKind] = {
    **dict.fromkeys(
        ("given_name", "middle_name", "family_name", "preferred_name", "full_name", "name"), "name"
    ),
    **dict.fromkeys(("birth_date", "deceased_date", "legacy_birth_date_text"), "date"),
    **dict.fromkeys(
        ("id_value", "cell_phone", "home_phone", "legacy_mis_file_number", "postal_code", "login"),
        "identifier",
    ),
    **dict.fromkeys(
        (
            "reporter_name",
            "reporter_phone",
            "alert_text",
            "body",
            "description",
            "subject",
            "notes",
            "email",
            "line1",
            "line2",
            "address_name",
            "old_value",
            "new_value",
            "file_name",
        ),
        "text",
    ),
}


PLAIN_TYPES = frozenset({str, type(None), bool, int, Decimal, uuid.UUID, dt.date, dt.datetime})
"""Value types :func:`plain` returns unchanged (none of them holds a missing marker)."""


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, str | bytes | bool | int | Decimal | uuid.UUID):
        return False
    try:  # NaT (a datetime to isinstance), pd.NA, numpy NaN; Decimal('NaN') is not missing
        return bool(value != value)
    except (TypeError, ValueError):
        return True


def plain(value: object) -> object:
    """``value`` as a plain Python value: missing markers -> None, numpy/pandas scalars unwrapped."""
    if type(value) in PLAIN_TYPES:
        return value
    if _is_missing(value):
        return None
    to_pydatetime = getattr(value, "to_pydatetime", None)
    if callable(to_pydatetime):  # pandas Timestamp
        result: object = to_pydatetime()
        return result
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        unwrapped: object = item()
        return None if _is_missing(unwrapped) else unwrapped
    return value


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _number(value: int | float | Decimal) -> Decimal:
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def canonical(
    value: object, column_type: sa.types.TypeEngine[Any] | None = None
) -> tuple[str, object]:
    """The normalised form two values are compared in: a (kind, value) pair.

    The kind keeps values of different meaning apart (``True`` is not ``1``
    outside a BOOLEAN column, a date is not a datetime outside a DATE column).
    """
    value = plain(value)
    if value is None:
        return ("null", None)
    if (
        isinstance(column_type, sa.Boolean)
        and isinstance(value, int | Decimal)
        and not isinstance(value, bool)
        and value in (0, 1)
    ):
        return ("bool", bool(value))
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float | Decimal):
        if isinstance(value, float) and math.isinf(value):
            return ("float", value)
        return ("number", _number(value))
    if isinstance(value, dt.datetime):
        instant = _utc(value)
        if isinstance(column_type, sa.Date) and instant.time() == dt.time(0):
            return ("date", instant.date())
        return ("datetime", instant)
    if isinstance(value, dt.date):
        return ("date", value)
    if isinstance(value, uuid.UUID):
        return ("uuid", value) if isinstance(column_type, sa.Uuid) else ("text", str(value))
    if isinstance(value, str) and isinstance(column_type, sa.Uuid):
        try:
            return ("uuid", uuid.UUID(value))
        except ValueError:
            return ("text", value)
    if isinstance(value, str):
        return ("text", value)
    if isinstance(value, bytes):
        return ("bytes", value)
    return (type(value).__name__, value)


_EXACT_TYPES = frozenset({str, int, bool, Decimal, uuid.UUID, dt.date, dt.datetime})
"""Types whose equal values (``==``, same type) always have equal :func:`canonical` forms."""


_ROW_FAST_TYPES = _EXACT_TYPES | {type(None)}


def same_value(
    expected: object, actual: object, column_type: sa.types.TypeEngine[Any] | None = None
) -> bool:
    """True when the two values mean the same after normalisation (see the module doc).

    Two values of one of :data:`_EXACT_TYPES` that are equal are the same without
    normalising them (the common case of a clean row); any other pair is compared
    in :func:`canonical` form.
    """
    kind = type(expected)
    if kind is type(actual) and kind in _EXACT_TYPES and expected == actual:
        return True
    if expected is None and actual is None:
        return True
    return canonical(expected, column_type) == canonical(actual, column_type)


def report_value(
    value: object, column_type: sa.types.TypeEngine[Any] | None = None
) -> CompareValue:
    """The normalised value as a report carries it (UUIDs as text, timestamps in UTC)."""
    kind, normal = canonical(value, column_type)
    if kind == "null":
        return None
    if kind in ("uuid", "bytes"):
        return str(normal) if kind == "uuid" else repr(normal)
    if isinstance(normal, str | int | float | bool | Decimal | dt.date):
        return normal
    return repr(normal)


def compare_rows(
    expected: Mapping[str, object],
    actual: Mapping[str, object],
    column_types: Mapping[str, sa.types.TypeEngine[Any]],
    *,
    skip: Iterable[str] = (),
) -> list[FieldDiff]:
    """Every column of ``expected`` that the target table has and ``actual`` holds differently.

    Columns in ``skip`` and :data:`NOT_COMPARED` are left out; so are keys of
    ``expected`` that are not target columns (a rule's helper column).
    """
    skipped = NOT_COMPARED | frozenset(skip)
    columns = [c for c in expected if c not in skipped and c in column_types]
    wanted = [expected[c] for c in columns]
    found_values = [actual.get(c) for c in columns]
    if wanted == found_values:
        # Equal lists: every pair is ==. Of one type each, and each of _EXACT_TYPES or None,
        # they are all the same value (same_value's first two tests, for the whole row).
        types = list(map(type, wanted))
        if types == list(map(type, found_values)) and _ROW_FAST_TYPES.issuperset(types):
            return []
    diffs = []
    for column in columns:
        want = expected[column]
        column_type = column_types[column]
        found = actual.get(column)
        if not same_value(want, found, column_type):
            diffs.append(
                FieldDiff(
                    field=column,
                    expected=report_value(want, column_type),
                    actual=report_value(found, column_type),
                    pii_kind=PII_KIND_OF.get(column),
                )
            )
    return diffs


def _path_name(path: str) -> str:
    # DeepDiff paths look like root['family_name'].
    return path.removeprefix("root[").removesuffix("]").strip("'\"")


def diff_summary(diffs: Iterable[FieldDiff]) -> str:
    """A DeepDiff of the differing values, described by column and type only: never a value.

    e.g. ``deepdiff: values_changed: family_name, reported_at; type_changes: birth_date (date -> str)``.
    """
    diffs = list(diffs)
    if not diffs:
        return ""
    before = {d.field: d.expected for d in diffs}
    after = {d.field: d.actual for d in diffs}
    tree = DeepDiff(before, after, verbose_level=1).to_dict()
    parts = []
    for change, entries in sorted(tree.items()):
        names = []
        for path, info in sorted(entries.items()) if isinstance(entries, dict) else []:
            name = _path_name(path)
            if change == "type_changes" and isinstance(info, dict):
                old, new = info.get("old_type"), info.get("new_type")
                name += f" ({getattr(old, '__name__', old)} -> {getattr(new, '__name__', new)})"
            names.append(name)
        if names:
            parts.append(f"{change}: {', '.join(names)}")
    return "deepdiff: " + "; ".join(parts) if parts else ""
