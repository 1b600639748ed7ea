"""Who is running a command, as the stores record it (reviews, decisions, disclosures).

The operating system's account of the process's user id, not ``getpass.getuser()``:
that reads ``LOGNAME`` and ``USER`` first, so anyone could record another name with
``USER=alice icm-migrate ...``. A user id with no account (some containers) is
recorded as ``uid <n>`` rather than failing.
"""

from __future__ import annotations

import os
import pwd

__all__ = ["current_user"]


def current_user() -> str:
    """The login name of the account running this process (``uid <n>`` if it has none)."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"
