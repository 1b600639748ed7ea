"""What a columnar reconcile would cost per row: S_EVT_ACT against icm.activity, measured.

    .venv/bin/python bench/columnar_probe.py LEGACY_URL TARGET_URL [--batch 5000]

A probe, not a part of the service: bench/reconcile.py runs it on its own data
to tell whether a columnar redesign of the reconcile could meet the speed
target. For the largest legacy table it does, in keyset batches, what the
reconcile does, but over whole columns: reads both sides into Arrow (ADBC),
recomputes the source hashes from a vectorised canonical form, applies the
activity rules (``transform.tables.activities``) to whole columns, raises the
same data-quality flags, and compares every column and flag with the store.
Free text that is not plain ASCII, and notes that may hold a PHN or phone
number, go through the rules' own per-value functions. Rows the column rules
cannot decide (a note at the 16 KB cap, an activity ending before it starts, a
code not an active list value, a link to a parent not loaded, a Y/N flag
written otherwise) are counted as per-row fallbacks and not compared: the
service would hand them to today's per-row check. Left out, as cheap or rare:
the ledger's target_table and target_id, and quarantined rows' records.

Only PostgreSQL to PostgreSQL (``pip install -e '.[bench]'`` for polars,
pyarrow and the ADBC driver). It prints one JSON line: the time per step, the
rows, the fallbacks, and every difference found (a clean migration gives
none; bench/reconcile.py then tampers with the store and checks the probe
finds each change, so its figures are those of a check that works).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import adbc_driver_postgresql.dbapi as adbc
import polars as pl
import psycopg
import pyarrow as pa
import sqlalchemy as sa

import extract
from extract.key_order import PG_DEFAULT_COLLATION_SQL, postgres_key_is_bytewise
from extract.legacy_schema import legacy_spec
from flows.reference_data import load_code_entries
from load.target_schema import target_table
from transform import TARGET_TABLES_OF
from transform.contract import LINKS as LINK_COLUMNS
from transform.contract import PICK_LISTS, link_of
from transform.identity import target_id
from transform.row import as_text
from transform.tables.activities import COMMENTS_CAP, LATE_ENTRY_DAYS
from transform.text import find_pii, repair_text_all

TABLE = "S_EVT_ACT"
CODES = {
    "TODO_CD": "activity_type_code",
    "EVT_STAT_CD": "status_code",
    "X_ASSESS_DECISION_CD": "assessment_decision_code",
    "X_RISK_LEVEL_CD": "risk_level_code",
}
LINK_TARGETS = {
    "TARGET_PER_ID": "about_person_id",
    "SRA_SR_ID": "service_request_id",
    "X_CASE_ID": "case_id",
    "X_INCIDENT_ID": "intake_report_id",
}
LINKS = {column: (link_of(TABLE, column).parent, name) for column, name in LINK_TARGETS.items()}
"""Link column -> (parent legacy table, from the contract; activity column)."""
TEXTS = ("NAME", "COMMENTS_LONG")
FLAG_KEY = ["legacy_row_id", "code", "field", "original_value", "normalised_value"]
FLAG_SCHEMA = dict.fromkeys(FLAG_KEY, pl.String)


def _libpq_url(url: str) -> str:
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _fetch(cursor: Any, sql: str, params: Sequence[Any] | None = None) -> pl.DataFrame:
    """A query's rows as a polars frame (extension types, uuid and numeric, as their storage)."""
    cursor.execute(sql, parameters=params)
    table = cursor.fetch_arrow_table()
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        storage = getattr(field.type, "storage_type", None)
        if storage is not None:
            column = pa.chunked_array([chunk.storage for chunk in column.chunks], type=storage)
        columns.append(column)
    frame = pl.from_arrow(pa.table(columns, names=table.column_names))
    assert isinstance(frame, pl.DataFrame)
    return frame


def _require_byte_order(cursor: Any) -> None:
    """Keys are paged in the legacy database's own collation: it must be byte order."""
    cursor.execute(PG_DEFAULT_COLLATION_SQL)
    provider, locale = cursor.fetchone()
    if not postgres_key_is_bytewise(None, provider, locale):
        raise SystemExit(
            f"the probe needs a legacy database in byte order (C, C.UTF-8), not {locale}"
        )


