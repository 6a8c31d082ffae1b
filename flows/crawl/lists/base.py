"""What every list kind hands the walk: the request for a page, and what the page offers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborNode

from flows.sources.model import Source

_WS = re.compile(r"\s+")
_DATE = re.compile(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})")
_ELLIPSIS = ("…", "...", "..", "⋯")


@dataclass(frozen=True, slots=True)
class ListRequest:
    """One list page to ask for. `n` counts pages from 1 within the column."""

    column: str  # the column's first list page, as the source names it
    url: str
    n: int = 1
    method: str = "GET"
    body: bytes = b""
    content_type: str = ""

    @property
    def key(self) -> str:
        return f"{self.method} {self.url} {self.body.decode('utf-8', errors='replace')}"


@dataclass(frozen=True, slots=True)
class ListPage:
    """What one list page offers: its report links (filtered), how many items, where next."""

    links: tuple[tuple[str, str], ...]  # (url, title) passing the filter, page order
    items: int  # detail-looking links before the title filter
    next_url: str | None
    total_pages: int | None
    # (url, title) of 部门决算 pages the source opted in to (links.final_accounts)
    final_accounts: tuple[tuple[str, str], ...] = ()
    # url → YYYY-MM-DD where the list states a date (JSON date_field, a data proxy's <span>)
    dates: tuple[tuple[str, str], ...] = ()


def list_date(text: str | None) -> str | None:
    """YYYY-MM-DD from a list's date text (2024-06-01, 2024/6/1, 2024年6月1日 12:00)."""
    m = _DATE.search(text or "")
    if not m:
        return None
    y, mo, d = (int(x) for x in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}" if 1 <= mo <= 12 and 1 <= d <= 31 else None


def normalize_title(text: str) -> str:
    return _WS.sub(" ", text).strip()


def title_matches(title: str, include: Iterable[str], exclude: Iterable[str]) -> bool:
    """Any include word and no exclude word (spaces ignored); an empty include list takes all."""
    flat = _WS.sub("", title)
    words = [w for w in include if w]
    if words and not any(_WS.sub("", w) in flat for w in words):
        return False
    return not any(_WS.sub("", w) in flat for w in exclude if w)


def is_final_accounts(title: str, source: Source) -> bool:
    """A title the source opted in to as a 部门决算 (an exclude word that is a final-accounts word
    does not count against it; any other exclude word does)."""
    words = source.links.final_accounts
    if not words:
        return False
    flat = _WS.sub("", title)
    if not any(_WS.sub("", w) in flat for w in words if w):
        return False
    others = [w for w in source.links.exclude if not any(w in f or f in w for f in words)]
    return not any(_WS.sub("", w) in flat for w in others if w)


def link_title(anchor: LexborNode) -> str:
    """The visible text, or the title attribute when the text is cut short (…) or missing."""
    text = normalize_title(anchor.text())
    attr = normalize_title(anchor.attributes.get("title") or "")
    if attr and (not text or text.endswith(_ELLIPSIS) or len(attr) > len(text)):
        return attr
    return text


def strip_fragment(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(fragment=""))


def resolve(base: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        return None
    return strip_fragment(urljoin(base, href))


def sort_links(
    found: Iterable[tuple[str, str]], source: Source
) -> tuple[int, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(items, report links, final-accounts links) of the (url, title) pairs a page lists.

    An item is a link on an allowed host that matches the source's url_pattern; reports
    pass the title filter; final accounts are the opted-in 部门决算 titles.
    """
    url_rx = re.compile(source.links.url_pattern) if source.links.url_pattern else None
    items = 0
    reports: dict[str, str] = {}
    finals: dict[str, str] = {}
    for url, title in found:
        if not source.host_allowed(url) or (url_rx and not url_rx.search(url)):
            continue
        items += 1
        if url in reports or url in finals:
            continue
        if title_matches(title, source.links.include, source.links.exclude):
            reports[url] = title
        elif is_final_accounts(title, source):
            finals[url] = title
    return items, tuple(reports.items()), tuple(finals.items())
