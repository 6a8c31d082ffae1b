"""A batch of sources: crawled together, their documents read as they arrive, the results
written to the run's folder. What a batch returns is a reference (paths and counts), so the
orchestrator never carries a night's documents or reports from task to task.
"""

from __future__ import annotations

import pickle
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flows.crawl.archive import RawArchive
from flows.crawl.http import HostSchedule
from flows.crawl.run import CrawlOutcome, crawl_source
from flows.reports.extract import Rejected
from flows.reports.parse_cache import ParseCache
from flows.reports.stream import DocumentStream, Spilled
from flows.sources.model import Source
from warehouse.reads import known_page_urls_by_source

# sources of one batch crawled at once (each at its own host's pace)
CRAWLS_PER_BATCH = 8


@dataclass(slots=True)
class BatchRef:
    """Where a batch's results are and how many there were."""

    index: int
    sources: list[str]
    path: str  # the batch's pickle: crawl outcomes and each source's Spilled
    documents: int = 0
    reports: int = 0
    rejected: int = 0
    from_cache: int = 0
    seconds: float = 0.0
    # per source: what its crawl did (the operator's log line)
    crawled: list[dict[str, object]] = field(default_factory=list)


@dataclass(slots=True)
class BatchResult:
    crawls: list[CrawlOutcome] = field(default_factory=list)
    spilled: list[Spilled] = field(default_factory=list)

    @property
    def rejected(self) -> list[Rejected]:
        return [r for s in self.spilled for r in s.rejected]


def _host(source: Source) -> str:
    return urlsplit(source.base_url).netloc.lower()


def plan_batches(sources: list[Source], max_batches: int) -> list[list[Source]]:
    """Sources grouped into at most max_batches batches; sources of one host stay in one batch,
    so that host's pace is kept by one process however the batches are spread."""
    by_host: dict[str, list[Source]] = {}
    for s in sources:
        by_host.setdefault(_host(s), []).append(s)
    batches: list[list[Source]] = [[] for _ in range(max(1, min(max_batches, len(by_host))))]
    # biggest hosts first, each to the emptiest batch: even batches, same plan every night
    for group in sorted(by_host.values(), key=lambda g: (-len(g), g[0].name)):
        min(batches, key=len).extend(group)
    return [sorted(b, key=lambda s: s.name) for b in batches if b]


def collect_batch(
    sources: list[Source],
    index: int,
    run_dir: Path,
    raw_dir: Path,
    cache_dir: Path,
    db_path: Path,
    *,
    full_refresh: bool = False,
    workers: int | None = None,
) -> BatchRef:
    """Crawl the sources (incremental unless full_refresh) and read every document as it is
    fetched; the outcomes go to <run_dir>/batch-NNNN.pkl, each source's records to its own
    spill file beside it."""
    started = time.perf_counter()
    archive = RawArchive(raw_dir)
    cache = None if full_refresh else ParseCache(cache_dir)
    known = (
        {s.name: frozenset() for s in sources}
        if full_refresh
        else known_page_urls_by_source(db_path, [s.name for s in sources])
    )
    schedule = HostSchedule()
    run_dir.mkdir(parents=True, exist_ok=True)

    def one(source: Source) -> tuple[CrawlOutcome, Spilled]:
        stream = DocumentStream(
            archive,
            run_dir / f"{source.name}.records.pkl",
            cache=cache,
            workers=workers,
            label=f"parse {source.name}",
        )
        try:
            outcome = crawl_source(
                source,
                archive,
                full_refresh=full_refresh,
                known_urls=known.get(source.name, frozenset()),
                on_document=stream.add,
                schedule=schedule,
            )
        finally:
            spilled = stream.finish()
        return outcome, spilled

    result = BatchResult()
    with ThreadPoolExecutor(max_workers=max(1, min(CRAWLS_PER_BATCH, len(sources)))) as pool:
        for outcome, spilled in pool.map(one, sources):
            result.crawls.append(outcome)
            result.spilled.append(spilled)
    path = run_dir / f"batch-{index:04d}.pkl"
    with open(path, "wb") as f:
        pickle.dump(result, f, protocol=pickle.HIGHEST_PROTOCOL)
    return BatchRef(
        index=index,
        sources=[s.name for s in sources],
        path=str(path),
        documents=sum(s.documents for s in result.spilled),
        reports=sum(s.records for s in result.spilled),
        rejected=len(result.rejected),
        from_cache=sum(s.from_cache for s in result.spilled),
        seconds=time.perf_counter() - started,
        crawled=[_crawl_facts(c, sp) for c, sp in zip(result.crawls, result.spilled, strict=True)],
    )


def _crawl_facts(c: CrawlOutcome, spilled: Spilled) -> dict[str, object]:
    return {
        "source": c.source,
        "list_pages": c.list_pages,
        "links": c.links,
        "documents": len(c.documents),
        "requests": c.requests,
        "not_modified": c.not_modified,
        "bodies_downloaded": c.bodies_downloaded,
        "errors": len(c.errors),
        "walked_in_full": c.walked_in_full,
        "seconds": round((c.finished - c.started).total_seconds(), 2),
        "from_cache": spilled.from_cache,
        "reports": spilled.records,
        "rejected": len(spilled.rejected),
    }


def read_batch(ref: BatchRef) -> BatchResult:
    with open(ref.path, "rb") as f:
        return pickle.load(f)
