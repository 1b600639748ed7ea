"""Pick-list values (S_LST_OF_VAL display values) to codes, through the steward crosswalk.

Business columns store a list's display value (VAL), not its code (NAME). A value maps,
in this order of precedence:

1. exactly to an active display value of the list: its code, no flag;
2. exactly to a display value present only as inactive: its code, flag RETIRED_CODE;
3. exactly to a crosswalk legacy spelling: the crosswalk's code, flag CODE_NORMALISED;
4. after trimming, collapsing inner blanks and case-folding, to one display value or one
   crosswalk spelling: that code, flag CODE_NORMALISED (RETIRED_CODE instead when the only
   match is an inactive display value: retirement is what the steward must see);
5. otherwise: reason UNMAPPED_CODE. Never a default like "Other".

A folded spelling that would lead to two different codes is ambiguous and is not used
(the value is UNMAPPED_CODE unless an exact rule above applies). NULL and blank values
are unknown: None, no flag (whether the column is required is the caller's rule).

All indexes are built once in ``__post_init__``; :meth:`CodeLookup.map` is a few dict
lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from transform.outcome import Normalised, flagged, is_missing, ok, rejected
from transform.result import BatchContext, CodeEntry

__all__ = ["CodeLookup", "fold_code_value"]

_AMBIGUOUS = ""  # marks a folded key that leads to more than one code


def fold_code_value(value: str) -> str:
    """The comparison form of a pick-list value: trimmed, inner blanks collapsed, case-folded."""
    return " ".join(value.split()).casefold()


def _add_folded(index: dict[tuple[str, str], str], key: tuple[str, str], code: str) -> None:
    known = index.get(key)
    if known is None:
        index[key] = code
    elif known != code:
        index[key] = _AMBIGUOUS


@dataclass(frozen=True, eq=False)
class CodeLookup:
    """Maps legacy pick-list values to codes; build once per run, call :meth:`map` per value.

    ``codes``: ``(code_set, display_value) -> CodeEntry`` (every S_LST_OF_VAL value);
    ``crosswalk``: ``(code_set, legacy_value) -> code`` (ref.code_crosswalk).
    """

    codes: Mapping[tuple[str, str], CodeEntry]
    crosswalk: Mapping[tuple[str, str], str] = field(default_factory=dict)
    _folded_active: dict[tuple[str, str], str] = field(init=False, repr=False, compare=False)
    _folded_retired: dict[tuple[str, str], str] = field(init=False, repr=False, compare=False)
    _folded_crosswalk: dict[tuple[str, str], str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        active: dict[tuple[str, str], str] = {}
        retired: dict[tuple[str, str], str] = {}
        walk: dict[tuple[str, str], str] = {}
        for (code_set, display), entry in self.codes.items():
            key = (code_set, fold_code_value(display))
            _add_folded(active if entry.is_active else retired, key, entry.code)
        for (code_set, legacy), code in self.crosswalk.items():
            _add_folded(walk, (code_set, fold_code_value(legacy)), code)
        object.__setattr__(self, "_folded_active", active)
        object.__setattr__(self, "_folded_retired", retired)
        object.__setattr__(self, "_folded_crosswalk", walk)

    @classmethod
    def from_context(cls, context: BatchContext) -> CodeLookup:
        """The lookup for a batch's codes and crosswalk."""
        return cls(context.codes, context.crosswalk)

    def map(self, code_set: str, value: str | None) -> Normalised[str]:
        """The code for ``value`` in list ``code_set`` (see the module docstring)."""
        if value is None or is_missing(value):
            return ok(None)
        if not isinstance(value, str):  # e.g. a number from a frame column
            value = str(value)
        entry = self.codes.get((code_set, value))
        if entry is not None:
            if entry.is_active:
                return ok(entry.code)
            return flagged(entry.code, "RETIRED_CODE", "value only present as inactive")
        code = self.crosswalk.get((code_set, value))
        if code is not None:
            return flagged(code, "CODE_NORMALISED", "legacy spelling mapped by the crosswalk")
        folded = fold_code_value(value)
        if not folded:
            return ok(None)
        return self._map_folded((code_set, folded))

    def _map_folded(self, key: tuple[str, str]) -> Normalised[str]:
        candidates = {
            source: code
            for source, code in (
                ("list", self._folded_active.get(key)),
                ("crosswalk", self._folded_crosswalk.get(key)),
                ("retired", self._folded_retired.get(key)),
            )
            if code is not None
        }
        if not candidates:
            return rejected("UNMAPPED_CODE", "value not in the list nor the crosswalk")
        # Active list and crosswalk spellings are the steward's intent; a retired display
        # value only answers when neither names a code.
        preferred = {k: c for k, c in candidates.items() if k != "retired"} or candidates
        found = set(preferred.values())
        if _AMBIGUOUS in found or len(found) > 1:
            return rejected("UNMAPPED_CODE", "case/blank-insensitive match is ambiguous")
        code = found.pop()
        if "retired" in preferred:
            return flagged(
                code, "RETIRED_CODE", "irregular spelling of a value only present as inactive"
            )
        return flagged(code, "CODE_NORMALISED", "irregular spelling (case or blanks)")
