"""Reading documents as they are fetched, on every core, with the results spilled to disk.

The crawl hands each document over as soon as it is in the raw archive; a shared pool of
reader threads sends it to a budget worker process (flows/documents/budget.py), so as many
documents are read at once as there are workers, whatever the number of sources. Finished
documents are taken in arrival order: their reports go to a spill file, one page at a time,
and only the small facts (rejections, yields) stay in memory, so a night's size does not
decide the process's memory.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import tempfile
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from flows.contract import keys
from flows.contract.report import Report, ReportRecord
from flows.crawl.archive import RawArchive
from flows.crawl.model import FetchedDocument
from flows.documents.model import ExtractError
from flows.kill_points import kill_point
from flows.progress import progress
from flows.reports.extract import Extracted, Rejected, reports_from_bytes
from flows.reports.merge import merge_page_records
from flows.reports.parse_cache import ParseCache
from flows.reports.read_safely import safe_call

_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def default_workers() -> int:
    """One reader per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def reading_pool(workers: int) -> ThreadPoolExecutor:
    """The process's reader threads (one budget worker each): shared by every batch read at
    once, so two sources in two threads still keep `workers` processes busy, not twice that."""
    with _pools_lock:
        pool = _pools.get(workers)
        if pool is None:
            pool = _pools[workers] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="read")
        return pool


def reports_from_archive(
    raw_path: str, *, cache_dir: str | None, fingerprint: str | None, key: str, **kwargs: object
) -> list[Report]:
    """In the worker: read one archived body, parse it and (with a cache) store the result, so
    the run's process neither reads the bytes nor serialises the reports twice."""
    with open(raw_path, "rb") as f:
        data = f.read()
    reports = reports_from_bytes(data, **kwargs)  # type: ignore[arg-type]
    if cache_dir is not None:
        ParseCache(Path(cache_dir), fingerprint).put(key, reports)
    return reports


@dataclass(slots=True)
class _Pending:
    doc: FetchedDocument
    result: Future[tuple[list[Report], ExtractError | None]] | None = None
    cached: list[Report] | None = None


@dataclass(slots=True)
class Spilled:
    """What a stream read: rejections and yields in memory, the records in a spill file."""

    records_path: Path
    records: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    yields: dict[str, int] = field(default_factory=dict)
    documents: int = 0
    from_cache: int = 0
    # per record, in spill order: (source, report_key, report_id), for the checks that need the
    # whole night (unchanged? lost?) without reading the records back
    keys: list[tuple[str, str, str]] = field(default_factory=list)


