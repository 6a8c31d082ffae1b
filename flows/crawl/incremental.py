"""Conditional list pages: a list page is asked for with its ETag/Last-Modified from the fetch log,
and a 304 reads the archived body (detail pages and attachments the fetch step makes
conditional itself)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import httpx

from flows.crawl.archive import RawArchive
from flows.crawl.http import HostSchedule, HttpResponse, OnRequest, PoliteClient


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
        if e.get("status") == 200 and e.get("sha256") and e.get("url") and not e.get("method"):
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
        schedule: HostSchedule | None = None,
    ) -> None:
        super().__init__(client, source, on_request=on_request, schedule=schedule)
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
