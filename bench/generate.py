"""Time the synthetic generator into SQLite: ``python bench/generate.py [persons] [seed]``.

Prints rows per second overall and the time spent per stage; asserts nothing.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import synthetic
from flows.engines import make_engine


def main() -> None:
    persons = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    stages: dict[str, float] = {}
    started = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        stages[stage] = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'legacy.sqlite'}")
        manifest = synthetic.generate(
            engine,
            persons=persons,
            seed=seed,
            attachments_dir=Path(folder) / "files",
            progress=progress,
        )
        engine.dispose()
    elapsed = time.perf_counter() - started
    rows = sum(manifest.row_counts.values())
    previous = 0.0
    for stage, at in stages.items():
        print(f"{stage:<20} {at - previous:8.1f} s")
        previous = at
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{persons} persons, {rows} rows, {len(manifest.defects)} defects in {elapsed:.1f} s: {rows / elapsed:,.0f} rows/s; peak memory {peak:,.0f} MB"
    )


if __name__ == "__main__":
    main()
