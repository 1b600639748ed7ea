"""Record that personal data is about to be shown in the clear: ``migration.disclosure``.

The commands that can show what they mask by default (``reconcile --reveal-pii``,
``review-history --reveal-notes``) record who asked, which command, and what they
write where, before they show anything: a command that cannot record the
disclosure does not disclose. The row says what was shown, never the data. Like
the review histories, the table is append-only and hash-chained
(:mod:`load.audit_chain`), so the privacy officer's answer to "who saw what" cannot
be quietly edited.
"""

from __future__ import annotations

import sqlalchemy as sa

from load.audit_chain import append_chained, lock_trail
from load.errors import TerminalLoadError
from load.target_schema import target_table
from load.transaction import store_now

__all__ = ["DISCLOSURE", "record_disclosure"]

DISCLOSURE = target_table("migration.disclosure")
_REQUESTER_LIMIT = 100
"""The width of ``requested_by`` (revision 0010)."""


def record_disclosure(conn: sa.Connection, *, requested_by: str, command: str, what: str) -> None:
    """Append a disclosure by ``requested_by`` through ``command`` of ``what`` (a description
    with no personal data), timed by the store's clock, in the caller's transaction."""
    who = requested_by.strip()
    if not who or len(who) > _REQUESTER_LIMIT:
        raise TerminalLoadError(
            f"personal data is shown only to a named requester of 1 to {_REQUESTER_LIMIT} "
            "characters; nothing was shown",
            table="disclosure",
        )
    lock_trail(conn, DISCLOSURE)  # first: the times then follow the ids
    append_chained(
        conn,
        DISCLOSURE,
        [
            {
                "disclosed_at": store_now(conn),
                "requested_by": who,
                "command": command,
                "what": what,
            }
        ],
    )
