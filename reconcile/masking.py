"""Masking personal data in reports: what a data steward sees unless ``--reveal-pii`` was asked for.

====================  =====================  ======================
pii_kind              raw                    masked
====================  =====================  ======================
``name``              ``Céline Tremblay``    ``C. T.`` (initials)
``date``              ``2009-03-05``         ``2009`` (the year)
``identifier``        ``9698658215``         ``******8215`` (last digits)
``text``              a note                 ``[redacted 42 chars]``
None (not personal)   ``ACTIVE``             ``ACTIVE``
====================  =====================  ======================

Where PII can appear: only in :class:`~reconcile.result.FieldDiff` values. A
discrepancy's ``detail`` is written by the comparison engine from column
names, ROW_IDs and codes only, so it needs no masking. As a second line of
defence, :func:`safe_detail` withholds a detail that quotes one of the
discrepancy's own personal values anyway.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from reconcile.result import CompareValue, Discrepancy, PiiKind

__all__ = ["DETAIL_WITHHELD", "as_text", "mask", "safe_detail", "shown"]

DETAIL_WITHHELD = "[detail withheld: it quoted a compared personal value]"
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_KEPT_DIGITS = 4
_MIN_QUOTED_LENGTH = 2  # shorter fragments ('A', '1') match too much to mean a leak


def as_text(value: CompareValue) -> str | None:
    """The value as a report shows it unmasked: dates in ISO 8601, flags as true/false."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):  # datetime is a date too
        return value.isoformat()
    return str(value)


def _initials(name: str) -> str:
    initials = []
    for token in unicodedata.normalize("NFC", name).split():
        letter = next((ch for ch in token if ch.isalnum()), token[0])
        initials.append(f"{letter}.")
    return " ".join(initials)


def _year(value: CompareValue, text: str) -> str:
    if isinstance(value, dt.date):
        return f"{value.year:04d}"
    found = _YEAR.search(text)
    return found.group(1) if found else "[date redacted]"


def _last_digits(text: str) -> str:
    text = text.strip()
    kept = min(_KEPT_DIGITS, len(text) // 2)
    return "*" * (len(text) - kept) + (text[-kept:] if kept else "")


def mask(value: CompareValue, pii_kind: PiiKind | None) -> str:
    """``value`` masked for ``pii_kind``; a value that is not personal data is shown as is."""
    text = as_text(value)
    if text is None:
        return ""
    if pii_kind is None:
        return text
    if pii_kind == "name":
        return _initials(text)
    if pii_kind == "date":
        return _year(value, text)
    if pii_kind == "identifier":
        return _last_digits(text)
    if pii_kind == "text":
        return f"[redacted {len(text)} chars]"
    raise ValueError(f"unknown pii_kind {pii_kind!r}")


def shown(value: CompareValue, pii_kind: PiiKind | None, *, reveal: bool) -> str | None:
    """What a report shows for a compared value: None stays None, PII masked unless revealed."""
    if value is None:
        return None
    return as_text(value) if reveal else mask(value, pii_kind)


def _quotable(value: CompareValue, pii_kind: PiiKind) -> list[str]:
    text = as_text(value)
    if text is None:
        return []
    pieces = [text.strip()]
    if pii_kind == "name":
        pieces.extend(text.split())
    return [p.casefold() for p in pieces if len(p) >= _MIN_QUOTED_LENGTH]


def safe_detail(discrepancy: Discrepancy, *, reveal: bool) -> str:
    """The discrepancy's detail, or :data:`DETAIL_WITHHELD` if it quotes one of its masked values."""
    if reveal:
        return discrepancy.detail
    detail = discrepancy.detail.casefold()
    for diff in discrepancy.values:
        if diff.pii_kind is None:
            continue
        for value in (diff.expected, diff.actual):
            if any(piece in detail for piece in _quotable(value, diff.pii_kind)):
                return DETAIL_WITHHELD
    return discrepancy.detail
