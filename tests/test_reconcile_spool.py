"""Discrepancies spooled to disk: every one kept in report order, rendered streaming, memory bounded.

Most tests need no database: synthetic discrepancies go through the engine's
own bookkeeping (:class:`RangeTally` per table, the spool for those of no
table). The 200k case is written once per module under tracemalloc; its tests
then read the files. One test runs the engine on a real (SQLite) store to see
it remove its spool when the reconciliation fails.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gc
import json
import os
import re
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd
import pytest
from reconcile_support import generate_legacy, migrate
from test_report_browser import browser  # noqa: F401  (a fixture)

import reconcile
import reconcile.engine
import synthetic as synthetic_data
from flows.engines import make_source, make_target_engine
from flows.reconcile_flow import expected_rows
from reconcile import (
    REPORT_FILES,
    Discrepancy,
    FieldDiff,
    ReconciliationResult,
    TableCounts,
    migration_run_of,
    reconcile_stores,
    render_csv,
    render_html,
    render_json,
    verify_report,
    write_report,
)
from reconcile.manifest import MANIFEST_NAME
from reconcile.range_report import RangeTally
from reconcile.render_html import HTML_ROWS_PER_GROUP, NO_LEGACY_TABLE
from reconcile.render_json import _indented, report_document
from reconcile.spool import DiscrepancySpool

pytestmark = pytest.mark.timeout(900)

MANY = 200_000
# Python memory (tracemalloc peak) allowed while spooling and writing MANY discrepancies.
# Measured: about 3 MB with the spool; the same discrepancies in a list take about 97 MB.
# tracemalloc does not see SQLite's own allocations: its page cache is capped by a
# PRAGMA (reconcile/spool.py, 2 MiB); the rest of the spool is on disk.
MEMORY_LIMIT = 20 * 1024 * 1024

TABLES = ("S_CONTACT", "S_CASE", "S_EVT_ACT", "S_ACTIVITY_ATT")  # the report's table order
EXTRAS = len(TABLES)  # the section of discrepancies of no reconciled table
NAMES = ("Céline Tremblay", "王小明", "Σωκράτης Παπαδόπουλος", "Анна Петрова")
NOTE = "Mother called about Jayden on 604-555-0199"
RAW_PII = ("Tremblay", "王小明", "Παπαδόπουλος", "Петрова", "2009-03-05", "9698658215", NOTE)
RUN_ID = "run-spool"
GENERATED_AT = dt.datetime(2025, 3, 14, 9, 26, 53, tzinfo=dt.UTC)


def _values(i: int) -> tuple[FieldDiff, ...]:
    values = [
        FieldDiff("family_name", NAMES[i % 4], NAMES[(i + 1) % 4], "name"),
        FieldDiff("birth_date", dt.date(2009, 3, 5), dt.date(2009, 5, 3), "date"),
    ]
    if i % 7 == 1:
        values += [
            FieldDiff("phn", "9698658215", "9698658216", "identifier"),
            FieldDiff("note", NOTE, None, "text"),
            FieldDiff("amount", Decimal("12.30"), Decimal("12.31")),
            FieldDiff("active", True, False),
            FieldDiff("updated_at", dt.datetime(2024, 1, 2, 3, 4, 5), dt.datetime(2024, 1, 2)),
            FieldDiff("middle_name", None, "NULL"),
            FieldDiff("sort_order", 3, 3.5),
        ]
    return tuple(values)


def synthetic(n: int) -> Iterator[Discrepancy]:
    """``n`` varied discrepancies, made one at a time; ``target_id`` holds the position in hex.

    Two small groups (about 200 each: under the page's cap), the rest in large ones.
    """
    for i in range(n):
        row_id, target_id = f"1-{i:07X}", f"{i:032x}"
        if i % 997 == 0:
            yield Discrepancy(
                "unexpected_in_target",
                None,
                None,
                target_table="person",
                target_id=target_id,
                detail="a person row whose lineage names no legacy table",
            )
        elif i % 1009 == 0:
            yield Discrepancy(
                "attachment_mismatch",
                "S_ACTIVITY_ATT",
                row_id,
                target_table="attachment",
                target_id=target_id,
                fields=("size_bytes",),
                detail="stored file size differs",
                values=(FieldDiff("size_bytes", 2048, i),),
            )
        else:
            kind = ("field_mismatch", "unaccounted", "missing_in_target", "changed_in_source")[
                i % 4
            ]
            table = TABLES[(i // 4) % 3]
            values = _values(i) if kind == "field_mismatch" else ()
            yield Discrepancy(
                kind,
                table,
                row_id,
                target_table="person",
                target_id=target_id,
                fields=[v.field for v in values],
                detail=f"{table} row {row_id}: {kind.replace('_', ' ')}",
                values=values,
            )


def section_of(legacy_table: str | None) -> int:
    return TABLES.index(legacy_table) if legacy_table in TABLES else EXTRAS


def spool_of(discrepancies: Iterator[Discrepancy]) -> DiscrepancySpool:
    """Spooled as the engine does: through each table's tally, the rest straight to the spool."""
    spool = DiscrepancySpool()
    tallies = {name: RangeTally(spool=spool, section=n) for n, name in enumerate(TABLES)}
    for d in discrepancies:
        tally = tallies.get(d.legacy_table or "")
        if tally is None:
            spool.add(d, EXTRAS)
        else:
            tally.add(d, d.kind)
    return spool


def report_order(discrepancies: Iterator[Discrepancy]) -> list[Discrepancy]:
    return sorted(discrepancies, key=lambda d: section_of(d.legacy_table))  # stable


def result_of(discrepancies: Any, **changes: Any) -> ReconciliationResult:
    counts = TableCounts(10, 10, 0, 0, 0, 0, 0, 0, 0)
    return ReconciliationResult(
        run_id=RUN_ID,
        generated_at=GENERATED_AT,
        tables={name: counts for name in TABLES},
        discrepancies=discrepancies,
        **changes,
    )


def spool_files() -> set[tuple[str, str]]:
    """(fd, target) of this process's open SQLite temporary files (spools among them)."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "etilqs_" in target:
            found.add((fd, target))
    return found


# --- the spool --------------------------------------------------------------------------


def test_the_spool_gives_back_every_discrepancy_in_report_order_every_time() -> None:
    expected = report_order(synthetic(5000))
    spool = spool_of(synthetic(5000))
    assert len(spool) == 5000
    first, second = list(spool), list(spool)
    assert first == expected and second == expected
    mismatch = next(d for d in first if len(d.values) > 2)
    assert [type(v.expected) for v in mismatch.values] == [
        type(v.expected) for v in _values(int(mismatch.target_id or "", 16))
    ]
    assert isinstance(mismatch.values[4].expected, Decimal)
    assert isinstance(mismatch.values[6].expected, dt.datetime)
    assert expected[-1] in spool and dataclasses.replace(expected[-1], detail="other") not in spool
    assert spool.kind_counts() == Counter(d.kind for d in expected)
    assert spool.group_counts() == Counter((d.kind, d.legacy_table) for d in expected)
    spool.close()


def test_a_group_head_is_the_first_of_the_group_in_report_order() -> None:
    spool = spool_of(synthetic(5000))
    result = result_of(spool)
    everything = report_order(synthetic(5000))
    for kind, table in [("field_mismatch", "S_CASE"), ("unexpected_in_target", None)]:
        group = [d for d in everything if d.kind == kind and d.legacy_table == table]
        assert list(result.group_head(kind, table, 7)) == group[:7]
        assert list(result.group_head(kind, table, len(group) + 5)) == group
        in_memory = result_of(everything)
        assert list(in_memory.group_head(kind, table, 7)) == group[:7]
    assert list(result.group_head("deleted_in_source", "S_CASE", 10)) == []
    spool.close()


@pytest.mark.parametrize("reveal", [False, True])
def test_a_spooled_result_renders_byte_for_byte_as_a_list_does(reveal: bool) -> None:
    changes: dict[str, Any] = {"pii_revealed": True, "requested_by": "steward"} if reveal else {}
    listed = result_of(report_order(synthetic(3000)), **changes)
    with result_of(spool_of(synthetic(3000)), **changes) as spooled:
        assert render_json(spooled) == render_json(listed)
        # ... which is json.dumps of the whole document, as the report was written before.
        whole = json.dumps(report_document(listed), ensure_ascii=False, indent=2) + "\n"
        assert render_json(spooled) == whole
        assert render_csv(spooled) == render_csv(listed)
        assert render_html(spooled) == render_html(listed)
        assert render_html(spooled, rows_per_group=5) == render_html(listed, rows_per_group=5)
    empty = result_of(DiscrepancySpool())
    assert render_json(empty) == render_json(result_of(()))
    assert json.loads(render_json(empty))["discrepancies"] == []


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -7,
        3.25,
        1e100,
        "",
        'quote " backslash \\ slash / tab \t newline \n nul \x00 bell \x07',
        "Céline 王小明 Σωκράτης Анна \u2028 \U0001f600",
        [],
        {},
        [[], {}, [1, [2, []]], {"a": {}}],
        {"kind": "field_mismatch", "fields": ["a", "b"], "values": [{"masked": False, "x": None}]},
        ("tuple", 1),
    ],
)
def test_the_item_encoder_lays_out_what_json_dumps_does(value: Any) -> None:
    document = {"report_version": 1, "discrepancies": [value, value]}
    expected = json.dumps(document, ensure_ascii=False, indent=2)
    items = ",".join(f"\n    {_indented(value, '    ')}" for _ in range(2))
    assert expected == '{\n  "report_version": 1,\n  "discrepancies": [' + items + "\n  ]\n}"


def test_closing_the_spool_frees_its_file_and_keeps_the_counts(tmp_path: Path) -> None:
    before = spool_files()
    small = spool_of(synthetic(100))
    assert spool_files() - before == set(), "a small spool stays in SQLite's page cache"
    spool = spool_of(synthetic(20_000))  # past the page cache: on disk
    opened = spool_files() - before
    assert opened, "the spool holds a file"
    for _, target in opened:
        # SQLite unlinked it at once: no name anywhere, so none in the report folder.
        assert target.endswith(" (deleted)") and not target.startswith(str(tmp_path))
    result = result_of(spool)
    write_report(result, tmp_path / "report")
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == sorted(
        [*REPORT_FILES, MANIFEST_NAME]
    )
    result.close()
    assert spool_files() - before == set()
    assert spool.closed and len(result.discrepancies) == 20_000
    assert result.kind_counts()["field_mismatch"] == spool.kind_counts()["field_mismatch"]
    assert result.status == "discrepancies"
    with pytest.raises(ValueError, match="closed"):
        next(iter(result.discrepancies))
    assert len(list(small)) == 100
    small.close()

    dropped = spool_of(synthetic(20_000))
    assert spool_files() - before
    del dropped
    gc.collect()
    assert spool_files() - before == set()


def test_a_failed_report_leaves_the_old_files_and_no_temporary_ones(tmp_path: Path) -> None:
    out = tmp_path / "report"
    write_report(result_of(report_order(synthetic(50))), out)
    old = {name: (out / name).read_bytes() for name in REPORT_FILES}

    class Broken(DiscrepancySpool):
        def __iter__(self) -> Iterator[Discrepancy]:
            yield from list(super().__iter__())[:10]
            raise OSError("disk gone")

    broken = Broken()
    for d in synthetic(50):
        broken.add(d)
    with pytest.raises(OSError, match="disk gone"):
        write_report(result_of(broken), out)
    assert {name: (out / name).read_bytes() for name in REPORT_FILES} == old
    assert sorted(p.name for p in out.iterdir()) == sorted([*REPORT_FILES, MANIFEST_NAME])
    assert verify_report(out) == []
    broken.close()


# --- 200k discrepancies -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ManyWritten:
    out: Path
    peak: int
    groups: Counter[tuple[str, str | None]]


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> ManyWritten:
    """MANY discrepancies spooled and written as a report, under tracemalloc."""
    with result_of(spool_of(synthetic(20))) as warm:  # imports, template compiled
        write_report(warm, tmp_path_factory.mktemp("warm"))
    out = tmp_path_factory.mktemp("many") / "report"
    before = spool_files()
    gc.collect()
    tracemalloc.start()
    try:
        with result_of(spool_of(synthetic(MANY))) as result:
            write_report(result, out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert spool_files() - before == set(), "the spool is gone once the result is closed"
    groups = Counter((d.kind, d.legacy_table) for d in synthetic(MANY))
    return ManyWritten(out=out, peak=peak, groups=groups)


def test_memory_stays_bounded_while_spooling_and_writing_many(many: ManyWritten) -> None:
    assert many.peak < MEMORY_LIMIT, f"peak {many.peak / 2**20:.1f} MiB"


def test_the_memory_limit_would_catch_the_discrepancies_held_in_a_list() -> None:
    gc.collect()
    tracemalloc.start()
    try:
        held = list(synthetic(MANY))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(held) == MANY
    assert peak > 2 * MEMORY_LIMIT, f"peak {peak / 2**20:.1f} MiB"


def _position(target_id: str) -> int:
    return int(target_id, 16)


def _assert_report_order(rows: list[tuple[str | None, str]]) -> None:
    keys = [(section_of(table), _position(target_id)) for table, target_id in rows]
    assert keys == sorted(keys)
    assert sorted(p for _, p in keys) == list(range(MANY))


def test_the_json_of_many_is_valid_and_holds_every_discrepancy(many: ManyWritten) -> None:
    text = (many.out / "reconciliation.json").read_text("utf-8")
    assert [raw for raw in RAW_PII if raw in text] == []
    document = json.loads(text)
    schema = json.loads(
        (Path(reconcile.__file__).parent / "reconciliation-report.schema.json").read_text("utf-8")
    )
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    assert [e.message for e in validator.iter_errors(document)] == []
    listed = document["discrepancies"]
    assert len(listed) == document["summary"]["discrepancies"] == MANY
    by_kind: Counter[str] = Counter()
    for (kind, _), n in many.groups.items():
        by_kind[kind] += n
    assert document["summary"]["discrepancies_by_kind"] == dict(by_kind)
    _assert_report_order([(d["legacy_table"], d["target_id"]) for d in listed])
    mismatch = next(d for d in listed if d["kind"] == "field_mismatch")
    assert mismatch["values"][0]["masked"] is True


def test_the_csv_of_many_has_every_row(many: ManyWritten) -> None:
    raw = (many.out / "discrepancies.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert [r for r in RAW_PII if r in text] == []
    rows = list(csv.DictReader(text.splitlines(keepends=True)))
    assert len(rows) == MANY
    _assert_report_order([(r["legacy_table"] or None, r["target_id"]) for r in rows])
    assert Counter((r["kind"], r["legacy_table"] or None) for r in rows) == many.groups


def test_the_page_of_many_lists_at_most_the_cap_per_group_and_says_how_many_more(
    many: ManyWritten,
) -> None:
    page = (many.out / "report.html").read_text("utf-8")
    assert [raw for raw in RAW_PII if raw in page] == []
    assert "C. T." in page  # masked, not left out
    listed = {key: min(n, HTML_ROWS_PER_GROUP) for key, n in many.groups.items()}
    assert page.count('<tr class="discrepancy"') == sum(listed.values())
    assert f'<span id="total-discrepancies">{MANY:,}</span>' in page
    note = re.search(r'<p id="listing-note">(.*?)</p>', page, re.S)
    assert note is not None
    assert f"{sum(listed.values()):,} of {MANY:,}" in note.group(1)
    assert "discrepancies.csv and reconciliation.json hold all" in note.group(1)
    groups = re.findall(
        r'<div class="group" data-kind="(\w+)" data-table="([^"]+)">\s*'
        r"<h4><code>[^<]*</code> \(([\d,]+)\)</h4>(.*?)</div>",
        page,
        re.S,
    )
    assert len(groups) == len(many.groups)
    for kind, table, heading, body in groups:
        key = (kind, None if table == NO_LEGACY_TABLE else table)
        total = many.groups[key]
        assert heading == f"{total:,}"  # the full count
        assert body.count('<tr class="discrepancy"') == listed[key]
        more = re.findall(r'<p class="more" data-more="(\d+)">([^<]*)</p>', body)
        if total > HTML_ROWS_PER_GROUP:
            ((n, line),) = more
            assert int(n) == total - HTML_ROWS_PER_GROUP
            assert f"{total - HTML_ROWS_PER_GROUP:,} more not listed here" in line
            assert f"discrepancies.csv and reconciliation.json hold all {total:,}" in line
        else:
            assert more == []
    assert {k for k, n in many.groups.items() if n <= HTML_ROWS_PER_GROUP} == {
        ("unexpected_in_target", None),
        ("attachment_mismatch", "S_ACTIVITY_ATT"),
    }


def test_the_report_folder_of_many_holds_only_the_sealed_report(many: ManyWritten) -> None:
    assert sorted(p.name for p in many.out.iterdir()) == sorted([*REPORT_FILES, MANIFEST_NAME])
    assert verify_report(many.out) == []


# --- the engine -------------------------------------------------------------------------


class FailingRules:
    """The migration's rules, failing on the third batch."""

    def __init__(self, rules: Any) -> None:
        self.rules = rules
        self.calls = 0

    def __call__(self, table: str, frame: pd.DataFrame) -> Any:
        self.calls += 1
        if self.calls == 3:
            raise RuntimeError("the rules broke")
        return self.rules(table, frame)


def test_the_engine_closes_its_spool_when_the_reconciliation_fails(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[DiscrepancySpool] = []

    class Noted(DiscrepancySpool):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    monkeypatch.setattr(reconcile.engine, "DiscrepancySpool", Noted)
    folder = tmp_path_factory.mktemp("engine")
    legacy, files = generate_legacy(folder / "legacy")
    store = migrate(legacy, files, f"sqlite:///{folder / 'target.sqlite'}", folder / "store")
    source, target = make_source(store.source_url), make_target_engine(store.target_url)
    try:
        with target.connect() as conn:
            run = migration_run_of(conn)
        rules = FailingRules(
            expected_rows(
                source, target, migration_run_id=run.id, as_of=synthetic_data.AS_OF, batch_size=20
            )
        )
        with pytest.raises(RuntimeError, match="the rules broke"):
            reconcile_stores(source, target, rules, batch_size=20)
        assert rules.calls == 3 and len(made) == 1 and made[0].closed

        with reconcile_stores(source, target, rules.rules, batch_size=20) as result:
            assert result.discrepancies is made[1] and not made[1].closed
            assert result.status == "clean"
        assert made[1].closed
    finally:
        source.close()
        target.dispose()


# --- the capped page in a browser ---------------------------------------------------------


def test_the_capped_page_in_a_browser_says_what_is_not_listed(
    browser: Any,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    big = HTML_ROWS_PER_GROUP + 234
    discrepancies = [
        Discrepancy("unaccounted", "S_CASE", f"1-{i:07X}", detail="no ledger outcome")
        for i in range(big)
    ] + [Discrepancy("missing_in_target", "S_CONTACT", "1-MISS", detail="no person row")]
    with result_of(spool_of(iter(discrepancies))) as result:
        browser.get(write_report(result, tmp_path).html.resolve().as_uri())
    listed = HTML_ROWS_PER_GROUP + 1

    def text(selector: str) -> str:
        return str(browser.find_element(By.CSS_SELECTOR, selector).text)

    assert text("#total-discrepancies") == f"{big + 1:,}"
    assert text("#filter-count") == f"{listed} of {listed} shown"
    assert f"{listed:,} of {big + 1:,}" in text("#listing-note")
    more = browser.find_element(By.CSS_SELECTOR, '.group[data-kind="unaccounted"] p.more')
    assert more.is_displayed()
    assert more.text.startswith("234 more not listed here")
    assert text('.group[data-kind="unaccounted"] h4') == f"S_CASE ({big:,})"
    Select(browser.find_element(By.ID, "filter-kind")).select_by_value("missing_in_target")
    assert text("#filter-count") == f"1 of {listed} shown"
    assert not more.is_displayed()
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
