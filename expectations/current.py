"""The warehouse's current reports, read read-only before a load, for the warehouse-level checks."""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import polars as pl

from expectations.derive import CURRENT_SCHEMA

log = logging.getLogger(__name__)

_SQL = """
SELECT r.report_id, r.report_key, r.content_hash, coalesce(r.source_url, r.file) AS location,
       r.source, r.page_url, r.kind, r.fiscal_year, r.district, r.street, r.department,
       r.project_name, b.adjusted AS total_adjusted, b.executed AS total_executed,
       b.rate AS total_rate, r.score_total
FROM core.reports AS r
LEFT JOIN core.budget_lines AS b ON b.report_id = r.report_id AND b.line = 'total'
WHERE r.is_current
"""


def empty_current() -> pl.DataFrame:
    return pl.DataFrame(schema=CURRENT_SCHEMA)


def read_current_reports(db_path: Path) -> pl.DataFrame | None:
    """Every current report version in the warehouse (CURRENT_SCHEMA); empty when there is no
    warehouse yet. None when the file cannot be opened now (another process holds it read-write):
    the warehouse-level checks are then skipped, and the load reports the lock itself."""
    if not Path(db_path).is_file():
        return empty_current()
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            has_table = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'core' AND table_name = 'reports'"
            ).fetchone()
            if not has_table or not has_table[0]:
                return empty_current()
            rows = con.execute(_SQL).fetchall()
    except duckdb.Error as e:
        log.warning("warehouse %s not readable for the warehouse-level checks: %s", db_path, e)
        return None
    # the SELECT lists CURRENT_SCHEMA's columns in its order
    return pl.DataFrame(rows, schema=CURRENT_SCHEMA, orient="row")
