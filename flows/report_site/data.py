"""What the report site shows, read from the warehouse marts over one read-only connection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from warehouse import db

Row = dict[str, Any]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Iterable[Any] = ()) -> list[Row]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@dataclass(slots=True)
class SiteData:
    """Every row the pages need; the pages group and filter these, they never query."""

    reports: list[Row] = field(default_factory=list)  # current report versions (report_catalog)
    district_years: list[Row] = field(default_factory=list)
    department_years: list[Row] = field(default_factory=list)
    budget_lines: list[Row] = field(default_factory=list)
    indicators: list[Row] = field(default_factory=list)
    findings: list[Row] = field(default_factory=list)
    quarantine: list[Row] = field(default_factory=list)
    runs: list[Row] = field(default_factory=list)

    @property
    def last_run(self) -> list[Row]:
        """The latest run's rows (one per source)."""
        if not self.runs:
            return []
        latest = max(self.runs, key=lambda r: r["started"])["run_id"]
        return [r for r in self.runs if r["run_id"] == latest]


def read_site_data(db_path: Path, *, details: bool = True) -> SiteData:
    """What the site shows, read from the marts. details=False leaves out the budget lines,
    indicators and department trends (the big tables), which the latest run's pages do not show."""
    con = db.connect_read_only(Path(db_path))

    def rows(sql: str) -> list[Row]:
        return _rows(con, sql) if details else []

    try:
        return SiteData(
            reports=_rows(
                con,
                """SELECT report_id, kind, fiscal_year, province, city, district, street, department,
                          department_key, project_name, title, source_url, page_url, format,
                          published_date, dq_status, quarantined, version, source, score_total, score_grade
                   FROM marts.report_catalog WHERE is_current
                   ORDER BY district, department_key, fiscal_year, report_id""",
            ),
            district_years=_rows(
                con,
                """SELECT province, city, district, fiscal_year, reports, departments, adjusted_total,
                          executed_total, execution_rate, median_rate, min_rate, max_rate,
                          quarantined_reports, reports_in_totals, project_reports
                   FROM marts.district_year_summary ORDER BY district, fiscal_year""",
            ),
            department_years=rows(
                """SELECT department_key, department, district, street, fiscal_year, adjusted, executed,
                          rate, adjusted_yoy_pct, executed_yoy_pct, rate_change_pp, previous_fiscal_year,
                          report_id
                   FROM marts.department_trend ORDER BY department_key, fiscal_year""",
            ),
            budget_lines=rows(
                """SELECT report_id, fiscal_year, district, department_key, kind, project_name, line,
                          initial, adjustment, adjusted, executed, rate_stated, rate_computed,
                          rate_gap_pp, evidence
                   FROM marts.budget_execution ORDER BY report_id, line""",
            ),
            indicators=rows(
                """SELECT report_id, fiscal_year, district, department, department_key, level1, level2,
                          name, weight, score, target, actual, target_value, target_unit, actual_value,
                          actual_unit, met, reason, seq, evidence
                   FROM marts.indicator_results ORDER BY report_id, seq""",
            ),
            findings=_rows(
                con,
                """SELECT f.report_id, f.source_url, f.page_url, f.district, f.department,
                          f.department_key, f.fiscal_year, f."check", f.severity, f.field, f.message,
                          f.evidence, f.detected_at, f.dq_status, c.source
                   FROM marts.dq_issues AS f
                   LEFT JOIN marts.report_catalog AS c USING (report_id)
                   ORDER BY f.detected_at DESC, f.severity, f.district, f.department, f."check", f.field""",
            ),
            quarantine=_rows(
                con,
                """SELECT report_id, kind, fiscal_year, district, street, department, department_key,
                          project_name, title, source_url, page_url, format, error_count,
                          warning_count, error_summary
                   FROM marts.quarantine ORDER BY district, department, fiscal_year""",
            ),
            runs=_rows(
                con,
                """SELECT run_id, started, finished, source, requests, not_modified, bodies_downloaded,
                          reports_new, reports_changed, reports_unchanged, reports_quarantined, errors,
                          documents, duration_s
                   FROM marts.run_history ORDER BY started DESC, source""",
            ),
        )
    finally:
        con.close()
