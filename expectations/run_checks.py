"""The validate step of a run: every suite on every record, the Data Docs, the run-health alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from expectations import health
from expectations.current import read_current_reports
from expectations.runner import Engine, check_records, choose_engine
from flows.contract import keys
from flows.contract.report import ReportRecord
from flows.crawl.run import CrawlOutcome
from flows.reports.extract import Extracted


def check_run(
    crawls: list[CrawlOutcome],
    extracted: Extracted,
    db_path: Path,
    docs_dir: Path | None = None,
    run_id: str | None = None,
    today: dt.date | None = None,
    engine: Engine = "gx",
) -> list[dict[str, Any]]:
    """The whole run's checks before its load: every suite on every record (the duplicate check
    compares across sources and with the warehouse), the Data Docs, and the run-health alerts
    (returned). The warehouse is read once, read-only; it may not exist yet.

    engine="auto" applies run_engine's rule: a night whose every report the warehouse already
    holds as current validates without GX (same findings) and builds no Data Docs, so the last
    run's stay; any other night validates with GX and builds them. The default, "gx", is the
    night as it was: every run builds its Data Docs."""
    current = read_current_reports(db_path)
    fetched = frozenset(d.url for c in crawls for d in c.documents)
    if engine == "auto":
        engine = run_engine(extracted.records, current, docs_dir)
    check_records(
        extracted.records,
        today,
        current=current,
        fetched_locations=fetched,
        docs_dir=docs_dir,
        run_name=run_id,
        engine=engine,
    )
    found = {keys.report_key(r.report) for r in extracted.records}
    return run_health(crawls, current, found, fetched, [r.url for r in extracted.rejected if r.url])


def run_health(
    crawls: list[CrawlOutcome],
    current: pl.DataFrame | None,
    found_keys: set[str],
    fetched: frozenset[str],
    rejected_urls: list[str],
) -> list[dict[str, Any]]:
    """The run-health alerts: sources that yielded nothing, district-years that lost reports."""
    alerts = health.empty_sources(crawls)
    if current is not None:
        # an incremental crawl stops at known pages: of its sources, only the reports whose
        # documents it fetched again are compared (the others were not looked at)
        alerts += health.lost_report_keys(
            current,
            found_keys,
            [c.source for c in crawls],
            walked_in_full=[c.source for c in crawls if c.walked_in_full],
            fetched_urls=fetched,
            rejected_urls=rejected_urls,
        )
    return [a.to_dict() for a in alerts]


def all_unchanged(records: list[ReportRecord], current: pl.DataFrame | None) -> bool:
    """Every record is a version the warehouse already holds as current (same report_id: same
    natural key, same content), so an earlier run validated and documented exactly this content.
    False when the warehouse could not be read."""
    return ids_unchanged(
        (keys.report_id(keys.report_key(r.report), keys.content_hash(r.report)) for r in records), current
    )


def ids_unchanged(report_ids: Iterable[str], current: pl.DataFrame | None) -> bool:
    """all_unchanged, given the records' report_ids."""
    if current is None:
        return False
    stored = set(current["report_id"].to_list())
    return all(i in stored for i in report_ids)


def run_engine(records: list[ReportRecord], current: pl.DataFrame | None, docs_dir: Path | None) -> Engine:
    """The evaluator for a run's validate step (expectations.runner.choose_engine's rule)."""
    return choose_engine(len(records), docs_dir=docs_dir, unchanged=all_unchanged(records, current))
