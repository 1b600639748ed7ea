"""Migrating again after the source changed: the store ends as a fresh migration of the changed source.

Three changes whose effects reach rows that did not change themselves:

* a person other rows refer to turns quarantined (a birth date moved into the
  future). The person's batch cannot delete its target row while notes,
  participations and relationships still point at it; those are loaded later
  in the run, and quarantined too (their parent is). The row is left until
  every table is done, then swept. Rows quarantined already gain
  PARENT_QUARANTINED: their record is rewritten although their source and
  outcome are the same;
* the merge records are undone (no longer 'Delete (Merge Record)'): links to
  merged-away persons are no longer re-pointed, which changes the flags and
  quarantine reasons of rows whose own source did not change;
* a person quarantined in the first run is fixed: the rows quarantined with it
  (PARENT_QUARANTINED) are loaded again;
* a pick-list value is given another code: the persons coded with it keep their
  source, outcome and flags, and only a value (``sex_code``) changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
import sqlalchemy as sa
from e2e_support import dump_target, ledger, match_pairs, quarantine_codes, sqlite_legacy

import flows.pipeline
import load
import synthetic
import transform
from flows.engines import make_target_engine
from flows.pipeline import migrate_direct
from flows.reconcile_flow import reconcile_direct
from flows.source_deletions import PruneRefused
from load.matches import WITHDRAWN
from transform import target_id

BATCH = 23
_LEGACY_TABLES = transform.TABLE_LOAD_ORDER


def _migrate(
    legacy: str, files: Path, target: str, store: Path, *, prune_deleted: bool = False
) -> dict[str, dict[str, int]]:
    return migrate_direct(
        legacy,
        target,
        attachments_dir=files,
        attachment_store=store,
        batch_size=BATCH,
        as_of=synthetic.AS_OF,
        prune_deleted=prune_deleted,
    )


def _reconcile(legacy: str, files: Path, target: str, tmp_path: Path) -> Any:
    """Reconcile the store (attachments in ``tmp_path/store``) with the legacy database."""
    return reconcile_direct(
        source=legacy,
        target=target,
        out_dir=tmp_path / "report",
        attachments_dir=files,
        attachment_store=tmp_path / "store",
    ).result


def _most_noted_person(legacy: str, engine: sa.Engine) -> str:
    """The loaded S_CONTACT ROW_ID that the most activities are about."""
    with sqlite3.connect(sa.make_url(legacy).database or "") as conn:
        ranked = conn.execute(
            'SELECT "TARGET_PER_ID" FROM "S_EVT_ACT" WHERE "TARGET_PER_ID" IS NOT NULL '
            "GROUP BY 1 ORDER BY count(*) DESC, 1"
        ).fetchall()
    outcomes = ledger(engine)
    for (row_id,) in ranked:
        if outcomes.get(("S_CONTACT", row_id), {}).get("outcome") == "loaded":
            return str(row_id)
    raise AssertionError("no loaded person noted in activities")


def _execute(legacy: str, sql: str, params: tuple[Any, ...] = ()) -> int:
    """Run one statement on the legacy SQLite database; return the rows it changed."""
    with sqlite3.connect(sa.make_url(legacy).database or "") as conn:
        return conn.execute(sql, params).rowcount


def _undo_merges(legacy: str) -> int:
    return _execute(
        legacy,
        'UPDATE "S_AUDIT_ITEM" SET "OPERATION_CD" = \'Modify\' '
        "WHERE \"OPERATION_CD\" = 'Delete (Merge Record)'",
    )


def _set_birth(legacy: str, person: str, birth: str | None) -> str | None:
    """Set the person's BIRTH_DT; return the one it had."""
    with sqlite3.connect(sa.make_url(legacy).database or "") as conn:
        query = 'SELECT "BIRTH_DT" FROM "S_CONTACT" WHERE "ROW_ID" = ?'
        (before,) = conn.execute(query, (person,)).fetchone()
        conn.execute('UPDATE "S_CONTACT" SET "BIRTH_DT" = ? WHERE "ROW_ID" = ?', (birth, person))
    return None if before is None else str(before)


