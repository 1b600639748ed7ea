"""Target ids are cached for the parents a batch links to, not for every row of a run."""

from __future__ import annotations

import tracemalloc

from transform import identity
from transform.identity import target_id


def test_the_ids_of_many_rows_hold_a_bounded_cache() -> None:
    identity._cached_id.cache_clear()
    tracemalloc.start()
    try:
        first = target_id("S_CONTACT", "1-0000000")
        for n in range(100_000):
            target_id("S_CONTACT", f"1-{n:07d}")
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        identity._cached_id.cache_clear()
    assert identity._cached_id.cache_info().maxsize == identity.ID_CACHE_SIZE
    # 8,192 ids with their keys: ~2.5 MB; the 65,536 of before held ~19 MB.
    assert held < 5 * 2**20, held
    assert target_id("S_CONTACT", "1-0000000") == first  # evicted, computed again alike
