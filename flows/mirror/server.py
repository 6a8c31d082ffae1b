"""Serve the demo mirror over real HTTP on 127.0.0.1, as the real sites answer.

    with serve_mirror() as mirror:
        httpx.get(mirror.base_url + "/zwgk.shmh.gov.cn/mh-xxgk-cms/website/mh_xxgk/czzj_ysjxgl/index.html")

    python -m flows.mirror.server --port 8731      # foreground, Ctrl-C stops

What it does like a government web server: Content-Type by extension, with a charset
only for UTF-8 HTML (GBK pages come without one, the hard case); ETag and Last-Modified
with 304 answers to conditional requests; robots.txt; the manifest's endpoints (a Hanweb
data proxy answering POSTs, a JSON list API, an extension-less download script, see
flows/mirror/endpoints.py); 404 for anything else. It logs
nothing, but keeps every request as (method, path, status) in `requests`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from flows.mirror import endpoints

SITE_DIR = Path(__file__).resolve().parent / "site"
_MAX_FORM = 64 * 1024  # a list form is a few hundred bytes

CONTENT_TYPES = {
    ".htm": "text/html",
    ".html": "text/html",
    ".shtml": "text/html",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}


def load_manifest(root: Path) -> dict[str, Any]:
    manifest = root / "manifest.json"
    if not manifest.is_file():
        return {}
    return json.loads(manifest.read_text(encoding="utf-8"))


def load_file_facts(root: Path) -> dict[str, dict[str, Any]]:
    """Per URL path, what manifest.json says the server must send (encoding, Last-Modified)."""
    return load_manifest(root).get("files", {})


def content_type(path: str, body: bytes, facts: dict[str, Any]) -> str:
    """The header the real sites send: HTML gets `charset=utf-8` only when it is UTF-8."""
    ext = Path(path).suffix.lower()
    ctype = CONTENT_TYPES.get(ext, "application/octet-stream")
    if ctype != "text/html":
        return ctype
    if "encoding" in facts:
        utf8 = facts["encoding"] == "utf-8"
    else:
        try:
            body.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            utf8 = False
    return "text/html; charset=utf-8" if utf8 else "text/html"


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


def _not_modified_since(header: str, modified: datetime) -> bool:
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    # HTTP dates have whole seconds
    return modified.replace(microsecond=0) <= since


class _Handler(BaseHTTPRequestHandler):
    server: _MirrorHTTPServer
    server_version = "govperf-mirror"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY on every accepted socket: a response goes out as two writes (headers, then
    # body), and with Nagle on the body waits for the client's delayed ACK of the headers,
    # ~40 ms per keep-alive response. (The crawler's httpx sockets set TCP_NODELAY already.)
    disable_nagle_algorithm = True

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and the demo read `requests` instead

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.server.mirror.record(self.command, self.path, int(code) if str(code).isdigit() else 0)

    def do_GET(self) -> None:
        self._serve(with_body=True)

    def do_HEAD(self) -> None:
        self._serve(with_body=False)

    def do_POST(self) -> None:
        mirror = self.server.mirror
        parts = urlsplit(self.path)
        length = self.headers.get("Content-Length", "0")
        size = int(length) if length.isdigit() else 0
        if size > _MAX_FORM:
            self._send_status(413)
            return
        form = self.rfile.read(size).decode("utf-8", errors="replace")
        spec = mirror.endpoints.get(unquote(parts.path))
        if spec is None:
            self._send_status(405 if mirror.resolve(unquote(parts.path)) else 404)
            return
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if (self.headers.get("Content-Type") or "").startswith("application/json"):
            try:
                body = json.loads(form or "{}")
            except json.JSONDecodeError:
                self._send_status(400)
                return
            params.update({str(k): str(v) for k, v in body.items()} if isinstance(body, dict) else {})
        else:
            params.update(parse_qsl(form, keep_blank_values=True))
        self._send_answer(
            endpoints.answer(spec, "POST", params, mirror.root), with_body=True, conditional=False
        )

    def _send_answer(self, ans: endpoints.Answer, *, with_body: bool, conditional: bool) -> None:
        if ans.status != 200:
            self._send_status(ans.status)
            return
        etag = f'"{hashlib.sha256(ans.body).hexdigest()}"'
        modified = parsedate_to_datetime(ans.modified) if ans.modified else None
        if conditional and self._not_modified(etag, modified):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ans.content_type)
        self.send_header("Content-Length", str(len(ans.body)))
        if conditional:
            self.send_header("ETag", etag)
            if modified is not None:
                self.send_header("Last-Modified", format_datetime(modified, usegmt=True))
        for name, value in ans.headers.items():
            # raw header bytes (a GBK file name), as such servers send: latin-1 writes them unchanged
            self.send_header(name, value.decode("latin-1") if isinstance(value, bytes) else value)
        self.end_headers()
        if with_body:
            self.wfile.write(ans.body)

    def _not_modified(self, etag: str, modified: datetime | None) -> bool:
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        return (inm is not None and _etag_matches(inm, etag)) or (
            inm is None and ims is not None and modified is not None and _not_modified_since(ims, modified)
        )

    def _serve(self, *, with_body: bool) -> None:
        mirror = self.server.mirror
        parts = urlsplit(self.path)
        url_path = unquote(parts.path)
        injected = mirror.take_injected(url_path)
        if injected is not None:
            self._send_status(injected)
            return
        spec = mirror.endpoints.get(url_path)
        if spec is not None:
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            ans = endpoints.answer(spec, self.command, params, mirror.root)
            self._send_answer(ans, with_body=with_body, conditional=True)
            return
        found = mirror.resolve(url_path)
        if found is None:
            self._send_status(404)
            return
        body, etag, modified, ctype = found
        last_modified = format_datetime(modified, usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if (inm is not None and _etag_matches(inm, etag)) or (
            inm is None and ims is not None and _not_modified_since(ims, modified)
        ):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _send_status(self, status: int) -> None:
        body = f"{status}\n".encode()
        self.send_response(status)
        if status in (429, 503):
            self.send_header("Retry-After", "1")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _MirrorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    mirror: MirrorServer


class MirrorServer:
    """The mirror on a ThreadingHTTPServer in a daemon thread; a context manager."""

    def __init__(self, root: Path = SITE_DIR, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = root.resolve()
        if not self.root.is_dir():
            raise FileNotFoundError(f"mirror site folder {self.root} not found")
        manifest = load_manifest(self.root)
        self.facts: dict[str, dict[str, Any]] = manifest.get("files", {})
        self.endpoints: dict[str, dict[str, Any]] = manifest.get("endpoints", {})
        self.requests: list[tuple[str, str, int]] = []
        self._lock = threading.Lock()
        self._injected: dict[str, list[int]] = {}
        self._etags: dict[tuple[str, int, int], str] = {}
        self._httpd = _MirrorHTTPServer((host, port), _Handler)
        self._httpd.mirror = self
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def start(self) -> MirrorServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ── bookkeeping, used by the handler threads ──

    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.requests.append((method, path, status))

    def reset_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def inject(self, path: str, *statuses: int) -> None:
        """Answer the next requests for `path` with these statuses (e.g. 503) before serving it."""
        with self._lock:
            self._injected.setdefault(path, []).extend(statuses)

    def take_injected(self, path: str) -> int | None:
        with self._lock:
            queue = self._injected.get(path)
            return queue.pop(0) if queue else None

    def resolve(self, url_path: str) -> tuple[bytes, str, datetime, str] | None:
        """(body, ETag, Last-Modified, Content-Type) of the file at a URL path, None if there is none."""
        target = (self.root / url_path.lstrip("/")).resolve()
        if not target.is_file() or not target.is_relative_to(self.root):
            return None
        stat = target.stat()
        body = target.read_bytes()
        key = (str(target), stat.st_mtime_ns, stat.st_size)
        with self._lock:
            etag = self._etags.get(key)
        if etag is None:
            etag = f'"{hashlib.sha256(body).hexdigest()}"'
            with self._lock:
                self._etags[key] = etag
        facts = self.facts.get(url_path, {})
        if "last_modified" in facts:
            modified = parsedate_to_datetime(facts["last_modified"])
        else:
            modified = datetime.fromtimestamp(int(stat.st_mtime), tz=UTC)
        return body, etag, modified, content_type(url_path, body, facts)


def serve_mirror(root: Path = SITE_DIR, host: str = "127.0.0.1", port: int = 0) -> MirrorServer:
    """Start the mirror in the background; port 0 picks a free one (see `.base_url`)."""
    return MirrorServer(root, host, port).start()


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Serve the govperf demo mirror in the foreground.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8731)
    ap.add_argument("--root", type=Path, default=SITE_DIR)
    args = ap.parse_args(argv)
    mirror = serve_mirror(args.root, args.host, args.port)
    print(f"mirror serving {mirror.root} at {mirror.base_url} (Ctrl-C stops)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        mirror.stop()


if __name__ == "__main__":
    main()