class DocumentStream:
    """Documents in (from any thread that fetches), reports out in the order they came in.

    `add` never waits for a read, except when more than `ahead` documents are in flight: then
    it waits for the oldest, so a fast crawl cannot pile up work in memory.
    """

    def __init__(
        self,
        archive: RawArchive,
        records_path: Path,
        *,
        cache: ParseCache | None = None,
        today: dt.date | None = None,
        workers: int | None = None,
        label: str = "parse",
    ) -> None:
        self.archive = archive
        self.cache = cache
        self.today = today
        self.year = (today or dt.date.today()).year
        self.workers = workers or default_workers()
        self.pool = reading_pool(self.workers)
        self.ahead = 4 * self.workers
        self.label = label
        self.out = Spilled(records_path)
        self._pending: deque[_Pending] = deque()
        self._lock = threading.Lock()
        self._page: list[ReportRecord] = []
        self._page_url: str | None = None
        records_path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[bytes] = open(records_path, "wb")  # noqa: SIM115 (closed by finish)

    def add(self, doc: FetchedDocument) -> None:
        name = doc.url.rsplit("/", 1)[-1] or doc.url
        cache = self.cache
        key = (
            cache.key(doc.sha256, name, doc.content_type, doc.page_meta, doc.title, self.year, doc.sections)
            if cache
            else ""
        )
        item = _Pending(doc)
        item.cached = cache.get(key) if cache else None
        if item.cached is None:
            item.result = self.pool.submit(
                safe_call,
                reports_from_archive,
                name,
                str(self.archive.path(doc.sha256)),
                cache_dir=str(cache.root.parent) if cache else None,
                fingerprint=cache.fingerprint if cache else None,
                key=key,
                name=name,
                sha256=doc.sha256,
                content_type=doc.content_type,
                page_meta=doc.page_meta,
                page_title=doc.title,
                sections=doc.sections,
                today=self.today,
            )
        with self._lock:
            self._pending.append(item)
            self.out.documents += 1
            progress(self.label, 0, self.out.documents)
            self._drain(wait=len(self._pending) > self.ahead)

    def finish(self) -> Spilled:
        """Wait for every document, write the last page's records, close the spill file."""
        with self._lock:
            while self._pending:
                self._drain(wait=True)
            self._flush_page()
            self._file.close()
        return self.out

    def _drain(self, *, wait: bool) -> None:
        """Take finished documents from the front, in order (the oldest waited for when `wait`)."""
        while self._pending:
            head = self._pending[0]
            if head.result is not None and not head.result.done() and not wait:
                return
            self._pending.popleft()
            wait = False
            self._take(head)

    def _take(self, item: _Pending) -> None:
        doc = item.doc
        if item.cached is not None:
            reports, error = item.cached, None
            self.out.from_cache += 1
        else:
            assert item.result is not None
            reports, error = item.result.result()
        progress(self.label)
        kill_point("parse", self.out.documents - len(self._pending))
        if error is not None:
            self.out.rejected.append(Rejected(doc.url, doc.sha256, error.kind, error.message, doc.url))
            self.out.yields[doc.sha256] = 0
            return
        self.out.yields[doc.sha256] = len(reports)
        if doc.page_url != self._page_url:
            self._flush_page()
            self._page_url = doc.page_url
        self._page += [ReportRecord(r, doc.source, doc.url, doc.page_url, doc.fetched_at) for r in reports]

    def _flush_page(self) -> None:
        """One page's records, merged (a PDF and its DOCX are one report), into the spill file."""
        if self._page:
            merged = merge_page_records(self._page)
            pickle.dump(merged, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self.out.records += len(merged)
            for rec in merged:
                key = keys.report_key(rec.report)
                self.out.keys.append(
                    (rec.source or "", key, keys.report_id(key, keys.content_hash(rec.report)))
                )
        self._page = []


def spilled_records(path: Path) -> Iterator[ReportRecord]:
    """The records a stream spilled, in order, one page's worth in memory at a time."""
    with open(path, "rb") as f:
        while True:
            try:
                chunk: list[ReportRecord] = pickle.load(f)
            except EOFError:
                return
            yield from chunk


def spilled_chunks(spilled: list[Spilled], size: int) -> Iterator[list[ReportRecord]]:
    """The records of several spill files, in order, `size` at a time."""
    chunk: list[ReportRecord] = []
    for s in spilled:
        for rec in spilled_records(s.records_path):
            chunk.append(rec)
            if len(chunk) >= size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def extracted_from(spilled: list[Spilled]) -> Extracted:
    """Everything the streams read, in memory (for steps that still need the whole run)."""
    out = Extracted()
    for s in spilled:
        out.records.extend(spilled_records(s.records_path))
        out.rejected.extend(s.rejected)
        out.yields.update(s.yields)
    return out


def extract_documents(
    documents: list[FetchedDocument],
    archive: RawArchive,
    today: dt.date | None = None,
    *,
    cache: ParseCache | None = None,
    workers: int | None = None,
) -> Extracted:
    """Read and parse every fetched document, on every core; failures are listed, never raised.

    With a cache, a document parsed before (same bytes, page facts and parser code) is not
    read again: its reports come from the cache.
    """
    label = f"parse {documents[0].source}" if documents else "parse"
    with tempfile.TemporaryDirectory(prefix="govperf-extract-") as tmp:
        stream = DocumentStream(
            archive, Path(tmp) / "records.pkl", cache=cache, today=today, workers=workers, label=label
        )
        for doc in documents:
            stream.add(doc)
        return extracted_from([stream.finish()])
