"""What earlier runs left behind, so a run does only what changed — and a killed run resumes.

A nightly run and a re-run after a crash are the same case: the raw archive, the fetch log
and the warehouse say what is already had, and the run skips it.

- known links: report pages already *loaded* into the warehouse (raw.documents). Discovery
  stops paginating at a list page holding only those. Loaded, not merely fetched: a run
  killed before its load must walk those pages again on the re-run, or their reports would
  never arrive.
- conditional list pages: a list page is asked for with its ETag/Last-Modified from the
  fetch log, and a 304 reads the archived body (detail pages and attachments already are).
- the parse cache: per document body and parser code, the reports it parsed to. Unchanged
  documents skip extract and parse (the costly part); validation runs on every report, so
  checks that depend on today's date stay right.
- kill points: GOVPERF_KILL_AT makes a run SIGKILL itself at a named step, for the
  recovery tests (a crash nobody cleans up after, exactly as a power cut or OOM kill).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import httpx

from flows.crawl.archive import RawArchive
from flows.crawl.http import HttpResponse, OnRequest, PoliteClient
from flows.reports.model import BudgetLine, Indicator, Region, Report

# ── known links ──────────────────────────────────────────────────────────────────────


def known_page_urls(db_path: Path, source: str) -> frozenset[str]:
    """The report pages (and files) of `source` the warehouse already holds.

    Empty when there is no warehouse yet or it cannot be opened now (an analyst holding it
    read-write): the run then walks every list page, which is slower but never loses a report.
    """
    import duckdb

    if not Path(db_path).is_file():
        return frozenset()
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            rows = con.execute(
                "SELECT page_url, url FROM raw.documents WHERE source = ?", [source]
            ).fetchall()
    except duckdb.Error:
        return frozenset()
    return frozenset(u for row in rows for u in row if u)


def fetch_log_loaded_until(db_path: Path) -> dt.datetime | None:
    """The time of the latest request raw.fetch_log holds (None: no warehouse, or none yet)."""
    import duckdb

    if not Path(db_path).is_file():
        return None
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            row = con.execute("SELECT max(fetched_at) FROM raw.fetch_log").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


# ── conditional list pages ───────────────────────────────────────────────────────────


@dataclasses.dataclass(frozen=True, slots=True)
class _Archived:
    etag: str | None
    last_modified: str | None
    sha256: str
    content_type: str | None


def archived_bodies(archive: RawArchive) -> dict[str, _Archived]:
    """Per URL, its latest 200 in the fetch log whose body the archive holds."""
    out: dict[str, _Archived] = {}
    for e in archive.read_log():
        if e.get("status") == 200 and e.get("sha256") and e.get("url"):
            out[e["url"]] = _Archived(
                e.get("etag"), e.get("last_modified"), e["sha256"], e.get("content_type")
            )
    return {u: a for u, a in out.items() if archive.has(a.sha256)}


class IncrementalClient(PoliteClient):
    """A PoliteClient that makes list-page GETs conditional too, and remembers content types.

    Detail pages and attachments are made conditional by the fetch step itself; this adds the
    list pages (their bodies go into the archive, so a 304 can return the archived one), and
    gives every 304 the Content-Type of the 200 it stands for: a 304 carries none, and the
    charset in it is how a UTF-8 page without a <meta charset> is read right.
    """

    def __init__(
        self,
        client: httpx.Client,
        source: Any,
        archive: RawArchive,
        *,
        full_refresh: bool = False,
        on_request: OnRequest | None = None,
    ) -> None:
        super().__init__(client, source, on_request=on_request)
        self.archive = archive
        self.full_refresh = full_refresh
        self._archived = archived_bodies(archive)
        self.lists_not_modified = 0

    def get(
        self,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        role: str = "page",
        not_modified_sha: str | None = None,
    ) -> HttpResponse:
        known = self._archived.get(url)
        if role != "list" or headers or self.full_refresh or known is None:
            resp = super().get(url, headers, role=role, not_modified_sha=not_modified_sha)
            if role == "list" and resp.status == 200:
                self.archive.put(resp.body)
            return self._with_content_type(resp, known)
        conditional = {}
        if known.etag:
            conditional["If-None-Match"] = known.etag
        if known.last_modified:
            conditional["If-Modified-Since"] = known.last_modified
        resp = super().get(url, conditional, role=role, not_modified_sha=known.sha256)
        if resp.status != 304:
            self.archive.put(resp.body)
            return resp
        with self._count_lock:
            self.lists_not_modified += 1
        return dataclasses.replace(self._with_content_type(resp, known), body=self.archive.read(known.sha256))

    @staticmethod
    def _with_content_type(resp: HttpResponse, known: _Archived | None) -> HttpResponse:
        if resp.status != 304 or known is None or not known.content_type or "content-type" in resp.headers:
            return resp
        headers = httpx.Headers(resp.headers)
        headers["content-type"] = known.content_type
        return dataclasses.replace(resp, headers=headers)


# ── the parse cache ──────────────────────────────────────────────────────────────────

# what a document's reports depend on besides its bytes: the readers, the parser, their libraries
_CODE_DIRS = ("documents", "reports")
_CODE_FILES = ("process.py",)
_LIBRARIES = (
    "pypdfium2",
    "pdfplumber",
    "python-docx",
    "openpyxl",
    "xlrd",
    "selectolax",
    "charset-normalizer",
    "cpca",
)
_TOOLS = ("antiword", "catdoc")


def code_fingerprint(flows_dir: Path | None = None) -> str:
    """A hash of everything parsing depends on; any change to it invalidates the parse cache."""
    root = flows_dir or Path(__file__).resolve().parent
    h = hashlib.sha256()
    # the sources, never __pycache__: Python writes half-finished `.pyc.<n>` files there
    # while it compiles, and they vanish under a reader
    files = sorted(
        p for d in _CODE_DIRS for p in (root / d).rglob("*") if "__pycache__" not in p.parts and p.is_file()
    )
    files += [root / f for f in _CODE_FILES]
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:  # a cache key must never stop a run: an unreadable file is a key too
            data = f"unreadable: {type(exc).__name__}".encode()
        h.update(str(path.relative_to(root)).encode() + b"\0" + data + b"\0")
    for lib in _LIBRARIES:
        try:
            h.update(f"{lib}={version(lib)}\0".encode())
        except PackageNotFoundError:
            h.update(f"{lib}=none\0".encode())
    for tool in _TOOLS:  # legacy .doc reads differently with antiword, catdoc or neither
        h.update(f"{tool}={shutil.which(tool) is not None}\0".encode())
    return h.hexdigest()


def report_from_dict(d: Mapping[str, Any]) -> Report:
    data = dict(d)
    data["region"] = Region(**data["region"])
    data["budget"] = {k: BudgetLine(**v) for k, v in data["budget"].items()}
    data["indicators"] = [Indicator(**i) for i in data["indicators"]]
    return Report(**data)


def _round_trips(reports: list[Report]) -> list[dict[str, Any]] | None:
    """The reports as JSON-ready dicts, or None if reading them back would not give them exactly."""
    dicts = [dataclasses.asdict(r) for r in reports]
    try:
        back = json.loads(json.dumps(dicts, ensure_ascii=False))
        if [dataclasses.asdict(report_from_dict(d)) for d in back] != dicts:
            return None
    except (TypeError, ValueError):
        return None
    return dicts


class ParseCache:
    """Reports parsed from a document, keyed by its bytes, its page facts and the parser's code.

    Only successes are kept: a rejected document is tried again next run (a reader may have
    been installed meanwhile). Entries are written atomically, so a kill mid-write leaves none.
    """

    def __init__(self, root: Path, fingerprint: str | None = None) -> None:
        self.fingerprint = fingerprint or code_fingerprint()
        self.base = Path(root)
        self.root = self.base / self.fingerprint[:16]
        self.root.mkdir(parents=True, exist_ok=True)
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    def prune(self) -> int:
        """Remove entries of other parser versions (they can never hit again); returns folders removed."""
        gone = 0
        for d in self.base.iterdir():
            if d.is_dir() and d != self.root:
                shutil.rmtree(d, ignore_errors=True)
                gone += 1
        return gone

    @staticmethod
    def key(
        sha256: str,
        name: str,
        content_type: str | None,
        page_meta: Mapping[str, str] | None,
        page_title: str | None,
        year: int,
    ) -> str:
        facts = [sha256, name, content_type, sorted((page_meta or {}).items()), page_title, year]
        return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> list[Report] | None:
        path = self._path(key)
        try:
            reports = [report_from_dict(d) for d in json.loads(path.read_text(encoding="utf-8"))]
        except (OSError, ValueError, TypeError, KeyError):
            with self._lock:
                self.misses += 1
            return None
        with self._lock:
            self.hits += 1
        return reports

    def put(self, key: str, reports: list[Report]) -> bool:
        dicts = _round_trips(reports)
        if dicts is None:
            return False
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(dicts, f, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True


# ── kill points (recovery tests) ─────────────────────────────────────────────────────

KILL_ENV = "GOVPERF_KILL_AT"


def _kill_spec() -> tuple[str, int] | None:
    spec = os.environ.get(KILL_ENV, "").strip()
    if not spec:
        return None
    step, _, n = spec.partition(":")
    return step, int(n or 0)


def kill_point(step: str, count: int = 0) -> None:
    """SIGKILL this process at `step` once `count` reaches N, when GOVPERF_KILL_AT is `step:N`."""
    spec = _kill_spec()
    if spec and spec[0] == step and count >= spec[1]:
        os.kill(os.getpid(), signal.SIGKILL)


def killing_on_request(on_request: OnRequest) -> OnRequest:
    """on_request, and with GOVPERF_KILL_AT=fetch:N a SIGKILL once N requests are in the fetch log."""
    spec = _kill_spec()
    if not spec or spec[0] != "fetch":
        return on_request
    lock = threading.Lock()
    seen = [0]

    def hook(entry: dict[str, Any]) -> None:
        on_request(entry)
        with lock:
            seen[0] += 1
            kill_point("fetch", seen[0])

    return hook


def kill_while_loading(db_path: Path, poll: float = 0.002) -> None:
    """With GOVPERF_KILL_AT=load, SIGKILL this process while it writes the warehouse's new copy."""
    spec = _kill_spec()
    if not spec or spec[0] != "load":
        return
    building = Path(db_path).with_name(Path(db_path).name + ".building")

    def watch() -> None:
        while not building.exists():
            time.sleep(poll)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="kill-while-loading", daemon=True).start()
