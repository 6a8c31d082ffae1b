"""The nightly pipeline's steps as plain functions: crawl, extract, validate, load, summarise.

flows/nightly.py wraps them in Prefect tasks; tests and benchmarks call them directly.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from expectations.current import read_current_reports
from expectations.runner import check_records
from flows import health, recovery
from flows.crawl import lists
from flows.crawl.archive import RawArchive
from flows.crawl.discover import discover_links
from flows.crawl.fetch import fetch_documents
from flows.crawl.http import FetchFailure, PoliteClient, make_client
from flows.crawl.lists.json_api import ListFormatError
from flows.crawl.model import FetchedDocument
from flows.process import Extracted, Rejected, safe_reports_from_bytes
from flows.reports.merge import merge_page_records
from flows.reports.model import ReportRecord
from flows.sources.model import Source


def new_run_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# ── progress, for interactive runs ──────────────────────────────────────────────────
# (task label, steps done, total or None). The CLI sets it to draw rich progress bars; in a
# scheduled run nobody listens. A module global, not a parameter: the steps run inside
# Prefect tasks, whose arguments are recorded and must not be callables.
ProgressHook = Callable[[str, int, int | None], None]
_progress: ProgressHook | None = None
_progress_lock = threading.Lock()


def set_progress(hook: ProgressHook | None) -> None:
    global _progress
    with _progress_lock:
        _progress = hook


def progress(label: str, advance: int = 1, total: int | None = None) -> None:
    hook = _progress
    if hook is not None:
        hook(label, advance, total)


@dataclass(slots=True)
class CrawlOutcome:
    source: str
    started: dt.datetime
    finished: dt.datetime
    documents: list[FetchedDocument] = field(default_factory=list)
    links: int = 0
    list_pages: int = 0
    requests: int = 0
    not_modified: int = 0
    bodies_downloaded: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    # False when discovery may have stopped at a page of known links (incremental): reports
    # on the pages after it were not looked at, so their absence here says nothing
    walked_in_full: bool = True


def crawl_source(
    source: Source, archive: RawArchive, *, full_refresh: bool = False, known_urls: Set[str] = frozenset()
) -> CrawlOutcome:
    """Discover the source's report links and fetch their bodies into the raw archive.

    Incremental unless full_refresh: list pages, detail pages and attachments are asked for
    conditionally (a 304 reuses the archived body), and pagination stops at a list page
    whose report links are all in known_urls (what the warehouse already holds).
    """
    started = utc_now()
    known = frozenset() if full_refresh else frozenset(known_urls)
    label = f"crawl {source.name}"

    def on_request(entry: dict[str, Any]) -> None:
        archive.append_log(entry)
        progress(label)

    with make_client(source) as client:
        polite = recovery.IncrementalClient(
            client,
            source,
            archive,
            full_refresh=full_refresh,
            on_request=recovery.killing_on_request(on_request),
        )
        found = discover_links(source, client, known, http=polite)
        fetched = fetch_documents(
            found.links, source, archive, client, full_refresh=full_refresh, http=polite
        )
    progress(label, 0, polite.requests)  # the total is known only now: the bar ends full
    errors = [_error_dict(e) for e in (*found.errors, *fetched.errors)]
    return CrawlOutcome(
        source=source.name,
        started=started,
        finished=utc_now(),
        documents=fetched.documents,
        links=len(found.links),
        list_pages=found.pages_seen,
        requests=found.requests + fetched.requests,
        not_modified=fetched.not_modified + polite.lists_not_modified,
        bodies_downloaded=fetched.bodies_downloaded,
        errors=errors,
        walked_in_full=not known,
    )


def _error_dict(error: Any) -> dict[str, Any]:
    return {k: getattr(error, k, None) for k in ("url", "kind", "message")}


def extract_documents(
    documents: list[FetchedDocument],
    archive: RawArchive,
    today: dt.date | None = None,
    *,
    cache: recovery.ParseCache | None = None,
) -> Extracted:
    """Read and parse every fetched document; failures are listed, never raised.

    With a cache, a document parsed before (same bytes, page facts and parser code) is not
    read again: its reports come from the cache.
    """
    out = Extracted()
    year = (today or dt.date.today()).year
    label = f"parse {documents[0].source}" if documents else "parse"
    progress(label, 0, len(documents))
    for n, doc in enumerate(documents, 1):
        name = doc.url.rsplit("/", 1)[-1] or doc.url
        key = (
            cache.key(doc.sha256, name, doc.content_type, doc.page_meta, doc.title, year, doc.sections)
            if cache
            else ""
        )
        reports = cache.get(key) if cache else None
        error = None
        if reports is None:
            reports, error = safe_reports_from_bytes(
                archive.read(doc.sha256),
                name=name,
                sha256=doc.sha256,
                content_type=doc.content_type,
                page_meta=doc.page_meta,
                page_title=doc.title,
                today=today,
                sections=doc.sections,
            )
            if cache and error is None:
                cache.put(key, reports)
        progress(label)
        recovery.kill_point("parse", n)
        if error is not None:
            out.rejected.append(Rejected(doc.url, doc.sha256, error.kind, error.message, doc.url))
            out.yields[doc.sha256] = 0
            continue
        out.yields[doc.sha256] = len(reports)
        for report in reports:
            out.records.append(ReportRecord(report, doc.source, doc.url, doc.page_url, doc.fetched_at))
    out.records = merge_page_records(out.records)
    return out


def validate_records(
    records: list[ReportRecord],
    today: dt.date | None = None,
    *,
    current: pl.DataFrame | None = None,
    fetched_urls: frozenset[str] = frozenset(),
    docs_dir: Path | None = None,
    run_name: str | None = None,
) -> Path | None:
    """Run the GX suites; each record gets its findings (and its report its `dq`).

    With `current` (the warehouse's current reports, read before the load), also the
    warehouse-level duplicate check; `fetched_urls` are the documents this run read, whose
    stored reports this run's reading replaces. With `docs_dir`, the run's GX Data Docs are
    built there; returns the index page.
    """
    return check_records(
        records, today, current=current, fetched_locations=fetched_urls, docs_dir=docs_dir, run_name=run_name
    )


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
    validate_records(
        extracted.records, today, current=current, fetched_urls=fetched, docs_dir=docs_dir, run_name=run_id
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


def document_rows(
    documents: list[FetchedDocument], extracted: Extracted, run_id: str
) -> list[dict[str, Any]]:
    rejected = {r.sha256: r for r in extracted.rejected}
    rows = []
    for d in documents:
        bad = rejected.get(d.sha256)
        rows.append(
            {
                "sha256": d.sha256,
                "source": d.source,
                "url": d.url,
                "page_url": d.page_url,
                "title": d.title,
                "format": d.format,
                "publisher": d.page_meta.get("publisher"),
                "published_date": d.page_meta.get("published_date"),
                "index_no": d.page_meta.get("index_no"),
                "fetched_at": d.fetched_at,
                "status": "rejected" if bad else "parsed",
                "error_kind": bad.kind if bad else None,
                "error_message": bad.message if bad else None,
                "reports": extracted.yields.get(d.sha256, 0),
                "run_id": run_id,
            }
        )
    return rows


def load_warehouse(
    db_path: Path,
    run_id: str,
    crawls: list[CrawlOutcome],
    extracted: Extracted,
    archive: RawArchive,
    run_started: dt.datetime,
):
    """Merge the run into the warehouse (one transaction, built aside and swapped in)."""
    from warehouse.frames import documents_frame, fetch_log_frame, records_to_frames, runs_frame
    from warehouse.load import load_run

    loaded_at = utc_now()
    frames = records_to_frames(extracted.records, run_id, loaded_at)
    documents = [d for c in crawls for d in c.documents]
    frames["raw.documents"] = documents_frame(document_rows(documents, extracted, run_id))
    # from the last request the warehouse holds, not from this run's start: the requests of
    # a run killed before its load arrive with the run that finishes its work
    loaded_until = recovery.fetch_log_loaded_until(db_path)
    since = loaded_until.isoformat() if loaded_until else ""
    frames["raw.fetch_log"] = fetch_log_frame(
        e for e in archive.read_log() if str(e.get("fetched_at", "")) >= since
    )
    rejected_by_source: dict[str, int] = {}
    by_url = {d.url: d.source for d in documents}
    for r in extracted.rejected:
        src = by_url.get(r.url or "", "")
        rejected_by_source[src] = rejected_by_source.get(src, 0) + 1
    frames["core.runs"] = runs_frame(
        {
            "run_id": run_id,
            "source": c.source,
            "started": c.started,
            "finished": loaded_at,
            "requests": c.requests,
            "not_modified": c.not_modified,
            "bodies_downloaded": c.bodies_downloaded,
            "documents": len(c.documents),
            "errors": len(c.errors) + rejected_by_source.get(c.source, 0),
        }
        for c in crawls
    )
    progress("load", 0, 1)
    recovery.kill_while_loading(db_path)
    stats = load_run(db_path, frames, run_id)
    progress("load")
    return stats


# ── source health ───────────────────────────────────────────────────────────────────
@dataclass(slots=True)
class ListPageHealth:
    """Whether one column's first list page still parses under its source file."""

    source: str
    url: str
    status: int | None = None
    items: int = 0  # list items the selector matches
    links: int = 0  # of them, report links (title filter passed)
    pagination: str = ""  # how a next page is announced: "next link", "N pages", or ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        # no items at all: the site changed its layout or the selector is wrong; a page of
        # items none of which is a report (yet) is normal for a new year's column
        return self.error is None and self.items > 0


def check_source(source: Source) -> list[ListPageHealth]:
    """Fetch the first list page of each of the source's columns and parse it (no archive, no log)."""
    kind = lists.kind_of(source)
    out: list[ListPageHealth] = []
    with make_client(source) as client:
        polite = PoliteClient(client, source)
        for url in source.list_page_urls():
            health_ = ListPageHealth(source.name, url)
            out.append(health_)
            req = kind.first(source, url)
            try:
                resp = lists.fetch(polite, req)
                page = kind.read(resp, req, source)
            except FetchFailure as exc:
                health_.status, health_.error = exc.status, f"{exc.kind}: {exc.message}"
                continue
            except ListFormatError as exc:
                health_.status, health_.error = resp.status, f"bad_list: {exc}"
                continue
            health_.status = resp.status
            health_.items, health_.links = page.items, len(page.links) + len(page.final_accounts)
            if page.next_url:
                health_.pagination = "next link"
            elif page.total_pages:
                health_.pagination = f"{page.total_pages} page{'' if page.total_pages == 1 else 's'} stated"
            elif source.kind in ("json", "dataproxy"):
                health_.pagination = (
                    f"{source.api.page_param if source.kind == 'json' else 'startrecord'} parameter"  # type: ignore[union-attr]
                )
            if health_.items == 0:
                health_.error = "no_items: no list item matches the source's selector"
    return out