def _iso(column: str) -> pl.Expr:
    """``datetime.isoformat()`` of a naive datetime column (microseconds only when not zero)."""
    col = pl.col(column)
    return (
        pl.when(col.dt.microsecond() == 0)
        .then(col.dt.strftime("%Y-%m-%dT%H:%M:%S"))
        .otherwise(col.dt.strftime("%Y-%m-%dT%H:%M:%S%.6f"))
    )


def _canonical_json(table: str = TABLE) -> pl.Expr:
    """``extract.canonical_row`` as text, for numeric columns read as PostgreSQL's text."""
    parts: list[pl.Expr] = [pl.lit(f'["{table}",[')]
    for i, spec in enumerate(legacy_spec()[table].columns):
        col = pl.col(spec.name)
        if spec.is_text:  # a one-field JSON object, {"v":...}, cut down to its value
            value = pl.struct(col.alias("v")).struct.json_encode().str.slice(5).str.head(-1)
        else:  # dates as ISO text; numbers as PostgreSQL writes them, at the column's scale
            text = _iso(spec.name) if spec.logical_type == "date" else col
            value = pl.when(col.is_null()).then(pl.lit("null")).otherwise('"' + text + '"')
        parts += [pl.lit(("," if i else "") + f'["{spec.name}",'), value, pl.lit("]")]
    return pl.concat_str([*parts, pl.lit("]]")])


def _plain(column: str) -> pl.Expr:
    """Text that ``repair_text_all`` returns unchanged and unflagged without looking further."""
    col = pl.col(column)
    return col.is_null() | (
        col.str.contains(r"^[\x01-\x7f]*$") & ~col.str.contains("?", literal=True)
    )


