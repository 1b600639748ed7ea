"""Probable duplicate persons: the pairs the matching rules propose now, against the store.

The migration proposes pairs of S_CONTACT rows that may be the same person for
a steward to decide (``migration.person_match_candidate``); a lost pair is a
duplicate child record nobody will review. The pairs the rules give on the
current source (``made``, as the migration writes them: unordered, a < b) are
merged in key order with the stored ones. Both sides are held in memory: there
are as many pairs as probable duplicates, far fewer than persons, and the
migration's matching holds them all too.

* a pair made and not stored: ``missing_in_target``;
* a pair stored and not made: ``unexpected_in_target`` (also what a source edit
  since the migration that ends a likeness gives: the detail says so);
* a pair whose score or evidence differs: ``field_mismatch``.

The steward's decision (``decision``, ``decided_by``, ``decided_at``) is not
compared: it is theirs to change. Discrepancies name the pair's first person
(``legacy_row_id``) and the pair as ``target_id`` (``a:b``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import sqlalchemy as sa

from load.target_schema import target_table
from reconcile.result import Discrepancy, DiscrepancyKind, FieldDiff

__all__ = ["CANDIDATE_TABLE", "MadePair", "check_match_candidates"]

CANDIDATE_TABLE = "person_match_candidate"
LEGACY_TABLE = "S_CONTACT"

MadePair = tuple[str, str, float, str]
"""(person_a_row_id, person_b_row_id, score, evidence), a < b, as load writes a pair."""

_End = ("\U0010ffff" * 16, "")  # after every key: code point order is byte order


def _stored(conn: sa.Connection) -> list[MadePair]:
    """The stored pairs in code point order (Python sorts: a collation may differ)."""
    table = target_table(f"migration.{CANDIDATE_TABLE}")
    stmt = sa.select(
        table.c.person_a_row_id, table.c.person_b_row_id, table.c.score, table.c.evidence
    )
    return sorted((str(a), str(b), float(s), str(e)) for a, b, s, e in conn.execute(stmt))


def check_match_candidates(conn: sa.Connection, made: Sequence[MadePair]) -> Iterator[Discrepancy]:
    """Discrepancies between the pairs ``made`` now and the stored ones (see the module doc)."""
    wanted = iter(sorted(made))
    stored = iter(_stored(conn))
    want, have = next(wanted, None), next(stored, None)
    while want is not None or have is not None:
        want_key = want[:2] if want is not None else _End
        have_key = have[:2] if have is not None else _End
        if want is not None and want_key < have_key:
            yield _discrepancy(
                "missing_in_target", want, "the matching rules propose it, but it is not stored"
            )
            want = next(wanted, None)
        elif have is not None and have_key < want_key:
            yield _discrepancy(
                "unexpected_in_target",
                have,
                "it is stored, but the matching rules do not propose it "
                "(from the current source rows)",
            )
            have = next(stored, None)
        else:
            assert want is not None and have is not None
            diffs = [
                FieldDiff(name, ours, theirs)
                for name, ours, theirs in (
                    ("score", want[2], have[2]),
                    ("evidence", want[3], have[3]),
                )
                if ours != theirs
            ]
            if diffs:
                yield _discrepancy(
                    "field_mismatch",
                    have,
                    "it differs from what the matching rules propose: "
                    + ", ".join(d.field for d in diffs),
                    diffs,
                )
            want, have = next(wanted, None), next(stored, None)


def _discrepancy(
    kind: DiscrepancyKind, pair: MadePair, why: str, values: Sequence[FieldDiff] = ()
) -> Discrepancy:
    a, b = pair[0], pair[1]
    return Discrepancy(
        kind=kind,
        legacy_table=LEGACY_TABLE,
        legacy_row_id=a,
        target_table=CANDIDATE_TABLE,
        target_id=f"{a}:{b}",
        fields=[d.field for d in values],
        detail=f"the probable duplicate pair {a}, {b}: {why}",
        values=values,
    )
