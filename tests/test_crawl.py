"""Discover and fetch against real HTTP servers on 127.0.0.1 (no mocked transports).

A small site is written into tmp_path and served by a ThreadingHTTPServer: a paginated
list (下一页 link, then the pattern), a GBK column with no charset anywhere, detail pages
inline and with attachments, a robots.txt, and endpoints that misbehave (503 then 200,
429 forever, slow, oversized). The server counts requests so retries can be bounded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from flows.cli import MIRROR_SOURCES
from flows.crawl.archive import RawArchive
from flows.crawl.discover import (
    discover_links,
    page_url,
    parse_list_page,
    title_matches,
)
from flows.crawl.fetch import attachment_title, fetch_documents, find_attachments, guess_format
from flows.crawl.http import (
    USER_AGENT,
    FetchFailure,
    PoliteClient,
    RateLimiter,
    backoff_delay,
    make_client,
    parse_retry_after,
)
from flows.crawl.model import DocumentLink
from flows.crawl.page_meta import parse_page_meta
from flows.sources.model import Source, load_sources

UUID_A = "0b6f3c3e-8d7e-4b53-9a52-3f1c0f5c2a11"
UUID_C = "5a0d7a51-1f0e-4d2c-8c7b-9f60c2d4e8b2"
HEX_B = "3f2a9c0e5b7d4e1f8a6c2b9d0e4f7a13"
HEX_G = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
PDF_BYTES = b"%PDF-1.4\n% fake report body A\n%%EOF\n"
DOCX_BYTES = b"PK\x03\x04 fake docx body"
XLSX_BYTES = b"PK\x03\x04 fake xlsx body C"

# ── the test site ───────────────────────────────────────────────────────────────────


def _list_page(items: list[tuple[str, str, str]], pager: str = "", charset_meta: bool = True) -> str:
    meta = '<meta charset="utf-8">' if charset_meta else ""
    lis = "\n".join(
        f'<li><a href="{href}" title="{full}">{shown}</a><span>2024-06-28</span></li>'
        for href, full, shown in items
    )
    nav = (
        '<ul class="nav"><li><a href="/index.html">首页</a></li><li><a href="/about.html">关于</a></li></ul>'
    )
    return f"<html><head>{meta}<title>列表</title></head><body>{nav}<ul class='list'>{lis}</ul>{pager}</body></html>"


def _minhang_detail(title: str, attachments: list[tuple[str, str]]) -> str:
    links = "".join(f'<p><a href="{h}">{t}</a></p>' for t, h in attachments)
    return (
        f'<html><head><meta charset="utf-8"><title>{title}_闵行区</title></head><body>'
        f'<div class="position">当前位置：<a href="/index.html">首页</a></div>'
        f"<h1>{title}</h1><div>来源：<span>浦锦街道</span>  发布时间：2024年6月28日</div>"
        f"<div class='content'><p>资金来源：财政拨款。</p></div><div>附件：{links}</div></body></html>"
    )


def _donghu_detail(title: str) -> str:
    return (
        "<html><head><title>" + title + "_东湖区人民政府</title></head><body>"
        '<table class="xxgk"><tr><td>索 引 号：</td><td>DH-014/2024-00031</td><td>主题分类：</td><td>财政</td></tr>'
        "<tr><td>发布机构：</td><td>东湖区公园街道</td><td>生成日期：</td><td>2024-07-05</td></tr>"
        "<tr><td>文件编号：</td><td></td><td>有效性：</td><td>有效</td></tr></table>"
        f"<h1 class='title'>{title}</h1><div class='content'><p>一、部门基本情况</p>"
        "<table><tr><td>项目</td><td>年初预算</td></tr><tr><td>合计</td><td>100.5</td></tr></table></div>"
        "</body></html>"
    )


def build_site(root: Path) -> dict[str, str]:
    """Write the site's files; returns titles by role, for assertions."""
    col = root / "site" / "col"
    (col / "content").mkdir(parents=True)
    (root / "site" / "files").mkdir(parents=True)
    (root / "gbk").mkdir()
    (root / "private" / "content").mkdir(parents=True)
    titles = {
        "a": "上海市闵行区浦锦街道社区事务受理服务中心2023年度部门整体支出绩效自评报告",
        "b": "东湖区公园街道办事处2023年度部门整体支出绩效自评报告",
        "c": "浦锦街道2023年度项目支出绩效自评表",
        "g": "东湖区豫章街道2023年度部门整体支出绩效自评报告",
        "private": "浦锦街道2022年度部门整体支出绩效自评报告",
    }
    page1 = _list_page(
        [
            (f"content/{UUID_A}.htm", titles["a"], titles["a"][:18] + "…"),
            (
                "content/11111111-2222-3333-4444-555555555555.htm",
                "浦锦街道2023年度部门决算",
                "浦锦街道2023年度部门决算",
            ),
            (
                "content/66666666-7777-8888-9999-000000000000.htm",
                "浦锦街道召开绩效自评工作会议新闻",
                "会议新闻",
            ),
            (f"/private/content/{UUID_A}.htm", titles["private"], titles["private"]),
        ],
        pager='<div class="page"><span>1</span><a href="index_1.html">2</a><a href="index_1.html">下一页</a></div>',
    )
    page2 = _list_page(
        [
            (f"/dh/202407/{HEX_B}.shtml", titles["b"], titles["b"]),
            (f"content/{UUID_C}.htm", titles["c"], titles["c"]),
            # the same report listed twice is fetched once
            (f"content/{UUID_A}.htm", titles["a"], titles["a"]),
        ],
        pager='<div class="page"><a href="index.html">上一页</a><span>2</span></div>',
    )
    (col / "index.html").write_text(page1, encoding="utf-8")
    (col / "index_1.html").write_text(page2, encoding="utf-8")
    (col / "content" / f"{UUID_A}.htm").write_text(
        _minhang_detail(
            titles["a"],
            [
                ("附件1：2023年度部门整体支出绩效自评报告.pdf", "/site/files/a.pdf"),
                ("附件2", "/site/files/a.docx"),
                ("政策解读.html", "/site/col/index.html"),  # not an attachment extension
                ("外站附件.pdf", "http://example.invalid/x.pdf"),  # host not allowed
            ],
        ),
        encoding="utf-8",
    )
    (col / "content" / f"{UUID_C}.htm").write_text(
        _minhang_detail(
            titles["c"],
            [("项目支出绩效自评表.xlsx", "/site/files/c.xlsx"), ("同一报告.pdf", "/site/files/a_copy.pdf")],
        ),
        encoding="utf-8",
    )
    (root / "site" / "files" / "a.pdf").write_bytes(PDF_BYTES)
    (root / "site" / "files" / "a_copy.pdf").write_bytes(PDF_BYTES)  # same bytes, another URL
    (root / "site" / "files" / "a.docx").write_bytes(DOCX_BYTES)
    (root / "site" / "files" / "c.xlsx").write_bytes(XLSX_BYTES)
    (root / "dh" / "202407").mkdir(parents=True)
    # GBK, declared nowhere: no meta, and the server sends no charset
    (root / "dh" / "202407" / f"{HEX_B}.shtml").write_bytes(_donghu_detail(titles["b"]).encode("gbk"))
    (root / "dh" / "202407" / f"{HEX_G}.shtml").write_bytes(_donghu_detail(titles["g"]).encode("gbk"))
    gbk_list = _list_page(
        [
            (f"/dh/202407/{HEX_G}.shtml", titles["g"], titles["g"]),
            ("/dh/202407/news.shtml", "公园街道新闻", "公园街道新闻"),
        ],
        charset_meta=False,
    )
    (root / "gbk" / "index.shtml").write_bytes(gbk_list.encode("gbk"))
    (root / "private" / "content" / f"{UUID_A}.htm").write_text(
        _minhang_detail(titles["private"], []), encoding="utf-8"
    )
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    return titles


