"""End to end: a synthetic legacy ICM database migrated by the real pipeline (no Prefect here).

Every defect in the generator's manifest is checked row by row; every legacy
row has exactly one ledger outcome; clean values round-trip exactly; a
second run changes nothing; sources of every kind give the same store.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from databases import require_odbc_driver
from e2e_support import dump_target, flag_codes, ledger, manifest_failures, quarantine_codes

import extract
import synthetic
from flows.engines import make_engine, make_target_engine
from flows.pipeline import migrate_direct

PERSONS = 80
SEED = 7


class Legacy:
    """A generated legacy database (SQLite file) with its files and manifest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / "legacy.sqlite"
        self.url = f"sqlite:///{self.path}"
        self.files = root / "siebel-files"
        engine = make_engine(self.url)
        self.manifest = synthetic.generate(
            engine, persons=PERSONS, seed=SEED, attachments_dir=self.files
        )
        engine.dispose()


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Legacy:
    return Legacy(tmp_path_factory.mktemp("legacy"))


def migrate(
    source: str, target: str, legacy: Legacy, store: Path, **kwargs: Any
) -> dict[str, dict[str, int]]:
    return migrate_direct(
        source,
        target,
        attachments_dir=legacy.files,
        attachment_store=store,
        batch_size=kwargs.pop("batch_size", 37),
        as_of=synthetic.AS_OF,
        **kwargs,
    )


