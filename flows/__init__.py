"""Flows: the composition root. Builds engines, reads settings, wires the stages, runs Prefect flows.

Prefect reports usage to its makers by default: the SDK's events and the local server's
heartbeat (``prefect.server.services.telemetry``). A service moving child-protection
records makes no call out of its network unasked, and on a machine with no way out the
heartbeat logged an ERROR at every run. Both are off here unless the environment says
otherwise (``DO_NOT_TRACK``, ``PREFECT_SERVER_ANALYTICS_ENABLED``), set before any part of
Prefect is imported: flows is the only stage that imports it.
"""

import os

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

__all__: list[str] = []
