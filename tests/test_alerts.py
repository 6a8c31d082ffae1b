"""The webhook against real HTTP receivers on 127.0.0.1: delivered, retried, down, refused."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from flows.alerts.summary import RunSummary, SourceSummary
from flows.alerts.webhook import post_webhook, run_status, webhook_payload

FINDINGS = [
    {
        "severity": "error",
        "check": "rate_matches_amounts",
        "district": "闵行区",
        "department": "浦锦街道社区事务受理服务中心",
        "fiscal_year": 2023,
        "field": "budget.project.rate",
        "message": "stated 92.77% but 7609.48/7664.88 = 99.28% (tolerance ±0.05 pp)",
        "evidence": "项目支出7664.88万元，执行金额7609.48万元，预算执行率92.77%。",
        "source_url": "http://mirror.example/upload/000.pdf",
        "page_url": "http://mirror.example/content/000.htm",
        "report_id": "a1b2c3",
    },
    {
        "severity": "warning",
        "check": "publisher_matches_region",
        "district": "东湖区",
        "department": "公园街道办事处",
        "fiscal_year": 2022,
        "field": "publisher",
        "message": "published by 东湖区墩子塘街道, not by the reporting unit's street or district",
        "evidence": None,
        "source_url": "http://mirror.example/dhq/003.shtml",
        "page_url": "http://mirror.example/dhq/003.shtml",
        "report_id": "d4e5f6",
    },
]
HEALTH = [
    {
        "check": "source_yields_no_documents",
        "severity": "error",
        "source": "donghu",
        "message": "donghu: 3 list page(s) fetched but no report link found on them",
        "district": None,
        "fiscal_year": None,
        "urls": [],
    }
]


def summary(**kw) -> RunSummary:
    s = RunSummary(
        run_id="20260630T020000Z-abc123", started="2026-06-30T02:00:00", finished="2026-06-30T02:01:00"
    )
    s.sources = [SourceSummary("minhang", documents=6, reports=4, reports_new=4, reports_quarantined=1)]
    s.findings = [dict(f) for f in FINDINGS]
    s.health = [dict(h) for h in HEALTH]
    for k, v in kw.items():
        setattr(s, k, v)
    return s


class Receiver(ThreadingHTTPServer):
    """Records every POST; answers the statuses queued in `script`, then 200."""

    def __init__(self, script: list[int] | None = None) -> None:
        self.posts: list[dict] = []
        self.content_types: list[str] = []
        self.script = list(script or [])
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/govperf"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:
            self.server.posts.append(json.loads(body.decode("utf-8")))
            self.server.content_types.append(self.headers.get("Content-Type", ""))
            status = self.server.script.pop(0) if self.server.script else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args) -> None:  # quiet test output
        pass


@pytest.fixture
def receiver(request) -> Iterator[Receiver]:
    server = Receiver(getattr(request, "param", None))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_one_post_lists_new_errors_and_warnings_with_links(receiver):
    assert post_webhook(receiver.url, summary(), backoff=0.01) is True
    [payload] = receiver.posts
    assert receiver.content_types == ["application/json; charset=utf-8"]
    assert payload["run_id"] == "20260630T020000Z-abc123"
    assert payload["status"] == "error"
    assert payload["text"].startswith("govperf run 20260630T020000Z-abc123: 1 new error(s), 1 new warning(s)")
    [error] = payload["errors"]
    assert error["check"] == "rate_matches_amounts" and "92.77" in error["message"]
    assert error["source_url"] == "http://mirror.example/upload/000.pdf"
    assert error["page_url"] == "http://mirror.example/content/000.htm"
    assert error["evidence"].endswith("预算执行率92.77%。")  # Chinese arrives as sent
    [warning] = payload["warnings"]
    assert warning["check"] == "publisher_matches_region" and warning["page_url"].endswith("003.shtml")
    assert payload["health"] == HEALTH
    assert payload["sources"][0]["quarantined"] == 1


@pytest.mark.parametrize("receiver", [[503, 500]], indirect=True)
def test_a_receiver_that_fails_twice_gets_the_alert_on_the_third_attempt(receiver, caplog):
    with caplog.at_level(logging.INFO):
        assert post_webhook(receiver.url, summary(), attempts=4, backoff=0.01) is True
    assert len(receiver.posts) == 3
    assert receiver.posts[0] == receiver.posts[2]  # the same alert each time
    assert "delivered on attempt 3" in caplog.text


@pytest.mark.parametrize("receiver", [[500, 500, 500, 500]], indirect=True)
def test_a_receiver_that_keeps_failing_is_logged_after_the_last_attempt(receiver, caplog):
    assert post_webhook(receiver.url, summary(), attempts=4, backoff=0.01) is False
    assert len(receiver.posts) == 4
    assert "not delivered after 4 attempts (HTTP 500)" in caplog.text


@pytest.mark.parametrize("receiver", [[404]], indirect=True)
def test_a_refusal_is_not_retried(receiver, caplog):
    assert post_webhook(receiver.url, summary(), backoff=0.01) is False
    assert len(receiver.posts) == 1
    assert "refused the alert: HTTP 404" in caplog.text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def test_a_receiver_that_is_down_is_logged_never_fatal(caplog):
    url = f"http://127.0.0.1:{_closed_port()}/hook"
    with caplog.at_level(logging.ERROR):
        assert post_webhook(url, summary(), attempts=2, backoff=0.01) is False
    assert "not delivered after 2 attempts (ConnectError" in caplog.text


def test_a_malformed_webhook_setting_is_logged_never_fatal(caplog):
    assert post_webhook("not a url", summary(), attempts=1) is False
    assert "webhook not a url" in caplog.text


def test_status_is_ok_only_when_nothing_needs_the_operator():
    assert run_status(summary(findings=[], health=[])) == "ok"
    assert run_status(summary(findings=[FINDINGS[1]], health=[])) == "warning"
    assert run_status(
        summary(findings=[], health=[], rejected=[{"url": "u", "kind": "corrupt", "message": ""}])
    ) == ("error")
    assert webhook_payload(summary(findings=[], health=[]))["text"].endswith(
        "0 new error(s), 0 new warning(s)"
    )
