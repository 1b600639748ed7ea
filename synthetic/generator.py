"""``generate``: build the synthetic legacy ICM database, inject every known defect, write it all."""

from __future__ import annotations

import random
from pathlib import Path

import sqlalchemy as sa

from extract import LEGACY_TABLE_NAMES, create_legacy_schema, legacy_table
from synthetic import defects_cases, defects_links, defects_persons, defects_records  # noqa: F401 (register variants)
from synthetic.activities import build_activities
from synthetic.audit import build_audit
from synthetic.cases import build_cases
from synthetic.families import build_people
from synthetic.files import file_bytes, saf_name
from synthetic.ids import RowIdAllocator
from synthetic.injection import Injector, registry
from synthetic.intake import build_intake
from synthetic.manifest import Manifest
from synthetic.reference import build_lov, build_users
from synthetic.stamps import Stamper
from synthetic.timeline import AS_OF
from synthetic.world import World
from synthetic.writer import Progress, write_tables
from transform.vocabulary import DEFECTS

__all__ = ["MAX_DEFECT_RATE", "MIN_PERSONS", "GeneratorError", "build_world", "generate"]

MIN_PERSONS = 40
MAX_DEFECT_RATE = 0.05


class GeneratorError(RuntimeError):
    """The generator cannot run with these inputs (bad parameters, a non-empty target). Terminal."""


_STAGE = "building rows"


def build_world(seed: int, persons: int, progress: Progress | None = None) -> World:
    """Every clean row of the synthetic database, in memory (notes stay lazy)."""

    def step(done: int) -> None:
        if progress is not None:
            progress(_STAGE, done, 5)

    ids = RowIdAllocator(random.Random(f"{seed}:ids"))
    rng = random.Random(f"{seed}:users")
    staff = [ids.next() for _ in range(max(8, persons // 250))]
    world = World(seed, Stamper(random.Random(f"{seed}:stamps"), staff), ids)
    world.positions = [ids.nowhere() for _ in range(max(6, persons // 300))]
    step(0)
    build_users(world, rng, staff)
    build_lov(world)
    pairs = build_people(world, random.Random(f"{seed}:people"), persons)
    step(1)
    build_cases(world, random.Random(f"{seed}:cases"), pairs)
    step(2)
    build_intake(world, random.Random(f"{seed}:intake"))
    step(3)
    build_activities(world, random.Random(f"{seed}:activities"))
    step(4)
    build_audit(world, random.Random(f"{seed}:audit"))
    step(5)
    return world


# Variants with the narrowest pools go first, so that small databases still get every one.
_FIRST = (
    "overlapping_placement",
    "placement_before_birth",
    "placement_end_before_start",
    "duplicate_person",
    "shared_phn",
    "mojibake",
    "lossy_charset",
    "key_trailing_blank",
    "closed_without_date",
    "renamed_code",
    "entered_in_error",
    "open_with_close_date",
)


def inject_defects(world: World, *, seed: int, defect_rate: float, dialect: str) -> Injector:
    """Inject every variant of ``transform.vocabulary.DEFECTS`` on disjoint rows."""
    injectors = registry()
    missing = [d.variant for d in DEFECTS if d.variant not in injectors]
    if missing:
        raise GeneratorError(f"no injector for defect variants {missing}")
    base = {name: len(rows) for name, rows in world.tables.items()}
    injector = Injector(world, random.Random(f"{seed}:defects"), defect_rate, base, dialect)
    order = list(_FIRST) + [d.variant for d in DEFECTS if d.variant not in _FIRST]
    for variant in order:
        injectors[variant](injector)
    return injector


def _check_target(engine: sa.Engine, attachments_dir: Path) -> None:
    if attachments_dir.exists() and any(attachments_dir.glob("*.SAF")):
        raise GeneratorError(f"{attachments_dir} already holds .SAF files; use an empty directory")
    create_legacy_schema(engine)
    with engine.connect() as conn:
        for name in LEGACY_TABLE_NAMES:
            if conn.execute(
                sa.select(sa.func.count()).select_from(legacy_table(name))
            ).scalar_one():
                raise GeneratorError(
                    f"legacy table {name} already has rows; generate into an empty database"
                )


def _write_files(world: World, attachments_dir: Path, progress: Progress | None) -> None:
    attachments_dir.mkdir(parents=True, exist_ok=True)
    rows = world.tables["S_ACTIVITY_ATT"]
    for done, row in enumerate(rows, start=1):
        _, written = world.file_specs[row["ROW_ID"]]
        if written is not None:
            content = file_bytes(world.seed, row["ROW_ID"], str(row["FILE_EXT"]), written)
            (attachments_dir / saf_name(row["ROW_ID"], str(row["FILE_REV_NUM"]))).write_bytes(
                content
            )
        if progress is not None and (done % 500 == 0 or done == len(rows)):
            progress("attachment files", done, len(rows))


def generate(
    engine: sa.Engine,
    *,
    persons: int,
    seed: int,
    attachments_dir: Path,
    defect_rate: float = 0.02,
    progress: Progress | None = None,
) -> Manifest:
    """Write a deterministic synthetic legacy ICM database and its attachment files.

    Same ``seed`` and ``persons``: the same rows, files and manifest, byte for byte, on
    every engine, but for what an engine cannot store (PostgreSQL: the NUL of the nul_byte
    notes, which stay clean there and are listed in the manifest's ``not_injected``).
    """
    if persons < MIN_PERSONS:
        raise GeneratorError(f"persons must be at least {MIN_PERSONS}, got {persons}")
    if not 0 <= defect_rate <= MAX_DEFECT_RATE:
        raise GeneratorError(
            f"defect_rate must be between 0 and {MAX_DEFECT_RATE}, got {defect_rate}"
        )
    attachments_dir = Path(attachments_dir)
    _check_target(engine, attachments_dir)
    world = build_world(seed, persons, progress)
    if progress is not None:
        progress("injecting defects", 0, 1)
    injector = inject_defects(
        world, seed=seed, defect_rate=defect_rate, dialect=engine.dialect.name
    )
    if progress is not None:
        progress("injecting defects", 1, 1)
    write_tables(engine, world.tables, progress)
    _write_files(world, attachments_dir, progress)
    return Manifest(
        seed=seed,
        persons=persons,
        defect_rate=defect_rate,
        as_of=AS_OF.isoformat(),
        row_counts={name: len(world.tables[name]) for name in LEGACY_TABLE_NAMES},
        defects=sorted(injector.entries),
        not_injected=injector.not_injected,
    )
