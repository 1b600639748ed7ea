"""What the load stage keeps between batches does not grow with the number of batches.

On PostgreSQL every batch COPYs into staging tables with names of their own, so the
statements that move their rows are new text each time: kept in the engine's compiled
cache they would never be used again, and the cache would fill up (500 entries of
tens of KB each) as a migration goes on.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from test_load_support import make_target, person_batch, row_ids

import load


@pytest.fixture
def target(target_db_url: str) -> Iterator[sa.Engine]:
    engine = make_target(target_db_url)
    yield engine
    engine.dispose()


def test_batches_leave_the_compiled_cache_as_the_first_one_left_it(target: sa.Engine) -> None:
    run = load.start_run(
        target, kind="full", source="sqlite:///legacy.db", code_version="t", rules_version="t"
    )
    ids = row_ids(60)
    batches = [ids[start : start + 6] for start in range(0, len(ids), 6)]
    cache = target._compiled_cache
    assert cache is not None

    def write(batch: list[str]) -> None:
        counts = load.write_batch(target, person_batch(batch, quarantined=batch[:1]), run_id=run)
        assert (counts.loaded, counts.quarantined) == (len(batch) - 1, 1)

    write(batches[0])
    after_first = len(cache)
    for batch in batches[1:]:
        write(batch)
    assert len(cache) == after_first
