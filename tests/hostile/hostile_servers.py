"""Real HTTP servers on 127.0.0.1 (port 0) that misbehave on purpose.

A route is a function of the request handler: it writes whatever it likes (a redirect to
another origin, a body trickled a byte at a time, a Retry-After of an hour). Every request
is counted by path, so a test can assert that a refused URL was never sent.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[[BaseHTTPRequestHandler], None]


class HostileServer:
    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.hits: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.hits[self.path] += 1
                route = server.routes.get(self.path)
                try:
                    if route is None:
                        send(self, 404, b"not here")
                    else:
                        route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_POST = do_GET

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path


@contextlib.contextmanager
def serve(routes: dict[str, Route]) -> Iterator[HostileServer]:
    server = HostileServer(routes)
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def send(h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
    h.send_response(status)
    for k, v in {"Content-Type": "text/html; charset=utf-8", **(headers or {})}.items():
        h.send_header(k, v)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def page(body: bytes, content_type: str = "text/html; charset=utf-8") -> Route:
    return lambda h: send(h, 200, body, {"Content-Type": content_type})


def redirect(location: str, status: int = 302) -> Route:
    return lambda h: send(h, status, b"", {"Location": location})


def status(code: int, headers: dict[str, str] | None = None) -> Route:
    return lambda h: send(h, code, b"no", headers)


def trickle_body(interval: float = 0.1, chunk: bytes = b"x") -> Route:
    """A 200 whose body arrives one byte per interval, for ever (until the client leaves)."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/pdf")
        h.end_headers()
        for _ in range(100_000):
            h.wfile.write(chunk)
            h.wfile.flush()
            time.sleep(interval)

    return route


def trickle_headers(interval: float = 0.1) -> Route:
    """Headers that never end: one header byte per interval."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(100_000):
            h.wfile.write(b"a")
            h.wfile.flush()
            time.sleep(interval)

    return route