class SiteState:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []


def _handler(state: SiteState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if "Content-Length" not in (headers or {}):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            with state.lock:
                state.hits[path] += 1
                n = state.hits[path]
                state.requests.append((path, dict(self.headers.items())))
            if path == "/flaky":  # 503 twice, then the page
                if n <= 2:
                    self._send(503, b"busy", {"Retry-After": "1"})
                else:
                    self._send(200, b"ok after retries", {"Content-Type": "text/plain"})
                return
            if path == "/busy":
                self._send(429, b"slow down", {"Retry-After": "0"})
                return
            if path == "/slow":
                time.sleep(1.0)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
                    self._send(200, b"late")
                return
            if path == "/big":  # declared too large
                self._send(200, b"x" * (3 * 1024 * 1024))
                return
            if path == "/big-stream":  # no Content-Length: the body runs until the connection closes
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for _ in range(40):
                        self.wfile.write(b"y" * 65536)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            file = (state.root / path.lstrip("/")).resolve()
            if not file.is_file() or state.root.resolve() not in file.parents:
                self._send(404, b"not found")
                return
            body = file.read_bytes()
            etag = '"' + hashlib.md5(body).hexdigest() + '"'
            if self.headers.get("If-None-Match") == etag:
                self._send(304, b"", {"ETag": etag})
                return
            ctype = {
                ".html": "text/html",
                ".htm": "text/html",
                ".shtml": "text/html",  # no charset: the GBK pages are declared nowhere
                ".pdf": "application/pdf",
                ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ".txt": "text/plain",
            }.get(file.suffix, "application/octet-stream")
            self._send(
                200,
                body,
                {"Content-Type": ctype, "ETag": etag, "Last-Modified": "Fri, 28 Jun 2024 08:00:00 GMT"},
            )

    return Handler


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, SiteState, dict[str, str]]]:
    root = tmp_path / "www"
    root.mkdir()
    titles = build_site(root)
    state = SiteState(root)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state, titles
    finally:
        server.shutdown()
        server.server_close()


