"""The night's second half, from the batches' files: check the run, load it, sum it up."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbt_like_sql.load import load_warehouse
from expectations.run_checks import check_run
from flows.alerts.collect import build_summary
from flows.alerts.summary import RunSummary
from flows.crawl.archive import RawArchive
from flows.crawl.run import CrawlOutcome
from flows.night.batches import BatchRef, read_batch
from flows.progress import progress
from flows.reports.extract import Extracted
from flows.reports.stream import extracted_from
from warehouse.load import LoadStats


@dataclass(slots=True)
class Finished:
    summary: RunSummary
    stats: LoadStats
    health: list[dict[str, Any]] = field(default_factory=list)


def read_run(refs: list[BatchRef]) -> tuple[list[CrawlOutcome], Extracted]:
    """The batches' crawl outcomes and reports, in batch order."""
    crawls: list[CrawlOutcome] = []
    spilled = []
    for ref in sorted(refs, key=lambda r: r.index):
        batch = read_batch(ref)
        crawls += batch.crawls
        spilled += batch.spilled
    return crawls, extracted_from(spilled)


def check_and_load(
    refs: list[BatchRef],
    run_id: str,
    run_started: dt.datetime,
    db_path: Path,
    docs_dir: Path,
    raw_dir: Path,
) -> Finished:
    """Every suite on the run's reports (duplicates across sources and with the warehouse), the
    load (one transaction, built aside and swapped in) and the run summary read back."""
    crawls, extracted = read_run(refs)
    progress("check", 0, 1)
    health = check_run(crawls, extracted, db_path, docs_dir, run_id)
    progress("check")
    stats = load_warehouse(db_path, run_id, crawls, extracted, RawArchive(raw_dir))
    summary = RunSummary(run_id=run_id, started=run_started.isoformat(timespec="seconds"))
    summary = build_summary(summary, db_path, crawls, extracted, stats, run_started)
    summary.health = health
    if (docs_dir / "index.html").is_file():
        summary.docs = str(docs_dir / "index.html")
    return Finished(summary, stats, health)


def clear_run_dir(path: Path, older_than: dt.timedelta | None = None) -> None:
    """A finished run's folder goes; with older_than, the folders of runs that died long ago
    (kept until then, to see what they had read)."""
    if older_than is None:
        shutil.rmtree(path, ignore_errors=True)
        return
    if not path.is_dir():
        return
    cutoff = time.time() - older_than.total_seconds()
    for d in path.iterdir():
        if d.is_dir() and d.stat().st_mtime < cutoff:
            shutil.rmtree(d, ignore_errors=True)
