"""Deliver an alert to each channel in its service's own webhook format; a failed delivery is
logged, never fatal, and never stops the other channels."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import quote_plus, urlsplit

import httpx

from flows.notify.channels import Channel
from flows.notify.message import Alert, markdown, plain_text

WECOM_MAX_BYTES = 4096  # WeCom refuses a markdown content longer than this (UTF-8 bytes)
DINGTALK_MAX_BYTES = 20_000


def _cut(text: str, max_bytes: int) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= max_bytes:
        return text
    return raw[: max_bytes - 8].decode("utf-8", errors="ignore").rstrip() + "\n…"


def dingtalk_signed(url: str, secret: str, now_ms: int | None = None) -> str:
    """DingTalk's 加签: timestamp (ms) and the HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret."""
    ts = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode("utf-8"), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    return f"{url}&timestamp={ts}&sign={quote_plus(base64.b64encode(digest).decode('ascii'))}"


def feishu_sign(secret: str, ts: int) -> str:
    """Feishu's 签名校验: HMAC-SHA256 of an empty message keyed by "timestamp\\nsecret", base64."""
    digest = hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def dingtalk_body(alert: Alert) -> dict[str, Any]:
    return {
        "msgtype": "markdown",
        "markdown": {"title": alert.title, "text": _cut(markdown(alert), DINGTALK_MAX_BYTES)},
    }


def wecom_body(alert: Alert) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": _cut(markdown(alert), WECOM_MAX_BYTES)}}


def feishu_body(alert: Alert, secret: str | None = None, now: int | None = None) -> dict[str, Any]:
    """A Feishu 富文本 (post) message: text and link elements, so nothing in it is markup."""

    def text(t: str) -> dict[str, str]:
        return {"tag": "text", "text": t}

    def link(t: str, href: str) -> dict[str, str]:
        return (
            {"tag": "a", "text": t, "href": href} if href.startswith(("http://", "https://")) else text(href)
        )

    rows: list[list[dict[str, str]]] = [[text(line)] for line in alert.lines]
    for it in alert.items:
        rows.append([text(f"[{it.severity}] {it.check} · {it.report}")])
        rows.append([text(it.message)])
        if it.evidence:
            rows.append([text(f"“{it.evidence}”")])
        links = [
            x
            for x in (
                link("source document", it.source_url) if it.source_url else None,
                link("report site", it.link) if it.link else None,
            )
            if x
        ]
        if links:
            rows.append(links)
    if alert.more:
        rows.append([text(f"… and {alert.more} more finding(s).")])
    if alert.link:
        rows.append([link("Data quality page", alert.link)])
    body: dict[str, Any] = {
        "msg_type": "post",
        "content": {"post": {"zh_cn": {"title": alert.title, "content": rows}}},
    }
    if secret:
        ts = now if now is not None else int(time.time())
        body |= {"timestamp": str(ts), "sign": feishu_sign(secret, ts)}
    return body


def _service_error(kind: str, response: httpx.Response) -> str | None:
    """The bots answer HTTP 200 with an error code in the body: None when it says ok."""
    try:
        data = response.json()
    except ValueError:
        return None if kind == "webhook" else f"not a {kind} answer: {response.text[:200]!r}"
    if kind == "feishu":
        code = data.get("code", data.get("StatusCode", 0))
        return None if code == 0 else f"code {code}: {data.get('msg') or data.get('StatusMessage')}"
    code = data.get("errcode", 0)
    return None if code == 0 else f"errcode {code}: {data.get('errmsg')}"


def _post(
    channel: Channel, url: str, body: dict[str, Any], *, attempts: int, backoff: float, timeout: float
) -> str | None:
    """POST with retries on network errors, 5xx, 408 and 429; None when delivered, else why not."""
    content = json.dumps(body, ensure_ascii=False).encode("utf-8")
    reason = "not attempted"
    for attempt in range(1, attempts + 1):
        try:
            response = httpx.post(
                url,
                content=content,
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=timeout,
            )
        except httpx.HTTPError as e:
            reason = f"{type(e).__name__}: {e}"
        else:
            if response.status_code < 300:
                return _service_error(channel.kind, response)
            reason = f"HTTP {response.status_code}"
            if not (response.status_code >= 500 or response.status_code in (408, 429)):
                return reason
        if attempt < attempts:
            time.sleep(backoff * 2 ** (attempt - 1))
    return reason


def _send_email(channel: Channel, alert: Alert, *, timeout: float) -> str | None:
    msg = EmailMessage()
    msg["Subject"] = alert.title
    msg["From"] = channel.sender
    msg["To"] = ", ".join(channel.recipients)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="govperf")
    msg.set_content(plain_text(alert), charset="utf-8")
    parts = urlsplit(channel.endpoint)
    host, port = parts.hostname or "", parts.port or 25
    try:
        if parts.scheme == "smtps":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        with smtp:
            if channel.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if channel.username and channel.password:
                smtp.login(channel.username, channel.password)
            refused = smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as e:
        return f"{type(e).__name__}: {e}"
    return f"refused recipients: {', '.join(refused)}" if refused else None


def deliver(
    channel: Channel,
    alert: Alert,
    *,
    attempts: int = 4,
    backoff: float = 1.0,
    timeout: float = 10.0,
    now: Callable[[], float] = time.time,
) -> str | None:
    """Send one alert to one channel; None when delivered, else the reason it was not."""
    if channel.kind == "email":
        return _send_email(channel, alert, timeout=timeout)
    url = channel.endpoint
    if channel.kind == "dingtalk":
        body = dingtalk_body(alert)
        if channel.secret:
            url = dingtalk_signed(url, channel.secret, int(now() * 1000))
    elif channel.kind == "wecom":
        body = wecom_body(alert)
    else:
        body = feishu_body(alert, channel.secret, int(now()))
    return _post(channel, url, body, attempts=attempts, backoff=backoff, timeout=timeout)


def deliver_all(
    channels: list[Channel], alert: Alert, *, logger: Any = None, **kwargs: Any
) -> dict[str, str | None]:
    """Every channel gets the alert; returns channel label → None (delivered) or the reason."""
    log = logger or logging.getLogger(__name__)
    results: dict[str, str | None] = {}
    for ch in channels:
        reason = deliver(ch, alert, **kwargs)
        results[ch.label] = reason
        if reason is None:
            log.info("alert sent: %s", ch.label)
        else:
            log.error("alert not delivered: %s: %s", ch.label, reason)
    return results
