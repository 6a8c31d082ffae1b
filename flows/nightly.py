"""The nightly flow: wiring, batching and artifacts only; the steps are plain functions in their rooms
(flows/crawl, flows/reports, expectations, warehouse, dbt_like_sql, flows/alerts)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from flows.alerts.summary import finding_rows, to_markdown
from flows.alerts.webhook import post_webhook
from flows.crawl.run import utc_now
from flows.night.batches import BatchRef, collect_batch, plan_batches
from flows.night.finish import Finished, changed_reports, check_and_load, clear_old_run_dirs, clear_run_dir
from flows.notify.run import notify_failure, notify_run
from flows.report_site.build import build_site, refresh_run_pages
from flows.reports.parse_cache import ParseCache
from flows.settings import Settings, get_settings
from flows.sources.model import Source, source_folders
from flows.sources.model import select_sources as select_bundled_sources


def new_run_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def make_task_runner(settings: Settings) -> TaskRunner:
    """Threads (GOVPERF_CONCURRENCY of them) by default; GOVPERF_TASK_RUNNER=dask puts the tasks on
    a Dask cluster: the one at GOVPERF_DASK_ADDRESS, or a local one started for the run."""
    if settings.task_runner == "dask":
        from flows.dask_runner import SharedApiDaskTaskRunner

        return SharedApiDaskTaskRunner(address=settings.dask_address)
    return ThreadPoolTaskRunner(max_workers=settings.concurrency)


@task(name="crawl-and-read", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5)
def batch_task(
    batch: list[Source],
    index: int,
    run_dir: Path,
    raw_dir: Path,
    cache_dir: Path,
    db_path: Path,
    full_refresh: bool,
    workers: int | None,
) -> BatchRef:
    """A batch of sources: crawled (incremental unless full_refresh) and every document read as
    it arrives, on every core; the results stay in the run's folder, the task returns where."""
    ref = collect_batch(
        batch, index, run_dir, raw_dir, cache_dir, db_path, full_refresh=full_refresh, workers=workers
    )
    logger = get_run_logger()
    for c in ref.crawled:
        logger.info(" ".join(f"{k}={v}" for k, v in c.items()).replace("source=", "crawled source=", 1))
    logger.info(
        "batch %d: sources=%d documents=%d from_cache=%d reports=%d rejected=%d seconds=%.2f",
        ref.index,
        len(ref.sources),
        ref.documents,
        ref.from_cache,
        ref.reports,
        ref.rejected,
        ref.seconds,
    )
    return ref


@task(name="check-and-load", cache_policy=NO_CACHE)
def finish_task(
    refs: list[BatchRef],
    run_id: str,
    run_started: dt.datetime,
    db_path: Path,
    docs_dir: Path,
    raw_dir: Path,
) -> Finished:
    """The whole run at once, from the batches' files: the suites (duplicates compare across
    sources and with the warehouse), the Data Docs, the run-health alerts, the load."""
    return check_and_load(refs, run_id, run_started, db_path, docs_dir, raw_dir)


@task(name="report-site", cache_policy=NO_CACHE)
def site_task(
    db_path: Path, site_dir: Path, docs_dir: Path, health: list[dict], chart_cache: Path, changed: bool
) -> str:
    """The report site from the marts just built (only the latest run's pages when the night
    changed no report); a failure is logged, the run's data stays loaded."""
    logger = get_run_logger()
    make = build_site if changed else refresh_run_pages
    try:
        built = make(
            db_path, site_dir, docs_index=docs_dir / "index.html", health=health, chart_cache=chart_cache
        )
    except Exception as e:
        logger.error("report site not built: %s: %s", type(e).__name__, e)
        return ""
    logger.info("report site pages=%d charts=%d seconds=%.2f", built.pages, built.charts, built.seconds)
    return str(built.index)


def alert_failure(flow, flow_run, state) -> None:
    """A failed or crashed run tells the alert channels (the webhook hears of runs that finish)."""
    home = (flow_run.parameters or {}).get("home")
    settings = get_settings(home=Path(home) if home else None)
    notify_failure(
        settings.alert_urls,
        flow_run.name,
        f"{state.type.value}: {state.message or ''}".strip(),
        site_url=settings.site_url,
        site_dir=settings.site_dir,
    )


