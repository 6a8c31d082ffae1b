"""Handing polars frames to DuckDB through the Arrow C stream interface (no pyarrow needed)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import duckdb
import polars as pl


class _ArrowStream:
    # DuckDB reads any object exposing __arrow_c_stream__; passing a polars frame directly
    # makes it go through pyarrow, which this project does not install
    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self._frame.__arrow_c_stream__(requested_schema)


@contextlib.contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[str]:
    """`frame` readable as the view `name` for the duration of the block."""
    con.register(name, _ArrowStream(frame))
    try:
        yield name
    finally:
        con.unregister(name)
