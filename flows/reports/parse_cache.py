"""The parse cache: per document body and parser code, the reports it parsed to.

Unchanged documents skip extract and parse (the costly part); validation runs on every report,
so checks that depend on today's date stay right.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from flows.contract.report import Report, report_from_dict

# what a document's reports depend on besides its bytes: the readers, the parser, their libraries
# (folders and files of the flows package)
_CODE_DIRS = ("documents", "reports", "contract")
_CODE_FILES: tuple[str, ...] = ()  # the charset rules live with the readers (documents/)
_LIBRARIES = (
    "pypdfium2",
    "pdfplumber",
    "python-docx",
    "openpyxl",
    "xlrd",
    "selectolax",
    "charset-normalizer",
    "cpca",
    "pyahocorasick",
)
_TOOLS = ("antiword", "catdoc")


def code_fingerprint(flows_dir: Path | None = None) -> str:
    """A hash of everything parsing depends on; any change to it invalidates the parse cache."""
    root = flows_dir or Path(__file__).resolve().parents[1]
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
        sections: str = "",
    ) -> str:
        facts = [sha256, name, content_type, sorted((page_meta or {}).items()), page_title, year]
        if sections:  # only when set, so the keys of whole documents stay what they were
            facts.append(sections)
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
