"""Fetch: detail pages and their attachments into the raw archive, with conditional GETs.

For each report link: GET the detail page (If-None-Match / If-Modified-Since from the
archive unless full_refresh; a 304 reuses the archived body), read its header metadata,
then either the page is the report (inline) or each attachment is. Every body goes
into the archive and every request into the fetch log. Failures are collected, and the
run goes on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from flows.crawl.archive import RawArchive
from flows.crawl.attachments import find_attachments, url_extension
from flows.crawl.filetype import body_format, disposition_filename, guess_format
from flows.crawl.http import FetchFailure, HttpResponse, PoliteClient
from flows.crawl.model import CrawlError, DocumentLink, FetchedDocument
from flows.crawl.page_meta import parse_page_meta
from flows.documents.charset import decode_html
from flows.sources.model import Source

__all__ = ["FetchResult", "attachment_title", "fetch_documents", "find_attachments", "guess_format"]

_WS = re.compile(r"\s+")
T = TypeVar("T")
# "附件1：", "附件 2:" in front of an attachment's name
_ATTACHMENT_PREFIX = re.compile(r"^附件\s*\d*\s*[:：、.]?\s*")
# "…自评报告（PDF）", "…（Word版）": the file type, not part of the report's name
_FORMAT_SUFFIX = re.compile(
    r"\s*[（(]\s*(?:pdf|word|excel|wps|ofd|docx?|xlsx?)\s*版?\s*[)）]\s*$", re.IGNORECASE
)
# "….pdf20240128183610173.pdf": a CMS's upload stamp between two extensions
_FILE_SUFFIX = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|ofd|txt)\d*$", re.IGNORECASE)
_GENERIC_LINK_TEXT = frozenset({"", "附件", "下载", "点击下载", "点击查看", "查看", "下载附件", "原文下载"})


@dataclass(slots=True)
class FetchResult:
    documents: list[FetchedDocument] = field(default_factory=list)
    errors: list[CrawlError] = field(default_factory=list)
    requests: int = 0
    not_modified: int = 0
    bodies_downloaded: int = 0  # 200 responses whose body was transferred
    bytes: int = 0  # bytes of those bodies

    def merge(self, other: FetchResult) -> None:
        self.documents.extend(other.documents)
        self.errors.extend(other.errors)
        self.not_modified += other.not_modified
        self.bodies_downloaded += other.bodies_downloaded
        self.bytes += other.bytes


# ── pure pieces ─────────────────────────────────────────────────────────────────────
def attachment_title(link_text: str, url: str, page_title: str) -> str:
    """The attachment's own name when its link says one, else the page's title."""
    text = _WS.sub(" ", link_text).strip()
    text = _ATTACHMENT_PREFIX.sub("", text)
    ext = url_extension(url)
    if ext and text.lower().endswith("." + ext):
        text = text[: -len(ext) - 1].strip()
    text = _FILE_SUFFIX.sub("", text).strip()
    text = _FORMAT_SUFFIX.sub("", text)
    return page_title if text in _GENERIC_LINK_TEXT or len(text) < 4 else text


# ── one body, conditionally ─────────────────────────────────────────────────────────
@dataclass(slots=True)
class _Body:
    data: bytes
    sha256: str
    raw_path: str
    fetched_at: str
    content_type: str | None
    charset: str | None
    not_modified: bool
    filename: str | None = None  # from Content-Disposition


class _Fetcher:
    def __init__(self, source: Source, archive: RawArchive, polite: PoliteClient, full_refresh: bool) -> None:
        self.source = source
        self.archive = archive
        self.polite = polite
        self.full_refresh = full_refresh

    def body(self, url: str, role: str, tally: FetchResult) -> _Body:
        headers: dict[str, str] = {}
        etag, last_modified, known_sha = (None, None, None)
        if not self.full_refresh:
            etag, last_modified, known_sha = self.archive.validators(url)
            # validators only count if the body they stand for is really in the archive
            if known_sha and self.archive.has(known_sha):
                if etag:
                    headers["If-None-Match"] = etag
                if last_modified:
                    headers["If-Modified-Since"] = last_modified
            else:
                known_sha = None
        resp = self.polite.get(url, headers, role=role, not_modified_sha=known_sha)
        if resp.status == 304:
            if known_sha is None:  # a 304 we did not ask for: ask again, unconditionally
                resp = self.polite.get(url, {}, role=role)
            else:
                tally.not_modified += 1
                return self._reuse(known_sha, resp)
        if resp.status != 200:
            raise FetchFailure(url, "http_error", f"HTTP {resp.status}", resp.status)
        sha, path = self.archive.put(resp.body)
        tally.bodies_downloaded += 1
        tally.bytes += len(resp.body)
        return _Body(
            resp.body,
            sha,
            str(path),
            resp.fetched_at,
            resp.content_type,
            resp.charset,
            False,
            disposition_filename(resp.headers),
        )

    def _reuse(self, sha: str, resp: HttpResponse) -> _Body:
        return _Body(
            self.archive.read(sha),
            sha,
            str(self.archive.path(sha)),
            resp.fetched_at,
            resp.content_type,
            resp.charset,
            True,
        )

    def link(self, link: DocumentLink) -> FetchResult:
        """The document(s) behind one report link."""
        out = FetchResult()
        try:
            page = self.body(link.url, "page", out)
        except FetchFailure as exc:
            out.errors.append(CrawlError(link.url, exc.kind, exc.message, exc.status))
            return out
        own_format = guess_format(link.url, page.content_type)
        if own_format != "html":  # the list linked the file itself, not a page about it
            fmt = body_format(link.url, page.content_type, page.filename, page.data)
            out.documents.append(self._document(link.url, link.url, link.title, page, fmt, {}, link.sections))
            return out
        html, _ = decode_html(page.data, page.charset)
        meta = parse_page_meta(html)
        page_title = meta.get("title") or link.title
        page_meta = {k: v for k, v in meta.items() if k != "title"}
        if link.list_date and "published_date" not in page_meta:
            page_meta["published_date"] = link.list_date
        mode = self.source.detail.mode
        attachments = find_attachments(html, link.url, self.source) if mode != "inline" else []
        if mode == "attachments" and not attachments:
            out.errors.append(
                CrawlError(link.url, "no_attachments", "detail page links no attachment to follow")
            )
            return out
        if not attachments:
            out.documents.append(
                self._document(link.url, link.url, page_title, page, "html", page_meta, link.sections)
            )
            return out
        for url, text in attachments:
            try:
                body = self.body(url, "attachment", out)
            except FetchFailure as exc:
                out.errors.append(CrawlError(url, exc.kind, exc.message, exc.status, page_url=link.url))
                continue
            fmt = body_format(url, body.content_type, body.filename, body.data)
            # a generic link text (下载, 附件) says less than the name the server sent
            named = attachment_title(body.filename, url, "") if body.filename else ""
            title = attachment_title(text, url, "") or named or page_title
            out.documents.append(self._document(url, link.url, title, body, fmt, page_meta, link.sections))
        return out

    def _document(
        self,
        url: str,
        page_url: str,
        title: str,
        body: _Body,
        fmt: str,
        page_meta: dict[str, str],
        sections: str = "",
    ) -> FetchedDocument:
        return FetchedDocument(
            source=self.source.name,
            url=url,
            page_url=page_url,
            title=title,
            sha256=body.sha256,
            raw_path=body.raw_path,
            format=fmt,
            fetched_at=body.fetched_at,
            content_type=body.content_type,
            page_meta=dict(page_meta),
            not_modified=body.not_modified,
            sections=sections,
        )


def _first_of_each(items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    seen: set[str] = set()
    out: list[T] = []
    for item in items:
        k = key(item)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


# ── the step ────────────────────────────────────────────────────────────────────────
def fetch_documents(
    links: Sequence[DocumentLink],
    source: Source,
    archive: RawArchive,
    client: httpx.Client,
    *,
    full_refresh: bool = False,
    http: PoliteClient | None = None,
    on_document: Callable[[FetchedDocument], None] | None = None,
) -> FetchResult:
    """Fetch every link's report body (or bodies) into the archive; documents in link order.

    Detail pages run in a small thread pool (source concurrency); the per-host rate limit
    holds across the threads. An attachment linked from two pages is returned once.
    on_document hears of each document as soon as its link is done (in link order), so
    reading can start while the crawl goes on.
    """
    polite = http or PoliteClient(client, source, on_request=archive.append_log)
    before = polite.requests
    fetcher = _Fetcher(source, archive, polite, full_refresh)
    unique = _first_of_each(links, key=lambda link: link.url)
    workers = max(1, min(source.politeness.concurrency, len(unique)))
    result = FetchResult()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"fetch-{source.name}") as pool:
        seen: set[str] = set()
        for part in pool.map(fetcher.link, unique):
            part.documents = [d for d in part.documents if not (d.url in seen or seen.add(d.url))]
            result.merge(part)
            if on_document is not None:
                for doc in part.documents:
                    on_document(doc)
    result.requests = polite.requests - before
    return result
