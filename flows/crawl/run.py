"""The crawl step for one source: discover its report links, fetch their bodies into the raw archive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from typing import Any

from flows.crawl.archive import RawArchive
from flows.crawl.discover import discover_links
from flows.crawl.fetch import fetch_documents
from flows.crawl.http import HostSchedule, make_client
from flows.crawl.incremental import IncrementalClient
from flows.crawl.model import FetchedDocument
from flows.kill_points import killing_on_request
from flows.progress import progress
from flows.sources.model import Source


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


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
    source: Source,
    archive: RawArchive,
    *,
    full_refresh: bool = False,
    known_urls: Set[str] = frozenset(),
    on_document: Callable[[FetchedDocument], None] | None = None,
    schedule: HostSchedule | None = None,
) -> CrawlOutcome:
    """Discover the source's report links and fetch their bodies into the raw archive.

    Incremental unless full_refresh: list pages, detail pages and attachments are asked for
    conditionally (a 304 reuses the archived body), and pagination stops at a list page
    whose report links are all in known_urls (what the warehouse already holds).
    on_document hears of each document as it is fetched; sources sharing a schedule share
    their hosts' pace.
    """
    started = utc_now()
    known = frozenset() if full_refresh else frozenset(known_urls)
    label = f"crawl {source.name}"

    def on_request(entry: dict[str, Any]) -> None:
        archive.append_log(entry)
        progress(label)

    with make_client(source) as client:
        polite = IncrementalClient(
            client,
            source,
            archive,
            full_refresh=full_refresh,
            on_request=killing_on_request(on_request),
            schedule=schedule,
        )
        found = discover_links(source, client, known, http=polite)
        fetched = fetch_documents(
            found.links,
            source,
            archive,
            client,
            full_refresh=full_refresh,
            http=polite,
            on_document=on_document,
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
