"""Connection strings held in this process, so that flow parameters never carry credentials.

Prefect records every flow run's parameters on its server. A URL with a
password must not end up there, so the command line holds the real string
here and passes the flow an opaque reference (plus a redacted label for
people); the flow resolves the reference in the same process.
"""

from __future__ import annotations

import uuid

__all__ = ["hold", "resolve"]

_PREFIX = "held-connection:"
_HELD: dict[str, str] = {}


def hold(url_or_dsn: str) -> str:
    """An opaque reference to ``url_or_dsn``, valid in this process."""
    ref = f"{_PREFIX}{uuid.uuid4().hex}"
    _HELD[ref] = url_or_dsn
    return ref


def resolve(ref_or_url: str) -> str:
    """The connection string a reference stands for; a plain string is returned as it is."""
    if not ref_or_url.startswith(_PREFIX):
        return ref_or_url
    try:
        return _HELD[ref_or_url]
    except KeyError:
        raise ValueError(
            "the connection reference is not held in this process (flows resolve references only "
            "in the process that made them); pass the connection string instead"
        ) from None
