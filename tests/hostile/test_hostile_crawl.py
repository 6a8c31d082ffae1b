"""Hostile sites: a source can make govperf fetch only its own origins, within its time budget.

Every case runs the real crawler (PoliteClient over httpx over sockets) against real
servers on 127.0.0.1; the "elsewhere" a site tries to send us to is a second real server
whose hit counter proves the request was never sent.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from hostile_servers import page, redirect, send, serve, status, trickle_body, trickle_headers

from flows.crawl.archive import RawArchive
from flows.crawl.discover import discover_links
from flows.crawl.fetch import fetch_documents
from flows.crawl.http import FetchFailure, PoliteClient, make_client
from flows.sources.model import Source

TITLE = "浦锦街道2023年度部门整体支出绩效自评报告"
PDF = b"%PDF-1.4\n% hostile test body\n%%EOF\n"


def make_source(base: str, **overrides: Any) -> Source:
    polite = {
        "requests_per_second": 500.0,
        "timeout_seconds": 2.0,
        "max_retries": 2,
        "backoff_base_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        "max_seconds_per_url": 3.0,
        "respect_robots": False,
    }
    polite.update(overrides.pop("politeness", {}))
    data = {
        "name": "hostile",
        "title": "敌意站",
        "region": {"province": "上海市", "city": "上海市", "district": "闵行区"},
        "base_url": base,
        "allow_private_addresses": True,
        "list_pages": ["/list.html"],
        "pagination": {"max_pages": 5},
        "links": {"item_selector": "li a"},
        "detail": {"mode": "attachments"},
        "politeness": polite,
    }
    data.update(overrides)
    return Source.model_validate(data)


def list_html(*hrefs: str, next_href: str | None = None) -> bytes:
    items = "".join(f'<li><a href="{h}">{TITLE}</a></li>' for h in hrefs)
    nxt = f'<a href="{next_href}">下一页</a>' if next_href else ""
    return f'<html><head><meta charset="utf-8"></head><body><ul>{items}</ul>{nxt}</body></html>'.encode()


def detail_html(*attachments: str) -> bytes:
    links = "".join(f'<p><a href="{a}">附件：{TITLE}.pdf</a></p>' for a in attachments)
    return (
        f'<html><head><meta charset="utf-8"><title>{TITLE}</title></head><body>{links}</body></html>'.encode()
    )


def crawl(source: Source, archive: RawArchive) -> tuple[Any, Any]:
    with make_client(source) as client:
        polite = PoliteClient(client, source, on_request=archive.append_log)
        found = discover_links(source, client, http=polite)
        fetched = fetch_documents(found.links, source, archive, client, http=polite)
    return found, fetched


def get(source: Source, url: str, log: list[dict] | None = None, **kw: Any):
    with make_client(source) as client:
        return PoliteClient(client, source, on_request=(log.append if log is not None else None), **kw).get(
            url
        )


# ── leaving the source ───────────────────────────────────────────────────────────────
def test_redirect_to_metadata_address_is_refused_before_it_is_sent(tmp_path: Path) -> None:
    metadata = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    with serve({"/d.html": redirect(metadata)}) as site:
        log: list[dict] = []
        with pytest.raises(FetchFailure) as info:
            get(make_source(site.base), site.url("/d.html"), log)
    assert info.value.kind == "out_of_scope" and "169.254.169.254" in info.value.message
    # the hop is a row of its own, and nothing was requested from the metadata address
    assert [(r["url"], r["status"], r["redirect_to"]) for r in log] == [(site.url("/d.html"), 302, metadata)]


def test_redirect_attachment_and_next_page_on_another_port_of_the_same_host_are_not_fetched(
    tmp_path: Path,
) -> None:
    with serve({"/x.pdf": page(PDF, "application/pdf"), "/list2.html": page(list_html("/e.html"))}) as other:
        routes = {
            "/list.html": page(list_html("/d1.html", "/d2.html", next_href=other.url("/list2.html"))),
            # an attachment link on the other port, and a redirect to it
            "/d1.html": page(detail_html(other.url("/x.pdf"), "/a.pdf")),
            "/a.pdf": redirect(other.url("/x.pdf")),
            "/d2.html": redirect(other.url("/x.pdf"), 301),
        }
        with serve(routes) as site:
            archive = RawArchive(tmp_path / "raw")
            found, fetched = crawl(make_source(site.base), archive)
    assert other.hits == {}  # not one request reached the other port
    assert fetched.documents == []
    kinds = {(e.url.rsplit("/", 1)[-1], e.kind) for e in (*found.errors, *fetched.errors)}
    assert ("list2.html", "out_of_scope") in kinds  # the 下一页 link
    assert ("a.pdf", "out_of_scope") in kinds and ("d2.html", "out_of_scope") in kinds


def test_loopback_name_is_refused_after_dns_resolution_unless_the_source_allows_it() -> None:
    with serve({"/list.html": page(list_html())}) as site:
        url = f"http://localhost:{site.port}/list.html"
        strict = make_source(f"http://localhost:{site.port}", allow_private_addresses=False)
        with pytest.raises(FetchFailure) as info:
            get(strict, url)
        assert info.value.kind == "address_refused" and "127.0.0.1" in info.value.message
        assert site.hits == {}
        assert get(make_source(f"http://localhost:{site.port}"), url).status == 200  # the mirror's way
        assert site.hits["/list.html"] == 1


@pytest.mark.parametrize(
    "address", ["169.254.169.254", "10.0.0.1", "192.168.1.1", "224.0.0.1", "0.0.0.0", "[::1]"]
)
def test_private_link_local_multicast_addresses_are_refused_even_when_listed(address: str) -> None:
    base = f"http://{address}:9"
    source = make_source(base, allow_private_addresses=False, politeness={"timeout_seconds": 0.5})
    with pytest.raises(FetchFailure) as info:
        get(source, base + "/list.html")
    assert info.value.kind == "address_refused"


def test_in_scope_redirects_are_followed_and_every_hop_logged(tmp_path: Path) -> None:
    routes = {
        "/list.html": page(list_html("/old.html")),
        "/old.html": redirect("/moved.html", 301),
        "/moved.html": redirect("/detail.html"),
        "/detail.html": page(detail_html("/a.pdf")),
        "/a.pdf": page(PDF, "application/pdf"),
    }
    with serve(routes) as site:
        archive = RawArchive(tmp_path / "raw")
        _, fetched = crawl(make_source(site.base), archive)
    assert [d.url for d in fetched.documents] == [site.url("/a.pdf")]
    rows = archive.read_log()
    hops = [
        (r["url"].removeprefix(site.base), r["status"], r.get("redirect_to"))
        for r in rows
        if r["role"] == "redirect"
    ]
    assert hops == [("/old.html", 301, "/moved.html"), ("/moved.html", 302, "/detail.html")]
    final = next(r for r in rows if r["url"] == site.url("/old.html") and r["status"] == 200)
    assert final["final_url"] == site.url("/detail.html")
    assert final["hops"] == [site.url("/old.html"), site.url("/moved.html")]
    assert len(rows) == sum(site.hits.values())  # every request is a row


def test_redirect_loop_ends_with_a_clear_error_and_bounded_requests() -> None:
    with serve({"/a": redirect("/b"), "/b": redirect("/a")}) as site, pytest.raises(FetchFailure) as info:
        get(make_source(site.base), site.url("/a"))
    assert info.value.kind == "redirect_loop"
    assert sum(site.hits.values()) == 2


def test_robots_txt_redirected_elsewhere_is_not_followed() -> None:
    with serve({"/robots.txt": page(b"User-agent: *\nAllow: /\n", "text/plain")}) as other:
        routes = {"/robots.txt": redirect(other.url("/robots.txt")), "/list.html": page(list_html())}
        with serve(routes) as site:
            source = make_source(site.base, politeness={"respect_robots": True})
            with pytest.raises(FetchFailure) as info:
                get(source, site.url("/list.html"))
    assert other.hits == {}
    assert info.value.kind == "robots_unavailable"  # RFC 9309: unreachable robots.txt = disallow


# ── time budgets ─────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("route", [trickle_body(0.05), trickle_headers(0.05)], ids=["body", "headers"])
def test_a_trickling_url_is_cut_at_its_total_budget(route) -> None:
    # each byte arrives well within the 2 s read timeout; only the URL's 1 s budget ends it
    with serve({"/slow.pdf": route}) as site:
        source = make_source(site.base, politeness={"max_seconds_per_url": 1.0})
        started = time.monotonic()
        with pytest.raises(FetchFailure) as info:
            get(source, site.url("/slow.pdf"))
        took = time.monotonic() - started
    assert info.value.kind in ("deadline", "timeout")
    assert took < 10  # without the budget this never ends (100 000 bytes at 20 a second)


def test_retry_after_of_an_hour_gives_up_at_once_instead_of_sleeping() -> None:
    waits: list[float] = []
    with serve({"/busy": status(429, {"Retry-After": "3600"})}) as site:
        source = make_source(
            site.base, politeness={"max_retry_after_seconds": 3600, "max_seconds_per_url": 5}
        )
        log: list[dict] = []
        with pytest.raises(FetchFailure) as info:
            get(source, site.url("/busy"), log, sleep=waits.append)
    assert info.value.kind == "deadline" and info.value.status == 429
    assert waits == [] and len(log) == 1 == site.hits["/busy"]


def test_source_deadline_stops_every_further_request(tmp_path: Path) -> None:
    routes = {"/list.html": page(list_html(*(f"/d{i}.html" for i in range(5))))}
    routes.update({f"/d{i}.html": trickle_body(0.05) for i in range(5)})
    with serve(routes) as site:
        source = make_source(
            site.base, politeness={"max_seconds_per_source": 1.5, "max_seconds_per_url": 60, "concurrency": 1}
        )
        archive = RawArchive(tmp_path / "raw")
        found, fetched = crawl(source, archive)
    kinds = [e.kind for e in fetched.errors]
    assert len(found.links) == 5 and kinds.count("source_deadline") >= 3
    # refused after the deadline without being sent: at most the one in flight was cut
    assert sum(site.hits.values()) <= 3


def test_a_trickling_webhook_receiver_holds_the_run_only_until_the_overall_deadline() -> None:
    from flows.alerts.summary import RunSummary
    from flows.alerts.webhook import post_webhook

    with serve({"/hook": trickle_body(0.05)}) as receiver:
        started = time.monotonic()
        delivered = post_webhook(
            receiver.url("/hook"),
            RunSummary(run_id="r1", started="2026-01-01T00:00:00Z"),
            attempts=4,
            backoff=0.01,
            timeout=5,
            deadline_seconds=1.0,
        )
        took = time.monotonic() - started
    assert delivered is False
    assert took < 10  # before: 4 attempts, each held as long as the receiver liked


# ── cases that held already, kept proven ─────────────────────────────────────────────
def test_gzip_bomb_is_cut_at_the_body_limit_while_inflating() -> None:
    import gzip

    bomb = gzip.compress(b"\0" * (200 << 20), compresslevel=9)  # 200 MB in about 200 KB
    route = lambda h: send(h, 200, bomb, {"Content-Encoding": "gzip", "Content-Type": "application/pdf"})  # noqa: E731
    with serve({"/bomb.pdf": route}) as site, pytest.raises(FetchFailure) as info:
        get(make_source(site.base, politeness={"max_body_mb": 1.0}), site.url("/bomb.pdf"))
    assert info.value.kind == "too_large"


def test_429_is_retried_a_bounded_number_of_times_each_a_log_row() -> None:
    waits: list[float] = []
    with serve({"/busy": status(429, {"Retry-After": "1"})}) as site:
        log: list[dict] = []
        with pytest.raises(FetchFailure) as info:
            get(make_source(site.base), site.url("/busy"), log, sleep=waits.append)
    assert info.value.kind == "http_error" and info.value.status == 429
    assert site.hits["/busy"] == 3 == len(log)
    # two retries, each after the Retry-After second (the rate limiter's own short waits aside)
    assert len([w for w in waits if w >= 1]) == 2


def test_robots_disallow_is_obeyed_for_every_path_it_names() -> None:
    robots = page(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    routes = {"/robots.txt": robots, "/private/r.pdf": page(PDF, "application/pdf")}
    with serve(routes) as site, pytest.raises(FetchFailure) as info:
        get(make_source(site.base, politeness={"respect_robots": True}), site.url("/private/r.pdf"))
    assert info.value.kind == "robots_disallowed" and site.hits["/private/r.pdf"] == 0


def test_allowed_origins_are_scheme_host_and_port() -> None:
    source = make_source(
        "http://a.gov.cn", allowed_hosts=["a.gov.cn", "b.gov.cn", "https://files.gov.cn:8443"]
    )
    assert source.host_allowed("https://a.gov.cn/x.pdf") and source.host_allowed("http://b.gov.cn/x")
    assert source.host_allowed("https://files.gov.cn:8443/x.pdf")
    assert not source.host_allowed("http://a.gov.cn:8080/x") and not source.host_allowed(
        "https://files.gov.cn/x"
    )
    assert not source.host_allowed("ftp://a.gov.cn/x") and not source.host_allowed("http://a.gov.cn:99999/")
    with pytest.raises(ValueError, match="scheme://host:port"):
        make_source("http://a.gov.cn", allowed_hosts=["a.gov.cn:8080"])
