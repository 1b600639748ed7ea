"""Reading a person's name column: encodings repaired, placeholders NULL, lost letters flagged."""

from __future__ import annotations

from transform.names import clean_name
from transform.row import RowWork

__all__ = ["read_name"]


def read_name(
    work: RowWork, column: str, *, required: bool = False, first_name: bool = False
) -> str | None:
    """The name of ``column``: repaired (MOJIBAKE_REPAIRED / NUL_REMOVED), a placeholder NULL +
    PLACEHOLDER_VALUE (MISSING_REQUIRED when required), kept as given otherwise.

    A name has no '?' of its own: one left by a lossy conversion is LOSSY_CHARSET even at
    the start or end of a word (``Zo?`` for Zoë, ``?lodie`` for Élodie), where free-text
    detection cannot tell it from punctuation.
    """
    raw = work[column]
    repaired = work.text(column)
    name = work.take(
        column, clean_name(repaired, required=required, first_name=first_name), original=raw
    )
    if name is not None and "?" in name:
        work.flag("LOSSY_CHARSET", column, raw, name)
    return name
