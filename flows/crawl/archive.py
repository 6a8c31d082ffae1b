"""The raw archive: every fetched body stored once under its sha256, and the fetch log.

Raw is kept forever so any past run can be re-parsed with today's code. Bodies are
content-addressed (`root/ab/cd/<sha256>`), so a page fetched every night costs its bytes
once. The fetch log is append-only JSON Lines, one object per HTTP request.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOG_NAME = "fetch_log.jsonl"
LOG_FIELDS = (
    "url",
    "status",
    "etag",
    "last_modified",
    "sha256",
    "bytes",
    "content_type",
    "elapsed_ms",
    "fetched_at",
    "source",
    "error",
)


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class RawArchive:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.log_path = self.root / LOG_NAME
        self._lock = threading.Lock()
        # url -> (etag, last_modified, sha256, content_type) of its latest 200; built from the log
        # once (the log holds every request of every night: one read per archive, not per source)
        self._validators: dict[str, tuple[str | None, str | None, str | None, str | None]] | None = None

    # ── bodies ──────────────────────────────────────────────────────────────────────
    def path(self, sha: str) -> Path:
        return self.root / sha[:2] / sha[2:4] / sha

    def has(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def read(self, sha: str) -> bytes:
        return self.path(sha).read_bytes()

    def put(self, data: bytes) -> tuple[str, Path]:
        """Store data once; returns (sha256, path). A body already stored is not rewritten."""
        sha = sha256_hex(data)
        dest = self.path(sha)
        if dest.is_file():
            return sha, dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        # temp file in the same folder + rename: a reader never sees a half-written body
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha, dest

    # ── fetch log ───────────────────────────────────────────────────────────────────
    def append_log(self, entry: Mapping[str, Any]) -> None:
        """Append one request record; missing standard fields are written as null."""
        record = {k: entry.get(k) for k in LOG_FIELDS}
        record.update({k: v for k, v in entry.items() if k not in record})
        if not record.get("fetched_at"):
            record["fetched_at"] = utc_now_iso()
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        with self._lock:
            with self.log_path.open("a+b") as f:
                # a run killed mid-write leaves a line without its newline: end it, or this
                # record would be glued to it and lost with it
                if f.seek(0, os.SEEK_END) > 0:
                    f.seek(-1, os.SEEK_END)
                    if f.read(1) != b"\n":
                        line = b"\n" + line
                f.write(line)
            if self._validators is not None:
                self._note(record)

    def read_log(self) -> list[dict[str, Any]]:
        """Every record in order. A torn last line (a run killed mid-write) is skipped."""
        if not self.log_path.is_file():
            return []
        out: list[dict[str, Any]] = []
        with self.log_path.open(encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return out

    def validators(self, url: str) -> tuple[str | None, str | None, str | None]:
        """(etag, last_modified, sha256) of the latest 200 for url, for a conditional GET."""
        return self.latest_200(url)[:3]

    def latest_200(self, url: str) -> tuple[str | None, str | None, str | None, str | None]:
        """(etag, last_modified, sha256, content_type) of the latest 200 for url (Nones if none)."""
        with self._lock:
            if self._validators is None:
                self._validators = {}
                for record in self.read_log():
                    self._note(record)
            return self._validators.get(url, (None, None, None, None))

    def _note(self, record: Mapping[str, Any]) -> None:
        assert self._validators is not None
        # a POST's URL stands for many answers (one per form): nothing to revalidate by URL
        if (
            record.get("status") == 200
            and record.get("sha256")
            and record.get("url")
            and not record.get("method")
        ):
            self._validators[record["url"]] = (
                record.get("etag"),
                record.get("last_modified"),
                record["sha256"],
                record.get("content_type"),
            )
