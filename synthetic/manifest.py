"""The manifest of a synthetic database: what was generated and every defect injected.

It holds ROW_IDs, table and column names and codes only, never personal data.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DefectEntry", "Manifest"]


@dataclass(frozen=True, order=True)
class DefectEntry:
    """One injected defect on one row, with the outcome the pipeline must give it
    (``action``, ``code`` and ``column`` as in ``transform.vocabulary.DEFECTS``)."""

    defect: str
    variant: str
    table: str
    row_id: str
    column: str | None
    action: str
    code: str
    related_row_id: str | None = None


@dataclass
class Manifest:
    seed: int
    persons: int
    defect_rate: float
    as_of: str
    row_counts: dict[str, int]
    defects: list[DefectEntry]
    # Variants that the target engine cannot represent (e.g. NUL in PostgreSQL text), with why.
    not_injected: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "persons": self.persons,
            "defect_rate": self.defect_rate,
            "as_of": self.as_of,
            "row_counts": dict(self.row_counts),
            "defects": [asdict(entry) for entry in self.defects],
            "not_injected": list(self.not_injected),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        return cls(
            seed=data["seed"],
            persons=data["persons"],
            defect_rate=data["defect_rate"],
            as_of=data["as_of"],
            row_counts=dict(data["row_counts"]),
            defects=[DefectEntry(**entry) for entry in data["defects"]],
            not_injected=list(data.get("not_injected", [])),
        )

    @classmethod
    def read(cls, path: Path) -> Manifest:
        return cls.from_json(path.read_text(encoding="utf-8"))

    def entries(self, variant: str) -> list[DefectEntry]:
        return [entry for entry in self.defects if entry.variant == variant]

    def defective_row_ids(self) -> set[str]:
        return {entry.row_id for entry in self.defects}
