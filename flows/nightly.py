"""The nightly flow: wiring, batching and artifacts only; the steps are plain functions in their rooms
(flows/crawl, flows/reports, expectations, warehouse, dbt_like_sql, flows/alerts)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from dbt_like_sql.load import load_warehouse
from expectations.run_checks import check_run
from flows.alerts.collect import build_summary
from flows.alerts.summary import RunSummary, finding_rows, to_markdown
from flows.alerts.webhook import post_webhook
from flows.crawl.archive import RawArchive
from flows.crawl.run import CrawlOutcome, crawl_source, utc_now
from flows.notify.run import notify_failure, notify_run
from flows.progress import progress
from flows.report_site.build import build_site
from flows.reports.extract import Extracted, extract_documents
from flows.reports.parse_cache import ParseCache
from flows.settings import Settings, get_settings
from flows.sources.model import Source, source_folders
from flows.sources.model import select_sources as select_bundled_sources
from warehouse.reads import known_page_urls


def new_run_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def make_task_runner(settings: Settings) -> TaskRunner:
    """Threads (GOVPERF_CONCURRENCY of them) by default; GOVPERF_TASK_RUNNER=dask puts the tasks on
    a Dask cluster: the one at GOVPERF_DASK_ADDRESS, or a local one started for the run."""
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=settings.dask_address) if settings.dask_address else DaskTaskRunner()
    return ThreadPoolTaskRunner(max_workers=settings.concurrency)


@task(name="crawl", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5)
def crawl_task(source: Source, raw_dir: Path, db_path: Path, full_refresh: bool) -> CrawlOutcome:
    """One source: incremental (known pages from the warehouse, conditional GETs) unless full_refresh."""
    known = frozenset() if full_refresh else known_page_urls(db_path, source.name)
    c = crawl_source(source, RawArchive(raw_dir), full_refresh=full_refresh, known_urls=known)
    get_run_logger().info(
        "crawled source=%s list_pages=%d links=%d documents=%d requests=%d not_modified=%d "
        "bodies_downloaded=%d errors=%d walked_in_full=%s seconds=%.2f",
        c.source,
        c.list_pages,
        c.links,
        len(c.documents),
        c.requests,
        c.not_modified,
        c.bodies_downloaded,
        len(c.errors),
        c.walked_in_full,
        (c.finished - c.started).total_seconds(),
    )
    return c


@task(name="extract-parse", cache_policy=NO_CACHE)
def extract_task(outcome: CrawlOutcome, raw_dir: Path, cache_dir: Path, full_refresh: bool) -> Extracted:
    """One batch per source: reading and parsing every document it fetched (unchanged ones from
    the parse cache, unless full_refresh)."""
    started = time.perf_counter()
    cache = None if full_refresh else ParseCache(cache_dir)
    if cache is not None:
        cache.prune()
    extracted = extract_documents(outcome.documents, RawArchive(raw_dir), cache=cache)
    get_run_logger().info(
        "parsed source=%s documents=%d from_cache=%d reports=%d rejected=%d seconds=%.2f",
        outcome.source,
        len(outcome.documents),
        cache.hits if cache else 0,
        len(extracted.records),
        len(extracted.rejected),
        time.perf_counter() - started,
    )
    return extracted


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(
    crawls: list[CrawlOutcome], extracted: Extracted, db_path: Path, docs_dir: Path, run_id: str
) -> tuple[Extracted, list[dict]]:
    """The whole run at once, before the load: the suites (duplicates compare across sources and
    with the warehouse), the Data Docs, the run-health alerts."""
    progress("check", 0, 1)
    alerts = check_run(crawls, extracted, db_path, docs_dir, run_id)
    progress("check")
    return extracted, alerts


@task(name="load-and-build", cache_policy=NO_CACHE)
def load_task(
    db_path: Path,
    run_id: str,
    crawls: list[CrawlOutcome],
    extracted: Extracted,
    raw_dir: Path,
):
    return load_warehouse(db_path, run_id, crawls, extracted, RawArchive(raw_dir))


@task(name="report-site", cache_policy=NO_CACHE)
def site_task(db_path: Path, site_dir: Path, docs_dir: Path, health: list[dict]) -> str:
    """The report site from the marts just built; a failure is logged, the run's data stays loaded."""
    logger = get_run_logger()
    try:
        built = build_site(db_path, site_dir, docs_index=docs_dir / "index.html", health=health)
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

    crawl_futures = [
        crawl_task.submit(s, settings.raw_dir, settings.warehouse_path, full_refresh) for s in chosen
    ]
    crawls = [f.result() for f in crawl_futures]
    extract_futures = [
        extract_task.submit(c, settings.raw_dir, settings.parse_cache_dir, full_refresh) for c in crawls
    ]
    extracted = Extracted()
    for f in extract_futures:
        part = f.result()
        extracted.records.extend(part.records)
        extracted.rejected.extend(part.rejected)
        extracted.yields.update(part.yields)
    extracted, alerts = validate_task(crawls, extracted, settings.warehouse_path, settings.docs_dir, run_id)
    for a in alerts:
        logger.warning("%s: %s", a["check"], a["message"])
    stats = load_task(settings.warehouse_path, run_id, crawls, extracted, settings.raw_dir)
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

    summary = RunSummary(run_id=run_id, started=run_started.isoformat(timespec="seconds"))
    summary = build_summary(summary, settings.warehouse_path, crawls, extracted, stats, run_started)
    summary.health = alerts
    if (settings.docs_dir / "index.html").is_file():
        summary.docs = str(settings.docs_dir / "index.html")
    summary.site = site_task(settings.warehouse_path, settings.site_dir, settings.docs_dir, alerts)
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
