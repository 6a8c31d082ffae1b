"""One JSON POST per run to the operator's webhook; a failed delivery is logged, never fatal."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import httpx

from flows.alerts.summary import RunSummary
from flows.crawl import guard

# what a receiver needs to act on a finding without opening the warehouse
_FINDING_FIELDS = (
    "check",
    "severity",
    "district",
    "department",
    "fiscal_year",
    "field",
    "message",
    "evidence",
    "source_url",
    "page_url",
    "report_id",
)


def _finding(f: dict[str, Any]) -> dict[str, Any]:
    return {k: f.get(k) for k in _FINDING_FIELDS}


def run_status(summary: RunSummary) -> str:
    """error when anything needs the operator (a new error finding, a health error, a rejected
    document, a crawl error); warning when only warnings; else ok."""
    severities = {f["severity"] for f in summary.findings} | {h["severity"] for h in summary.health}
    if "error" in severities or summary.rejected or summary.crawl_errors:
        return "error"
    return "warning" if severities else "ok"


def _headline(summary: RunSummary, errors: int, warnings: int) -> str:
    parts = [f"{errors} new error(s)", f"{warnings} new warning(s)"]
    if summary.health:
        parts.append(f"{len(summary.health)} run-health alert(s)")
    if summary.rejected:
        parts.append(f"{len(summary.rejected)} rejected document(s)")
    if summary.crawl_errors:
        parts.append(f"{len(summary.crawl_errors)} crawl error(s)")
    return f"govperf run {summary.run_id}: " + ", ".join(parts)


def webhook_payload(summary: RunSummary) -> dict[str, Any]:
    errors = [_finding(f) for f in summary.findings if f["severity"] == "error"]
    warnings = [_finding(f) for f in summary.findings if f["severity"] != "error"]
    return {
        "text": _headline(summary, len(errors), len(warnings)),
        "status": run_status(summary),
        "run_id": summary.run_id,
        "started": summary.started,
        "finished": summary.finished,
        "errors": errors,
        "warnings": warnings,
        "health": summary.health,
        "rejected_documents": summary.rejected,
        "crawl_errors": summary.crawl_errors,
        "sources": [
            {
                "source": s.source,
                "documents": s.documents,
                "reports": s.reports,
                "new": s.reports_new,
                "changed": s.reports_changed,
                "quarantined": s.reports_quarantined,
            }
            for s in summary.sources
        ],
        "warehouse": summary.warehouse,
        "docs": summary.docs,
    }


def _retryable(status: int) -> bool:
    return status >= 500 or status in (408, 429)


def post_webhook(
    url: str,
    summary: RunSummary,
    *,
    attempts: int = 4,
    backoff: float = 1.0,
    timeout: float = 10.0,
    deadline_seconds: float = 60.0,
    logger: Any = None,
) -> bool:
    """POST the run's alerts; retried with exponential backoff on network errors, 5xx, 408 and
    429, all within deadline_seconds (a receiver trickling its answer cannot hold the run).
    Returns whether it was delivered; never raises."""
    log = logger or logging.getLogger(__name__)
    try:
        # dates and other non-JSON values become text rather than stopping the alert
        body = json.dumps(webhook_payload(summary), ensure_ascii=False, default=str).encode("utf-8")
    except (TypeError, ValueError) as e:
        log.error("webhook %s: alert not sent, payload not serialisable: %s", url, e)
        return False
    headers = {"Content-Type": "application/json; charset=utf-8"}
    ends_at = time.monotonic() + deadline_seconds
    # the receiver is the operator's own (often on the local network): addresses not restricted
    transport = guard.GuardedTransport(allow_private=True, limits=httpx.Limits(max_connections=1))
    with httpx.Client(transport=transport, timeout=timeout) as client, guard.deadline(ends_at):
        return _post(client, url, body, headers, attempts, backoff, ends_at, log)


def _post(
    client: httpx.Client,
    url: str,
    body: bytes,
    headers: dict[str, str],
    attempts: int,
    backoff: float,
    ends_at: float,
    log: Any,
) -> bool:
    reason = "not attempted"
    for attempt in range(1, attempts + 1):
        try:
            response = client.post(url, content=body, headers=headers)
        except (httpx.HTTPError, httpx.InvalidURL) as e:
            reason = f"{type(e).__name__}: {e}"
        else:
            if response.status_code < 300:
                if attempt > 1:
                    log.info("webhook %s: alert delivered on attempt %d", url, attempt)
                return True
            reason = f"HTTP {response.status_code}"
            if not _retryable(response.status_code):
                log.error("webhook %s refused the alert: %s", url, reason)
                return False
        if attempt < attempts:
            wait = backoff * 2 ** (attempt - 1)
            if time.monotonic() + wait >= ends_at:
                reason += "; out of time"
                break
            time.sleep(wait)
    log.error("webhook %s: alert not delivered after %d attempts (%s)", url, attempt, reason)
    return False
