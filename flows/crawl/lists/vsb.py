"""VSB (博达) lists: `<col>.htm` first, later pages `<col>/N.htm` numbered down to 1.htm,
details at `../info/<col>/<id>.htm`, the pager saying 下页 and `1/5`."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from flows.crawl.http import HttpResponse
from flows.crawl.lists import static
from flows.crawl.lists.base import ListPage, ListRequest
from flows.documents.charset import decode_html
from flows.sources.model import Source

TOTAL_PAGES = (
    re.compile(r"class=\"p_t\">\s*\d+\s*/\s*(\d+)\s*<"),
    re.compile(r"共\s*(\d+)\s*页"),
)
_NEXT = ("下页", "下一页")


def first(source: Source, column_url: str) -> ListRequest:
    return ListRequest(column=column_url, url=column_url)


def read(resp: HttpResponse, req: ListRequest, source: Source) -> ListPage:
    html, _ = decode_html(resp.body, resp.charset)
    page = static.parse_list_page(html, resp.final_url, source, TOTAL_PAGES)
    if page.next_url is None and source.pagination.follow_next:
        from selectolax.lexbor import LexborHTMLParser

        nxt = static.next_link(LexborHTMLParser(html), resp.final_url, _NEXT)
        page = ListPage(page.links, page.items, nxt, page.total_pages, page.final_accounts)
    return page


def numbered_page(column: str, total: int, n: int) -> str:
    """Page n (from 1) of a column of `total` pages: col.htm, then col/<total-1>.htm … col/1.htm."""
    parts = urlsplit(column)
    stem = parts.path.rsplit(".", 1)[0]
    return urlunsplit(parts._replace(path=f"{stem}/{total - n + 1}.htm", query=""))


def next_request(page: ListPage, req: ListRequest, source: Source) -> ListRequest | None:
    if page.next_url:
        return ListRequest(req.column, page.next_url, req.n + 1)
    if source.pagination.pattern:
        return static.next_request(page, req, source)
    if page.total_pages and req.n < page.total_pages:
        return ListRequest(req.column, numbered_page(req.column, page.total_pages, req.n + 1), req.n + 1)
    return None
