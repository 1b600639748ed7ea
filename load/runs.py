"""Migration runs: one ``migration.migration_run`` row per run, and finding the run to resume."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import sqlalchemy as sa

from load.errors import TerminalLoadError, UnredactedSourceError
from load.target_schema import target_table
from load.transaction import store_now, write_transaction

__all__ = [
    "FINAL_STATUSES",
    "RUN_KINDS",
    "check_redacted",
    "finish_run",
    "latest_unfinished_run",
    "run_as_of",
    "run_prunes_deleted",
    "start_run",
]

RUN = target_table("migration.migration_run")
RUN_KINDS = ("full", "delta", "replay")
FINAL_STATUSES = ("succeeded", "failed")
_MASK = "***"
# PASSWORD=..., PWD=... in ODBC strings and URL queries.
_SECRET_SETTING = re.compile(r"(?i)\b(?:password|pwd)\s*=\s*(\{[^}]*\}|[^;&\s]*)")
# user:secret@host (but not the '//' of 'scheme://user@host').
_USERINFO = re.compile(r":(?!//)([^\s@:]+)@")


def check_redacted(source: str) -> None:
    """Raise :class:`UnredactedSourceError` if ``source`` still holds a password (masked ``***`` is fine)."""
    for match in _SECRET_SETTING.finditer(source):
        if match.group(1).strip("{}") not in ("", _MASK):
            raise UnredactedSourceError(
                "the run's source holds a password setting: redact it before storing"
            )
    for match in _USERINFO.finditer(source):
        if match.group(1) != _MASK:
            raise UnredactedSourceError(
                "the run's source holds a user-info password: redact it before storing"
            )


def start_run(
    engine: sa.Engine,
    *,
    kind: str,
    source: str,
    code_version: str,
    rules_version: str,
    requested_by: str | None = None,
    as_of: dt.date | None = None,
    prune_deleted: bool = False,
) -> str:
    """Record a new run (status ``running``) and return its id (a uuid4 as text).

    ``source`` must already be redacted (``flows.engines.redact``); a password
    left in it is refused, never stored.
    """
    if kind not in RUN_KINDS:
        raise TerminalLoadError(
            f"unknown run kind {kind!r}; expected one of {', '.join(RUN_KINDS)}"
        )
    check_redacted(source)
    run_id = str(uuid.uuid4())
    with write_transaction(engine) as conn:
        conn.execute(
            sa.insert(RUN).values(
                id=run_id,
                kind=kind,
                started_at=store_now(conn),
                status="running",
                source=source,
                code_version=code_version,
                rules_version=rules_version,
                requested_by=requested_by,
                as_of=as_of,
                prune_deleted=prune_deleted,
            )
        )
    return run_id


def finish_run(engine: sa.Engine, run_id: str, status: str, detail: str | None = None) -> None:
    """Close run ``run_id`` with ``status`` (succeeded or failed) and an optional detail (no personal data)."""
    if status not in FINAL_STATUSES:
        raise TerminalLoadError(
            f"unknown final run status {status!r}; expected one of {', '.join(FINAL_STATUSES)}"
        )
    with write_transaction(engine) as conn:
        changed = conn.execute(
            sa.update(RUN)
            .where(RUN.c.id == run_id)
            .values(status=status, finished_at=store_now(conn), detail=detail)
        ).rowcount
    if changed != 1:
        raise TerminalLoadError(f"migration run {run_id} does not exist", table="migration_run")


def latest_unfinished_run(engine: sa.Engine, *, include_failed: bool = False) -> str | None:
    """The id of the most recently started run if it is still ``running`` (it crashed), else None.

    With ``include_failed``, a latest run that ended ``failed`` is resumed too.
    A run started before a later, finished one is never returned.
    """
    stmt = (
        sa.select(RUN.c.id, RUN.c.status)
        .order_by(RUN.c.started_at.desc(), RUN.c.id.desc())
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).one_or_none()
    if row is None:
        return None
    wanted = ("running", "failed") if include_failed else ("running",)
    return str(row[0]) if row[1] in wanted else None


def run_prunes_deleted(engine: sa.Engine, run_id: str) -> bool:
    """Whether run ``run_id`` deletes the legacy rows gone from the source (recorded at its start)."""
    with engine.connect() as conn:
        value = conn.execute(sa.select(RUN.c.prune_deleted).where(RUN.c.id == run_id)).scalar()
    return bool(value)


def run_as_of(engine: sa.Engine, run_id: str) -> dt.date | None:
    """The extraction date a run's date rules used (None for runs recorded before 0003)."""
    with engine.connect() as conn:
        value = conn.execute(sa.select(RUN.c.as_of).where(RUN.c.id == run_id)).scalar_one_or_none()
    return value if isinstance(value, dt.date) else None
