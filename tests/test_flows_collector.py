"""The collector settings of a run are restored afterwards, even when the run fails."""

from __future__ import annotations

import gc

import pytest

from flows.collector import fewer_collections


def test_thresholds_are_raised_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with fewer_collections(threshold=12_345):
        assert gc.get_threshold()[0] == 12_345
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_restored_after_an_error() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before
