"""Static list pages: report links in the HTML, next page by 下一页 or a URL pattern
(index.html → index_1.html, ?page=2), the page count from 共N页 when a pager says it."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from flows.crawl.http import HttpResponse
from flows.crawl.lists.base import ListPage, ListRequest, link_title, normalize_title, resolve, sort_links
from flows.documents.charset import decode_html
from flows.sources.model import Source

# "共 5 页" in a pager, or TRS's createPageHTML(5, 0, "index", "shtml") / countPage = 5
TOTAL_PAGES = (
    re.compile(r"共\s*(\d+)\s*页"),
    re.compile(r"createPageHTML\(\s*(\d+)"),
    re.compile(r"countPage\s*=\s*(\d+)"),
)


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


def next_link(tree: LexborHTMLParser, base: str, next_texts: tuple[str, ...]) -> str | None:
    wanted = {t.strip() for t in next_texts}
    for a in tree.css("a[href]"):
        label = normalize_title(a.text())
        if label in wanted or normalize_title(a.attributes.get("title") or "") in wanted:
            url = resolve(base, a.attributes.get("href"))
            if url:
                return url
    return None


def stated_pages(html: str, patterns: tuple[re.Pattern[str], ...] = TOTAL_PAGES) -> int | None:
    for rx in patterns:
        m = rx.search(html)
        if m and int(m.group(1)) > 0:
            return int(m.group(1))
    return None


def parse_list_page(
    html: str, url: str, source: Source, total_patterns: tuple[re.Pattern[str], ...] = TOTAL_PAGES
) -> ListPage:
    """The report links of a list page at `url` under the source's selector and filters."""
    tree = LexborHTMLParser(html)
    found = []
    for a in _anchors(tree, source.links.item_selector):
        target = resolve(url, a.attributes.get("href"))
        if target:
            found.append((target, link_title(a)))
    items, links, finals = sort_links(found, source)
    nxt = next_link(tree, url, source.pagination.next_texts) if source.pagination.follow_next else None
    return ListPage(links, items, nxt, stated_pages(html, total_patterns), finals)


def first(source: Source, column_url: str) -> ListRequest:
    return ListRequest(column=column_url, url=column_url)


def read(resp: HttpResponse, req: ListRequest, source: Source) -> ListPage:
    html, _ = decode_html(resp.body, resp.charset)
    return parse_list_page(html, resp.final_url, source)


def next_request(page: ListPage, req: ListRequest, source: Source) -> ListRequest | None:
    pag = source.pagination
    if page.next_url:
        return ListRequest(req.column, page.next_url, req.n + 1)
    if pag.pattern:
        # the second page is n = start
        return ListRequest(req.column, page_url(req.column, pag.pattern, pag.start + req.n - 1), req.n + 1)
    return None
