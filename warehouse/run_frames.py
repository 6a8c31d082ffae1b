"""A run's frames for the load: its reports, documents, fetch-log lines and per-source counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from flows.crawl.archive import RawArchive
from flows.crawl.model import FetchedDocument
from flows.crawl.run import CrawlOutcome
from flows.reports.extract import Extracted
from warehouse.frames import documents_frame, fetch_log_frame, records_to_frames, runs_frame


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


def run_frames(
    run_id: str,
    crawls: list[CrawlOutcome],
    extracted: Extracted,
    archive: RawArchive,
    loaded_at: dt.datetime,
    loaded_until: dt.datetime | None,
    record_frames: dict[str, pl.DataFrame] | None = None,
) -> dict[str, pl.DataFrame]:
    """Every table's frame of the run. `loaded_until` is the latest request the warehouse already
    holds (warehouse.reads.fetch_log_loaded_until): fetch-log lines after it are loaded, so the
    requests of a run killed before its load arrive with the run that finishes its work.
    record_frames: the reports' frames made already (a night streamed from its spill files,
    records_to_frames chunk by chunk); else they are made from extracted.records."""
    frames = (
        dict(record_frames)
        if record_frames is not None
        else records_to_frames(extracted.records, run_id, loaded_at)
    )
    documents = [d for c in crawls for d in c.documents]
    frames["raw.documents"] = documents_frame(document_rows(documents, extracted, run_id))
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
    return frames
