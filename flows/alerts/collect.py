"""After the load: read back what analysts will see and assemble the run summary."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

from flows.alerts.summary import RunSummary, SourceSummary
from flows.crawl.run import CrawlOutcome
from flows.reports.extract import Rejected


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def build_summary(
    summary: RunSummary,
    db_path: Path,
    crawls: list[CrawlOutcome],
    by_source_reports: Mapping[str, int],
    rejected: list[Rejected],
    stats: Any,
    run_started: Any,
) -> RunSummary:
    """The summary of a run: per source what it crawled and loaded, what was rejected, the
    findings first seen in this run and the district-year table, read back from the marts."""
    rejected_urls = {r.url for r in rejected}
    for c in crawls:
        s = SourceSummary(
            source=c.source,
            list_pages=c.list_pages,
            links=c.links,
            requests=c.requests,
            not_modified=c.not_modified,
            bodies_downloaded=c.bodies_downloaded,
            documents=len(c.documents),
            reports=by_source_reports.get(c.source, 0),
            rejected=sum(1 for d in c.documents if d.url in rejected_urls),
            errors=len(c.errors),
        )
        per = getattr(stats, "per_source", {}).get(c.source)
        if per is not None:
            s.reports_new, s.reports_changed = per.reports_new, per.reports_changed
            s.reports_unchanged, s.reports_quarantined = per.reports_unchanged, per.reports_quarantined
        summary.sources.append(s)
    summary.rejected = [{"url": r.url, "kind": r.kind, "message": r.message} for r in rejected]
    summary.crawl_errors = [e for c in crawls for e in c.errors]
    summary.warehouse = str(db_path)
    with duckdb.connect(str(db_path), read_only=True) as con:
        summary.findings = _rows(
            con,
            """SELECT severity, "check", district, department, fiscal_year, field, message, evidence,
                      source_url, page_url, report_id
               FROM marts.dq_issues WHERE detected_at >= ? ORDER BY severity, department, "check", field""",
            [run_started],
        )
        summary.district_year = _rows(
            con,
            """SELECT district, fiscal_year, reports, round(adjusted_total) AS adjusted_total,
                      round(executed_total) AS executed_total, round(execution_rate, 2) AS execution_rate,
                      quarantined_reports
               FROM marts.district_year_summary ORDER BY district, fiscal_year""",
        )
    return summary
