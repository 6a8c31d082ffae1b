"""A first source file for a list page nobody has described yet: which family the site runs,
which links are its items, how it paginates, whether reports are attachments.

The guess is a start, not a verdict: `govperf sources suggest URL` prints the TOML and what
it finds on the first two pages, so the person adding a district sees at once whether it
holds.
"""

from __future__ import annotations

import json
import re
import socket
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from selectolax.lexbor import LexborHTMLParser, LexborNode

from flows.crawl import guard
from flows.crawl.attachments import find_attachments
from flows.crawl.discover import discover_links
from flows.crawl.http import FetchFailure, PoliteClient, make_client
from flows.crawl.lists.base import link_title, resolve
from flows.documents.charset import decode_html
from flows.sources.model import DEFAULT_INCLUDE, Source

_CJK = re.compile(r"[\u4e00-\u9fff]")
_PAGE_PARAMS = ("page", "pageNo", "pageNum", "pageIndex", "currentPage", "curPage", "p")
_SIZE_PARAMS = ("size", "pageSize", "rows", "limit", "perPage", "pagesize")
_DOWNLOAD = re.compile(
    r"(?:download|DownLoad|downfile|Download)[^/?]*\?[^\"'#]*(?:id|ID|Id|file)=", re.IGNORECASE
)
_SCRIPT_COUNT = re.compile(r"createPageHTML\(|countPage\s*=|totalPages?\s*[:=]|pageCount\s*[:=]")
# detail URL shapes of the common families, most specific first
_SHAPES = (
    (re.compile(r"/t\d{8}_\d+(?:_wap)?\.s?html?$"), r"/t\d{8}_\d+(_wap)?\.s?html?$"),
    (re.compile(r"/info/\d+/\d+\.htm$"), r"/info/\d+/\d+\.htm$"),
    (
        re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$"),
        r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$",
    ),
    (re.compile(r"/content/[0-9A-Za-z\-]{16,}\.html?$"), r"/content/[0-9A-Za-z\-]{16,}\.html?$"),
    (re.compile(r"/\d{6}/[0-9a-f]{32}\.s?html?$"), r"/\d{6}/[0-9a-f]{32}\.s?html?$"),
)


@dataclass(slots=True)
class Suggestion:
    source: Source
    family: str  # what the page looked like, in words
    notes: list[str] = field(default_factory=list)
    pages: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)  # per page: report links

    def toml(self) -> str:
        return to_toml(self.source)


# ── reading the page ──────────────────────────────────────────────────────────────────


def _item_anchors(tree: LexborHTMLParser) -> tuple[str, list[LexborNode]]:
    """(selector, anchors) of the largest group of title-like links sharing a container."""
    groups: dict[str, list[LexborNode]] = {}
    for a in tree.css("a[href]"):
        title = link_title(a)
        if len(title) < 8 or not _CJK.search(title):
            continue
        li = a.parent
        while li is not None and li.tag not in ("li", "tr", "dd", "body"):
            li = li.parent
        container = li.parent if li is not None and li.tag != "body" else a.parent
        if li is None or container is None:
            continue
        cls = (container.attributes.get("class") or "").split()
        key = (
            f"{container.tag}{'.' + cls[0] if cls else ''} {li.tag} a[href]"
            if li.tag != "body"
            else "a[href]"
        )
        groups.setdefault(key, []).append(a)
    if not groups:
        return "a[href]", []
    return max(groups.items(), key=lambda kv: len(kv[1]))


def url_pattern_for(urls: list[str]) -> str | None:
    """A regex for the detail URLs: a family's known shape, else the last segment with digits generalised."""
    if not urls:
        return None
    paths = [urlsplit(u).path for u in urls]
    for shape, pattern in _SHAPES:
        if sum(1 for p in paths if shape.search(p)) * 2 > len(paths):
            return pattern
    tails = Counter(re.sub(r"\d+", r"\\d+", re.escape(p.rsplit("/", 1)[-1])) for p in paths)
    tail, n = tails.most_common(1)[0]
    return tail + "$" if n * 2 > len(paths) and "\\d+" in tail else None


def _records(data: Any, path: str = "") -> tuple[str, list[dict[str, Any]]] | None:
    """The first list of objects in a JSON answer, with its dotted path."""
    if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        return path, data
    if isinstance(data, dict):
        for key, value in data.items():
            found = _records(value, f"{path}.{key}" if path else key)
            if found:
                return found
    return None


def _field(records: list[dict[str, Any]], names: tuple[str, ...], looks: re.Pattern[str]) -> str | None:
    keys = list(records[0])
    for key in keys:
        if any(n.lower() in key.lower() for n in names):
            return key
    for key in keys:
        if all(isinstance(r.get(key), str) and looks.search(r[key]) for r in records[:5]):
            return key
    return None


