"""The night's second half, from the batches' files: check the run, load it, sum it up.

The reports are never all in memory: the checks take their suite rows a chunk at a time, run
once over the night, and hand each chunk its findings on a second pass that also turns the
chunk into warehouse frames (columnar, a fraction of the objects' size).
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from dbt_like_sql.load import load_warehouse
from expectations.current import read_current_reports
from expectations.run_checks import ids_unchanged, run_health
from expectations.runner import RunChecks, choose_engine
from flows.alerts.collect import build_summary
from flows.alerts.summary import RunSummary
from flows.crawl.archive import RawArchive
from flows.crawl.run import CrawlOutcome
from flows.night.batches import BatchRef, read_batch
from flows.progress import progress
from flows.reports.extract import Extracted
from flows.reports.stream import Spilled, spilled_chunks
from warehouse.frames import records_to_frames
from warehouse.load import LoadStats

# records in memory at once in the check and the load
CHUNK = 2000


@dataclass(slots=True)
class Finished:
    summary: RunSummary
    stats: LoadStats
    health: list[dict[str, Any]] = field(default_factory=list)
    engine: str = ""


def read_run(refs: list[BatchRef]) -> tuple[list[CrawlOutcome], list[Spilled]]:
    """The batches' crawl outcomes and spill files, in batch order."""
    crawls: list[CrawlOutcome] = []
    spilled: list[Spilled] = []
    for ref in sorted(refs, key=lambda r: r.index):
        batch = read_batch(ref)
        crawls += batch.crawls
        spilled += batch.spilled
    return crawls, spilled


def check_and_load(
    refs: list[BatchRef],
    run_id: str,
    run_started: dt.datetime,
    db_path: Path,
    docs_dir: Path,
    raw_dir: Path,
    *,
    chunk: int = CHUNK,
) -> Finished:
    """Every suite on the run's reports (duplicates across sources and with the warehouse), the
    load (one transaction, built aside and swapped in) and the run summary read back.

    GX (and its Data Docs) when the night brought something new; a night whose every report the
    warehouse holds already is checked by the plain evaluator of the same suites, and the Data
    Docs of the run that last changed something stay."""
    crawls, spilled = read_run(refs)
    keys = [k for s in spilled for k in s.keys]
    rejected = [r for s in spilled for r in s.rejected]
    progress("check", 0, 1)
    current = read_current_reports(db_path)
    fetched = frozenset(d.url for c in crawls for d in c.documents)
    unchanged = ids_unchanged((report_id for _, _, report_id in keys), current)
    engine = choose_engine(len(keys), docs_dir=docs_dir, unchanged=unchanged)
    checks = RunChecks(
        engine=engine,
        current=current,
        fetched_locations=fetched,
        docs_dir=docs_dir if engine == "gx" else None,
        run_name=run_id,
    )
    for records in spilled_chunks(spilled, chunk):
        checks.add(records)
    checks.validate()
    health = run_health(
        crawls, current, {key for _, key, _ in keys}, fetched, [r.url for r in rejected if r.url]
    )
    progress("check")

    loaded_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    parts: dict[str, list[pl.DataFrame]] = {}
    given: set[str] = set()  # one row per report_id in the whole run, the first
    for records in spilled_chunks(spilled, chunk):
        checks.apply(records)
        for table, frame in records_to_frames(records, run_id, loaded_at, seen=given).items():
            parts.setdefault(table, []).append(frame)
    record_frames = {table: pl.concat(frames, how="vertical_relaxed") for table, frames in parts.items()}
    yields = {sha: n for s in spilled for sha, n in s.yields.items()}
    stats = load_warehouse(
        db_path,
        run_id,
        crawls,
        Extracted(records=[], rejected=rejected, yields=yields),
        RawArchive(raw_dir),
        record_frames=record_frames or None,
        loaded_at=loaded_at,
    )
    summary = RunSummary(run_id=run_id, started=run_started.isoformat(timespec="seconds"))
    by_source = Counter(source for source, _, _ in keys)
    summary = build_summary(summary, db_path, crawls, by_source, rejected, stats, run_started)
    summary.health = health
    if (docs_dir / "index.html").is_file():
        summary.docs = str(docs_dir / "index.html")
    return Finished(summary, stats, health, engine)


def changed_reports(stats: LoadStats) -> bool:
    """Whether the load changed what the report site shows beyond the latest run: a report, one
    of its lines or indicators, or a finding."""
    tables = ("core.reports", "core.budget_lines", "core.indicators", "core.dq_findings")
    return any(t.inserted or t.updated or t.deleted for name, t in stats.tables.items() if name in tables)


def clear_run_dir(path: Path) -> None:
    """A finished run's folder goes (its spill files were loaded)."""
    shutil.rmtree(path, ignore_errors=True)


def clear_old_run_dirs(runs: Path, older_than: dt.timedelta) -> None:
    """The folders of runs that died long ago (kept until then, to see what they had read)."""
    if not runs.is_dir():
        return
    cutoff = time.time() - older_than.total_seconds()
    for d in runs.iterdir():
        if d.is_dir() and d.stat().st_mtime < cutoff:
            clear_run_dir(d)