class Steps:
    """Seconds spent per named step."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.spent[name] += time.perf_counter() - started


def _source_pages(cursor: Any, table: str, batch: int, step: Steps) -> Iterator[pl.DataFrame]:
    """Keyset pages of a legacy table in ROW_ID order, each read timed as "read source"."""
    columns = ", ".join(f'"{c}"' for c in legacy_spec()[table].column_names)
    after = ""
    while True:
        with step("read source"):
            frame = _fetch(
                cursor,
                f'SELECT {columns} FROM "{table}" WHERE "ROW_ID" > $1 '
                f'ORDER BY "ROW_ID" LIMIT {batch}',
                (after,),
            )
        if frame.height == 0:
            return
        yield frame
        after = frame["ROW_ID"][-1]


def _target_ids(cache: dict[tuple[str, str], bytes], table: str, keys: pl.Series) -> pl.Series:
    """``transform.identity.target_id`` of each key, as the 16 bytes the store holds."""
    if len(cache) > 16_384:  # about a batch's parents: a parent is mostly linked again soon
        cache.clear()
    out: list[bytes | None] = []
    for key in keys.to_list():
        if key is None:
            out.append(None)
            continue
        ident = cache.get((table, key))
        if ident is None:
            ident = cache[(table, key)] = target_id(table, key).bytes
        out.append(ident)
    return pl.Series(out, dtype=pl.Binary)


def _loaded_parents(store: Any, parent: str, keys: pl.Series) -> pl.DataFrame:
    """The keys among ``keys`` whose ``parent`` row the ledger has as loaded."""
    return _fetch(
        store,
        "SELECT legacy_row_id AS key FROM migration.ledger "
        "WHERE legacy_table = $1 AND legacy_row_id = ANY($2) AND outcome = 'loaded'",
        (parent, keys.drop_nulls().unique().to_list()),
    )


def _utc(column: str) -> pl.Expr:
    return pl.col(column).dt.replace_time_zone("UTC")


class Probe:
    """The column-wise check of one table, with the time each step takes."""

    def __init__(self, legacy_url: str, target_url: str, batch: int) -> None:
        engine = sa.create_engine(legacy_url)
        try:
            source = extract.source_from_engine(engine)
            entries = load_code_entries(extract.read_code_lists(source))
            self.users = pl.Series(sorted(extract.read_user_ids(source)), dtype=pl.String)
        finally:
            engine.dispose()
        self.codes = {
            column: pl.DataFrame(
                [
                    (display, entry.code)
                    for (code_set, display), entry in entries.items()
                    if code_set == PICK_LISTS[f"{TABLE}.{column}"] and entry.is_active
                ],
                schema={column: pl.String, f"{column}__code": pl.String},
                orient="row",
            )
            for column in CODES
        }
        self.legacy_url, self.target_url, self.batch = legacy_url, target_url, batch
        self.step = Steps()
        self.found: Counter[str] = Counter()
        self.rows = self.fallback = 0
        self._ids: dict[tuple[str, str], bytes] = {}

    def run(self) -> dict[str, Any]:
        started = time.perf_counter()
        with (
            adbc.connect(_libpq_url(self.legacy_url)) as legacy,
            adbc.connect(_libpq_url(self.target_url)) as target,
            legacy.cursor() as source,
            target.cursor() as store,
        ):
            _require_byte_order(source)
            after = ""
            for frame in _source_pages(source, TABLE, self.batch, self.step):
                self._check(store, frame, after)
                after = frame["ROW_ID"][-1]
                self.rows += frame.height
        seconds = time.perf_counter() - started
        return {
            "table": TABLE,
            "rows": self.rows,
            "seconds": seconds,
            "fallback_rows": self.fallback,
            "steps": dict(self.step.spent),
            "found": dict(self.found),
        }

    def _check(self, store: Any, frame: pl.DataFrame, after: str) -> None:
        last = frame["ROW_ID"][-1]
        with self.step("read store"):
            in_range = "WHERE legacy_table = $1 AND legacy_row_id > $2 AND legacy_row_id <= $3"
            params = (TABLE, after, last)
            ledger = _fetch(
                store,
                f"SELECT legacy_row_id, outcome, rule, source_hash FROM migration.ledger {in_range}",
                params,
            )
            actual = _fetch(store, f"SELECT * FROM icm.activity {in_range}", params)
            quarantined = _fetch(
                store, f"SELECT legacy_row_id FROM migration.quarantine {in_range}", params
            )
            flags = _fetch(
                store, f"SELECT {', '.join(FLAG_KEY)} FROM migration.dq_flag {in_range}", params
            )
        with self.step("source hashes"):
            frame = frame.with_columns(_hashes(frame, TABLE))
        with self.step("contexts"):
            loaded = {
                column: _loaded_parents(store, parent, frame[column])
                for column, (parent, _) in LINKS.items()
            }
        with self.step("rules"):
            frame, wanted_flags = self._rules(frame, loaded)
        with self.step("ids"):
            frame = frame.with_columns(
                _target_ids(self._ids, TABLE, frame["ROW_ID"]).alias("id"),
                *(
                    _target_ids(self._ids, parent, frame[column]).alias(name)
                    for column, (parent, name) in LINKS.items()
                ),
            )
        with self.step("comparison"):
            self._compare(frame, ledger, actual, flags, wanted_flags)
            loaded_rows = ledger.filter(pl.col("outcome") == "loaded")
            self.found["quarantine record of a loaded row"] += quarantined.join(
                loaded_rows, on="legacy_row_id", how="semi"
            ).height

    def _rules(
        self, frame: pl.DataFrame, loaded: dict[str, pl.DataFrame]
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The activity rows and flags the rules make, for the rows they decide column-wise."""
        for column in CODES:
            frame = frame.join(self.codes[column], on=column, how="left")
        for column in LINKS:
            known = loaded[column].select(
                pl.col("key").alias(column), pl.lit(True).alias(f"{column}__ok")
            )
            frame = frame.join(known, on=column, how="left")
        decided = (
            pl.col("COMMENTS_LONG").is_null()
            | (pl.col("COMMENTS_LONG").str.len_chars() < COMMENTS_CAP)
        ) & ~(pl.col("TODO_ACTL_END_DT") < pl.col("TODO_ACTL_START_DT")).fill_null(False)
        decided &= pl.col("PRIV_FLG").is_null() | pl.col("PRIV_FLG").is_in(["Y", "N"])
        for column in CODES:
            decided &= pl.col(column).is_null() | pl.col(f"{column}__code").is_not_null()
        for column in LINKS:
            decided &= pl.col(column).is_null() | pl.col(f"{column}__ok").is_not_null()
        rows = frame.height
        frame = frame.filter(decided)  # the others would go to today's per-row check
        self.fallback += rows - frame.height
        flags: list[tuple[Any, ...]] = []
        for column in TEXTS:  # text that is not plain: the rules' own function, value by value
            fixed: list[tuple[str, str | None]] = []
            for row_id, raw in frame.filter(~_plain(column)).select("ROW_ID", column).iter_rows():
                value, found = repair_text_all(raw)
                fixed.append((row_id, value))
                flags += [(row_id, code, column, as_text(o), as_text(n)) for code, o, n in found]
            repaired = pl.DataFrame(
                fixed, schema={"ROW_ID": pl.String, f"{column}__text": pl.String}, orient="row"
            )
            frame = frame.join(repaired, on="ROW_ID", how="left").with_columns(
                pl.coalesce(f"{column}__text", column).alias(f"{column}__text")
            )
        maybe_pii = frame.filter(pl.col("COMMENTS_LONG").str.count_matches(r"[0-9]") >= 10)
        for row_id, text in maybe_pii.select("ROW_ID", "COMMENTS_LONG").iter_rows():
            if kinds := find_pii(text):
                flags.append((row_id, "PII_IN_FREE_TEXT", "COMMENTS_LONG", None, ",".join(kinds)))

        def flagged(
            where: pl.Expr, code: str, column: str, original: pl.Expr, normalised: pl.Expr
        ) -> pl.DataFrame:
            return frame.filter(where).select(
                pl.col("ROW_ID").alias("legacy_row_id"),
                pl.lit(code).alias("code"),
                pl.lit(column).alias("field"),
                original.alias("original_value"),
                normalised.alias("normalised_value"),
            )

        late = pl.col("CREATED") - pl.col("TODO_ACTL_START_DT") > pl.duration(days=LATE_ENTRY_DAYS)
        wanted_flags = pl.concat(
            [
                pl.DataFrame(flags, schema=FLAG_SCHEMA, orient="row"),
                flagged(late, "LATE_ENTRY", "CREATED", _iso("CREATED"), _iso("TODO_ACTL_START_DT")),
                flagged(
                    pl.col("CREATED") > pl.col("LAST_UPD"),
                    "AUDIT_INCONSISTENT",
                    "CREATED",
                    _iso("CREATED"),
                    _iso("CREATED"),
                ),
                *(
                    flagged(
                        pl.col(c).is_not_null() & ~pl.col(c).is_in(self.users.implode()),
                        "UNKNOWN_USER",
                        c,
                        pl.col(c),
                        pl.col(c),
                    )
                    for c in ("CREATED_BY", "LAST_UPD_BY")
                ),
            ],
            how="vertical_relaxed",
        )
        return frame, wanted_flags

    def _compare(
        self,
        frame: pl.DataFrame,
        ledger: pl.DataFrame,
        actual: pl.DataFrame,
        flags: pl.DataFrame,
        wanted_flags: pl.DataFrame,
    ) -> None:
        expected = frame.select(
            pl.col("ROW_ID").alias("legacy_row_id"),
            "id",
            pl.col("TODO_CD__code").alias("activity_type_code"),
            pl.col("EVT_STAT_CD__code").alias("status_code"),
            pl.col("NAME__text").alias("subject"),
            pl.col("COMMENTS_LONG__text").alias("body"),
            pl.lit(False).alias("body_suspected_truncated"),
            _utc("TODO_PLAN_START_DT").alias("planned_at"),
            _utc("TODO_ACTL_START_DT").alias("started_at"),
            _utc("TODO_ACTL_END_DT").alias("ended_at"),
            *(pl.col(name) for _, name in LINKS.values()),
            pl.col("PRIV_FLG")
            .replace_strict({"Y": True, "N": False}, default=None, return_dtype=pl.Boolean)
            .alias("is_private"),
            pl.col("X_ASSESS_DECISION_CD__code").alias("assessment_decision_code"),
            pl.col("X_RISK_LEVEL_CD__code").alias("risk_level_code"),
            pl.col("X_NOTE_SEQ").cast(pl.Int32).alias("note_sequence"),
            pl.lit(TABLE).alias("legacy_table"),
            _utc("LAST_UPD").alias("legacy_last_upd"),
            pl.col("MODIFICATION_NUM").cast(pl.Int64).alias("legacy_modification_num"),
            "source_hash",
            _utc("CREATED").alias("legacy_created"),
            pl.col("CREATED_BY").alias("legacy_created_by"),
            pl.col("LAST_UPD_BY").alias("legacy_last_upd_by"),
            _utc("DB_LAST_UPD").alias("legacy_db_last_upd"),
            pl.col("CONFLICT_ID").alias("legacy_conflict_id"),
        )
        now = ledger.join(
            expected.select("legacy_row_id", pl.col("source_hash").alias("now")),
            on="legacy_row_id",
            how="inner",
        )
        self.found["changed_in_source"] += int((now["source_hash"] != now["now"]).sum())
        self.found["outcome"] += int(
            ((now["outcome"] != "loaded") | now["rule"].is_not_null()).sum()
        )
        unchanged = now.filter(
            (pl.col("source_hash") == pl.col("now")) & (pl.col("outcome") == "loaded")
        )
        expected = expected.join(unchanged.select("legacy_row_id"), on="legacy_row_id", how="semi")
        self.found["missing_in_target"] += expected.join(
            actual, on="legacy_row_id", how="anti"
        ).height
        self.found["unexpected_in_target"] += actual.join(
            ledger, on="legacy_row_id", how="anti"
        ).height
        both = expected.join(actual, on="legacy_row_id", how="inner", suffix="__store")
        differs = both.select(
            pl.col(c).ne_missing(pl.col(f"{c}__store")).sum().alias(c)
            for c in expected.columns
            if c != "legacy_row_id"
        )
        for column, count in differs.row(0, named=True).items():
            if count:
                self.found[f"field {column}"] += count
        compared = expected.select("legacy_row_id")
        have = flags.join(compared, on="legacy_row_id", how="semi").select(FLAG_KEY)
        want = wanted_flags.join(compared, on="legacy_row_id", how="semi").select(FLAG_KEY)
        for name, left, right in (("missing", want, have), ("unexpected", have, want)):
            count = left.join(right, on=FLAG_KEY, how="anti", nulls_equal=True).height
            if count:
                self.found[f"flag {name}"] += count


