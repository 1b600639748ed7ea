"""The legacy ICM source contract as SQLAlchemy Core tables.

One source of truth: ``legacy_schema.yaml`` (a copy of the shared contract,
shipped inside the package) is read once and turned into ``Table`` objects
used both by the synthetic generator and by the extractor.

Types per logical type of the contract:

* ``id`` / ``varchar N`` -> ``VARCHAR(N)``
* ``flag`` -> ``CHAR(1)``
* ``date`` -> ``DateTime`` (Oracle DATE: to the second, no time zone)
* ``number P,S`` -> ``NUMERIC(P,S)``
* ``clob`` -> ``TEXT`` (``LONGTEXT`` on MariaDB)

Keys must compare byte for byte on every engine. SQLite's default BINARY
collation and PostgreSQL's deterministic collations already do; on MariaDB
every table is created with ``utf8mb4_nopad_bin`` because plain
``utf8mb4_bin`` is a PAD SPACE collation that treats ``'1-ABC9 '`` and
``'1-ABC9'`` as the same key.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.dialects import mysql

__all__ = [
    "LEGACY_TABLE_NAMES",
    "LINK_INDEXES",
    "SYSTEM_COLUMNS",
    "ColumnSpec",
    "LegacyTableSpec",
    "create_legacy_schema",
    "legacy_metadata",
    "legacy_spec",
    "legacy_table",
    "pick_lists",
]

MARIADB_TABLE_OPTIONS: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_nopad_bin",
    "mariadb_charset": "utf8mb4",
    "mariadb_collate": "utf8mb4_nopad_bin",
}


@dataclass(frozen=True)
class ColumnSpec:
    """One legacy column: its name, logical type and size."""

    name: str
    logical_type: str  # id, varchar, flag, date, number, clob
    length: int | None = None
    precision: int | None = None
    scale: int | None = None

    @property
    def is_text(self) -> bool:
        return self.logical_type in ("id", "varchar", "flag", "clob")


@dataclass(frozen=True)
class LegacyTableSpec:
    """A legacy table: columns in contract order (system columns first)."""

    name: str
    doc: str
    columns: tuple[ColumnSpec, ...]
    refs: dict[str, str]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}; columns: {list(self.column_names)}")


def _parse_type(name: str, text: str) -> ColumnSpec:
    parts = text.replace(",", " ").split()
    kind = parts[0]
    if kind == "id":
        return ColumnSpec(name, "id", length=15)
    if kind == "varchar":
        return ColumnSpec(name, "varchar", length=int(parts[1]))
    if kind == "flag":
        return ColumnSpec(name, "flag", length=1)
    if kind == "date":
        return ColumnSpec(name, "date")
    if kind == "number":
        return ColumnSpec(name, "number", precision=int(parts[1]), scale=int(parts[2]))
    if kind == "clob":
        return ColumnSpec(name, "clob")
    raise ValueError(f"legacy_schema.yaml: column {name} has unknown type {text!r}")


@functools.cache
def _contract() -> dict[str, Any]:
    text = resources.files("extract").joinpath("legacy_schema.yaml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


@functools.cache
def legacy_spec() -> dict[str, LegacyTableSpec]:
    """The contract's tables, in contract order, as plain specs."""
    contract = _contract()
    system = [_parse_type(n, t) for n, t in contract["system_columns"].items()]
    specs: dict[str, LegacyTableSpec] = {}
    for table_name, body in contract["tables"].items():
        own = [_parse_type(n, t) for n, t in (body.get("columns") or {}).items()]
        specs[table_name] = LegacyTableSpec(
            name=table_name,
            doc=" ".join(str(body.get("doc", "")).split()),
            columns=tuple(system + own),
            refs=dict(body.get("refs") or {}),
        )
    return specs


def pick_lists() -> dict[str, str]:
    """``"TABLE.COLUMN" -> LOV TYPE`` for every pick-list column."""
    return dict(_contract()["pick_lists"])


SYSTEM_COLUMNS: tuple[str, ...] = (
    "ROW_ID",
    "CREATED",
    "CREATED_BY",
    "LAST_UPD",
    "LAST_UPD_BY",
    "MODIFICATION_NUM",
    "CONFLICT_ID",
    "DB_LAST_UPD",
)
"""The Siebel system columns every legacy table carries, in contract order."""

LEGACY_TABLE_NAMES: tuple[str, ...] = (
    "S_USER",
    "S_LST_OF_VAL",
    "S_CONTACT",
    "S_CONTACT_X",
    "S_ADDR_PER",
    "S_CON_ADDR",
    "S_PARTY_REL",
    "S_CASE",
    "CX_CASE_CON",
    "S_INCIDENT",
    "S_INCIDENT_CON",
    "S_SRV_REQ",
    "S_EVT_ACT",
    "CX_PLACEMENT",
    "S_ACTIVITY_ATT",
    "S_AUDIT_ITEM",
)


LINK_INDEXES: dict[str, tuple[str, ...]] = {
    "S_CONTACT_X": ("PAR_ROW_ID",),
    "S_PARTY_REL": ("PARTY_ID",),
    "CX_CASE_CON": ("CASE_ID",),
    "CX_PLACEMENT": ("CHILD_CON_ID",),
}
"""Link columns the migration looks rows up by, batch after batch (``flows.facts``).

Siebel indexes its foreign-key columns (S_PARTY_REL's F-indexes, an extension
table's PAR_ROW_ID); a source without an index on these makes every such lookup
a scan of the table, so the time grows with the square of its size. The
generator's databases have them.
"""


def _sa_type(col: ColumnSpec) -> sa.types.TypeEngine[Any]:
    if col.logical_type in ("id", "varchar"):
        return sa.String(col.length)
    if col.logical_type == "flag":
        return sa.CHAR(1)
    if col.logical_type == "date":
        return sa.DateTime()
    if col.logical_type == "number":
        return sa.Numeric(col.precision, col.scale, asdecimal=True)
    if col.logical_type == "clob":
        return sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
    raise ValueError(f"unknown logical type {col.logical_type}")


@functools.cache
def legacy_metadata() -> sa.MetaData:
    """SQLAlchemy ``MetaData`` holding the 16 legacy tables (no FKs: Siebel declares none)."""
    metadata = sa.MetaData()
    for spec in legacy_spec().values():
        columns: list[sa.Column[Any]] = [
            sa.Column(
                c.name, _sa_type(c), primary_key=(c.name == "ROW_ID"), nullable=(c.name != "ROW_ID")
            )
            for c in spec.columns
        ]
        table = sa.Table(
            spec.name, metadata, *columns, comment=spec.doc[:250] or None, **MARIADB_TABLE_OPTIONS
        )
        for column in LINK_INDEXES.get(spec.name, ()):
            sa.Index(f"{spec.name}_{column}_X", table.c[column])
    return metadata


def legacy_table(name: str) -> sa.Table:
    """The Core table for legacy table ``name``; a clear error for an unknown name."""
    tables = legacy_metadata().tables
    if name not in tables:
        raise KeyError(
            f"Legacy table {name!r} is not in the ICM contract. Available: {sorted(tables)}"
        )
    return tables[name]


def create_legacy_schema(engine: sa.Engine, *, drop_first: bool = False) -> None:
    """Create the legacy tables on ``engine`` (used by the generator and tests)."""
    metadata = legacy_metadata()
    with engine.begin() as conn:
        if drop_first:
            metadata.drop_all(conn)
        metadata.create_all(conn)
