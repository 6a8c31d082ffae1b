"""The network guard: which peer addresses a request may reach, and a total deadline per request.

Both are enforced in the socket layer under httpx, because that is the only place that
sees the address really connected to (a name checked before the request could resolve
differently a moment later) and every read of a response (a body or header trickled a
byte at a time never trips a per-read timeout).

- Addresses: a host name is resolved here, every address is checked, and the socket is
  opened to a checked address. Loopback, private, link-local, multicast, reserved and
  unspecified addresses are refused unless the client allows them (a source file's
  `allow_private_addresses`, the mirror's).
- Deadline: `deadline(at)` sets a monotonic time for the requests this thread makes; every
  connect, read and write waits at most until then.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpcore
import httpx
from httpcore._backends.sync import SyncBackend

_local = threading.local()


class AddressRefused(Exception):
    """A host that resolves only to addresses the client may not reach."""

    def __init__(self, host: str, addresses: list[str]) -> None:
        shown = ", ".join(addresses) or "no address"
        super().__init__(f"{host} resolves to {shown}: private, loopback, link-local or reserved")
        self.host = host


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@contextlib.contextmanager
def deadline(at: float | None) -> Iterator[None]:
    """Requests made by this thread inside the block end by monotonic time `at`."""
    before = getattr(_local, "at", None)
    _local.at = at if before is None or at is None else min(at, before)
    try:
        yield
    finally:
        _local.at = before


def _bounded(timeout: float | None) -> float | None:
    at = getattr(_local, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("request deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None):  # type: ignore[no-untyped-def]
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, connecting only to checked addresses, under the thread's deadline."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._plain = SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        timeout = _bounded(timeout)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"{host}: {exc}") from exc
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        allowed = [a for a in addresses if self.allow_private or is_public_address(a)]
        if not allowed:
            raise AddressRefused(host, addresses)
        last: Exception | None = None
        for address in allowed:  # connect to the checked address itself, never the name again
            try:
                stream = self._plain.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
                continue
            return _DeadlineStream(stream)
        assert last is not None
        raise last

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over GuardedBackend. Proxies from the environment are not used:
    the address check must see the real peer, not a proxy."""

    def __init__(self, *, allow_private: bool, limits: httpx.Limits) -> None:
        super().__init__(http1=True, http2=False, limits=limits, trust_env=False)
        # httpx offers no public hook for the network backend; the hostile suite proves this
        # still takes effect (a refused address is refused) on every httpx upgrade
        pool = self._pool
        if not isinstance(pool, httpcore.ConnectionPool):
            raise TypeError(f"unexpected httpx connection pool {type(pool).__name__}")
        pool._network_backend = GuardedBackend(allow_private)
