"""The validate step of a run: every suite on every record, the Data Docs, the run-health alerts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from expectations import health
from expectations.current import read_current_reports
from expectations.runner import check_records
from flows.crawl.run import CrawlOutcome
from flows.reports.extract import Extracted


def check_run(
    crawls: list[CrawlOutcome],
    extracted: Extracted,
    db_path: Path,
    docs_dir: Path | None = None,
    run_id: str | None = None,
    today: dt.date | None = None,
) -> list[dict[str, Any]]:
    """The whole run's checks before its load: every suite on every record (the duplicate check
    compares across sources and with the warehouse), the Data Docs, and the run-health alerts
    (returned). The warehouse is read once, read-only; it may not exist yet."""
    current = read_current_reports(db_path)
    fetched = frozenset(d.url for c in crawls for d in c.documents)
    check_records(
        extracted.records,
        today,
        current=current,
        fetched_locations=fetched,
        docs_dir=docs_dir,
        run_name=run_id,
    )
    alerts = health.empty_sources(crawls)
    if current is not None:
        # an incremental crawl stops at known pages: of its sources, only the reports whose
        # documents it fetched again are compared (the others were not looked at)
        alerts += health.lost_reports(
            current,
            extracted.records,
            [c.source for c in crawls],
            walked_in_full=[c.source for c in crawls if c.walked_in_full],
            fetched_urls=fetched,
            rejected_urls=[r.url for r in extracted.rejected if r.url],
        )
    return [a.to_dict() for a in alerts]