def _recode_female(legacy: str) -> int:
    """Give the pick-list value 'Female' the code FEM (it was F)."""
    return _execute(
        legacy,
        'UPDATE "S_LST_OF_VAL" SET "NAME" = \'FEM\' WHERE "TYPE" = \'SEX_MF\' AND "NAME" = \'F\'',
    )


def _last_list_header(legacy: str) -> tuple[str, str]:
    """(ROW_ID, NAME) of the pick-list header with the highest ROW_ID: in the table's last batch."""
    with sqlite3.connect(sa.make_url(legacy).database or "") as conn:
        query = (
            'SELECT "ROW_ID", "NAME" FROM "S_LST_OF_VAL" WHERE "TYPE" = \'LOV_TYPE\' '
            'ORDER BY "ROW_ID" DESC LIMIT 1'
        )
        row_id, name = conn.execute(query).fetchone()
    return str(row_id), str(name)


def _copy_list_header(legacy: str, row_id: str, new_row_id: str) -> int:
    """Copy the header ``row_id`` under ``new_row_id``, as a reload of the list leaves it."""
    with sqlite3.connect(sa.make_url(legacy).database or "") as conn:
        columns = [c[1] for c in conn.execute('PRAGMA table_info("S_LST_OF_VAL")')]
        values = ", ".join("?" if c == "ROW_ID" else f'"{c}"' for c in columns)
        return conn.execute(
            f'INSERT INTO "S_LST_OF_VAL" SELECT {values} FROM "S_LST_OF_VAL" WHERE "ROW_ID" = ?',
            (new_row_id, row_id),
        ).rowcount


def _code_sets(engine: sa.Engine) -> dict[str, str]:
    """Code set -> the ROW_ID of the header it was made of."""
    code_set = load.target_table("code_set")
    with engine.connect() as conn:
        rows = conn.execute(sa.select(code_set.c.code_set, code_set.c.legacy_row_id))
        return {str(name): str(row_id) for name, row_id in rows}


def _sex_codes(engine: sa.Engine) -> dict[str | None, int]:
    person = load.target_table("person")
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(person.c.sex_code, sa.func.count()).group_by(person.c.sex_code)
        )
        return {code: int(n) for code, n in rows}


def _merge_away(legacy: str, engine: sa.Engine, *, decided: bool = False) -> tuple[str, str]:
    """Merge a probable duplicate as ICM does: of a pair the first run proposed, the person with
    the most notes goes into the other. Its row goes, an audit record says where it went, and
    the links to it stay (merge residue). Returns (the person, the survivor)."""
    candidate = load.target_table("person_match_candidate")
    with engine.connect() as conn:
        pairs = conn.execute(sa.select(candidate.c.person_a_row_id, candidate.c.person_b_row_id))
        members = {a: b for a, b in pairs} | {b: a for a, b in pairs}
    with sqlite3.connect(sa.make_url(legacy).database or "") as conn:
        notes = dict(
            conn.execute('SELECT "TARGET_PER_ID", count(*) FROM "S_EVT_ACT" GROUP BY 1').fetchall()
        )
    person = max(sorted(members), key=lambda p: notes.get(p, 0))
    survivor = members[person]
    assert notes.get(person, 0) >= 2
    if decided:  # a steward decided the pair first, and ICM acted on it
        load.decide_matches(
            engine, [(person, survivor)], "same_person", decided_by="a.steward", note="compared"
        )
    _execute(legacy, 'DELETE FROM "S_CONTACT" WHERE "ROW_ID" = ?', (person,))
    _execute(
        legacy,
        'INSERT INTO "S_AUDIT_ITEM" ("ROW_ID", "CREATED", "CREATED_BY", "LAST_UPD", '
        '"LAST_UPD_BY", "MODIFICATION_NUM", "CONFLICT_ID", "BUSCOMP_NAME", "TBL_NAME", '
        '"RECORD_ID", "NEW_VAL", "OPERATION_CD", "USER_ID", "OPERATION_DT") VALUES '
        "('9-MERGE1', '2026-10-01 09:00:00', '0-1', '2026-10-01 09:00:00', '0-1', 0, '0', "
        "'Contact', 'S_CONTACT', ?, ?, 'Delete (Merge Record)', '0-1', '2026-10-01 09:00:00')",
        (person, survivor),
    )
    return person, survivor


