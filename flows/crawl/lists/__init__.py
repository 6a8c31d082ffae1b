"""One module per kind of list endpoint, chosen by the source file's `kind`.

Each module has `first(source, column_url)`, `read(response, request, source)` → ListPage
and `next_request(page, request, source)`; flows/crawl/discover.py walks them alike.
"""

from __future__ import annotations

from types import ModuleType

from flows.crawl.http import HttpResponse, PoliteClient
from flows.crawl.lists import dataproxy, json_api, script, static, vsb
from flows.crawl.lists.base import ListPage, ListRequest
from flows.sources.model import Source

KINDS: dict[str, ModuleType] = {
    "static": static,
    "script": script,
    "vsb": vsb,
    "json": json_api,
    "dataproxy": dataproxy,
}


def kind_of(source: Source) -> ModuleType:
    return KINDS[source.kind]


def fetch(polite: PoliteClient, req: ListRequest) -> HttpResponse:
    """GET or POST one list page with the source's manners (raises FetchFailure)."""
    if req.method == "POST":
        return polite.post(req.url, req.body, req.content_type, role="list")
    return polite.get(req.url, role="list")


__all__ = ["KINDS", "ListPage", "ListRequest", "fetch", "kind_of"]