def make_source(base: str, **politeness: object) -> Source:
    polite = {
        "requests_per_second": 500.0,
        "concurrency": 3,
        "timeout_seconds": 0.4,
        "max_body_mb": 1.0,
        "max_retries": 2,
        "backoff_base_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        "max_retry_after_seconds": 5.0,
        "user_agent_suffix": "test",
    }
    polite.update(politeness)
    return Source.model_validate(
        {
            "name": "testsite",
            "title": "测试站",
            "region": {"province": "上海市", "city": "上海市", "district": "闵行区"},
            "base_url": base,
            "allow_private_addresses": True,
            "list_pages": ["/site/col/index.html", "/gbk/index.shtml"],
            "pagination": {"pattern": "index_{n}.html", "start": 1, "max_pages": 5},
            "links": {
                "item_selector": "ul.list li a",
                "url_pattern": r"/(content/[0-9a-f\-]{36}\.htm|\d{6}/\w+\.shtml)$",
            },
            "detail": {"mode": "auto", "attachment_exclude": ["政策解读"]},
            "politeness": polite,
        }
    )


class RecordingSleep:
    """Records the waits asked for and sleeps only a sliver, so backoff tests stay fast."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        time.sleep(min(seconds, 0.01))


# ── discover ────────────────────────────────────────────────────────────────────────


def test_discover_follows_pagination_filters_titles_and_decodes_gbk(site) -> None:
    base, state, titles = site
    source = make_source(base)
    archive_log: list[dict] = []
    with make_client(source) as client:
        result = discover_links(source, client, on_request=archive_log.append)
    by_title = {link.title: link for link in result.links}
    # page 2 came from the 下一页 link, page 3 (index_2.html) from the pattern: its 404 ends the column
    assert state.hits["/site/col/index_1.html"] == 1
    assert state.hits["/site/col/index_2.html"] == 1
    assert result.errors == []
    assert result.pages_seen == 3  # two pages of the first column, one GBK page
    # the truncated link text (…) was replaced by the title attribute
    assert titles["a"] in by_title
    assert titles["b"] in by_title and titles["c"] in by_title
    # GBK list page with no charset anywhere: the title came out as Chinese, not mojibake
    assert titles["g"] in by_title
    assert by_title[titles["g"]].list_url == f"{base}/gbk/index.shtml"
    # 决算 and news items skipped; the report listed twice appears once
    assert not any("决算" in t or "新闻" in t for t in by_title)
    assert [link.url for link in result.links].count(f"{base}/site/col/content/{UUID_A}.htm") == 1
    # nav links are not items; the robots-disallowed report is still a link (fetch refuses it)
    assert all("/content/" in link.url or link.url.endswith(".shtml") for link in result.links)
    assert len(result.links) == 5
    # robots.txt, 3 pages, and the 404 after the last page of each column
    assert result.requests == len(archive_log) == 6
    assert all(entry["source"] == "testsite" for entry in archive_log)


def test_discover_incremental_stops_at_a_page_of_known_links(site) -> None:
    base, state, _ = site
    source = make_source(base)
    with make_client(source) as client:
        first = discover_links(source, client)
        page1 = {link.url for link in first.links if link.list_url.endswith("/site/col/index.html")}
        state.hits.clear()
        again = discover_links(source, client, known_urls=page1)
    assert state.hits["/site/col/index_1.html"] == 0  # stopped after page 1
    assert again.new_links == [link for link in again.links if link.url not in page1]
    assert {link.url for link in again.new_links} == {
        link.url for link in first.links if "/gbk/" in link.list_url
    }


def test_discover_records_a_missing_first_page_as_an_error(site) -> None:
    base, _, _ = site
    source = make_source(base).model_copy(update={"list_pages": ("/nowhere/index.html",)})
    with make_client(source) as client:
        result = discover_links(source, client)
    assert result.links == []
    assert [(e.kind, e.status) for e in result.errors] == [("not_found", 404)]


def test_parse_list_page_and_page_patterns() -> None:
    source = make_source("http://h.example")
    html = _list_page(
        [("content/" + UUID_A + ".htm", "某街道2023年度部门整体支出绩效评价报告", "某街道2023年度…")],
        pager="<p>共 3 页</p><a href='?page=2'>下一页</a>",
    )
    page = parse_list_page(html, "http://h.example/site/col/index.html", source)
    assert page.links == (
        (f"http://h.example/site/col/content/{UUID_A}.htm", "某街道2023年度部门整体支出绩效评价报告"),
    )
    assert page.items == 1 and page.total_pages == 3
    assert page.next_url == "http://h.example/site/col/index.html?page=2"
    assert page_url("http://h/a/b/index.html", "index_{n}.html", 1) == "http://h/a/b/index_1.html"
    assert page_url("http://h/a/list?col=7&page=1", "?page={n}", 2) == "http://h/a/list?col=7&page=2"
    assert page_url("http://h/a/", "index_{n}.shtml", 3) == "http://h/a/index_3.shtml"
    assert title_matches("XX街道2023年度项目支出绩效 自评表", ["自评表"], ["决算"])
    assert not title_matches("XX街道2023年度部门决算（含绩效自评）", ["绩效自评"], ["决算"])
    assert not title_matches("XX街道2023年度部门预算", ["绩效自评"], [])


# ── fetch ───────────────────────────────────────────────────────────────────────────


def _run(base: str, archive: RawArchive, **kw: object):
    source = make_source(base)
    with make_client(source) as client:
        found = discover_links(source, client, on_request=archive.append_log)
        fetched = fetch_documents(found.links, source, archive, client, **kw)
    return found, fetched


def test_fetch_archives_bodies_once_and_logs_every_request(site, tmp_path: Path) -> None:
    base, state, titles = site
    archive = RawArchive(tmp_path / "raw")
    found, result = _run(base, archive)
    docs = {d.url: d for d in result.documents}
    # attachments followed; the inline GBK pages are documents themselves
    assert set(docs) == {
        f"{base}/site/files/a.pdf",
        f"{base}/site/files/a.docx",
        f"{base}/site/files/c.xlsx",
        f"{base}/site/files/a_copy.pdf",
        f"{base}/dh/202407/{HEX_B}.shtml",
        f"{base}/dh/202407/{HEX_G}.shtml",
    }
    pdf = docs[f"{base}/site/files/a.pdf"]
    assert (pdf.format, pdf.page_url) == ("pdf", f"{base}/site/col/content/{UUID_A}.htm")
    assert pdf.title == "2023年度部门整体支出绩效自评报告"  # the attachment's own name
    assert docs[f"{base}/site/files/a.docx"].title == titles["a"]  # "附件2" says nothing: the page title
    assert pdf.page_meta == {"publisher": "浦锦街道", "published_date": "2024-06-28"}
    assert Path(pdf.raw_path).read_bytes() == PDF_BYTES
    assert pdf.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert docs[f"{base}/site/files/c.xlsx"].format == "xlsx"
    inline = docs[f"{base}/dh/202407/{HEX_B}.shtml"]
    assert inline.format == "html" and inline.title == titles["b"]
    assert inline.page_meta == {
        "index_no": "DH-014/2024-00031",
        "publisher": "东湖区公园街道",
        "published_date": "2024-07-05",
    }
    # the robots-disallowed detail page was never requested
    assert state.hits[f"/private/content/{UUID_A}.htm"] == 0
    assert [(e.kind, e.url) for e in result.errors] == [
        ("robots_disallowed", f"{base}/private/content/{UUID_A}.htm")
    ]
    # the page listed twice was fetched once; the excluded and off-site attachments not at all
    assert state.hits[f"/site/col/content/{UUID_A}.htm"] == 1
    assert state.hits["/site/col/index.html"] == 1
    # a.pdf and a_copy.pdf carry the same bytes: one file in the archive
    stored = [p for p in (tmp_path / "raw").rglob("*") if p.is_file() and p.name != "fetch_log.jsonl"]
    assert len(stored) == len({p.name for p in stored}) == len({d.sha256 for d in result.documents}) + 2
    assert all(p.relative_to(tmp_path / "raw").parts[:2] == (p.name[:2], p.name[2:4]) for p in stored)
    assert docs[f"{base}/site/files/a_copy.pdf"].sha256 == pdf.sha256
    # every request is a log line, with the fields the warehouse reads
    log = archive.read_log()
    assert len(log) == found.requests + result.requests
    assert result.bodies_downloaded == 8  # 2 detail pages, 2 inline pages, 4 attachments
    first = next(e for e in log if e["url"] == f"{base}/site/files/a.pdf")
    assert first["status"] == 200 and first["sha256"] == pdf.sha256 and first["bytes"] == len(PDF_BYTES)
    assert first["etag"] and first["last_modified"] and first["content_type"] == "application/pdf"
    assert datetime.fromisoformat(first["fetched_at"].replace("Z", "+00:00")).tzinfo is not None
    assert (
        json.loads((tmp_path / "raw" / "fetch_log.jsonl").read_text().splitlines()[0])["url"]
        == f"{base}/robots.txt"
    )


def test_second_fetch_is_conditional_and_downloads_nothing(site, tmp_path: Path) -> None:
    base, state, _ = site
    archive = RawArchive(tmp_path / "raw")
    _, first = _run(base, archive)
    state.requests.clear()
    # a fresh archive object reads its validators back from the fetch log
    again_archive = RawArchive(tmp_path / "raw")
    _, second = _run(base, again_archive)
    assert second.bodies_downloaded == 0 and second.bytes == 0
    assert second.not_modified == first.bodies_downloaded
    assert [(d.url, d.sha256) for d in second.documents] == [(d.url, d.sha256) for d in first.documents]
    assert all(d.not_modified for d in second.documents)
    detail_requests = [h for p, h in state.requests if p.startswith(("/site/files/", "/dh/"))]
    assert detail_requests and all("If-None-Match" in h for h in detail_requests)
    assert all(Path(d.raw_path).is_file() for d in second.documents)
    # full refresh: unconditional, bodies transferred again, still stored once
    _, full = _run(base, again_archive, full_refresh=True)
    assert full.not_modified == 0 and full.bodies_downloaded == first.bodies_downloaded
    log304 = [e for e in again_archive.read_log() if e["status"] == 304]
    assert log304 and all(e["sha256"] and e["bytes"] == 0 for e in log304)


def test_missing_attachment_and_missing_page_are_errors_not_crashes(site, tmp_path: Path) -> None:
    base, _, _ = site
    source = make_source(base)
    links = [
        DocumentLink("testsite", f"{base}/site/col/content/{UUID_A}.htm", "A", f"{base}/site/col/index.html"),
        DocumentLink(
            "testsite", f"{base}/site/col/content/deadbeef.htm", "gone", f"{base}/site/col/index.html"
        ),
    ]
    (Path(site[1].root) / "site" / "files" / "a.docx").unlink()
    archive = RawArchive(tmp_path / "raw")
    with make_client(source) as client:
        result = fetch_documents(links, source, archive, client)
    assert {d.url for d in result.documents} == {f"{base}/site/files/a.pdf"}
    kinds = {(e.kind, e.url, e.page_url) for e in result.errors}
    assert ("not_found", f"{base}/site/files/a.docx", links[0].url) in kinds
    assert ("not_found", links[1].url, None) in kinds


# ── politeness ──────────────────────────────────────────────────────────────────────


def test_retries_503_honouring_retry_after_then_succeeds(site) -> None:
    base, state, _ = site
    source = make_source(base, max_retries=3)
    sleeps = RecordingSleep()
    log: list[dict] = []
    with make_client(source) as client:
        resp = PoliteClient(client, source, on_request=log.append, sleep=sleeps).get(f"{base}/flaky")
    assert resp.status == 200 and resp.body == b"ok after retries"
    assert state.hits["/flaky"] == 3
    assert sum(1 for s in sleeps.calls if s >= 1.0) == 2  # Retry-After: 1, twice
    assert [e["status"] for e in log if e["url"].endswith("/flaky")] == [503, 503, 200]


def test_retries_are_bounded(site) -> None:
    base, state, _ = site
    source = make_source(base, max_retries=2)
    with make_client(source) as client:
        polite = PoliteClient(client, source, sleep=RecordingSleep())
        with pytest.raises(FetchFailure) as info:
            polite.get(f"{base}/busy")
    assert (info.value.kind, info.value.status) == ("http_error", 429)
    assert state.hits["/busy"] == 3  # the first try and two retries


def test_timeout_is_retried_then_reported(site) -> None:
    base, state, _ = site
    source = make_source(base, max_retries=1, timeout_seconds=0.2)
    started = time.monotonic()
    with make_client(source) as client, pytest.raises(FetchFailure) as info:
        PoliteClient(client, source).get(f"{base}/slow")
    assert info.value.kind == "timeout"
    assert state.hits["/slow"] == 2
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("path", ["/big", "/big-stream"])
def test_oversized_body_is_cut_off(site, path: str) -> None:
    base, state, _ = site
    source = make_source(base, max_body_mb=1.0)
    log: list[dict] = []
    with make_client(source) as client, pytest.raises(FetchFailure) as info:
        PoliteClient(client, source, on_request=log.append).get(f"{base}{path}")
    assert info.value.kind == "too_large"
    assert state.hits[path] == 1  # not retried
    assert log[-1]["error"].startswith("too_large")


def test_user_agent_and_robots_fetched_once(site) -> None:
    base, state, _ = site
    source = make_source(base)
    with make_client(source) as client:
        polite = PoliteClient(client, source)
        polite.get(f"{base}/site/col/index.html")
        polite.get(f"{base}/site/col/index_1.html")
        with pytest.raises(FetchFailure) as info:
            polite.get(f"{base}/private/content/{UUID_A}.htm")
    assert info.value.kind == "robots_disallowed"
    assert state.hits["/robots.txt"] == 1
    ua = state.requests[-1][1]["User-Agent"]
    assert ua.startswith(USER_AGENT) and ua.endswith(" test")
    assert USER_AGENT.startswith("govperf/") and "(budget-performance report collector)" in USER_AGENT


def test_policy_pieces() -> None:
    now = datetime(2024, 6, 28, 8, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == pytest.approx(
        30.0
    )
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
    rng = random.Random(1)
    delays = [backoff_delay(a, 1.0, 10.0, rng) for a in range(6)]
    assert all(0.5 * min(10.0, 2**a) <= d <= min(10.0, 2**a) for a, d in enumerate(delays))
    assert delays[-1] <= 10.0
    limiter = RateLimiter(0.05)
    started = time.monotonic()
    for _ in range(4):
        limiter.wait("h:1")
    limiter.wait("other:1")  # another host is not held back
    assert 0.14 <= time.monotonic() - started < 0.5


def test_robots_unreachable_host_is_an_error(tmp_path: Path) -> None:
    # nothing listens on this port: robots.txt is unreachable, so nothing is fetched (RFC 9309)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    source = make_source(f"http://127.0.0.1:{port}", max_retries=1)
    with make_client(source) as client, pytest.raises(FetchFailure) as info:
        PoliteClient(client, source, sleep=RecordingSleep()).get(f"http://127.0.0.1:{port}/x.html")
    assert info.value.kind == "robots_unavailable"


# ── pure helpers ────────────────────────────────────────────────────────────────────


def test_page_meta_reads_both_header_styles() -> None:
    minhang = parse_page_meta(_minhang_detail("某报告", []))
    assert minhang == {"publisher": "浦锦街道", "published_date": "2024-06-28", "title": "某报告"}
    ascii_colon = parse_page_meta(
        "<body><h2>x</h2><div>来源:闵行区财政局 发布时间:2023年12月5日</div></body>"
    )
    assert ascii_colon["publisher"] == "闵行区财政局" and ascii_colon["published_date"] == "2023-12-05"
    donghu = parse_page_meta(_donghu_detail("公园街道报告"))
    assert donghu == {
        "index_no": "DH-014/2024-00031",
        "publisher": "东湖区公园街道",
        "published_date": "2024-07-05",
        "title": "公园街道报告",
    }
    # labels in one line with other fields, a 发布日期 in ISO form, standard meta tags as fallback
    other = parse_page_meta(
        '<head><meta name="ArticleTitle" content="某局2023年度项目支出绩效自评报告">'
        '<meta name="PubDate" content="2024-05-06 10:00"></head>'
        "<body><p>索引号: 123/2024-0001 发布机构: 某局 文号: 无</p><p>资金来源：财政拨款</p></body>"
    )
    assert other == {
        "index_no": "123/2024-0001",
        "publisher": "某局",
        "doc_no": "无",
        "published_date": "2024-05-06",
        "title": "某局2023年度项目支出绩效自评报告",
    }
    assert parse_page_meta("<body><p>资金来源：财政拨款</p></body>") == {}


def test_attachment_helpers() -> None:
    source = make_source("http://h.example")
    html = (
        '<a href="/f/x.PDF">附件：报告.pdf</a><a href="/f/x.PDF#page=2">again</a>'
        '<a href="/f/y.docx?v=2">y</a><a href="/f/z.zip">z</a><a href="javascript:void(0)">js</a>'
    )
    found = find_attachments(html, "http://h.example/d/1.htm", source)
    assert found == [("http://h.example/f/x.PDF", "附件：报告.pdf"), ("http://h.example/f/y.docx?v=2", "y")]
    assert attachment_title("附件3：绩效自评报告.pdf", "http://h/x.pdf", "页标题") == "绩效自评报告"
    assert attachment_title("附件：报告.pdf", "http://h/x.pdf", "页标题") == "页标题"  # too short to name it
    assert attachment_title("下载", "http://h/x.pdf", "页标题") == "页标题"
    assert (
        attachment_title("某中心2023年度绩效自评报告（Word版）.docx", "http://h/x.docx", "p")
        == "某中心2023年度绩效自评报告"
    )
    assert guess_format("http://h/f/a.XLSX", None) == "xlsx"
    assert guess_format("http://h/download?id=3", "application/msword; charset=x") == "doc"
    assert guess_format("http://h/download?id=3", None) == "html"


def test_client_settings() -> None:
    source = make_source("http://h.example", timeout_seconds=7.0)
    with make_client(source) as client:
        assert (
            client.timeout.read == 7.0 and not client.follow_redirects
        )  # PoliteClient follows, checking hops
        assert client.headers["User-Agent"].endswith("test")
    assert isinstance(client, httpx.Client)


# ── the bundled mirror, end to end ──────────────────────────────────────────────────


@pytest.fixture(scope="module")
def mirror_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed mirror site; built afresh into a temp folder when it is not there."""
    from flows.mirror.server import SITE_DIR

    if (SITE_DIR / "manifest.json").is_file():
        return SITE_DIR
    from tests.mirror.build import build

    return build(out=tmp_path_factory.mktemp("mirror") / "site")


