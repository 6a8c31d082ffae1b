"""`import govperf` in a notebook: the warehouse, read-only, as polars frames.

    import govperf
    con = govperf.connect()                            # read-only DuckDB connection
    df = govperf.read("marts.district_year_summary")   # polars DataFrame

The wheel installs this file as the package `govperf` (pyproject.toml, force-include): the
repository's top level stays as it is.
"""

from flows.analyst.api import connect, read, tables, warehouse_path

__all__ = ["connect", "read", "tables", "warehouse_path"]
