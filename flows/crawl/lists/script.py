"""Script pagination (TRS and its imitators): the page count only in a script,
`createPageHTML(12, 0, "index", "html")`, `var countPage = 12`, `totalPage`, `pageCount`.

The pages are named by the script call itself (index.html, index_1.html, …) unless the
source gives a pattern; a 下一页 link, when the page has one, still wins.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from flows.crawl.http import HttpResponse
from flows.crawl.lists import static
from flows.crawl.lists.base import ListPage, ListRequest
from flows.documents.charset import decode_html
from flows.sources.model import Source

_COUNT = r"\s*[:=]\s*['\"]?(\d+)"
TOTAL_PAGES = (
    re.compile(r"createPageHTML\(\s*['\"]?(\d+)"),
    re.compile(r"countPage" + _COUNT),
    re.compile(r"totalPages?" + _COUNT),
    re.compile(r"pageCount" + _COUNT),
    re.compile(r"共\s*(\d+)\s*页"),
)
# createPageHTML(count, current, "index", "html"): the later pages are index_1.html, …
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?\d+['\"]?\s*,\s*['\"]?\d+['\"]?\s*,\s*['\"]([\w.-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)


def first(source: Source, column_url: str) -> ListRequest:
    return ListRequest(column=column_url, url=column_url)


def read(resp: HttpResponse, req: ListRequest, source: Source) -> ListPage:
    html, _ = decode_html(resp.body, resp.charset)
    page = static.parse_list_page(html, resp.final_url, source, TOTAL_PAGES)
    m = _CREATE_PAGE.search(html)
    if page.next_url or source.pagination.pattern or not m:
        return page
    # name the next page as the script would: <prefix>_<n>.<ext> beside the first page
    parts = urlsplit(req.column)
    head = parts.path.rsplit("/", 1)[0]
    nxt = urlunsplit(parts._replace(path=f"{head}/{m.group(1)}_{req.n}.{m.group(2)}", query=""))
    return ListPage(page.links, page.items, nxt, page.total_pages, page.final_accounts)


def next_request(page: ListPage, req: ListRequest, source: Source) -> ListRequest | None:
    return static.next_request(page, req, source)
