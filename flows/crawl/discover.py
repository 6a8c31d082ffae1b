"""Discover: walk a source's list pages and collect the links to its reports.

Per column: the first page, then the next ones as the source's kind names them (a 下一页
link, a URL pattern, a script's page count, a JSON API's or data proxy's page parameter),
until max_pages, a 404, a page with no items, the stated page count, or — incremental — a
page whose report links are all known. A mobile twin of a page already found is the same
report.
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass, field

import httpx

from flows.crawl import lists
from flows.crawl.http import FetchFailure, OnRequest, PoliteClient
from flows.crawl.lists.base import (
    ListPage,
    link_title,
    normalize_title,
    strip_fragment,
    title_matches,
)
from flows.crawl.lists.json_api import ListFormatError
from flows.crawl.lists.static import page_url, parse_list_page
from flows.crawl.model import CrawlError, DocumentLink
from flows.sources.model import Source

__all__ = [
    "DiscoverResult",
    "ListPage",
    "discover_links",
    "link_title",
    "normalize_title",
    "page_url",
    "parse_list_page",
    "strip_fragment",
    "title_matches",
    "twin_key",
]


@dataclass(slots=True)
class DiscoverResult:
    # every report link on the pages visited, known ones included (the fetch revalidates
    # them cheaply with conditional GETs); see new_links for the unknown ones
    links: list[DocumentLink] = field(default_factory=list)
    pages_seen: int = 0
    requests: int = 0
    errors: list[CrawlError] = field(default_factory=list)
    known_urls: frozenset[str] = frozenset()
    twins: int = 0  # mobile twins dropped

    @property
    def new_links(self) -> list[DocumentLink]:
        return [link for link in self.links if link.url not in self.known_urls]


def twin_key(url: str, pattern: str | None) -> str:
    """The URL with its mobile-twin mark removed (t1_wap.html → t1.html)."""
    return re.sub(pattern, "", url, count=1) if pattern else url


# ── the walk ────────────────────────────────────────────────────────────────────────
def discover_links(
    source: Source,
    client: httpx.Client,
    known_urls: Set[str] = frozenset(),
    on_request: OnRequest | None = None,
    *,
    http: PoliteClient | None = None,
) -> DiscoverResult:
    """Every report link of the source's columns. Failures are collected, never raised.

    known_urls switches on incremental mode. on_request receives a fetch-log record for
    every request (pass RawArchive.append_log). Pass `http` to share one PoliteClient
    (rate limit, robots cache) with the fetch step.
    """
    polite = http or PoliteClient(client, source, on_request=on_request)
    before = polite.requests
    result = DiscoverResult(known_urls=frozenset(known_urls))
    seen: set[str] = set()
    for first in source.list_page_urls():
        _walk_column(first, source, polite, result, seen)
    _drop_twins(result, source.links.twin_pattern)
    result.requests = polite.requests - before
    return result


def _walk_column(
    first: str, source: Source, polite: PoliteClient, result: DiscoverResult, seen: set[str]
) -> None:
    kind = lists.kind_of(source)
    visited: set[str] = set()
    column_links: set[str] = set()
    req = kind.first(source, first)
    count = 0
    while req is not None and count < source.pagination.max_pages and req.key not in visited:
        visited.add(req.key)
        try:
            resp = lists.fetch(polite, req)
        except FetchFailure as exc:
            # a 404 past the first page is how a pattern-paginated column ends
            if not (exc.kind == "not_found" and count > 0):
                result.errors.append(CrawlError(req.url, exc.kind, exc.message, exc.status))
            return
        count += 1
        result.pages_seen += 1
        try:
            page: ListPage = kind.read(resp, req, source)
        except ListFormatError as exc:
            result.errors.append(CrawlError(req.url, "bad_list", str(exc)))
            return
        if page.items == 0:
            if count == 1:  # an empty first page is a changed site or a wrong selector, not an end
                result.errors.append(
                    CrawlError(req.url, "no_items", "no list item matches the source's selector")
                )
            return
        listed = page.links + page.final_accounts
        # a page listing only what earlier pages of this column did: a server that ignores the
        # page parameter (or a pager that loops) would otherwise be walked to max_pages
        repeated = bool(listed) and all(u in column_links for u, _ in listed)
        column_links.update(u for u, _ in listed)
        if repeated:
            return
        dates = dict(page.dates)
        for link_url, title in page.links:
            link = DocumentLink(source.name, link_url, title, req.url, list_date=dates.get(link_url, ""))
            _add(result, seen, link)
        for link_url, title in page.final_accounts:
            link = DocumentLink(
                source.name,
                link_url,
                title,
                req.url,
                sections="self_evaluation",
                list_date=dates.get(link_url, ""),
            )
            _add(result, seen, link)
        known, twin = result.known_urls, source.links.twin_pattern
        if known and listed and all(u in known or twin_key(u, twin) in known for u, _ in listed):
            return
        if page.total_pages is not None and count >= page.total_pages:
            return
        req = kind.next_request(page, req, source)


def _add(result: DiscoverResult, seen: set[str], link: DocumentLink) -> None:
    if link.url not in seen:
        seen.add(link.url)
        result.links.append(link)


def _drop_twins(result: DiscoverResult, pattern: str | None) -> None:
    """One link per report: a mobile twin goes when its desktop page is listed too."""
    if not pattern:
        return
    desktop = {link.url for link in result.links if twin_key(link.url, pattern) == link.url}
    kept: list[DocumentLink] = []
    wap_seen: set[str] = set()
    for link in result.links:
        key = twin_key(link.url, pattern)
        if key != link.url and (key in desktop or key in wap_seen):
            result.twins += 1
            continue
        wap_seen.add(key)
        kept.append(link)
    result.links = kept