def select_sources(
    names: list[str] | None,
    base_url: str | None,
    sources_dir: Path | None = None,
    extra_dirs: list[str] | None = None,
) -> list[Source]:
    """The run's sources: the bundled files (or sources_dir), extra_dirs, and the folders the
    settings name (GOVPERF_SOURCES_DIR, govperf.toml's sources_dir)."""
    folders = [*(extra_dirs or ()), *map(str, source_folders(get_settings().sources_dir))]
    return select_bundled_sources(names, base_url, sources_dir, folders)


# the runner is chosen from the settings when this module is imported: a served deployment's
# run imports it afresh in its own process, with the serving process's environment
@flow(
    name="nightly",
    task_runner=make_task_runner(get_settings()),
    log_prints=True,
    on_failure=[alert_failure],
    on_crashed=[alert_failure],
)
def nightly(
    sources: list[str] | None = None,
    base_url: str | None = None,
    home: str | None = None,
    full_refresh: bool = False,
    sources_dirs: list[str] | None = None,
) -> dict:
    """Fetch every source, parse and check its reports, and load them into the warehouse."""
    logger = get_run_logger()
    settings = get_settings(home=Path(home) if home else None)
    settings.home.mkdir(parents=True, exist_ok=True)
    run_started = utc_now()
    run_id = new_run_id()
    chosen = select_sources(sources, base_url, extra_dirs=sources_dirs)
    logger.info("run %s: %d source(s): %s", run_id, len(chosen), ", ".join(s.name for s in chosen))

    ParseCache(settings.parse_cache_dir).prune()
    clear_old_run_dirs(settings.home / "runs", older_than=dt.timedelta(days=2))
    run_dir = settings.home / "runs" / run_id
    batches = plan_batches(chosen, settings.concurrency)
    futures = [
        batch_task.submit(
            batch,
            i,
            run_dir,
            settings.raw_dir,
            settings.parse_cache_dir,
            settings.warehouse_path,
            full_refresh,
            settings.workers,
        )
        for i, batch in enumerate(batches)
    ]
    refs = [f.result() for f in futures]
    finished = finish_task(
        refs, run_id, run_started, settings.warehouse_path, settings.docs_dir, settings.raw_dir
    )
    for a in finished.health:
        logger.warning("%s: %s", a["check"], a["message"])
    stats = finished.stats
    logger.info("checked with %s", "Great Expectations" if finished.engine == "gx" else "the plain evaluator")
    logger.info(
        "loaded run_id=%s reports_new=%d reports_changed=%d reports_unchanged=%d "
        "reports_quarantined=%d seconds=%.2f",
        run_id,
        stats.reports_new,
        stats.reports_changed,
        stats.reports_unchanged,
        stats.reports_quarantined,
        stats.seconds,
    )
    summary = finished.summary
    alerts = finished.health
    clear_run_dir(run_dir)
    summary.site = site_task(
        settings.warehouse_path,
        settings.site_dir,
        settings.docs_dir,
        alerts,
        settings.chart_cache_dir,
        changed_reports(stats),
    )
    summary.finished = utc_now().isoformat(timespec="seconds")
    markdown = to_markdown(summary)
    create_markdown_artifact(
        markdown=markdown, key="govperf-run-summary", description=f"govperf run {run_id}"
    )
    if summary.findings or summary.health:
        create_table_artifact(
            table=finding_rows(summary),
            key="govperf-new-findings",
            description="Data-quality findings first seen in this run",
        )
    for r in summary.rejected:
        logger.warning("rejected %s (%s): %s", r["url"], r["kind"], r["message"])
    if settings.alert_webhook:
        post_webhook(settings.alert_webhook, summary, logger=logger)
    notify_run(
        summary, settings.alert_urls, site_url=settings.site_url, site_dir=settings.site_dir, logger=logger
    )
    return summary.to_dict()
