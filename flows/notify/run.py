"""When to alert: a run with anything for the operator, or a run that failed."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flows.alerts.summary import RunSummary
from flows.alerts.webhook import run_status
from flows.notify.channels import parse_channels
from flows.notify.message import Alert, failure_alert, run_alert
from flows.notify.send import deliver_all


def _send(urls: str | list[str] | None, alert: Alert, logger: Any, **kwargs: Any) -> dict[str, str | None]:
    log = logger or logging.getLogger(__name__)
    channels, errors = parse_channels(urls)
    for e in errors:
        log.error("%s", e)
    return deliver_all(channels, alert, logger=log, **kwargs)


def notify_run(
    summary: RunSummary,
    urls: str | list[str] | None,
    *,
    site_url: str | None = None,
    site_dir: Path | None = None,
    logger: Any = None,
    **kwargs: Any,
) -> dict[str, str | None]:
    """Alert the channels when the run has new findings, health alerts, rejected documents or
    crawl errors; a quiet night sends nothing (the webhook still gets its every-run JSON)."""
    status = run_status(summary)
    if status == "ok" or not urls:
        return {}
    return _send(urls, run_alert(summary, status, site_url=site_url, site_dir=site_dir), logger, **kwargs)


def notify_failure(
    urls: str | list[str] | None,
    run_name: str,
    reason: str,
    *,
    site_url: str | None = None,
    site_dir: Path | None = None,
    logger: Any = None,
    **kwargs: Any,
) -> dict[str, str | None]:
    if not urls:
        return {}
    return _send(
        urls, failure_alert(run_name, reason, site_url=site_url, site_dir=site_dir), logger, **kwargs
    )
