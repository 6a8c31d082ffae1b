"""Polite HTTP: one client per source, per-host rate limit, bounded retries, size limit, robots.txt.

Government sites are slow and small; a nightly collector must never be the reason one
falls over. Every request (retries, redirect hops and robots.txt included) is reported to
`on_request` as a fetch-log record.

This is also the crawler's one choke point for scope: `PoliteClient.get` checks every URL
(and each redirect hop, followed here by hand) against the source's allowed origins
before it is sent; the transport (flows/crawl/guard.py) refuses private addresses after
DNS resolution and holds each URL to its total deadline and the source to its own.
"""

from __future__ import annotations

import random
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from flows.crawl import guard
from flows.crawl.archive import sha256_hex, utc_now_iso
from flows.sources.model import Source

try:
    _VERSION = version("govperf")
except PackageNotFoundError:  # running from a bare checkout
    _VERSION = "0"

USER_AGENT = f"govperf/{_VERSION} (budget-performance report collector)"
ROBOTS_AGENT = "govperf"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

OnRequest = Callable[[dict[str, Any]], None]


def user_agent(source: Source) -> str:
    suffix = source.politeness.user_agent_suffix.strip()
    return f"{USER_AGENT} {suffix}" if suffix else USER_AGENT


def make_client(source: Source) -> httpx.Client:
    """An httpx client with the source's User-Agent and timeouts; HTTP/1.1; redirects are
    not followed by httpx (PoliteClient follows them, checking each hop); addresses guarded."""
    p = source.politeness
    limits = httpx.Limits(max_connections=p.concurrency + 2, max_keepalive_connections=p.concurrency + 2)
    return httpx.Client(
        headers={"User-Agent": user_agent(source)},
        timeout=httpx.Timeout(p.timeout_seconds),
        follow_redirects=False,
        transport=guard.GuardedTransport(allow_private=source.allow_private_addresses, limits=limits),
    )


