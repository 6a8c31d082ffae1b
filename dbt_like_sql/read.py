"""Reading the built warehouse read-only, as an analyst does: any query, the latest data-quality
findings, the run history. The CLI prints what these return."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb  # noqa: F401  (its errors are this module's errors)

from warehouse.db import connect_for_analysts

Rows = tuple[list[str], list[tuple[Any, ...]]]


def query(db_path: Path, sql: str, params: Any = None) -> Rows:
    """(column names, rows) of one query on the warehouse file, opened read-only with no file access
    beyond it (warehouse.db.connect_for_analysts). Raises duckdb.Error."""
    with connect_for_analysts(db_path) as con:
        cur = con.execute(sql, params) if params is not None else con.execute(sql)
        columns = [d[0] for d in cur.description] if cur.description else []
        return columns, (cur.fetchall() if columns else [])


def latest_findings(
    db_path: Path, limit: int = 50, severity: str | None = None, check: str | None = None
) -> list[tuple[Any, ...]]:
    """marts.dq_issues, newest first: detected_at, severity, check, district, department,
    fiscal_year, field, message, evidence, source_url, page_url."""
    where = " AND ".join(
        c for c, v in (("severity = $severity", severity), ('"check" = $check', check)) if v is not None
    )
    params = {k: v for k, v in (("severity", severity), ("check", check)) if v is not None}
    _, rows = query(
        db_path,
        f"""SELECT detected_at, severity, "check", district, department, fiscal_year, field,
                   message, evidence, source_url, page_url
            FROM marts.dq_issues {"WHERE " + where if where else ""}
            ORDER BY detected_at DESC, severity, district, department, "check", field
            LIMIT {int(limit)}""",
        params,
    )
    return rows


def recent_runs(db_path: Path, limit: int = 20) -> Rows:
    """marts.run_history, newest first: the columns an operator compares night to night."""
    return query(
        db_path,
        f"""SELECT run_id AS run, source, strftime(started, '%m-%d %H:%M') AS "started (UTC)",
                   round(duration_s, 1) AS seconds, requests, not_modified AS "304",
                   bodies_downloaded AS downloaded, reports_new AS new, reports_changed AS changed,
                   reports_unchanged AS unchanged, reports_quarantined AS quarantined, errors
            FROM marts.run_history ORDER BY started DESC, source LIMIT {int(limit)}""",
    )
