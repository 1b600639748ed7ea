"""The one ordered pass that tells which ledger rows are gone from the source."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.source_deletions import KeyOrderError, only_in_first

_KEYS = st.lists(st.text(alphabet="-+ 1AaZz\u00e9", min_size=1, max_size=4), unique=True)


@given(ledger=_KEYS, source=_KEYS)
def test_the_rows_gone_are_the_ledger_keys_the_source_lacks_in_byte_order(
    ledger: list[str], source: list[str]
) -> None:
    gone = list(only_in_first(sorted(ledger), sorted(source), table="S_CONTACT"))
    assert gone == sorted(set(ledger) - set(source))


def test_keys_out_of_byte_order_stop_the_pass_rather_than_call_rows_gone() -> None:
    """In a linguistic collation '1+B' sorts after '1-A'; in byte order it comes first. Merged
    against the source's byte order, such a ledger would call '1-A' gone: a prune would
    delete it."""
    with pytest.raises(KeyOrderError) as error:
        list(only_in_first(["1-A", "1+B"], ["1+B", "1-A"], table="S_CONTACT"))
    assert "ROW_ID '1+B' after '1-A'" in str(error.value)
    assert "table S_CONTACT" in str(error.value) and "a retry will not help" in str(error.value)
