"""Hanweb/JCMS data proxies: `POST …/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=15&perpage=15`
with the column in the form (columnid, unitid, webid …), answering XML whose `<record>`s hold
`<![CDATA[<li><a href=…>title</a><span>date</span></li>]]>` and `<totalrecord>`."""

from __future__ import annotations

import math
import re

from selectolax.lexbor import LexborHTMLParser

from flows.crawl.http import HttpResponse
from flows.crawl.lists import api_request
from flows.crawl.lists.base import ListPage, ListRequest, link_title, list_date, resolve, sort_links
from flows.documents.charset import decode_html
from flows.sources.model import Source

_RECORD = re.compile(r"<record>\s*(?:<!\[CDATA\[(.*?)\]\]>|(.*?))\s*</record>", re.DOTALL | re.IGNORECASE)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.IGNORECASE)


def _request(source: Source, column_url: str, n: int) -> ListRequest:
    api = source.api
    assert api is not None
    size = api.page_size
    query = {"startrecord": str((n - 1) * size + 1), "endrecord": str(n * size), "perpage": str(size)}
    return api_request.build(source, column_url, n, query, {})


def first(source: Source, column_url: str) -> ListRequest:
    return _request(source, column_url, 1)


def read(resp: HttpResponse, req: ListRequest, source: Source) -> ListPage:
    api = source.api
    assert api is not None
    text, _ = decode_html(resp.body, resp.charset)
    found = []
    dates: dict[str, str] = {}
    # the records' links are relative to the column page that shows them, not to the proxy
    for m in _RECORD.finditer(text):
        tree = LexborHTMLParser(m.group(1) if m.group(1) is not None else m.group(2))
        a = tree.css_first("a[href]")
        if a is None:
            continue
        url = resolve(req.column, a.attributes.get("href"))
        if url:
            found.append((url, link_title(a)))
            day = list_date(tree.body.text() if tree.body else "")
            if day:
                dates[url] = day
    items, links, finals = sort_links(found, source)
    total = _TOTAL.search(text)
    pages = max(1, math.ceil(int(total.group(1)) / api.page_size)) if total else None
    return ListPage(links, items, None, pages, finals, tuple(dates.items()))


def next_request(page: ListPage, req: ListRequest, source: Source) -> ListRequest | None:
    return _request(source, req.column, req.n + 1)