def _crawl_mirror(base: str, archive: RawArchive, **politeness: object):
    found_links, docs, errors = [], [], []
    totals = Counter()
    for name in MIRROR_SOURCES:
        source = load_sources()[name].rebased(base)
        if politeness:
            source = source.model_copy(update={"politeness": source.politeness.model_copy(update=politeness)})
        with make_client(source) as client:
            found = discover_links(source, client, on_request=archive.append_log)
            fetched = fetch_documents(found.links, source, archive, client)
        found_links += found.links
        docs += fetched.documents
        errors += found.errors + fetched.errors
        totals.update(
            requests=found.requests + fetched.requests,
            not_modified=fetched.not_modified,
            bodies=fetched.bodies_downloaded,
        )
    return found_links, docs, errors, totals


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_mirror_crawl_finds_every_report_and_no_distractor(mirror_root: Path, tmp_path: Path) -> None:
    from flows.mirror.server import serve_mirror

    manifest = json.loads((mirror_root / "manifest.json").read_text(encoding="utf-8"))
    # a document behind a download script is fetched from its `url`
    reports = {d.get("url", d["path"]): d for d in manifest["documents"] if d["role"] == "report"}
    distractors = {d["path"] for d in manifest["documents"] if d["role"] == "distractor"}
    report_pages = {d["detail_page"] for d in reports.values()}
    distractor_pages = {
        d["detail_page"] for d in manifest["documents"] if d["role"] == "distractor"
    } - report_pages
    archive = RawArchive(tmp_path / "raw")
    with serve_mirror(mirror_root) as mirror:
        # a list page that fails twice first: retried, and the crawl still completes
        first_list = manifest["sites"]["minhang"]["list_pages"][0]
        mirror.inject(first_list, 503, 503)
        links, docs, errors, totals = _crawl_mirror(mirror.base_url, archive, max_retry_after_seconds=0.05)
        assert [s for m, p, s in mirror.requests if p == first_list] == [503, 503, 200]
        assert errors == []
        by_path = {_path_and_query(d.url): d for d in docs}
        assert set(reports) <= set(by_path), f"missing: {set(reports) - set(by_path)}"
        assert not distractors & set(by_path)
        assert not ({urlsplit(link.url).path for link in links} & distractor_pages)
        assert not ({urlsplit(d.page_url).path for d in docs} & distractor_pages)
        for path, expected in reports.items():
            doc = by_path[path]
            assert doc.format == expected["format"]
            assert doc.sha256 == manifest["files"][expected["path"]]["sha256"]  # the exact bytes served
            assert urlsplit(doc.page_url).path == expected["detail_page"]
            assert doc.page_meta.get("published_date") == expected["published"]
            assert doc.page_meta.get("publisher") == expected["publisher"]
            assert expected["title"] in doc.title or doc.title in expected["title"]
        # nothing but the documents' own pages and files was fetched past the lists
        assert len(archive.read_log()) == totals["requests"]

        # the next night: every body revalidated, none transferred
        mirror.reset_requests()
        _, again, errors, totals2 = _crawl_mirror(mirror.base_url, RawArchive(tmp_path / "raw"))
        assert errors == [] and totals2["bodies"] == 0
        assert totals2["not_modified"] == totals["bodies"]
        assert {d.sha256 for d in again} == {d.sha256 for d in docs}
        assert all(s in (200, 304, 404) for _, _, s in mirror.requests)


