"""Probable duplicate persons for a data steward: never merged automatically."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import sqlalchemy as sa

from load.errors import TerminalLoadError
from load.target_schema import target_table
from load.transaction import write_transaction
from load.upsert import upsert_rows

__all__ = ["MATCH_COLUMNS", "candidate_pairs", "write_match_candidates"]

CANDIDATE = target_table("migration.person_match_candidate")
MATCH_COLUMNS = ("person_a_row_id", "person_b_row_id", "score", "evidence")
_KEY = ("person_a_row_id", "person_b_row_id")
_VALUES = ("score", "evidence")


def _evidence(value: Any) -> str:
    """Evidence as JSON text (a list of agreeing fields); text is taken as already JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple | set | frozenset):
        value = sorted(value) if isinstance(value, set | frozenset) else list(value)
    return json.dumps(value, ensure_ascii=False)


def candidate_pairs(candidates: pd.DataFrame) -> list[tuple[str, str, float, str]]:
    """The pairs as stored: one per unordered pair (a < b), sorted; of repeats, the highest
    score wins. Raises :class:`TerminalLoadError` for a person paired with itself."""
    best: dict[tuple[str, str], tuple[float, str]] = {}
    for a, b, score, evidence in candidates.loc[:, list(MATCH_COLUMNS)].itertuples(
        index=False, name=None
    ):
        a, b = str(a), str(b)
        if a == b:
            raise TerminalLoadError(
                "a person paired with itself as a match candidate",
                table="S_CONTACT",
                legacy_row_id=a,
            )
        key = (a, b) if a < b else (b, a)
        if key not in best or float(score) > best[key][0]:
            best[key] = (float(score), _evidence(evidence))
    return [(a, b, score, evidence) for (a, b), (score, evidence) in sorted(best.items())]


def write_match_candidates(engine: sa.Engine, candidates: pd.DataFrame, *, run_id: str) -> int:
    """Store the run's whole set of candidate pairs (columns :data:`MATCH_COLUMNS`); returns the
    pairs inserted, changed or removed.

    A new pair starts ``pending``. An existing pair gets the new score and
    evidence but keeps the steward's decision (``decision``, ``decided_by``,
    ``decided_at``); an unchanged pair is left untouched (run id included).
    A pending pair the rules no longer propose (a person merged away or
    edited since) is removed; one a steward has decided stays, as their record.
    Pairs are unordered: (b, a) is stored as (a, b).
    """
    missing = [c for c in MATCH_COLUMNS if c not in candidates.columns]
    unknown = sorted(set(candidates.columns) - set(MATCH_COLUMNS))
    if missing or unknown:
        raise TerminalLoadError(
            f"match candidates need columns {list(MATCH_COLUMNS)}: missing {missing}, "
            f"unknown {unknown}",
            table="person_match_candidate",
        )
    pairs = candidate_pairs(candidates)
    rows = [(*pair, "pending", run_id) for pair in pairs]
    columns = [*MATCH_COLUMNS, "decision", "run_id"]
    proposed = {(a, b) for a, b, _, _ in pairs}
    with write_transaction(engine) as conn:
        pending = conn.execute(
            sa.select(*(CANDIDATE.c[c] for c in _KEY)).where(CANDIDATE.c.decision == "pending")
        )
        stale = [tuple(row) for row in pending if tuple(row) not in proposed]
        removed = 0
        for a, b in stale:
            removed += conn.execute(
                sa.delete(CANDIDATE).where(
                    CANDIDATE.c.person_a_row_id == a, CANDIDATE.c.person_b_row_id == b
                )
            ).rowcount
        return removed + upsert_rows(
            conn,
            CANDIDATE,
            columns,
            rows,
            conflict=_KEY,
            update=[*_VALUES, "run_id"],
            changed_when=_VALUES,
        )
