"""Both ends of a crawl of the mirror send small writes at once (TCP_NODELAY): with Nagle's
algorithm on either side, a response written as headers then body waits for a delayed ACK,
~40 ms per keep-alive request (benchmarks/mirror_crawl_bench.py shows the difference)."""

from __future__ import annotations

import socket

import httpx

from flows.crawl.guard import GuardedBackend
from flows.mirror import server
from flows.mirror.server import serve_mirror


def _nodelay(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def test_the_mirror_sets_tcp_nodelay_on_the_sockets_it_accepts(monkeypatch):
    seen: list[bool] = []
    setup = server._Handler.setup

    def recording_setup(self):
        setup(self)
        seen.append(_nodelay(self.connection))

    monkeypatch.setattr(server._Handler, "setup", recording_setup)
    with serve_mirror() as mirror, httpx.Client() as client:
        assert client.get(mirror.url("/robots.txt")).status_code == 200
    assert seen == [True]


def test_the_crawlers_sockets_set_tcp_nodelay():
    with serve_mirror() as mirror:
        stream = GuardedBackend(allow_private=True).connect_tcp(mirror.host, mirror.port, timeout=5)
        try:
            assert _nodelay(stream.get_extra_info("socket"))
        finally:
            stream.close()