@pytest.fixture(scope="module")
def reference(legacy: Legacy, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The SQLite -> SQLite migration every other run is compared with."""
    root = tmp_path_factory.mktemp("reference")
    url = f"sqlite:///{root / 'target.sqlite'}"
    migrate(legacy.url, url, legacy, root / "store")
    engine = make_target_engine(url)
    out = {"url": url, "engine": engine, "dump": dump_target(engine), "store": root / "store"}
    return out


def source_keys(url: str) -> dict[str, set[str]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        keys = {
            t: set(conn.execute(sa.text(f'SELECT "ROW_ID" FROM "{t}"')).scalars())
            for t in extract.LEGACY_TABLE_NAMES
        }
    engine.dispose()
    return keys


def test_every_legacy_row_has_exactly_one_outcome(
    legacy: Legacy, reference: dict[str, Any]
) -> None:
    outcomes = ledger(reference["engine"])
    for table, keys in source_keys(legacy.url).items():
        in_ledger = {row_id for (t, row_id) in outcomes if t == table}
        assert in_ledger == keys, table
    assert {o["outcome"] for o in outcomes.values()} <= {"loaded", "quarantined", "excluded"}
    assert len(outcomes) == sum(legacy.manifest.row_counts.values())


def test_every_manifest_defect_gets_its_expected_outcome(
    legacy: Legacy, reference: dict[str, Any]
) -> None:
    defects = [d.to_dict() if hasattr(d, "to_dict") else vars(d) for d in legacy.manifest.defects]
    assert {(d["defect"]) for d in defects} == {f"D{i:02d}" for i in range(1, 29)}
    assert manifest_failures(reference["engine"], defects) == []


def test_clean_rows_round_trip_exactly(legacy: Legacy, reference: dict[str, Any]) -> None:
    """Persons and notes with no flag and no quarantine keep their text byte for byte."""
    flagged = flag_codes(reference["engine"])
    quarantined = quarantine_codes(reference["engine"])
    src = make_engine(legacy.url)
    with src.connect() as conn:
        contacts = conn.execute(
            sa.text('SELECT "ROW_ID", "FST_NAME", "LAST_NAME", "MID_NAME" FROM "S_CONTACT"')
        ).all()
        notes = conn.execute(sa.text('SELECT "ROW_ID", "COMMENTS_LONG" FROM "S_EVT_ACT"')).all()
    src.dispose()
    person = sa.table(
        "person",
        sa.column("legacy_row_id"),
        sa.column("given_name"),
        sa.column("family_name"),
        sa.column("middle_name"),
    )
    activity = sa.table("activity", sa.column("legacy_row_id"), sa.column("body"))
    with reference["engine"].connect() as conn:
        people = {r.legacy_row_id: r for r in conn.execute(sa.select(person))}
        bodies = {r.legacy_row_id: r.body for r in conn.execute(sa.select(activity))}
    clean = [
        c
        for c in contacts
        if ("S_CONTACT", c.ROW_ID) not in flagged and ("S_CONTACT", c.ROW_ID) not in quarantined
    ]
    assert len(clean) > PERSONS // 2
    non_latin = 0
    for c in clean:
        p = people[c.ROW_ID]
        assert (p.given_name, p.family_name, p.middle_name) == (
            c.FST_NAME,
            c.LAST_NAME,
            c.MID_NAME,
        ), c.ROW_ID
        non_latin += any(ord(ch) > 0x24F for ch in (c.FST_NAME or "") + (c.LAST_NAME or ""))
    assert non_latin > 0, "the sample should hold names in non-Latin scripts"
    clean_notes = [n for n in notes if ("S_EVT_ACT", n.ROW_ID) not in flagged]
    assert clean_notes
    for n in clean_notes:
        assert bodies[n.ROW_ID] == n.COMMENTS_LONG, n.ROW_ID


def test_a_second_run_changes_nothing(
    legacy: Legacy, reference: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "target.sqlite"
    shutil.copy(Path(reference["url"].removeprefix("sqlite:///")), target)
    engine = make_target_engine(f"sqlite:///{target}")
    before = dump_target(engine, drop_run_ids=False)
    migrate(legacy.url, f"sqlite:///{target}", legacy, reference["store"])
    assert dump_target(engine, drop_run_ids=False) == before
    runs = sa.table("migration_run", sa.column("status"))
    with engine.connect() as conn:
        assert sorted(conn.execute(sa.select(runs.c.status)).scalars()) == [
            "succeeded",
            "succeeded",
        ]


def _copy_legacy_into(legacy: Legacy, url: str) -> set[str]:
    """The reference legacy rows, copied into another engine through SQLAlchemy Core.

    PostgreSQL text cannot hold NUL: there the NUL characters are dropped, and
    the ROW_IDs of the rows that held one are returned (their outcome differs).
    """
    extract.create_legacy_schema(make_engine(url))
    src, dst = make_engine(legacy.url), make_engine(url)
    changed: set[str] = set()
    strip_nul = dst.dialect.name == "postgresql"
    with src.connect() as read, dst.begin() as write:
        for table in extract.legacy_metadata().sorted_tables:
            rows = [dict(r._mapping) for r in read.execute(sa.select(table))]
            for row in rows if strip_nul else ():
                for column, value in row.items():
                    if isinstance(value, str) and "\x00" in value:
                        row[column] = value.replace("\x00", "")
                        changed.add(row["ROW_ID"])
            if rows:
                write.execute(table.insert(), rows)
    src.dispose()
    dst.dispose()
    return changed


def _without(
    dump: dict[str, list[tuple[Any, ...]]], row_ids: set[str]
) -> dict[str, list[tuple[Any, ...]]]:
    """The dump less every row that names one of ``row_ids``."""
    return {t: [r for r in rows if not row_ids & set(r)] for t, rows in dump.items()}


@pytest.mark.parametrize(
    "source_kind",
    ["postgresql", "mariadb-pyodbc", "mariadb-odbc", "sqlite-odbc", "postgresql-odbc"],
)
def test_every_source_kind_gives_the_same_store(
    source_kind: str,
    legacy: Legacy,
    reference: dict[str, Any],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    changed: set[str] = set()
    if source_kind == "sqlite-odbc":
        driver = require_odbc_driver("sqlite")
        source = f"DRIVER={{{driver}}};Database={legacy.path}"
    elif source_kind == "postgresql":
        url = request.getfixturevalue("pg_url")
        changed = _copy_legacy_into(legacy, url)
        source = url
    elif source_kind == "postgresql-odbc":
        driver = require_odbc_driver("postgresql")
        url = request.getfixturevalue("pg_url")
        changed = _copy_legacy_into(legacy, url)
        db = sa.make_url(url).database
        source = f"DRIVER={{{driver}}};Server=127.0.0.1;Port=5432;Database={db};Uid=postgres;Pwd=;UseDeclareFetch=1"
    else:  # MariaDB keeps the NULs: the store must be the reference's exactly
        driver = require_odbc_driver("mariadb")
        url = request.getfixturevalue("mariadb_url")
        _copy_legacy_into(legacy, url)
        db = sa.make_url(url).database
        if source_kind == "mariadb-odbc":  # a plain ODBC connection string
            source = f"DRIVER={{{driver}}};Server=127.0.0.1;Port=3306;Database={db};Uid=root;Pwd="
        else:  # SQLAlchemy's mysql+pyodbc dialect over the same driver
            source = f"mysql+pyodbc://root@127.0.0.1:3306/{db}?driver={driver.replace(' ', '+')}&charset=utf8mb4"
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    migrate(source, target, legacy, tmp_path / "store", batch_size=53)
    got = dump_target(make_target_engine(target))
    assert _without(got, changed) == _without(reference["dump"], changed)
    if changed:  # the rows whose NUL was dropped are still loaded, now without a NUL_REMOVED flag
        assert all(
            ledger(make_target_engine(target))[("S_EVT_ACT", r)]["outcome"] == "loaded"
            for r in changed
        )


def test_postgresql_target_matches_the_sqlite_target(
    legacy: Legacy, reference: dict[str, Any], pg_url: str, tmp_path: Path
) -> None:
    migrate(legacy.url, pg_url, legacy, tmp_path / "store", batch_size=41)
    engine = make_target_engine(pg_url)
    assert dump_target(engine) == reference["dump"]
    engine.dispose()
