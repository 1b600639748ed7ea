"""Foreign keys (legacy ROW_IDs held in link columns): irregular spellings and merged persons.

Siebel enforces no foreign keys, so a link may carry trailing blanks or the wrong case
(D19), point at nothing (D03), or point at a person merged away (D02). A key is looked up
exactly first, then trimmed, then trimmed and upper-cased (:func:`key_variants`); the
first that exists wins. ``exists`` is the caller's test (e.g. membership in
``BatchContext.parent_outcomes`` for the parent table).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from transform.outcome import Normalised, flagged, is_missing, ok, rejected

__all__ = ["key_variants", "resolve_key", "resolve_person_key"]

_ORPHAN_NOTE = "no row with this key"


def key_variants(value: str) -> list[str]:
    """The keys to look up for ``value``, in order: as given, trimmed, trimmed upper-case
    (duplicates and the empty string left out)."""
    variants = [value] if value else []
    stripped = value.strip()
    if stripped and stripped != value:
        variants.append(stripped)
    upper = stripped.upper()
    if upper and upper not in variants:
        variants.append(upper)
    return variants


def _find(value: str, exists: Callable[[str], bool]) -> str | None:
    for candidate in key_variants(value):
        if exists(candidate):
            return candidate
    return None


def resolve_key(value: str | None, exists: Callable[[str], bool]) -> Normalised[str]:
    """The existing key ``value`` refers to.

    As given: ok; found trimmed or upper-cased: that key + KEY_NORMALISED; not found:
    the value as given + reason ORPHAN_REFERENCE. NULL and ``''`` are None (no link); a
    key of blanks only is None + KEY_NORMALISED (the flag keeps the blanks).
    """
    if value is None or is_missing(value) or value == "":
        return ok(None)
    if not value.strip():
        return flagged(None, "KEY_NORMALISED", "blank key loaded as no link")
    if exists(value):  # the first variant (the common case), without building the others
        return ok(value)
    found = next((c for c in key_variants(value)[1:] if exists(c)), None)
    if found is not None:
        return flagged(found, "KEY_NORMALISED", "key matched after trimming/upper-casing")
    return rejected("ORPHAN_REFERENCE", _ORPHAN_NOTE, value=value)


def resolve_person_key(
    value: str | None,
    exists: Callable[[str], bool],
    merged_into: Mapping[str, str | None],
) -> Normalised[str]:
    """Like :func:`resolve_key`, for a link to a person that may have been merged away.

    When no variant of the key exists but one is in ``merged_into`` (merged-away ROW_ID
    -> survivor ROW_ID, chains already resolved): a survivor that exists (looked up with
    its own variants) -> the survivor + MERGED_PARTY_REPOINTED; no survivor, or one that
    does not exist -> reason FK_TO_MERGED_PARTY.
    """
    result = resolve_key(value, exists)
    if result.reason != "ORPHAN_REFERENCE" or value is None:
        return result
    for candidate in key_variants(value):
        if candidate not in merged_into:
            continue
        survivor = merged_into[candidate]
        found = None if survivor is None else _find(survivor, exists)
        if found is None:
            return rejected(
                "FK_TO_MERGED_PARTY", "merged-away person with no surviving record", value=value
            )
        return flagged(found, "MERGED_PARTY_REPOINTED", "re-pointed to the surviving person")
    return result
