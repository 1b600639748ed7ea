"""Probable duplicate persons for a data steward: never merged automatically.

Every run proposes the pairs again. A pair the rules no longer propose (a person
merged away or edited in the source since) leaves the candidates, so that the store
holds what a fresh migration would and ``reconcile`` reports nothing unexpected. A
pair a steward had decided is withdrawn, not lost: ``migration.match_review`` gets a
row saying which decision it had, who made it and when, and which run withdrew it.
Proposed again later, it starts ``pending``: the persons changed since the decision,
so a steward looks again (an old ``same_person`` is never applied to new evidence).

One exception keeps a decided pair: a person of it gone from the source with no trail
(no merge record) whom the store keeps, as it keeps every such row
(flows.source_deletions): a replica missing rows must not cost the stewards their
decisions. ``reconcile`` reports the person as ``deleted_in_source`` and the pair as
``unexpected_in_target``, until the person is back or a pruning run lets both go.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sqlalchemy as sa

from load.audit_chain import append_chained
from load.errors import TerminalLoadError
from load.target_schema import target_table
from load.transaction import store_now, write_transaction
from load.upsert import chunked, in_chunk_size, one_of, upsert_rows

__all__ = [
    "MATCH_COLUMNS",
    "WITHDRAWN",
    "CandidateWrite",
    "candidate_pairs",
    "write_match_candidates",
]

CANDIDATE = target_table("migration.person_match_candidate")
REVIEW = target_table("migration.match_review")
LEDGER = target_table("migration.ledger")
WITHDRAWN = "withdrawn"
"""``match_review.decision`` of a decided pair the rules stopped proposing (not a steward's)."""
MATCH_COLUMNS = ("person_a_row_id", "person_b_row_id", "score", "evidence")
_KEY = ("person_a_row_id", "person_b_row_id")
_VALUES = ("score", "evidence")


@dataclass(frozen=True)
class CandidateWrite:
    """What a run's write of the candidate pairs changed."""

    written: int
    """Pairs inserted, changed or removed."""
    withdrawn: int
    """Of those removed, pairs a steward had decided (their decisions kept in the history)."""
    kept: int = 0
    """Decided pairs not proposed, kept: a person of theirs is gone from the source, kept."""


_DECIDED = (CANDIDATE.c.decision, CANDIDATE.c.decided_by, CANDIDATE.c.decided_at)


def _withdrawal(pair: sa.RowMapping, run_id: str, at: dt.datetime) -> dict[str, object]:
    """The ``match_review`` row recording that run ``run_id`` withdrew a decided ``pair``.

    The decision's maker and time go into the note too: a decision set outside
    ``match-decide`` has no earlier history row to keep them.
    """
    decided: dt.datetime | None = pair["decided_at"]
    if decided is not None and decided.tzinfo is None:  # SQLite keeps no zone: it is UTC
        decided = decided.replace(tzinfo=dt.UTC)
    decided_at = decided.isoformat() if decided is not None else "an unknown time"
    return {
        "person_a_row_id": pair["person_a_row_id"],
        "person_b_row_id": pair["person_b_row_id"],
        "previous_decision": pair["decision"],
        "decision": WITHDRAWN,
        "reviewed_by": f"icm-migrate run {run_id}",
        "reviewed_at": at,
        "note": (
            "no longer proposed by the matching rules (a person merged away or edited in the "
            f"source); decided {pair['decision']} by {pair['decided_by'] or 'an unknown steward'} "
            f"at {decided_at}"
        ),
    }


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


def write_match_candidates(
    engine: sa.Engine,
    candidates: pd.DataFrame,
    *,
    run_id: str,
    in_source: Callable[[Collection[str]], Collection[str]] | None = None,
) -> CandidateWrite:
    """Store the run's whole set of candidate pairs (columns :data:`MATCH_COLUMNS`).

    A new pair starts ``pending``. An existing pair gets the new score and
    evidence but keeps the steward's decision (``decision``, ``decided_by``,
    ``decided_at``); an unchanged pair is left untouched (run id included).
    A pair the rules no longer propose (a person merged away or edited since)
    is removed; one a steward had decided is recorded as :data:`WITHDRAWN` in
    ``migration.match_review`` first, unless a person of it is gone from the source
    and still in the ledger (see the module doc): ``in_source`` says which of the
    S_CONTACT ROW_IDs it is given are in the source now (without it, all are).
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
        stored = conn.execute(sa.select(*(CANDIDATE.c[c] for c in _KEY), *_DECIDED)).mappings()
        stale = [
            row
            for row in stored
            if (row["person_a_row_id"], row["person_b_row_id"]) not in proposed
        ]
        held = _held_though_gone(conn, [r for r in stale if r["decision"] != "pending"], in_source)
        kept = [r for r in stale if {r["person_a_row_id"], r["person_b_row_id"]} & held]
        stale = [r for r in stale if not {r["person_a_row_id"], r["person_b_row_id"]} & held]
        now = store_now(conn)
        withdrawn = [_withdrawal(row, run_id, now) for row in stale if row["decision"] != "pending"]
        append_chained(conn, REVIEW, withdrawn)
        removed = 0
        for row in stale:
            removed += conn.execute(
                sa.delete(CANDIDATE).where(
                    CANDIDATE.c.person_a_row_id == row["person_a_row_id"],
                    CANDIDATE.c.person_b_row_id == row["person_b_row_id"],
                )
            ).rowcount
        upserted = upsert_rows(
            conn,
            CANDIDATE,
            columns,
            rows,
            conflict=_KEY,
            update=[*_VALUES, "run_id"],
            changed_when=_VALUES,
        )
    return CandidateWrite(written=removed + upserted, withdrawn=len(withdrawn), kept=len(kept))


def _held_though_gone(
    conn: sa.Connection,
    pairs: list[sa.RowMapping],
    in_source: Callable[[Collection[str]], Collection[str]] | None,
) -> set[str]:
    """The persons of ``pairs`` gone from the source whom the ledger still holds (kept)."""
    persons = {p for r in pairs for p in (r["person_a_row_id"], r["person_b_row_id"])}
    if not persons or in_source is None:
        return set()
    gone = sorted(persons - set(in_source(persons)))
    held: set[str] = set()
    for chunk in chunked(gone, in_chunk_size(conn)):
        held.update(
            conn.execute(
                sa.select(LEDGER.c.legacy_row_id)
                .where(LEDGER.c.legacy_table == "S_CONTACT")
                .where(one_of(conn, LEDGER.c.legacy_row_id, list(chunk)))
            ).scalars()
        )
    return held & set(gone)
