"""The data stewards' list of probable duplicate persons to decide, as CSV.

One line per candidate pair the migration stored (``migration.person_match_candidate``):
the two S_CONTACT ROW_IDs, the score, the matching code and its meaning, the fields
that agree, the decision with who made it and when, and the run that proposed the
pair. Highest scores first. No personal data: the evidence names fields, never
their values; the steward opens both records in the legacy system to decide.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import TextIO

import sqlalchemy as sa

from load.target_schema import target_table
from reconcile.render_csv import write_rows
from transform.vocabulary import MATCH_CODES

__all__ = ["MATCH_CSV_COLUMNS", "MatchLine", "match_lines", "write_match_csv"]

MATCH_CSV_COLUMNS = (
    "person_a_row_id",
    "person_b_row_id",
    "score",
    "code",
    "meaning",
    "agreeing_fields",
    "decision",
    "decided_by",
    "decided_at",
    "run_id",
)


@dataclass(frozen=True)
class MatchLine:
    """One candidate pair as the stewards' list shows it."""

    person_a_row_id: str
    person_b_row_id: str
    score: float
    code: str
    agreeing_fields: tuple[str, ...]
    decision: str
    decided_by: str
    decided_at: dt.datetime | None
    run_id: str

    @property
    def meaning(self) -> str:
        return MATCH_CODES.get(self.code, "")


def _evidence(text: str | None) -> tuple[str, tuple[str, ...]]:
    """(code, agreeing fields) of a pair's evidence; unreadable evidence gives neither."""
    try:
        evidence = json.loads(text or "")
    except ValueError:
        return "", ()
    if not isinstance(evidence, dict):
        return "", ()
    agree = evidence.get("agree")
    fields = tuple(str(f) for f in agree) if isinstance(agree, list) else ()
    return str(evidence.get("code") or ""), fields


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored time in UTC (SQLite keeps it without a zone)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def match_lines(
    conn: sa.Connection,
    *,
    decisions: Collection[str] = (),
    min_score: float | None = None,
    batch_size: int = 5000,
) -> Iterator[MatchLine]:
    """The stored pairs, highest score first, then by ROW_IDs; each filter, when given, keeps
    only the pairs with one of ``decisions`` or a score of at least ``min_score``."""
    candidate = target_table("migration.person_match_candidate")
    stmt = sa.select(candidate).order_by(
        candidate.c.score.desc(), candidate.c.person_a_row_id, candidate.c.person_b_row_id
    )
    if decisions:
        stmt = stmt.where(candidate.c.decision.in_(sorted(decisions)))
    if min_score is not None:
        stmt = stmt.where(candidate.c.score >= min_score)
    for row in conn.execute(stmt.execution_options(yield_per=batch_size)):
        code, fields = _evidence(row.evidence)
        yield MatchLine(
            row.person_a_row_id,
            row.person_b_row_id,
            float(row.score),
            code,
            fields,
            row.decision,
            row.decided_by or "",
            _utc(row.decided_at),
            row.run_id,
        )


def write_match_csv(lines: Iterator[MatchLine], out: TextIO) -> int:
    """Write ``lines`` as CSV to ``out`` (opened with ``newline=""``), header first; returns how
    many pairs were written. The byte order mark is the caller's (its encoding)."""
    return write_rows(
        out,
        MATCH_CSV_COLUMNS,
        (
            (
                line.person_a_row_id,
                line.person_b_row_id,
                f"{line.score:g}",
                line.code,
                line.meaning,
                ";".join(line.agreeing_fields),
                line.decision,
                line.decided_by,
                line.decided_at.isoformat() if line.decided_at else "",
                line.run_id,
            )
            for line in lines
        ),
    )