def _hashes(frame: pl.DataFrame, table: str) -> pl.Series:
    texts = frame.select(_canonical_json(table).alias("t"))["t"].to_list()
    sha256 = hashlib.sha256
    return pl.Series(
        "source_hash", [sha256(text.encode("utf-8")).hexdigest() for text in texts], pl.String
    )


def floor(legacy_url: str, target_url: str, batch: int) -> dict[str, Any]:
    """Everything a columnar reconcile does but the rules, for every legacy table.

    Per key range: the source rows, the ledger rows, the rows of each of the table's
    target tables with its lineage, the flags and the quarantine records read into
    Arrow; the source hashes recomputed (and checked against the ledger's); the ids
    of the rows and of every link column's parent; the parents' ledger outcomes; and
    a comparison of every column of the target rows read (with themselves, joined on
    their primary key: the cost of comparing, not a check). S_CONTACT_X's persons,
    which the service reads by id, are left out.
    """
    step = Steps()
    rows = wrong = 0
    ids: dict[tuple[str, str], bytes] = {}

    with (
        adbc.connect(_libpq_url(legacy_url)) as legacy,
        adbc.connect(_libpq_url(target_url)) as target,
        legacy.cursor() as source,
        target.cursor() as store,
    ):
        _require_byte_order(source)
        for table in extract.LEGACY_TABLE_NAMES:
            targets = [target_table(n) for n in TARGET_TABLES_OF.get(table, ())]
            links = LINK_COLUMNS.get(table, ())
            in_range = "WHERE legacy_table = $1 AND legacy_row_id > $2 AND legacy_row_id <= $3"
            after = ""
            for frame in _source_pages(source, table, batch, step):
                params = (table, after, frame["ROW_ID"][-1])
                with step("read store"):
                    ledger = _fetch(
                        store,
                        "SELECT legacy_row_id, outcome, rule, target_table, target_id, "
                        f"source_hash FROM migration.ledger {in_range}",
                        params,
                    )
                    stored = {
                        t: _fetch(store, f"SELECT * FROM {t.fullname} {in_range}", params)
                        for t in targets
                    }
                    for name in ("migration.dq_flag", "migration.quarantine"):
                        _fetch(store, f"SELECT * FROM {name} {in_range}", params)
                with step("source hashes"):
                    now = frame.select("ROW_ID").with_columns(_hashes(frame, table))
                wrong += (
                    ledger.join(now, left_on="legacy_row_id", right_on="ROW_ID", suffix="_now")
                    .filter(pl.col("source_hash") != pl.col("source_hash_now"))
                    .height
                )
                with step("contexts"):
                    for link in links:
                        _loaded_parents(store, link.parent, frame[link.column])
                with step("ids"):
                    _target_ids(ids, table, frame["ROW_ID"])
                    for link in links:
                        _target_ids(ids, link.parent, frame[link.column])
                with step("comparison"):
                    for t, rows_read in stored.items():
                        key = [c.name for c in t.primary_key.columns]
                        both = rows_read.join(rows_read, on=key, suffix="__other")
                        both.select(
                            pl.col(c).ne_missing(pl.col(f"{c}__other")).sum()
                            for c in rows_read.columns
                            if c not in key
                        )
                rows += frame.height
                after = frame["ROW_ID"][-1]
    return {
        "rows": rows,
        "seconds": sum(step.spent.values()),
        "steps": dict(step.spent),
        "hashes_unlike_the_ledger": wrong,
    }


