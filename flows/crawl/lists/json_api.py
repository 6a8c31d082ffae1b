"""JSON list APIs: page n asked for by a page parameter (GET query or POST form/JSON), the
records at a dotted path, title/url/date read from fields named in the source file."""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import urljoin

from flows.crawl.http import HttpResponse
from flows.crawl.lists import api_request
from flows.crawl.lists.base import (
    ListPage,
    ListRequest,
    list_date,
    normalize_title,
    sort_links,
    strip_fragment,
)
from flows.sources.model import Source


class ListFormatError(ValueError):
    """An answer that is not the list the source file describes."""


def at_path(data: Any, path: str) -> Any:
    """`data.list` → data["data"]["list"]; a number in the path indexes a list."""
    node = data
    for part in (p for p in path.split(".") if p):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _request(source: Source, column_url: str, n: int) -> ListRequest:
    api = source.api
    assert api is not None
    page = {api.page_param: str(api.page_start + n - 1)}
    if api.page_size_param:
        page[api.page_size_param] = str(api.page_size)
    return api_request.build(source, column_url, n, {}, page)


def first(source: Source, column_url: str) -> ListRequest:
    return _request(source, column_url, 1)


def read(resp: HttpResponse, req: ListRequest, source: Source) -> ListPage:
    api = source.api
    assert api is not None
    try:
        data = json.loads(resp.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ListFormatError(f"not JSON: {exc}") from exc
    records = at_path(data, api.records_path)
    if records is None:
        records = []
    if not isinstance(records, list):
        raise ListFormatError(f"{api.records_path} is a {type(records).__name__}, not a list of records")
    found = []
    dates: dict[str, str] = {}
    for record in records:
        if not isinstance(record, dict):
            continue
        url, title = record.get(api.url_field), record.get(api.title_field)
        if isinstance(url, str) and url.strip() and isinstance(title, str):
            # relative record URLs are read against the column's page, which shows them
            target = strip_fragment(urljoin(req.column, url.strip()))
            found.append((target, normalize_title(title)))
            day = list_date(str(record.get(api.date_field) or "")) if api.date_field else None
            if day:
                dates[target] = day
    items, links, finals = sort_links(found, source)
    return ListPage(links, items, None, _total_pages(data, source), finals, tuple(dates.items()))


def _total_pages(data: Any, source: Source) -> int | None:
    api = source.api
    assert api is not None
    if api.total_pages_path:
        value = at_path(data, api.total_pages_path)
        if isinstance(value, int | str) and str(value).isdigit():
            return int(value)
    if api.total_records_path:
        value = at_path(data, api.total_records_path)
        if isinstance(value, int | str) and str(value).isdigit():
            return max(1, math.ceil(int(value) / api.page_size))
    return None


def next_request(page: ListPage, req: ListRequest, source: Source) -> ListRequest | None:
    return _request(source, req.column, req.n + 1)