class FetchFailure(Exception):
    """A request that failed for good (after any retries)."""

    def __init__(self, url: str, kind: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {kind}: {message}")
        self.url = url
        self.kind = kind
        self.message = message
        self.status = status


@dataclass(slots=True)
class HttpResponse:
    url: str  # as requested
    final_url: str  # after redirects
    status: int
    headers: httpx.Headers
    body: bytes  # empty for 304
    elapsed_ms: int
    fetched_at: str  # ISO 8601 UTC, when the request started

    @property
    def content_type(self) -> str | None:
        ct = self.headers.get("content-type")
        return ct.split(";")[0].strip().lower() if ct else None

    @property
    def charset(self) -> str | None:
        return header_charset(self.headers.get("content-type"))


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    msg = Message()
    msg["content-type"] = content_type
    cs = msg.get_param("charset")
    return cs.strip() if isinstance(cs, str) and cs.strip() else None


# ── pure policy pieces ──────────────────────────────────────────────────────────────
def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with jitter: about base·2^attempt, between half and all of it."""
    ceiling = min(cap, base * (2**attempt))
    return ceiling * (0.5 + 0.5 * rng.random())


class HostSchedule:
    """When each host may next be asked. One per limiter by default; sources crawled together
    share one, so two sources on one host take turns instead of each keeping its own pace."""

    def __init__(self) -> None:
        self.next_at: dict[str, float] = {}
        self.lock = threading.Lock()


class RateLimiter:
    """At most one request per `min_interval` seconds per host, across threads (and across the
    sources sharing its schedule)."""

    def __init__(
        self,
        min_interval: float,
        sleep: Callable[[float], None] = time.sleep,
        schedule: HostSchedule | None = None,
    ) -> None:
        self.min_interval = min_interval
        self._sleep = sleep
        self._schedule = schedule or HostSchedule()
        self._interval: dict[str, float] = {}

    def set_interval(self, host: str, seconds: float) -> None:
        with self._schedule.lock:
            self._interval[host] = max(self.min_interval, seconds)

    def wait(self, host: str) -> None:
        schedule = self._schedule
        with schedule.lock:
            now = time.monotonic()
            at = max(now, schedule.next_at.get(host, 0.0))
            schedule.next_at[host] = at + self._interval.get(host, self.min_interval)
        if at > now:
            self._sleep(at - now)


# ── the client ──────────────────────────────────────────────────────────────────────
class PoliteClient:
    """GETs with the source's manners. Thread-safe; share one per source and run."""

    def __init__(
        self,
        client: httpx.Client,
        source: Source,
        *,
        on_request: OnRequest | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        schedule: HostSchedule | None = None,
    ) -> None:
        self.client = client
        self.source = source
        self.policy = source.politeness
        self.on_request = on_request
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.limiter = RateLimiter(self.policy.min_interval, sleep, schedule)
        self._robots: dict[str, urllib.robotparser.RobotFileParser | FetchFailure | None] = {}
        self._robots_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self.requests = 0
        # the source's wall-clock budget starts with its client: one client per source and run
        self.source_deadline = time.monotonic() + self.policy.max_seconds_per_source

    # public ----------------------------------------------------------------------------
    def get(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        role: str = "page",
        not_modified_sha: str | None = None,
    ) -> HttpResponse:
        """GET with robots check, rate limit and retries. Returns 200 or 304; raises FetchFailure.

        not_modified_sha is written to the log line of a 304: the archived body it stands for.
        """
        self._check_scope(url)
        if self.policy.respect_robots:
            self._check_robots(url)
        return self._get_with_retries(url, headers or {}, role, not_modified_sha)

    def post(self, url: str, content: bytes, content_type: str, *, role: str = "list") -> HttpResponse:
        """POST (a list API or data proxy asks for its pages so) with the same manners as get."""
        self._check_scope(url)
        if self.policy.respect_robots:
            self._check_robots(url)
        headers = {"Content-Type": content_type}
        return self._get_with_retries(url, headers, role, None, method="POST", content=content)

    # scope -----------------------------------------------------------------------------
    def _check_scope(self, url: str) -> None:
        """Refuse a URL outside the source before anything is sent (and say so in the log)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchFailure(url, "invalid_url", "not an http(s) URL")
        if not self.source.host_allowed(url):
            raise FetchFailure(
                url, "out_of_scope", f"{parts.scheme}://{parts.netloc} is not one of the source's origins"
            )
        if time.monotonic() > self.source_deadline:
            raise FetchFailure(
                url,
                "source_deadline",
                f"source's {self.policy.max_seconds_per_source:g} s budget for this run is spent",
            )

    # robots.txt ------------------------------------------------------------------------
    def _check_robots(self, url: str) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._robots_lock:
            # fetched once per host; the lock makes concurrent first requests wait for it
            if origin not in self._robots:
                self._robots[origin] = self._load_robots(origin)
            rules = self._robots[origin]
        if isinstance(rules, FetchFailure):
            raise FetchFailure(
                url, "robots_unavailable", f"robots.txt unreachable ({rules.kind}: {rules.message})"
            )
        if rules is not None and not rules.can_fetch(ROBOTS_AGENT, url):
            raise FetchFailure(url, "robots_disallowed", "disallowed by robots.txt")

    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | FetchFailure | None:
        """Rules, None (no robots.txt: all allowed) or the failure (RFC 9309: unreachable = disallow)."""
        try:
            resp = self._get_with_retries(f"{origin}/robots.txt", {}, "robots", None, allow_4xx=True)
        except FetchFailure as exc:
            if exc.kind in ("not_found", "http_error") and exc.status is not None and 400 <= exc.status < 500:
                return None
            return exc
        if resp.status >= 400:
            return None
        rules = urllib.robotparser.RobotFileParser()
        rules.parse(resp.body.decode("utf-8", errors="replace").splitlines())
        delay = rules.crawl_delay(ROBOTS_AGENT)
        if delay:
            self.limiter.set_interval(urlsplit(origin).netloc, float(delay))
        return rules

    # one URL, with retries ------------------------------------------------------------
    def _get_with_retries(
        self,
        url: str,
        headers: Mapping[str, str],
        role: str,
        not_modified_sha: str | None,
        *,
        allow_4xx: bool = False,
        method: str = "GET",
        content: bytes | None = None,
    ) -> HttpResponse:
        host = urlsplit(url).netloc
        url_deadline = min(time.monotonic() + self.policy.max_seconds_per_url, self.source_deadline)
        attempt = 0
        while True:
            self.limiter.wait(host)
            retry_after: float | None = None
            try:
                with guard.deadline(url_deadline):
                    resp = self._follow(url, headers, role, not_modified_sha, method, content)
            except FetchFailure as exc:
                if exc.kind not in ("timeout", "connection") or attempt >= self.policy.max_retries:
                    if attempt and exc.kind in ("timeout", "connection"):
                        exc.message += f" (after {attempt} retries)"
                    raise
            else:
                if resp.status in (200, 304) or (
                    allow_4xx and 400 <= resp.status < 500 and resp.status != 429
                ):
                    return resp
                if resp.status not in RETRY_STATUSES or attempt >= self.policy.max_retries:
                    kind = "not_found" if resp.status in (404, 410) else "http_error"
                    suffix = f" after {attempt} retries" if attempt else ""
                    raise FetchFailure(url, kind, f"HTTP {resp.status}{suffix}", resp.status)
                retry_after = parse_retry_after(resp.headers.get("retry-after"))
            delay = backoff_delay(
                attempt, self.policy.backoff_base_seconds, self.policy.backoff_max_seconds, self._rng
            )
            if retry_after is not None:
                delay = max(delay, min(retry_after, self.policy.max_retry_after_seconds))
            if time.monotonic() + delay >= url_deadline:
                # waiting would outlive the URL's budget: give up now instead of sleeping first
                raise FetchFailure(
                    url,
                    "deadline",
                    f"next try would be after the URL's {self.policy.max_seconds_per_url:g} s budget"
                    f" (after {attempt} retries)",
                    resp.status if retry_after is not None else None,
                )
            self._sleep(delay)
            attempt += 1

    def _follow(
        self,
        url: str,
        headers: Mapping[str, str],
        role: str,
        not_modified_sha: str | None,
        method: str = "GET",
        content: bytes | None = None,
    ) -> HttpResponse:
        """One request and its redirects, each hop scope-checked before it is sent and logged."""
        hops: list[str] = []
        current = url
        while True:
            resp = self._once(
                current, headers, role, not_modified_sha, method, content, requested=url, hops=hops
            )
            if resp.status not in REDIRECT_STATUSES:
                return resp
            location = resp.headers.get("location")
            if not location:
                raise FetchFailure(url, "http_error", f"HTTP {resp.status} without a Location", resp.status)
            target = urljoin(current, location.strip()).split("#", 1)[0]
            hops.append(current)
            if target in hops or target == current:
                raise FetchFailure(url, "redirect_loop", f"redirect loop at {target}", resp.status)
            if len(hops) > self.policy.max_redirects:
                raise FetchFailure(
                    url, "too_many_redirects", f"more than {self.policy.max_redirects} redirects"
                )
            try:
                self._check_scope(target)
            except FetchFailure as exc:
                raise FetchFailure(
                    url, exc.kind, f"redirect to {target}: {exc.message}", resp.status
                ) from exc
            if self.policy.respect_robots:
                self._check_robots(target)
            self.limiter.wait(urlsplit(target).netloc)  # a hop is a request like any other
            current = target

    def _once(
        self,
        url: str,
        headers: Mapping[str, str],
        role: str,
        not_modified_sha: str | None,
        method: str = "GET",
        content: bytes | None = None,
        *,
        requested: str | None = None,
        hops: list[str] | None = None,
    ) -> HttpResponse:
        """One request, streamed so an oversized body is cut off; logged whatever happens.

        A redirect hop is logged under its own URL with `redirect_to`; the last request of a
        redirected URL is logged under the URL asked for, with `final_url` and `hops`.
        """
        with self._count_lock:
            self.requests += 1
        limit = self.policy.max_body_bytes
        started = time.monotonic()
        fetched_at = utc_now_iso()
        requested = requested or url
        entry: dict[str, Any] = {
            "url": requested,
            # microseconds: the log's key is (url, fetched_at), and retries come within a second
            "fetched_at": datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
            "source": self.source.name,
            "role": role,
        }
        if method != "GET":
            entry["method"] = method
            # the same URL answers other pages to other forms: the log keeps which was asked
            entry["request_body"] = (content or b"").decode("utf-8", errors="replace")[:500]
        if hops:
            entry.update(final_url=url, hops=list(hops))
        try:
            with self.client.stream(method, url, headers=dict(headers), content=content) as r:
                entry.update(
                    status=r.status_code,
                    etag=r.headers.get("etag"),
                    last_modified=r.headers.get("last-modified"),
                    content_type=r.headers.get("content-type"),
                )
                if r.status_code in REDIRECT_STATUSES:
                    entry.update(url=url, role="redirect", redirect_to=r.headers.get("location"))
                    entry.pop("final_url", None)
                    entry.pop("hops", None)
                    if url != requested:
                        entry["requested_url"] = requested
                declared = r.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > limit:
                    raise FetchFailure(
                        url, "too_large", f"Content-Length {declared} > {limit} bytes", r.status_code
                    )
                chunks: list[bytes] = []
                size = 0
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise FetchFailure(url, "too_large", f"body larger than {limit} bytes", r.status_code)
                    chunks.append(chunk)
                body = b"".join(chunks)
                resp = HttpResponse(
                    url=requested,
                    final_url=url,
                    status=r.status_code,
                    headers=r.headers,
                    body=body,
                    elapsed_ms=int((time.monotonic() - started) * 1000),
                    fetched_at=fetched_at,
                )
        except FetchFailure as exc:
            entry["bytes"] = None
            entry["error"] = f"{exc.kind}: {exc.message}"
            self._log(entry, started)
            raise
        except guard.AddressRefused as exc:
            entry["error"] = f"address_refused: {exc}"
            self._log(entry, started)
            raise FetchFailure(requested, "address_refused", str(exc)) from exc
        except httpx.TimeoutException as exc:
            entry["error"] = f"timeout: {type(exc).__name__}"
            self._log(entry, started)
            raise FetchFailure(url, "timeout", f"{type(exc).__name__}: {exc}") from exc
        except httpx.UnsupportedProtocol as exc:
            entry["error"] = f"invalid_url: {exc}"
            self._log(entry, started)
            raise FetchFailure(url, "invalid_url", str(exc)) from exc
        except httpx.TransportError as exc:
            entry["error"] = f"connection: {type(exc).__name__}"
            self._log(entry, started)
            raise FetchFailure(url, "connection", f"{type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:  # too many redirects, invalid URL, …
            entry["error"] = f"http_error: {exc}"
            self._log(entry, started)
            raise FetchFailure(url, "http_error", f"{type(exc).__name__}: {exc}") from exc
        entry["bytes"] = len(resp.body)
        if resp.status == 200:
            entry["sha256"] = sha256_hex(resp.body)
        elif resp.status == 304:
            entry["sha256"] = not_modified_sha
        elif resp.status not in REDIRECT_STATUSES:
            entry["error"] = f"HTTP {resp.status}"
        self._log(entry, started)
        return resp

    def _log(self, entry: dict[str, Any], started: float) -> None:
        entry["elapsed_ms"] = int((time.monotonic() - started) * 1000)
        if self.on_request is not None:
            self.on_request(entry)