def test_list_linking_files_directly_and_an_empty_first_page(site, tmp_path: Path) -> None:
    base, state, _ = site
    root = state.root
    (root / "direct").mkdir()
    (root / "direct" / "index.html").write_text(
        _list_page(
            [
                (
                    "/site/files/a.pdf",
                    "某街道2023年度部门整体支出绩效自评报告",
                    "某街道2023年度部门整体支出绩效自评报告",
                )
            ]
        ),
        encoding="utf-8",
    )
    (root / "empty").mkdir()
    (root / "empty" / "index.html").write_text(_list_page([]), encoding="utf-8")
    source = make_source(base).model_copy(
        update={
            "list_pages": ("/direct/index.html", "/empty/index.html"),
            "links": make_source(base).links.model_copy(update={"url_pattern": None}),
        }
    )
    archive = RawArchive(tmp_path / "raw")
    with make_client(source) as client:
        found = discover_links(source, client)
        fetched = fetch_documents(found.links, source, archive, client)
    assert [(e.kind, e.url) for e in found.errors] == [("no_items", f"{base}/empty/index.html")]
    assert [(d.url, d.format, d.page_url) for d in fetched.documents] == [
        (f"{base}/site/files/a.pdf", "pdf", f"{base}/site/files/a.pdf")
    ]
    assert archive.read(fetched.documents[0].sha256) == PDF_BYTES