def withdrawn_pairs(engine: sa.Engine) -> dict[tuple[str, str], str]:
    """Pair -> the decision it had when a run withdrew it (the review history)."""
    review = load.target_table("match_review")
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                review.c.person_a_row_id, review.c.person_b_row_id, review.c.previous_decision
            ).where(review.c.decision == WITHDRAWN)
        )
        return {(a, b): previous for a, b, previous in rows}


def _attachment_digests(engine: sa.Engine) -> dict[str, str | None]:
    attachment = load.target_table("attachment")
    with engine.connect() as conn:
        rows = conn.execute(sa.select(attachment.c.legacy_row_id, attachment.c.sha256))
        return {str(row_id): sha for row_id, sha in rows}


def _notes_about(engine: sa.Engine, person: str) -> int:
    activity = load.target_table("activity")
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(activity)
                .where(activity.c.about_person_id == target_id("S_CONTACT", person))
            ).scalar_one()
        )


def _born_in_the_future(legacy: str, person: str) -> str | None:
    return _set_birth(legacy, person, "2030-01-01 00:00:00")


@pytest.fixture
def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'target.sqlite'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.mark.parametrize(
    "change",
    [
        "person quarantined",
        "merges undone",
        "person fixed",
        "pick-list value recoded",
        "person merged away",
        "person merged away after a steward decided the pair",
        "attachment file replaced",
        "pick list renamed",
        "pick list header copied under a lower key",
    ],
)
@pytest.mark.parametrize("target_url", ["sqlite", "postgresql"], indirect=True)
def test_a_rerun_after_the_source_changed_equals_a_fresh_migration(
    target_url: str, change: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    legacy, files = sqlite_legacy(tmp_path, persons=90, seed=4)
    engine = make_target_engine(target_url)
    if change == "person fixed":  # quarantined in the first run, with the rows about it
        scratch = f"sqlite:///{tmp_path / 'scratch.sqlite'}"
        _migrate(legacy, files, scratch, tmp_path / "scratch-store")
        person = _most_noted_person(legacy, make_target_engine(scratch))
        birth = _born_in_the_future(legacy, person)
    _migrate(legacy, files, target_url, tmp_path / "store")
    before = quarantine_codes(engine)
    if change == "person quarantined":
        person = _most_noted_person(legacy, engine)
        _born_in_the_future(legacy, person)
    elif change == "person fixed":
        assert "DOB_IN_FUTURE" in before[("S_CONTACT", person)]
        _set_birth(legacy, person, birth)
    elif change == "pick-list value recoded":
        assert _recode_female(legacy) == 1
        females = _sex_codes(engine)["F"]
    elif change == "attachment file replaced":  # its S_ACTIVITY_ATT row is the same
        replaced = sorted(files.glob("*.SAF"))[0]
        replaced.write_bytes(b"another scan of the same letter")
        digests = _attachment_digests(engine)
    elif change == "pick list renamed":  # its code set is keyed by its name
        header, name = _last_list_header(legacy)
        assert (
            _execute(
                legacy,
                'UPDATE "S_LST_OF_VAL" SET "NAME" = ? WHERE "ROW_ID" = ?',
                ("RENAMED", header),
            )
            == 1
        )
    elif change == "pick list header copied under a lower key":  # the copy now holds the list
        header, name = _last_list_header(legacy)
        assert _copy_list_header(legacy, header, " " + header) == 1
    elif change.startswith("person merged away"):
        decided = change.endswith("decided the pair")
        person, survivor = _merge_away(legacy, engine, decided=decided)
        notes = _notes_about(engine, person) + _notes_about(engine, survivor)
    else:
        assert _undo_merges(legacy) >= 1

    _migrate(legacy, files, target_url, tmp_path / "store")

    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    _migrate(legacy, files, fresh, tmp_path / "fresh-store")
    assert dump_target(engine) == dump_target(make_target_engine(fresh))
    codes = quarantine_codes(engine)
    if change == "person fixed":  # the rows about the person are loaded again
        assert ("S_CONTACT", person) not in codes
        children = sum("PARENT_QUARANTINED" in c for c in before.values())
        assert sum("PARENT_QUARANTINED" in c for c in codes.values()) <= children - 2
    elif change == "pick-list value recoded":  # the persons' own rows did not change
        assert codes == before
        assert "F" not in _sex_codes(engine)
        assert _sex_codes(engine)["FEM"] == females
    elif change == "attachment file replaced":
        changed = {k for k, v in _attachment_digests(engine).items() if digests[k] != v}
        assert changed == {replaced.name.split("_")[0]}
    elif change == "pick list renamed":
        assert _code_sets(engine)["RENAMED"] == header and name not in _code_sets(engine)
    elif change == "pick list header copied under a lower key":
        assert _code_sets(engine)[name] == " " + header
        assert codes[("S_LST_OF_VAL", header)] == {"DUPLICATE_CODE_SET"}
    elif change.startswith("person merged away"):  # gone, its notes now about the survivor
        assert ("S_CONTACT", person) not in ledger(engine)
        assert _notes_about(engine, person) == 0 and _notes_about(engine, survivor) == notes
        assert match_pairs(engine) == match_pairs(make_target_engine(fresh))  # the pair went too
        withdrawn = withdrawn_pairs(engine)
        if decided:  # the decision is kept in the history, and the run says so
            assert withdrawn[load.ordered_pair(person, survivor)] == "same_person"
            assert "1 duplicate pairs a steward had decided are no longer proposed" in caplog.text
        else:
            assert withdrawn == {}
    else:  # rows whose own source did not change, quarantined both times, other reasons now
        assert any(
            codes[k] != before[k] for k in codes.keys() & before.keys() if k[0] != "S_CONTACT"
        )
    if change == "person quarantined":
        assert "DOB_IN_FUTURE" in codes[("S_CONTACT", person)]
        notes = [k for k, c in codes.items() if "PARENT_QUARANTINED" in c and k[0] == "S_EVT_ACT"]
        assert len(notes) >= 2  # the notes about the person followed it
    assert _reconcile(legacy, files, target_url, tmp_path).status == "clean"
    engine.dispose()


@pytest.mark.parametrize("target_url", ["sqlite", "postgresql"], indirect=True)
def test_a_pick_list_header_under_a_new_key_takes_its_code_set_over(
    target_url: str, tmp_path: Path
) -> None:
    """A reload gave a list's header a new ROW_ID: the old one is gone from the source, with no
    trail. The code set is one per list, keyed by its name: the header in the source now holds
    it, and reconcile reports the old header as gone, and as no longer in the store."""
    legacy, files = sqlite_legacy(tmp_path, persons=90, seed=4)
    engine = make_target_engine(target_url)
    _migrate(legacy, files, target_url, tmp_path / "store")
    header, name = _last_list_header(legacy)
    new_key = "0-RELOADED"
    assert (
        _execute(
            legacy, 'UPDATE "S_LST_OF_VAL" SET "ROW_ID" = ? WHERE "ROW_ID" = ?', (new_key, header)
        )
        == 1
    )

    _migrate(legacy, files, target_url, tmp_path / "store")
    assert _code_sets(engine)[name] == new_key
    assert ledger(engine)[("S_LST_OF_VAL", header)]["outcome"] == "loaded"  # kept, as any row gone
    result = _reconcile(legacy, files, target_url, tmp_path)
    found = sorted((d.kind, d.legacy_table, d.legacy_row_id) for d in result.discrepancies)
    assert found == [
        ("deleted_in_source", "S_LST_OF_VAL", header),
        ("missing_in_target", "S_LST_OF_VAL", header),
    ]
    engine.dispose()


def test_a_row_still_referred_to_at_the_end_stops_the_run_naming_it(tmp_path: Path) -> None:
    """A link the rules do not rewrite (here edited in the store) keeps the person referred to:
    the run fails naming the person's row, and the store keeps the person."""
    legacy, files = sqlite_legacy(tmp_path, persons=90, seed=4)
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    _migrate(legacy, files, target, tmp_path / "store")
    engine = make_target_engine(target)
    person = _most_noted_person(legacy, engine)
    activity = load.target_table("activity")
    with engine.begin() as conn:
        other: Any = conn.execute(
            sa.select(activity.c.id)
            .where(activity.c.about_person_id != target_id("S_CONTACT", person))
            .limit(1)
        ).scalar_one()
        conn.execute(
            sa.update(activity)
            .where(activity.c.id == other)
            .values(about_person_id=target_id("S_CONTACT", person))
        )

    _born_in_the_future(legacy, person)
    with pytest.raises(load.TerminalLoadError) as caught:
        _migrate(legacy, files, target, tmp_path / "store")
    assert (caught.value.table, caught.value.legacy_row_id) == ("person", person)
    assert "still refer to them" in str(caught.value)
    person_table = load.target_table("person")
    with engine.connect() as conn:
        kept = conn.execute(
            sa.select(sa.func.count())
            .select_from(person_table)
            .where(person_table.c.id == target_id("S_CONTACT", person))
        ).scalar_one()
    assert kept == 1
    engine.dispose()


def test_a_row_deleted_from_the_source_without_a_trail_is_kept_and_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """No audit record explains it (an outage, a partial copy): deleting it from the new store
    could lose the only copy. The run keeps it and warns; reconcile reports it."""
    legacy, files = sqlite_legacy(tmp_path, persons=90, seed=4)
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    _migrate(legacy, files, target, tmp_path / "store")
    engine = make_target_engine(target)
    with sqlite3.connect(sa.make_url(legacy).database or "") as conn:
        (note,) = conn.execute('SELECT min("ROW_ID") FROM "S_EVT_ACT"').fetchone()
    assert _execute(legacy, 'DELETE FROM "S_EVT_ACT" WHERE "ROW_ID" = ?', (note,)) == 1
    before = dump_target(engine)

    with caplog.at_level("WARNING", logger="icm.migrate"):
        _migrate(legacy, files, target, tmp_path / "store")
    assert dump_target(engine) == before
    warnings = [r.getMessage() for r in caplog.records if "gone from the source" in r.getMessage()]
    assert warnings == [
        "S_EVT_ACT: 1 legacy row(s) in the store are gone from the source; kept "
        "(reconcile reports them as deleted_in_source; migrate --prune-deleted removes them)"
    ]
    result = _reconcile(legacy, files, target, tmp_path)
    found = [(d.kind, d.legacy_table, d.legacy_row_id) for d in result.discrepancies]
    assert found == [("deleted_in_source", "S_EVT_ACT", note)]
    engine.dispose()


def _delete_rows_everywhere(legacy: str, engine: sa.Engine) -> dict[str, list[str]]:
    """Delete from the legacy database, in every table, the first loaded row; the person the
    most activities are about (the rows about it stay); and an S_CONTACT_X row that set its
    person's safety alert: rows other rows refer to, rows completing others, leaves."""
    person = _most_noted_person(legacy, engine)
    outcomes = ledger(engine)
    gone: dict[str, list[str]] = {"S_CONTACT": [person]}
    with engine.connect() as conn:  # an extension row that set its person's alert columns
        alerts = load.target_table("person").c
        extension = conn.execute(
            sa.select(sa.func.min(alerts.extension_row_id)).where(
                alerts.has_safety_alert.is_(True), alerts.legacy_row_id != person
            )
        ).scalar_one()
    assert extension is not None
    gone["S_CONTACT_X"] = [extension]
    with sqlite3.connect(sa.make_url(legacy).database or "") as conn:
        for table in _LEGACY_TABLES:
            keys = [k for (k,) in conn.execute(f'SELECT "ROW_ID" FROM "{table}" ORDER BY 1')]
            first = next(k for k in keys if outcomes[(table, k)]["outcome"] == "loaded")
            gone.setdefault(table, []).append(first)
        for table, row_ids in gone.items():
            conn.executemany(f'DELETE FROM "{table}" WHERE "ROW_ID" = ?', [(k,) for k in row_ids])
    return gone


@pytest.mark.parametrize("target_url", ["sqlite", "postgresql"], indirect=True)
def test_with_prune_deleted_rows_gone_from_the_source_leave_the_store(
    target_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The store ends as a fresh migration of the source, whatever table the rows went from,
    and reconcile finds nothing: the rows gone, the rows about them rewritten (orphaned now),
    the columns an S_CONTACT_X row gone had set on its person cleared."""
    legacy, files = sqlite_legacy(tmp_path, persons=90, seed=4)
    engine = make_target_engine(target_url)
    _migrate(legacy, files, target_url, tmp_path / "store")
    gone = _delete_rows_everywhere(legacy, engine)

    with caplog.at_level("INFO", logger="icm.migrate"):
        _migrate(legacy, files, target_url, tmp_path / "store", prune_deleted=True)
    outcomes = ledger(engine)
    assert not any((table, k) in outcomes for table, keys in gone.items() for k in keys)
    pruned = [r.getMessage() for r in caplog.records if "(prune_deleted)" in r.getMessage()]
    assert len(pruned) == len(_LEGACY_TABLES), pruned
    assert not [r for r in caplog.records if r.levelname == "WARNING" and "kept" in r.getMessage()]

    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    _migrate(legacy, files, fresh, tmp_path / "fresh-store")
    assert dump_target(engine) == dump_target(make_target_engine(fresh))
    result = _reconcile(legacy, files, target_url, tmp_path)
    assert result.status == "clean", [(d.kind, d.legacy_table) for d in result.discrepancies]
    engine.dispose()


def test_a_prune_that_would_delete_most_of_a_table_stops_the_run_deleting_nothing(
    tmp_path: Path,
) -> None:
    """A source that lost more than half of a table is likelier a broken copy than a cleanup."""
    legacy, files = sqlite_legacy(tmp_path, persons=90, seed=4)
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    _migrate(legacy, files, target, tmp_path / "store")
    engine = make_target_engine(target)
    notes_before = {k: v for k, v in ledger(engine).items() if k[0] == "S_EVT_ACT"}
    with sqlite3.connect(sa.make_url(legacy).database or "") as conn:
        (count,) = conn.execute('SELECT count(*) FROM "S_EVT_ACT"').fetchone()
        conn.execute(
            'DELETE FROM "S_EVT_ACT" WHERE "ROW_ID" IN '
            '(SELECT "ROW_ID" FROM "S_EVT_ACT" ORDER BY 1 LIMIT ?)',
            (count // 2 + 1,),
        )

    for _ in range(2):  # resumed, the run still prunes, and still refuses
        with pytest.raises(PruneRefused) as refused:
            _migrate(legacy, files, target, tmp_path / "store", prune_deleted=True)
        assert f"{count // 2 + 1:,} of the {count:,} rows the store holds of S_EVT_ACT" in str(
            refused.value
        )
        assert "a retry will not help" in str(refused.value)
        notes = {k: v for k, v in ledger(engine).items() if k[0] == "S_EVT_ACT"}
        assert notes.keys() == notes_before.keys()
    engine.dispose()


class Crash(Exception):
    """Stands for the process dying at that moment."""


@contextmanager
def _crash_when_settling(table: str) -> Iterator[None]:
    """The run dies once every batch of ``table`` is written, before the rows gone from the
    source are settled for it."""
    settle = flows.pipeline.settle_rows_gone_from_source

    def crashing(*args: Any, **kwargs: Any) -> int:
        if args[2] == table:
            raise Crash
        return settle(*args, **kwargs)

    with patch.object(flows.pipeline, "settle_rows_gone_from_source", crashing):
        yield


def test_a_resumed_run_prunes_as_it_started_whatever_it_is_told(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The option belongs to the run (migration_run.prune_deleted): a crash after some tables
    were pruned, then a resume without the option, still ends as a fresh migration."""
    legacy, files = sqlite_legacy(tmp_path, persons=90, seed=4)
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    _migrate(legacy, files, target, tmp_path / "store")
    engine = make_target_engine(target)
    _delete_rows_everywhere(legacy, engine)

    with _crash_when_settling("S_EVT_ACT"), pytest.raises(Crash):
        _migrate(legacy, files, target, tmp_path / "store", prune_deleted=True)
    with caplog.at_level("WARNING", logger="icm.migrate"):
        _migrate(legacy, files, target, tmp_path / "store")  # without the option
    assert any("started with pruning" in r.getMessage() for r in caplog.records)

    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    _migrate(legacy, files, fresh, tmp_path / "fresh-store")
    assert dump_target(engine) == dump_target(make_target_engine(fresh))
    engine.dispose()


def test_a_crash_before_the_merged_away_person_is_forgotten_resumes_right(
    tmp_path: Path,
) -> None:
    """S_CONTACT is complete, the person not yet forgotten: the resumed run, finding the table
    complete, forgets it before the tables whose links resolve against the ledger."""
    legacy, files = sqlite_legacy(tmp_path, persons=90, seed=4)
    target = f"sqlite:///{tmp_path / 'target.sqlite'}"
    _migrate(legacy, files, target, tmp_path / "store")
    engine = make_target_engine(target)
    person, _ = _merge_away(legacy, engine)

    with _crash_when_settling("S_CONTACT"), pytest.raises(Crash):
        _migrate(legacy, files, target, tmp_path / "store")
    assert load.read_checkpoint(engine, "S_CONTACT").completed  # type: ignore[union-attr]
    assert ("S_CONTACT", person) in ledger(engine)
    _migrate(legacy, files, target, tmp_path / "store")

    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    _migrate(legacy, files, fresh, tmp_path / "fresh-store")
    assert dump_target(engine) == dump_target(make_target_engine(fresh))
    engine.dispose()


@pytest.mark.parametrize("target_url", ["sqlite", "postgresql"], indirect=True)
def test_a_decided_pair_whose_person_vanished_stays_until_a_prune(
    target_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A person gone from the source with no merge record is kept, as every such row is (a
    broken replica must not cost anything); so is the steward's decision on their pair.
    Reconcile reports both; a pruning run lets both go, the decision kept in the history."""
    legacy, files = sqlite_legacy(tmp_path, persons=90, seed=4)
    engine = make_target_engine(target_url)
    _migrate(legacy, files, target_url, tmp_path / "store")
    pair = min(tuple(sorted(p)) for p in match_pairs(engine))
    load.decide_matches(engine, [pair], "different", decided_by="a.steward", note="compared")
    person = pair[0]
    assert _execute(legacy, 'DELETE FROM "S_CONTACT" WHERE "ROW_ID" = ?', (person,)) == 1

    _migrate(legacy, files, target_url, tmp_path / "store")
    assert frozenset(pair) in match_pairs(engine) and withdrawn_pairs(engine) == {}
    assert "1 duplicate pairs a steward had decided are no longer proposed but kept" in caplog.text
    result = _reconcile(legacy, files, target_url, tmp_path)
    found = {
        (d.kind, d.legacy_table, d.legacy_row_id, d.target_table) for d in result.discrepancies
    }
    assert ("deleted_in_source", "S_CONTACT", person, "person") in found
    assert ("unexpected_in_target", "S_CONTACT", pair[0], "person_match_candidate") in found

    _migrate(legacy, files, target_url, tmp_path / "store", prune_deleted=True)
    assert frozenset(pair) not in match_pairs(engine)
    assert withdrawn_pairs(engine) == {pair: "different"}
    after = _reconcile(legacy, files, target_url, tmp_path)
    assert after.status == "clean", [
        (d.kind, d.legacy_table, d.target_table, d.detail) for d in after.discrepancies
    ][:8]
    engine.dispose()
