"""Run a child process and sample the memory of its whole process tree.

The reconciliation starts a transform worker process: the child's own VmHWM
misses it. Every ``interval`` seconds the proportional set size (Pss: private
pages, plus shared pages divided among the processes sharing them, so shared
libraries count once) of the child and all its descendants is summed; the
largest sum is the tree's peak (a sample can miss a spike shorter than the
interval, so the child's own VmHWM is reported beside it).
"""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Any

__all__ = ["run_sampled"]


def _pss_kb(pid: int) -> int:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(p) for p in (task / "children").read_text().split())
            except OSError:
                continue
    return found


def run_sampled(
    args: list[str], *, interval: float = 0.05, **popen: Any
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run ``args`` to the end (check=True semantics); return it and the tree's peak Pss in MB."""
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(interval):
            peak = max(peak, sum(_pss_kb(pid) for pid in _tree(proc.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, args, stdout, stderr)
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr), peak / 1024
