"""The warehouse from Python (a notebook, a script): a read-only connection and marts as polars frames."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import polars as pl

from warehouse import db

# DuckDB column types → polars; anything else (lists, structs, decimals) is inferred from the values
_TYPES: dict[str, pl.DataType] = {
    "VARCHAR": pl.String(),
    "BOOLEAN": pl.Boolean(),
    "TINYINT": pl.Int8(),
    "SMALLINT": pl.Int16(),
    "INTEGER": pl.Int32(),
    "BIGINT": pl.Int64(),
    "HUGEINT": pl.Int128(),
    "FLOAT": pl.Float32(),
    "DOUBLE": pl.Float64(),
    "DATE": pl.Date(),
    "TIMESTAMP": pl.Datetime("us"),
    "TIMESTAMP WITH TIME ZONE": pl.Datetime("us", "UTC"),
}
_NAME = re.compile(r"^(?:(?P<schema>[a-z_][a-z0-9_]*)\.)?(?P<table>[a-z_][a-z0-9_]*)$")


def warehouse_path(home: str | Path | None = None) -> Path:
    from flows.settings import get_settings

    return get_settings(home=Path(home) if home is not None else None).warehouse_path


def connect(home: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only DuckDB connection to the warehouse (GOVPERF_HOME or ./data unless `home` is given).

    Read-only, so a nightly run goes on beside it (the run builds a copy and swaps it in); close it
    (or use it in a `with` block) to see the next run's data."""
    return db.connect_read_only(warehouse_path(home))


def tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """schema.name of every table and view an analyst can read (marts first)."""
    rows = con.execute(
        """SELECT table_schema || '.' || table_name FROM information_schema.tables
           WHERE table_schema IN ('marts', 'staging', 'core', 'raw')
           ORDER BY table_schema <> 'marts', table_schema, table_name"""
    ).fetchall()
    return [r[0] for r in rows]


def frame(cursor: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """An executed query's result as a polars DataFrame with the columns' own types.

    Through Python rows: DuckDB's Arrow export needs pyarrow (not installed), and its Arrow
    C stream from a relation leaks objects in this DuckDB build."""
    names = [d[0] for d in cursor.description]
    types = [_TYPES.get(str(d[1])) for d in cursor.description]
    rows = cursor.fetchall()
    df = pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
    casts = [
        pl.col(n).cast(t) for n, t in zip(names, types, strict=True) if t is not None and df.schema[n] != t
    ]
    return df.with_columns(casts) if casts else df


def read(
    name: str, *, home: str | Path | None = None, con: duckdb.DuckDBPyConnection | None = None
) -> pl.DataFrame:
    """A whole table or view as a polars DataFrame: read("marts.district_year_summary"), or just
    read("district_year_summary") for a mart."""
    m = _NAME.match(name.strip().lower())
    if not m:
        raise ValueError(f"{name!r} is not a table name (schema.table, e.g. marts.district_year_summary)")
    qualified = f"{m['schema'] or 'marts'}.{m['table']}"
    own = con is None
    con = con or connect(home)
    try:
        known = tables(con)
        if qualified not in known:
            raise ValueError(
                f"no table {qualified}; marts: {', '.join(t for t in known if t.startswith('marts.'))}"
            )
        return frame(con.execute(f"SELECT * FROM {qualified}"))
    finally:
        if own:
            con.close()
