"""Data stewards' decisions on probable duplicate persons: same person, different, or pending.

The matching rules only propose pairs (``migration.person_match_candidate``);
persons are never merged automatically. A steward who has compared the two
records decides the pair: the candidate row holds the latest decision
(``decision``, ``decided_by``, ``decided_at``; a pair set back to ``pending``
has neither), and ``migration.match_review`` keeps every change with who, when
and why, for the auditors.

All or nothing: every pair named must be a stored candidate, or nothing is
written. The note is the steward's own text: stored, never logged or shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa

from load.audit_chain import append_chained
from load.quarantine_review import ReviewOutcome, ReviewRefused, check_review
from load.target_schema import target_table
from load.transaction import store_now, write_transaction

__all__ = ["MATCH_DECISIONS", "decide_matches", "ordered_pair"]

MATCH_DECISIONS = ("pending", "same_person", "different")

CANDIDATE = target_table("migration.person_match_candidate")
REVIEW = target_table("migration.match_review")


def ordered_pair(a: str, b: str) -> tuple[str, str]:
    """A pair as the store keys it: unordered, the smaller ROW_ID (in byte order) first."""
    if a == b:
        raise ReviewRefused("a person paired with itself", table="S_CONTACT", legacy_row_id=a)
    return (a, b) if a < b else (b, a)


def decide_matches(
    engine: sa.Engine,
    pairs: Iterable[tuple[str, str]],
    decision: str,
    *,
    decided_by: str,
    note: str,
    at: dt.datetime | None = None,
) -> ReviewOutcome:
    """Give the candidate pairs ``pairs`` (two S_CONTACT ROW_IDs each, in either order)
    ``decision``, and record each change with ``decided_by``, ``note`` and ``at`` (now, by
    default), in one transaction.

    Raises :class:`ReviewRefused`, naming the first such pair, when a pair is not a stored
    candidate (nothing is written then).
    """
    check_review(decision, MATCH_DECISIONS, "decision", decided_by, note)
    named = sorted({ordered_pair(a, b) for a, b in pairs})
    if not named:
        raise ReviewRefused("no pair named: nothing to decide")
    changed: list[tuple[str, str, str]] = []
    with write_transaction(engine) as conn:
        when = (at or store_now(conn)).astimezone(dt.UTC)
        for a, b in named:
            this_pair = (CANDIDATE.c.person_a_row_id == a) & (CANDIDATE.c.person_b_row_id == b)
            current = conn.execute(sa.select(CANDIDATE.c.decision).where(this_pair)).scalar()
            if current is None:
                raise ReviewRefused(
                    f"ROW_IDs {a} and {b} are not a stored duplicate candidate pair; "
                    "nothing was changed",
                    table="person_match_candidate",
                )
            if current == decision:
                continue
            decided = decision != "pending"
            conn.execute(
                sa.update(CANDIDATE)
                .where(this_pair)
                .values(
                    decision=decision,
                    decided_by=decided_by.strip() if decided else None,
                    decided_at=when if decided else None,
                )
            )
            changed.append((a, b, current))
        if changed:
            append_chained(
                conn,
                REVIEW,
                [
                    {
                        "person_a_row_id": a,
                        "person_b_row_id": b,
                        "previous_decision": previous,
                        "decision": decision,
                        "reviewed_by": decided_by.strip(),
                        "reviewed_at": when,
                        "note": note.strip(),
                    }
                    for a, b, previous in changed
                ],
            )
    return ReviewOutcome(changed=len(changed), unchanged=len(named) - len(changed))
