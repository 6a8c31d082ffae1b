"""The warehouse's operational error, importable without DuckDB: the command line catches it
around every command, and `govperf extract` must not pay DuckDB's import to do so."""

from __future__ import annotations


class WarehouseError(RuntimeError):
    """An operational failure (busy, damaged, disk full): the message says what to do; no traceback."""
