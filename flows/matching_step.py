"""Probable duplicate persons, read from the source in two passes of keyset pages.

:func:`transform.find_match_candidates` holds every person it is given (folded
names, blocks, pairs): on all of S_CONTACT that grows with the legacy table. So
the persons are read twice, a page at a time: the first pass screens them
(:class:`transform.MatchScreen`, a few bytes per blocking key), the second keeps
only the persons that share a block with another one, and only those are
matched. The pairs found are exactly those of matching every person at once.
"""

from __future__ import annotations

import json

import pandas as pd

import extract
import transform

__all__ = ["match_candidates", "proposed_pairs"]


def match_candidates(source: extract.LegacySource, *, batch_size: int) -> pd.DataFrame:
    """Probable duplicate pairs among the S_CONTACT rows (:data:`transform.MATCH_RESULT_COLUMNS`)."""
    columns = transform.MATCH_COLUMNS
    key_at = columns.index(extract.KEY_COLUMN)
    screen = transform.MatchScreen()
    for page in extract.read_keys(source, "S_CONTACT", columns, batch_size=batch_size):
        screen.add(dict(zip(columns, row, strict=True)) for row in page)
    kept = [
        dict(zip(columns, row, strict=True))
        for page in extract.read_keys(source, "S_CONTACT", columns, batch_size=batch_size)
        for row in page
        if screen.may_match(row[key_at])
    ]
    return transform.find_match_candidates(kept)


def proposed_pairs(source: extract.LegacySource, *, batch_size: int) -> pd.DataFrame:
    """The pairs as the store keeps them (:data:`load.MATCH_COLUMNS`): one evidence text
    per pair, the match code leading the agreeing fields."""
    candidates = match_candidates(source, batch_size=batch_size)
    return candidates.assign(
        evidence=[
            json.dumps({"code": code, "agree": json.loads(evidence)})
            for code, evidence in zip(candidates["code"], candidates["evidence"], strict=True)
        ]
    ).drop(columns=["code"])
