"""The synthetic legacy ICM generator: consistent, clean where it says so, deterministic."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import itertools
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import ftfy
import pytest
import sqlalchemy as sa
from rich.console import Console
from stdnum.ca import bc_phn

import synthetic
from extract import LEGACY_TABLE_NAMES, legacy_spec, legacy_table, pick_lists
from flows.engines import make_engine
from flows.generate import run_generate
from synthetic import lov
from synthetic.generator import build_world, inject_defects
from synthetic.narrative import NoteSpec
from synthetic.timeline import fall_back_days

ROOT = Path(__file__).resolve().parents[1]
PHONE = re.compile(r"^\d{3}-555-\d{4}$")
POSTAL = re.compile(r"^[A-Z]\d[A-Z] \d[A-Z]\d$")
DIGIT_RUN = re.compile(r"\d{3,}")
PLACEHOLDERS = {"N/A", "UNKNOWN", ".", "XXX", "", "NFA"}
NOTE_COLUMNS = {
    ("S_EVT_ACT", "COMMENTS_LONG"),
    ("S_INCIDENT", "DESC_TEXT"),
    ("S_SRV_REQ", "DESC_TEXT"),
    ("S_CONTACT_X", "X_ALERT_TEXT"),
}
AS_OF_END = dt.datetime.combine(synthetic.AS_OF, dt.time(23, 59, 59))


@dataclass
class Snapshot:
    """Everything a generated database holds, read back from the engine."""

    rows: dict[str, list[dict[str, Any]]]
    manifest: synthetic.Manifest
    attachments: Path

    def __post_init__(self) -> None:
        self.by_id = {t: {r["ROW_ID"]: r for r in rows} for t, rows in self.rows.items()}
        self.defective = {(e.table, e.row_id) for e in self.manifest.defects}

    def clean(self, table: str) -> list[dict[str, Any]]:
        return [r for r in self.rows[table] if (table, r["ROW_ID"]) not in self.defective]

    def active_values(self, list_type: str) -> set[str]:
        return {
            r["VAL"]
            for r in self.rows["S_LST_OF_VAL"]
            if r["TYPE"] == list_type and r["ACTIVE_FLG"] == "Y"
        }


def read_tables(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: [
                    dict(r)
                    for r in conn.execute(
                        sa.select(legacy_table(name)).order_by(legacy_table(name).c.ROW_ID)
                    ).mappings()
                ]
                for name in LEGACY_TABLE_NAMES
            }
    finally:
        engine.dispose()


def generate_into(
    url: str, folder: Path, *, persons: int, seed: int, rate: float = 0.02
) -> Snapshot:
    engine = make_engine(url)
    try:
        manifest = synthetic.generate(
            engine, persons=persons, seed=seed, attachments_dir=folder, defect_rate=rate
        )
    finally:
        engine.dispose()
    return Snapshot(read_tables(url), manifest, folder)


def day(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# ---------------------------------------------------------------- checks on a snapshot


def check_row_counts(snap: Snapshot) -> None:
    assert list(snap.manifest.row_counts) == list(LEGACY_TABLE_NAMES)
    assert {t: len(rows) for t, rows in snap.rows.items()} == snap.manifest.row_counts
    base_persons = len(snap.rows["S_CONTACT"]) - sum(
        1
        for e in snap.manifest.defects
        if e.variant
        in ("duplicate_person", "shared_phn", "future_birth", "pivoted_year", "missing_family_name")
    )
    assert base_persons == snap.manifest.persons


def check_links(snap: Snapshot) -> None:
    """Clean link rows resolve exactly; unresolved links exist only where the manifest says."""
    expected = {
        (e.table, e.row_id)
        for e in snap.manifest.defects
        if e.variant
        in (
            "merge_repointed",
            "merge_unresolved",
            "orphan_case_participant",
            "orphan_contact_address",
            "orphan_incident_participant",
            "orphan_extension",
            "key_trailing_blank",
            "key_lower_case",
            "no_match_row_id",
        )
    }
    unresolved = set()
    for name, spec in legacy_spec().items():
        refs = dict(spec.refs)
        for row in snap.rows[name]:
            for column, target in refs.items():
                value = row[column]
                if value is not None and value not in snap.by_id[target]:
                    unresolved.add((name, row["ROW_ID"]))
    assert unresolved == expected
    users = snap.by_id["S_USER"]
    for name in LEGACY_TABLE_NAMES:
        for row in snap.clean(name):
            assert row["CREATED_BY"] in users and row["LAST_UPD_BY"] in users, (name, row["ROW_ID"])


def check_persons(snap: Snapshot) -> None:
    clean = snap.clean("S_CONTACT")
    phns = [r["X_PHN"] for r in clean if r["X_PHN"] is not None]
    assert phns and all(len(p) == 10 and p.isdigit() and bc_phn.is_valid(p) for p in phns)
    assert len(phns) == len(set(phns)), "a PHN shared by two clean persons"
    keys = Counter((str(r["LAST_NAME"]).casefold(), day(r["BIRTH_DT"])) for r in clean)
    assert max(keys.values()) == 1, "two clean persons share family name and birth date"
    for row in clean:
        birth = day(row["BIRTH_DT"])
        assert birth < synthetic.AS_OF and birth != dt.date(1900, 1, 1)
        assert row["ACTIVE_FLG"] == "Y"
        for column in ("FST_NAME", "MID_NAME", "LAST_NAME"):
            name = row[column]
            if column != "MID_NAME":
                assert name, (row["ROW_ID"], column)
            if name is None:
                continue
            assert name.strip() == name and name.upper() not in PLACEHOLDERS
            assert "?" not in name and "\x00" not in name and ftfy.fix_text(name) == name
            assert not name.startswith(("Baby ", "DO NOT USE")) and not any(
                ch.isdigit() for ch in name
            )
            assert unicodedata.is_normalized("NFC", name)
            assert all(unicodedata.category(ch) != "Cn" for ch in name)
        for column in ("CELL_PH_NUM", "HOME_PH_NUM"):
            assert row[column] is None or PHONE.match(row[column]), row[column]
        assert row["PR_PER_ADDR_ID"] is None or row["PR_PER_ADDR_ID"] in snap.by_id["S_ADDR_PER"]
    scripts = "".join(str(r["FST_NAME"]) + str(r["LAST_NAME"]) for r in snap.rows["S_CONTACT"])
    assert any(ord(ch) > 0x2FF for ch in scripts), (
        "no names beyond Latin-1 (Han, Gurmukhi, Indigenous letters)"
    )


def check_extensions(snap: Snapshot) -> None:
    clean = snap.clean("S_CONTACT_X")
    owners = Counter(r["PAR_ROW_ID"] for r in clean)
    assert max(owners.values()) == 1
    for row in clean:
        person = snap.by_id["S_CONTACT"][row["PAR_ROW_ID"]]
        assert row["ATTRIB_05"] is None or row["ATTRIB_05"] == day(person["BIRTH_DT"]).isoformat()
        assert row["ATTRIB_03"] is None or ";" not in row["ATTRIB_03"]


def check_addresses(snap: Snapshot) -> None:
    for row in snap.clean("S_ADDR_PER"):
        assert POSTAL.match(row["ZIPCODE"]) and row["STATE"] == "BC" and row["COUNTRY"] == "Canada"
        assert row["ADDR"] != "NFA" and row["X_NFA_FLG"] == "N"
    names = [r["ADDR_NAME"] for r in snap.rows["S_ADDR_PER"]]
    assert len(names) == len(set(names))
    shared = Counter(r["ADDR_PER_ID"] for r in snap.clean("S_CON_ADDR"))
    assert max(shared.values()) > 1, "no address shared by two persons"


def check_pick_lists_and_flags(snap: Snapshot) -> None:
    for key, list_type in pick_lists().items():
        table, column = key.split(".")
        allowed = snap.active_values(list_type)
        assert allowed, list_type
        bad = {
            r[column]
            for r in snap.clean(table)
            if r[column] is not None and r[column] not in allowed
        }
        assert not bad, (key, bad)
    headers = {r["NAME"] for r in snap.rows["S_LST_OF_VAL"] if r["TYPE"] == "LOV_TYPE"}
    assert headers == set(pick_lists().values())
    for name, spec in legacy_spec().items():
        for column in (c.name for c in spec.columns if c.logical_type == "flag"):
            bad = {r[column] for r in snap.clean(name)} - {"Y", "N"}
            assert not bad, (name, column, bad)


def check_system_columns(snap: Snapshot) -> None:
    for name in LEGACY_TABLE_NAMES:
        for row in snap.clean(name):
            assert row["CREATED"] <= row["LAST_UPD"] <= row["DB_LAST_UPD"] <= AS_OF_END, (
                name,
                row["ROW_ID"],
            )
            assert row["CONFLICT_ID"] == "0" and row["MODIFICATION_NUM"] >= 0
            assert re.fullmatch(r"(1-[0-9A-Z]{5}|1\+\d\+[0-9A-Z]{3,5}|0-1)", row["ROW_ID"]), row[
                "ROW_ID"
            ]
    eim = [r for r in snap.rows["S_CONTACT"] if r["ROW_ID"].startswith("1+")]
    assert eim and all(r["CREATED_BY"] == "0-1" for r in eim)


def check_text(snap: Snapshot) -> None:
    spec = legacy_spec()
    for table, column in NOTE_COLUMNS:
        limit = spec[table].column(column).length or 16_384
        values = [r[column] for r in snap.clean(table) if r[column] is not None]
        assert values
        for text in values:
            assert not DIGIT_RUN.search(text) and "\x00" not in text and len(text) < limit, (
                table,
                column,
            )
    lengths = [len(r["COMMENTS_LONG"]) for r in snap.clean("S_EVT_ACT") if r["TODO_CD"] != "Alert"]
    assert min(lengths) >= 200 and max(lengths) > 1500


def check_times(snap: Snapshot) -> None:
    for row in snap.clean("S_INCIDENT"):
        reported, screened = row["REPORTED_DT"], row["X_SCREEN_DT"]
        assert 8 <= reported.hour < 18 and 8 <= screened.hour < 18
        assert dt.timedelta(hours=1) <= screened - reported <= dt.timedelta(hours=48)
    for row in snap.clean("S_EVT_ACT"):
        assert dt.timedelta(0) <= row["CREATED"] - row["TODO_ACTL_START_DT"] <= dt.timedelta(days=3)
    for row in snap.clean("S_CASE"):
        if row["STATUS_CD"] == "Closed":
            assert row["CLOSED_DT"] is not None and row["CLOSED_DT"] > row["OPEN_DT"]
        elif row["STATUS_CD"] == "Open":
            assert row["CLOSED_DT"] is None


def check_placements(snap: Snapshot) -> None:
    by_child: dict[str, list[tuple[dt.date, dt.date | None]]] = {}
    for row in snap.clean("CX_PLACEMENT"):
        start = dt.date.fromisoformat(row["START_DT_TXT"])
        end = dt.date.fromisoformat(row["END_DT_TXT"]) if row["END_DT_TXT"] else None
        assert end is None or start < end
        assert start > day(snap.by_id["S_CONTACT"][row["CHILD_CON_ID"]]["BIRTH_DT"])
        by_child.setdefault(row["CHILD_CON_ID"], []).append((start, end))
    assert any(len(spans) > 1 for spans in by_child.values())
    for spans in by_child.values():
        spans.sort(key=lambda span: span[0])
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end is not None and end < start


def check_relationships(snap: Snapshot) -> None:
    pairs = Counter(
        frozenset((r["PARTY_ID"], r["REL_PARTY_ID"])) for r in snap.clean("S_PARTY_REL")
    )
    assert all(len(pair) == 2 for pair in pairs) and max(pairs.values()) == 1


def check_files(snap: Snapshot) -> None:
    files = {p.name: p.stat().st_size for p in snap.attachments.iterdir()}
    for row in snap.clean("S_ACTIVITY_ATT"):
        name = synthetic.saf_name(row["ROW_ID"], row["FILE_REV_NUM"])
        assert files.get(name) == int(row["FILE_SIZE"]) > 0, name


def check_manifest_is_anonymous(snap: Snapshot) -> None:
    text = snap.manifest.to_json()
    for row in snap.rows["S_CONTACT"]:
        for column in ("LAST_NAME", "FST_NAME", "X_PHN"):
            value = row[column]
            if value and len(value.strip()) >= 4 and value.strip().upper() not in PLACEHOLDERS:
                assert value not in text, column


def check_fidelity(snap: Snapshot, dialect: str) -> None:
    """What the engine gives back is exactly what was generated: Unicode, trailing blanks, NUL, times."""
    world = build_world(snap.manifest.seed, snap.manifest.persons)
    inject_defects(
        world, seed=snap.manifest.seed, defect_rate=snap.manifest.defect_rate, dialect=dialect
    )

    def normal(value: Any) -> Any:
        if isinstance(value, NoteSpec):
            return value.render()
        if isinstance(value, Decimal):
            return int(value)
        return value

    for name in LEGACY_TABLE_NAMES:
        expected = sorted(
            ([normal(v) for v in row.values()] for row in world.tables[name]), key=lambda r: r[0]
        )
        actual = sorted(
            ([normal(v) for v in row.values()] for row in snap.rows[name]), key=lambda r: r[0]
        )
        assert actual == expected, name


def test_generated_database_is_consistent(any_db_url: str, tmp_path: Path) -> None:
    snap = generate_into(any_db_url, tmp_path / "files", persons=90, seed=11)
    check_fidelity(snap, sa.make_url(any_db_url).get_dialect().name)
    check_row_counts(snap)
    check_links(snap)
    check_persons(snap)
    check_extensions(snap)
    check_addresses(snap)
    check_pick_lists_and_flags(snap)
    check_system_columns(snap)
    check_text(snap)
    check_times(snap)
    check_placements(snap)
    check_relationships(snap)
    check_files(snap)
    check_manifest_is_anonymous(snap)


def _first_clean(snap: Snapshot, table: str, test: Any = None) -> dict[str, Any]:
    return next(r for r in snap.clean(table) if test is None or test(r))


def _break_placements(snap: Snapshot) -> None:
    children = Counter(r["CHILD_CON_ID"] for r in snap.clean("CX_PLACEMENT"))
    child = next(c for c, n in children.items() if n > 1)
    first, second = sorted(
        (r for r in snap.clean("CX_PLACEMENT") if r["CHILD_CON_ID"] == child),
        key=lambda r: r["START_DT_TXT"],
    )[:2]
    second["START_DT_TXT"] = first["START_DT_TXT"]


BREAKERS: list[tuple[Any, Any]] = [
    (
        check_persons,
        lambda s: _first_clean(s, "S_CONTACT", lambda r: r["X_PHN"]).update(X_PHN="9698648215"),
    ),
    (check_persons, lambda s: _first_clean(s, "S_CONTACT").update(FST_NAME="Ren?e")),
    (check_links, lambda s: _first_clean(s, "CX_CASE_CON").update(CON_ID="1-ZZZZZ")),
    (
        check_text,
        lambda s: _first_clean(s, "S_EVT_ACT").update(COMMENTS_LONG="Call back at 250-555-0101."),
    ),
    (
        check_times,
        lambda s: _first_clean(s, "S_INCIDENT").update(
            X_SCREEN_DT=_first_clean(s, "S_INCIDENT")["REPORTED_DT"]
        ),
    ),
    (
        check_times,
        lambda s: _first_clean(s, "S_CASE", lambda r: r["STATUS_CD"] == "Open").update(
            CLOSED_DT=dt.datetime(2020, 1, 1)
        ),
    ),
    (check_placements, _break_placements),
    (check_files, lambda s: _first_clean(s, "S_ACTIVITY_ATT").update(FILE_SIZE=1)),
    (check_pick_lists_and_flags, lambda s: _first_clean(s, "S_CON_ADDR").update(ACTIVE_FLG="y")),
    (
        check_pick_lists_and_flags,
        lambda s: _first_clean(s, "CX_PLACEMENT").update(PLCMT_TYPE_CD="foster home"),
    ),
    (check_addresses, lambda s: _first_clean(s, "S_ADDR_PER").update(ZIPCODE="v8w1g1")),
    (check_extensions, lambda s: _first_clean(s, "S_CONTACT_X").update(ATTRIB_03="A;B")),
    (
        check_relationships,
        lambda s: _first_clean(s, "S_PARTY_REL").update(
            REL_PARTY_ID=_first_clean(s, "S_PARTY_REL")["PARTY_ID"]
        ),
    ),
    (
        check_system_columns,
        lambda s: _first_clean(s, "S_CASE").update(
            CREATED=dt.datetime(2026, 6, 30, 23, 59, 59), LAST_UPD=dt.datetime(2020, 1, 1)
        ),
    ),
]


def test_the_checks_catch_broken_rows(sqlite_url: str, tmp_path: Path) -> None:
    """Each check above fails on a snapshot with one clean row broken the way it guards against."""
    snap = generate_into(sqlite_url, tmp_path / "files", persons=60, seed=8)
    for check, breaker in BREAKERS:
        broken = Snapshot(copy.deepcopy(snap.rows), snap.manifest, snap.attachments)
        check(broken)
        breaker(broken)
        with pytest.raises(AssertionError):
            check(broken)


def _dump(rows: dict[str, list[dict[str, Any]]]) -> list[tuple[str, tuple[Any, ...]]]:
    return [
        (table, tuple(row.values())) for table, table_rows in rows.items() for row in table_rows
    ]


def test_same_seed_same_database_and_manifest(tmp_path: Path) -> None:
    runs = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        snap = generate_into(
            f"sqlite:///{tmp_path / name}.sqlite", tmp_path / f"files-{name}", persons=60, seed=seed
        )
        files = {p.name: p.read_bytes() for p in sorted((tmp_path / f"files-{name}").iterdir())}
        runs.append((_dump(snap.rows), snap.manifest.to_json(), files))
    assert runs[0] == runs[1]
    assert runs[0][0] != runs[2][0] and runs[0][1] != runs[2][1]


def _rendered(world: Any) -> dict[str, dict[str, dict[str, Any]]]:
    return {
        name: {
            row["ROW_ID"]: {k: v.render() if isinstance(v, NoteSpec) else v for k, v in row.items()}
            for row in rows
        }
        for name, rows in world.tables.items()
    }


def test_same_seed_same_rows_and_defects_on_every_engine() -> None:
    """PostgreSQL cannot store the NUL of the nul_byte notes: those notes stay clean there, and
    every other row and defect is the same as on the engines that can store it (the rows a
    defect is chosen from, and so the random stream, must not depend on the engine)."""
    made = {}
    for dialect in ("sqlite", "mariadb", "postgresql"):
        world = build_world(3, 300)
        injector = inject_defects(world, seed=3, defect_rate=0.02, dialect=dialect)
        made[dialect] = (_rendered(world), injector.entries)
    rows, entries = made["sqlite"]
    nul_rows = {e.row_id for e in entries if e.variant == "nul_byte"}
    assert nul_rows and all("\x00" in rows["S_EVT_ACT"][r]["COMMENTS_LONG"] for r in nul_rows)
    assert made["mariadb"] == made["sqlite"]
    pg_rows, pg_entries = made["postgresql"]
    assert pg_entries == [e for e in entries if e.variant != "nul_byte"]
    for row_id in nul_rows:
        note = rows["S_EVT_ACT"][row_id]
        note["COMMENTS_LONG"] = note["COMMENTS_LONG"].replace("\x00", "")
    assert pg_rows == rows


def test_refuses_bad_parameters_and_a_non_empty_target(sqlite_url: str, tmp_path: Path) -> None:
    engine = make_engine(sqlite_url)
    try:
        with pytest.raises(synthetic.GeneratorError):
            synthetic.generate(
                engine, persons=synthetic.MIN_PERSONS - 1, seed=1, attachments_dir=tmp_path / "a"
            )
        with pytest.raises(synthetic.GeneratorError):
            synthetic.generate(
                engine, persons=60, seed=1, attachments_dir=tmp_path / "a", defect_rate=0.5
            )
        synthetic.generate(engine, persons=50, seed=1, attachments_dir=tmp_path / "a")
        with pytest.raises(synthetic.GeneratorError, match="already has rows"):
            synthetic.generate(engine, persons=50, seed=1, attachments_dir=tmp_path / "b")
        with pytest.raises(synthetic.GeneratorError, match="SAF"):
            synthetic.generate(engine, persons=50, seed=1, attachments_dir=tmp_path / "a")
    finally:
        engine.dispose()


def test_run_generate_writes_the_manifest_and_a_summary(tmp_path: Path) -> None:
    console = Console(file=io.StringIO(), width=120)
    url = f"sqlite:///{tmp_path / 'new-folder' / 'legacy.sqlite'}"
    manifest = run_generate(
        url,
        persons=50,
        seed=3,
        attachments_dir=tmp_path / "att",
        manifest_path=tmp_path / "m.json",
        defect_rate=0.02,
        console=console,
    )
    assert synthetic.Manifest.read(tmp_path / "m.json") == manifest
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "S_CONTACT" in output and f"{manifest.row_counts['S_EVT_ACT']:,}" in output
    assert read_tables(url)["S_CASE"], "nothing written"


def test_crosswalk_and_lists_are_consistent() -> None:
    with (ROOT / "transform" / "data" / "crosswalk.csv").open(
        encoding="utf-8", newline=""
    ) as handle:
        rows = [tuple(r.values()) for r in csv.DictReader(handle)]
    assert rows == [tuple(r) for r in lov.crosswalk_rows()]
    for list_type, entries in lov.LISTS.items():
        folded = [v.strip().casefold() for _, v, _ in entries]
        assert len(folded) == len(set(folded)), list_type
        assert all(len(v) <= 30 and len(code) <= 30 for code, v, _ in entries)
    everything = {
        (t, v.strip().casefold()) for t, entries in lov.LISTS.items() for _, v, _ in entries
    }
    for (list_type, legacy), code in lov.RENAMED.items():
        assert (list_type, legacy.casefold()) not in everything
        assert code in {c for c, _, active in lov.LISTS[list_type] if active}
    for list_type, values in lov.UNKNOWN_VALUES.items():
        crosswalk = {legacy.casefold() for (t, legacy) in lov.RENAMED if t == list_type}
        assert all(
            (list_type, v.casefold()) not in everything and v.casefold() not in crosswalk
            for v in values
        )


def test_attachment_files_are_real_documents() -> None:
    from synthetic.files import file_bytes

    pdf, png, docx = (file_bytes(1, "1-ABCDE", ext, 5000) for ext in ("pdf", "png", "docx"))
    assert pdf.startswith(b"%PDF-1.4") and b"%%EOF" in pdf and len(pdf) == 5000
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) == 5000
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        assert archive.testzip() is None and "word/document.xml" in archive.namelist()
    assert file_bytes(1, "1-ABCDE", "pdf", 5000) == pdf != file_bytes(2, "1-ABCDE", "pdf", 5000)


def test_fall_back_days_are_ambiguous_in_vancouver() -> None:
    zone = ZoneInfo("America/Vancouver")
    for fall in fall_back_days(2012, 2025):
        moment = dt.datetime(fall.year, fall.month, fall.day, 1, 30)
        assert (
            moment.replace(tzinfo=zone, fold=0).utcoffset()
            != moment.replace(tzinfo=zone, fold=1).utcoffset()
        )
