"""Binding the contract's tables and columns to what a source's catalog actually holds.

A source reports its tables and, per table, its columns with a coarse type
family (from SQLAlchemy reflection or ODBC ``SQLColumns``). :class:`Catalog`
matches them to the contract by name (exact first, then case-insensitively:
Oracle reports ``S_CASE``, a hand-made copy may say ``s_case``) and checks each
column's family against its logical type. The result, :class:`BoundTable`,
holds the real names that queries must use.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from extract.errors import SourceSchemaError
from extract.legacy_schema import ColumnSpec, legacy_spec

__all__ = ["TYPE_FAMILIES", "BoundTable", "Catalog", "ColumnInfo", "compatible"]

# text, datetime, number, binary, other (a known type of no use here), unknown (the
# engine did not say: SQLite columns without a declared type).
TYPE_FAMILIES = ("text", "datetime", "number", "binary", "other", "unknown")

# Families a logical type may be stored as. Text-stored dates and numbers are
# allowed (SQLite, conversions) and checked value by value when read.
_ACCEPTS: dict[str, frozenset[str]] = {
    "id": frozenset({"text", "unknown"}),
    "varchar": frozenset({"text", "unknown"}),
    "flag": frozenset({"text", "unknown"}),
    "clob": frozenset({"text", "unknown"}),
    "date": frozenset({"datetime", "text", "unknown"}),
    "number": frozenset({"number", "text", "unknown"}),
}


@dataclass(frozen=True)
class ColumnInfo:
    """A column as the source's catalog reports it."""

    name: str
    family: str
    type_name: str


@dataclass(frozen=True)
class BoundTable:
    """A contract table bound to the source: real table name and real column names."""

    table: str
    source_name: str
    schema: str | None
    columns: dict[str, ColumnInfo]  # contract column -> the source's column

    def source_column(self, column: str) -> str:
        return self.columns[column].name


def compatible(spec: ColumnSpec, family: str) -> bool:
    """Whether a column of type family ``family`` can hold contract column ``spec``."""
    return family in _ACCEPTS[spec.logical_type]


def _match(wanted: str, names: Sequence[str]) -> str | None:
    if wanted in names:
        return wanted
    folded = [n for n in names if n.casefold() == wanted.casefold()]
    return folded[0] if len(folded) == 1 else None


def _available(names: Sequence[str], wanted: str, limit: int = 30) -> str:
    ordered = sorted(names)
    close = difflib.get_close_matches(wanted, ordered, n=5, cutoff=0.6)
    shown = ordered if len(ordered) <= limit else [*close, *ordered[:limit]]
    listed = list(dict.fromkeys(shown))
    more = len(ordered) - len(listed)
    return f"{listed}" + (f" and {more} more" if more > 0 else "")


class Catalog:
    """Caches the source's catalog and binds contract tables to it (raises :class:`SourceSchemaError`)."""

    def __init__(
        self,
        list_tables: Callable[[], list[str]],
        list_columns: Callable[[str], list[ColumnInfo]],
        schema: str | None = None,
    ) -> None:
        self._list_tables = list_tables
        self._list_columns = list_columns
        self._schema = schema
        self._tables: list[str] | None = None
        self._bound: dict[str, BoundTable] = {}

    def table_names(self) -> list[str]:
        if self._tables is None:
            self._tables = list(self._list_tables())
        return self._tables

    def bind(self, table: str) -> BoundTable:
        if table in self._bound:
            return self._bound[table]
        spec = legacy_spec().get(table)
        if spec is None:
            raise KeyError(
                f"{table!r} is not a legacy table of the contract: {list(legacy_spec())}"
            )
        names = self.table_names()
        where = f" (schema {self._schema!r})" if self._schema else ""
        source_name = _match(table, names)
        if source_name is None:
            raise SourceSchemaError(
                f"Legacy table {table!r} not found in the source{where}. Available: {_available(names, table)}",
                table=table,
            )
        found = self._list_columns(source_name)
        by_name = {c.name: c for c in found}
        columns: dict[str, ColumnInfo] = {}
        for col in spec.columns:
            name = _match(col.name, list(by_name))
            if name is None:
                raise SourceSchemaError(
                    f"Legacy column {table}.{col.name} not found in the source{where}. "
                    f"Available: {_available(list(by_name), col.name)}",
                    table=table,
                    column=col.name,
                )
            info = by_name[name]
            if not compatible(col, info.family):
                raise SourceSchemaError(
                    f"Legacy column {table}.{col.name} has type {info.type_name} ({info.family}) in the "
                    f"source, which cannot hold the contract type {col.logical_type}",
                    table=table,
                    column=col.name,
                )
            columns[col.name] = info
        bound = BoundTable(
            table=table, source_name=source_name, schema=self._schema, columns=columns
        )
        self._bound[table] = bound
        return bound
