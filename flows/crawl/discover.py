"""Discover: walk a source's list pages and collect the links to its reports.

Per column: the first page, then the next ones (a 下一页 link when the page has one, else
the source's pagination pattern), until max_pages, a 404, a page with no items, the
stated page count, or — incremental — a page whose report links are all known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx
from selectolax.lexbor import LexborHTMLParser, LexborNode

from flows.crawl.charset import decode_html
from flows.crawl.http import FetchFailure, OnRequest, PoliteClient
from flows.crawl.model import CrawlError, DocumentLink
from flows.sources.model import Source

_WS = re.compile(r"\s+")
_ELLIPSIS = ("…", "...", "..", "⋯")
# "共 5 页" in a pager, or TRS's createPageHTML(5, 0, "index", "shtml") / countPage = 5
_TOTAL_PAGES = (
    re.compile(r"共\s*(\d+)\s*页"),
    re.compile(r"createPageHTML\(\s*(\d+)"),
    re.compile(r"countPage\s*=\s*(\d+)"),
)


@dataclass(slots=True)
class DiscoverResult:
    # every report link on the pages visited, known ones included (the fetch revalidates
    # them cheaply with conditional GETs); see new_links for the unknown ones
    links: list[DocumentLink] = field(default_factory=list)
    pages_seen: int = 0
    requests: int = 0
    errors: list[CrawlError] = field(default_factory=list)
    known_urls: frozenset[str] = frozenset()

    @property
    def new_links(self) -> list[DocumentLink]:
        return [link for link in self.links if link.url not in self.known_urls]


@dataclass(frozen=True, slots=True)
class ListPage:
    """What one list page offers: its report links (filtered), how many items, where next."""

    links: tuple[tuple[str, str], ...]  # (url, title) passing the filter, page order
    items: int  # detail-looking links before the title filter
    next_url: str | None
    total_pages: int | None


# ── pure pieces ─────────────────────────────────────────────────────────────────────
def normalize_title(text: str) -> str:
    return _WS.sub(" ", text).strip()


def title_matches(title: str, include: Iterable[str], exclude: Iterable[str]) -> bool:
    """Any include word and no exclude word (spaces ignored); an empty include list takes all."""
    flat = _WS.sub("", title)
    words = [w for w in include if w]
    if words and not any(_WS.sub("", w) in flat for w in words):
        return False
    return not any(_WS.sub("", w) in flat for w in exclude if w)


def link_title(anchor: LexborNode) -> str:
    """The visible text, or the title attribute when the text is cut short (…) or missing."""
    text = normalize_title(anchor.text())
    attr = normalize_title(anchor.attributes.get("title") or "")
    if attr and (not text or text.endswith(_ELLIPSIS) or len(attr) > len(text)):
        return attr
    return text


def strip_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=""))


def page_url(first_url: str, pattern: str, n: int) -> str:
    """The URL of a later list page: `?page={n}` goes into the query, anything else
    replaces the first page's last path segment (`index_{n}.html`)."""
    filled = pattern.format(n=n)
    parts = urlsplit(first_url)
    if filled[0] in "?&":
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        query.update(parse_qsl(filled[1:], keep_blank_values=True))
        return urlunsplit(parts._replace(query=urlencode(query)))
    head = parts.path.rsplit("/", 1)[0]
    return urlunsplit(parts._replace(path=f"{head}/{filled}", query=""))


def _resolve(base: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        return None
    return strip_fragment(urljoin(base, href))


def _anchors(tree: LexborHTMLParser, selector: str) -> list[LexborNode]:
    out: list[LexborNode] = []
    for node in tree.css(selector):
        if node.tag == "a":
            out.append(node)
        else:  # the selector names the item (li, tr): take its first link
            a = node.css_first("a[href]")
            if a is not None:
                out.append(a)
    return out


def _next_url(tree: LexborHTMLParser, base: str, next_texts: tuple[str, ...]) -> str | None:
    wanted = {t.strip() for t in next_texts}
    for a in tree.css("a[href]"):
        label = normalize_title(a.text())
        if label in wanted or normalize_title(a.attributes.get("title") or "") in wanted:
            url = _resolve(base, a.attributes.get("href"))
            if url:
                return url
    return None


def _total_pages(html: str) -> int | None:
    for rx in _TOTAL_PAGES:
        m = rx.search(html)
        if m and int(m.group(1)) > 0:
            return int(m.group(1))
    return None


def parse_list_page(html: str, url: str, source: Source) -> ListPage:
    """The report links of a list page at `url` under the source's selector and filters."""
    tree = LexborHTMLParser(html)
    url_rx = re.compile(source.links.url_pattern) if source.links.url_pattern else None
    items = 0
    links: dict[str, str] = {}
    for a in _anchors(tree, source.links.item_selector):
        target = _resolve(url, a.attributes.get("href"))
        if not target or not source.host_allowed(target) or (url_rx and not url_rx.search(target)):
            continue
        items += 1
        title = link_title(a)
        if target not in links and title_matches(title, source.links.include, source.links.exclude):
            links[target] = title
    nxt = _next_url(tree, url, source.pagination.next_texts) if source.pagination.follow_next else None
    return ListPage(tuple(links.items()), items, nxt, _total_pages(html))


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
    result.requests = polite.requests - before
    return result


def _walk_column(
    first: str, source: Source, polite: PoliteClient, result: DiscoverResult, seen: set[str]
) -> None:
    pag = source.pagination
    visited: set[str] = set()
    url: str | None = first
    count = 0
    while url and count < pag.max_pages and url not in visited:
        visited.add(url)
        try:
            resp = polite.get(url, role="list")
        except FetchFailure as exc:
            # a 404 past the first page is how a pattern-paginated column ends
            if not (exc.kind == "not_found" and count > 0):
                result.errors.append(CrawlError(url, exc.kind, exc.message, exc.status))
            return
        count += 1
        result.pages_seen += 1
        html, _ = decode_html(resp.body, resp.charset)
        page = parse_list_page(html, resp.final_url, source)
        if page.items == 0:
            if count == 1:  # an empty first page is a changed site or a wrong selector, not an end
                result.errors.append(
                    CrawlError(url, "no_items", "no list item matches the source's selector")
                )
            return
        for link_url, title in page.links:
            if link_url not in seen:
                seen.add(link_url)
                result.links.append(DocumentLink(source=source.name, url=link_url, title=title, list_url=url))
        if result.known_urls and page.links and all(u in result.known_urls for u, _ in page.links):
            return
        if page.total_pages is not None and count >= page.total_pages:
            return
        url = _next_page(first, page, count, pag.pattern, pag.start, visited)


def _next_page(
    first: str, page: ListPage, count: int, pattern: str | None, start: int, visited: set[str]
) -> str | None:
    if page.next_url and page.next_url not in visited:
        return page.next_url
    if pattern:
        # count pages seen so far; the second page is n = start
        return page_url(first, pattern, start + count - 1)
    return None
