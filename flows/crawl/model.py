"""The hand-offs of discover and fetch."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class DocumentLink:
    """A report found on a list page, before its body is fetched."""

    source: str
    url: str  # the detail page
    title: str  # link text on the list page
    list_url: str
    # "self_evaluation": a 部门决算 page the source opted in to; only the self-evaluation
    # parts of its documents are reports
    sections: str = ""
    # the date the list gave the item (YYYY-MM-DD), for a detail page whose header has none
    list_date: str = ""


@dataclass(slots=True)
class FetchedDocument:
    """One report body in the raw archive, with what its detail page says about it.

    For an inline report the body is the detail page itself; for an attachment it is the
    attached file and `page_url` is the detail page that linked it.
    """

    source: str
    url: str  # where the body came from
    page_url: str
    title: str
    sha256: str
    raw_path: str  # file in the raw archive
    format: str  # html, pdf, docx, doc, xlsx, xls, txt
    fetched_at: str  # ISO 8601, UTC
    content_type: str | None = None
    # from the detail page header: publisher, published_date (YYYY-MM-DD), index_no
    page_meta: dict[str, str] = field(default_factory=dict)
    # the server answered 304 and the archived body was reused
    not_modified: bool = False
    # "self_evaluation": read only the document's self-evaluation parts (a 部门决算)
    sections: str = ""


@dataclass(frozen=True, slots=True)
class CrawlError:
    """A request that failed for good; the run goes on without it.

    kind: not_found, http_error, timeout, connection, too_large, robots_disallowed,
    robots_unavailable, no_items, no_attachments, invalid_url.
    """

    url: str
    kind: str
    message: str
    status: int | None = None
    page_url: str | None = None  # the detail page that linked an attachment
