"""Run ``matches`` and ``match-decide``: the probable duplicate persons for the data stewards,
and their decisions.

Exit codes: 0 written or recorded, 2 an error (a bad filter or pair, an unreachable target
or one never migrated, a migration using the store, a file that cannot be written), with a
message naming no personal data; a refused decision changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console

import load
from flows.steward_commands import named_keys, on_store, write_atomically
from reconcile import match_lines, migration_run_of, write_match_csv

__all__ = ["EXIT_ERROR", "EXIT_WRITTEN", "parse_pair", "run_match_decide", "run_match_list"]

EXIT_WRITTEN, EXIT_ERROR = 0, 2


def run_match_list(
    *,
    target: str,
    out: Path,
    console: Console,
    decisions: Sequence[str] = (),
    min_score: float | None = None,
) -> int:
    """Write the candidate pairs of ``target`` to ``out`` as CSV. Returns 0 when written, 2 on
    error."""
    unknown = [d for d in decisions if d not in load.MATCH_DECISIONS]
    if unknown:
        console.print(
            f"[red]Match list refused:[/red] unknown decision {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(load.MATCH_DECISIONS)}"
        )
        return EXIT_ERROR

    def write(engine: sa.Engine) -> int:
        with engine.connect() as conn:
            migration_run_of(conn)
            lines = match_lines(conn, decisions=decisions, min_score=min_score)
            return write_atomically(Path(out), lambda handle: write_match_csv(lines, handle))

    written = on_store(console, "Match list", target, write, exclusive=False)
    if written is None:
        return EXIT_ERROR
    console.print(f"Wrote {written:,} probable duplicate pairs to {out}")
    return EXIT_WRITTEN


def parse_pair(text: str) -> tuple[str, str]:
    """``ROW_ID:ROW_ID`` (two S_CONTACT ROW_IDs) as a pair."""
    a, colon, b = text.partition(":")
    if not colon or not a or not b or ":" in b:
        raise ValueError(f"{text!r} is not ROW_ID:ROW_ID (e.g. 1-2ABC:1-2ABD)")
    return a, b


def run_match_decide(
    *,
    target: str,
    decision: str,
    note: str,
    decided_by: str,
    console: Console,
    pairs: Sequence[str] = (),
    pairs_file: Path | None = None,
) -> int:
    """Give the candidate pairs named (``pairs`` as ROW_ID:ROW_ID, and the lines of
    ``pairs_file``) ``decision``, recorded with who and why. Returns 0 when recorded, 2 on
    error (then nothing was changed)."""
    try:
        named = named_keys(pairs, parse_pair, pairs_file, ("person_a_row_id", "person_b_row_id"))
    except (ValueError, OSError) as exc:
        console.print(f"[red]Match decision refused:[/red] {exc}")
        return EXIT_ERROR
    outcome = on_store(
        console,
        "Match decision",
        target,
        lambda engine: load.decide_matches(
            engine, named, decision, decided_by=decided_by, note=note
        ),
        exclusive=True,
    )
    if outcome is None:
        return EXIT_ERROR
    console.print(
        f"{outcome.changed:,} duplicate candidate pairs now {decision}, recorded as decided by "
        f"{decided_by}; {outcome.unchanged:,} already were"
    )
    return EXIT_WRITTEN