def transfer_seconds(legacy_url: str, target_url: str, *, every_table: bool = False) -> float:
    """The least any value-by-value check must spend reading: one binary COPY of both sides'
    rows to nowhere (legacy rows; target rows, ledger rows, flags and, for every table,
    quarantine records), of this table or of ``every_table``."""
    if every_table:
        legacy = [f'"{t}"' for t in extract.LEGACY_TABLE_NAMES]
        names = {target_table(n).fullname for names in TARGET_TABLES_OF.values() for n in names}
        store = [*sorted(names), "migration.ledger", "migration.dq_flag", "migration.quarantine"]
    else:
        legacy = [f'"{TABLE}"']
        store = [
            "icm.activity",
            *(
                f"(SELECT * FROM migration.{name} WHERE legacy_table = '{TABLE}')"
                for name in ("ledger", "dq_flag")
            ),
        ]
    started = time.perf_counter()
    for url, sources in ((legacy_url, legacy), (target_url, store)):
        with psycopg.connect(_libpq_url(url)) as conn, conn.cursor() as cursor:
            for what in sources:
                with cursor.copy(f"COPY {what} TO STDOUT (FORMAT binary)") as copy:
                    for _ in copy:
                        pass
    return time.perf_counter() - started


def tamper(target_url: str) -> dict[str, int]:
    """Change the store as an intruder might; return what the probe must then find.

    A trailing space on one subject, one second on one start time, one flag deleted.
    """
    with psycopg.connect(_libpq_url(target_url)) as conn:
        for sql in (
            "UPDATE icm.activity SET subject = subject || ' ' WHERE legacy_row_id = "
            "(SELECT min(legacy_row_id) FROM icm.activity WHERE subject IS NOT NULL)",
            "UPDATE icm.activity SET started_at = started_at + interval '1 second' "
            "WHERE legacy_row_id = (SELECT max(legacy_row_id) FROM icm.activity "
            "WHERE started_at IS NOT NULL)",
            "DELETE FROM migration.dq_flag WHERE id = "
            f"(SELECT min(id) FROM migration.dq_flag WHERE legacy_table = '{TABLE}')",
        ):
            if conn.execute(sql).rowcount != 1:
                raise RuntimeError(f"tampering changed no row: {sql}")
    return {"field subject": 1, "field started_at": 1, "flag missing": 1}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("legacy_url")
    parser.add_argument("target_url")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument(
        "--floor", action="store_true", help="every table, reads and hashes only (see floor())"
    )
    args = parser.parse_args()
    if args.floor:
        result = floor(args.legacy_url, args.target_url, args.batch)
    else:
        result = Probe(args.legacy_url, args.target_url, args.batch).run()
    status = Path("/proc/self/status").read_text()
    result["peak_rss_mb"] = int(status.split("VmHWM:")[1].split()[0]) / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