def _path_to(data: Any, names: tuple[str, ...], path: str = "") -> str | None:
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}.{key}" if path else key
            if key in names and (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
                return here
            found = _path_to(value, names, here)
            if found:
                return found
    return None


def _suggest_json(
    url: str, body: bytes, base: dict[str, Any], notes: list[str]
) -> tuple[str, dict[str, Any]]:
    data = json.loads(body.decode("utf-8-sig"))
    found = _records(data)
    if not found:
        raise ValueError(f"{url}: a JSON answer with no list of records in it")
    path, records = found
    query = dict(parse_qsl(urlsplit(url).query))
    page_param = next((p for p in _PAGE_PARAMS if p in query), "page")
    size_param = next((p for p in _SIZE_PARAMS if p in query), None)
    parts = urlsplit(url)
    params = {k: v for k, v in query.items() if k not in (page_param, size_param)}
    api: dict[str, Any] = {
        "url": parts.path,
        "method": "GET",
        "params": params,
        "page_param": page_param,
        "page_start": int(query.get(page_param, "1")) if query.get(page_param, "1").isdigit() else 1,
        "records_path": path,
        "title_field": _field(records, ("title",), _CJK) or "title",
        "url_field": _field(records, ("url", "link", "href"), re.compile(r"^(?:https?:|/|\.)|\.s?html?$"))
        or "url",
        "date_field": _field(records, ("date", "time"), re.compile(r"\d{4}-\d{1,2}-\d{1,2}")),
    }
    if size_param:
        api["page_size_param"] = size_param
        api["page_size"] = int(query[size_param]) if query[size_param].isdigit() else 20
    pages = _path_to(data, ("pages", "totalPage", "totalPages", "pageCount"))
    total = _path_to(data, ("total", "totalCount", "count", "totalRecord", "recordCount"))
    if pages:
        api["total_pages_path"] = pages
    elif total:
        api["total_records_path"] = total
    notes.append(f"JSON records at {path}: {len(records)} on this page; fields {', '.join(records[0])}")
    notes.append(
        "record URLs are read relative to list_pages; make list_pages the column page that shows them"
    )
    base["list_pages"] = [url]
    return "json", {**base, "kind": "json", "api": api}


def _suggest_html(url: str, html: str, base: dict[str, Any], notes: list[str]) -> tuple[str, dict[str, Any]]:
    tree = LexborHTMLParser(html)
    column = re.search(r"/col/col(\d+)/", url)
    if column and ("dataproxy.jsp" in html or 'type="text/xml"' in html):
        unitid = re.search(r"unitid\W{1,4}(\d+)", html)
        webid = re.search(r"webid\W{1,4}(\d+)", html)
        proxy = re.search(r"['\"]?([\w/.-]*/module/web/jpage/dataproxy\.jsp)", html)
        records = re.findall(r"<record>\s*<!\[CDATA\[(.*?)\]\]>", html, re.DOTALL)
        hrefs = [resolve(url, m) for r in records for m in re.findall(r"href=['\"]([^'\"]+)", r)]
        notes.append(f"Hanweb data proxy: column {column.group(1)}, {len(records)} records inline")
        if not unitid:
            notes.append("no unitid found in the page's script: set [api] params.unitid by hand")
        api = {
            "url": proxy.group(1) if proxy else "/module/web/jpage/dataproxy.jsp",
            "method": "POST",
            "column_pattern": r"/col/col(\d+)/",
            "params": {
                "col": "1",
                "appid": "1",
                "webid": webid.group(1) if webid else "1",
                "path": "/",
                "columnid": "{column}",
                "sourceContentType": "1",
                "unitid": unitid.group(1) if unitid else "",
                "permissiontype": "0",
            },
            "page_size": 15,
        }
        links = {"url_pattern": url_pattern_for([h for h in hrefs if h])}
        return "dataproxy", {**base, "kind": "dataproxy", "api": api, "links": links}
    selector, anchors = _item_anchors(tree)
    targets = [t for t in (resolve(url, a.attributes.get("href")) for a in anchors) if t]
    links: dict[str, Any] = {"item_selector": selector, "url_pattern": url_pattern_for(targets)}
    notes.append(f"{len(anchors)} list items under {selector!r}")
    if _SCRIPT_COUNT.search(html):
        notes.append("the page count is in a script: kind script")
        return "script (TRS-like)", {**base, "kind": "script", "links": links}
    if any(re.search(r"/info/\d+/\d+\.htm$", t) for t in targets) or 'class="p_t"' in html:
        notes.append("VSB lists: <col>.htm, then <col>/N.htm")
        return "VSB", {**base, "kind": "vsb", "links": links}
    pagination: dict[str, Any] = {}
    hrefs = [a.attributes.get("href") or "" for a in tree.css("a[href]")]
    m = next(
        (re.search(r"(index)_(\d+)\.(s?html?)$", h) for h in hrefs if re.search(r"index_\d+\.s?html?$", h)),
        None,
    )
    if m:
        pagination = {"pattern": f"index_{{n}}.{m.group(3)}", "start": 1}
    elif any(re.search(r"[?&]page=\d+", h) for h in hrefs):
        pagination = {"pattern": "?page={n}", "start": 2}
    notes.append(f"static list; pagination {pagination.get('pattern', 'by 下一页 links only')}")
    return "static", {**base, "kind": "static", "links": links, "pagination": pagination}


def _detail_mode(
    source: Source, polite: PoliteClient, first_report: str | None, notes: list[str]
) -> dict[str, Any]:
    if first_report is None:
        notes.append("no report-like item on the first two pages: [detail] mode left at auto")
        return {"mode": "auto"}
    try:
        resp = polite.get(first_report, role="page")
    except FetchFailure as exc:
        notes.append(f"detail page {first_report} not fetched ({exc.kind}): mode auto")
        return {"mode": "auto"}
    html, _ = decode_html(resp.body, resp.charset)
    downloads = sorted({m.group(0).split("?")[0].rsplit("/", 1)[-1] for m in _DOWNLOAD.finditer(html)})
    detail: dict[str, Any] = {"mode": "auto"}
    if downloads:
        detail["download_patterns"] = [re.escape(d) + r"\?" for d in downloads]
    probe = source.model_copy(
        update={"detail": source.detail.model_validate({**detail, "mode": "attachments"})}
    )
    found = find_attachments(html, resp.final_url, probe)
    detail["mode"] = "attachments" if found else "inline"
    notes.append(f"detail page {first_report}: {len(found)} attachment(s) → mode {detail['mode']}")
    return detail


def _resolves_private(host: str) -> bool:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return any(not guard.is_public_address(str(info[4][0])) for info in infos)


def suggest(url: str, client: httpx.Client | None = None) -> Suggestion:
    """Fetch the list page at url, recognise its family and propose a source; walk two pages with it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url}: not an http(s) URL")
    host = parts.hostname
    name = re.sub(r"[^a-z0-9]+", "_", host.lower().removeprefix("www.").split(".")[0]) or "new_site"
    base: dict[str, Any] = {
        "name": name,
        "title": f"{host} (suggested)",
        "verified": False,
        "enabled": False,
        "base_url": f"{parts.scheme}://{parts.netloc}",
        "list_pages": [url],
        "region": {"province": "?", "city": "?", "district": "?"},
    }
    notes: list[str] = []
    if _resolves_private(host):
        # the operator named this address; a source for it must say so, or every request is refused
        base["allow_private_addresses"] = True
        notes.append(f"{host} resolves to a private or loopback address: allow_private_addresses = true")
    provisional = Source.model_validate(base)
    own = client is None
    http_client = client or make_client(provisional)
    try:
        polite = PoliteClient(http_client, provisional)
        resp = polite.get(url, role="list")
        is_json = (resp.content_type or "").endswith("json") or resp.body.lstrip()[:1] in (b"{", b"[")
        if is_json:
            family, data = _suggest_json(url, resp.body, base, notes)
        else:
            html, _ = decode_html(resp.body, resp.charset)
            family, data = _suggest_html(url, html, base, notes)
        source = Source.model_validate({**data, "pagination": {**data.get("pagination", {}), "max_pages": 2}})
        found = discover_links(source, http_client, http=polite)
        data["detail"] = _detail_mode(source, polite, found.links[0].url if found.links else None, notes)
        pages: dict[str, list[tuple[str, str]]] = {}
        for link in found.links:
            pages.setdefault(link.list_url, []).append((link.url, link.title))
        notes += [f"{e.kind} at {e.url}: {e.message}" for e in found.errors]
        final = Source.model_validate({**data, "pagination": {**data.get("pagination", {}), "max_pages": 30}})
        out = Suggestion(final, family, notes, list(pages.items()))
        if found.pages_seen:
            notes.append(f"{found.pages_seen} list page(s) walked, {len(found.links)} report link(s) found")
        return out
    finally:
        if own:
            http_client.close()


# ── writing the TOML ──────────────────────────────────────────────────────────────────


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, str):
        return "'" + v + "'" if "\\" in v and "'" not in v else json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def to_toml(source: Source) -> str:
    """The source as a TOML file body (without the comment header), only what differs from defaults."""
    data = source.model_dump(exclude_defaults=True)
    lines = [
        f"name = {_value(source.name)}",
        f"title = {_value(source.title)}",
        f"verified = {_value(source.verified)}",
        f"enabled = {_value(source.enabled)}",
        f"base_url = {_value(source.base_url)}",
        f"list_pages = {_value(list(source.list_pages))}",
        f"kind = {_value(source.kind)}",
    ]
    if source.allow_private_addresses:
        lines.append("allow_private_addresses = true")
    for table in ("api", "region", "pagination", "links", "detail", "politeness"):
        value = data.pop(table, None)
        if table == "links":
            value = {"include": list(DEFAULT_INCLUDE), **(value or {})}
        if table == "region":
            value = source.region.model_dump(exclude_none=True)
        if value:
            lines.append(f"\n[{table}]")
            lines += [f"{k} = {_value(v)}" for k, v in value.items() if v is not None]
    return "\n".join(lines) + "\n"
