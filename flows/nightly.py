"""The nightly flow: wiring, batching and artifacts only; the steps live in flows.pipeline."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from flows import pipeline
from flows.alerts import post_webhook
from flows.crawl.archive import RawArchive
from flows.process import Extracted
from flows.report_run import build_summary
from flows.settings import get_settings
from flows.sources.model import Source, load_sources
from flows.summary import RunSummary, finding_rows, to_markdown


@task(name="crawl", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=5)
def crawl_task(source: Source, raw_dir: Path, full_refresh: bool) -> pipeline.CrawlOutcome:
    return pipeline.crawl_source(source, RawArchive(raw_dir), full_refresh=full_refresh)


@task(name="extract-parse", cache_policy=NO_CACHE)
def extract_task(outcome: pipeline.CrawlOutcome, raw_dir: Path) -> Extracted:
    """One batch per source: reading and parsing every document it fetched."""
    return pipeline.extract_documents(outcome.documents, RawArchive(raw_dir))


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(
    crawls: list[pipeline.CrawlOutcome], extracted: Extracted, db_path: Path, docs_dir: Path, run_id: str
) -> tuple[Extracted, list[dict]]:
    """The whole run at once, before the load: the suites (duplicates compare across sources and
    with the warehouse), the Data Docs, the run-health alerts."""
    alerts = pipeline.check_run(crawls, extracted, db_path, docs_dir, run_id)
    return extracted, alerts


@task(name="load-and-build", cache_policy=NO_CACHE)
def load_task(
    db_path: Path,
    run_id: str,
    crawls: list[pipeline.CrawlOutcome],
    extracted: Extracted,
    raw_dir: Path,
    run_started: dt.datetime,
):
    return pipeline.load_warehouse(db_path, run_id, crawls, extracted, RawArchive(raw_dir), run_started)


def select_sources(
    names: list[str] | None, base_url: str | None, sources_dir: Path | None = None
) -> list[Source]:
    """The named sources (all enabled ones when none are named), rebased onto base_url if given."""
    available = load_sources(sources_dir)
    if names:
        unknown = [n for n in names if n not in available]
        if unknown:
            raise ValueError(
                f"unknown source(s): {', '.join(unknown)}; known: {', '.join(sorted(available))}"
            )
        chosen = [available[n] for n in names]
    else:
        chosen = [s for s in available.values() if s.enabled]
    return [s.rebased(base_url) if base_url else s for s in chosen]


@flow(name="nightly", task_runner=ThreadPoolTaskRunner(max_workers=2), log_prints=True)
def nightly(
    sources: list[str] | None = None,
    base_url: str | None = None,
    home: str | None = None,
    full_refresh: bool = False,
) -> dict:
    """Fetch every source, parse and check its reports, and load them into the warehouse."""
    logger = get_run_logger()
    settings = get_settings(home=Path(home) if home else None)
    settings.home.mkdir(parents=True, exist_ok=True)
    run_started = pipeline.utc_now()
    run_id = pipeline.new_run_id()
    chosen = select_sources(sources, base_url)
    logger.info("run %s: %d source(s): %s", run_id, len(chosen), ", ".join(s.name for s in chosen))

    crawl_futures = [crawl_task.submit(s, settings.raw_dir, full_refresh) for s in chosen]
    crawls = [f.result() for f in crawl_futures]
    extract_futures = [extract_task.submit(c, settings.raw_dir) for c in crawls]
    extracted = Extracted()
    for f in extract_futures:
        part = f.result()
        extracted.records.extend(part.records)
        extracted.rejected.extend(part.rejected)
        extracted.yields.update(part.yields)
    for c in crawls:
        logger.info(
            "%s: %d list pages, %d documents, %d requests (%d not modified)",
            c.source,
            c.list_pages,
            len(c.documents),
            c.requests,
            c.not_modified,
        )
    extracted, alerts = validate_task(crawls, extracted, settings.warehouse_path, settings.docs_dir, run_id)
    for a in alerts:
        logger.warning("%s: %s", a["check"], a["message"])
    stats = load_task(settings.warehouse_path, run_id, crawls, extracted, settings.raw_dir, run_started)

    summary = RunSummary(run_id=run_id, started=run_started.isoformat(timespec="seconds"))
    summary = build_summary(summary, settings.warehouse_path, crawls, extracted, stats, run_started)
    summary.health = alerts
    if (settings.docs_dir / "index.html").is_file():
        summary.docs = str(settings.docs_dir / "index.html")
    summary.finished = pipeline.utc_now().isoformat(timespec="seconds")
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
    return summary.to_dict()
