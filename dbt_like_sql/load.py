"""Load and build: a run's frames merged into the warehouse and its views rebuilt, atomically."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Mapping
from pathlib import Path

import duckdb
import polars as pl

from dbt_like_sql.build import build
from dbt_like_sql.project import DEFAULT_MODELS_DIR, ModelTestError, failed_tests
from flows.crawl.archive import RawArchive
from flows.crawl.run import CrawlOutcome
from flows.kill_points import kill_while_loading
from flows.progress import progress
from flows.reports.extract import Extracted
from warehouse import db
from warehouse.load import LoadStats, merge
from warehouse.reads import fetch_log_loaded_until
from warehouse.run_frames import run_frames


def load_run(
    db_path: Path,
    frames: Mapping[str, pl.DataFrame],
    run_id: str,
    *,
    models_dir: Path = DEFAULT_MODELS_DIR,
    lock_timeout: float = 30.0,
    fail_on_test_error: bool = True,
) -> LoadStats:
    """Merge a run into the warehouse file and rebuild its views, atomically.

    frames maps table names ("core.reports" or "reports", …) to frames such as
    records_to_frames / documents_frame / fetch_log_frame / runs_frame return; tables
    left out are not touched. Builds into a copy and renames it over db_path: readers
    never wait, and any failure (including an error-severity SQL test when
    fail_on_test_error) leaves the previous warehouse as it was.
    """
    started = time.perf_counter()
    with db.building(Path(db_path), lock_timeout=lock_timeout) as con:
        con.execute("BEGIN")
        try:
            stats = merge(con, frames, run_id)
            stats.views, stats.tests = build(con, models_dir)
            failed = failed_tests(stats.tests)
            if failed and fail_on_test_error:
                raise ModelTestError(failed)
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
    stats.seconds = time.perf_counter() - started
    return stats


def load_warehouse(
    db_path: Path,
    run_id: str,
    crawls: list[CrawlOutcome],
    extracted: Extracted,
    archive: RawArchive,
    *,
    record_frames: dict[str, pl.DataFrame] | None = None,
    loaded_at: dt.datetime | None = None,
) -> LoadStats:
    """Merge the run into the warehouse (one transaction, built aside and swapped in).
    record_frames: the reports' frames, made beforehand (see warehouse.run_frames)."""
    loaded_at = loaded_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    # from the last request the warehouse holds, not from this run's start: the requests of
    # a run killed before its load arrive with the run that finishes its work
    frames = run_frames(
        run_id, crawls, extracted, archive, loaded_at, fetch_log_loaded_until(db_path), record_frames
    )
    progress("load", 0, 1)
    kill_while_loading(db_path)
    stats = load_run(db_path, frames, run_id)
    progress("load")
    return stats
