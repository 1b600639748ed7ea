"""A deterministic synthetic legacy ICM database, with every known defect injected.

Public API::

    generate(engine, *, persons, seed, attachments_dir, defect_rate=0.02, progress=None) -> Manifest
    Manifest, DefectEntry         the record of what was generated and injected
    AS_OF                         the fixed extraction date (no wall clock anywhere)
    GeneratorError                bad parameters or a non-empty target (terminal)
"""

from synthetic.files import saf_name
from synthetic.generator import MAX_DEFECT_RATE, MIN_PERSONS, GeneratorError, generate
from synthetic.lov import LISTS, RENAMED, UNKNOWN_VALUES, crosswalk_rows
from synthetic.manifest import DefectEntry, Manifest
from synthetic.timeline import AS_OF

__all__ = [
    "AS_OF",
    "LISTS",
    "MAX_DEFECT_RATE",
    "MIN_PERSONS",
    "RENAMED",
    "UNKNOWN_VALUES",
    "DefectEntry",
    "GeneratorError",
    "Manifest",
    "crosswalk_rows",
    "generate",
    "saf_name",
]
