"""The mirror as files and documents, before it is written: what every family builder adds to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any, Literal

Encoding = Literal["utf-8", "gbk", "gb18030"]
# Sites stamp local time; HTTP dates are GMT.
_CST = timedelta(hours=8)


def http_date(local: str) -> str:
    """`YYYY-MM-DD HH:MM` China time as an HTTP date."""
    when = datetime.strptime(local, "%Y-%m-%d %H:%M") - _CST
    return format_datetime(when.replace(tzinfo=UTC), usegmt=True)


@dataclass(slots=True)
class SiteFile:
    path: str  # URL path, starting with /
    body: bytes
    modified: str  # YYYY-MM-DD HH:MM local time, becomes Last-Modified
    encoding: Encoding | None = None  # for HTML: how the bytes are encoded


@dataclass(slots=True)
class Site:
    files: list[SiteFile] = field(default_factory=list)
    documents: list[dict[str, object]] = field(default_factory=list)
    lists: dict[str, list[str]] = field(default_factory=dict)
    # answers that are not files (flows/mirror/endpoints.py), by URL path
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)
    # per family: what the manifest says about it (prefix, list pages, API)
    families: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, f: SiteFile) -> None:
        if any(x.path == f.path for x in self.files):
            raise ValueError(f"two files at {f.path}")
        self.files.append(f)
