"""Source health: does each column's first list page still parse under its source file?"""

from __future__ import annotations

from dataclasses import dataclass

from flows.crawl import lists
from flows.crawl.http import FetchFailure, PoliteClient, make_client
from flows.crawl.lists.json_api import ListFormatError
from flows.sources.model import Source


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
