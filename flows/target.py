"""``init-target``: create or upgrade the new store's schema to the newest migration."""

from __future__ import annotations

from rich.console import Console

from flows.engines import make_engine, redact
from load import store_lock, target_metadata
from load.schema_setup import init_target, present_target_tables, target_revision

__all__ = ["EXIT_ERROR", "run_init_target"]

EXIT_ERROR = 2


def run_init_target(target_url: str, console: Console) -> str:
    """Bring the target at ``target_url`` to the head revision; returns that revision.

    A plain engine is enough: Alembic's env.py gives its own connection the
    schema translation SQLite needs.
    """
    engine = make_engine(target_url, role="target")
    try:
        console.print(f"Target: {redact(target_url)}")
        with store_lock(engine, exclusive=True):  # never under a running migration
            before = target_revision(engine)
            revision = init_target(engine)
            present = len(present_target_tables(engine))
    finally:
        engine.dispose()
    expected = len(target_metadata().tables)
    if before == revision:
        console.print(f"Target schema already at revision [bold]{revision}[/]: nothing to do.")
    else:
        console.print(
            f"Target schema upgraded from {before or 'empty'} to revision [bold]{revision}[/]."
        )
    console.print(f"{present} of {expected} target tables present.")
    return revision
