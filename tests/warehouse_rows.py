"""What a night's warehouse holds that must not depend on how the night ran (threads, processes,
Dask, chunk sizes): its rows, without run ids and load times."""

from __future__ import annotations

from pathlib import Path

import duckdb

TABLES = {
    "core.reports": "SELECT * EXCLUDE (run_id, loaded_at, fetched_at, superseded_at) FROM core.reports",
    "core.budget_lines": "SELECT * FROM core.budget_lines",
    "core.indicators": "SELECT * FROM core.indicators",
    "core.dq_findings": 'SELECT report_id, "check", field, message, evidence FROM core.dq_findings',
    "raw.documents": "SELECT * EXCLUDE (run_id, fetched_at) FROM raw.documents",
}


def warehouse_rows(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: sorted(con.execute(sql).fetchall(), key=repr) for t, sql in TABLES.items()}
