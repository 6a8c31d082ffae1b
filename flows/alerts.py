"""One JSON POST per run to the operator's webhook; a failed delivery is logged, never fatal."""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx

from flows.summary import RunSummary


def webhook_payload(summary: RunSummary) -> dict[str, Any]:
    return {
        "run_id": summary.run_id,
        "started": summary.started,
        "finished": summary.finished,
        "errors": [f for f in summary.findings if f["severity"] == "error"],
        "warnings": [f for f in summary.findings if f["severity"] != "error"],
        "rejected_documents": summary.rejected,
        "crawl_errors": summary.crawl_errors,
        "sources": [
            {
                "source": s.source,
                "documents": s.documents,
                "reports": s.reports,
                "quarantined": s.reports_quarantined,
            }
            for s in summary.sources
        ],
    }


def post_webhook(
    url: str, summary: RunSummary, *, attempts: int = 4, backoff: float = 1.0, logger: Any = None
) -> bool:
    """POST the run's alerts; retried with backoff on errors and 5xx. Returns whether it was delivered."""
    log = logger or logging.getLogger(__name__)
    payload = webhook_payload(summary)
    for attempt in range(1, attempts + 1):
        try:
            response = httpx.post(url, json=payload, timeout=10.0)
            if response.status_code < 300:
                return True
            if response.status_code < 500 and response.status_code != 429:
                log.error("webhook %s refused the alert: HTTP %s", url, response.status_code)
                return False
            reason = f"HTTP {response.status_code}"
        except httpx.HTTPError as e:
            reason = f"{type(e).__name__}: {e}"
        if attempt < attempts:
            time.sleep(backoff * 2 ** (attempt - 1))
    log.error("webhook %s: alert not delivered after %d attempts (%s)", url, attempts, reason)
    return False
